"""The office calendar: work counted in working days and hours across weekends and public holidays (the
office's country's only), the working week and hours as an administrator sets them, holidays added by hand
or from the country's public ones (named in the office's language); on a server only administrators
change them. Spans migrations/0011_office_calendar.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from crm_desktop.services import company, work_calendar
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.work_calendar import OfficeCalendar

TASHKENT = ZoneInfo("Asia/Tashkent")


def _office(holidays=()) -> OfficeCalendar:
    return OfficeCalendar("1111100", time(9), time(18), frozenset(holidays), TASHKENT)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TASHKENT)


def test_working_days_pass_over_the_weekend_and_a_holiday():
    thursday_afternoon = _at(19, 15)
    assert _office().after_working_days(thursday_afternoon, 3) == _at(23, 18)  # Thu, Fri, Mon
    with_navruz = _office({date(2026, 3, 20)})  # Friday off
    assert with_navruz.after_working_days(thursday_afternoon, 3) == _at(24, 18)  # Thu, Mon, Tue
    assert with_navruz.after_working_days(_at(19, 19), 1) == _at(23, 18)  # after the close: the next day
    assert with_navruz.after_working_days(_at(21, 11), 0) == _at(23, 18)  # a Saturday: Monday
    assert with_navruz.working_days_between(date(2026, 3, 16), date(2026, 3, 29)) == 9


def test_working_hours_go_on_at_the_next_opening():
    office = _office({date(2026, 3, 23)})  # Monday off
    assert office.after_working_hours(_at(20, 16), 4) == _at(24, 11)  # 2 h on Friday, 2 h on Tuesday
    assert office.after_working_hours(_at(20, 7), Decimal("1.5")) == _at(20, 10, 30)  # before opening
    assert office.after_working_hours(_at(20, 9), 9) == _at(20, 18)  # a whole day, to its close
    assert office.hours_a_day == 9


def test_the_office_sets_its_week_and_hours(ctx):
    profile = company.get(ctx)
    changed = work_calendar.update(
        ctx, expected_version=profile.version, work_days="1111110", starts="08:30", ends="17:00"
    )
    assert changed.work_days == "1111110" and changed.starts == time(8, 30) and changed.ends == time(17)
    assert changed.is_working_day(date(2026, 3, 21))  # a Saturday is worked now
    version = company.get(ctx).version
    for bad, said in (
        ({"work_days": "0000000"}, "no working day"),
        ({"starts": "9"}, "hours:minutes"),
        ({"starts": "18:00", "ends": "09:00"}, "end after they start"),
    ):
        with pytest.raises(ValidationError, match=said):
            work_calendar.update(ctx, expected_version=version, **bad)
    assert work_calendar.of(ctx).work_days == "1111110"  # nothing of a refused change is kept


def test_only_an_administrator_changes_the_calendar(ctx, staff):
    with pytest.raises(PermissionDenied):
        work_calendar.update(staff["manager"], expected_version=company.get(ctx).version, work_days="1111110")
    with pytest.raises(PermissionDenied):
        work_calendar.add_holiday(staff["dilnoza"], "UZ", date(2026, 3, 21), "Navroʻz")


def test_the_office_keeps_its_own_countrys_holidays(ctx):
    work_calendar.update(ctx, expected_version=company.get(ctx).version, country="UZ")
    work_calendar.add_holiday(ctx, "UZ", date(2026, 3, 21), "Navroʻz")
    work_calendar.add_holiday(ctx, "AZ", date(2026, 3, 20), "Novruz bayramı")
    with pytest.raises(ValidationError, match="a holiday already"):
        work_calendar.add_holiday(ctx, "UZ", date(2026, 3, 21), "Navroʻz again")
    office = work_calendar.of(ctx)
    assert office.holidays == {date(2026, 3, 21)} and office.is_working_day(date(2026, 3, 20))
    [navruz] = work_calendar.holidays(ctx, "UZ")
    work_calendar.remove_holiday(ctx, navruz.id)
    assert work_calendar.of(ctx).holidays == frozenset()


def test_a_countrys_public_holidays_come_named_in_the_offices_language(ctx):
    company.update(ctx, expected_version=company.get(ctx).version, language="uz")
    added = work_calendar.add_public_holidays(ctx, "UZ", 2026)
    days = {h.day: h.name for h in work_calendar.holidays(ctx, "UZ")}
    assert added == len(days) >= 8
    assert "Navroʻz" in days[date(2026, 3, 21)] and "Mustaqillik" in days[date(2026, 9, 1)]
    assert work_calendar.add_public_holidays(ctx, "UZ", 2026) == 0  # what is there stays as it is
    english = work_calendar.public_holidays("AZ", 2026, "en")
    assert (date(2026, 5, 28), "Eid al-Adha; Independence Day") in english


def test_a_staff_login_cannot_make_a_day_off(office):
    from tests.services.test_server_attacks import attack

    refusals = attack(
        office["dilnoza"],
        [
            "INSERT INTO holidays (country, day, name, created_at, updated_at, version) "
            "VALUES ('UZ', '2026-12-31', 'Day off', now(), now(), 1)",
            "UPDATE company_profile SET work_days = '0000011'",
        ],
    )
    assert len(refusals) == 2
    with office["owner"].db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM holidays")).scalar() == 0
        assert conn.execute(text("SELECT work_days FROM company_profile")).scalar() == "1111100"


def test_working_days_are_counted_by_weeks_as_they_would_be_day_by_day():
    from datetime import time as clock_time
    from zoneinfo import ZoneInfo

    from crm_desktop.services.work_calendar import OfficeCalendar

    calendar = OfficeCalendar(
        "1111010",
        clock_time(9),
        clock_time(18),
        frozenset({date(2026, 3, 23), date(2026, 3, 21)}),
        ZoneInfo("Asia/Tashkent"),
    )
    start = date(2026, 3, 1)
    for offset in range(40):
        for length in range(-1, 60):
            first = start + timedelta(days=offset)
            last = first + timedelta(days=length)
            by_day = sum(
                1
                for n in range((last - first).days + 1)
                if calendar.is_working_day(first + timedelta(days=n))
            )
            assert calendar.working_days_between(first, last) == by_day, (first, last)
