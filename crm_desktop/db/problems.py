"""What a failed database call means, in words a user can act on.

The CLI prints these words as its one line, the window shows them when a database cannot be opened,
and services/context.py turns the same classification into ServiceErrors that forms show next to the
input they kept — so the logic lives here, below all of them. SQLite errors are classified by their
error name (Python 3.11's `sqlite_errorname`), PostgreSQL ones by SQLSTATE, never by parsing texts
that change between versions.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from crm_desktop.i18n import Message, SaidError

if TYPE_CHECKING:
    from crm_desktop.db.engine import Database

READ_ONLY, DISK_FULL, DAMAGED, BUSY = "read-only", "disk full", "damaged", "busy"
LOW_SPACE_BYTES = 1 << 20  # less free space than this next to the file: an I/O error is a full disk


class DatabaseOpenError(SaidError):
    """The database cannot be opened; the message says why in words a user can act on.

    Given as a template and its fields (or a Message), as a ServiceError is, and put into words when it
    is read: `str(error)` and `error.message` are the sentence in the current language, since that is
    what the window and the command line show."""


def kind(exc: BaseException, path: Path | None = None) -> str | None:
    """READ_ONLY, DISK_FULL, DAMAGED, BUSY or None for a database error (SQLAlchemy's or the driver's).

    `path`: the SQLite file, so that an I/O error on a disk without free space counts as a full disk
    (SQLite reports ENOSPC as SQLITE_FULL only for plain writes, not when growing its shared memory).
    """
    orig = getattr(exc, "orig", None) or exc
    name = getattr(orig, "sqlite_errorname", None) or ""
    if name.startswith("SQLITE_READONLY"):
        return READ_ONLY
    if name == "SQLITE_FULL":
        return DISK_FULL
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return DAMAGED
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return BUSY
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and path is not None and disk_is_full(path):
        return DISK_FULL
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate == "53100":  # disk_full
        return DISK_FULL
    if sqlstate == "25006":  # read_only_sql_transaction: a standby, or the server set read-only
        return READ_ONLY
    return None


def disk_is_full(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


def message(problem: str, db: Database | None) -> Message:
    """The sentence for a problem met while working with `db` (None: the database at hand)."""
    where = db.describe() if db is not None else None
    if db is not None and not db.is_sqlite:
        if problem == READ_ONLY:
            return Message(
                "The database server ({where}) accepts no changes now (it is read-only); nothing was "
                "changed. Ask your administrator.",
                where=where,
            )
        if problem == DISK_FULL:
            return Message(
                "The database server's disk is full ({where}); nothing was changed. Ask your administrator.",
                where=where,
            )
    if problem == READ_ONLY:
        if where is None:
            return Message(
                "The database is read-only; nothing was changed. Make the file writable, or copy it to a "
                "folder you can write to and open the copy."
            )
        return Message(
            "{where} is read-only; nothing was changed. Make the file writable, or copy it to a "
            "folder you can write to and open the copy.",
            where=_capital(where),
        )
    if problem == DISK_FULL:
        if where is None:
            return Message(
                "The disk that holds the database is full; nothing was changed. "
                "Free some space on it, then try again."
            )
        return Message(
            "The disk that holds {where} is full; nothing was changed. "
            "Free some space on it, then try again.",
            where=where,
        )
    if problem == DAMAGED:
        return damaged(_capital(where) if where is not None else None)
    return Message("The database is busy with another save. Wait a moment and try again.")


def _capital(where: str) -> str:
    return where[:1].upper() + where[1:]


def damaged(where: str | None) -> Message:
    """The sentence for a damaged SQLite file `where` (None: the database at hand)."""
    if where is None:
        return Message(
            "The database is damaged (SQLite found errors in it), so CRM Desktop does not work on it. "
            "Restore your latest backup of it (for example a .backup.sqlite3 file next to it) and open that."
        )
    return Message(
        "{where} is damaged (SQLite found errors in it), so CRM Desktop does not work on it. Restore your "
        "latest backup of it (for example a .backup.sqlite3 file next to it) and open that.",
        where=where,
    )


def explain_open_error(exc: Exception, db: Database) -> Message:
    """Why `db` could not be opened or brought up to date, from the error that said so."""
    path = db.sqlite_path
    problem = kind(exc, path)
    if problem in (READ_ONLY, DISK_FULL, DAMAGED):
        return message(problem, db)
    text = str(getattr(exc, "orig", exc))
    where = db.describe()
    if path is not None and "unable to open database file" in text:
        return _unopenable(path)
    if "not permitted to log in" in text:
        return Message("This login is disabled on the server ({where}). Ask your administrator.", where=where)
    if "password authentication failed" in text:
        return Message(
            "The server refused the password for {where}. Check the user name and password.", where=where
        )
    if "does not exist" in text and "database" in text:
        return Message(
            "The database {where} does not exist on the server. Ask your administrator to create it.",
            where=where,
        )
    if "Connection refused" in text or "could not connect" in text or "timeout" in text.lower():
        return Message(
            "Cannot reach the database server for {where}. Check that it is running and reachable.",
            where=where,
        )
    reason = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return Message("Cannot open {where}: {reason}", where=where, reason=reason)


def _unopenable(path: Path) -> Message:
    """SQLite says only "unable to open database file"; the file system says why."""
    if disk_is_full(path):
        return Message(
            "The disk that holds {path} is full. Free some space on it, then try again.", path=str(path)
        )
    if not os.access(path.parent, os.W_OK):
        return Message(
            "Cannot open {path}: its folder cannot be written to, and SQLite keeps working files "
            "next to the database. Make the folder writable, or copy the file to a folder you can write to.",
            path=str(path),
        )
    return Message(
        "Cannot open {path}: the file cannot be opened for reading and writing. Check its permissions.",
        path=str(path),
    )
