"""A backup is a proven copy of one moment of the database, even while others commit, and a failed one
leaves the previous backup of that name as it was."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from crm_desktop.db.backup import copy_verified
from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import HEAD, current_revision
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext


def _integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_taken_while_another_thread_commits_1000_times_is_one_consistent_moment(sqlite_db, tmp_path):
    ctx = ServiceContext(sqlite_db)
    first = clients.create(ctx, name="Mijoz 0").id
    for i in range(1, 50):
        clients.create(ctx, name=f"Mijoz {i}")
    source = sqlite_db.sqlite_path
    committed = threading.Event()
    writes = 0

    def commit_1000_times() -> None:
        nonlocal writes
        conn = sqlite3.connect(source, isolation_level=None, timeout=30)
        try:
            for n in range(1000):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO client_tags (client_id, tag) VALUES (?, ?)", (first, f"tag-{n}"))
                conn.execute("COMMIT")
                writes += 1
                if n == 10:
                    committed.set()
        finally:
            conn.close()

    writer = threading.Thread(target=commit_1000_times)
    writer.start()
    committed.wait(10)
    copies = [copy_verified(source, tmp_path / f"copy-{k}.sqlite3") for k in range(5)]
    writer.join()
    assert writes == 1000
    for copy in copies:
        assert _integrity(copy.path) == "ok"
        with sqlite3.connect(copy.path) as conn:
            assert conn.execute("SELECT count(*) FROM client_tags").fetchone()[0] == copy.rows["client_tags"]
        assert copy.rows["clients"] == 50
        opened = Database.open(f"sqlite:///{copy.path}")  # the app opens it as the database it was
        try:
            assert current_revision(opened) == HEAD
            assert len(clients.list_ids(ServiceContext(opened), limit=None)) == 50
        finally:
            opened.dispose()
    assert sorted(c.rows["client_tags"] for c in copies) == [c.rows["client_tags"] for c in copies]  # in turn


def test_a_full_disk_while_writing_a_backup_leaves_the_previous_one_intact(sqlite_db, small_disk):
    ctx = ServiceContext(sqlite_db)
    clients.create(ctx, name="Aziz Karimov")
    target = small_disk.path / "crm-backup.sqlite3"
    copy_verified(sqlite_db.sqlite_path, target)
    before = target.read_bytes()
    clients.create(ctx, name="Zarina Rahimova", notes="x" * 100_000)
    small_disk.fill(leave=4096)
    with pytest.raises((OSError, sqlite3.Error)):
        copy_verified(sqlite_db.sqlite_path, target)
    assert target.read_bytes() == before and _integrity(target) == "ok"
    assert sorted(p.name for p in small_disk.path.iterdir()) == ["crm-backup.sqlite3", "filler"]  # no .part
