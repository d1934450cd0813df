"""`crm-desktop db upgrade|current` and `crm-desktop demo-data`: the schema, and a demo office to try
things on.

`open_database` is how every command opens the chosen database (asking for a server password on a
terminal only), so a wrong password or an unreachable server reads the same in each of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_desktop import i18n
from crm_desktop.cli.output import CliError
from crm_desktop.i18n import Message

if TYPE_CHECKING:
    from crm_desktop.db.connect import OpenedDatabase
    from crm_desktop.db.engine import Database
    from crm_desktop.db.urls import Origin


def add_parsers(sub: Any, positive: Any) -> None:
    db = sub.add_parser("db", help=i18n.gettext("database schema")).add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    db.add_parser("upgrade", help=i18n.gettext("create or upgrade the schema and print the revision"))
    db.add_parser("current", help=i18n.gettext("print the schema revision"))

    demo = sub.add_parser("demo-data", help=i18n.gettext("fill an empty database with a demo office"))
    demo.add_argument(
        "--clients",
        type=positive,
        default=500,
        metavar="N",
        help=i18n.gettext("how many clients (default 500)"),
    )
    demo.add_argument(
        "--seed", type=int, default=1, metavar="S", help=i18n.gettext("the same seed gives the same office")
    )


def _ask_password(where: str) -> str | None:
    import getpass

    return getpass.getpass(i18n.gettext("Password for {where}: ").format(where=where))


def open_database(url: str, *, migrate: bool = True, origin: Origin | None = None) -> OpenedDatabase:
    from crm_desktop.db import connect

    # A script (no terminal) gets the server's own refusal instead of a prompt nobody can answer.
    ask = _ask_password if sys.stdin is not None and sys.stdin.isatty() else None
    return connect.open_database(url, ask_password=ask, migrate=migrate, origin=origin)


def require_existing(url: str, origin: Origin | None) -> None:
    """Refuse a SQLite file that is not there (a mistyped path, most likely), saying how to start one,
    rather than create an empty database where the user expected theirs."""
    from crm_desktop.db.urls import parse_database_url

    parsed = parse_database_url(url, origin)
    path = Path(str(parsed.database))
    # Only where the folder exists or is missing: a path through a file is explained by opening it.
    if parsed.get_backend_name() == "sqlite" and not path.exists() and not _through_a_file(path):
        raise CliError(
            "There is no database at {path}. Check the path; to start a new one there, "
            "run: crm-desktop --database-url {url} db upgrade",
            path=parsed.database,
            url=url,
        )


def _through_a_file(path: Path) -> bool:
    return any(parent.exists() and not parent.is_dir() for parent in path.parents)


def current(url: str, origin: Origin | None) -> int:
    """The schema revision, read without upgrading anything."""
    from crm_desktop.db.migrate import current_revision

    require_existing(url, origin)

    opened = open_database(url, migrate=False, origin=origin)
    try:
        # translators: what `db current` prints for a database without any schema yet
        print(current_revision(opened.db) or i18n.gettext("none (no schema yet)"))
    finally:
        opened.db.dispose()
    return 0


def run(opened: OpenedDatabase, args: argparse.Namespace) -> None:
    if args.command == "db":  # upgrade: opening the database already brought it up to date
        result = opened.upgrade
        assert result is not None  # opened with migrate=True
        print(result.after)
        if result.backup:
            print(
                i18n.gettext("backup of the previous database: {path}").format(path=result.backup),
                file=sys.stderr,
            )
    else:
        demo_data(opened.db, args.clients, args.seed)


def demo_data(db: Database, clients: int, seed: int) -> None:
    import time

    from crm_desktop.services import demo

    started = time.perf_counter()
    summary = demo.generate(db, clients=clients, seed=seed)
    seconds = time.perf_counter() - started
    # translators: each field is a count in its own words ("500 clients", "1 company")
    said = Message(
        "{clients} ({companies}), {deals}, {tasks}, {invoices}, {quotes}, {payments} in {seconds} s",
        clients=Message.counted("{n} client", "{n} clients", summary.clients),
        companies=Message.counted("{n} company", "{n} companies", summary.companies),
        deals=Message.counted("{n} deal", "{n} deals", summary.deals),
        tasks=Message.counted("{n} task", "{n} tasks", summary.tasks),
        invoices=Message.counted("{n} invoice", "{n} invoices", summary.invoices),
        quotes=Message.counted("{n} quote", "{n} quotes", summary.quotes),
        payments=Message.counted("{n} payment", "{n} payments", summary.payments),
        seconds=f"{seconds:.1f}",
    )
    print(said.render())
