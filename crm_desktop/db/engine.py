"""Opening a database: engines with the right pragmas, and read/write sessions.

SQLite: WAL, foreign keys, a busy timeout and synchronous=FULL on every connection. The driver's own
transaction handling is switched off so that a write transaction starts with BEGIN IMMEDIATE: it takes
the write lock up front, so a read-then-write unit of work cannot fail half way with "database is
locked" because another connection committed in between. Read transactions stay plain BEGIN, so
readers never wait for writers under WAL.

SQLite's own wait for the write lock (busy_timeout) is not fair: a waiter backs off to trying every
100 ms while newcomers try after 1, 2, 5 ms..., so on a loaded PC an old waiter can give up ("database
is locked") while others keep writing. So BEGIN IMMEDIATE waits in short tries (WRITE_LOCK_TRY_MS), each
starting SQLite's back-off afresh, with a short random pause between them against lockstep, until
WRITE_LOCK_WAIT_S has passed. Only BEGIN is retried: nothing has been read or written yet, so nothing
can be lost or done twice. (Setting the try's timeout and putting the usual one back costs two PRAGMAs,
about 4 µs, on a save that takes milliseconds.)
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crm_desktop.db import sqlite_file
from crm_desktop.db.problems import DatabaseOpenError
from crm_desktop.db.urls import parse_database_url
from crm_desktop.i18n import Message

__all__ = ["Database", "DatabaseOpenError", "create_db_engine"]

SQLITE_BUSY_TIMEOUT_MS = 10_000  # one wait of SQLite's own for a lock (reads rarely need it under WAL)
WRITE_LOCK_WAIT_S = 60.0  # how long a save waits its turn for the write lock before DatabaseBusy
WRITE_LOCK_TRY_MS = 250  # one try for it (see the module docstring)
PG_CONNECT_TIMEOUT_S = 5


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see module docstring
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA cache_size=-65536")
    # Read through memory-mapped pages: after a save each reader's own page cache starts empty, and reads
    # from the map cost a fraction of copying the pages in again (the dashboard's refresh after a save).
    cur.execute("PRAGMA mmap_size=268435456")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    if not conn.get_execution_options().get("crm_write"):
        conn.exec_driver_sql("BEGIN")
        return
    raw = conn.connection.dbapi_connection
    deadline = time.monotonic() + WRITE_LOCK_WAIT_S
    raw.execute(f"PRAGMA busy_timeout={WRITE_LOCK_TRY_MS}")
    try:
        while True:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                busy = getattr(exc.orig, "sqlite_errorname", "").startswith("SQLITE_BUSY")
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0.001, 0.02))
    finally:
        raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def create_db_engine(url: str | URL, *, password: str | None = None, echo: bool = False) -> Engine:
    """An engine for `url`; DatabaseOpenError in words for a URL or a file no CRM data can be kept in."""
    url = parse_database_url(url)
    if url.get_backend_name() == "sqlite":
        sqlite_file.prepare(Path(str(url.database)))  # parse_database_url refused a URL without a file
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        if password is not None:
            url = url.set(password=password)
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            # Keepalives notice a dead network in about half a minute, so a call waiting on a server
            # that is gone fails (and the form retries) instead of waiting forever.
            connect_args={
                "connect_timeout": PG_CONNECT_TIMEOUT_S,
                "application_name": "crm-desktop",
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
            },
        )
    raise DatabaseOpenError(
        Message(
            "Unsupported database '{backend}'. Use a SQLite file (sqlite:///path) "
            "or a PostgreSQL server (postgresql://user@host/database).",
            backend=url.get_backend_name(),
        )
    )


class Database:
    """An engine plus the two kinds of session the services use."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(bind=engine.execution_options(crm_write=True), expire_on_commit=False)

    @classmethod
    def open(cls, url: str | URL, *, password: str | None = None) -> Database:
        return cls(create_db_engine(url, password=password))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        return Path(str(self.engine.url.database)) if self.is_sqlite else None

    def describe(self) -> str:
        """Where the data lives, for the status bar and messages (never shows a password)."""
        url = self.engine.url
        if self.is_sqlite:
            return str(url.database)
        return f"{url.username}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back if it raises."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
