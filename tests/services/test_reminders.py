"""Reminders with a fake clock: due, exactly once, snooze, missed while closed, handled elsewhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.services import clients, reminders, tasks
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.tasks import TaskFilter


@pytest.fixture
def call(ctx, clock):
    """A task due in an hour whose reminder comes in 45 minutes."""
    aziz = clients.create(ctx, name="Aziz Karimov")
    due = clock.current + timedelta(hours=1)
    return tasks.create(
        ctx,
        title="Call Aziz about the offer",
        due_at=due,
        remind_at=due - timedelta(minutes=15),
        client_id=aziz.id,
    )


def titles(found) -> list[str]:
    return [r.title for r in found]


def test_a_reminder_comes_due_once_at_its_time(ctx, clock, call):
    started = clock.current
    assert reminders.next_alert(ctx, started) == call.remind_at
    assert reminders.take_due(ctx, since=started) == []
    clock.current = call.remind_at
    [due] = reminders.take_due(ctx, since=started)
    assert (due.title, due.client_name, due.due_at, due.missed) == (
        "Call Aziz about the offer",
        "Aziz Karimov",
        call.due_at,
        False,
    )
    assert reminders.take_due(ctx, since=clock.current) == []  # the next look finds nothing more
    assert reminders.next_alert(ctx, clock.current) is None


def test_snooze_brings_it_back_later_and_only_then(ctx, clock, call):
    clock.current = call.remind_at
    [due] = reminders.take_due(ctx, since=None)
    later = reminders.snooze_choices(clock.current, ZoneInfo("Asia/Tashkent"))["10min"]
    reminders.snooze(ctx, due.task_id, later)
    looked = clock.current
    assert reminders.next_alert(ctx, looked) == later
    clock.current = later - timedelta(seconds=1)
    assert reminders.take_due(ctx, since=looked) == []
    clock.current = later
    assert titles(reminders.take_due(ctx, since=looked)) == ["Call Aziz about the offer"]
    assert tasks.get(ctx, call.id).remind_at == call.remind_at  # the user's own setting is kept


def test_snoozing_into_the_past_is_refused(ctx, clock, call):
    with pytest.raises(ValidationError, match="still ahead"):
        reminders.snooze(ctx, call.id, clock.current - timedelta(minutes=1))


def test_missed_while_closed_is_shown_at_the_next_start(ctx, clock, call):
    clock.current += timedelta(hours=3)  # the app was closed meanwhile
    started = clock.current
    [missed] = reminders.take_due(ctx, since=None, started=started)
    assert missed.missed
    assert reminders.take_due(ctx, since=started) == []  # the running app's next look: not twice


def test_a_reminder_never_handled_pops_up_again_at_the_next_start(ctx, clock, call):
    started = clock.current
    clock.current = call.remind_at
    assert len(reminders.take_due(ctx, since=started)) == 1  # popped up; the app was closed (or killed)
    clock.current += timedelta(minutes=5)  # the app restarts
    assert titles(reminders.take_due(ctx, since=None, started=clock.current)) == ["Call Aziz about the offer"]
    reminders.dismiss(ctx, call.id)
    clock.current += timedelta(minutes=5)  # handled now: the start after finds nothing
    assert reminders.take_due(ctx, since=None, started=clock.current) == []
    assert reminders.next_alert(ctx, clock.current) is None


def test_a_reminder_set_for_a_moment_just_passed_is_due_at_once(ctx, clock):
    t = tasks.create(
        ctx, title="Ring back", due_at=clock.current, remind_at=clock.current - timedelta(minutes=1)
    )
    assert reminders.next_alert(ctx, clock.current) == clock.current
    assert titles(reminders.take_due(ctx, since=clock.current)) == ["Ring back"]
    assert reminders.next_alert(ctx, clock.current) is None
    assert t.remind_at < clock.current


def test_done_and_dismiss_end_the_reminder(ctx, clock, call):
    other = tasks.create(ctx, title="Send the contract", due_at=call.due_at, remind_at=call.remind_at)
    clock.current = call.remind_at
    shown = reminders.take_due(ctx, since=None)
    assert reminders.still_pending(ctx, [r.task_id for r in shown]) == {call.id, other.id}
    reminders.done(ctx, call.id, expected_version=shown[0].version)
    reminders.dismiss(ctx, other.id)
    assert tasks.get(ctx, call.id).status == "done"
    assert tasks.get(ctx, other.id).status == "open"  # dismissed, not done
    assert reminders.still_pending(ctx, [call.id, other.id]) == set()
    assert reminders.next_alert(ctx, clock.current) is None


def test_moving_a_task_moves_its_reminder_and_rearms_it(ctx, clock, call):
    clock.current = call.remind_at
    reminders.take_due(ctx, since=None)
    moved = tasks.reschedule(ctx, call.id, call.due_at + timedelta(days=1), expected_version=call.version)
    assert reminders.next_alert(ctx, clock.current) == moved.remind_at == call.remind_at + timedelta(days=1)


def test_completing_a_repeating_task_arms_the_next_ones_reminder(ctx, clock):
    due = clock.current + timedelta(hours=2)
    t = tasks.create(
        ctx,
        title="Daily stand-up",
        due_at=due,
        remind_at=due - timedelta(minutes=10),
        recurrence="FREQ=DAILY",
    )
    tasks.complete(ctx, t.id, expected_version=t.version)
    assert reminders.next_alert(ctx, clock.current) == due + timedelta(days=1) - timedelta(minutes=10)


def test_tomorrow_morning_is_nine_in_the_offices_zone():
    zone = ZoneInfo("Asia/Baku")
    now = datetime(2026, 11, 24, 22, 30, tzinfo=zone)
    assert reminders.snooze_choices(now, zone)["tomorrow"] == datetime(2026, 11, 25, 9, 0, tzinfo=zone)


def test_on_a_shared_server_only_the_users_own_reminders_pop_up(ctx, clock, staff):
    dilnoza, rashad = staff["dilnoza"], staff["rashad"]
    when = clock.current + timedelta(minutes=30)
    tasks.create(dilnoza, title="Dilnoza's call", due_at=when, remind_at=when)
    tasks.create(rashad, title="Rashad's visit", due_at=when, remind_at=when)
    clock.current = when
    if ctx.db.is_sqlite:  # single-user mode: everything is for the one user
        assert sorted(titles(reminders.take_due(ctx, since=None))) == ["Dilnoza's call", "Rashad's visit"]
    else:
        assert titles(reminders.take_due(dilnoza, since=None)) == ["Dilnoza's call"]
        # Her other PC, which was running, shows it too: it came due after it last looked.
        assert titles(reminders.take_due(dilnoza, since=when - timedelta(minutes=1))) == ["Dilnoza's call"]
        assert titles(reminders.take_due(rashad, since=None)) == ["Rashad's visit"]
    assert tasks.count_tasks(ctx, TaskFilter(status="open")) == 2


def test_moving_to_another_time_zone_neither_repeats_nor_skips_a_reminder(ctx, clock, call):
    clock.tz = ZoneInfo("Asia/Tashkent")
    started = clock.current
    clock.current = call.remind_at - timedelta(minutes=1)
    assert reminders.take_due(ctx, since=started) == []
    clock.tz = ZoneInfo("Europe/Moscow")  # the laptop flew to Moscow: local times change, moments do not
    looked = clock.current
    clock.current = call.remind_at
    assert titles(reminders.take_due(ctx, since=looked)) == ["Call Aziz about the offer"]
    clock.tz = ZoneInfo("Asia/Baku")
    assert reminders.take_due(ctx, since=call.remind_at) == []


def test_the_system_clock_notices_a_new_time_zone(monkeypatch):
    import tzlocal

    from crm_desktop.services.context import SystemClock

    zones = iter([ZoneInfo("Asia/Tashkent"), ZoneInfo("Asia/Baku")])
    monkeypatch.setattr(tzlocal, "reload_localzone", lambda: next(zones))
    system = SystemClock()
    assert system.zone() == ZoneInfo("Asia/Tashkent")
    assert system.zone() == ZoneInfo("Asia/Tashkent")  # asked again at once: the same answer, no lookup
    system._zone_checked -= SystemClock.ZONE_CHECK_SECONDS + 1  # a minute later
    assert system.zone() == ZoneInfo("Asia/Baku")
