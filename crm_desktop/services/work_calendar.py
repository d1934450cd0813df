"""The office calendar: which days are worked (weekdays and the public holidays of the office's country)
and the working hours, in the office's zone; and time counted in it — "3 working days" from a Friday
afternoon before a holiday ends when the office has worked three days.

A span of working days ends at the close of the last of them; a span of working hours is counted through
each working day's hours, and resumes at the next day's opening. Times are aware; the clock of a working
day is the office's zone, so a day of summer time is as long as any other working day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import select

from crm_desktop.db.models import Holiday
from crm_desktop.i18n import N_
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext, check_version, company_profile
from crm_desktop.services.errors import PermissionDenied, ValidationError

WEEKDAYS = 7
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_FAR = 3660  # days looked through for the next working day before the calendar is called broken


# The countries whose public holidays an office may keep (those of our users first).
COUNTRIES = ("UZ", "AZ", "RU", "KZ", "KG", "TJ", "TM", "TR", "AE", "SA", "EG", "GB", "US")


@dataclass(frozen=True)
class HolidayRow:
    id: int
    country: str
    day: date
    name: str
    version: int


@dataclass(frozen=True)
class OfficeCalendar:
    work_days: str  # Monday first, "1" for a working day: "1111100"
    starts: time
    ends: time
    holidays: frozenset[date]
    zone: tzinfo
    country: str = ""

    def is_working_day(self, day: date) -> bool:
        return self.work_days[day.weekday()] == "1" and day not in self.holidays

    @property
    def hours_a_day(self) -> Decimal:
        minutes = (self.ends.hour * 60 + self.ends.minute) - (self.starts.hour * 60 + self.starts.minute)
        return Decimal(minutes) / 60

    def opening(self, day: date) -> datetime:
        return datetime.combine(day, self.starts, self.zone)

    def closing(self, day: date) -> datetime:
        return datetime.combine(day, self.ends, self.zone)

    def next_working_day(self, day: date) -> date:
        """`day` if it is worked, else the first worked day after it."""
        for _ in range(_FAR):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValidationError("work_days", "The office calendar has no working day. Mark at least one.")

    def after_working_days(self, start: datetime, days: int) -> datetime:
        """The close of the `days`-th working day counted from `start`: the day of `start` counts when it
        is worked and `start` is before its close (0 days: the close of the working day `start` is in)."""
        local = start.astimezone(self.zone)
        day = self.next_working_day(local.date())
        if day == local.date() and local >= self.closing(day):
            day = self.next_working_day(day + timedelta(days=1))
        for _ in range(max(days - 1, 0)):
            day = self.next_working_day(day + timedelta(days=1))
        return self.closing(day)

    def after_working_hours(self, start: datetime, hours: Decimal | int) -> datetime:
        """The moment `hours` of working time after `start` (a start outside the hours waits for them)."""
        left = timedelta(hours=float(hours))
        moment = self._working_moment(start.astimezone(self.zone))
        while True:
            until_close = self.closing(moment.date()) - moment
            if left <= until_close:
                return moment + left
            left -= until_close
            moment = self.opening(self.next_working_day(moment.date() + timedelta(days=1)))

    def _working_moment(self, local: datetime) -> datetime:
        """`local` if it is within working hours, else the next opening."""
        day = local.date()
        if self.is_working_day(day):
            if local < self.opening(day):
                return self.opening(day)
            if local < self.closing(day):
                return local
        return self.opening(self.next_working_day(day + timedelta(days=1)))

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days from `first` to `last`, both counted (0 when `last` is before) — counted by
        whole weeks, not day by day (the workload asks it of every stage under way)."""
        total = (last - first).days + 1
        if total <= 0:
            return 0
        weeks, rest = divmod(total, 7)
        start = first.weekday()
        count = weeks * self.work_days.count("1")
        count += sum(1 for k in range(rest) if self.work_days[(start + k) % 7] == "1")
        return count - sum(
            1 for h in self.holidays if first <= h <= last and self.work_days[h.weekday()] == "1"
        )


def _clock(value: str, field: str) -> time:
    if not (m := _CLOCK.fullmatch(value.strip())):
        raise ValidationError(field, "Write the working hours as hours:minutes, such as 09:00.")
    return time(int(m[1]), int(m[2]))


def of(ctx: ServiceContext) -> OfficeCalendar:
    """The office's calendar as stored (its holidays: those of its country)."""
    with ctx.read() as s:
        p = company_profile(s)
        days = frozenset(s.scalars(select(Holiday.day).where(Holiday.country == p.holiday_country)))
        return OfficeCalendar(
            p.work_days,
            _clock(p.work_starts, "work_starts"),
            _clock(p.work_ends, "work_ends"),
            days,
            ctx.zone(),
            p.holiday_country,
        )


def update(
    ctx: ServiceContext,
    *,
    expected_version: int,
    work_days: str | None = None,
    starts: str | None = None,
    ends: str | None = None,
    country: str | None = None,
) -> OfficeCalendar:
    """The working week, hours or holiday country changed (administrators)."""
    _require_admin(ctx)
    with ctx.write() as s:
        p = company_profile(s)
        check_version(p, expected_version, N_("company details"))
        if work_days is not None:
            if len(work_days) != WEEKDAYS or set(work_days) - {"0", "1"} or "1" not in work_days:
                raise ValidationError(
                    "work_days", "The office calendar has no working day. Mark at least one."
                )
            p.work_days = work_days
        begin = _clock(p.work_starts if starts is None else starts, "work_starts")
        end = _clock(p.work_ends if ends is None else ends, "work_ends")
        if end <= begin:
            raise ValidationError("work_ends", "Working hours must end after they start.")
        p.work_starts, p.work_ends = begin.strftime("%H:%M"), end.strftime("%H:%M")
        if country is not None:
            p.holiday_country = v.choice("holiday_country", country.upper(), (*COUNTRIES, ""), N_("Country"))
    return of(ctx)


def holidays(ctx: ServiceContext, country: str) -> list[HolidayRow]:
    """The country's days off, in date order."""
    with ctx.read() as s:
        found = s.scalars(select(Holiday).where(Holiday.country == country.upper()).order_by(Holiday.day))
        return [HolidayRow(h.id, h.country, h.day, h.name, h.version) for h in found]


def add_holiday(ctx: ServiceContext, country: str, day: date, name: str) -> HolidayRow:
    _require_admin(ctx)
    country = v.choice("country", country.upper(), COUNTRIES, N_("Country"))
    name = v.text("name", name, N_("Name"), required=True, max_length=200)
    with ctx.write() as s:
        if s.scalar(select(Holiday.id).where(Holiday.country == country, Holiday.day == day)) is not None:
            raise ValidationError("day", "{day} is a holiday already.", day=day.isoformat())
        holiday = Holiday(country=country, day=day, name=name)
        s.add(holiday)
        s.flush()
        return HolidayRow(holiday.id, country, day, name, holiday.version)


def public_holidays(country: str, year: int, language: str) -> list[tuple[date, str]]:
    """A country's public holidays of `year` with the days off they bring (python-holidays), named in
    `language` where it has the names, else in English."""
    import holidays

    found = holidays.country_holidays(country, years=year)
    spoken = found.supported_languages or ()
    wanted = next((x for x in spoken if x.split("_")[0] == language), "en_US" if "en_US" in spoken else None)
    if wanted is not None:
        found = holidays.country_holidays(country, years=year, language=wanted)
    return sorted(found.items())


def add_public_holidays(ctx: ServiceContext, country: str, year: int) -> int:
    """The country's public holidays of `year` added to its list (named in the office's language), those
    it has already left as they are; how many were added."""
    _require_admin(ctx)
    country = v.choice("country", country.upper(), COUNTRIES, N_("Country"))
    with ctx.read() as s:
        language = company_profile(s).language or "en"
    known = {h.day for h in holidays(ctx, country)}
    wanted = [(day, name[:200]) for day, name in public_holidays(country, year, language) if day not in known]
    with ctx.write() as s:
        s.add_all([Holiday(country=country, day=day, name=name) for day, name in wanted])
    return len(wanted)


def remove_holiday(ctx: ServiceContext, holiday_id: int) -> None:
    _require_admin(ctx)
    with ctx.write() as s:
        if (holiday := s.get(Holiday, holiday_id)) is not None:
            s.delete(holiday)


def _require_admin(ctx: ServiceContext) -> None:
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can change the office calendar.")
