"""An office server's data written out by the app itself, for a PC without PostgreSQL's pg_dump: every
table of the CRM read in one REPEATABLE READ, READ ONLY transaction (one consistent moment, while the
office goes on working), each in PostgreSQL's own COPY text format, which gives back every value exactly
(money, times, JSON, bytes). A ZIP file: `manifest.json` (the format, the schema revision, each table's
columns and rows) and `tables/<name>.copy`.

It holds the data; the schema (row-level security, triggers, functions) is made again by the migrations
when it is loaded — into an empty database, in one transaction: the schema up to the revision of the
export, the rows copied in with the tables' own triggers held (they would audit every row again, or
refuse an issued invoice), the id counters set past the highest id, then the schema brought up to date.
Any failure leaves the database as empty as it was. The server's logins are not part of a database (as
with pg_dump): an administrator gives each user theirs again (Settings → Users…).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, text

from crm_desktop.db.engine import Database

FORMAT = "crm-desktop-server-export"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    rows: int


@dataclass(frozen=True)
class Manifest:
    revision: str
    made_at: str
    tables: list[Table]

    def rows(self, table: str) -> int:
        return next((t.rows for t in self.tables if t.name == table), 0)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(conn: Connection) -> list[str]:
    """The CRM's tables of the current schema, each after the tables its rows refer to."""
    from crm_desktop.db.models import Base

    present = set(
        conn.execute(text("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"))
        .scalars()
        .all()
    )
    ordered = [t.name for t in Base.metadata.sorted_tables if t.name in present]
    return ordered + sorted(present - set(ordered) - {"alembic_version"})


def _columns(conn: Connection, table: str) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = :t ORDER BY ordinal_position"
            ),
            {"t": table},
        ).scalars()
    )


def export(db: Database, path: Path) -> Manifest:
    """Every table into `path` (a ZIP file, written whole or not at all: temp file, fsync, rename)."""
    partial = path.with_name(path.name + ".part")
    tables: list[Table] = []
    try:
        with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            revision = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                for name in _tables(conn):
                    columns = _columns(conn, name)
                    listed = ", ".join(_quoted(c) for c in columns)
                    rows = 0
                    with (
                        zf.open(f"tables/{name}.copy", "w", force_zip64=True) as out,
                        cursor.copy(f"COPY (SELECT {listed} FROM {_quoted(name)}) TO STDOUT") as copy,
                    ):
                        for data in copy:
                            out.write(data)
                            rows += bytes(data).count(b"\n")
                    tables.append(Table(name, columns, rows))
                made = Manifest(revision, datetime.now(UTC).isoformat(timespec="seconds"), tables)
                zf.writestr(MANIFEST, json.dumps(_manifest_json(made), indent=1))
            conn.rollback()
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return made


def _manifest_json(m: Manifest) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "revision": m.revision,
        "made_at": m.made_at,
        "tables": [{"name": t.name, "columns": t.columns, "rows": t.rows} for t in m.tables],
    }


def read_manifest(path: Path) -> Manifest | None:
    """The export's manifest; None for a file that is not one (another format, damaged, not a ZIP)."""
    try:
        with zipfile.ZipFile(path) as zf:
            raw = json.loads(zf.read(MANIFEST))
            if raw.get("format") != FORMAT or raw.get("version") != VERSION:
                return None
            names = set(zf.namelist())
            tables = [Table(t["name"], list(t["columns"]), int(t["rows"])) for t in raw["tables"]]
            if any(f"tables/{t.name}.copy" not in names for t in tables):
                return None
            return Manifest(str(raw["revision"]), str(raw["made_at"]), tables)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError):
        return None


def load(db: Database, path: Path, manifest: Manifest) -> None:
    """The export into `db`, an empty database: all of it, or (on any error, raised) nothing."""
    from crm_desktop.db.migrate import upgrade_in

    with db.engine.connect() as conn, conn.begin():
        upgrade_in(conn, manifest.revision)
        names = [t.name for t in manifest.tables]
        for name in names:
            conn.execute(text(f"ALTER TABLE {_quoted(name)} DISABLE TRIGGER USER"))
        for name in reversed(names):  # what the migrations wrote (the company's profile row…) makes way
            conn.execute(text(f"DELETE FROM {_quoted(name)}"))
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with zipfile.ZipFile(path) as zf:
            for table in manifest.tables:
                listed = ", ".join(_quoted(c) for c in table.columns)
                with (
                    zf.open(f"tables/{table.name}.copy") as data,
                    cursor.copy(f"COPY {_quoted(table.name)} ({listed}) FROM STDIN") as copy,
                ):
                    for chunk in _chunks(data):
                        copy.write(chunk)
        for table in manifest.tables:
            conn.execute(text(f"ALTER TABLE {_quoted(table.name)} ENABLE TRIGGER USER"))
            if "id" in table.columns:
                _counter_past_the_rows(conn, table.name)
        upgrade_in(conn, "head")


def _chunks(data) -> Iterator[bytes]:
    while chunk := data.read(CHUNK):
        yield chunk


def _counter_past_the_rows(conn: Connection, table: str) -> None:
    sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": _quoted(table)}).scalar()
    if sequence is None:
        return
    conn.execute(
        text(f"SELECT setval(:s, coalesce((SELECT max(id) FROM {_quoted(table)}), 0) + 1, false)"),
        {"s": sequence},
    )
