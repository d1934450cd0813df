"""Backups from the window: Back up now (proven by its restore drill), the state Settings shows, and a
restore from a chosen backup — checked first, the database as it was kept aside, every view told."""

from __future__ import annotations

import sqlite3

import pytest

from crm_desktop.services import backups, clients
from crm_desktop.services.errors import ValidationError


def test_back_up_now_is_proven_and_shown(sqlite_ctx, tmp_path):
    clients.create(sqlite_ctx, name="Aziz Karimov")
    folder = tmp_path / "usb"
    done = backups.back_up(sqlite_ctx, folder)
    assert done.drill.proven and done.made.rows["clients"] == 1 and done.made.path.parent == folder
    state = backups.status(sqlite_ctx, folder)
    assert state.last is not None and state.last_proven is not None
    assert not backups.is_due(sqlite_ctx, folder)


def test_a_restore_puts_the_backup_back_and_keeps_the_database_as_it_was(sqlite_ctx, tmp_path):
    clients.create(sqlite_ctx, name="Aziz Karimov")
    made = backups.back_up(sqlite_ctx, tmp_path / "usb").made
    clients.create(sqlite_ctx, name="Added after the backup")
    heard = []
    sqlite_ctx.listeners.append(heard.append)

    done = backups.restore(sqlite_ctx, made.path)

    assert done.clients == 1 and clients.count(sqlite_ctx) == 1  # the open database reads the restored data
    conn = sqlite3.connect(done.aside)
    try:
        assert conn.execute("SELECT count(*) FROM clients").fetchone()[0] == 2
    finally:
        conn.close()
    assert heard and "clients" in heard[-1].unknown  # every view reads again


def test_what_is_no_backup_is_refused_before_anything_changes(sqlite_ctx, tmp_path):
    clients.create(sqlite_ctx, name="Aziz Karimov")
    not_a_backup = tmp_path / "notes.sqlite3"
    not_a_backup.write_bytes(b"hello")
    with pytest.raises(ValidationError, match="not a CRM Desktop backup|damaged"):
        backups.restore(sqlite_ctx, not_a_backup)
    with pytest.raises(ValidationError, match="There is no backup"):
        backups.restore(sqlite_ctx, tmp_path / "missing.sqlite3")
    with pytest.raises(ValidationError, match="the database itself"):
        backups.restore(sqlite_ctx, sqlite_ctx.db.sqlite_path)
    assert clients.count(sqlite_ctx) == 1
