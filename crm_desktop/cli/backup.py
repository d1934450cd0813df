"""`crm-desktop backup [FILE]`: a checked copy of the database file, taken while the app may be running
(db/backup.py). An office server is backed up on the server (README: Backing up an office server)."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_desktop import i18n
from crm_desktop.cli.output import CliError
from crm_desktop.i18n import Message

if TYPE_CHECKING:
    from crm_desktop.db.urls import Origin


def add_parsers(sub: Any) -> None:
    backup = sub.add_parser(
        "backup", help=i18n.gettext("a checked copy of the database file, taken while the app may run")
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
    from crm_desktop.cli.db import require_existing
    from crm_desktop.db import backup, problems
    from crm_desktop.db.urls import parse_database_url

    parsed = parse_database_url(url, origin)
    if parsed.get_backend_name() != "sqlite":
        raise CliError(
            "{where} is an office server: it is backed up on the server, with pg_dump (README: Backing up "
            "an office server). This command copies a database file.",
            where=parsed.render_as_string(hide_password=True),
        )
    require_existing(url, origin)
    source = Path(str(parsed.database)).resolve()
    target = _target(args.file, source)
    if target.resolve() == source:
        raise CliError(
            "The backup would be written over the database itself ({path}). Choose another file.",
            path=str(target),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        copy = backup.copy_verified(source, target)
    except (sqlite3.Error, OSError) as exc:
        if problems.kind(exc, target) == problems.DISK_FULL:
            raise CliError(
                "There is not enough free space for the backup at {path} (about {size} MB); an older "
                "backup there is as it was. Free some space or choose another place.",
                path=str(target),
                size=-(-source.stat().st_size // 1_000_000),
            ) from exc
        raise CliError(
            "The backup could not be written to {path}: {reason}. Choose a folder you can write to; an "
            "older backup there is as it was.",
            path=str(target),
            reason=getattr(exc, "strerror", None) or str(exc),
        ) from exc
    except backup.CopyUnverified as exc:
        raise CliError(
            "The copy written to {path} did not prove equal to the database, so it was removed. Check the "
            "disk, then try again.",
            path=str(target),
        ) from exc
    said = Message(
        "Backup written and checked: {path} ({clients}, {rows})",
        path=str(copy.path),
        clients=Message.counted("{n} client", "{n} clients", copy.rows.get("clients", 0)),
        rows=Message.counted("{n} row in all", "{n} rows in all", sum(copy.rows.values())),
    )
    print(said.render())
    return 0


def _target(chosen: Path | None, source: Path) -> Path:
    """The file asked for; in a folder (`backups` beside the database when none is), a dated name."""
    folder = chosen if chosen is not None and chosen.is_dir() else None
    if chosen is not None and folder is None:
        return chosen
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    return (folder or source.parent / "backups") / f"{source.stem}-{stamp}{source.suffix or '.sqlite3'}"
