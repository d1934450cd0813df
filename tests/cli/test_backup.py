"""`crm-desktop backup [FILE]`: a checked copy of the database file, in the backups folder or where asked;
refused in words where it would do harm or cannot be done."""

from __future__ import annotations

import sqlite3

from crm_desktop.db.engine import Database
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext


def _clients_in(path) -> int:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM clients").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_lands_in_the_backups_folder_checked_and_says_what_it_holds(run, tmp_path):
    assert run("demo-data", "--clients", "12")[0] == 0
    code, out, err = run("backup")
    assert (code, err) == (0, "")
    [written] = (tmp_path / "home" / "data" / "backups").iterdir()
    assert written.name.startswith("crm-") and written.suffix == ".sqlite3"
    assert (
        out.startswith(f"Backup written and checked: {written} (12 clients, ") and _clients_in(written) == 12
    )


def test_a_backup_goes_to_the_file_or_into_the_folder_asked_for(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    assert run("--database-url", url, "db", "upgrade")[0] == 0
    db = Database.open(url)
    try:
        clients.create(ServiceContext(db), name="Aziz Karimov")
    finally:
        db.dispose()
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run("--database-url", url, "backup", str(usb / "monday.sqlite3"))[0] == 0
    assert run("backup", str(usb), "--database-url", url)[0] == 0
    names = sorted(p.name for p in usb.iterdir())
    assert names[0] == "monday.sqlite3" and names[1].startswith("office-") and len(names) == 2
    assert all(_clients_in(usb / name) == 1 for name in names)


def test_refused_over_the_database_itself_on_a_missing_file_and_for_a_server(run, tmp_path, postgres_url):
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    assert run("--database-url", url, "db", "upgrade")[0] == 0
    code, out, err = run("--database-url", url, "backup", str(tmp_path / "office.sqlite3"))
    assert (code, out) == (1, "") and "over the database itself" in err
    assert _clients_in(tmp_path / "office.sqlite3") == 0  # still the database it was
    code, _, err = run("--database-url", f"sqlite:///{tmp_path / 'typo.sqlite3'}", "backup")
    assert code == 1 and "There is no database at" in err and not (tmp_path / "typo.sqlite3").exists()
    code, _, err = run("--database-url", postgres_url, "backup")
    assert code == 1 and "pg_dump" in err and "office server" in err
