"""Backups of the office's SQLite database from the window: the daily automatic one with its restore
drill (db/backup_rotation.py), "Back up now", and a restore from a chosen backup, checked first, with the
database as it was kept aside.

An office server (PostgreSQL) is backed up on the server (README: Backing up an office server): these
are for a database file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crm_desktop.db import backup, backup_rotation, migrate, problems
from crm_desktop.db.backup_rotation import Drill, Made, State
from crm_desktop.i18n import Message
from crm_desktop.services import live
from crm_desktop.services.context import Changes, ServiceContext
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.services.progress import Progress

__all__ = ["Drill", "Made", "State"]


@dataclass(frozen=True)
class BackedUp:
    made: Made
    drill: Drill


@dataclass(frozen=True)
class Restored:
    clients: int
    aside: Path | None  # the database as it was before (None: there was none)


def database_file(ctx: ServiceContext) -> Path:
    path = ctx.db.sqlite_path
    if path is None:
        raise ServiceError(
            "This office works on a server: it is backed up there, with pg_dump (README: Backing up an "
            "office server)."
        )
    return path


def folder(ctx: ServiceContext, chosen: str | None) -> Path:
    """Where the automatic backups go: the folder chosen in Settings → Backups, else backups/ beside the
    database."""
    return Path(chosen) if chosen else backup_rotation.default_folder(database_file(ctx))


def is_due(ctx: ServiceContext, where: Path) -> bool:
    return backup_rotation.is_due(database_file(ctx), where, ctx.now().astimezone())


def status(ctx: ServiceContext, where: Path) -> State:
    return backup_rotation.state(database_file(ctx), where)


def back_up(ctx: ServiceContext, where: Path, *, progress: Progress | None = None) -> BackedUp:
    """A backup into `where` now, the rotation, and its restore drill (a job: it says what it does)."""
    progress = progress or Progress()
    database = database_file(ctx)
    progress.step(0, 2, Message("Backing up to {folder}", folder=str(where)))
    now = ctx.now().astimezone()
    try:
        made = backup_rotation.make(database, where, now)
    except (OSError, sqlite3.Error, backup.CopyUnverified) as exc:
        raise not_copied(exc, where, database) from exc
    progress.step(1, 2, Message("Checking that the backup restores"))
    return BackedUp(made, backup_rotation.drill(database, where, made.path, ctx.now().astimezone()))


def not_copied(exc: Exception, target: Path, database: Path) -> ValidationError:
    """What kept a backup of `database` from being written to `target` (a file or a folder), in words:
    a copy that did not prove equal, a full disk, a refused write. Whatever was there stays as it was."""
    if isinstance(exc, backup.CopyUnverified):
        return ValidationError(
            "path",
            "The copy written to {path} did not prove equal to the database, so it was removed. Check the "
            "disk, then try again.",
            path=str(target),
        )
    if problems.kind(exc, target) == problems.DISK_FULL:
        return ValidationError(
            "path",
            "There is not enough free space for the backup at {path} (about {size} MB); an older "
            "backup there is as it was. Free some space or choose another place.",
            path=str(target),
            size=-(-database.stat().st_size // 1_000_000),
        )
    return ValidationError(
        "path",
        "The backup could not be written to {path}: {reason}. Choose a folder you can write to; an "
        "older backup there is as it was.",
        path=str(target),
        reason=getattr(exc, "strerror", None) or str(exc),
    )


def check(chosen: Path) -> dict[str, int]:
    """How many clients the backup `chosen` holds, once it is known to be a whole CRM database this
    version can open; else a ValidationError saying what it is."""
    if not chosen.is_file():
        raise ValidationError("path", "There is no backup at {path}. Check the path.", path=str(chosen))
    try:
        whole, revision = backup.is_whole(chosen), backup.schema_revision(chosen)
    except sqlite3.Error as exc:
        raise ValidationError(
            "path",
            "{path} is not a CRM Desktop backup ({reason}); nothing was changed.",
            path=str(chosen),
            reason=str(exc),
        ) from exc
    if not whole:
        raise ValidationError(
            "path",
            "The backup {path} is damaged; nothing was changed. Choose another backup.",
            path=str(chosen),
        )
    if revision is None:
        raise ValidationError(
            "path", "{path} is not a CRM Desktop backup; nothing was changed.", path=str(chosen)
        )
    if not migrate.known_revision(revision):
        raise ValidationError(
            "path",
            "{path} was written by a newer version of CRM Desktop (schema {schema}); nothing was changed. "
            "Install the latest CRM Desktop to restore it.",
            path=str(chosen),
            schema=revision,
        )
    return backup.row_counts(chosen, ("clients",))


def restore(ctx: ServiceContext, chosen: Path, *, progress: Progress | None = None) -> Restored:
    """The backup `chosen` put in the database's place (`restore_file`). The window reads the restored
    data at once: the backup is written in through SQLite's backup API, which the open connections see."""
    restored = restore_file(chosen, database_file(ctx), progress=progress)
    everything = Changes(unknown=set(live.TABLES))  # every view reads again what it shows
    for listener in list(ctx.listeners):
        listener(everything)
    return restored


def restore_file(chosen: Path, database: Path, *, progress: Progress | None = None) -> Restored:
    """The backup `chosen` checked, then put in the place of `database` (which need not be there yet: a
    new PC), the database as it was kept aside beside it as a proven copy; for the window and
    `crm-desktop restore` alike (which ask first, each in its own way)."""
    progress = progress or Progress()
    if chosen.resolve() == database.resolve():
        raise ValidationError("path", "{path} is the database itself, not a backup of it.", path=str(chosen))
    check(chosen)
    aside: Path | None = None
    if database.exists():
        progress.step(0, 2, Message("Keeping the database as it was aside"))
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
        aside = database.with_name(f"{database.stem}.before-restore.{stamp}{database.suffix}")
        try:
            backup.copy_verified(database, aside)
        except (OSError, sqlite3.Error, backup.CopyUnverified) as exc:
            raise ValidationError(
                "path",
                "The database could not be kept aside ({reason}), so nothing was restored. Free some space "
                "beside it, then try again.",
                reason=getattr(exc, "strerror", None) or str(exc),
            ) from exc
    progress.report(1, 2, Message("Restoring {file}", file=chosen.name))  # no stopping half way now
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        rows = backup.restore_into(chosen, database)
    except (OSError, sqlite3.Error, backup.CopyUnverified) as exc:
        if aside is None:
            raise ValidationError(
                "path",
                "The backup could not be restored ({reason}).",
                reason=getattr(exc, "strerror", None) or str(exc),
            ) from exc
        raise ValidationError(
            "path",
            "The backup could not be restored ({reason}); the database as it was is kept at {aside}.",
            reason=getattr(exc, "strerror", None) or str(exc),
            aside=str(aside),
        ) from exc
    return Restored(rows.get("clients", 0), aside)
