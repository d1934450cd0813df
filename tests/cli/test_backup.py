"""`crm-desktop backup [FILE]`: a checked copy of the database file, in the backups folder or where asked;
refused in words where it would do harm or cannot be done."""

from __future__ import annotations

import sqlite3

from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import upgrade
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


def test_refused_over_the_database_itself_and_on_a_missing_file(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    assert run("--database-url", url, "db", "upgrade")[0] == 0
    code, out, err = run("--database-url", url, "backup", str(tmp_path / "office.sqlite3"))
    assert (code, out) == (1, "") and "over the database itself" in err
    assert _clients_in(tmp_path / "office.sqlite3") == 0  # still the database it was
    code, _, err = run("--database-url", f"sqlite:///{tmp_path / 'typo.sqlite3'}", "backup")
    assert code == 1 and "There is no database at" in err and not (tmp_path / "typo.sqlite3").exists()


def _office(tmp_path, *names: str) -> str:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    db = Database.open(url)
    try:
        upgrade(db)
        for name in names:
            clients.create(ServiceContext(db), name=name)
    finally:
        db.dispose()
    return url


def test_a_restore_puts_the_backup_back_keeps_the_database_aside_and_an_open_app_sees_it(run, tmp_path):
    url = _office(tmp_path, "Aziz Karimov", "Zarina Rahimova")
    assert run("--database-url", url, "backup", str(tmp_path / "friday.sqlite3"))[0] == 0
    app = Database.open(url)  # the window, still open on the database
    try:
        ctx = ServiceContext(app)
        clients.create(ctx, name="Typed after the backup")
        assert len(clients.list_ids(ctx, limit=None)) == 3
        code, out, err = run("--database-url", url, "restore", str(tmp_path / "friday.sqlite3"), "--yes")
        assert (code, err) == (0, "") and "(2 clients)" in out
        assert len(clients.list_ids(ctx, limit=None)) == 2  # the open window reads the restored data
        clients.create(ctx, name="Typed after the restore")  # and goes on saving into it
        assert len(clients.list_ids(ctx, limit=None)) == 3
    finally:
        app.dispose()
    [aside] = tmp_path.glob("office.before-restore.*.sqlite3")
    assert str(aside) in out and _clients_in(aside) == 3 and _clients_in(tmp_path / "office.sqlite3") == 3


def test_a_restore_asks_before_replacing_data_and_refuses_what_is_no_whole_backup(run, tmp_path):
    url = _office(tmp_path, "Aziz Karimov")
    backup = tmp_path / "b.sqlite3"
    assert run("--database-url", url, "backup", str(backup))[0] == 0
    code, _, err = run("--database-url", url, "restore", str(backup))  # no terminal to answer, no --yes
    assert code == 1 and "--yes" in err
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    not_ours = tmp_path / "other.sqlite3"
    sqlite3.connect(not_ours).execute("CREATE TABLE t (x)").connection.close()
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(backup.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    for file, words in (
        (damaged, "damaged"),
        (not_ours, "not a CRM Desktop backup"),
        (newer, "newer version of CRM Desktop"),
        (tmp_path / "missing.sqlite3", "There is no backup at"),
    ):
        code, out, err = run("--database-url", url, "restore", str(file), "--yes")
        assert (code, out) == (1, "") and words in err, (file, err)
    assert _clients_in(tmp_path / "office.sqlite3") == 1 and not list(tmp_path.glob("*.before-restore.*"))


def test_a_backup_is_restored_onto_a_new_pc(run, tmp_path):
    url = _office(tmp_path, "Aziz Karimov")
    assert run("--database-url", url, "backup", str(tmp_path / "b.sqlite3"))[0] == 0
    new_pc = tmp_path / "new-pc" / "crm.sqlite3"
    code, out, _ = run("--database-url", f"sqlite:///{new_pc}", "restore", str(tmp_path / "b.sqlite3"))
    assert code == 0 and _clients_in(new_pc) == 1 and "kept at" not in out
