"""One chronological timeline per client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_desktop.services import activities, clients, deals
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError


def test_timeline_is_newest_first_and_includes_status_changes(ctx, clock, audit_rows):
    c = clients.create(ctx, name="Leyla Həsənova")
    activities.add(ctx, c.id, kind="call", body="Asked for a price list")  # a lead contacted: a prospect
    clock.current += timedelta(hours=1)
    c = clients.get(ctx, c.id)
    clients.update(ctx, c.id, expected_version=c.version, status="customer")
    clock.current += timedelta(hours=1)
    note = activities.add(ctx, c.id, body="Sent the price list by email")
    timeline = activities.timeline(ctx, c.id)
    assert [(a.kind, a.body) for a in timeline] == [
        ("note", "Sent the price list by email"),
        ("status_change", "prospect → customer"),
        ("status_change", "lead → prospect"),
        ("call", "Asked for a price list"),
    ]
    assert timeline[0].author_name == "Owner" and timeline[0].occurred_at == clock.current
    assert activities.count_for_client(ctx, c.id) == 4
    assert audit_rows("activities", note.id)[0][0] == "create"


def test_edit_and_delete_with_audit_and_conflicts(ctx, audit_rows):
    c = clients.create(ctx, name="Client", status="customer")  # its path moves on no further
    a = activities.add(ctx, c.id, kind="meeting", body="Meet at office")
    a2 = activities.update(ctx, a.id, expected_version=a.version, body="Meet at their office")
    assert audit_rows("activities", a.id)[-1][1]["body"] == ["Meet at office", "Meet at their office"]
    with pytest.raises(ConflictError):
        activities.update(ctx, a.id, expected_version=a.version, body="stale")
    activities.delete(ctx, a2.id)
    assert activities.timeline(ctx, c.id) == []
    assert audit_rows("activities", a.id)[-1][0] == "delete"


def test_bad_entries_are_refused(ctx):
    c = clients.create(ctx, name="Client")
    other = clients.create(ctx, name="Other")
    d = deals.create(ctx, client_id=other.id, title="Other's deal")
    with pytest.raises(ValidationError, match="cannot be empty"):
        activities.add(ctx, c.id, body="  ")
    with pytest.raises(ValidationError, match="must be one of"):
        activities.add(ctx, c.id, kind="status_change", body="forged")
    with pytest.raises(ValidationError, match="another client"):
        activities.add(ctx, c.id, body="x", deal_id=d.id)
    clients.update(ctx, c.id, expected_version=1, status="customer")
    change = activities.timeline(ctx, c.id)[0]
    with pytest.raises(ValidationError, match="recorded automatically"):
        activities.delete(ctx, change.id)


def test_private_client_timeline_is_invisible_to_others(ctx, staff):
    secret = clients.create(staff["dilnoza"], name="Secret", private=True)
    a = activities.add(staff["dilnoza"], secret.id, body="Confidential")
    with pytest.raises(NotFound):
        activities.timeline(staff["rashad"], secret.id)
    with pytest.raises(NotFound):
        activities.delete(staff["rashad"], a.id)


def test_entries_written_later_about_earlier_events_sort_by_when_they_happened(ctx, clock):
    c = clients.create(ctx, name="Nodira", status="customer")
    today = activities.add(ctx, c.id, kind="call", body="Agreed on the price")
    earlier = activities.add(
        ctx, c.id, kind="meeting", body="First visit", occurred_at="2026-11-20T15:00+05:00"
    )
    assert earlier.occurred_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert [a.body for a in activities.timeline(ctx, c.id)] == ["Agreed on the price", "First visit"]
    assert [a.body for a in activities.timeline(ctx, c.id, offset=1, limit=1)] == ["First visit"]
    assert [a.body for a in activities.timeline(ctx, c.id, limit=1)] == ["Agreed on the price"]
    assert activities.get(ctx, today.id) == today
    with pytest.raises(ValidationError) as err:
        activities.add(ctx, c.id, body="x", occurred_at="last friday")
    assert err.value.field == "occurred_at" and "Use the form 2026-12-31 14:30" in err.value.message


def test_entries_can_be_linked_to_one_of_the_clients_deals(ctx, audit_rows):
    c = clients.create(ctx, name="Nodira")
    d = deals.create(ctx, client_id=c.id, title="Wedding photos")
    a = activities.add(ctx, c.id, kind="email", body="Sent the contract", deal_id=d.id)
    assert a.deal_id == d.id
    unlinked = activities.update(ctx, a.id, expected_version=a.version, deal_id=None, kind="note")
    assert (unlinked.deal_id, unlinked.kind) == (None, "note")
    assert audit_rows("activities", a.id)[-1][1] == {"deal_id": [d.id, None], "kind": ["email", "note"]}


def test_a_deals_notes_and_calls_are_on_the_deal_and_on_its_clients_timeline_with_its_title(ctx, staff):
    c = clients.create(ctx, name="Nodira", private=True)
    d = deals.create(ctx, client_id=c.id, title="Wedding photos")
    other = deals.create(ctx, client_id=c.id, title="Album")
    activities.add(ctx, c.id, kind="note", body="Wants 200 prints", deal_id=d.id)
    activities.add(ctx, c.id, kind="call", body="Agreed on the date", deal_id=d.id)
    activities.add(ctx, c.id, kind="note", body="About the album", deal_id=other.id)
    activities.add(ctx, c.id, kind="note", body="Prefers Telegram")
    assert [(a.kind, a.body) for a in activities.for_deal(ctx, d.id)] == [
        ("call", "Agreed on the date"),
        ("note", "Wants 200 prints"),
        ("deal", "Deal 'Wedding photos' created in stage 'New'"),
    ]
    on_timeline = {a.body: a.deal_title for a in activities.timeline(ctx, c.id)}
    assert on_timeline["Wants 200 prints"] == "Wedding photos" and on_timeline["Prefers Telegram"] == ""
    with pytest.raises(NotFound):  # someone else's private client: its deal's notes are hidden too
        activities.for_deal(staff["dilnoza"], d.id)


def test_edits_are_checked_like_new_entries(ctx):
    c = clients.create(ctx, name="Client")
    a = activities.add(ctx, c.id, body="Call back")
    with pytest.raises(ValidationError, match="must be one of: note, call, meeting, email"):
        activities.update(ctx, a.id, expected_version=a.version, kind="status_change")
    with pytest.raises(ValidationError, match="cannot be empty"):
        activities.update(ctx, a.id, expected_version=a.version, body="")
    with pytest.raises(ValidationError, match="no field 'client_id'"):
        activities.update(ctx, a.id, expected_version=a.version, client_id=2)
    assert activities.get(ctx, a.id) == a


def test_a_second_pc_editing_the_same_entry_gets_a_conflict(ctx):
    c = clients.create(ctx, name="Client")
    a = activities.add(ctx, c.id, body="Draft")
    other_pc = ServiceContext(ctx.db, actor=ctx.actor, clock=ctx.clock)
    activities.update(other_pc, a.id, expected_version=a.version, body="Their words")
    with pytest.raises(ConflictError, match="changed by someone else"):
        activities.update(ctx, a.id, expected_version=a.version, body="My words")
    assert activities.get(ctx, a.id).body == "Their words"


def test_a_save_that_loses_the_race_is_a_conflict_and_leaves_no_trace(
    ctx, audit_rows, another_pc_saves_first
):
    c = clients.create(ctx, name="Client")
    a = activities.add(ctx, c.id, body="Draft")
    with pytest.raises(ConflictError), another_pc_saves_first(ctx, "activities", a.id):
        activities.update(ctx, a.id, expected_version=a.version, body="Mine")
    assert activities.get(ctx, a.id).body == "Draft"
    assert [x for x, _ in audit_rows("activities", a.id)] == ["create"]


def test_staff_share_public_timelines_and_managers_see_their_team(ctx, staff):
    dilnoza, rashad, manager = staff["dilnoza"], staff["rashad"], staff["manager"]
    public = clients.create(dilnoza, name="Public", status="customer")
    activities.add(rashad, public.id, kind="call", body="Rashad called them")
    assert [(a.body, a.author_name) for a in activities.timeline(dilnoza, public.id)] == [
        ("Rashad called them", "Rashad")
    ]
    secret = clients.create(dilnoza, name="Secret", private=True, status="customer")
    a = activities.add(dilnoza, secret.id, body="Confidential")
    assert activities.count_for_client(manager, secret.id) == 1
    with pytest.raises(NotFound):
        activities.add(rashad, secret.id, body="Sneaky")
    with pytest.raises(NotFound):
        activities.count_for_client(rashad, secret.id)
    with pytest.raises(NotFound):
        activities.update(rashad, a.id, expected_version=a.version, body="Changed")
    assert activities.get(dilnoza, a.id).body == "Confidential"
