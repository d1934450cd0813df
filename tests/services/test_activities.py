"""One chronological timeline per client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_desktop.services import activities, clients, deals
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError


def test_timeline_is_newest_first_and_includes_status_changes(ctx, clock, audit_rows):
    c = clients.create(ctx, name="Leyla Həsənova")
    activities.add(ctx, c.id, kind="call", body="Asked for a price list")
    clock.current += timedelta(hours=1)
    clients.update(ctx, c.id, expected_version=c.version, status="prospect")
    clock.current += timedelta(hours=1)
    note = activities.add(ctx, c.id, body="Sent the price list by email")
    timeline = activities.timeline(ctx, c.id)
    assert [(a.kind, a.body) for a in timeline] == [
        ("note", "Sent the price list by email"), ("status_change", "lead → prospect"),
        ("call", "Asked for a price list")]
    assert timeline[0].author_name == "Owner" and timeline[0].occurred_at == clock.current
    assert activities.count_for_client(ctx, c.id) == 3
    assert audit_rows("activities", note.id)[0][0] == "create"


def test_edit_and_delete_with_audit_and_conflicts(ctx, audit_rows):
    c = clients.create(ctx, name="Client")
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
