"""When a repeating task comes next.

Rules are the RFC 5545 subset tasks store (see `parse`): FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL=n,
BYDAY for weekly rules and BYMONTHDAY for monthly ones. Occurrences are counted in the office's
local wall time, not in UTC: a call every Monday at 09:00 stays at 09:00 when the clocks change
for summer time. A wall time that does not exist on some day (skipped by the spring change) is
read as the time after the gap (02:30 becomes 03:30), and the task keeps that time from then on:
each occurrence counts from the one before, which is what the user sees and may have moved.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from crm_desktop.services.errors import ValidationError

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
_PART = re.compile(r"^(FREQ|INTERVAL|BYDAY|BYMONTHDAY)=([A-Z0-9,]+)$")
EXAMPLE = "FREQ=WEEKLY;BYDAY=MO,TH"


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # 0 = Monday, sorted
    month_day: int | None = None  # 1..31; a shorter month takes its last day

    def text(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.weekdays:
            parts.append("BYDAY=" + ",".join(WEEKDAYS[d] for d in self.weekdays))
        if self.month_day is not None:
            parts.append(f"BYMONTHDAY={self.month_day}")
        return ";".join(parts)


def parse(rule: str) -> Rule | None:
    """The rule, or None for an empty one; anything else is refused with what to write instead."""
    rule = (rule or "").strip().upper()
    if not rule:
        return None
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        m = _PART.match(part)
        if not m or m.group(1) in parts:
            raise ValidationError(
                "recurrence", "'{rule}' is not a repeat rule. Example: {example}", rule=rule, example=EXAMPLE
            )
        parts[m.group(1)] = m.group(2)
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise ValidationError("recurrence", "A repeat rule needs FREQ=DAILY, FREQ=WEEKLY or FREQ=MONTHLY.")
    interval = parts.get("INTERVAL", "1")
    if not (interval.isdigit() and 1 <= int(interval) <= 365):
        raise ValidationError(
            "recurrence",
            "INTERVAL is how many days, weeks or months apart: a whole number "
            "from 1 to 365 (got {interval}).",
            interval=interval,
        )
    weekdays: tuple[int, ...] = ()
    if "BYDAY" in parts:
        if freq != "WEEKLY":
            raise ValidationError("recurrence", "Weekdays (BYDAY) only go with FREQ=WEEKLY.")
        days = parts["BYDAY"].split(",")
        if any(d not in WEEKDAYS for d in days) or len(set(days)) != len(days):
            raise ValidationError(
                "recurrence",
                "Weekdays are written {weekdays} (got {typed}).",
                weekdays=",".join(WEEKDAYS),
                typed=parts["BYDAY"],
            )
        weekdays = tuple(sorted(WEEKDAYS.index(d) for d in days))
    month_day = None
    if "BYMONTHDAY" in parts:
        value = parts["BYMONTHDAY"]
        if freq != "MONTHLY":
            raise ValidationError(
                "recurrence", "A day of the month (BYMONTHDAY) only goes with FREQ=MONTHLY."
            )
        if not (value.isdigit() and 1 <= int(value) <= 31):
            raise ValidationError(
                "recurrence", "BYMONTHDAY is a day from 1 to 31 (got {value}).", value=value
            )
        month_day = int(value)
    return Rule(freq, int(interval), weekdays, month_day)


def anchored(rule: str, first_due: datetime | None, zone: tzinfo) -> str:
    """The rule as stored: a monthly rule remembers the day of the month it started on, so a task
    on the 31st comes back on the 31st after a short month (on its last day)."""
    parsed = parse(rule)
    if parsed is None:
        return ""
    if parsed.freq == "MONTHLY" and parsed.month_day is None and first_due is not None:
        parsed = Rule(parsed.freq, parsed.interval, (), first_due.astimezone(zone).day)
    return parsed.text()


def next_after(rule: str, due: datetime, zone: tzinfo, *, not_before: datetime | None = None) -> datetime:
    """The first occurrence after `due` (and after `not_before`, e.g. now: a task finished late does
    not come back as a row of overdue copies). Returns an aware UTC datetime."""
    parsed = parse(rule)
    if parsed is None:
        raise ValueError("a task without a repeat rule has no next occurrence")
    local = due.astimezone(zone)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    while True:
        day = _next_day(parsed, day, local.date())
        moment = at(day, clock, zone)
        if moment > due and (not_before is None or moment > not_before):
            return moment


def first_day(rule: Rule, start: date) -> date:
    """The first day of a series that starts on `start`: that day, or the first one after it the rule
    chooses (the next chosen weekday, the month's chosen day)."""
    if rule.freq == "WEEKLY" and rule.weekdays:
        return next(start + timedelta(days=n) for n in range(7) if (start.weekday() + n) % 7 in rule.weekdays)
    if rule.freq == "MONTHLY" and rule.month_day is not None:
        this_month = date(
            start.year, start.month, min(rule.month_day, calendar.monthrange(start.year, start.month)[1])
        )
        return (
            this_month
            if this_month >= start
            else _next_day(Rule("MONTHLY", 1, (), rule.month_day), this_month, start)
        )
    return start


def days_of(
    rule_text: str, start: date, last: date, *, count: int | None = None, until: date | None = None
) -> list[date]:
    """The days of a series from `start` to `last`: its first `count` occurrences at most, none after
    `until` — counted from its start, so a series of ten visits stays ten however far ahead it is made."""
    rule = parse(rule_text)
    if rule is None:
        return []
    if rule.freq == "MONTHLY" and rule.month_day is None:
        rule = Rule(rule.freq, rule.interval, (), start.day)
    end = min(last, until) if until is not None else last
    out: list[date] = []
    day = first_day(rule, start)
    while day <= end and (count is None or len(out) < count):
        out.append(day)
        day = _next_day(rule, day, start)
    return out


def _next_day(rule: Rule, day: date, start: date) -> date:
    if rule.freq == "DAILY":
        return day + timedelta(days=rule.interval)
    if rule.freq == "WEEKLY":
        if not rule.weekdays:
            return day + timedelta(weeks=rule.interval)
        later = [d for d in rule.weekdays if d > day.weekday()]
        if later:
            return day + timedelta(days=later[0] - day.weekday())
        # Past the week's last chosen day: the first chosen day `interval` weeks on.
        monday = day - timedelta(days=day.weekday())
        return monday + timedelta(weeks=rule.interval, days=rule.weekdays[0])
    month_index = day.year * 12 + day.month - 1 + rule.interval
    year, month = divmod(month_index, 12)
    month += 1
    wanted = rule.month_day or start.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def at(day: date, clock: time, zone: tzinfo) -> datetime:
    """The wall time `clock` on `day` in `zone`, as UTC. PEP 495's fold=0 reads a time skipped by the
    spring change with the offset before it (so 02:30 becomes 03:30) and a time the autumn change
    repeats as its first occurrence."""
    return datetime.combine(day, clock).replace(tzinfo=zone).astimezone(UTC)
