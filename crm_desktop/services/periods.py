"""The spans of days figures are asked for — this week, month, quarter or year, or any two days — in the
office's zone, and the same span a year before.

A day belongs to the office's calendar, not to UTC: an invoice issued on the 1st is in that month, and a
deal won at 00:30 on the 1st in Tashkent (19:30 the day before in UTC) is too. `instants` gives the UTC
instants a period starts and ends at in the office's zone, so stored times are compared as they are
(indexed) and never converted row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from crm_desktop.services.errors import ValidationError

PERIOD_KINDS = ("week", "month", "quarter", "year", "custom")
LONGEST = 366 * 5  # days a custom period may span: five years of figures are still read at once


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # the last day in it (inclusive)

    @property
    def after(self) -> date:
        """The first day no longer in it."""
        return self.last + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def year_before(self) -> Period:
        """The same days a year earlier (29 February is the 28th then), to compare with."""
        return Period(year_earlier(self.first), year_earlier(self.last))


def year_earlier(day: date) -> date:
    """The same day a year before (29 February: the 28th)."""
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def period_of(kind: str, today: date, first: date | None = None, last: date | None = None) -> Period:
    """The period of `kind` that holds `today` (a week starts on Monday); "custom" is `first`..`last`."""
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=6))
    if kind == "month":
        return month_of(today)
    if kind == "quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return Period(start, _month_after(_month_after(_month_after(start))) - timedelta(days=1))
    if kind == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    if kind == "custom":
        return custom(first, last)
    raise ValidationError(
        "period", "There is no period '{kind}'; use one of {kinds}.", kind=kind, kinds=", ".join(PERIOD_KINDS)
    )


def custom(first: date | None, last: date | None) -> Period:
    if first is None or last is None:
        raise ValidationError("period", "Give both the first and the last day of the period.")
    if last < first:
        raise ValidationError("period", "The period ends before it starts: swap the two days.")
    if (last - first).days >= LONGEST:
        raise ValidationError("period", "A period spans at most five years.")
    return Period(first, last)


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    return Period(start, _month_after(start) - timedelta(days=1))


def _month_after(first_of_month: date) -> date:
    return (first_of_month + timedelta(days=32)).replace(day=1)


def months(last_month: date, count: int) -> list[Period]:
    """`count` months ending with the one holding `last_month`, oldest first."""
    out = [month_of(last_month)]
    while len(out) < count:
        out.insert(0, month_of(out[0].first - timedelta(days=1)))
    return out


def months_from(first_month: date, count: int) -> list[Period]:
    """`count` months starting with the one holding `first_month`."""
    out = [month_of(first_month)]
    while len(out) < count:
        out.append(month_of(out[-1].after))
    return out


def months_of(period: Period) -> list[Period]:
    """The months the period touches, whole (the first and the last may stick out of a custom period)."""
    out = [month_of(period.first)]
    while out[-1].last < period.last:
        out.append(month_of(out[-1].after))
    return out


def instants(period: Period, zone: tzinfo) -> tuple[datetime, datetime]:
    """When the period starts and when it is over, as UTC instants (the start in it, the end not)."""
    return _midnight(period.first, zone), _midnight(period.after, zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def boundaries(periods: Sequence[Period], zone: tzinfo | None = None) -> list[date] | list[datetime]:
    """Where each of consecutive periods starts, and where the last ends (days, or instants in `zone`)."""
    days = [p.first for p in periods] + [periods[-1].after]
    return [_midnight(d, zone) for d in days] if zone is not None else days
