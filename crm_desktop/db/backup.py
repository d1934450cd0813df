"""Copies of a SQLite database that can be trusted, taken while the office keeps working.

SQLite's backup API copies the live file page by page through SQLite itself, so the copy holds every
committed change, the write-ahead log's included, and none half made. Here it copies one snapshot — the
one a read transaction opened first sees, in which each table's rows are counted too — so the copy is
proven against the database as it was at that moment: `PRAGMA integrity_check` passes and every table
holds the same number of rows. Written to a temporary file beside the target, flushed to the disk and
only then renamed over it: a full disk or a crash half way leaves an older backup of that name as it was.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class CopyUnverified(Exception):
    """The copy was written but is not the database (a failing disk, most likely); it was removed."""


@dataclass(frozen=True)
class VerifiedCopy:
    path: Path
    rows: dict[str, int]  # per table: in the copy, and in the database at the moment it was taken


def copy_verified(source: Path, target: Path) -> VerifiedCopy:
    """`source` copied to `target` and proven (see the module docstring). sqlite3.Error or OSError when it
    could not be written (nothing is left of it then), CopyUnverified when it did not prove equal."""
    partial = target.with_name(target.name + ".part")
    _remove(partial)
    try:
        rows = _proven_backup(source, partial, self_contained=True)
        _flush(partial)
        os.replace(partial, target)
        _flush(target.parent)
    except BaseException:
        _remove(partial)
        raise
    return VerifiedCopy(target, rows)


def restore_into(copy: Path, database: Path) -> dict[str, int]:
    """`copy` written into `database` through SQLite's backup API, as one write transaction on the live
    file: a PC that has it open waits for it and then sees the restored data (its cache is told), rather
    than go on writing into a file moved away under it. Proven as a backup is; the rows restored, per
    table. The caller keeps a copy of `database` first (copy_verified): a failure here is rolled back by
    SQLite, but the previous database is what the user wants to have in hand."""
    return _proven_backup(copy, database, self_contained=False)


def row_counts(path: Path, tables: tuple[str, ...]) -> dict[str, int]:
    """The rows of these tables in the database file at `path` (sqlite3.Error when it has no such table)."""
    conn = sqlite3.connect(path)
    try:
        return {table: _count(conn, table) for table in tables}
    finally:
        conn.close()


def is_whole(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    finally:
        conn.close()


def schema_revision(path: Path) -> str | None:
    """The CRM schema revision a database file holds; None for a SQLite file that is no CRM database."""
    conn = sqlite3.connect(path)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is None:
            return None
        found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(found[0]) if found else None
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> list[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return [name for (name,) in conn.execute(query)]


def _proven_backup(source: Path, destination: Path, *, self_contained: bool) -> dict[str, int]:
    """`source` written into `destination` through the backup API from one snapshot of it, then proven
    (integrity_check, each table's rows as in the snapshot): the rows per table, or CopyUnverified.
    `self_contained`: a backup file, kept without a write-ahead log beside it (opened on a full or
    read-only disk too; the app turns the log on again when it opens a restored copy)."""
    src = sqlite3.connect(source, isolation_level=None)  # autocommit: the snapshot is begun here
    try:
        src.execute("BEGIN")
        tables = _tables(src)
        rows = {table: _count(src, table) for table in tables}  # the snapshot's first read fixes it
        dst = sqlite3.connect(destination, timeout=60)  # a live database: its writer's turn is waited for
        try:
            src.backup(dst)  # copies the snapshot of src's open read transaction
            if self_contained:
                dst.execute("PRAGMA journal_mode=DELETE")
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            copied = {table: _count(dst, table) for table in tables}
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    if not ok or copied != rows:
        raise CopyUnverified(f"{destination}: integrity {'ok' if ok else 'failed'}, rows {copied} != {rows}")
    return rows


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _flush(path: Path) -> None:
    """What was written to `path` (a file, or a folder's new entry) is on the disk, not only in a cache."""
    if os.name == "nt" and path.is_dir():
        return  # Windows cannot open a folder to flush it; NTFS journals the rename itself
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)
