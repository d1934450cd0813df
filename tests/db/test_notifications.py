"""Changes committed on one PC are announced to the others (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import queue
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import upgrade
from crm_desktop.db.notifications import ChangeListener, TableChange
from crm_desktop.services import tasks
from crm_desktop.services.context import ServiceContext


@pytest.fixture
def two_pcs(postgres_url):
    here, there = Database.open(postgres_url), Database.open(postgres_url)
    upgrade(here)
    yield here, there
    here.dispose()
    there.dispose()


def test_a_task_saved_on_another_pc_is_heard_within_a_second(two_pcs):
    here, there = two_pcs
    heard: queue.Queue[TableChange] = queue.Queue()
    listener = ChangeListener(here, heard.put)
    listener.start()
    try:
        assert listener.wait_listening()
        task = tasks.create(
            ServiceContext(there), title="Call Aziz", due_at=datetime.now(UTC) + timedelta(hours=1)
        )
        assert heard.get(timeout=1.0) == TableChange("tasks")
        tasks.complete(ServiceContext(there), task.id, expected_version=task.version)
        assert heard.get(timeout=1.0) == TableChange("tasks")
    finally:
        listener.stop()


def test_a_lost_connection_is_said_and_after_reconnecting_too(two_pcs, postgres_url):
    here, _ = two_pcs
    events: queue.Queue[str] = queue.Queue()
    listener = ChangeListener(
        here,
        lambda change: events.put("change"),
        on_lost=lambda: events.put("lost"),
        on_back=lambda: events.put("back"),
        retry_seconds=0.1,
    )
    listener.start()
    try:
        assert listener.wait_listening()
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # the network drops, or the server restarts
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener.backend_pid})
        admin.dispose()
        assert events.get(timeout=5) == "lost"
        assert (
            events.get(timeout=5) == "back"
        )  # whoever listens reloads: what happened meanwhile was not heard
    finally:
        listener.stop()


def test_sqlite_has_no_other_pcs_to_hear(sqlite_db):
    with pytest.raises(ValueError, match="PostgreSQL"):
        ChangeListener(sqlite_db, lambda change: None)
