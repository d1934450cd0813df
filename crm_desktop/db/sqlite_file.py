"""The SQLite file itself: what is refused before SQLite touches it, and damage noticed at opening.

SQLite takes a missing or empty file — and a one-byte one too — for a new database and writes a
schema into it, and says only "unable to open database file" for a folder. So the path is looked at
first: a folder, a parent that is a file, or a file that is not SQLite is refused in words, and
nothing is ever written over a file that is neither empty nor a SQLite database.

A damaged file is refused when it is opened, before anything is written into it (or backed up and
migrated): working on it could only lose more. `PRAGMA quick_check` reads every page — 45-65 ms warm
(0.3-0.9 s from a cold cache) for the 35 MiB of a 50,000-client office, 150-170 ms warm (1.3-3 s cold)
for 137 MiB, linear in the size — so it runs on files up to QUICK_CHECK_MAX_BYTES. Above that, at
every opening, only what costs nothing is checked: that the file (with its WAL) still holds every
page the database counts, which catches the common damage of a copy cut short. Damage SQLite meets
later is still reported as damage (a save raises DatabaseDamaged), and an upgrade checks the whole
file before it backs up and migrates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

from crm_desktop.db import unsafe_places
from crm_desktop.db.problems import DatabaseOpenError, damaged, explain_open_error
from crm_desktop.i18n import Message

if TYPE_CHECKING:
    from crm_desktop.db.engine import Database

HEADER = b"SQLite format 3\x00"
QUICK_CHECK_MAX_BYTES = 64 << 20  # ~90,000 clients of the demo office: under 0.1 s warm


class DamageFound(Exception):
    """What SQLite's check reported (for the log, behind the user's message)."""


def prepare(path: Path) -> None:
    """Refuse, before SQLite opens it, a path where a CRM database cannot be or must not be made."""
    _refuse_an_unsafe_place(path)
    if path.is_dir():
        raise DatabaseOpenError(
            Message(
                "{path} is a folder, not a database file. Give the path of a file, for example {example}.",
                path=str(path),
                example=str(path / "crm.sqlite3"),
            )
        )
    _make_folder(path)
    if not path.exists():
        return  # a new database
    if not path.is_file():
        raise DatabaseOpenError(
            Message("{path} is not a regular file. Give the path of a database file.", path=str(path))
        )
    try:
        with path.open("rb") as file:
            head = file.read(len(HEADER))
    except OSError as exc:
        raise DatabaseOpenError(
            Message(
                "Cannot read {path}: {reason}. Check the file's permissions.",
                path=str(path),
                reason=exc.strerror,
            )
        ) from exc
    if head and head != HEADER:
        raise DatabaseOpenError(
            Message(
                "{path} is not a CRM Desktop database (not a SQLite file), so it was left as it "
                "is. Choose your CRM database file, or a new file name to start an empty one.",
                path=str(path),
            )
        )


def _refuse_an_unsafe_place(path: Path) -> None:
    where = path.absolute()
    if (service := unsafe_places.synced_by(where)) is not None:
        raise DatabaseOpenError(
            Message(
                "{path} is in a folder {service} keeps in sync, which copies a database while it is being "
                "written and can ruin it. Move the file to a folder of this PC (Documents, for example) "
                "and open it there; to share it between PCs, use an office server (Settings → Database "
                "connection).",
                path=str(path),
                service=service,
            )
        )
    if unsafe_places.on_network_share(where):
        raise DatabaseOpenError(
            Message(
                "{path} is on a network share, where the file's locks do not hold and a database written "
                "from two PCs is ruined. Move the file to a disk of this PC; to share it between PCs, use "
                "an office server (Settings → Database connection).",
                path=str(path),
            )
        )


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next(p for p in path.parents if p.exists() and not p.is_dir())
        raise DatabaseOpenError(
            Message(
                "Cannot create the database {path}: {blocker} is a file, not a folder. Choose a "
                "path inside a folder.",
                path=str(path),
                blocker=str(blocker),
            )
        ) from exc
    except OSError as exc:
        raise DatabaseOpenError(
            Message(
                "Cannot make the folder {folder} for the database: {reason}. "
                "Choose a folder you can write to.",
                folder=str(path.parent),
                reason=exc.strerror,
            )
        ) from exc


def check_not_damaged(db: Database, *, whole: bool = False) -> None:
    """DatabaseOpenError (caused by DamageFound, for the log) if the file is damaged; see the docstring."""
    path = db.sqlite_path
    if path is None or not path.exists():
        return
    whole = whole or path.stat().st_size <= QUICK_CHECK_MAX_BYTES
    try:
        with db.engine.connect() as conn:
            page_size, pages = (
                int(conn.exec_driver_sql(f"PRAGMA {p}").scalar() or 0) for p in ("page_size", "page_count")
            )
            wal = path.with_name(path.name + "-wal")
            held = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
            if pages * page_size > held:
                found = [
                    f"the database counts {pages} pages of {page_size} bytes, its files hold {held} bytes"
                ]
            elif whole:
                found = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check(20)")]
            else:
                return
    except DBAPIError as exc:  # so damaged that the check itself cannot run
        raise DatabaseOpenError(explain_open_error(exc, db)) from exc
    if found != ["ok"]:
        raise DatabaseOpenError(damaged(str(path))) from DamageFound("; ".join(found))
