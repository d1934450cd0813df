"""How the databases are opened: pragmas, write locking, and the messages for bad databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from crm_desktop.db.connect import open_database
from crm_desktop.db.engine import Database, DatabaseOpenError
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext


def test_sqlite_connections_use_wal_foreign_keys_and_full_sync(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 2}


def test_read_then_write_never_fails_when_another_writer_commits_in_between(sqlite_db):
    """BEGIN IMMEDIATE: the second unit of work waits for the first instead of failing half way."""
    ctx = ServiceContext(sqlite_db)
    client = clients.create(ctx, name="Counter", notes="0")
    inside_first = threading.Event()
    errors: list[BaseException] = []

    def slow_increment() -> None:
        try:
            with sqlite_db.write() as s:
                value = int(
                    s.execute(text("SELECT notes FROM clients WHERE id = :i"), {"i": client.id}).scalar()
                )
                inside_first.set()
                threading.Event().wait(0.2)  # hold the write lock while the other thread tries
                s.execute(
                    text("UPDATE clients SET notes = :n WHERE id = :i"), {"n": str(value + 1), "i": client.id}
                )
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    worker = threading.Thread(target=slow_increment)
    worker.start()
    inside_first.wait(5)
    with sqlite_db.write() as s:  # would be "database is locked" on upgrade with a plain BEGIN
        value = int(s.execute(text("SELECT notes FROM clients WHERE id = :i"), {"i": client.id}).scalar())
        s.execute(text("UPDATE clients SET notes = :n WHERE id = :i"), {"n": str(value + 1), "i": client.id})
    worker.join()
    assert errors == []
    assert clients.get(ctx, client.id).notes == "2"  # neither increment was lost


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("Dear customer, this is not a database.\n" * 100)
    with pytest.raises(DatabaseOpenError, match="not a CRM Desktop database"):
        open_database(f"sqlite:///{path}")


def test_unreachable_server_is_explained():
    with pytest.raises(DatabaseOpenError, match="Cannot reach the database server"):
        open_database("postgresql://crm@127.0.0.1:1/office")


def test_unsupported_database_kind_is_refused():
    with pytest.raises(DatabaseOpenError, match="Unsupported database 'mysql'"):
        Database.open("mysql://office/crm")


@pytest.mark.postgres_only
def test_missing_server_database_is_explained(postgres_url):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(database="crm_no_such_database").render_as_string(hide_password=False)
    with pytest.raises(DatabaseOpenError, match="does not exist on the server"):
        open_database(url)


def test_a_save_waits_out_a_long_write_lock_then_gives_up_only_at_the_overall_bound(sqlite_db, monkeypatch):
    """Another program holds the write lock longer than SQLite's busy wait (10 s, lowered here to keep the
    test short; a save used to give up after it): the save waits its turn and succeeds. It still gives
    up, with DatabaseBusy, once the overall bound has passed."""
    import sqlite3
    import time

    from crm_desktop.db import engine
    from crm_desktop.services import tasks
    from crm_desktop.services.context import DatabaseBusy

    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    sqlite_db.dispose()  # new connections take the lowered busy wait
    ctx = ServiceContext(sqlite_db)
    other = sqlite3.connect(sqlite_db.engine.url.database, isolation_level=None, check_same_thread=False)
    release = threading.Timer(1.0, other.execute, ("COMMIT",))
    try:
        other.execute("BEGIN IMMEDIATE")
        release.start()
        started = time.monotonic()
        task = tasks.create(ctx, title="Call back Dilnoza")  # DatabaseBusy after 0.2 s before the fix
        assert time.monotonic() - started >= 0.9  # it did wait for the other program
        release.join()
        assert [t.title for t in tasks.list_tasks(ctx, tasks.TaskFilter(status="open"))] == [task.title]

        monkeypatch.setattr(engine, "WRITE_LOCK_WAIT_S", 0.5)
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="busy with another save"):
            tasks.create(ctx, title="Never saved")
        assert time.monotonic() - started < 5
        other.execute("COMMIT")
    finally:
        release.cancel()
        release.join()
        other.close()
