"""`crm-desktop import clients|deals|tasks FILE`: a table brought in as the window's import does it
(services/importing.py), for scripts and for the office's IT person.

What the file holds is said first: its encoding and delimiter, which column fills which field, how
columns were read, every problem (line, column, what is wrong, the value) and what will become of the
rows. `--dry-run` stops there. Otherwise a terminal is asked; without one `--yes` imports the valid rows
and skips the others (a script is never taken to say yes). A column whose dates could be read with the
day or the month first is an error naming the column and the choices, unless `--date-order` decides.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_desktop import i18n
from crm_desktop.cli.output import CliError, confirmed
from crm_desktop.i18n import Message

if TYPE_CHECKING:
    from crm_desktop.db.engine import Database
    from crm_desktop.services.importing import Preview

# Problems printed one per line before the rest are only counted: enough to see what is wrong.
SHOWN_PROBLEMS = 50


def add_parsers(sub: Any) -> None:
    from crm_desktop.services.cell_values import DATE_ORDERS
    from crm_desktop.services.import_fields import KINDS
    from crm_desktop.services.sheets import ENCODINGS

    p = sub.add_parser(
        "import",
        help=i18n.gettext("bring clients, deals, tasks or invoices in from a CSV, text, XLSX or ODS file"),
    )
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    p.add_argument("file", type=Path, metavar="FILE", help=i18n.gettext("the file to import"))
    p.add_argument(
        "--mapping",
        metavar="F",
        help=i18n.gettext("which column is which: a mapping saved by name in the window, or a JSON file"),
    )
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help=i18n.gettext("how dates such as 03/04/2024 are written: day, month, year first"),
    )
    p.add_argument(
        "--encoding", choices=ENCODINGS, help=i18n.gettext("the file's encoding (default: found in the file)")
    )
    p.add_argument(
        "--delimiter",
        choices=(",", ";", "tab"),
        help=i18n.gettext("what separates the cells (default: found in the file)"),
    )
    p.add_argument(
        "--country",
        metavar="CODE",
        help=i18n.gettext(
            "the country of phone numbers written without a code, e.g. UZ (default: the office's)"
        ),
    )
    p.add_argument(
        "--dry-run", action="store_true", help=i18n.gettext("say what would be imported; write nothing")
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help=i18n.gettext("import the valid rows without asking; skip the others"),
    )


def run(db: Database, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context
    from crm_desktop.services import cell_values, importing, sheets
    from crm_desktop.services.progress import printing

    ctx = context(db)
    delimiter = "\t" if args.delimiter == "tab" else args.delimiter
    sheet = sheets.read(args.file, encoding=args.encoding, delimiter=delimiter)
    _say_file(sheet)
    mapping = _mapping(args, sheet)
    _say_mapping(mapping, sheet)
    country = args.country.upper() if args.country else None
    if country is not None and not _known_country(country):
        raise CliError(
            "'{code}' is not a country code. Use two letters such as UZ, AZ, RU.", code=args.country
        )
    progress = printing(lambda line: print(line, file=sys.stderr))
    preview = importing.preview(ctx, sheet, mapping, region=country, progress=progress)
    if preview.questions and args.date_order:
        orders = {q.column: args.date_order for q in preview.questions}
        preview = importing.preview(
            ctx, sheet, mapping, region=country, date_orders=orders, progress=progress
        )
    if preview.questions:
        q = preview.questions[0]
        raise CliError(
            "The dates in column '{column}' can be read with the day or the month first. Add "
            "--date-order with one of {choices}.",
            column=q.header,
            choices=", ".join(cell_values.DATE_ORDERS),
        )
    _say_preview(preview)
    counts = preview.counts()
    plan = Message(
        "{new} to import as new, {merge} to merge into records that are there, {skip} to skip.",
        new=_number(counts[importing.NEW]),
        merge=_number(counts[importing.MERGE]),
        skip=_number(counts[importing.SKIP]),
    )
    if args.dry_run:
        print(Message("Nothing was written (--dry-run): {plan}", plan=plan).render())
        return
    if not args.yes and not confirmed(Message("Import? {plan}", plan=plan).render()):
        raise CliError("Nothing was imported. Add --yes to import the valid rows without being asked.")
    summary = importing.run(ctx, preview, progress=progress)
    print(summary.message().render())
    written = importing.write_summary(summary, importing.summary_path(sheet.path, ctx.now().astimezone()))
    print(Message("The summary, row by row, is in {path}", path=str(written)).render())


def _number(n: int) -> Any:
    from decimal import Decimal

    return Decimal(n)  # a count read as a number: 2,500 rows, grouped the reader's way


def _known_country(code: str) -> bool:
    import phonenumbers

    return code in phonenumbers.SUPPORTED_REGIONS


def _mapping(args: argparse.Namespace, sheet):
    from crm_desktop.config import Settings
    from crm_desktop.services import import_fields

    if args.mapping is None:
        return import_fields.guess(args.kind, sheet.headers)
    chosen = Path(args.mapping)
    if chosen.is_file():
        try:
            data = json.loads(chosen.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CliError(
                "The mapping {path} cannot be read: {reason}.", path=str(chosen), reason=str(exc)
            ) from exc
    else:
        saved = Settings(args.paths.settings_file).get("import_mappings") or {}
        if args.mapping not in saved:
            raise CliError(
                "There is no mapping file or saved mapping '{name}'. Saved mappings: {names}.",
                name=args.mapping,
                names=", ".join(sorted(saved)) or "—",
            )
        data = saved[args.mapping]
    if not isinstance(data, dict) or data.get("kind") != args.kind:
        raise CliError(
            "The mapping '{name}' is not one for {kind}.",
            name=args.mapping,
            kind=Message(import_fields.KIND_NAMES[args.kind]),
        )
    return import_fields.Mapping.from_json(data, sheet.headers)


def _say_file(sheet) -> None:
    from crm_desktop.services.sheets import delimiter_name

    rows = Message.counted("{n} row", "{n} rows", len(sheet.rows))
    if sheet.is_workbook:
        said = Message("{file}: a workbook (its first sheet), {rows}", file=sheet.path.name, rows=rows)
    else:
        said = Message(
            "{file}: {encoding}, cells separated by {delimiter}, {rows}",
            file=sheet.path.name,
            encoding=sheet.encoding,
            delimiter=delimiter_name(sheet.delimiter),
            rows=rows,
        )
    print(said.render(), file=sys.stderr)


def _say_mapping(mapping, sheet) -> None:
    from crm_desktop.services.import_fields import field_label

    for column, header in enumerate(sheet.headers):
        key = mapping.columns.get(column)
        target = field_label(mapping.kind, key) if key else Message("(not imported)")
        print(Message("  '{column}' → {field}", column=header, field=target).render(), file=sys.stderr)


def _say_preview(preview: Preview) -> None:
    for note in preview.notes:
        print(note.said.render(), file=sys.stderr)
    problems = preview.problems
    for p in problems[:SHOWN_PROBLEMS]:
        print(
            Message(
                "Line {line}, column '{column}': {problem}", line=p.line, column=p.column, problem=p.said
            ).render(),
            file=sys.stderr,
        )
    if len(problems) > SHOWN_PROBLEMS:
        print(
            Message.counted(
                "… and {n} more problem.",
                "… and {n} more problems.",
                len(problems) - SHOWN_PROBLEMS,
            ).render(),
            file=sys.stderr,
        )
    perhaps = [r for r in preview.rows if r.duplicate is not None and not r.duplicate.sure]
    for row in perhaps[:SHOWN_PROBLEMS]:
        dup = row.duplicate
        if dup is not None:
            print(
                Message(
                    "Line {line}: {name} has a name like {other}'s; imported as new unless you merge it in "
                    "the window.",
                    line=row.line,
                    name=row.values.get("name", ""),
                    other=dup.name,
                ).render(),
                file=sys.stderr,
            )
    if len(perhaps) > SHOWN_PROBLEMS:
        print(
            Message.counted(
                "… and {n} more row with a name like another's.",
                "… and {n} more rows with a name like another's.",
                len(perhaps) - SHOWN_PROBLEMS,
            ).render(),
            file=sys.stderr,
        )
