"""Changes made by other PCs, as PostgreSQL announces them (LISTEN/NOTIFY).

Tables with the `crm_notify_change` trigger (see the migrations) announce each committed change
on the channel `crm_changes` as {"schema", "table"} — only which table, since any login may
listen (and send): a PC re-reads what changed through row-level security, so a notice tells nobody
about rows they may not see, and a forged one costs a reload, never wrong data. `ChangeListener` keeps one
connection of its own listening, on a thread of its own, and hands each change of its schema to a
callback; when the connection is lost it says so (`on_lost`), reconnects, and says it is back
(`on_back`): changes made meanwhile were not announced to it, so whoever listens must reload.
SQLite has one user and no other PCs: nothing to listen to there.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from crm_desktop.db.engine import Database

CHANNEL = "crm_changes"
RETRY_SECONDS = 3.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableChange:
    table: str


class ChangeListener:
    def __init__(
        self,
        db: Database,
        on_change: Callable[[TableChange], None],
        *,
        on_lost: Callable[[], None] = lambda: None,
        on_back: Callable[[], None] = lambda: None,
        retry_seconds: float = RETRY_SECONDS,
    ):
        if db.is_sqlite:
            raise ValueError("only a PostgreSQL database announces changes")
        self.db, self.on_change, self.on_lost, self.on_back = db, on_change, on_lost, on_back
        self.retry_seconds = retry_seconds
        self.backend_pid: int | None = None  # the listening connection's server process
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crm-change-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait_listening(self, timeout: float = 10.0) -> bool:
        """True once LISTEN is in place (tests: a change made after this is heard)."""
        return self._listening.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # a window closed before it started has nothing to join
            self._thread.join(timeout=5)

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                self._listen(announce_back=not first)
            except Exception as exc:  # noqa: BLE001 - a dropped server is expected here; say so, retry
                log.warning("change listener lost its connection: %s", exc)
            first = False
            if self._listening.is_set():
                self._listening.clear()
                self.on_lost()
            self._stop.wait(self.retry_seconds)

    def _listen(self, *, announce_back: bool) -> None:
        with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            schema, self.backend_pid = conn.execute(text("SELECT current_schema(), pg_backend_pid()")).one()
            conn.execute(text(f"LISTEN {CHANNEL}"))
            raw = conn.connection.driver_connection
            assert raw is not None  # a live connection (it just ran the LISTEN) has its psycopg connection
            self._listening.set()
            if announce_back:
                self.on_back()
            while not self._stop.is_set():
                for note in raw.notifies(timeout=0.5, stop_after=100):
                    change = _parse(note.payload, schema)
                    if change is not None:
                        self.on_change(change)


def _parse(payload: str, schema: str) -> TableChange | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("table"), str):
        return None  # not ours: anyone may send on the channel
    if data.get("schema") != schema:
        return None  # another CRM database on the same server (or another test's schema)
    return TableChange(data["table"])
