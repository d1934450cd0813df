"""Databases a user cannot work in — wrong URLs, paths, files, damage, read-only files, full disks — are
refused or reported in words, and nothing is lost, faked or written over on the way.

Spans db/connect.py, db/engine.py, db/problems.py, db/sqlite_file.py and services/context.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from damaged_files import damage_the_clients_table
from revisions import upgrade_to
from sqlalchemy import text

from crm_desktop.db import sqlite_file
from crm_desktop.db.connect import open_database
from crm_desktop.db.engine import Database, DatabaseOpenError
from crm_desktop.db.migrate import head_revision
from crm_desktop.services import clients, demo, tasks
from crm_desktop.services.context import DatabaseDamaged, DatabaseReadOnly, DiskFull, ServiceContext


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_office(path: Path, *, clients_: int = 0) -> None:
    """A CRM database at head (with demo clients), closed, so all of it is in the one file."""
    opened = open_database(f"sqlite:///{path}")
    if clients_:
        demo.generate(opened.db, clients=clients_)
    opened.db.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file::memory:?uri=true",
        "sqlite:///file:office?mode=memory&uri=true",
    ],
)
def test_an_in_memory_database_is_refused_instead_of_losing_what_is_saved(url):
    with pytest.raises(DatabaseOpenError, match="in-memory database: whatever is saved in it is lost"):
        open_database(url)


@pytest.mark.parametrize("content", [b"x", b"\n"])
def test_only_an_empty_file_or_a_database_is_written_to_never_a_file_with_something_else(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)  # e.g. `echo > notes.txt`; SQLite takes a 1-byte file for an empty database
    with pytest.raises(DatabaseOpenError, match="is not a CRM Desktop database .* left as it is"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == content
    path.write_bytes(b"")
    opened = open_database(f"sqlite:///{path}")  # an empty file is a new database
    opened.db.dispose()
    assert opened.upgrade.after == head_revision()


def test_a_folder_is_named_as_a_folder(tmp_path):
    with pytest.raises(
        DatabaseOpenError, match=r"is a folder, not a database file\. Give the path of a file"
    ):
        open_database(f"sqlite:///{tmp_path}")


def test_a_parent_that_is_a_file_is_named(tmp_path):
    (tmp_path / "office").write_text("a file where a folder was meant")
    with pytest.raises(DatabaseOpenError, match=f"{tmp_path / 'office'} is a file, not a folder"):
        open_database(f"sqlite:///{tmp_path / 'office' / 'data' / 'crm.sqlite3'}")


def test_a_damaged_file_is_refused_at_opening_and_left_as_it_is(tmp_path):
    path = tmp_path / "office.sqlite3"
    make_office(path, clients_=300)
    damage_the_clients_table(path)
    before = sha256(path)
    with pytest.raises(DatabaseOpenError, match="is damaged .* Restore your latest backup") as refused:
        open_database(f"sqlite:///{path}")  # a task added here used to be saved as if all were well
    assert refused.value.__cause__ is not None  # what SQLite found, for the log
    assert sha256(path) == before


def test_a_big_file_cut_short_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    path = tmp_path / "office.sqlite3"
    make_office(path, clients_=300)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)  # a copy that stopped half way
    monkeypatch.setattr(
        sqlite_file, "QUICK_CHECK_MAX_BYTES", 0
    )  # as if the file were too big for quick_check
    with pytest.raises(DatabaseOpenError, match="is damaged"):
        open_database(f"sqlite:///{path}")


def test_damage_met_while_reading_is_said_in_words_not_as_a_bug(tmp_path):
    """Damage the open-time check did not read (a big file, or damage since) surfaces on a read too."""
    path = tmp_path / "office.sqlite3"
    make_office(path, clients_=300)
    opened = open_database(f"sqlite:///{path}")
    damage_the_clients_table(path)
    opened.db.engine.dispose()  # the next connection reads the damaged page from the file
    with pytest.raises(DatabaseDamaged, match="is damaged .* Restore your latest backup"):
        clients.get(ServiceContext(opened.db), 1)
    opened.db.dispose()


def test_a_save_to_a_read_only_file_says_so_and_reading_still_works(tmp_path, make_read_only):
    path = tmp_path / "office.sqlite3"
    opened = open_database(f"sqlite:///{path}")
    clients.create(ServiceContext(opened.db), name="Nodira Yusupova")
    opened.db.dispose()
    make_read_only(path)
    opened = open_database(f"sqlite:///{path}")
    ctx = ServiceContext(opened.db)
    try:
        assert [c.name for c in clients.list_clients(ctx, limit=None)] == ["Nodira Yusupova"]
        with pytest.raises(
            DatabaseReadOnly, match=f"{path} is read-only; nothing was changed. Make the file writable"
        ):
            clients.create(ctx, name="Rashad Aliyev")
    finally:
        opened.db.dispose()


def test_an_upgrade_of_a_read_only_file_is_refused_before_any_backup(tmp_path, make_read_only):
    path = tmp_path / "office.sqlite3"
    old_office(path)
    make_read_only(path)
    with pytest.raises(
        DatabaseOpenError, match="is read-only, and this CRM Desktop must first bring its schema"
    ):
        open_database(f"sqlite:///{path}")
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == []


def test_a_database_on_a_read_only_drive_says_the_folder_cannot_be_written(small_disk):
    path = small_disk.path / "office.sqlite3"
    make_office(path)
    small_disk.make_read_only()
    with pytest.raises(
        DatabaseOpenError, match="its folder cannot be written to, and SQLite keeps working files"
    ):
        open_database(f"sqlite:///{path}")


def test_a_save_on_a_full_disk_says_so_and_works_once_there_is_room(small_disk):
    path = small_disk.path / "office.sqlite3"
    make_office(path)  # closed: the next opening starts an empty write-ahead log that must grow
    opened = open_database(f"sqlite:///{path}")
    ctx = ServiceContext(opened.db)
    try:
        clients.list_clients(ctx, limit=1)
        small_disk.fill()
        with pytest.raises(
            DiskFull, match=f"The disk that holds {path} is full; nothing was changed. Free some"
        ):
            tasks.create(ctx, title="Call back Dilnoza")
        (small_disk.path / "filler").unlink()
        tasks.create(ctx, title="Call back Dilnoza")
        assert [t.title for t in tasks.list_tasks(ctx, tasks.TaskFilter(status="open"))] == [
            "Call back Dilnoza"
        ]
    finally:
        opened.db.dispose()


def test_opening_on_a_full_disk_says_the_disk_is_full(small_disk):
    path = small_disk.path / "office.sqlite3"
    make_office(path)
    small_disk.fill()
    with pytest.raises(DatabaseOpenError, match=f"The disk that holds {path} is full"):
        open_database(f"sqlite:///{path}")


def old_office(path: Path, *, notes_kb: int = 0) -> None:
    """A CRM database of the first schema (with `notes_kb` of other data), closed."""
    db = Database.open(f"sqlite:///{path}")
    with db.engine.begin() as conn:
        upgrade_to(conn, "0001_schema_v1")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE office_notes (body TEXT)"))
        for _ in range(notes_kb):
            conn.execute(text("INSERT INTO office_notes VALUES (:body)"), {"body": "n" * 1000})
    db.dispose()


def test_a_full_disk_during_the_upgrade_backup_leaves_no_partial_backup_and_the_file_as_it_was(small_disk):
    path = small_disk.path / "office.sqlite3"
    old_office(path, notes_kb=1500)
    before = sha256(path)
    small_disk.fill(leave=256 << 10)  # room to open the file, not to copy it
    with pytest.raises(
        DatabaseOpenError, match="not enough free space for the backup .* nothing was changed"
    ):
        open_database(f"sqlite:///{path}")
    assert sorted(p.name for p in small_disk.path.iterdir()) == ["filler", "office.sqlite3"]
    assert sha256(path) == before
    (small_disk.path / "filler").unlink()
    opened = open_database(f"sqlite:///{path}")  # with room, the same upgrade goes through, backup first
    opened.db.dispose()
    assert opened.upgrade.backup is not None and opened.upgrade.backup.is_file()


@pytest.mark.postgres_only
def test_a_save_to_a_read_only_server_says_so(postgres_url):
    from sqlalchemy.engine import make_url

    opened = open_database(postgres_url)
    opened.db.dispose()
    url = make_url(postgres_url)
    options = url.query["options"] + " -cdefault_transaction_read_only=on"  # as on a standby server
    db = Database.open(url.update_query_dict({"options": options}))
    try:
        with pytest.raises(DatabaseReadOnly, match="accepts no changes now .* Ask your administrator"):
            clients.create(ServiceContext(db), name="Nodira Yusupova")
    finally:
        db.dispose()
