"""Records printed the three ways the command line offers: an aligned table, CSV, or one JSON array.

What people read (help, errors, the line a command prints) is in the current language (crm_desktop/i18n.py:
`i18n.gettext("Template {x}").format(x=...)`); what scripts read (CSV, JSON, column names) stays as it is.
"""

from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal
from typing import Any

from crm_desktop import i18n
from crm_desktop.i18n import SaidError
from crm_desktop.services.money import format_amount

MAX_WIDTH = 40  # a table column; longer values end with "…" (CSV and JSON keep them whole)


class CliError(SaidError):
    """A problem to report in one line (exit code 1).

    Given as a ServiceError is, a template and its fields — CliError("there is no user '{name}'", name=...)
    — or a Message; `str(error)` is the sentence in the current language."""


def add_format_option(parser: Any) -> None:
    """--format, the same for every list command (print_records answers it)."""
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help=i18n.gettext("table for reading, csv for a spreadsheet, json for scripts (default: table)"),
    )


def print_records(
    records: list[dict[str, Any]],
    *,
    format: str,
    columns: list[str],
    empty: str,
    amounts: dict[str, str] | None = None,
) -> None:
    """`columns`: what the table and CSV show, in order; JSON has every field of the records.

    `empty`: what the table says when there are no records (in the reader's language).
    `amounts`: the money columns, each with the field that holds its currency code ({"total": "currency"}).
    The table shows them as people read money, grouped and right-aligned ("8 904 000.00", grouped by
    U+202F as everywhere in the app); CSV and JSON keep the plain value for machines ("8904000.00").
    """
    if format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for r in records:
            writer.writerow([_cell(r[c], "; ") for c in columns])
    else:
        _table(records, columns, empty, amounts or {})


def _cell(value: Any, joiner: str) -> str:
    if value is None:
        return ""
    return joiner.join(value) if isinstance(value, list) else str(value)


def _table(records: list[dict[str, Any]], columns: list[str], empty: str, amounts: dict[str, str]) -> None:
    def shown(r: dict[str, Any], c: str) -> str:
        if c in amounts and r[c] not in (None, ""):
            return format_amount(Decimal(r[c]), r[amounts[c]])
        return _cell(r[c], ", ")

    cells = [[shown(r, c) for c in columns] for r in records]
    widths = [min(MAX_WIDTH, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(
            _fit(v, w).rjust(w) if c in amounts else _fit(v, w).ljust(w)
            for c, v, w in zip(columns, values, widths, strict=True)
        ).rstrip()

    print(line([c.upper() for c in columns]))
    for row in cells:
        print(line(row))
    if not records:
        print(empty)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
