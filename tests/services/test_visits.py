"""Recurring visits: a series' visits are made four weeks ahead at the office's wall time across a summer-
time change and at a month's end, rolling on as the days pass and never twice; a moved or skipped visit
stays as it is; "this and following" changes the series from a visit on; on a server a series follows
its client. Spans services/visits.py and the series days of services/recurrence.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from crm_desktop.services import clients, company, tasks, visits, workload
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.visits import SeriesValues

BERLIN = ZoneInfo("Europe/Berlin")  # summer time from Sunday 29 March 2026


def _local(task) -> tuple[date, time]:
    local = task.due_at.astimezone(BERLIN)
    return local.date(), local.time()


def _visits(ctx, client_id):
    found = tasks.list_tasks(ctx, tasks.TaskFilter(client_id=client_id, status=None), limit=None)
    return sorted(found, key=lambda t: t.due_at)


@pytest.fixture
def bakery(ctx, clock):
    clock.tz = BERLIN
    clock.current = datetime(2026, 3, 16, 8, tzinfo=BERLIN)  # a Monday
    company.update(ctx, expected_version=company.get(ctx).version, name="Clean & Co")
    return clients.create(ctx, name="Bakery Weber")


def test_visits_keep_their_wall_time_across_summer_time_and_are_made_four_weeks_ahead(ctx, clock, bakery):
    visits.create(ctx, bakery.id, SeriesValues("Cleaning", "FREQ=WEEKLY;BYDAY=MO,TH", date(2026, 3, 16),
                                               at_time="07:30", duration_minutes=90))  # fmt: skip
    made = [_local(t) for t in _visits(ctx, bakery.id)]
    assert made[:4] == [
        (date(2026, 3, 16), time(7, 30)),
        (date(2026, 3, 19), time(7, 30)),
        (date(2026, 3, 23), time(7, 30)),
        (date(2026, 3, 26), time(7, 30)),
    ]
    assert (date(2026, 3, 30), time(7, 30)) in made  # after the clocks went forward: still 07:30
    assert max(day for day, _ in made) == date(2026, 4, 13)  # four weeks ahead, no more
    clock.current += timedelta(days=7)
    assert visits.make_ahead(ctx) == 2  # a week later: the next week's two
    assert visits.make_ahead(ctx) == 0  # and never twice


def test_a_monthly_series_on_the_31st_takes_a_short_months_last_day_and_stops_at_its_count(
    ctx, clock, bakery
):
    clock.current = datetime(2026, 1, 5, 8, tzinfo=BERLIN)
    visits.create(ctx, bakery.id, SeriesValues("Deep clean", "FREQ=MONTHLY;BYMONTHDAY=31", date(2026, 1, 5),
                                               count=3))  # fmt: skip
    clock.current = datetime(2026, 6, 1, 8, tzinfo=BERLIN)
    visits.make_ahead(ctx)
    assert [_local(t)[0] for t in _visits(ctx, bakery.id)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


def test_a_moved_or_skipped_visit_stays_as_it_is_and_is_not_made_again(ctx, clock, bakery):
    visits.create(ctx, bakery.id, SeriesValues("Cleaning", "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 16)))
    first, second, *_ = _visits(ctx, bakery.id)
    tasks.reschedule(ctx, first.id, first.due_at + timedelta(days=1), expected_version=first.version)
    visits.skip(ctx, second.id, expected_version=second.version)
    clock.current += timedelta(days=1)
    visits.make_ahead(ctx)
    found = _visits(ctx, bakery.id)
    assert [(_local(t)[0], t.status) for t in found[:2]] == [
        (date(2026, 3, 17), "open"),
        (date(2026, 3, 23), "cancelled"),
    ]
    assert len({t.due_at for t in found}) == len(found)
    with pytest.raises(ValidationError, match="done or skipped already"):
        visits.skip(ctx, second.id, expected_version=tasks.get(ctx, second.id).version)


def test_this_and_following_changes_the_series_from_a_visit_on(ctx, bakery):
    series = visits.create(
        ctx, bakery.id, SeriesValues("Cleaning", "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 16))
    )
    moved = _visits(ctx, bakery.id)[3]  # 6 April, moved to noon by hand
    noon = moved.due_at + timedelta(hours=3)
    tasks.update(ctx, moved.id, expected_version=moved.version, due_at=noon)
    afternoon = replace(series.values, at_time="14:00")
    changed = visits.change_from(
        ctx, series.id, date(2026, 3, 30), afternoon, expected_version=series.version
    )
    assert changed.id != series.id and changed.values.starts_on == date(2026, 3, 30)
    assert [_local(t) for t in _visits(ctx, bakery.id)] == [
        (date(2026, 3, 16), time(9)),
        (date(2026, 3, 23), time(9)),  # before: as they were
        (date(2026, 3, 30), time(14)),
        (date(2026, 4, 6), time(12)),  # the one moved by hand stays where it was put
        (date(2026, 4, 13), time(14)),
    ]
    assert visits.for_client(ctx, bakery.id)[0].values.ends_on == date(2026, 3, 29)


def test_visits_count_on_the_workload_of_their_assignee(ctx, bakery):
    me = ctx.actor.user_id
    daily = SeriesValues("Cleaning", "FREQ=DAILY", date(2026, 3, 16), duration_minutes=120, assignee_id=me)
    visits.create(ctx, bakery.id, daily)
    row = next(r for r in workload.load(ctx, date(2026, 3, 16), days=5).people if r.user_id == me)
    assert [c.planned for c in row.cells] == [2, 2, 2, 2, 2]


def test_on_a_server_a_staff_login_sees_no_series_of_a_client_it_may_not_see(office):
    owner, dilnoza = office["owner"], office["dilnoza"]
    private = office["clients"]["rashad_private"][0]
    visits.create(owner, private.id, SeriesValues("Cleaning", "FREQ=WEEKLY", date(2026, 3, 16)))
    with dilnoza.db.engine.connect() as conn:  # her own login, as psql would
        assert conn.execute(text("SELECT count(*) FROM visit_series")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM tasks WHERE series_id IS NOT NULL")).scalar() == 0
    assert visits.make_ahead(dilnoza) == 0
    with pytest.raises(Exception, match="does not exist|not|may not"):
        visits.for_client(dilnoza, private.id)
