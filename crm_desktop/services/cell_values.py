"""What the cells of an imported table mean: numbers, percentages, dates, phones and emails as offices
write them.

A column is read one way throughout, decided from all its values, never cell by cell: a column where
one date is 25/03/2024 has the day first in every row; a column with "15%" in it is in percent points
("15" is 15 %), one whose values are all fractions such as 0.15 holds fractions (0.15 is 15 %). Where the
values do not decide (every date could be either day or month first), the reader is asked
(`Undecided`), never guessed for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from crm_desktop.i18n import N_, Message
from crm_desktop.services import validation
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.sheets import Cell

DATE_ORDERS = ("dmy", "mdy", "ymd")
# translators: how a column of dates is written, as the import shows it: the day first, the month, the year
ORDER_NAMES = {"dmy": N_("day.month.year"), "mdy": N_("month/day/year"), "ymd": N_("year-month-day")}
PERCENT_SCALES = ("points", "fraction")

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_DATE = re.compile(r"(\d{1,4})[./\-](\d{1,2})[./\-](\d{1,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_SERIAL = re.compile(r"\d{1,7}(\.\d+)?")  # an Excel date's number of days, a time of day its fraction
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 counting Excel's 29 February 1900
_SERIALS = range(1, 2_958_466)  # to 9999-12-31
_PHONE_SPLIT = re.compile(r"[;,/\n]+")
_EMAIL_SPLIT = re.compile(r"[;,\s]+")
_NOT_DIGIT = re.compile(r"\D+")
_PHONE_WRITING = re.compile(r"\+?[\d\s()\-.]+")  # digits and the marks that group them, nothing else
_NUMBER_MARKS = re.compile(r"[.,]")
# The invisible characters (Unicode's format characters, Cf) a cell copied from a web page, a phone or
# a right-to-left text carries: direction marks and isolates, zero-width spaces and joiners, BOMs.
_INVISIBLE = re.compile(
    "["
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
    "]"
)


class ValueProblem(ValidationError):
    """A cell that does not hold what its column should: what is wrong, for the preview."""

    def __init__(self, said: Message):
        super().__init__("value", said)


class Undecided(Exception):
    """A column whose values do not say how to read them: the user chooses."""


def plain(cell: Cell | None) -> str:
    """A cell as text, spaces trimmed and the invisible marks spreadsheets leave (direction marks,
    zero-width spaces) removed; Arabic-Indic digits as Western ones."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell)
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    return text.strip()


def _western(text: str) -> str:
    return text.translate(_DIGITS)


# --- dates ---------------------------------------------------------------------------------------------


def date_order(cells: Iterable[Cell]) -> str | None:
    """How a column writes its dates, from its values: "dmy", "mdy", "ymd"; None when every value could
    be read either way (the user is asked). Dates written with points (25.03.2024) are day first: no
    office writes month first with points. ValueProblem when values contradict each other (one has
    the day first, another the month)."""
    day_first = month_first = points = False
    for cell in cells:
        if isinstance(cell, date):
            continue
        m = _DATE.fullmatch(_western(plain(cell)))
        if m is None:
            continue
        a, b, c = (int(g) for g in m.groups()[:3])
        if len(m.group(1)) == 4:
            continue  # year first: ymd whatever the others say
        points = points or "." in m.group(0)
        if a > 12 >= b:
            day_first = True
        elif b > 12 >= a:
            month_first = True
    if day_first and month_first:
        raise ValueProblem(
            Message("Some dates have the day first and others the month first; write them one way.")
        )
    if day_first or points:
        return "dmy"
    if month_first:
        return "mdy"
    return None


def has_short_dates(cells: Iterable[Cell]) -> bool:
    """Whether any value is a date written with the day and the month as numbers (not year first)."""
    for cell in cells:
        m = None if isinstance(cell, date) else _DATE.fullmatch(_western(plain(cell)))
        if m is not None and len(m.group(1)) != 4:
            return True
    return False


def a_date(cell: Cell, order: str | None) -> date | None:
    """The date in a cell: a workbook's date, an Excel serial number, 2024-03-25, or 25.03.2024 /
    25/03/2024 / 03/25/2024 in the column's `order`."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _western(plain(cell))
    if not text:
        return None
    if _SERIAL.fullmatch(text) and int(float(text)) in _SERIALS:
        return _EXCEL_EPOCH + timedelta(days=int(float(text)))
    m = _DATE.fullmatch(text)
    if m is None:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise ValueProblem(
                Message(
                    "'{value}' is not a date. Write it as 25.03.2024 or 2024-03-25.",
                    value=plain(cell),
                )
            ) from None
    a, b, c = (int(g) for g in m.groups()[:3])
    if len(m.group(1)) == 4:
        year, month, day = a, b, c
    else:
        if order is None:
            raise Undecided
        day, month, year = {"dmy": (a, b, c), "mdy": (b, a, c), "ymd": (c, b, a)}[order]
        if len(m.group(3 if order != "ymd" else 1)) <= 2:
            year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(Message("'{value}' is not a date of the calendar.", value=plain(cell))) from None


def a_datetime(cell: Cell, order: str | None) -> datetime | None:
    """A date, and its time of day if written (25.03.2024 14:30); naive: the office's wall time."""
    if isinstance(cell, datetime):
        return cell
    day = a_date(cell, order)
    if day is None:
        return None
    text = _western(plain(cell))
    midnight = datetime(day.year, day.month, day.day)
    if _SERIAL.fullmatch(text):  # an Excel serial's fraction is the time of day: .5 is noon
        return midnight + timedelta(seconds=round(float(text) % 1 * 86400))
    m = _DATE.fullmatch(text)
    if m and m.group(4):
        hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueProblem(Message("'{value}' is not a time of day.", value=plain(cell)))
        return midnight.replace(hour=hour, minute=minute, second=second)
    return midnight


# --- numbers and percentages -------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberReading:
    """How a column writes its numbers: its decimal mark, and whether a value showed it (else it is the
    file's habit, and no value needed it)."""

    decimal_mark: str
    shown: bool = False


def number_reading(cells: Iterable[Cell], *, default_mark: str) -> NumberReading:
    """A column's decimal mark, from the values that show it: "1 234,50" or "12,5" (comma), "1,234.50"
    or "12.5" (point). A value such as "1,234" shows nothing: with a comma for decimals in the column's
    other values it is 1.234, else 1234; the file's habit (`default_mark`) decides a column of only such."""
    votes = {",": 0, ".": 0}
    for cell in cells:
        if not isinstance(cell, str):
            continue
        text = _western(plain(cell)).rstrip("%").strip()
        marks = _NUMBER_MARKS.findall(text)
        if not marks:
            continue
        if len(set(marks)) == 2:
            votes[marks[-1]] += 1
        elif len(marks) == 1 and not re.search(r"[.,]\d{3}$", text):
            votes[marks[0]] += 1  # 12,5 or 12.50: a decimal mark
    if votes[","] == votes["."]:
        return NumberReading(default_mark, shown=bool(votes[","]))
    return NumberReading("," if votes[","] > votes["."] else ".", shown=True)


def a_number(cell: Cell, reading: NumberReading) -> Decimal | None:
    if isinstance(cell, bool):
        raise ValueProblem(Message("'{value}' is not a number.", value=str(cell)))
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))  # the shortest decimal that is this float: 0.1, not 0.1000000000000000055
    text = _western(plain(cell))
    if not text:
        return None
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    for sign in ("−", "–"):
        text = text.replace(sign, "-")
    group = "." if reading.decimal_mark == "," else ","
    cleaned = text.replace(" ", "").replace("'", "").replace("’", "").replace(group, "")
    cleaned = cleaned.replace(reading.decimal_mark or ".", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueProblem(Message("'{value}' is not a number.", value=plain(cell))) from None
    if not value.is_finite():
        raise ValueProblem(Message("'{value}' is not a number.", value=plain(cell)))
    return value


def percent_scale(header: str, cells: Iterable[Cell], reading: NumberReading) -> str:
    """Whether a column's percentages are points (15 or "15%" is 15 %) or fractions (0.15 is 15 %, as a
    spreadsheet stores a cell formatted as a percentage). A "%" in any value or in the header means
    points; otherwise fractions when every value lies between 0 and 1 and one of them has a fraction."""
    values = []
    for cell in cells:
        text = plain(cell)
        if text.endswith("%"):
            return "points"
        try:
            number = a_number(cell, reading)
        except ValueProblem:
            continue
        if number is not None:
            values.append(number)
    if "%" in header:
        return "points"
    if values and all(0 <= n <= 1 for n in values) and any(n != n.to_integral_value() for n in values):
        return "fraction"
    return "points"


def a_percent(cell: Cell, reading: NumberReading, scale: str) -> Decimal | None:
    text = plain(cell)
    written_with_sign = text.endswith("%")
    number = a_number(text.rstrip("%").strip() if written_with_sign else cell, reading)
    if number is None:
        return None
    if scale == "fraction" and not written_with_sign:
        number *= 100
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


# --- phones and emails ----------------------------------------------------------------------------------


def phones(cell: Cell, region: str) -> list[str]:
    """The phone numbers in a cell (several may be split by , ; / or lines), each in E.164 (+998901234567),
    read as the office's country (`region`) writes them when they have no country code."""
    found = []
    for part in _PHONE_SPLIT.split(_western(plain(cell))):
        part = part.strip()
        if part:
            found.append(_e164(part, region))
    return validation.unique_list(found)


# Numbers of one shape — the same country, way of writing (international or not), length and leading
# digits — are valid alike and written in E.164 alike: all but their last four digits stay as the first
# one of the shape became, so phonenumbers (some 25 µs a number) reads one of each shape, not 100,000.
_SHAPES: dict[tuple[str, bool, int, str], str] = {}
_KEPT_DIGITS = 4


def _e164(part: str, region: str) -> str:
    written = "+" + part[2:] if part.startswith("00") else part
    digits = _NOT_DIGIT.sub("", written)
    international = written.startswith("+")
    shape = (region, international, len(digits), digits[:-_KEPT_DIGITS])
    if len(digits) > _KEPT_DIGITS and _PHONE_WRITING.fullmatch(written) and (head := _SHAPES.get(shape)):
        return head + digits[-_KEPT_DIGITS:]
    import phonenumbers

    try:
        number = phonenumbers.parse(written, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        validation.phone("phones", part)  # says what is wrong with it if it can (letters, length)
        raise ValueProblem(
            Message(
                "'{value}' is not a phone number. Without a country code it is read as a number of "
                "{country} (+{code}); write others with theirs.",
                value=part,
                country=region,
                code=phonenumbers.country_code_for_region(region),
            )
        )
    if number.extension:  # E.164 has no room for it, and it must not go missing without a word
        raise ValueProblem(
            Message(
                "'{value}' has an extension. Write the number without it, and the extension in the notes.",
                value=part,
            )
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(digits) > _KEPT_DIGITS and e164.endswith(digits[-_KEPT_DIGITS:]):
        _SHAPES[shape] = e164[:-_KEPT_DIGITS]
    return e164


def emails(cell: Cell) -> list[str]:
    found = [validation.email("emails", part) for part in _EMAIL_SPLIT.split(plain(cell)) if part]
    return validation.unique_list(e.lower() for e in found)
