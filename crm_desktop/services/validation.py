"""Checks shared by the services. Each raises ValidationError(field, message a user can act on).

A `label` names the value in the message ("The amount"): a Message, or its English text (marked N_() at
the call site so it is in the catalogue), put into the reader's language with the sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from crm_desktop import i18n
from crm_desktop.i18n import Message
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.textnorm import digits

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^[\d\s()+\-./]+$")
MIN_PHONE_DIGITS = 4
MAX_PHONE_DIGITS = 15  # E.164

Label = str | Message  # "The amount": English text (marked N_() where it is written) or a Message


def label_of(label: Label) -> Message:
    """The label as a Message, so it is put into the reader's language with the sentence it is in."""
    return label if isinstance(label, Message) else Message(label)


def alternatives(words: Sequence[str]) -> str | Message:
    """Choices in a sentence, joined as the reader's language joins them: "A4 or Letter", "a, b or c"."""
    if len(words) < 2:
        return "".join(words)
    # translators: the last of several choices: "{others} or {last}" ("A4 or Letter", "a, b or c")
    return Message("{others} or {last}", others=", ".join(words[:-1]), last=words[-1])


def known_fields(values: Iterable[str], allowed: Iterable[str], owner: Label) -> None:
    """Refuse a field the record does not have (a typo in a caller, or a form out of step)."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError(
            unknown[0], "{owner} have no field '{field}'.", owner=label_of(owner), field=unknown[0]
        )


def text(field: str, value: object, label: Label, *, required: bool = False, max_length: int = 300) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, "{label} must be text.", label=label_of(label))
    value = value.strip()
    if required and not value:
        raise ValidationError(field, "{label} cannot be empty. Please enter it.", label=label_of(label))
    if len(value) > max_length:
        raise ValidationError(
            field,
            Message.counted(
                "{label} is too long ({n} character); keep it under {max_length}.",
                "{label} is too long ({n} characters); keep it under {max_length}.",
                len(value),
                label=label_of(label),
                max_length=max_length,
            ),
        )
    return value


def choice(field: str, value: str, allowed: Iterable[str], label: Label) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValidationError(
            field,
            "{label} must be one of: {allowed} (got '{value}').",
            label=label_of(label),
            allowed=", ".join(allowed),
            value=value,
        )
    return value


def email(field: str, value: str) -> str:
    value = value.strip()
    if "@" not in value:
        raise ValidationError(
            field, "'{value}' is not an email address: it has no '@'. Example: name@example.com", value=value
        )
    if not _EMAIL.match(value):
        raise ValidationError(
            field, "'{value}' is not a complete email address. Example: name@example.com", value=value
        )
    return value


def phone(field: str, value: str) -> str:
    value = " ".join(value.split())
    if not _PHONE_CHARS.match(value):
        raise ValidationError(
            field,
            "'{value}' is not a phone number: use digits, spaces, '+', '-', '(' and ')' only.",
            value=value,
        )
    n = len(digits(value))
    if not MIN_PHONE_DIGITS <= n <= MAX_PHONE_DIGITS:
        raise ValidationError(
            field,
            Message.counted(
                "'{value}' has {n} digit; a phone number has {minimum} to {maximum}.",
                "'{value}' has {n} digits; a phone number has {minimum} to {maximum}.",
                n,
                value=value,
                minimum=MIN_PHONE_DIGITS,
                maximum=MAX_PHONE_DIGITS,
            ),
        )
    return value


def unique_list(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v.casefold() not in {s.casefold() for s in seen}:
            seen[v] = None
    return list(seen)


_GROUP_MARKS = str.maketrans("", "", " \u00a0\u202f'’\u066c")  # spaces (also no-break ones), apostrophes, ٬
_ARABIC_MARKS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")  # Eastern digits, ٫


def typed_number(text: str, language: str | None = None) -> str:
    """A number as people type it, in the form Decimal reads: "42 300 000", "42,300,000.50", "1 355,90",
    "1.355,90" and "12,5" all mean what they say. Of a comma and a point the last one is the decimal
    mark; one of them repeated groups thousands (in threes, or it is not read as a number). A lone
    comma or point is a decimal mark — unless it is the thousands separator of `language` (default the
    current one) followed by three digits: "1.234" is 1234 in Azerbaijani, "1,234" in English, and
    1.234 in Russian, as each writes it. Arabic-Indic digits read as the same digits."""
    text = text.strip().translate(_ARABIC_MARKS).translate(_GROUP_MARKS)
    comma, point = text.rfind(","), text.rfind(".")
    if comma >= 0 and point >= 0:
        decimal_mark, group_mark = (",", ".") if comma > point else (".", ",")
    elif text.count(",") > 1 or text.count(".") > 1:
        decimal_mark, group_mark = "", "," if comma >= 0 else "."
    elif (lone := max(comma, point)) >= 0 and text[lone] == i18n.number_marks(language)[1]:
        decimal_mark, group_mark = "", text[lone]
    else:
        return text.replace(",", ".")
    whole, _, fraction = text.rpartition(decimal_mark) if decimal_mark else (text, "", "")
    groups = whole.lstrip("+-").split(group_mark)
    if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        if not decimal_mark and len(groups) == 2:  # "1,5" in English: a decimal comma after all
            return text.replace(group_mark, ".")
        return text  # "12,3,4.5": not thousands; Decimal refuses it and the user is asked
    return whole.replace(group_mark, "") + ("." + fraction if decimal_mark else "")


def decimal(
    field: str,
    value: object,
    label: Label,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    places: int = 4,
) -> Decimal:
    if isinstance(value, float):
        value = repr(value)  # floats are not exact; take what the user would have written
    try:
        number = Decimal(typed_number(str(value))) if value is not None else None
    except InvalidOperation:
        number = None
    name = label_of(label)
    if number is None or not number.is_finite():
        raise ValidationError(
            field, "{label} must be a number, like 12 or 12.50 (got '{value}').", label=name, value=value
        )
    if minimum is not None and number < minimum:
        if minimum == 0:
            raise ValidationError(
                field, "{label} cannot be negative (got {number}).", label=name, number=number
            )
        raise ValidationError(
            field,
            "{label} cannot be less than {minimum} (got {number}).",
            label=name,
            minimum=minimum,
            number=number,
        )
    if maximum is not None and number > maximum:
        raise ValidationError(
            field,
            "{label} cannot be more than {maximum} (got {number}).",
            label=name,
            maximum=maximum,
            number=number,
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(
            field,
            Message.counted(
                "{label} can have at most {n} decimal place (got {number}).",
                "{label} can have at most {n} decimal places (got {number}).",
                places,
                label=name,
                number=number,
            ),
        )
    return number


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")  # how our offices write it: 31.12.2026


# Arabic writes a day as 24‏/12‏/2026, a right-to-left mark after each part: read as 24/12/2026.
_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f\u061c\u202a\u202b\u202c")


def a_date(field: str, value: object, label: Label) -> date | None:
    """A date as typed: 2026-12-31, or day first as offices write it (31.12.2026, 31/12/2026). A day
    that does not exist (2026-02-30) is refused, never moved to one that does."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    typed = str(value).strip()
    if m := _ISO_DATE.fullmatch(typed.translate(_DIRECTION_MARKS)):
        year, month, day = m.groups()
    elif m := _DAY_FIRST.fullmatch(typed.translate(_DIRECTION_MARKS)):
        day, month, year = m.groups()
    else:
        raise ValidationError(
            field,
            "{label} is not a date: '{typed}'. Type it as 31.12.2026 or 2026-12-31.",
            label=label_of(label),
            typed=typed,
        )
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            field,
            "{label}: there is no day {typed} (check the day and the month).",
            label=label_of(label),
            typed=typed,
        ) from None


_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?")  # 14:30, 9.30, or the hour alone: 14


def a_time(field: str, value: object, label: Label) -> time | None:
    """A time of day as typed (14:30, 9:05, 9.30, 14); one that does not exist (25:00, 14:75) is refused."""
    typed = str(value or "").strip()
    if not typed:
        return None
    m = _TIME.fullmatch(typed)
    if m is None:
        raise ValidationError(
            field, "{label} is not a time: '{typed}'. Type it as 14:30.", label=label_of(label), typed=typed
        )
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValidationError(
            field,
            "{label}: there is no time {typed} (hours go to 23, minutes to 59).",
            label=label_of(label),
            typed=typed,
        )
    return time(hour, minute)


def a_datetime(field: str, value: object, label: Label) -> datetime | None:
    """An aware datetime; a naive one or an ISO string without zone is taken as local time."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            # a date alone parses as midnight, which nobody means by a due time: it is refused below
            value = (
                date.fromisoformat(text) if len(text) == len("2026-12-31") else datetime.fromisoformat(text)
            )
        except ValueError:
            raise ValidationError(
                field,
                "{label} is not a date and time: '{value}'. Use the form 2026-12-31 14:30.",
                label=label_of(label),
                value=value,
            ) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ValidationError(
            field, "{label} needs a time as well as a date, like 2026-12-31 14:30.", label=label_of(label)
        )
    if not isinstance(value, datetime):
        raise ValidationError(
            field, "{label} is not a date and time: '{value}'.", label=label_of(label), value=value
        )
    return value if value.tzinfo else value.astimezone()


def positive_int(field: str, value: object, label: Label, *, maximum: int | None = None) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]  # any object: what int() refuses is caught
    except (TypeError, ValueError):
        raise ValidationError(
            field, "{label} must be a whole number (got '{value}').", label=label_of(label), value=value
        ) from None
    if number < 0 or (maximum is not None and number > maximum):
        if maximum is not None:
            raise ValidationError(
                field,
                "{label} must be between 0 and {maximum} (got {number}).",
                label=label_of(label),
                maximum=maximum,
                number=number,
            )
        raise ValidationError(
            field, "{label} must be 0 or more (got {number}).", label=label_of(label), number=number
        )
    return number
