"""Everything a person reads, in their language: one gettext catalogue per language for the whole app.

The English text is the message id (gettext's habit, and Odoo's): a template with named fields,
"Call back {name}", translated whole and then filled in, so a translator can move the fields where
their language puts them. Counts take real plural forms from the catalogue (Russian has three,
Arabic six), never "hour(s)".

One catalogue serves every layer, so a word is translated once: the window (Qt's tr() and translate()
are answered from it, see ui/translator.py), the services' messages, the command line and the PDFs.
Services stay Qt-free and never finish a sentence in English: they raise errors and write entries as a
`Message` (the template and its fields), which is put into words when someone reads it, in the
reader's language — one timeline entry reads in Russian on one PC and in Uzbek on the next.

Sources are resources/translations/<language>.po; the app reads the compiled <language>.mo beside them
(committed, and rebuilt with `python tools/i18n.py compile`; tests fail when they differ).
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

LANGUAGES = ("en", "ru", "uz", "az", "ar")
SOURCE_LANGUAGE = "en"  # the message ids are English: English needs no catalogue
NAMES = {  # each in its own language, as a language menu shows them
    "en": "English",
    "ru": "Русский",
    "uz": "Oʻzbekcha",
    "az": "Azərbaycanca",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})
# The CLDR locale of each language: how it writes numbers and amounts — 1,234.50 (en, ar), 1 234,50 (ru,
# uz), 1.234,50 (az) — and, in the window, dates and the first day of the week unless the PC's own region
# is of the same language. Arabic as the Emirates write it, in Western digits like the documents' (Egypt's
# Eastern digits would stand beside the Western ones of every phone number and document number).
LOCALE_NAMES = {"en": "en_GB", "ru": "ru_RU", "uz": "uz_Latn_UZ", "az": "az_Latn_AZ", "ar": "ar_AE"}
ENV_LANGUAGE = "CRM_DESKTOP_LANGUAGE"

_catalogues: dict[str, _gettext.NullTranslations] = {}
_current = SOURCE_LANGUAGE


def language_of(name: str | None) -> str | None:
    """One of LANGUAGES for a code or locale name ("ru", "ru_RU", "ru-RU.UTF-8", "uz_Latn_UZ"), or None."""
    if not name:
        return None
    code = name.replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def choose(*candidates: str | None) -> str:
    """The first of `candidates` that is a language we speak (e.g. --language, the environment, the
    saved setting, the system's); English when none is."""
    for candidate in candidates:
        if (code := language_of(candidate)) is not None:
            return code
    return SOURCE_LANGUAGE


def from_environment() -> str | None:
    return os.environ.get(ENV_LANGUAGE) or None


def set_language(code: str) -> None:
    global _current
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; one of {', '.join(LANGUAGES)}")
    _current = code


def current() -> str:
    return _current


def is_right_to_left(language: str | None = None) -> bool:
    return (language or _current) in RIGHT_TO_LEFT


def catalogue(language: str | None = None) -> _gettext.NullTranslations:
    """The compiled catalogue of `language` (default: the current one), read once."""
    code = language or _current
    found = _catalogues.get(code)
    if found is None:
        found = _gettext.NullTranslations()
        if code != SOURCE_LANGUAGE:
            compiled = resources.files("crm_desktop.resources") / "translations" / f"{code}.mo"
            if compiled.is_file():
                with compiled.open("rb") as stream:
                    found = _gettext.GNUTranslations(stream)
        _catalogues[code] = found
    return found


def forget_catalogues() -> None:
    """Read the catalogues again on next use (after `tools/i18n.py compile`, in tests)."""
    _catalogues.clear()


def gettext(text: str, language: str | None = None) -> str:
    return catalogue(language).gettext(text)


def pgettext(context: str, text: str, language: str | None = None) -> str:
    """`text` where one English word has two meanings ("Open": a deal's state, or a button)."""
    return catalogue(language).pgettext(context, text)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    """The form of a counted phrase for `n` ("{n} reminders"), to be filled in with n."""
    return catalogue(language).ngettext(singular, plural, n)


def isolated(value: Any) -> Any:
    """A field set apart in right-to-left text (FSI … PDI): a phone number, an email or a Latin name
    inside an Arabic sentence keeps its own order instead of being turned around with it."""
    return f"\u2068{value}\u2069" if isinstance(value, str) and value else value


def number_text(value: Decimal | int, language: str | None = None) -> str:
    """`value` with as many decimal places as it carries (12.50 stays 12.50), its digits grouped and its
    decimal mark as `language` writes them: 1,234.50 in English, 1 234,50 in Russian (no-break spaces)."""
    value = Decimal(value)
    places = max(0, -int(value.as_tuple().exponent))
    return _number_pattern(places).apply(value, _locale(language or _current))


@cache
def _number_pattern(places: int) -> NumberPattern:
    from babel.numbers import parse_pattern  # Babel's CLDR data loads with the first number shown

    return parse_pattern("#,##0" + ("." + "0" * places if places else ""))


@cache
def _locale(language: str) -> Locale:
    from babel import Locale

    return Locale.parse(LOCALE_NAMES[language])


def day_text(day: date, language: str | None = None) -> str:
    """The day as the language writes it on a document or in a message: its usual short form with the
    whole year (24.12.2026 in Russian and Azerbaijani, 24/12/2026 in English and Uzbek)."""
    from babel.dates import format_date

    return format_date(day, _day_pattern(language or _current), locale=_locale(language or _current))


def month_text(day: date, language: str | None = None, *, short: bool = False) -> str:
    """The month `day` is in, as the language names it standing alone with its year ("December 2026";
    short: "Dec 2026")."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMM" if short else "yMMMM", day, locale=_locale(language or _current))


@cache
def _day_pattern(language: str) -> str:
    from babel.dates import get_date_format

    return re.sub("y+", "y", get_date_format("short", locale=_locale(language)).pattern)  # 26 → 2026


def number_marks(language: str | None = None) -> tuple[str, str]:
    """The decimal mark and the thousands separator `language` writes numbers with ('.', ',' in English)."""
    symbols = _locale(language or _current).number_symbols["latn"]
    return symbols["decimal"], symbols["group"]


class Amount:
    """An amount of money as a field of a Message: "1 234,50 UZS" for a Russian reader and "1,234.50 UZS"
    for an English one, from the same stored entry. `value` carries the currency's decimal places."""

    __slots__ = ("value", "currency")

    def __init__(self, value: Decimal, currency: str):
        self.value, self.currency = value, currency

    def render(self, language: str | None = None) -> str:
        return f"{number_text(self.value, language)} {self.currency}"

    def to_json(self) -> dict[str, str]:
        return {"amount": str(self.value), "currency": self.currency}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Amount):
            return NotImplemented
        return (self.value, self.currency) == (other.value, other.currency)

    def __hash__(self) -> int:
        return hash((self.value, self.currency))

    def __repr__(self) -> str:
        return f"Amount({self.value!r}, {self.currency!r})"


class Day:
    """A day as a field of a Message, written as its reader's language writes days (see day_text)."""

    __slots__ = ("value",)

    def __init__(self, value: date):
        self.value = value

    def render(self, language: str | None = None) -> str:
        return day_text(self.value, language)

    def to_json(self) -> dict[str, str]:
        return {"day": self.value.isoformat()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Day) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Day({self.value!r})"


def _field_text(value: Any, language: str | None) -> Any:
    if isinstance(value, (Message, Amount, Day)):
        return value.render(language)
    if isinstance(value, Decimal) and value.is_finite():
        return number_text(value, language)
    return value


def _field_json(value: Any) -> Any:
    if isinstance(value, (Message, Amount, Day)):
        return value.to_json()
    return {"number": str(value)} if isinstance(value, Decimal) else value


def _field_from_json(value: Any) -> Any:
    if isinstance(value, Mapping) and "text" in value:
        return Message.from_json(value)
    if isinstance(value, Mapping) and "amount" in value:
        return Amount(Decimal(value["amount"]), value["currency"])
    if isinstance(value, Mapping) and "number" in value:
        return Decimal(value["number"])
    if isinstance(value, Mapping) and "day" in value:
        return Day(date.fromisoformat(value["day"]))
    return value


def fill(template: str, /, *args: Any, **fields: Any) -> str:
    """`template.format(*args, **fields)`, each field set apart in right-to-left text as a Message's are:
    the window's own sentences (a path, a Latin name, a phone number in an Arabic one keep their order)."""
    if is_right_to_left():
        args = tuple(isolated(a) for a in args)
    return template.format(*args, **_set_apart(fields, None))


def _set_apart(fields: dict[str, Any], language: str | None) -> dict[str, Any]:
    return {k: isolated(v) for k, v in fields.items()} if is_right_to_left(language) else fields


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark for the catalogue, translate later"
    return text


class Message:
    """A sentence to be read later, in the reader's language: the English template (the catalogue's
    id) and the fields it is filled in with. A field may itself be a Message (a label, a record kind),
    put into the same language."""

    __slots__ = ("text", "plural", "count", "params")

    def __init__(self, text: str, /, **params: Any):
        self.text, self.params = text, params
        self.plural: str | None = None
        self.count: int | None = None

    @classmethod
    def counted(cls, singular: str, plural: str, n: int, /, **params: Any) -> Message:
        """A sentence about `n` things, in the plural form the language takes for n ({n} is filled in)."""
        message = cls(singular, n=n, **params)
        message.plural, message.count = plural, n
        return message

    def render(self, language: str | None = None) -> str:
        if self.plural is not None and self.count is not None:
            template = ngettext(self.text, self.plural, self.count, language)
        else:
            template = gettext(self.text, language)
        if not self.params:
            return template
        fields = {k: _field_text(v, language) for k, v in self.params.items()}
        if self.count is not None:  # the count is a number to read: 1,234 clients (an id or a year is not)
            fields["n"] = number_text(self.count, language)
        return template.format_map(_set_apart(fields, language))

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.text!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.text, self.plural, self.count, self.params) == (
            other.text,
            other.plural,
            other.count,
            other.params,
        )

    def __hash__(self) -> int:
        return hash((self.text, self.plural, self.count))

    def to_json(self) -> dict[str, Any]:
        """What a stored entry keeps of it (the template and plain fields), read back by from_json."""
        out: dict[str, Any] = {"text": self.text}
        if self.plural is not None:
            out["plural"], out["count"] = self.plural, self.count
        if self.params:
            out["params"] = {k: _field_json(v) for k, v in self.params.items()}
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        params = {k: _field_from_json(v) for k, v in (data.get("params") or {}).items()}
        message = cls(data["text"], **params)
        if data.get("plural") is not None:
            message.plural, message.count = data["plural"], data.get("count")
        return message


class SaidError(Exception):
    """An error whose message a person reads: a template and its fields (or a Message), put into words
    when read — `error.message` and `str(error)` in the current language."""

    def __init__(self, message: str | Message, /, **params: Any):
        self.said = message if isinstance(message, Message) else Message(message, **params)
        super().__init__(self.said.text)

    @property
    def message(self) -> str:
        return self.said.render()

    def __str__(self) -> str:
        return self.said.render()
