"""Which days a calendar mode shows around a date, in local time (no Qt: plain date arithmetic)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

MODES = ("month", "week", "day", "agenda")
AGENDA_DAYS = 30
SNAP_MINUTES = 15


def days_of(mode: str, anchor: date, first_weekday: int = 0) -> list[date]:
    """`first_weekday`: the day weeks start on, Monday 0 … Sunday 6 (the locale's: Monday in Russia,
    Uzbekistan and Azerbaijan, Saturday in Egypt, Sunday in the US)."""
    if mode == "day":
        return [anchor]
    if mode == "week":
        start = anchor - timedelta(days=(anchor.weekday() - first_weekday) % 7)
        return [start + timedelta(days=i) for i in range(7)]
    if mode == "month":
        first = anchor.replace(day=1)
        start = first - timedelta(days=(first.weekday() - first_weekday) % 7)
        return [start + timedelta(days=i) for i in range(42)]  # six full weeks always fit a month
    return [anchor + timedelta(days=i) for i in range(AGENDA_DAYS)]


def step(mode: str, anchor: date, direction: int) -> date:
    """The anchor one period earlier (-1) or later (+1)."""
    if mode == "day":
        return anchor + timedelta(days=direction)
    if mode == "week":
        return anchor + timedelta(weeks=direction)
    if mode == "month":
        month = anchor.year * 12 + anchor.month - 1 + direction
        return date(month // 12, month % 12 + 1, 1)
    return anchor + timedelta(days=AGENDA_DAYS * direction)


def local_start(day: date) -> datetime:
    """Local midnight of `day` as an aware datetime (the filter bound sent to the service)."""
    return datetime.combine(day, time()).astimezone()


def snap(when: datetime, minutes: int = SNAP_MINUTES) -> datetime:
    """Round down to the grid a dropped or double-clicked time lands on."""
    return when.replace(minute=when.minute - when.minute % minutes, second=0, microsecond=0)
