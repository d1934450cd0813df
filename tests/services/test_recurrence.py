"""Repeating tasks: the next occurrence in local wall time, across month ends and summer-time changes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.services import recurrence
from crm_desktop.services.errors import ValidationError

TASHKENT = ZoneInfo("Asia/Tashkent")
BERLIN = ZoneInfo("Europe/Berlin")


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def following(rule: str, first: datetime, zone, count: int) -> list[str]:
    out, due = [], first
    for _ in range(count):
        due = recurrence.next_after(rule, due, zone)
        out.append(due.astimezone(zone).strftime("%a %Y-%m-%d %H:%M"))
    return out


def test_daily_and_every_n_days():
    start = local(TASHKENT, 2026, 11, 24, 9, 0)
    assert following("FREQ=DAILY", start, TASHKENT, 2) == ["Wed 2026-11-25 09:00", "Thu 2026-11-26 09:00"]
    assert following("FREQ=DAILY;INTERVAL=3", start, TASHKENT, 2) == [
        "Fri 2026-11-27 09:00",
        "Mon 2026-11-30 09:00",
    ]


def test_weekly_on_chosen_weekdays_and_every_other_week():
    monday = local(TASHKENT, 2026, 11, 23, 10, 30)
    assert following("FREQ=WEEKLY;BYDAY=MO,TH", monday, TASHKENT, 3) == [
        "Thu 2026-11-26 10:30",
        "Mon 2026-11-30 10:30",
        "Thu 2026-12-03 10:30",
    ]
    assert following("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", monday, TASHKENT, 3) == [
        "Fri 2026-11-27 10:30",
        "Mon 2026-12-07 10:30",
        "Fri 2026-12-11 10:30",
    ]
    assert following("FREQ=WEEKLY", monday, TASHKENT, 1) == ["Mon 2026-11-30 10:30"]


def test_monthly_keeps_its_day_through_short_months():
    jan31 = local(TASHKENT, 2027, 1, 31, 17, 0)
    rule = recurrence.anchored("FREQ=MONTHLY", jan31, TASHKENT)
    assert rule == "FREQ=MONTHLY;BYMONTHDAY=31"
    assert following(rule, jan31, TASHKENT, 4) == [
        "Sun 2027-02-28 17:00",
        "Wed 2027-03-31 17:00",
        "Fri 2027-04-30 17:00",
        "Mon 2027-05-31 17:00",
    ]
    leap = local(TASHKENT, 2028, 1, 30, 9, 0)
    assert following(recurrence.anchored("FREQ=MONTHLY", leap, TASHKENT), leap, TASHKENT, 1) == [
        "Tue 2028-02-29 09:00"
    ]


def test_summer_time_changes_keep_the_wall_time():
    before_spring = local(BERLIN, 2027, 3, 27, 9, 0)  # clocks go forward on Sunday 28 March
    due = recurrence.next_after("FREQ=DAILY", before_spring, BERLIN)
    assert due.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2027-03-28 09:00"
    assert (due - before_spring).total_seconds() == 23 * 3600  # a 23-hour day
    before_autumn = local(BERLIN, 2027, 10, 30, 9, 0)  # and back on Sunday 31 October
    due = recurrence.next_after("FREQ=DAILY", before_autumn, BERLIN)
    assert due.astimezone(BERLIN).strftime("%H:%M") == "09:00"
    assert (due - before_autumn).total_seconds() == 25 * 3600


def test_a_wall_time_skipped_by_the_spring_change_becomes_the_time_after_the_gap():
    night = local(BERLIN, 2027, 3, 27, 2, 30)
    # The next one counts from there: a task set in the night's missing hour stays an hour later.
    assert following("FREQ=DAILY", night, BERLIN, 2) == ["Sun 2027-03-28 03:30", "Mon 2027-03-29 03:30"]


def test_a_task_finished_late_comes_back_next_in_the_future_not_as_a_backlog():
    due = local(TASHKENT, 2026, 11, 2, 9, 0)
    now = local(TASHKENT, 2026, 11, 24, 12, 0)
    nxt = recurrence.next_after("FREQ=WEEKLY;BYDAY=MO", due, TASHKENT, not_before=now)
    assert nxt.astimezone(TASHKENT).strftime("%a %Y-%m-%d %H:%M") == "Mon 2026-11-30 09:00"


@pytest.mark.parametrize(
    "rule, says",
    [
        ("FREQ=HOURLY", "FREQ=DAILY"),
        ("FREQ=DAILY;BYDAY=MO", "only go with FREQ=WEEKLY"),
        ("FREQ=WEEKLY;BYDAY=XX", "Weekdays are written"),
        ("FREQ=DAILY;INTERVAL=0", "from 1 to 365"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "from 1 to 31"),
        ("every monday", "Example: FREQ=WEEKLY;BYDAY=MO,TH"),
    ],
)
def test_bad_rules_are_refused_with_what_to_write(rule, says):
    with pytest.raises(ValidationError, match=says):
        recurrence.parse(rule)
