"""Records printed the three ways the command line offers: an aligned table, CSV, or one JSON array."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

MAX_WIDTH = 40


class CliError(Exception):
    """A problem to report in one line (exit code 1)."""


# a table column; longer values end with "…" (CSV and JSON keep them whole)


def add_format_option(parser: Any) -> None:
    """--format, the same for every list command (print_records answers it)."""
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table for reading, csv for a spreadsheet, json for scripts (default: table)",
    )


def print_records(records: list[dict[str, Any]], *, format: str, columns: list[str], empty: str) -> None:
    """`columns`: what the table and CSV show, in order; JSON has every field of the records."""
    if format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for r in records:
            writer.writerow([_cell(r[c], "; ") for c in columns])
    else:
        _table(records, columns, empty)


def _cell(value: Any, joiner: str) -> str:
    if value is None:
        return ""
    return joiner.join(value) if isinstance(value, list) else str(value)


def _table(records: list[dict[str, Any]], columns: list[str], empty: str) -> None:
    cells = [[_cell(r[c], ", ") for c in columns] for r in records]
    widths = [min(MAX_WIDTH, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(_fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if not records:
        print(empty)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
