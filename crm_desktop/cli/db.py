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

from crm_desktop.cli.output import CliError

if TYPE_CHECKING:
    from crm_desktop.db.connect import OpenedDatabase
    from crm_desktop.db.engine import Database


def add_parsers(sub: Any, positive: Any) -> None:
    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    db.add_parser("upgrade", help="create or upgrade the schema and print the revision")
    db.add_parser("current", help="print the schema revision")

    demo = sub.add_parser("demo-data", help="fill an empty database with a demo office")
    demo.add_argument(
        "--clients", type=positive, default=500, metavar="N", help="how many clients (default 500)"
    )
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="the same seed gives the same office")


def _ask_password(where: str) -> str | None:
    import getpass

    return getpass.getpass(f"Password for {where}: ")


def open_database(url: str, *, migrate: bool = True, origin: str | None = None) -> OpenedDatabase:
    from crm_desktop.db import connect

    # A script (no terminal) gets the server's own refusal instead of a prompt nobody can answer.
    ask = _ask_password if sys.stdin is not None and sys.stdin.isatty() else None
    return connect.open_database(url, ask_password=ask, migrate=migrate, origin=origin)


def require_existing(url: str, origin: str | None) -> None:
    """Refuse a SQLite file that is not there (a mistyped path, most likely), saying how to start one,
    rather than create an empty database where the user expected theirs."""
    from crm_desktop.db.urls import parse_database_url

    parsed = parse_database_url(url, origin)
    path = Path(str(parsed.database))
    # Only where the folder exists or is missing: a path through a file is explained by opening it.
    if parsed.get_backend_name() == "sqlite" and not path.exists() and not _through_a_file(path):
        raise CliError(
            f"There is no database at {parsed.database}. Check the path; to start a new one there, "
            f"run: crm-desktop --database-url {url} db upgrade"
        )


def _through_a_file(path: Path) -> bool:
    return any(parent.exists() and not parent.is_dir() for parent in path.parents)


def current(url: str, origin: str | None) -> int:
    """The schema revision, read without upgrading anything."""
    from crm_desktop.db.migrate import current_revision

    require_existing(url, origin)

    opened = open_database(url, migrate=False, origin=origin)
    try:
        print(current_revision(opened.db) or "none")
    finally:
        opened.db.dispose()
    return 0


def run(opened: OpenedDatabase, args: argparse.Namespace) -> None:
    if args.command == "db":  # upgrade: opening the database already brought it up to date
        result = opened.upgrade
        assert result is not None  # opened with migrate=True
        print(result.after)
        if result.backup:
            print(f"backup of the previous database: {result.backup}", file=sys.stderr)
    else:
        demo_data(opened.db, args.clients, args.seed)


def demo_data(db: Database, clients: int, seed: int) -> None:
    import time

    from crm_desktop.services import demo

    started = time.perf_counter()
    summary = demo.generate(db, clients=clients, seed=seed)
    print(
        f"{summary.clients} clients ({summary.companies} companies), {summary.deals} deals, "
        f"{summary.tasks} tasks, {summary.invoices} invoices, {summary.quotes} quotes, "
        f"{summary.payments} payments in {time.perf_counter() - started:.1f} s"
    )
