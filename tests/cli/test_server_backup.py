"""`crm-desktop backup` and `restore` on an office server: pg_dump's export of the whole database, read
back before it is kept; restored by pg_restore into an empty database only, all or nothing. Without
PostgreSQL's programs, the app's own export (db/server_export.py): one consistent snapshot while another
connection writes, restored exactly — money, timelines, issued invoices, the audit log — with the server's
rules in force afterwards; a damaged one restores nothing."""

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
pytestmark = pytest.mark.skipif(not SERVER, reason="needs a server")
needs_pg_dump = pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump")


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


@needs_pg_dump
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


@needs_pg_dump
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


def test_restoring_pg_dumps_format_without_its_program_says_what_to_install(
    run, new_database, monkeypatch, tmp_path
):
    dump = tmp_path / "office.dump"
    dump.write_bytes(b"PGDMP" + bytes(100))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, out, err = run("--database-url", new_database(), "restore", str(dump))
    assert (code, out) == (1, "") and "pg_restore, PostgreSQL's backup program, is not installed" in err


# --- without pg_dump: the app's own export ---------------------------------------------------------------


def _full_office(url: str) -> dict:
    """Clients in three scripts with a timeline, a deal, an issued and paid invoice and tags."""
    from crm_desktop.services import activities, deals, documents, invoices, payments
    from crm_desktop.services.invoices import LineValues

    db = Database.open(url)
    try:
        ctx = ServiceContext(db)
        made = [
            clients.create(ctx, name=n, phones=["+998 90 123 45 67"], tags=["vip"])
            for n in ("Aziz Karimov", "Ёлкин Дмитрий", "محمد الأحمد")
        ]
        activities.add(ctx, made[0].id, body="Called about the website")
        deals.create(ctx, client_id=made[1].id, title="Repair", amount="1500.25")
        draft = invoices.create_draft(
            ctx, client_id=made[2].id, lines=[LineValues("Audit", 3, "", "333.3333")]
        )
        issued = documents.issue(ctx, draft.id, expected_version=draft.version)
        payments.record_payment(ctx, issued.id, amount="100.01")
        return {"invoice": issued.number}
    finally:
        db.dispose()


def _everything(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]
                for table in (
                    "clients",
                    "client_tags",
                    "client_search",
                    "activities",
                    "deals",
                    "documents",
                    "document_lines",
                    "payments",
                    "number_series",
                    "audit_log",
                    "users",
                    "company_profile",
                    "pipelines",
                    "stages",
                )
            }
    finally:
        engine.dispose()


def test_without_pg_dump_the_apps_own_export_restores_exactly(run, new_database, monkeypatch, tmp_path):
    office, empty = new_database(), new_database()
    assert run("--database-url", office, "db", "upgrade")[0] == 0
    made = _full_office(office)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, out, err = run("--database-url", office, "backup", str(tmp_path))
    assert (code, err) == (0, "") and "(the app's own export, 3 clients, " in out
    [export] = tmp_path.glob("*.zip")
    code, out, err = run("--database-url", empty, "restore", str(export))
    assert (code, err) == (0, "") and "(3 clients)" in out
    assert _everything(empty) == _everything(office)
    db = Database.open(empty)
    try:
        ctx = ServiceContext(db)
        assert clients.list_ids(ctx, clients.ClientFilter(search="Ёлкин"))  # the search index works
        added = clients.create(ctx, name="New after the restore")  # the id counters go on past the rows
        assert added.id == max(r[0] for r in _everything(office)["clients"]) + 1
        with db.engine.connect() as conn:  # the server's rules hold again: an issued invoice stays
            assert (
                conn.execute(
                    text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'")
                ).scalar()
                == 0
            )
        assert made["invoice"] in {r[2] for r in _everything(empty)["documents"]}
    finally:
        db.dispose()


def test_the_own_export_is_one_moment_while_the_office_writes(run, new_database, monkeypatch, tmp_path):
    import threading

    office, empty = new_database(), new_database()
    assert run("--database-url", office, "db", "upgrade")[0] == 0
    db = Database.open(office)
    stop = threading.Event()

    def writer() -> None:
        ctx = ServiceContext(db)
        n = 0
        while not stop.is_set():
            c = clients.create(ctx, name=f"Client {n}", tags=["busy"])
            clients.update(ctx, c.id, expected_version=c.version, notes="second save")
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        monkeypatch.setattr(shutil, "which", lambda name: None)
        assert run("--database-url", office, "backup", str(tmp_path / "office.zip"))[0] == 0
    finally:
        stop.set()
        thread.join()
        db.dispose()
    assert run("--database-url", empty, "restore", str(tmp_path / "office.zip"))[0] == 0
    engine = create_engine(empty)
    try:
        with engine.connect() as conn:
            n_clients = conn.execute(text("SELECT count(*) FROM clients")).scalar()
            # each client with its tag and its search row, and each save with its audit row: one moment
            assert conn.execute(text("SELECT count(*) FROM client_tags")).scalar() == n_clients
            assert conn.execute(text("SELECT count(*) FROM client_search")).scalar() == n_clients
            half_saved = conn.execute(text("SELECT count(*) FROM clients WHERE version = 1")).scalar()
            updates = conn.execute(
                text("SELECT count(*) FROM audit_log WHERE entity = 'clients' AND action = 'update'")
            ).scalar()
            assert updates == n_clients - half_saved
    finally:
        engine.dispose()


def test_a_damaged_own_export_restores_nothing(run, new_database, monkeypatch, tmp_path):
    import zipfile

    office, empty = new_database(), new_database()
    assert run("--database-url", office, "db", "upgrade")[0] == 0
    _full_office(office)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert run("--database-url", office, "backup", str(tmp_path / "office.zip"))[0] == 0
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(tmp_path / "office.zip") as src, zipfile.ZipFile(damaged, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/payments.copy":
                data = data + b"a line that is no payment\n"
            out.writestr(item, data)
    code, _, err = run("--database-url", empty, "restore", str(damaged))
    assert code == 1 and "the database is as empty as it was" in err
    engine = create_engine(empty)
    try:
        with engine.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
                ).scalar()
                == 0
            )
    finally:
        engine.dispose()
    assert run("--database-url", office, "restore", str(tmp_path / "office.zip"))[0] == 1  # not empty
