"""`crm-desktop backup [FILE]`: a checked copy of the database file, taken while the app may be running;
`crm-desktop restore FILE [--yes]`: a backup put back in its place, the current database kept aside first
(db/backup.py). An office server's: cli/server_backup.py (pg_dump and pg_restore)."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_desktop import i18n
from crm_desktop.cli.output import CliError, confirmed
from crm_desktop.i18n import Message

if TYPE_CHECKING:
    from sqlalchemy import URL

    from crm_desktop.db.backup import VerifiedCopy
    from crm_desktop.db.urls import Origin


def add_parsers(sub: Any) -> None:
    backup = sub.add_parser(
        "backup", help=i18n.gettext("a checked copy of the database file, taken while the app may run")
    )
    restore = sub.add_parser(
        "restore", help=i18n.gettext("put a backup in the database's place (the current one is kept aside)")
    )
    restore.add_argument("file", type=Path, metavar="FILE", help=i18n.gettext("the backup to restore"))
    restore.add_argument(
        "--yes", action="store_true", help=i18n.gettext("replace a database that holds data without asking")
    )
    backup.add_argument(
        "file",
        nargs="?",
        type=Path,
        metavar="FILE",
        help=i18n.gettext(
            "where to write it (a file or a folder; default: a dated file in the backups folder)"
        ),
    )


def run(url: str, origin: Origin | None, args: argparse.Namespace) -> int:
    from crm_desktop.cli import server_backup
    from crm_desktop.db.urls import parse_database_url

    parsed = parse_database_url(url, origin)
    if parsed.get_backend_name() != "sqlite":
        return server_backup.run(parsed, args)
    # a backup is restored onto a new PC's empty place too; it is made of a database that is there
    source = _database_file(url, origin, parsed, existing=args.command == "backup")
    if args.command == "restore":
        return _restore(args.file, source, yes=args.yes)
    target = _target(args.file, source)
    if target.resolve() == source:
        raise CliError(
            "The backup would be written over the database itself ({path}). Choose another file.",
            path=str(target),
        )
    copy = _copy(source, target)
    said = Message(
        "Backup written and checked: {path} ({clients}, {rows})",
        path=str(copy.path),
        clients=_clients(copy.rows),
        rows=Message.counted("{n} row in all", "{n} rows in all", sum(copy.rows.values())),
    )
    print(said.render())
    return 0


def _database_file(url: str, origin: Origin | None, parsed: URL, *, existing: bool) -> Path:
    from crm_desktop.cli.db import require_existing

    if existing:
        require_existing(url, origin)
    return Path(str(parsed.database)).resolve()


def _clients(rows: dict[str, int]) -> Message:
    return Message.counted("{n} client", "{n} clients", rows.get("clients", 0))


def _copy(source: Path, target: Path) -> VerifiedCopy:
    """`source` copied to `target` (db/backup.py), each way it can fail said in one line."""
    from crm_desktop.db import backup
    from crm_desktop.services import backups

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        return backup.copy_verified(source, target)
    except (sqlite3.Error, OSError, backup.CopyUnverified) as exc:
        raise CliError(backups.not_copied(exc, target, source).said) from exc


def _restore(chosen: Path, database: Path, *, yes: bool) -> int:
    from crm_desktop.db import backup
    from crm_desktop.services import backups
    from crm_desktop.services.errors import ValidationError

    if chosen.resolve() == database:
        raise CliError("{path} is the database itself, not a backup of it.", path=str(chosen))
    checked = _checked_backup(chosen)
    now = backup.row_counts(database, ("clients", "documents")) if database.exists() else {}
    if now.get("clients", 0) or now.get("documents", 0):
        question = Message(
            "Replace {database} ({now}) with the backup {file} ({then})? The current database is kept aside.",
            database=str(database),
            now=_clients(now),
            file=str(chosen),
            then=_clients(checked),
        ).render()
        if not yes and not confirmed(question):
            raise CliError(
                "{database} holds data, so it was not replaced. Add --yes to replace it with the backup.",
                database=str(database),
            )
    try:
        restored = backups.restore_file(chosen, database)
    except ValidationError as exc:
        raise CliError(exc.said) from exc
    said = Message(
        "Restored {file} into {database} ({clients}).",
        file=str(chosen),
        database=str(database),
        clients=_clients({"clients": restored.clients}),
    )
    print(said.render())
    if restored.aside is not None:
        print(Message("The database as it was is kept at {aside}.", aside=str(restored.aside)).render())
    return 0


def _checked_backup(chosen: Path) -> dict[str, int]:
    """How many clients the backup holds, once it is known to be a whole CRM database this version can
    open (services/backups.check, said in one line)."""
    from crm_desktop.services import backups
    from crm_desktop.services.errors import ValidationError

    try:
        return backups.check(chosen)
    except ValidationError as exc:
        raise CliError(exc.said) from exc


def _target(chosen: Path | None, source: Path) -> Path:
    """The file asked for; in a folder (`backups` beside the database when none is), a dated name."""
    folder = chosen if chosen is not None and chosen.is_dir() else None
    if chosen is not None and folder is None:
        return chosen
    return (folder or source.parent / "backups") / f"{source.stem}-{_now()}{source.suffix or '.sqlite3'}"


def _now() -> str:
    """This moment in a file's name: 2026-12-03-142501 (local time, as the user reads the folder)."""
    return datetime.now().strftime("%Y-%m-%d-%H%M%S")
