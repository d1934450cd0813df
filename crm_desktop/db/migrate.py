"""Bringing a database's schema up to date, with a verified backup first.

Revisions are found next to this package in a checkout, inside the package in a wheel
(`crm_desktop.migrations`, see pyproject.toml) and in a PyInstaller bundle (collected as data).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import DatabaseError, OperationalError

from crm_desktop.db import problems, sqlite_file
from crm_desktop.db.engine import Database, DatabaseOpenError
from crm_desktop.db.problems import explain_open_error


class SchemaTooNew(DatabaseOpenError):
    """The database was written by a newer CRM Desktop."""


class SchemaTooOld(DatabaseOpenError):
    """The server's database needs an upgrade that only its administrator may run."""


class BackupFailed(DatabaseOpenError):
    pass


def migrations_dir() -> Path:
    candidates = []
    try:
        candidates.append(Path(str(resources.files("crm_desktop.migrations"))))
    except ModuleNotFoundError:
        pass
    candidates.append(Path(__file__).resolve().parents[2] / "migrations")  # a plain checkout
    if hasattr(sys, "_MEIPASS"):  # PyInstaller bundle
        candidates.append(Path(sys._MEIPASS) / "crm_desktop" / "migrations")
    for path in candidates:
        if (path / "env.py").is_file():
            return path
    raise DatabaseOpenError("The database migrations are missing from this installation; reinstall CRM Desktop.")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only a broken install ships no revisions
        raise RuntimeError(f"no schema revisions found in {migrations_dir()}")
    return head


def current_revision(db: Database) -> str | None:
    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseOpenError(explain_open_error(exc, db)) from exc


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None
    after: str
    backup: Path | None


def upgrade(db: Database, *, now: datetime | None = None) -> UpgradeResult:
    """Create or upgrade the schema; a no-op when already at head."""
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    before = current_revision(db)
    if before is not None and not _known(script, before):
        raise SchemaTooNew(
            f"{db.describe()} was written by a newer version of CRM Desktop (schema {before}). "
            "Install the latest CRM Desktop to open it."
        )
    if before == head:
        return UpgradeResult(before, head, None)
    path = db.sqlite_path
    if path is not None and path.exists() and not os.access(path, os.W_OK):  # refused before any backup is made
        raise DatabaseOpenError(f"{path} is read-only, and this CRM Desktop must first bring its schema up to date "
                                f"({before or 'none'} to {head}). Make the file writable, then start again.")
    if path is not None and _has_tables(db):
        sqlite_file.check_not_damaged(db, whole=True)  # a backup of a damaged file, migrated further, helps no one
        backup = backup_sqlite(db, f"before-{head}", now=now)
    else:
        backup = None
    cfg = alembic_config()
    try:
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseOpenError(explain_open_error(exc, db)) from exc
    return UpgradeResult(before, head, backup)


def known_revision(revision: str) -> bool:
    return _known(ScriptDirectory.from_config(alembic_config()), revision)


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False


def _has_tables(db: Database) -> bool:
    return bool(inspect(db.engine).get_table_names())


def backup_sqlite(db: Database, label: str, *, now: datetime | None = None) -> Path:
    """Copy the live SQLite file with the backup API (consistent even mid-write) and verify it.

    A backup that fails half way (a full disk) is removed: a partial file next to the database would
    look like a backup to someone who needs one."""
    source = db.sqlite_path
    if source is None:
        raise ValueError(f"only a SQLite file is backed up this way, not {db.describe()}")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    target = source.with_name(f"{source.stem}.{label}.{stamp}.backup{source.suffix or '.sqlite3'}")
    try:
        ok, tables, copied = _copy(source, target)
    except (sqlite3.Error, OSError) as exc:
        _remove(target)
        if problems.kind(exc, target) == problems.DISK_FULL:
            size = -(-source.stat().st_size // 1_000_000)
            raise BackupFailed(f"There is not enough free space for the backup of {source} that is made before "
                               f"upgrading it (about {size} MB); nothing was changed. Free some space on that disk, "
                               "then start again.") from exc
        raise BackupFailed(f"The backup of {source} before upgrading it could not be written ({exc}); nothing was "
                           "changed.") from exc
    if not ok or tables != copied:
        _remove(target)
        raise BackupFailed(f"The backup of {source} could not be verified; nothing was changed.")
    return target


def _copy(source: Path, target: Path) -> tuple[bool, int, int]:
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tables = src.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            copied = dst.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    return ok, tables, copied


def _remove(target: Path) -> None:
    for path in (target, target.with_name(target.name + "-journal")):
        path.unlink(missing_ok=True)
