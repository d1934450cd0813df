"""Reading the tables offices bring: CSV and text files from Excel, phones and old CRMs, and XLSX workbooks.

A text file's encoding is found (a byte-order mark; else UTF-8 if it decodes as such; else the likeliest
of the single-byte code pages offices here use, by charset-normalizer) and its delimiter counted
(`,` `;` or tab: the one that splits the first lines into the same number of cells). Both are shown to
the user, who may choose others. A workbook's first sheet is read with python-calamine (a Rust reader:
100,000 rows in a fraction of the time openpyxl takes); a title row above the header is passed over and a
header of two rows, as merged cells make them ("Contact" over "Phone" and "Email"), is read as one.

Nothing here knows what the columns mean: services/importing.py does.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from crm_desktop.i18n import N_, Message
from crm_desktop.services.bulk_work import holding_the_collector
from crm_desktop.services.errors import ValidationError

# A cell as read: text from a text file; from a workbook also a number, a date or a truth value.
Cell = str | int | float | bool | date | datetime | time | timedelta

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1251", "cp1252")
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": N_("commas"), ";": N_("semicolons"), "\t": N_("tabs")}
# Past this, a file is not a table someone exported but something else chosen by mistake.
MAX_FILE_BYTES = 500_000_000
_SAMPLE_LINES = 50
# Encodings a text file of an office in our countries is written in when it is not Unicode:
# Windows' Cyrillic (Russian, and Uzbek or Azerbaijani written in it) and Western code pages.
_SINGLE_BYTE = ["cp1251", "cp1252"]


@dataclass(frozen=True)
class Sheet:
    """A table: its header, its rows (each as long as the header) and where each row is in the file."""

    path: Path
    headers: list[str]
    rows: list[list[Cell]]
    lines: list[int]  # the file's line (a text file) or the sheet's row number (a workbook), from 1
    encoding: str | None = None  # a text file's; None for a workbook
    delimiter: str | None = None

    @property
    def is_workbook(self) -> bool:
        return self.encoding is None


def delimiter_name(delimiter: str | None) -> Message:
    return Message(DELIMITER_NAMES.get(delimiter or ",", N_("commas")))


def is_workbook_file(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods")


@holding_the_collector
def read(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Sheet:
    """The table in `path`; a text file's encoding and delimiter found unless given."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(
            "path",
            "The file {path} cannot be opened: {reason}. Choose another file.",
            path=str(path),
            reason=exc.strerror or str(exc),
        ) from exc
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            "path",
            "The file {path} is larger than {limit} MB: it is not a table to import. Choose another file.",
            path=str(path),
            limit=MAX_FILE_BYTES // 1_000_000,
        )
    if is_workbook_file(path):
        return _workbook(path)
    raw = path.read_bytes()
    encoding = encoding or detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValidationError(
            "encoding",
            "The file {path} is not written in {encoding}. Choose the encoding it was saved in.",
            path=str(path),
            encoding=encoding,
        ) from exc
    text = text.removeprefix("\ufeff")
    delimiter = delimiter or detect_delimiter(text)
    return _text_table(path, text, encoding, delimiter)


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = raw[:200_000]
    if sample.count(0) > len(sample) // 4:  # UTF-16 without its mark: every other byte of Latin text is 0
        return "utf-16-le" if sample[1:2] == b"\0" else "utf-16-be"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:1_000_000], cp_isolation=_SINGLE_BYTE).best()
    return best.encoding if best is not None else "cp1252"


def detect_delimiter(text: str) -> str:
    """Of `,` `;` and tab, the one that splits the first lines into the most cells, alike on every line."""
    sample = "\n".join(text.splitlines()[:_SAMPLE_LINES])
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=candidate) if r]
        if not widths or max(widths) < 2:
            continue
        steady = sum(1 for w in widths if w == widths[0])
        score = (steady, widths[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def _text_table(path: Path, text: str, encoding: str, delimiter: str) -> Sheet:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[Cell]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append(list(record))
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(
            "path",
            "Line {line} of {path} cannot be read: {reason}. Save the file again from its program.",
            line=reader.line_num,
            path=str(path),
            reason=str(exc),
        ) from exc
    return _table(path, records, lines, encoding=encoding, delimiter=delimiter)


def _workbook(path: Path) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Exception as exc:  # calamine's own errors have no common base a caller could name
        raise ValidationError(
            "path",
            "The workbook {path} cannot be read: {reason}. Save it again as .xlsx, or as CSV.",
            path=str(path),
            reason=str(exc),
        ) from exc
    rows: list[list[Cell]] = [list(r) for r in values]
    titles = _titles(rows)  # told apart before merged cells are filled in: a title fills a whole row then
    grouped: set[int] = set()  # the sheet's rows (from 1) where a merged cell spans columns
    for (top, left), (bottom, right) in merged:
        if right > left:
            grouped.add(top + 1)  # a merged cell's value fills the cells it covers
        if top < len(rows):
            value = rows[top][left]
            for r in range(top, min(bottom, len(rows) - 1) + 1):
                for c in range(left, right + 1):
                    if c < len(rows[r]):
                        rows[r][c] = value
    kept = [(n + 1, r) for n, r in enumerate(rows) if n not in titles and any(_text(c) for c in r)]
    return _table(path, [r for _, r in kept], [n for n, _ in kept], grouped=grouped)


def _titles(rows: list[list[Cell]], *, text: bool = False) -> set[int]:
    """The rows above the table that are its title ("Clients 2024"): one cell filled where the row under
    it fills several — in a text file, a line with no delimiter at all ("Name," is a header with an
    empty column, not a title)."""
    filled = [n for n, r in enumerate(rows) if _filled(r)]
    titles: set[int] = set()
    for n, below in zip(filled, filled[1:], strict=False):
        if _filled(rows[n]) != 1 or _filled(rows[below]) <= 1 or (text and len(rows[n]) > 1):
            break
        titles.add(n)
    return titles


def _text(cell: Cell | None) -> str:
    return "" if cell is None else str(cell).strip()


def _table(
    path: Path,
    records: list[list[Cell]],
    lines: list[int],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    grouped: frozenset[int] | set[int] = frozenset(),
) -> Sheet:
    if not records:
        raise ValidationError("path", "The file {path} holds no table. Choose another file.", path=str(path))
    first = max(_titles(records, text=encoding is not None), default=-1) + 1
    header = [_text(c) for c in records[first]]
    body = first + 1
    if body < len(records) and lines[first] in grouped and _is_words(records[body]):
        lower = [_text(c) for c in records[body]]
        header = [_joined(top, low) for top, low in zip(_padded(header, len(lower)), lower, strict=True)]
        body += 1
    width = max([len(header), *(len(r) for r in records[body:])])
    header = _unique_headers(_padded(header, width))
    rows = [_padded(list(r), width, "") for r in records[body:]]
    return Sheet(path, header, rows, lines[body:], encoding, delimiter)


def _filled(record: Sequence[Cell]) -> int:
    return sum(1 for c in record if _text(c))


def _is_words(record: Sequence[Cell]) -> bool:
    """The row under a header with a merged group ("Contact" over two columns) names that group's
    columns ("Phone", "Email") when it holds words only."""
    return _filled(record) >= 2 and all(
        isinstance(c, str) and not any(ch.isdigit() or ch == "@" for ch in c) for c in record
    )


def _joined(top: str, low: str) -> str:
    if top and low and top != low:
        return f"{top}: {low}"
    return low or top


def _padded(cells: list, width: int, fill: Cell = "") -> list:
    return (cells + [fill] * (width - len(cells)))[:width] if len(cells) != width else cells


def _unique_headers(headers: list[str]) -> list[str]:
    """Every column named, and no two alike (an empty or repeated header gets its column's letter)."""
    out: list[str] = []
    for n, h in enumerate(headers):
        name = h or column_letter(n)
        if name in out:
            name = f"{name} ({column_letter(n)})"
        out.append(name)
    return out


def column_letter(index: int) -> str:
    """A column's letters as spreadsheets name them: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
