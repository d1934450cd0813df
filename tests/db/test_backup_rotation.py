"""Automatic backups: one a day into the folder, the last 7 days' and the last 4 weeks' kept (files of
other names never touched), each proven by a restore drill that catches a damaged or changed copy."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from crm_desktop.db import backup_rotation as rotation


@pytest.fixture
def office(tmp_path):
    path = tmp_path / "crm.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO clients (name) VALUES (?)", [("Aziz",), ("Dilnoza",)])
    conn.commit()
    conn.close()
    return path


def _fake(office, folder, at: datetime):
    path = folder / rotation._name(office, at)
    path.write_bytes(b"")
    return path


def test_the_days_backup_is_made_once_and_proven(office, tmp_path):
    folder = tmp_path / "usb"
    now = datetime(2027, 3, 10, 9, 30)
    assert rotation.is_due(office, folder, now)
    made = rotation.make(office, folder, now)
    assert made.path.name == "crm-auto-2027-03-10-093000.sqlite3" and made.rows["clients"] == 2
    assert not rotation.is_due(office, folder, now + timedelta(hours=5))
    assert rotation.is_due(office, folder, now + timedelta(days=1))
    drill = rotation.drill(office, folder, made.path, now)
    assert drill.proven
    state = rotation.state(office, folder)
    assert state.last is not None and state.last.path == made.path
    assert state.last_proven is not None and state.last_proven.at == now


def test_the_last_seven_days_and_four_weeks_are_kept(office, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2027, 1, 1, 8, 0)
    made = [_fake(office, folder, start + timedelta(days=d)) for d in range(60)]
    twice = _fake(office, folder, start + timedelta(days=59, hours=3))  # the same day again, later
    other = folder / "crm-monday.sqlite3"
    other.write_bytes(b"mine")
    gone = rotation.rotate(office, folder)
    kept = [p for _, p in rotation.backups(office, folder)]
    days = sorted({datetime.strptime(p.name[9:26], "%Y-%m-%d-%H%M%S").date() for p in kept})
    assert len(kept) == 7 + 4 and twice in kept and made[59] not in kept  # the newest of a day
    assert days[-7:] == [(start + timedelta(days=d)).date() for d in range(53, 60)]
    weekly = days[:-7]
    assert len({d.isocalendar()[1] for d in weekly}) == 4 and all(
        d.weekday() == 6 or d == days[-8] for d in weekly
    )
    assert other.exists() and set(gone) == set(made[:60]) - set(kept)


def test_the_drill_catches_a_backup_that_does_not_hold_what_it_did(office, tmp_path):
    folder = tmp_path / "backups"
    made = rotation.make(office, folder, datetime(2027, 3, 10, 9, 0))
    conn = sqlite3.connect(made.path)
    conn.execute("DELETE FROM clients WHERE name = 'Aziz'")
    conn.commit()
    conn.close()
    drill = rotation.drill(office, folder, made.path, datetime(2027, 3, 10, 9, 1))
    assert not drill.proven and "rows differ" in drill.problem
    made.path.write_bytes(b"not a database any more")
    assert not rotation.drill(office, folder, made.path, datetime(2027, 3, 10, 9, 2)).proven
    state = rotation.state(office, folder)
    assert state.last_proven is None and state.last_drill is not None and not state.last_drill.proven
