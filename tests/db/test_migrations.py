"""Schema creation and upgrades: what a user sees when the app opens a database.

Spans db/migrate.py, db/connect.py and migrations/: the runner, the start that uses it, and the revisions.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import SchemaTooNew, current_revision, head_revision, migrations_dir, upgrade
from crm_desktop.db.models import Activity, Base, Client, Deal, Pipeline, Stage, User
from crm_desktop.db.search_index import is_search_index_object

ROOT = Path(__file__).resolve().parents[2]


def test_models_and_migrations_agree(db):
    def include(obj, name, type_, reflected, compare_to):
        return not is_search_index_object(name, type_)

    with db.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        diff = compare_metadata(mc, Base.metadata)
    assert diff == [], f"models and migrations differ; write a new revision: {diff}"


def test_new_database_gets_schema_and_starting_data(db_url):
    db = Database.open(db_url)
    try:
        assert current_revision(db) is None
        result = upgrade(db)
        assert (result.before, result.after, result.backup) == (None, head_revision(), None)
        assert current_revision(db) == head_revision()
        with db.read() as s:
            assert s.scalar(select(User.username).where(User.id == 1)) == "owner"
            assert s.scalar(select(Pipeline.name)) == "Sales"
            stages = s.execute(select(Stage.name, Stage.is_won, Stage.is_lost).order_by(Stage.position)).all()
        assert [name for name, *_ in stages] == ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
        assert stages[4][1] and stages[5][2]
        again = upgrade(db)
        assert (again.before, again.after, again.backup) == (head_revision(), head_revision(), None)
    finally:
        db.dispose()


def test_database_from_a_newer_app_is_refused(db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaTooNew, match="newer version of CRM Desktop"):
        upgrade(db)


def test_audit_log_cannot_be_rewritten(db):
    from sqlalchemy.exc import DBAPIError

    from crm_desktop.services import clients
    from crm_desktop.services.context import ServiceContext

    clients.create(ServiceContext(db), name="Audited")
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_non_empty_sqlite_file_is_backed_up_before_migrating(tmp_path):
    path = tmp_path / "office.sqlite3"
    with sqlite3.connect(path) as conn:  # a database someone already keeps data in
        conn.execute("CREATE TABLE notes_from_before (body TEXT)")
        conn.execute("INSERT INTO notes_from_before VALUES ('keep me')")
    db = Database.open(f"sqlite:///{path}")
    try:
        result = upgrade(db)
    finally:
        db.dispose()
    assert result.backup is not None and result.backup.parent == tmp_path
    with sqlite3.connect(result.backup) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert backup.execute("SELECT body FROM notes_from_before").fetchall() == [("keep me",)]
        assert "clients" not in {r[0] for r in backup.execute("SELECT name FROM sqlite_master")}


def test_empty_new_sqlite_file_needs_no_backup(tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        assert upgrade(db).backup is None
    finally:
        db.dispose()
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == []


def test_migrations_found_in_a_checkout():
    assert migrations_dir() == ROOT / "migrations" or (migrations_dir() / "versions").is_dir()
    assert (migrations_dir() / "env.py").is_file()


@pytest.mark.slow
def test_migrations_ship_inside_the_wheel_and_work_from_it(tmp_path):
    """Build the wheel, install it into a fresh target dir, and migrate a database from there."""
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("crm_desktop-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "crm_desktop/migrations/env.py" in names
    assert "crm_desktop/migrations/script.py.mako" in names
    assert any(n.startswith("crm_desktop/migrations/versions/0001_") for n in names)
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "crm_desktop").rglob("__init__.py")}
    assert {p for p in packages if f"{p}/__init__.py" not in names} == set(), (
        "pyproject.toml misses a package"
    )
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    db_file = tmp_path / "from-wheel.sqlite3"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from crm_desktop.db.migrate import migrations_dir, upgrade;"
        "from crm_desktop.db.engine import Database;"
        "assert str(migrations_dir()).startswith(sys.argv[1]), migrations_dir();"
        "print(upgrade(Database.open('sqlite:///' + sys.argv[2])).after)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(target), str(db_file)], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == head_revision()


def test_upgrading_to_reminders_keeps_only_reminders_still_ahead_pending(db_url):
    from datetime import UTC, datetime, timedelta

    from revisions import upgrade_to

    from crm_desktop.db.models import CompanyProfile, Task

    db = Database.open(db_url)
    try:
        with db.engine.begin() as conn:
            upgrade_to(conn, "0001_schema_v1")
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        stamp = "'2026-01-01 00:00:00'"
        with db.engine.begin() as conn:
            for title, remind, status in (
                ("ahead", now + timedelta(days=1), "open"),
                ("past", now - timedelta(days=1), "open"),
                ("done", now + timedelta(days=1), "done"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO tasks (title, description, duration_minutes, priority, status, "
                        "remind_at, recurrence, created_at, updated_at, version) "
                        f"VALUES (:t, '', 30, 'normal', :s, :r, '', {stamp}, {stamp}, 1)"
                    ),
                    {"t": title, "s": status, "r": remind},
                )
        upgrade(db)
        with db.read() as s:
            alerts = dict(s.execute(select(Task.title, Task.alert_at)).all())
            profile = s.get(CompanyProfile, 1)
            rules = (profile.lead_follow_up_hours, profile.invoice_follow_up_days, profile.escalation_hours)
        assert alerts["ahead"] == (now + timedelta(days=1)).replace(tzinfo=UTC)
        assert alerts["past"] is None and alerts["done"] is None
        assert rules == (24, 7, 24)  # the follow-up rules are on with their defaults
    finally:
        db.dispose()


def test_the_head_constant_names_the_newest_revision():
    """migrate.HEAD lets a start skip alembic; a new revision must change it in the same commit."""
    from alembic.script import ScriptDirectory

    from crm_desktop.db.migrate import HEAD, alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    newest_file = max(p.stem for p in (migrations_dir() / "versions").glob("[0-9]*.py"))
    assert HEAD == script.get_current_head() == newest_file, (
        f"migrations/versions ends at {script.get_current_head()}: set HEAD in crm_desktop/db/migrate.py"
    )


# What a start imports, in a fresh interpreter: whether alembic was needed, and what the upgrade did.
START = """
import sys
from crm_desktop.db.connect import open_database
import crm_desktop.app
opened = open_database(sys.argv[1])
opened.db.dispose()
r = opened.upgrade
print("alembic" in sys.modules, r.before, r.after, r.backup is not None)
"""


def _start(url: str, cwd: Path) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", START, url],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_a_database_at_head_opens_without_importing_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    db = Database.open(url)
    try:
        upgrade(db)
    finally:
        db.dispose()
    assert _start(url, tmp_path) == ["False", head_revision(), head_revision(), "False"]
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == []


def test_a_database_one_revision_behind_is_backed_up_and_upgraded_at_start(tmp_path):
    from revisions import upgrade_to

    path = tmp_path / "office.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    try:
        with db.engine.begin() as conn:
            upgrade_to(conn, "0005_shared_mode")
            conn.execute(text("UPDATE company_profile SET name = 'Ipak Yoli Services'"))
    finally:
        db.dispose()
    assert _start(f"sqlite:///{path}", tmp_path) == ["True", "0005_shared_mode", head_revision(), "True"]
    [backup] = [p for p in tmp_path.iterdir() if "backup" in p.name]
    assert "before-" + head_revision() in backup.name
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0005_shared_mode",)]
        assert old.execute("SELECT name FROM company_profile").fetchall() == [("Ipak Yoli Services",)]
    db = Database.open(f"sqlite:///{path}")
    try:
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


# Clients of a database at 0007 (name, emails, phones) and the search text 0007 stored for them: folded
# words, each script its own letters. The 2,100 more than 0008 folds again in one batch.
CLIENTS_0007 = [
    ("Бекзод Юсупов", [], ["+998 90 111-22-33"], " бекзод юсупов | 998901112233 "),
    ("Rəşad Əliyev", ["rashad@mail.az"], [], " resad eliyev | rashad mail az "),
    ("Jasur Xolmatov", [], [], " jasur xolmatov "),
    *((f"Client {i:04}", [], [], f" client {i:04} ") for i in range(2_100)),
]


def _at_0007_with_clients(db: Database) -> dict[int, str]:
    """The database brought to 0007 and given CLIENTS_0007; their search text by id."""
    import json
    from datetime import UTC, datetime

    from revisions import upgrade_to
    from sqlalchemy import column, table

    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": i,
            "kind": "person",
            "name": name,
            "sort_name": name.casefold(),
            "phones": json.dumps(phones),
            "emails": json.dumps(emails),
            "address": "",
            "source": "",
            "status": "lead",
            "private": False,
            "notes": "",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for i, (name, emails, phones, _) in enumerate(CLIENTS_0007, start=1)
    ]
    terms = {i: t for i, (*_, t) in enumerate(CLIENTS_0007, start=1)}
    with db.engine.begin() as conn:
        upgrade_to(conn, "0007_more_system_entries")
        conn.execute(table("clients", *map(column, rows[0])).insert(), rows)  # the columns of 0007
        conn.execute(
            table("client_search", column("client_id"), column("terms")).insert(),
            [{"client_id": i, "terms": t} for i, t in terms.items()],
        )
    return terms


def _stored_terms(db: Database) -> dict[int, str]:
    with db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT client_id, terms FROM client_search")).all())


def test_upgrading_to_cross_script_search_folds_every_client_again(db_url):
    """A database at 0007 finds its clients across scripts once upgraded: every client's search text is
    computed again, past the first batch too."""
    from crm_desktop.services import clients
    from crm_desktop.services.clients import ClientFilter
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.services.search import build_terms

    db = Database.open(db_url)
    try:
        _at_0007_with_clients(db)
        ctx = ServiceContext(db)
        assert clients.list_ids(ctx, ClientFilter(search="Bekzod")) == []
        upgrade(db)
        assert current_revision(db) == head_revision()
        for typed, client_id in (("Bekzod", 1), ("Бекзод", 1), ("Алиев", 2), ("Resad", 2), ("Холматов", 3)):
            assert clients.list_ids(ctx, ClientFilter(search=typed)) == [client_id], typed
        assert clients.list_ids(ctx, ClientFilter(search="Client 2099")) == [len(CLIENTS_0007)]
        assert _stored_terms(db) == {
            i: build_terms(name, emails, phones)
            for i, (name, emails, phones, _) in enumerate(CLIENTS_0007, 1)
        }
    finally:
        db.dispose()


def test_downgrading_from_cross_script_search_puts_0007s_search_back(db_url):
    from revisions import downgrade_to, upgrade_to

    db = Database.open(db_url)
    try:
        terms_0007 = _at_0007_with_clients(db)
        with db.engine.begin() as conn:
            upgrade_to(conn, "0008_search_across_scripts")
        assert _stored_terms(db) != terms_0007
        assert db.is_sqlite or _found_by_spellings(db) == [2]
        with db.engine.begin() as conn:
            downgrade_to(conn, "0007_more_system_entries")
        assert _stored_terms(db) == terms_0007
        assert db.is_sqlite or _found_by_spellings(db) == []  # 0007's crm_find_clients: '|' is no separator
    finally:
        db.dispose()


def _found_by_spellings(db):
    """PostgreSQL: whom crm_find_clients finds for a typed word with two spellings."""
    with db.engine.connect() as conn:
        return list(conn.scalars(text("SELECT crm_find_clients(ARRAY['% rashad%|% resad%'])")))


# What 0008 knew of a client and its timeline: every column but the two 0009 added.
COLUMNS_0008 = {
    "clients": [c.name for c in Client.__table__.columns if c.name != "language"],
    "activities": [c.name for c in Activity.__table__.columns if c.name not in ("said", "job_id")],
    "client_search": ["client_id", "terms"],
    "deals": [c.name for c in Deal.__table__.columns if c.name != "stage_entered_at"],
}


def _rows_0008(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(text(f"SELECT {', '.join(cols)} FROM {name} ORDER BY 1"))]
            for name, cols in COLUMNS_0008.items()
        }


def _found_at_0008(db: Database, typed: str) -> list[int]:
    """Whom the search of 0008 finds for `typed`, read from the index itself (no model of 0008 to ask)."""
    from crm_desktop.services.search import index_query, patterns

    with db.engine.connect() as conn:
        if db.is_sqlite:
            query = "SELECT rowid FROM client_search_fts WHERE client_search_fts MATCH :q ORDER BY rowid"
            return list(conn.scalars(text(query), {"q": index_query("sqlite", typed)}))
        spelled = ["|".join(p) for p in patterns(typed)]
        return list(conn.scalars(text("SELECT crm_find_clients(CAST(:p AS text[]))"), {"p": spelled}))


def test_downgrading_from_words_in_any_language_keeps_clients_as_0008_knew_them(db_url):
    """A database at head with clients goes back to 0008 and up again. (On SQLite the downgrade copied
    clients to a new table and dropped the old one, foreign keys on: that deletes every client's search
    text, tags, timeline and deals by ON DELETE, and the search index stopped it: "database table is
    locked".)"""
    from revisions import downgrade_to

    from crm_desktop.services import activities, clients, deals
    from crm_desktop.services.clients import ClientFilter
    from crm_desktop.services.context import ServiceContext

    db = Database.open(db_url)
    try:
        upgrade(db)
        ctx = ServiceContext(db)
        bekzod = clients.create(
            ctx, name="Бекзод Юсупов", phones=["+998 90 111-22-33"], tags=["vip"], language="ru"
        )
        clients.create(ctx, name="Jasur Xolmatov")
        deals.create(ctx, client_id=bekzod.id, title="Website", amount="100", currency="USD")
        timeline = activities.timeline(ctx, bekzod.id)  # the client a prospect, and the deal made
        assert [e.kind for e in timeline if e.said] == ["deal"]  # read in each reader's language
        written = {e.id: e.text() for e in timeline}
        before = _rows_0008(db)

        with db.engine.begin() as conn:
            downgrade_to(conn, "0008_search_across_scripts")
        assert current_revision(db) == "0008_search_across_scripts"
        assert _rows_0008(db) == before
        assert _found_at_0008(db, "Bekzod") == _found_at_0008(db, "Юсупов") == [bekzod.id]
        assert _found_at_0008(db, "90 111") == [bekzod.id]
        with db.engine.connect() as conn:
            bodies = dict(conn.execute(text("SELECT id, body FROM activities")).all())
            assert bodies == written  # what 0008 shows
            assert conn.scalars(text("SELECT tag FROM client_tags")).all() == ["vip"]

        upgrade(db)
        assert current_revision(db) == head_revision()
        assert clients.list_ids(ctx, ClientFilter(search="Bekzod")) == [bekzod.id]
        assert clients.get(ctx, bekzod.id).language == ""  # the company's again
        timeline = activities.timeline(ctx, bekzod.id)
        assert {e.id: (e.said, e.text()) for e in timeline} == {i: (None, t) for i, t in written.items()}
    finally:
        db.dispose()


def test_downgrading_to_shared_mode_keeps_the_audit_log_append_only(db_url):
    """Going back past 0006 drops audit_log.login; on SQLite a copy of the table would come without the
    triggers that refuse changing or deleting its rows."""
    from revisions import downgrade_to
    from sqlalchemy.exc import DBAPIError

    from crm_desktop.services import clients
    from crm_desktop.services.context import ServiceContext

    db = Database.open(db_url)
    try:
        upgrade(db)
        clients.create(ServiceContext(db), name="Audited")
        with db.engine.begin() as conn:
            downgrade_to(conn, "0005_shared_mode")
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM audit_log")) > 0
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(statement))
        upgrade(db)
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


# An issued invoice of a database at 0004, with a line and a payment (the columns of 0004).
STAMPS = "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1"
INVOICE_0004 = [
    "INSERT INTO clients (id, kind, name, sort_name, phones, emails, address, source, status, private, "
    f"notes, created_at, updated_at, version) VALUES (1, 'company', 'Ipak Yoli', 'ipak yoli', '[]', '[]', "
    f"'', '', 'customer', false, '', {STAMPS})",
    "INSERT INTO documents (id, kind, number, status, client_id, currency, issue_date, notes, terms, "
    "subtotal, tax_total, total, paid_total, credited_total, cancel_reason, created_at, updated_at, version) "
    "VALUES "
    f"(1, 'invoice', 'INV-2026-0001', 'partial', 1, 'USD', '2026-01-01', '', '', 1000000, 0, 1000000, "
    f"400000, 0, '', {STAMPS})",
    "INSERT INTO document_lines (id, document_id, position, description, quantity, unit, unit_price, "
    f"discount_percent, tax_rate, created_at, updated_at, version) VALUES (1, 1, 1, 'Website', 10000, '', "
    f"1000000, 0, 0, {STAMPS})",
    "INSERT INTO payments (id, document_id, amount, paid_on, method, note, created_at, updated_at, version) "
    f"VALUES (1, 1, 400000, '2026-01-02', 'bank', '', {STAMPS})",
]


def _invoice_rows(db: Database) -> list[list[tuple]]:
    with db.engine.connect() as conn:
        return [
            [tuple(r) for r in conn.execute(text(query))]
            for query in (
                "SELECT id, number, status, client_id, total, paid_total FROM documents",
                "SELECT id, document_id, description, unit_price FROM document_lines",
                "SELECT id, document_id, amount FROM payments",
            )
        ]


def test_downgrading_from_credit_notes_and_upgrading_again_keeps_every_invoice_line_and_payment(db_url):
    """Going back past 0004 drops documents.credited_total; on SQLite dropping the old table that a copy
    replaces (foreign keys on) would delete its lines with it (ON DELETE CASCADE), which payments refuse."""
    from revisions import downgrade_to, upgrade_to

    db = Database.open(db_url)
    try:
        with db.engine.begin() as conn:
            upgrade_to(conn, "0004_credit_notes")
            for statement in INVOICE_0004:
                conn.execute(text(statement))
        kept = _invoice_rows(db)
        assert [len(rows) for rows in kept] == [1, 1, 1]
        with db.engine.begin() as conn:
            downgrade_to(conn, "0003_numbering")
        assert _invoice_rows(db) == kept
        # and up again as the app does it, through every copy of a table SQLite makes on the way (with
        # foreign keys on, the first copy of documents deleted its lines, or was refused for its payment)
        upgrade(db)
        documents, lines, payments = _invoice_rows(db)
        assert [len(documents), len(payments)] == [1, 1] and [line[2] for line in lines] == ["Website"]
    finally:
        db.dispose()
