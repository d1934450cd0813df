"""Records printed the three ways the command line offers: an aligned table, CSV, or one JSON array.

What people read (help, errors, the line a command prints, a table's headings and amounts) is in the
current language (crm_desktop/i18n.py: `i18n.gettext("Template {x}").format(x=...)`); what scripts read
(CSV and its header, JSON and its keys, codes, plain amounts) stays as it is.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from crm_desktop import i18n
from crm_desktop.i18n import N_, SaidError
from crm_desktop.services import export_files, exports
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.money import format_amount

MAX_WIDTH = 40  # a table column; longer values end with "…" (CSV and JSON keep them whole)
# A table's heading for each field the commands print (CSV's header keeps the field's name).
HEADINGS = {
    # translators: a column of a table the command line prints: a record's number in the database
    "id": N_("ID"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "phones": N_("Phones"),
    "emails": N_("Emails"),
    "owner": N_("Owner"),
    "source": N_("Source"),
    "number": N_("Number"),
    "client": N_("Client"),
    "issued": N_("Issued"),
    "due": N_("Due"),
    "total": N_("Total"),
    "balance": N_("Balance"),
    "currency": N_("Currency"),
    # translators: a column of a table the command line prints: what a task is about
    "title": N_("Title"),
    "assignee": N_("Assignee"),
    "remind": N_("Reminder"),
    "username": N_("User name"),
    "role": N_("Role"),
    "manager": N_("Manager"),
    "export": N_("Export"),
    "active": N_("Active"),
    # translators: a column of the table of clients written twice: which of the groups a client is in
    "group": N_("Group"),
    # translators: a column of the table of clients written twice: what makes the client one of its group
    "why": N_("Why"),
}


class CliError(SaidError):
    """A problem to report in one line (exit code 1).

    Given as a ServiceError is, a template and its fields — CliError("there is no user '{name}'", name=...)
    — or a Message; `str(error)` is the sentence in the current language."""


def confirmed(question: str) -> bool:
    """Yes typed on a terminal; a script (no terminal) is never taken to say yes."""
    if sys.stdin is None or not sys.stdin.isatty():
        return False
    # translators: the answers a terminal question offers: yes as one letter, no (the default) in capitals
    choices = i18n.gettext("[y/N]")
    answer = input(f"{question} {choices} ").strip().casefold()
    # translators: the one letter that answers yes to such a question (as in [y/N])
    return answer in {"y", "yes", i18n.gettext("y").casefold(), i18n.gettext("yes").casefold()}


def add_format_option(parser: Any) -> None:
    """--format, the same for every list command (print_records answers it)."""
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help=i18n.gettext("table for reading, csv for a spreadsheet, json for scripts (default: table)"),
    )


def check_export(ctx: ServiceContext, format: str) -> None:
    """CSV and JSON take data out of the CRM (a table on the screen does not): they need the export right,
    as the window's exports do, asked before anything is read."""
    if format != "table":
        exports.require_export_right(ctx)


def record_export(ctx: ServiceContext, format: str, entity: str, rows: int, **asked: object) -> None:
    """The audit log's entry for a CSV or JSON listing: which records, how many, with which filters."""
    if format != "table":
        exports.record_export(ctx, entity, rows, {"format": format, **asked})


def print_records(
    records: list[dict[str, Any]],
    *,
    format: str,
    columns: list[str],
    empty: str,
    amounts: dict[str, str] | None = None,
    labels: dict[str, Callable[[Any], str]] | None = None,
) -> None:
    """`columns`: what the table and CSV show, in order; JSON has every field of the records.

    `empty`: what the table says when there are no records (in the reader's language).
    `amounts`: the money columns, each with the field that holds its currency code ({"total": "currency"}).
    The table shows them as the reader's language writes money, right-aligned ("8,904,000.00" in English,
    "8 904 000,00" in Russian); CSV and JSON keep the plain value for machines ("8904000.00").
    `labels`: the columns of codes the table shows in words, each with what puts a code into the reader's
    language ({"role": ...}: "Administrator" for "admin"); CSV and JSON keep the codes.
    """
    if format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for r in records:
            writer.writerow([export_files.neutralised(_cell(r[c], "; ")) for c in columns])
    else:
        _table(records, columns, empty, amounts or {}, labels or {})


def _cell(value: Any, joiner: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return joiner.join(value) if isinstance(value, list) else str(value)


def _table(
    records: list[dict[str, Any]],
    columns: list[str],
    empty: str,
    amounts: dict[str, str],
    labels: dict[str, Callable[[Any], str]],
) -> None:
    def shown(r: dict[str, Any], c: str) -> str:
        if c in amounts and r[c] not in (None, ""):
            return format_amount(Decimal(r[c]), r[amounts[c]])
        if c in labels and r[c] not in (None, ""):
            return labels[c](r[c])
        return _cell(r[c], ", ")

    headings = [_upper(i18n.gettext(HEADINGS[c])) if c in HEADINGS else c.upper() for c in columns]
    cells = [[shown(r, c) for c in columns] for r in records]
    widths = [min(MAX_WIDTH, max([len(h), *(len(row[i]) for row in cells)])) for i, h in enumerate(headings)]

    def line(values: list[str]) -> str:
        return "  ".join(
            fit(v, w).rjust(w) if c in amounts else fit(v, w).ljust(w)
            for c, v, w in zip(columns, values, widths, strict=True)
        ).rstrip()

    print(line(headings))
    for row in cells:
        print(line(row))
    if not records:
        print(empty)


def _upper(text: str) -> str:
    """Capitals as the language writes them: Azerbaijani's i is İ in capitals (MÜŞTƏRİ), not I."""
    return (text.replace("i", "İ") if i18n.current() == "az" else text).upper()


def fit(text: str, width: int) -> str:
    """`text` in a table column `width` wide: a longer one ends with "…"."""
    return text if len(text) <= width else text[: width - 1] + "…"


def local_time(moment: datetime | None) -> str:
    """A stored time as the CLI prints it: this PC's local time, to the minute (ISO 8601)."""
    return moment.astimezone().strftime("%Y-%m-%dT%H:%M") if moment else ""
