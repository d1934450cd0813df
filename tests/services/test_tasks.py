"""Tasks with due times, reminders and links to clients and deals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.services import clients, deals, tasks
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError
from crm_desktop.services.tasks import TaskFilter

TASHKENT = timezone(timedelta(hours=5))


def test_task_stored_in_utc_shown_with_its_links(ctx, audit_rows):
    c = clients.create(ctx, name="Aziz Karimov")
    d = deals.create(ctx, client_id=c.id, title="Kitchen repair")
    t = tasks.create(
        ctx,
        title="Call back",
        due_at=datetime(2026, 11, 25, 15, 0, tzinfo=TASHKENT),
        remind_at="2026-11-25T14:45:00+05:00",
        deal_id=d.id,
        priority="high",
    )
    assert t.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert t.remind_at == datetime(2026, 11, 25, 9, 45, tzinfo=UTC)
    assert (t.client_name, t.deal_title, t.assignee_name, t.status, t.overdue) == (
        "Aziz Karimov",
        "Kitchen repair",
        "Owner",
        "open",
        False,
    )
    assert audit_rows("tasks", t.id)[0][0] == "create"


@pytest.mark.parametrize(
    "values, field, words",
    [
        ({"title": ""}, "title", "cannot be empty"),
        ({"title": "X", "due_at": "tomorrow-ish"}, "due_at", "is not a date and time"),
        ({"title": "X", "due_at": "2026-12-01"}, "due_at", "needs a time"),
        ({"title": "X", "duration_minutes": -15}, "duration_minutes", "must be between 0 and"),
        ({"title": "X", "priority": "urgent!"}, "priority", "must be one of"),
        ({"title": "X", "recurrence": "every monday"}, "recurrence", "not a repeat rule"),
        ({"title": "X", "recurrence": "FREQ=DAILY;BYDAY=MO"}, "recurrence", "only go with FREQ=WEEKLY"),
        ({"title": "X", "duration_minutes": 10081}, "duration_minutes", "between 0 and 10080"),
        (
            {"title": "X", "recurrence": "FREQ=YEARLY"},
            "recurrence",
            "FREQ=DAILY, FREQ=WEEKLY or FREQ=MONTHLY",
        ),
        ({"title": "X", "recurrence": "FREQ=DAILY;INTERVAL=0"}, "recurrence", "from 1 to 365 (got 0)"),
        ({"title": "X", "recurrence": "FREQ=DAILY;INTERVAL=400"}, "recurrence", "from 1 to 365 (got 400)"),
        ({"title": "X", "recurrence": "FREQ=WEEKLY;BYDAY=MO,XX"}, "recurrence", "Weekdays are written MO,TU"),
        (
            {"title": "X", "recurrence": "FREQ=DAILY;FREQ=WEEKLY"},
            "recurrence",
            "Example: FREQ=WEEKLY;BYDAY=MO,TH",
        ),
        ({"title": "X", "assignee_id": 999}, "assignee_id", "Choose another assignee"),
        (
            {"title": "X", "due_at": "2026-12-01T10:00+00:00", "remind_at": "2026-12-01T11:00+00:00"},
            "remind_at",
            "after the due time",
        ),
    ],
)
def test_bad_input_is_refused_with_the_field_named(ctx, values, field, words):
    with pytest.raises(ValidationError) as err:
        tasks.create(ctx, **values)
    assert err.value.field == field and words in err.value.message
    assert tasks.count_tasks(ctx, TaskFilter(status=None)) == 0


def test_recurrence_rules_are_normalised_and_monthly_ones_keep_their_day(ctx):
    t = tasks.create(
        ctx, title="Report", due_at="2026-11-27T09:00+00:00", recurrence="freq=weekly;byday=MO,TH"
    )
    assert t.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH"
    t = tasks.create(ctx, title="Rent", due_at="2026-11-30T09:00+00:00", recurrence="FREQ=MONTHLY")
    assert t.recurrence == "FREQ=MONTHLY;BYMONTHDAY=30"
    assert tasks.create(ctx, title="Once", due_at="2026-11-30T09:00+00:00", recurrence="  ").recurrence == ""
    with pytest.raises(ValidationError, match="needs a due time"):
        tasks.create(ctx, title="Whenever", recurrence="FREQ=DAILY")


def test_completing_a_repeating_task_creates_the_next_one_with_its_reminder(ctx, clock):
    tashkent = ZoneInfo("Asia/Tashkent")
    clock.tz = tashkent
    due = datetime(2026, 11, 27, 9, 0, tzinfo=tashkent)  # a Friday, after "now" (24 Nov)
    t = tasks.create(
        ctx,
        title="Weekly report",
        due_at=due,
        remind_at=due - timedelta(minutes=15),
        recurrence="FREQ=WEEKLY;BYDAY=FR",
        duration_minutes=45,
        priority="high",
    )
    done = tasks.complete(ctx, t.id, expected_version=t.version)
    assert (done.status, done.recurrence) == ("done", "")  # the rule went on to the next one
    [nxt] = tasks.list_tasks(ctx, TaskFilter(status="open"))
    assert nxt.due_at == datetime(2026, 12, 4, 9, 0, tzinfo=tashkent)
    assert nxt.remind_at == nxt.due_at - timedelta(minutes=15)
    assert (nxt.title, nxt.recurrence, nxt.duration_minutes, nxt.priority) == (
        "Weekly report",
        "FREQ=WEEKLY;BYDAY=FR",
        45,
        "high",
    )
    with pytest.raises(ValidationError):  # a second click on the same task makes no second copy
        tasks.complete(ctx, t.id, expected_version=done.version)
    assert tasks.count_tasks(ctx, TaskFilter(status=None)) == 2


def test_overdue_complete_reopen_and_reschedule(ctx, clock, audit_rows):
    late = tasks.create(ctx, title="Send offer", due_at=clock.current - timedelta(hours=2))
    soon = tasks.create(
        ctx,
        title="Visit",
        due_at=clock.current + timedelta(hours=3),
        remind_at=clock.current + timedelta(hours=2),
    )
    assert [t.title for t in tasks.list_tasks(ctx, TaskFilter(overdue_only=True))] == ["Send offer"]
    assert tasks.get(ctx, late.id).overdue
    done = tasks.complete(ctx, late.id, expected_version=late.version)
    assert (done.status, done.completed_at, done.overdue) == ("done", clock.current, False)
    assert audit_rows("tasks", late.id)[-1][1]["status"] == ["open", "done"]
    moved = tasks.reschedule(
        ctx, soon.id, clock.current + timedelta(days=1, hours=3), expected_version=soon.version
    )
    assert moved.remind_at == clock.current + timedelta(
        days=1, hours=2
    )  # the reminder kept its hour of notice
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
    assert [
        t.title
        for t in tasks.list_tasks(ctx, TaskFilter(due_before=clock.current + timedelta(days=1, hours=1)))
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


def test_update_audits_old_and_new_values(ctx, audit_rows):
    t = tasks.create(ctx, title="Call", priority="low", due_at="2026-11-26T09:00+00:00")
    t2 = tasks.update(
        ctx,
        t.id,
        expected_version=t.version,
        title="Call Aziz",
        priority="high",
        description="About the tiles",
        due_at=datetime(2026, 11, 26, 14, 0, tzinfo=TASHKENT),
    )
    assert tasks.get(ctx, t.id) == t2
    assert (t2.title, t2.priority, t2.due_at, t2.version) == (
        "Call Aziz",
        "high",
        datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        2,
    )
    action, changes = audit_rows("tasks", t.id)[-1]
    assert action == "update"
    assert changes["title"] == ["Call", "Call Aziz"] and changes["priority"] == ["low", "high"]
    assert changes["description"] == ["", "About the tiles"]
    assert "due_at" not in changes  # the same moment written in Tashkent time is no change
    with pytest.raises(ValidationError, match="Tasks have no field 'colour'"):
        tasks.update(ctx, t.id, expected_version=t2.version, colour="red")


def test_a_second_pc_editing_the_same_task_gets_a_conflict(ctx):
    t = tasks.create(ctx, title="Order tiles")
    other_pc = ServiceContext(ctx.db, actor=ctx.actor, clock=ctx.clock)
    tasks.update(other_pc, t.id, expected_version=t.version, priority="high")
    with pytest.raises(ConflictError, match="changed by someone else"):
        tasks.complete(ctx, t.id, expected_version=t.version)
    assert (tasks.get(ctx, t.id).status, tasks.get(ctx, t.id).priority) == ("open", "high")


def test_a_save_that_loses_the_race_is_a_conflict_and_leaves_no_trace(
    ctx, audit_rows, another_pc_saves_first
):
    t = tasks.create(ctx, title="Order tiles")
    with pytest.raises(ConflictError), another_pc_saves_first(ctx, "tasks", t.id):
        tasks.update(ctx, t.id, expected_version=t.version, title="Order blue tiles")
    assert tasks.get(ctx, t.id).title == "Order tiles"
    assert [a for a, _ in audit_rows("tasks", t.id)] == ["create"]


def test_status_changes_say_when_there_is_nothing_to_do(ctx):
    t = tasks.create(ctx, title="Pay rent")
    with pytest.raises(ValidationError, match="open already"):
        tasks.reopen(ctx, t.id, expected_version=t.version)
    done = tasks.complete(ctx, t.id, expected_version=t.version)
    with pytest.raises(ValidationError, match="already done"):
        tasks.complete(ctx, t.id, expected_version=done.version)
    cancelled = tasks.cancel(ctx, t.id, expected_version=done.version)
    assert [x.title for x in tasks.list_tasks(ctx, TaskFilter(status="cancelled"))] == ["Pay rent"]
    assert tasks.reopen(ctx, t.id, expected_version=cancelled.version).status == "open"
    with pytest.raises(ValidationError, match="must be one of"):
        tasks.list_tasks(ctx, TaskFilter(status="finished"))


def test_reschedule_without_a_reminder_and_to_nowhere(ctx, clock):
    t = tasks.create(ctx, title="Visit", due_at=clock.current)
    moved = tasks.reschedule(ctx, t.id, "2026-11-30T08:00+00:00", expected_version=t.version)
    assert (moved.due_at, moved.remind_at) == (datetime(2026, 11, 30, 8, 0, tzinfo=UTC), None)
    with pytest.raises(ValidationError, match="Choose the new due time"):
        tasks.reschedule(ctx, t.id, None, expected_version=moved.version)


def test_sorting_by_priority_means_urgency_and_other_filters(ctx, clock):
    c = clients.create(ctx, name="Dilshod")
    d = deals.create(ctx, client_id=c.id, title="Roof")
    tasks.create(ctx, title="b normal", due_at=clock.current + timedelta(days=3))
    tasks.create(ctx, title="a low", priority="low", due_at=clock.current + timedelta(days=1))
    tasks.create(ctx, title="c high", priority="high", deal_id=d.id)
    done = tasks.create(ctx, title="d done", priority="high")
    tasks.complete(ctx, done.id, expected_version=done.version)
    titles = lambda rows: [t.title for t in rows]  # noqa: E731
    assert titles(tasks.list_tasks(ctx, sort="priority", descending=True)) == ["c high", "b normal", "a low"]
    assert titles(tasks.list_tasks(ctx, sort="priority")) == ["a low", "b normal", "c high"]
    assert titles(tasks.list_tasks(ctx, sort="title", descending=True, limit=2)) == ["c high", "b normal"]
    assert titles(tasks.list_tasks(ctx, TaskFilter(status=None), sort="title")) == [
        "a low",
        "b normal",
        "c high",
        "d done",
    ]
    assert titles(tasks.list_tasks(ctx, TaskFilter(status="done"))) == ["d done"]
    assert titles(tasks.list_tasks(ctx, TaskFilter(deal_id=d.id))) == ["c high"]
    assert titles(tasks.list_tasks(ctx, TaskFilter(due_after=clock.current + timedelta(days=2)))) == [
        "b normal"
    ]
    assert tasks.count_tasks(ctx, TaskFilter(assignee_id=1)) == 3
    assert tasks.get(ctx, done.id).client_id is None
    linked = tasks.list_tasks(ctx, TaskFilter(deal_id=d.id))[0]
    assert (linked.client_name, linked.deal_title) == ("Dilshod", "Roof")  # the deal brought its client
    with pytest.raises(ValidationError, match="Cannot sort tasks by 'colour'"):
        tasks.list_tasks(ctx, sort="colour")


def test_managers_see_their_teams_tasks_and_nobody_reaches_hidden_deals(ctx, staff):
    dilnoza, rashad, manager = staff["dilnoza"], staff["rashad"], staff["manager"]
    tasks.create(dilnoza, title="Dilnoza's errand")
    tasks.create(rashad, title="Rashad's errand")
    assert [t.title for t in tasks.list_tasks(manager)] == ["Dilnoza's errand"]  # her team, not Rashad
    assert [t.title for t in tasks.list_tasks(rashad)] == ["Rashad's errand"]
    assert tasks.count_tasks(ctx) == 2  # the admin sees everything
    secret = clients.create(dilnoza, name="Secret", private=True)
    d = deals.create(dilnoza, client_id=secret.id, title="Hidden deal")
    with pytest.raises(ValidationError, match="does not exist"):
        tasks.create(rashad, title="Peek", deal_id=d.id)
    with pytest.raises(NotFound):
        tasks.create(rashad, title="Peek", client_id=secret.id)
    hidden = tasks.create(dilnoza, title="Hidden call", deal_id=d.id)
    with pytest.raises(NotFound):
        tasks.complete(rashad, hidden.id, expected_version=hidden.version)
    with pytest.raises(NotFound):
        tasks.delete(rashad, hidden.id)
