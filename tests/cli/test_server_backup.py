"""`crm-desktop backup` and `restore` on an office server: pg_dump's export of the whole database, read
back before it is kept; restored by pg_restore into an empty database only, all or nothing; the programs'
absence said in words."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text

from crm_desktop.db.engine import Database
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext

SERVER = os.environ.get("CRM_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER or shutil.which("pg_dump") is None, reason="needs a server and pg_dump"
)


@pytest.fixture
def new_database() -> Iterator:
    """new_database() -> the URL of a new, empty database on the test server (dropped afterwards)."""
    admin = create_engine(make_url(SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new() -> str:
        name = f"crm_bk_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(SERVER).set(database=name).render_as_string(hide_password=False)

    yield new
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _office(run, url: str) -> None:
    assert run("--database-url", url, "db", "upgrade")[0] == 0
    db = Database.open(url)
    try:
        for name in ("Aziz Karimov", "Ёлкин Дмитрий", "محمد الأحمد"):
            clients.create(ServiceContext(db), name=name)
    finally:
        db.dispose()


def test_a_server_is_backed_up_and_restored_into_an_empty_database(run, new_database, tmp_path):
    office, empty = new_database(), new_database()
    _office(run, office)
    code, out, err = run("--database-url", office, "backup", str(tmp_path))
    assert (code, err) == (0, "") and out.startswith("Backup written and checked: ") and "(pg_dump, " in out
    [dump] = tmp_path.glob("*.dump")
    code, out, err = run("--database-url", empty, "restore", str(dump))
    assert (code, err) == (0, "") and "(3 clients)" in out
    db = Database.open(empty)
    try:
        ids = clients.list_ids(ServiceContext(db), clients.ClientFilter(), limit=None)
        assert len(ids) == 3 and clients.list_ids(ServiceContext(db), clients.ClientFilter(search="Ёлкин"))
    finally:
        db.dispose()


def test_a_database_that_holds_data_is_not_restored_over(run, new_database, tmp_path):
    office = new_database()
    _office(run, office)
    assert run("--database-url", office, "backup", str(tmp_path / "office.dump"))[0] == 0
    code, _, err = run("--database-url", office, "restore", str(tmp_path / "office.dump"))
    assert code == 1 and "is not empty" in err and "createdb" in err
    not_a_dump = tmp_path / "notes.dump"
    not_a_dump.write_bytes(b"hello")
    code, _, err = run("--database-url", new_database(), "restore", str(not_a_dump))
    assert code == 1 and "is not a backup of an office server" in err


def test_without_postgresqls_programs_it_says_what_to_install(run, new_database, monkeypatch, tmp_path):
    office = new_database()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, out, err = run("--database-url", office, "backup", str(tmp_path))
    assert (code, out) == (1, "") and "pg_dump, PostgreSQL's backup program, is not installed" in err
    assert list(tmp_path.iterdir()) == []
