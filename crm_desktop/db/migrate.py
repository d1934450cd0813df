"""Bringing a database's schema up to date, with a verified backup first.

Revisions are found next to this package in a checkout, inside the package in a wheel
(`crm_desktop.migrations`, see pyproject.toml) and in a PyInstaller bundle (collected as data).

Alembic is imported only when the schema is not at `HEAD`: importing it costs a fifth of a start
(issue 13), and on every start but the first after an update the stored revision is the head already,
which one SELECT of `alembic_version` tells.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError

from crm_desktop.db import backup, problems, sqlite_file
from crm_desktop.db.engine import Database, DatabaseOpenError
from crm_desktop.db.problems import explain_open_error
from crm_desktop.i18n import Message

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# The newest revision in migrations/versions. A constant rather than a look at the files: no directory
# to find and list at each start, in a checkout, a wheel and a bundle alike. A new revision changes it
# in the same commit; tests/db/test_migrations.py fails until it does (were it left behind, a database
# at the old head would skip the new revision).
HEAD = "0020_plans"


class SchemaTooNew(DatabaseOpenError):
    """The database was written by a newer CRM Desktop."""


class SchemaTooOld(DatabaseOpenError):
    """The server's database needs an upgrade that only its administrator may run."""


class BackupFailed(DatabaseOpenError):
    pass


def migrations_dir() -> Path:
    candidates = []
    with contextlib.suppress(ModuleNotFoundError):
        candidates.append(Path(str(resources.files("crm_desktop.migrations"))))
    candidates.append(Path(__file__).resolve().parents[2] / "migrations")  # a plain checkout
    if hasattr(sys, "_MEIPASS"):  # PyInstaller bundle
        candidates.append(Path(sys._MEIPASS) / "crm_desktop" / "migrations")
    for path in candidates:
        if (path / "env.py").is_file():
            return path
    raise DatabaseOpenError(
        Message("The database migrations are missing from this installation; reinstall CRM Desktop.")
    )


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return HEAD


def current_revision(db: Database) -> str | None:
    """The revision stored in the database (None: no schema yet), read as alembic stores it."""
    try:
        with db.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            if len(stored) <= 1:
                return stored[0] if stored else None
            from alembic.runtime.migration import MigrationContext

            return MigrationContext.configure(conn).get_current_revision()  # raises: we have no branches
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseOpenError(explain_open_error(exc, db)) from exc


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None
    after: str
    backup: Path | None


def upgrade(db: Database, *, now: datetime | None = None) -> UpgradeResult:
    """Create or upgrade the schema; a no-op when already at head."""
    before = current_revision(db)
    if before == HEAD:
        return UpgradeResult(before, HEAD, None)

    script = _script()
    head = script.get_current_head()
    if head is None:  # only a broken install ships no revisions
        raise RuntimeError(f"no schema revisions found in {migrations_dir()}")
    if before is not None and not _known(script, before):
        raise SchemaTooNew(
            Message(
                "{where} was written by a newer version of CRM Desktop (schema {schema}). "
                "Install the latest CRM Desktop to open it.",
                where=db.describe(),
                schema=before,
            )
        )
    if before == head:
        return UpgradeResult(before, head, None)
    path = db.sqlite_path
    if (
        path is not None and path.exists() and not os.access(path, os.W_OK)
    ):  # refused before any backup is made
        if before is None:
            raise DatabaseOpenError(
                Message(
                    "{path} is read-only, and this CRM Desktop must first bring its schema up to date "
                    "(none to {head}). Make the file writable, then start again.",
                    path=str(path),
                    head=head,
                )
            )
        raise DatabaseOpenError(
            Message(
                "{path} is read-only, and this CRM Desktop must first bring its schema up to date "
                "({before} to {head}). Make the file writable, then start again.",
                path=str(path),
                before=before,
                head=head,
            )
        )
    if path is not None and _has_tables(db):
        sqlite_file.check_not_damaged(
            db, whole=True
        )  # a backup of a damaged file, migrated further, helps no one
        backup = backup_sqlite(db, f"before-{head}", now=now)
    else:
        backup = None
    try:
        with db.engine.connect() as conn, _foreign_keys_off_on_sqlite(conn), conn.begin():
            upgrade_in(conn, "head")
            _check_foreign_keys(conn)
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseOpenError(explain_open_error(exc, db)) from exc
    return UpgradeResult(before, head, backup)


def upgrade_in(conn: Connection, revision: str) -> None:
    """The schema brought to `revision` in the caller's transaction (a server export is loaded between
    its revision and head, all in one)."""
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


@contextlib.contextmanager
def _foreign_keys_off_on_sqlite(conn: Connection) -> Iterator[None]:
    """SQLite changes most of a table by copying it and dropping the old one (alembic's batch mode); with
    foreign keys on, that DROP deletes every row pointing at the old table (ON DELETE CASCADE: a
    document's lines, a client's timeline) or refuses to. They are off while the schema changes, as
    alembic advises; the pragma holds only outside a transaction, so it is set before one begins."""
    raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
    if raw is None:
        yield
        return
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(conn: Connection) -> None:
    """What foreign keys would have refused, refused before the change commits (SQLite, where they were
    off): a revision that leaves a row pointing at nothing is a bug, and the backup stays as it was."""
    if conn.dialect.name == "sqlite" and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").all()):
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(
            f"the schema change left rows of {', '.join(tables)} pointing at no row; rolled back"
        )


def known_revision(revision: str) -> bool:
    return revision == HEAD or _known(_script(), revision)


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
        backup.copy_verified(source, target)
    except (sqlite3.Error, OSError) as exc:
        if problems.kind(exc, target) == problems.DISK_FULL:
            size = -(-source.stat().st_size // 1_000_000)
            raise BackupFailed(
                Message(
                    "There is not enough free space for the backup of {source} that is made before "
                    "upgrading it (about {size} MB); nothing was changed. Free some space on that disk, "
                    "then start again.",
                    source=str(source),
                    size=size,
                )
            ) from exc
        raise BackupFailed(
            Message(
                "The backup of {source} before upgrading it could not be written ({reason}); "
                "nothing was changed.",
                source=str(source),
                reason=str(exc),
            )
        ) from exc
    except backup.CopyUnverified as exc:
        raise BackupFailed(
            Message("The backup of {source} could not be verified; nothing was changed.", source=str(source))
        ) from exc
    return target
