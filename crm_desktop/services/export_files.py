"""The files exports write: a table as CSV (Excel's "CSV UTF-8") or XLSX (xlsxwriter), clients as vCard
for phones and mail programs, tasks as an iCalendar file for calendars (icalendar).

Every file is written whole or not at all: under a temporary name beside it, renamed at the end, so a
failure, a cancel or a crash half way leaves no file (and an older one of that name untouched).

Against formula injection: a CSV cell a spreadsheet would run as a formula starts with an apostrophe
(`neutralised`); an XLSX cell is written as the text it is (xlsxwriter is told never to take a text
for a formula or a link), so "=HYPERLINK(…)" shows as typed and never runs.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from crm_desktop.services.errors import ValidationError

TABLE_SUFFIXES = (".csv", ".xlsx")
# What a spreadsheet runs as a formula when a cell starts with it (=HYPERLINK(…), +998 90…, @SUM(…)).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")

Failed = Callable[
    [str, str], ValidationError
]  # (path, reason) → the error that says the file was not written


def neutralised(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, with an apostrophe first, which Excel and
    LibreOffice read as "this is text" and do not run (OWASP's advice against CSV injection); a plain
    number (-12.50) stays a number."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


@contextmanager
def whole_file(path: Path, failed: Failed) -> Iterator[Path]:
    """The temporary path to write `path` under; renamed into place when the block ends without error."""
    partial = path.with_name(path.name + ".part")
    try:
        yield partial
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise failed(str(path), exc.strerror or str(exc)) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextmanager
def rows_file(path: Path, failed: Failed) -> Iterator[Callable[[Sequence[object]], None]]:
    """A function that adds one row to the table in `path`: XLSX for a .xlsx file, else CSV."""
    with whole_file(path, failed) as partial:
        if path.suffix.lower() == ".xlsx":
            with _xlsx(partial) as add:
                yield add
        else:
            # utf-8-sig: Excel reads the BOM and shows Cyrillic, Uzbek and Arabic names right
            with partial.open("w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                yield lambda row: writer.writerow([neutralised(_csv_cell(v)) for v in row])


def _csv_cell(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else ""
    return value


@contextmanager
def _xlsx(path: Path) -> Iterator[Callable[[Sequence[object]], None]]:
    import xlsxwriter

    # constant_memory: each row goes to disk as it is written (100,000 rows in a few MB of memory)
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    header = book.add_format({"bold": True})
    row_number = [0]

    def add(row: Sequence[object]) -> None:
        r = row_number[0]
        for c, value in enumerate(row):
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            elif isinstance(value, Decimal):
                sheet.write_number(r, c, float(value))  # the cell a spreadsheet sums; the text stays exact
            elif isinstance(value, datetime):
                sheet.write_datetime(r, c, value.replace(tzinfo=None), moment)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            elif value is not None and value != "":
                text = "; ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
                sheet.write_string(r, c, text, header if r == 0 else None)
        row_number[0] += 1

    try:
        yield add
    finally:
        if row_number[0]:
            sheet.freeze_panes(1, 0)  # the header stays in view
        book.close()


def vcard(
    name: str,
    *,
    company: bool,
    phones: Sequence[str],
    emails: Sequence[str],
    address: str,
    notes: str,
    tags: Sequence[str],
    organisation: str = "",
) -> str:
    """One contact as vCard 3.0 (RFC 2426), what phones, Outlook and Google Contacts read.

    Written here rather than by a vCard library: the one we used took 30 s for 100,000 contacts, and a
    card is a few lines whose only rules are the escaping of text and the folding of long lines."""
    parts = name.rsplit(" ", 1) if not company else [name]
    family, given = (parts[-1], parts[0]) if len(parts) > 1 else ("", parts[0])
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_text(name)}", f"N:{_text(family)};{_text(given)};;;"]
    if company or organisation:
        lines.append(f"ORG:{_text(name if company else organisation)}")
    lines += [f"TEL:{_text(phone)}" for phone in phones]
    lines += [f"EMAIL;TYPE=INTERNET:{_text(email)}" for email in emails]
    if address:
        lines.append(f"ADR:;;{_text(address)};;;;")
    if notes:
        lines.append(f"NOTE:{_text(notes)}")
    if tags:
        lines.append("CATEGORIES:" + ",".join(_text(tag) for tag in tags))
    lines.append("END:VCARD")
    return "".join(_folded(line) for line in lines)


def _text(value: str) -> str:
    """A vCard text value: backslash, comma, semicolon and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _folded(line: str) -> str:
    """The line with CRLF, folded every 75 octets (a space starts each continuation), never inside a
    character of several octets."""
    if len(line.encode("utf-8")) <= 75:
        return line + "\r\n"
    out: list[str] = []
    piece: list[str] = []
    size = 0
    for ch in line:
        octets = len(ch.encode("utf-8"))
        if size + octets > 75:
            out.append("".join(piece))
            piece, size = [" "], 1
        piece.append(ch)
        size += octets
    out.append("".join(piece))
    return "\r\n".join(out) + "\r\n"


def calendar(events: Sequence[dict[str, Any]], name: str) -> bytes:
    """Tasks as the events of an iCalendar file: uid, title, start (aware), minutes, description, reminder."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//CRM Desktop//Tasks//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for e in events:
        event = Event()
        event.add("uid", e["uid"])
        event.add("summary", e["title"])
        event.add("dtstart", e["start"])
        event.add("dtend", e["start"] + timedelta(minutes=e["minutes"]))
        event.add("dtstamp", e["stamp"])
        if e.get("description"):
            event.add("description", e["description"])
        if e.get("remind") is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", e["title"])
            alarm.add("trigger", e["remind"] - e["start"])
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
