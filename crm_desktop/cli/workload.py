"""`crm-desktop workload`: per person and working day, the hours planned against the hours they have."""

from __future__ import annotations

import argparse
from datetime import date

from crm_desktop import i18n
from crm_desktop.cli.output import CliError, add_format_option, check_export, print_records, record_export

COLUMNS = ["person", "day", "planned_hours", "capacity_hours", "load"]


def day_argument(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            i18n.gettext("'{text}' is not a day; write it like 2026-11-25").format(text=text)
        ) from None


def user_named(ctx, name: str) -> int:
    """The id of the user with that login or name (as typed, in any case)."""
    from crm_desktop.services import users

    wanted = name.strip().casefold()
    found = [u for u in users.list_users(ctx) if wanted in (u.username.casefold(), u.display_name.casefold())]
    if not found:
        raise CliError("There is no user '{name}'.", name=name)
    return found[0].id


def add_parsers(sub, positive) -> None:
    p = sub.add_parser("workload", help=i18n.gettext("the team's planned hours against their hours, by day"))
    p.add_argument(
        "--from",
        dest="first",
        type=day_argument,
        metavar="DAY",
        help=i18n.gettext("the first day (default: today)"),
    )
    p.add_argument(
        "--days",
        type=positive,
        default=15,
        metavar="N",
        help=i18n.gettext("working days shown (default: 15)"),
    )
    p.add_argument("--team", metavar="NAME", help=i18n.gettext("only this manager's team (login or name)"))
    p.add_argument("--skill", metavar="NAME", help=i18n.gettext("only the people with this skill"))
    add_format_option(p)


def run(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context
    from crm_desktop.services import workload

    ctx = context(db)
    check_export(ctx, args.format)
    team_of = user_named(ctx, args.team) if args.team else None
    seen = workload.load(ctx, args.first, days=args.days, team_of=team_of, skill=args.skill)
    nobody = i18n.gettext("(nobody)")
    records = [
        {
            "person": row.name or nobody,
            "user_id": row.user_id,
            "day": cell.day.isoformat(),
            "planned_hours": f"{cell.planned.normalize():f}",
            "capacity_hours": f"{cell.capacity.normalize():f}",
            "load": cell.state,
            "absence": cell.absence,
        }
        for row in [*seen.people, seen.unassigned]
        for cell in row.cells
        if row.user_id is not None or cell.planned
    ]
    print_records(
        records,
        format=args.format,
        columns=COLUMNS,
        empty=i18n.gettext("(nobody to show)"),
        labels={"load": _load_word},
    )
    record_export(ctx, args.format, "workload", len(records), first=str(seen.days[0]), team=args.team or "")


def _load_word(state: str) -> str:
    return {
        "free": i18n.gettext("free"),
        "full": i18n.gettext("full"),
        "over": i18n.gettext("over"),
        "away": i18n.gettext("away"),
    }[state]
