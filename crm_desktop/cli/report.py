"""`crm-desktop report NAME|list`: the window's reports on the command line — the same figures (the same
services), for a period and a person or team, as a table to read, CSV for a spreadsheet or JSON for a
script (those two need the export right and are logged as exports). Each report asked for is audited."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from crm_desktop import i18n
from crm_desktop.cli.output import MAX_WIDTH, CliError, add_format_option, check_export, fit
from crm_desktop.cli.workload import day_argument, user_named

LIST = "list"


def add_parsers(sub, positive) -> None:
    p = sub.add_parser(
        "report", help=i18n.gettext("a report (funnel, revenue, receivables…); 'report list' names them")
    )
    p.add_argument("name", metavar="NAME", help=i18n.gettext("the report, or 'list' for all of them"))
    p.add_argument(
        "--period",
        choices=("week", "month", "quarter", "year"),
        default="month",
        help=i18n.gettext("this week, month, quarter or year (default: month)"),
    )
    p.add_argument(
        "--from", dest="first", type=day_argument, metavar="DAY", help=i18n.gettext("the first day")
    )
    p.add_argument("--to", dest="last", type=day_argument, metavar="DAY", help=i18n.gettext("the last day"))
    p.add_argument("--user", metavar="NAME", help=i18n.gettext("only this person's figures (login or name)"))
    p.add_argument("--team", metavar="NAME", help=i18n.gettext("only this manager's team (login or name)"))
    p.add_argument(
        "--days", type=positive, metavar="N", help=i18n.gettext("stuck deals: this many days in a stage")
    )
    add_format_option(p)


def run(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context
    from crm_desktop.services import reports

    ctx = context(db)
    if args.name == LIST:
        for spec in reports.REPORTS.values():
            print(f"{spec.name:<20}  {i18n.Message(spec.title).render()}")
        return
    if args.name not in reports.REPORTS:
        raise CliError("There is no report called '{name}'; `report list` names them.", name=args.name)
    check_export(ctx, args.format)
    query = reports.ReportQuery(
        _period(ctx, args),
        user_id=user_named(ctx, args.user) if args.user else None,
        team_of=user_named(ctx, args.team) if args.team else None,
        days=args.days,
    )
    table = reports.run(ctx, args.name, query)
    if args.format == "json":
        json.dump(
            {
                "report": table.name,
                "from": query.period.first.isoformat(),
                "to": query.period.last.isoformat(),
                "rows": [_plain(r, table) for r in table.rows],
                "totals": [_plain(t, table) for t in table.totals],
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        keys = [c.key for c in table.shown]
        writer.writerow(keys)
        for row in table.rows:
            writer.writerow([_text(row.get(k)) for k in keys])
    else:
        _print_table(table)
    if args.format != "table":
        reports.exported(ctx, table, query, args.format)


def _period(ctx, args: argparse.Namespace):
    from crm_desktop.services.periods import period_of

    if args.first or args.last:
        return period_of("custom", ctx.today(), args.first or ctx.today(), args.last or ctx.today())
    return period_of(args.period, ctx.today())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _plain(row: dict[str, Any], table) -> dict[str, Any]:
    """A row for a script: every column's value, amounts as exact strings, days in ISO."""
    out: dict[str, Any] = {}
    for c in table.columns:
        value = row.get(c.key)
        out[c.key] = _text(value) if isinstance(value, (Decimal, date)) else value
    if "currency" in row:
        out["currency"] = row["currency"]
    return out


def _print_table(table) -> None:
    from crm_desktop.services import reports
    from crm_desktop.services.money import format_amount

    shown = table.shown

    def cell(c, row: dict[str, Any]) -> str:
        if row.get(c.key) in (None, "") and row not in table.rows:
            return ""  # (a total's column that adds up to nothing)
        return reports.written(c, row.get(c.key), row.get("currency", ""), format_amount)

    headings = [i18n.Message(c.title).render() for c in shown]
    lines = [[cell(c, r) for c in shown] for r in table.rows]
    for total in table.totals:
        line = [cell(c, total) if (c.total or c.ratio or c.key == "currency") else "" for c in shown]
        line[0] = i18n.gettext("Total")
        lines.append(line)
    widths = [
        min(MAX_WIDTH, max([len(h), *(len(line[i]) for line in lines)])) for i, h in enumerate(headings)
    ]

    def printed(values: list[str]) -> str:
        return "  ".join(
            fit(v, w).rjust(w) if c.kind in reports.NUMERIC else fit(v, w).ljust(w)
            for c, v, w in zip(shown, values, widths, strict=True)
        ).rstrip()

    print(i18n.Message(reports.REPORTS[table.name].title).render())
    print(printed(headings))
    for line in lines[: len(table.rows)]:
        print(printed(line))
    if not table.rows:
        print(i18n.gettext("(nothing to count for this period)"))
    for line in lines[len(table.rows) :]:
        print(printed(line))
    if table.left_out:
        said = i18n.gettext("The first {listed} are listed, of {all}; the totals count them all.")
        print(said.format(listed=len(table.rows), all=len(table.rows) + table.left_out))
    if len(table.currencies) > 1:
        print(i18n.gettext("Amounts in different currencies are totalled apart, never added together."))
