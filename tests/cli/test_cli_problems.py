"""Bad databases on the command line: one line that says what is wrong and what to do, a non-zero exit
code, the details in the log — and never a success printed for data that was not kept.
Spans cli/__init__.py (errors in words), cli/db.py (opening) and db/problems.py."""

from __future__ import annotations

import json
import sqlite3

import pytest

from crm_desktop.db.migrate import head_revision

ADD = ("tasks", "add", "--title", "Call back Dilnoza", "--due", "2026-11-25T09:00")


def one_line(err: str) -> str:
    assert err.startswith("crm-desktop: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert "unexpected" not in err and "[SQL:" not in err, err
    return err.removeprefix("crm-desktop: error: ").strip()


def log_of(tmp_path) -> str:
    return (tmp_path / "home" / "logs" / "crm-desktop.log").read_text()


@pytest.mark.parametrize(
    "url, words",
    [
        ("db:/crm", "'db:/crm' given with --database-url is not a database URL. Write sqlite:///"),
        ("sqlite:/x", "'sqlite:/x' given with --database-url is not a database URL"),
        ("sqlite://crm.sqlite3", "names no file: a SQLite URL has three slashes before the path"),
        ("sqlite://", "is an in-memory database: whatever is saved in it is lost"),
    ],
)
def test_a_wrong_url_is_named_in_one_line(run, url, words):
    code, out, err = run("--database-url", url, *ADD)
    assert (code, out) == (1, "")
    assert words in one_line(err)


def test_a_wrong_url_in_the_environment_names_the_variable_and_stores_nothing(run, monkeypatch):
    monkeypatch.setenv("CRM_DESKTOP_DATABASE_URL", "sqlite://")  # used to keep the task in memory, "saved"
    code, out, err = run(*ADD)
    assert (code, out) == (1, "")
    assert "'sqlite://' in the environment variable CRM_DESKTOP_DATABASE_URL is an in-memory" in one_line(err)
    monkeypatch.setenv("CRM_DESKTOP_DATABASE_URL", "db:/crm")
    assert "'db:/crm' in the environment variable CRM_DESKTOP_DATABASE_URL" in one_line(run(*ADD)[2])


def test_a_wrong_url_in_the_settings_file_names_the_file(run, tmp_path):
    settings = tmp_path / "home" / "config" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"database_url": "sqlite://crm.sqlite3"}))
    code, _, err = run(*ADD)
    assert code == 1 and f"'sqlite://crm.sqlite3' in the settings file {settings} names no file" in one_line(
        err
    )


def test_a_path_under_a_file_and_a_folder_are_named(run, tmp_path):
    (tmp_path / "office").write_text("")
    code, _, err = run("--database-url", f"sqlite:///{tmp_path / 'office' / 'crm.sqlite3'}", *ADD)
    assert code == 1 and f"{tmp_path / 'office'} is a file, not a folder" in one_line(err)
    code, _, err = run("--database-url", f"sqlite:///{tmp_path}", *ADD)
    assert code == 1 and f"{tmp_path} is a folder, not a database file" in one_line(err)


def test_a_one_byte_file_is_not_made_into_a_database(run, tmp_path):
    path = tmp_path / "crm.sqlite3"
    path.write_bytes(b"\n")
    code, out, err = run("--database-url", f"sqlite:///{path}", *ADD)
    assert (code, out) == (1, "") and "is not a CRM Desktop database" in one_line(err)
    assert path.read_bytes() == b"\n"


def damaged_office(run, tmp_path):
    path = tmp_path / "office.sqlite3"
    url = f"sqlite:///{path}"
    assert run("--database-url", url, "demo-data", "--clients", "300")[0] == 0
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'clients'").fetchone()[0]
    with path.open("r+b") as file:  # a bad sector in the clients table, which adding a task never reads
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 12)
    return path, url


@pytest.mark.parametrize("command", [ADD, ("db", "upgrade")])
def test_a_damaged_file_is_refused_with_advice_and_the_details_logged(run, tmp_path, command):
    path, url = damaged_office(run, tmp_path)
    before = path.read_bytes()
    code, out, err = run("--database-url", url, *command)  # both used to exit 0
    assert (code, out) == (1, "")
    line = one_line(err)
    assert (
        f"{path} is damaged" in line
        and "Restore your latest backup" in line
        and "Details were written" in line
    )
    assert "malformed" in log_of(tmp_path) and path.read_bytes() == before


def test_a_save_to_a_read_only_file_is_one_line_and_the_log_has_the_details(run, tmp_path, make_read_only):
    path = tmp_path / "office.sqlite3"
    assert run("--database-url", f"sqlite:///{path}", "db", "upgrade")[0] == 0
    make_read_only(path)
    code, out, err = run("--database-url", f"sqlite:///{path}", *ADD)
    assert (code, out) == (1, "")
    assert one_line(err).startswith(f"{path} is read-only; nothing was changed. Make the file writable")
    assert "attempt to write a readonly database" in log_of(tmp_path) and "Traceback" in log_of(tmp_path)
    assert run("--database-url", f"sqlite:///{path}", "tasks", "list")[0] == 0  # reading it still works


def test_every_write_on_a_full_disk_is_one_line(run, tmp_path, small_disk):
    path = small_disk.path / "office.sqlite3"
    url = f"sqlite:///{path}"
    assert run("--database-url", url, "db", "upgrade")[0] == 0
    small_disk.fill(leave=48 << 10)  # room to open the file, not to write much
    for command in (ADD, ("demo-data", "--clients", "300")):
        code, out, err = run("--database-url", url, *command)
        assert (code, out) == (1, "")
        assert "is full; nothing was changed. Free some space on it" in one_line(err)
    small_disk.fill()
    code, _, err = run("--database-url", url, *ADD)  # not even room to open it
    assert code == 1 and f"The disk that holds {path} is full" in one_line(err)


def test_a_full_disk_during_db_upgrade_leaves_no_empty_backup(run, tmp_path, small_disk):
    path = small_disk.path / "office.sqlite3"
    conn = sqlite3.connect(path)  # a SQLite file with someone's data: it is backed up first
    with conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.executemany("INSERT INTO notes VALUES (?)", [("n" * 1000,)] * 1500)
    conn.close()
    before = path.read_bytes()
    small_disk.fill(leave=256 << 10)
    code, out, err = run("--database-url", f"sqlite:///{path}", "db", "upgrade")
    assert (code, out) == (1, "")
    assert "not enough free space for the backup" in one_line(err)
    assert sorted(p.name for p in small_disk.path.iterdir()) == ["filler", "office.sqlite3"]
    assert path.read_bytes() == before


def test_with_the_log_on_the_full_disk_too_the_error_is_still_one_line(tmp_path, small_disk, capsys):
    from crm_desktop.cli import main

    path = small_disk.path / "office.sqlite3"
    home = ["--base-dir", str(small_disk.path / "home")]  # the default layout: data and log on one disk
    assert main([*home, "--database-url", f"sqlite:///{path}", "db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"{head_revision()}\n"
    small_disk.fill()
    assert main([*home, "--database-url", f"sqlite:///{path}", *ADD]) == 1
    err = capsys.readouterr().err
    assert "is full" in one_line(err) and "Details were written" not in err  # the log could not take them


def test_a_bug_with_a_long_database_message_is_still_one_line(run, tmp_path, monkeypatch, sqlite_url):
    from sqlalchemy.exc import OperationalError

    def broken(*_args, **_kwargs):
        raise OperationalError(
            "SELECT fold(name) FROM clients", {"limit": 50}, Exception("no such function: fold")
        )

    monkeypatch.setattr("crm_desktop.services.clients.list_ids", broken)
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    code, _, err = run("--database-url", sqlite_url, "clients", "list")
    assert (
        code == 1
        and err.count("\n") == 1
        and "unexpected OperationalError: (builtins.Exception) no such function: fold." in err
    )
    assert "SELECT fold(name) FROM clients" in log_of(tmp_path)  # the SQL is in the log, not on the screen
