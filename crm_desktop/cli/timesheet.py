"""`crm-desktop time add|report`: time spent entered from a script, and the time spent listed."""

from __future__ import annotations

import argparse
from decimal import Decimal

from crm_desktop import i18n
from crm_desktop.cli.output import add_format_option, check_export, print_records, record_export
from crm_desktop.cli.workload import day_argument, user_named

COLUMNS = ["day", "person", "job", "on", "hours", "billed", "note"]


def add_parsers(sub) -> None:
    time = sub.add_parser("time", help=i18n.gettext("time spent: enter it, list it")).add_subparsers(
        dest="time_command", metavar="ACTION", required=True
    )
    add = time.add_parser("add", help=i18n.gettext("enter time spent"))
    add.add_argument("--day", type=day_argument, metavar="DAY", help=i18n.gettext("the day (default: today)"))
    add.add_argument(
        "--hours", required=True, metavar="TIME", help=i18n.gettext("the time spent: 1:30, 1.5 or 90m")
    )
    add.add_argument("--job", type=int, metavar="ID", help=i18n.gettext("the job's ID"))
    add.add_argument("--stage", type=int, metavar="ID", help=i18n.gettext("the stage's ID"))
    add.add_argument("--task", type=int, metavar="ID", help=i18n.gettext("the task's ID"))
    add.add_argument("--note", default="", help=i18n.gettext("what was done"))
    add.add_argument(
        "--not-billable", action="store_true", help=i18n.gettext("time the client is not billed for")
    )
    add.add_argument(
        "--user", metavar="NAME", help=i18n.gettext("whose time (login or name; default: yours)")
    )
    report = time.add_parser("report", help=i18n.gettext("list the time spent, with its total"))
    report.add_argument(
        "--from", dest="first", type=day_argument, metavar="DAY", help=i18n.gettext("the first day")
    )
    report.add_argument(
        "--to", dest="last", type=day_argument, metavar="DAY", help=i18n.gettext("the last day")
    )
    report.add_argument(
        "--user", metavar="NAME", help=i18n.gettext("only this person's time (login or name)")
    )
    report.add_argument("--job", type=int, metavar="ID", help=i18n.gettext("only the time on this job"))
    add_format_option(report)


def run(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context

    ctx = context(db)
    if args.time_command == "add":
        _add(ctx, args)
    else:
        _report(ctx, args)


def _hours(minutes: int) -> str:
    return f"{(Decimal(minutes) / 60).quantize(Decimal('0.01')):f}"


def _add(ctx, args: argparse.Namespace) -> None:
    from crm_desktop.services import time_tracking

    entry = time_tracking.add_entry(
        ctx,
        day=args.day or ctx.today(),
        minutes=args.hours,
        note=args.note,
        billable=not args.not_billable,
        task_id=args.task,
        stage_id=args.stage,
        job_id=args.job,
        user_id=user_named(ctx, args.user) if args.user else None,
    )
    said = i18n.gettext("time entry {id}: {hours} h on {day} ({person})")
    print(
        said.format(
            id=entry.id, hours=_hours(entry.minutes), day=entry.day.isoformat(), person=entry.user_name
        )
    )


def _report(ctx, args: argparse.Namespace) -> None:
    from crm_desktop.services import time_tracking

    check_export(ctx, args.format)
    found = time_tracking.entries(
        ctx,
        first=args.first,
        last=args.last,
        user_id=user_named(ctx, args.user) if args.user else None,
        job_id=args.job,
    )
    billed = {True: i18n.gettext("billable"), False: i18n.gettext("not billed")}
    records = [
        {
            "id": e.id,
            "day": e.day.isoformat(),
            "person": e.user_name,
            "job": e.job_title,
            "job_id": e.job_id,
            "on": e.stage_name or e.task_title,
            "minutes": e.minutes,
            "hours": _hours(e.minutes),
            "billed": i18n.gettext("invoiced") if e.invoice_id else billed[e.billable],
            "running": e.running,
            "note": e.note,
        }
        for e in found
    ]
    print_records(records, format=args.format, columns=COLUMNS, empty=i18n.gettext("(no time spent)"))
    if args.format == "table" and records:
        total = sum(e.minutes for e in found)
        print(i18n.gettext("Total: {hours} h").format(hours=_hours(total)))
    record_export(
        ctx, args.format, "time_entries", len(records), first=str(args.first or ""), job=args.job or ""
    )
