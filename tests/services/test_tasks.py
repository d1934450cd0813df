"""Tasks with due times, reminders and links to clients and deals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crm_desktop.services import clients, deals, tasks
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError
from crm_desktop.services.tasks import TaskFilter

TASHKENT = timezone(timedelta(hours=5))


def test_task_stored_in_utc_shown_with_its_links(ctx, audit_rows):
    c = clients.create(ctx, name="Aziz Karimov")
    d = deals.create(ctx, client_id=c.id, title="Kitchen repair")
    t = tasks.create(ctx, title="Call back", due_at=datetime(2026, 11, 25, 15, 0, tzinfo=TASHKENT),
                     remind_at="2026-11-25T14:45:00+05:00", deal_id=d.id, priority="high")
    assert t.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert t.remind_at == datetime(2026, 11, 25, 9, 45, tzinfo=UTC)
    assert (t.client_name, t.deal_title, t.assignee_name, t.status, t.overdue) == (
        "Aziz Karimov", "Kitchen repair", "Owner", "open", False)
    assert audit_rows("tasks", t.id)[0][0] == "create"


@pytest.mark.parametrize("values, field, words", [
    ({"title": ""}, "title", "cannot be empty"),
    ({"title": "X", "due_at": "tomorrow-ish"}, "due_at", "is not a date and time"),
    ({"title": "X", "due_at": "2026-12-01"}, "due_at", "needs a time"),
    ({"title": "X", "duration_minutes": -15}, "duration_minutes", "must be between 0 and"),
    ({"title": "X", "priority": "urgent!"}, "priority", "must be one of"),
    ({"title": "X", "recurrence": "every monday"}, "recurrence", "not a repeat rule"),
    ({"title": "X", "recurrence": "FREQ=DAILY;BYDAY=MO"}, "recurrence", "only go with FREQ=WEEKLY"),
    ({"title": "X", "due_at": "2026-12-01T10:00+00:00", "remind_at": "2026-12-01T11:00+00:00"}, "remind_at",
     "after the due time"),
])
def test_bad_input_is_refused_with_the_field_named(ctx, values, field, words):
    with pytest.raises(ValidationError) as err:
        tasks.create(ctx, **values)
    assert err.value.field == field and words in err.value.message
    assert tasks.count_tasks(ctx, TaskFilter(status=None)) == 0


def test_recurrence_rules_are_normalised():
    assert tasks.check_recurrence("freq=weekly;byday=MO,TH") == "FREQ=WEEKLY;BYDAY=MO,TH"
    assert tasks.check_recurrence("FREQ=DAILY;INTERVAL=3") == "FREQ=DAILY;INTERVAL=3"


def test_overdue_complete_reopen_and_reschedule(ctx, clock, audit_rows):
    late = tasks.create(ctx, title="Send offer", due_at=clock.current - timedelta(hours=2))
    soon = tasks.create(ctx, title="Visit", due_at=clock.current + timedelta(hours=3),
                        remind_at=clock.current + timedelta(hours=2))
    assert [t.title for t in tasks.list_tasks(ctx, TaskFilter(overdue_only=True))] == ["Send offer"]
    assert tasks.get(ctx, late.id).overdue
    done = tasks.complete(ctx, late.id, expected_version=late.version)
    assert (done.status, done.completed_at, done.overdue) == ("done", clock.current, False)
    assert audit_rows("tasks", late.id)[-1][1]["status"] == ["open", "done"]
    moved = tasks.reschedule(ctx, soon.id, clock.current + timedelta(days=1, hours=3), expected_version=soon.version)
    assert moved.remind_at == clock.current + timedelta(days=1, hours=2)  # the reminder kept its hour of notice
    with pytest.raises(ConflictError):
        tasks.reschedule(ctx, soon.id, clock.current, expected_version=soon.version)
    reopened = tasks.reopen(ctx, late.id, expected_version=done.version)
    assert reopened.status == "open" and reopened.completed_at is None


def test_list_sorts_by_due_time_with_undated_last_and_filters(ctx, clock):
    c = clients.create(ctx, name="Zarina")
    tasks.create(ctx, title="No date")
    tasks.create(ctx, title="Later", due_at=clock.current + timedelta(days=2), client_id=c.id)
    tasks.create(ctx, title="Sooner", due_at=clock.current + timedelta(days=1))
    assert [t.title for t in tasks.list_tasks(ctx)] == ["Sooner", "Later", "No date"]
    assert [t.title for t in tasks.list_tasks(ctx, TaskFilter(client_id=c.id))] == ["Later"]
    assert [t.title for t in tasks.list_tasks(ctx, TaskFilter(due_before=clock.current + timedelta(days=1, hours=1)))
            ] == ["Sooner"]
    assert [t.title for t in tasks.list_tasks(ctx, TaskFilter(search="zarina"))] == ["Later"]
    assert [t.title for t in tasks.list_tasks(ctx, limit=1, offset=1)] == ["Later"]


def test_deal_of_another_client_is_refused(ctx):
    a, b = clients.create(ctx, name="A"), clients.create(ctx, name="B")
    d = deals.create(ctx, client_id=a.id, title="A's deal")
    with pytest.raises(ValidationError, match="belongs to another client"):
        tasks.create(ctx, title="Mix-up", client_id=b.id, deal_id=d.id)


def test_tasks_follow_client_visibility(ctx, staff):
    secret = clients.create(staff["dilnoza"], name="Secret", private=True)
    hidden = tasks.create(staff["dilnoza"], title="Secret call", client_id=secret.id)
    own = tasks.create(staff["rashad"], title="Rashad's own")
    assert [t.title for t in tasks.list_tasks(staff["rashad"])] == ["Rashad's own"]
    with pytest.raises(NotFound):
        tasks.get(staff["rashad"], hidden.id)
    assert tasks.get(ctx, own.id).assignee_name == "Rashad"


def test_delete_writes_an_audit_row(ctx, audit_rows):
    t = tasks.create(ctx, title="Temporary")
    tasks.delete(ctx, t.id)
    assert audit_rows("tasks", t.id)[-1][0] == "delete"
    with pytest.raises(NotFound):
        tasks.get(ctx, t.id)
