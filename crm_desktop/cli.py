"""`crm-desktop`: the window without a subcommand; subcommands for scripting and administration.

Nothing heavy is imported before the arguments are parsed, so `--version` answers at once.
Errors a user can fix are one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from crm_desktop import __version__, cli_invoices, cli_server, cli_tasks
from crm_desktop.cli_output import CliError

PROG = "crm-desktop"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the whole usage block
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="CRM Desktop: clients, deals, tasks and invoices.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument("--database-url", metavar="URL",
                   help="sqlite:///path/to/file.sqlite3 or postgresql://user@host:port/database")
    p.add_argument("--base-dir", metavar="DIR", type=Path,
                   help="keep data, settings and logs under DIR instead of the user folders")
    p.add_argument("--demo", action="store_true", help="open the app on a fresh throwaway demo database")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", metavar="ACTION",
                                                                      required=True)
    db.add_parser("upgrade", help="create or upgrade the schema and print the revision")
    db.add_parser("current", help="print the schema revision")

    demo = sub.add_parser("demo-data", help="fill an empty database with a demo office")
    demo.add_argument("--clients", type=_positive, default=500, metavar="N", help="how many clients (default 500)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="the same seed gives the same office")

    clients = sub.add_parser("clients", help="clients").add_subparsers(dest="clients_command", metavar="ACTION",
                                                                        required=True)
    ls = clients.add_parser("list", help="list clients, optionally found by name, phone digits or email")
    ls.add_argument("--search", default="", metavar="TEXT")
    ls.add_argument("--limit", type=_positive, default=50, metavar="N")
    ls.add_argument("--format", choices=("table", "csv", "json"), default="table")
    cli_tasks.add_parsers(sub)
    cli_invoices.add_parsers(sub)
    cli_server.add_parsers(sub)
    return p


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {value})")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # exits with code 2 and one usage line on bad options
    if args.demo and (args.command or args.database_url):
        parser.error("--demo opens the window on its own throwaway database; "
                     "it takes no command and no --database-url")
    from crm_desktop.config import Paths

    paths = Paths.under(args.base_dir) if args.base_dir else Paths.default()
    try:
        return _run(args, paths)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into a line on stderr
        message = _explain(exc, paths)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1


def _explain(exc: Exception, paths) -> str:
    from crm_desktop.db.urls import BadDatabaseUrl
    from crm_desktop.logs import log_problem, log_unexpected

    if isinstance(exc, (CliError, BadDatabaseUrl)):  # what the user typed: the line says it all
        return str(exc)
    message = _words(exc)
    if message is None:
        written = log_unexpected(paths, exc)
        first_line = next(iter(str(exc).strip().splitlines()), "")  # the rest (SQL, parameters) is in the log
        return f"unexpected {type(exc).__name__}: {first_line}." + (
            f" Details were written to {paths.log_file}" if written else "")
    # What the database or the system said behind the sentence goes to the log, for whoever helps.
    if exc.__cause__ is not None and log_problem(paths, exc, message):
        return f"{message} Details were written to {paths.log_file}"
    return message


def _words(exc: Exception) -> str | None:
    """The sentence for an error a user can do something about, or None for a bug."""
    from sqlalchemy.exc import DBAPIError

    from crm_desktop.db import problems
    from crm_desktop.services.errors import ServiceError

    if isinstance(exc, problems.DatabaseOpenError):
        return str(exc)
    if isinstance(exc, ServiceError):
        return exc.message if not hasattr(exc, "field") else f"{exc.field}: {exc.message}"
    if isinstance(exc, DBAPIError) and (problem := problems.kind(exc)) is not None:
        return problems.message(problem, None)  # a write outside the services' unit of work (demo data)
    return None


def _run(args: argparse.Namespace, paths) -> int:
    if args.demo:
        return _demo_gui(paths)
    choice = _database(args, paths)
    url, origin = choice.url, choice.origin
    if args.command is None:
        from crm_desktop.app import run_gui

        return run_gui(url, paths, origin=origin)
    if args.command == "db" and args.db_command == "current":
        return _db_current(url, origin)
    opened = _open(url, origin=origin)
    try:
        if args.command == "db":
            result = opened.upgrade
            print(result.after)
            if result.backup:
                print(f"backup of the previous database: {result.backup}", file=sys.stderr)
        elif args.command == "demo-data":
            _demo_data(opened.db, args.clients, args.seed)
        elif args.command == "clients":
            _clients_list(opened.db, args)
        elif args.command == "tasks":
            cli_tasks.run(opened.db, args)
        elif args.command == "invoices":
            cli_invoices.run(opened.db, args)
        elif args.command == "invoice":
            cli_invoices.write_pdf(opened.db, args)
        elif args.command == "server":
            cli_server.server_init(opened.db, args)
        elif args.command == "users":
            cli_server.run_users(opened.db, args)
    finally:
        opened.db.dispose()
    return 0


def _database(args: argparse.Namespace, paths):
    from crm_desktop.config import Settings, choose_database

    return choose_database(args.database_url, Settings(paths.settings_file), paths)


def _ask_password(where: str) -> str | None:
    import getpass

    return getpass.getpass(f"Password for {where}: ")


def _open(url: str, *, migrate: bool = True, origin: str | None = None):
    from crm_desktop.db.connect import open_database

    # A script (no terminal) gets the server's own refusal instead of a prompt nobody can answer.
    ask = _ask_password if sys.stdin is not None and sys.stdin.isatty() else None
    return open_database(url, ask_password=ask, migrate=migrate, origin=origin)


def _db_current(url: str, origin: str | None) -> int:
    from crm_desktop.db.migrate import current_revision

    opened = _open(url, migrate=False, origin=origin)
    try:
        print(current_revision(opened.db) or "none")
    finally:
        opened.db.dispose()
    return 0


def _demo_data(db, clients: int, seed: int) -> None:
    import time

    from crm_desktop.services import demo

    started = time.perf_counter()
    summary = demo.generate(db, clients=clients, seed=seed)
    print(f"{summary.clients} clients ({summary.companies} companies), {summary.deals} deals, {summary.tasks} tasks, "
          f"{summary.invoices} invoices, {summary.quotes} quotes, {summary.payments} payments "
          f"in {time.perf_counter() - started:.1f} s")


def _clients_list(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli_output import print_records
    from crm_desktop.services import clients
    from crm_desktop.services.clients import ClientFilter

    ctx = cli_server.context(db)
    ids = clients.list_ids(ctx, ClientFilter(search=args.search), limit=args.limit)
    details = [clients.get(ctx, i) for i in ids] if args.format == "json" else clients.rows(ctx, ids)
    records = [{"id": c.id, "name": c.name, "kind": c.kind, "status": c.status, "phones": c.phones,
                "emails": c.emails, "owner": c.owner_name, "source": c.source,
                **({"tags": c.tags, "company": c.company_name, "address": c.address} if args.format == "json" else {})}
               for c in details]
    columns = ["id", "name", "kind", "status", "phones", "emails", "owner", "source"] if args.format == "csv" else \
        ["id", "name", "status", "phones", "emails", "owner"]
    print_records(records, format=args.format, columns=columns, empty="(no clients found)")


def _demo_gui(paths) -> int:
    """The window on a demo office in a temp folder that goes away on exit; logs stay where bugs are looked for."""
    import shutil
    import tempfile

    from crm_desktop.app import run_gui
    from crm_desktop.config import Paths
    from crm_desktop.services import demo

    base = Path(tempfile.mkdtemp(prefix="crm-desktop-demo-"))
    try:
        demo_paths = Paths(data_dir=base / "data", config_dir=base / "config", log_dir=paths.log_dir)
        url = f"sqlite:///{demo_paths.default_database_file}"
        opened = _open(url)
        try:
            demo.generate(opened.db, clients=500)
        finally:
            opened.db.dispose()
        return run_gui(url, demo_paths, demo=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
