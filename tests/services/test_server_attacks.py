"""A CRM login with psql, tried as an attacker would (docs/architecture.md, "Threat model").

Each test runs statements a staff (or admin) login may send on its own connection to the
password-checking server, then checks from the owner's side that nothing it may not see leaked and
no protected fact changed: issued documents, money states, numbers, counters, the system's
timeline entries, deal history and the audit log.

Spans migrations/ (0005 and 0006: grants, policies, triggers; 0019: stuck-deal origins, stage limits; 0020:
pipelines and stages an administrator's) and
db/notifications.py.
"""

from __future__ import annotations

import json
import queue
import select
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from crm_desktop.db.engine import Database
from crm_desktop.db.notifications import ChangeListener, TableChange
from crm_desktop.services import audit, clients, documents, invoices, payments, tasks, users
from crm_desktop.services.invoices import LineValues

PROTECTED = {
    "documents": "SELECT id, kind, number, status, client_id, total, paid_total, credited_total, "
    "cancel_reason FROM documents ORDER BY id",
    "lines": "SELECT id, document_id, description, quantity, unit_price FROM document_lines ORDER BY id",
    "payments": "SELECT id, document_id, amount FROM payments ORDER BY id",
    "counters": "SELECT kind, year, next_seq FROM number_series ORDER BY kind, year",
    "system timeline": "SELECT id, client_id, kind, body, author_id FROM activities "
    "WHERE kind IN ('document', 'status_change', 'deal', 'task') ORDER BY id",
    "deal history": "SELECT id, deal_id, from_stage_id, to_stage_id, user_id FROM deal_stage_changes "
    "ORDER BY id",
    "audit": "SELECT id, at, user_id, entity, entity_id, action FROM audit_log ORDER BY id",
    "private clients": "SELECT id, name, owner_id, private FROM clients ORDER BY id",
    "users": "SELECT id, username, role, active FROM users ORDER BY id",
}


def facts(owner) -> dict[str, list[tuple]]:
    with owner.db.engine.connect() as conn:
        return {name: [tuple(row) for row in conn.execute(text(sql))] for name, sql in PROTECTED.items()}


def attack(login, statements: list[str], **params) -> list[str]:
    """Run each statement as `login` in a transaction of its own, committed (so that checks made at
    commit run too); the errors the server answered, one per statement that was refused."""
    refusals = []
    with login.db.engine.connect() as conn:
        for statement in statements:
            try:
                conn.execute(text(statement), params)
                conn.commit()
            except DBAPIError as exc:
                conn.rollback()
                refusals.append(str(exc.orig).splitlines()[0])
    return refusals


def visible_ids(office, who: str) -> set[int]:
    return set(clients.list_ids(office[who], limit=None))


# --- 1. shadowing the helpers' names -------------------------------------------------------------------


def test_a_login_can_make_no_object_to_hide_behind(office):
    staff = office["dilnoza"]
    refusals = attack(
        staff,
        [
            "CREATE TEMP TABLE pg_roles (rolname name, rolsuper boolean)",
            "CREATE TEMP TABLE users (id integer, username text, active boolean, role text)",
            "CREATE TABLE public.users (id integer)",
            "CREATE FUNCTION public.pg_has_role(name, name, text) RETURNS boolean "
            "LANGUAGE sql AS 'SELECT true'",
            "CREATE SCHEMA mine",
        ],
    )
    assert len(refusals) == 5 and all("permission denied" in r for r in refusals)


@pytest.fixture
def opened_up(office, pg_ctx):
    """The worst case: a server whose administrator gave the staff login TEMPORARY and a schema of its
    own at the front of its search path (where it may put views, functions and operators)."""
    owner = pg_ctx.db.engine
    login = office["dilnoza"].actor.username
    evil = f"evil_{uuid.uuid4().hex[:6]}"
    with owner.connect() as conn:
        conn.execute(text(f'GRANT TEMPORARY ON DATABASE {owner.url.database} TO "{login}"'))
        conn.execute(text(f'CREATE SCHEMA {evil} AUTHORIZATION "{login}"'))
        conn.commit()
    yield evil
    with owner.connect() as conn:
        conn.execute(text(f'REVOKE TEMPORARY ON DATABASE {owner.url.database} FROM "{login}"'))
        conn.execute(text(f"DROP SCHEMA {evil} CASCADE"))
        conn.commit()


SHADOWS = [
    # tables the helpers read, named like the catalogs and the CRM's own, first in the search path
    "CREATE TEMP TABLE pg_roles AS SELECT rolname, true AS rolsuper, oid FROM pg_catalog.pg_roles",
    "CREATE TEMP TABLE pg_auth_members AS SELECT * FROM pg_catalog.pg_auth_members WHERE false",
    "CREATE TEMP TABLE users AS SELECT id, username, true AS active, 'admin'::text AS role, manager_id "
    "FROM {crm}.users",
    "CREATE TEMP TABLE clients AS SELECT * FROM {crm}.clients WHERE false",
    "CREATE VIEW {evil}.documents AS SELECT * FROM {crm}.documents",
    # functions and operators of the same names, in a schema searched before pg_catalog
    "CREATE FUNCTION {evil}.pg_has_role(name, name, text) RETURNS boolean LANGUAGE sql AS 'SELECT false'",
    "CREATE FUNCTION {evil}.crm_is_user() RETURNS boolean LANGUAGE sql AS 'SELECT false'",
    "CREATE FUNCTION {evil}.crm_sees_all() RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE FUNCTION {evil}.crm_uid() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
    "CREATE FUNCTION {evil}.yes(integer, integer) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OPERATOR {evil}.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = {evil}.yes)",
    "CREATE FUNCTION {evil}.yes(boolean) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OPERATOR {evil}.! (RIGHTARG = boolean, FUNCTION = {evil}.yes)",
    "CREATE FUNCTION {evil}.yes(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OPERATOR {evil}.~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = {evil}.yes)",
]


def test_shadowing_objects_change_no_answer_of_the_server(office, opened_up):
    staff, owner = office["dilnoza"], office["owner"]
    made = office["clients"]
    _, public_invoice = made["public"]
    hidden = {made[k][0].id for k in ("rashad_private", "admin_private")}
    before = facts(owner)
    crm = staff.db.engine.url.query["options"].split("=")[1].split(",")[0]
    psql = create_engine(staff.db.engine.url, poolclass=NullPool)  # its session settings stay its own
    with psql.connect() as conn:
        for statement in SHADOWS:
            conn.execute(text(statement.format(evil=opened_up, crm=crm)))
        conn.execute(text(f"SET search_path = pg_temp, {opened_up}, pg_catalog, {crm}, public"))
        seen = set(conn.scalars(text(f"SELECT id FROM {crm}.clients")))
        found = set(conn.scalars(text(f"SELECT {crm}.crm_find_clients(ARRAY['% client%'])")))
        docs = set(conn.scalars(text(f"SELECT client_id FROM {crm}.documents")))
        conn.commit()
        statements = [
            f"UPDATE {crm}.documents SET total = 1, number = 'X-1' WHERE id = {public_invoice.id}",
            f"UPDATE {crm}.documents SET paid_total = total, status = 'paid' WHERE id = {public_invoice.id}",
            f"DELETE FROM {crm}.document_lines WHERE document_id = {public_invoice.id}",
            # (text, not integer: the login's own = for integers says yes to every row it may change anyway)
            f"UPDATE {crm}.clients SET name = 'Mine' WHERE id::text IN "
            f"({', '.join(repr(str(i)) for i in hidden)})",
            f"INSERT INTO {crm}.audit_log (at, user_id, entity, entity_id, action, changes) "
            f"VALUES ('2020-01-01', {office['admin'].actor.user_id}, 'clients', 1, 'update', '{{}}')",
        ]
        for statement in statements:
            try:
                with conn.begin():
                    conn.execute(text(statement))
            except DBAPIError:
                pass
    psql.dispose()
    assert seen == found == visible_ids(office, "dilnoza") and not seen & hidden
    assert docs == seen
    after = facts(owner)
    assert after == before
    assert {c.name for c in (clients.get(owner, i) for i in hidden)} != {"Mine"}


def test_every_function_of_the_crm_has_a_fixed_search_path(pg_ctx):
    with pg_ctx.db.engine.connect() as conn:
        loose = (
            conn.execute(
                text(
                    "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
                    "AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c "
                    "WHERE c LIKE 'search\\_path=%')"
                )
            )
            .scalars()
            .all()
        )
        definers = conn.execute(
            text(
                "SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p "
                "WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef"
            )
        ).all()
    assert loose == []
    assert {owner for _, owner in definers} == {"crm_definer", "crm_login_admin"}


# --- 2. no server powers for CRM administrators ------------------------------------------------------


def test_no_crm_login_holds_createrole_or_any_predefined_role(office, pg_ctx):
    with pg_ctx.db.engine.connect() as conn:
        powers = conn.execute(
            text(
                "SELECT m.rolname, m.rolcreaterole, m.rolcreatedb, m.rolbypassrls, m.rolsuper, "
                "array(SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
                "WHERE a.member = m.oid ORDER BY 1), "
                "EXISTS (SELECT 1 FROM pg_auth_members a WHERE a.member = m.oid AND a.admin_option) "
                "FROM pg_roles m JOIN users u ON u.username = m.rolname"
            )
        ).all()
    assert len(powers) == 4
    for name, createrole, createdb, bypass, superuser, member_of, admin_option in powers:
        assert not (createrole or createdb or bypass or superuser or admin_option), name
        assert set(member_of) <= {"crm_user", "crm_admin"}, name


def test_an_admin_login_cannot_reach_past_the_crm(office, pg_ctx):
    admin = office["admin"]
    me = admin.actor.username
    outsider = f"reporting_{uuid.uuid4().hex[:6]}"
    with pg_ctx.db.engine.connect() as conn:  # a login the server's administrator made for something else
        conn.execute(text(f'CREATE ROLE "{outsider}" LOGIN'))
        conn.execute(text(f'GRANT pg_read_all_data TO "{outsider}"'))
        conn.commit()
    try:
        verifier = "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy"
        assert (
            attack(
                admin,
                [
                    "INSERT INTO users (username, display_name, role, active, can_export, "
                    "created_at, updated_at, version) "
                    "VALUES (:name, 'Reporting', 'staff', true, false, now(), now(), 1)"
                ],
                name=outsider,
            )
            == []
        )
        refusals = attack(
            admin,
            [
                f'GRANT pg_execute_server_program TO "{me}"',
                f'GRANT pg_read_all_data TO "{me}"',
                f'GRANT pg_write_server_files TO "{me}"',
                f'ALTER ROLE "{me}" CREATEROLE',
                "CREATE ROLE someone LOGIN",
                "COPY (SELECT 1) TO PROGRAM 'id'",
                "SET ROLE crm_login_admin",
                "SET ROLE crm_definer",
                # the login functions touch CRM logins only, even if the admin names another in users
                f"SELECT crm_change_login('{outsider}', '{verifier}', NULL, NULL)",
                f"SELECT crm_change_login('postgres', '{verifier}', true, true)",
                f"SELECT crm_create_login('pg_monitor2', '{verifier}')",
                f"SELECT crm_change_login('{me}', 'plain password', NULL, NULL)",  # no password in clear
            ],
        )
        assert len(refusals) == 12, refusals
        with pg_ctx.db.engine.connect() as conn:
            assert (
                conn.scalar(text("SELECT rolcreaterole FROM pg_roles WHERE rolname = :n"), {"n": me}) is False
            )
            assert (
                conn.scalar(
                    text("SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = :n"), {"n": outsider}
                )
                is True
            )
    finally:
        with pg_ctx.db.engine.connect() as conn:
            conn.execute(text(f'DROP ROLE "{outsider}"'))
            conn.commit()


def test_staff_may_change_only_their_own_password(office, pg_ctx):
    staff, colleague = office["dilnoza"], office["rashad"]
    users.set_password(staff, staff.actor.user_id, "Yunusobod-2026")
    url = staff.db.engine.url.set(password="Yunusobod-2026")
    db = Database.open(url)
    try:
        assert users.identify(db).username == staff.actor.username  # the new password works (SCRAM checks it)
    finally:
        db.dispose()
    with pytest.raises(DBAPIError, match="password authentication failed"):
        create_engine(staff.db.engine.url.set(password="wrong-password")).connect()
    refusals = attack(
        staff,
        [
            f"SELECT crm_change_login('{colleague.actor.username}', NULL, false, NULL)",
            f"SELECT crm_change_login('{staff.actor.username}', NULL, NULL, true)",
            f"SELECT crm_create_login('{staff.actor.username}x', "
            "'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy')",
        ],
    )
    assert len(refusals) == 3 and all("administrator" in r for r in refusals)


def test_admin_logins_of_older_versions_lose_createrole_at_the_upgrade(postgres_url):
    """An administrator login made by 0005 (CREATEROLE, ADMIN OPTION on crm_user) keeps neither."""
    from revisions import upgrade_to

    from crm_desktop.db.migrate import upgrade

    name = f"old_admin_{uuid.uuid4().hex[:6]}"
    db = Database.open(postgres_url)
    try:
        with db.engine.begin() as conn:
            upgrade_to(conn, "0005_shared_mode")
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN CREATEROLE'))
            conn.execute(text(f'GRANT crm_user, crm_admin TO "{name}" WITH ADMIN OPTION'))
        upgrade(db)
        with db.engine.connect() as conn:
            assert conn.execute(
                text(
                    "SELECT rolcreaterole, EXISTS (SELECT 1 FROM pg_auth_members a WHERE a.member = r.oid "
                    "AND a.admin_option) FROM pg_roles r WHERE rolname = :n"
                ),
                {"n": name},
            ).one() == (False, False)
    finally:
        with db.engine.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
            conn.commit()
        db.dispose()


# --- 3. money states follow the facts ----------------------------------------------------------------


def test_money_states_cannot_be_set_by_hand(office):
    staff, owner = office["dilnoza"], office["owner"]
    made = office["clients"]
    _, doc = made["public"]
    hidden = made["rashad_private"][1]
    before = facts(owner)
    refusals = attack(
        staff,
        [
            # paid, credited or cancelled without the payments, credit notes or reason behind it
            "UPDATE documents SET paid_total = total, status = 'paid' WHERE id = :doc",
            "UPDATE documents SET status = 'paid' WHERE id = :doc",
            "UPDATE documents SET credited_total = total, status = 'credited' WHERE id = :doc",
            "UPDATE documents SET status = 'cancelled', cancel_reason = 'gone' WHERE id = :doc",
            "UPDATE documents SET status = 'draft', number = NULL WHERE id = :doc",
            # payments that are not money received
            "INSERT INTO payments (document_id, amount, paid_on, method, note, "
            "created_at, updated_at, version) "
            "VALUES (:doc, -400000, current_date, '', '', now(), now(), 1)",
            "INSERT INTO payments (document_id, amount, paid_on, method, note, "
            "created_at, updated_at, version) "
            "VALUES (:doc, 1000000, current_date, '', '', now(), now(), 1)",
            # (fits, but the invoice does not follow)
            "INSERT INTO payments (document_id, amount, paid_on, method, note, "
            "created_at, updated_at, version) "
            "VALUES (:doc, 100000, current_date, '', '', now(), now(), 1)",
            # an issued, paid invoice made directly with the next number
            "INSERT INTO documents (kind, number, status, client_id, currency, issue_date, notes, terms, "
            "subtotal, tax_total, total, paid_total, credited_total, cancel_reason, created_at, updated_at, "
            "version) "
            "VALUES ('invoice', 'INV-2026-00005', 'paid', :client, 'USD', current_date, '', '', "
            "1000000, 0, 1000000, 1000000, 0, '', now(), now(), 1)",
            # counters: gaps or later failures
            "UPDATE number_series SET next_seq = next_seq + 10",
            "UPDATE number_series SET next_seq = 1",
            "DELETE FROM number_series",
            "INSERT INTO number_series (kind, year, next_seq) VALUES ('invoice', 2030, 1)",
            # the system's timeline and a deal's history
            "DELETE FROM activities WHERE kind = 'document'",
            "UPDATE activities SET body = 'nothing happened' WHERE kind = 'document'",
            "UPDATE activities SET kind = 'note' WHERE kind = 'document'",
            "DELETE FROM activities WHERE kind = 'deal'",
            "UPDATE activities SET body = 'never made' WHERE kind = 'deal'",
            "UPDATE activities SET kind = 'note' WHERE kind = 'deal'",
            "UPDATE deal_stage_changes SET to_stage_id = from_stage_id",
            "DELETE FROM deal_stage_changes",
            # a credit note pointing at an invoice the login cannot see
            "INSERT INTO documents (kind, status, client_id, related_id, currency, notes, terms, subtotal, "
            "tax_total, total, paid_total, credited_total, cancel_reason, created_at, updated_at, version) "
            "VALUES ('credit_note', 'draft', :client, :hidden, 'USD', '', '', 0, 0, 0, 0, 0, '', "
            "now(), now(), 1)",
        ],
        doc=doc.id,
        client=doc.client_id,
        hidden=hidden.id,
    )
    assert len(refusals) == 22, refusals
    assert facts(owner) == before


def test_a_staff_login_goes_the_whole_money_path_through_the_app(office):
    """The rules refuse hand-made states, not the app's own steps."""
    staff, owner = office["rashad"], office["owner"]
    client = office["clients"]["public"][0]
    quote = invoices.create_draft(
        staff, client_id=client.id, kind="quote", lines=[LineValues("Site", 2, "", "250")]
    )
    quote = documents.issue(staff, quote.id, expected_version=quote.version)
    draft = documents.invoice_from_quote(staff, quote.id)
    invoice = documents.issue(staff, draft.id, expected_version=draft.version)
    assert invoices.get(staff, quote.id).status == "accepted" and invoice.number.startswith("INV-")
    payments.record_payment(staff, invoice.id, amount="200")
    note = documents.credit_note_for(staff, invoice.id)
    note = invoices.update_draft(
        staff, note.id, expected_version=note.version, lines=[LineValues("Site, one page less", 1, "", "100")]
    )
    note = documents.issue(staff, note.id, expected_version=note.version)
    assert (invoices.get(staff, invoice.id).credited_total, invoices.get(staff, invoice.id).status) == (
        Decimal(100),
        "partly_paid",
    )
    payments.record_payment(staff, invoice.id, amount="200")
    assert invoices.get(staff, invoice.id).status == "paid"
    documents.cancel(staff, note.id, reason="Agreed after all", expected_version=note.version)
    assert invoices.get(owner, invoice.id).status == "partly_paid"
    other = invoices.create_draft(staff, client_id=client.id, lines=[LineValues("Extra", 1, "", "10")])
    other = documents.issue(staff, other.id, expected_version=other.version)
    documents.cancel(staff, other.id, reason="Issued twice", expected_version=other.version)
    numbers = [invoices.get(owner, d).number for d in (invoice.id, other.id)]
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [
        5,
        6,
    ]  # four from the office, then one after another


# --- 4. every change leaves a trace --------------------------------------------------------------------


def test_changes_with_psql_are_logged_by_the_server_in_the_logins_name(office):
    staff, owner = office["dilnoza"], office["owner"]
    client = office["clients"]["dilnoza_private"][0]
    attack(
        staff,
        [
            "UPDATE clients SET name = 'Renamed by hand' WHERE id = :client",
            f"INSERT INTO audit_log (at, user_id, entity, entity_id, action, changes) VALUES "
            f"('2020-01-01', {office['admin'].actor.user_id}, 'users', 1, 'login', '{{}}')",
        ],
        client=client.id,
    )
    refusals = attack(
        staff,
        [
            "INSERT INTO audit_log (at, user_id, entity, entity_id, action, changes) "
            "VALUES (now(), NULL, 'clients', 1, 'update', '{}')",
        ],
    )
    assert refusals and "logs what is created, changed and deleted" in refusals[0]
    with owner.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT user_id, login, action, changes::text, now() - at < interval '1 minute' "
                "FROM audit_log WHERE login = :login ORDER BY id"
            ),
            {"login": staff.actor.username},
        ).all()
    renamed, forged = rows[-2], rows[-1]
    assert renamed[:3] == (staff.actor.user_id, staff.actor.username, "update") and renamed[4]
    assert json.loads(renamed[3]) == {"name": ["Client dilnoza private", "Renamed by hand"]}
    assert (
        forged[:3] == (staff.actor.user_id, staff.actor.username, "login") and forged[4]
    )  # own name, server time


def test_the_owners_own_psql_changes_are_logged_too(office):
    owner = office["owner"]
    client = office["clients"]["public"][0]
    with owner.db.engine.begin() as conn:
        conn.execute(text("UPDATE clients SET source = 'fair' WHERE id = :c"), {"c": client.id})
    with owner.db.engine.connect() as conn:
        login, changes = conn.execute(
            text(
                "SELECT login, changes::text FROM audit_log WHERE entity = 'clients' AND entity_id = :c "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"c": client.id},
        ).one()
    assert login == "postgres" and json.loads(changes) == {"source": ["", "fair"]}
    [entry] = audit.list_entries(owner, audit.AuditFilter(entity="clients", action="update"), limit=1)
    assert (entry.user_name, entry.login, entry.changes) == ("", "postgres", {"source": ["", "fair"]})


# --- 5. what staff see ---------------------------------------------------------------------------------


def test_tasks_without_a_client_are_their_assignees_and_managers_only(office):
    own = office["tasks"]
    for who, expected in (
        ("dilnoza", {"dilnoza"}),
        ("rashad", {"rashad"}),
        ("manager", {"manager", "rashad"}),
        ("admin", set(own)),
    ):
        ctx = office[who]
        with ctx.db.engine.connect() as conn:
            seen = set(conn.scalars(text("SELECT id FROM tasks WHERE client_id IS NULL")))
        assert (
            seen == {own[w] for w in expected} == {t.id for t in tasks.list_tasks(ctx) if t.client_id is None}
        )


def test_duplicate_keys_tell_nothing_about_invisible_rows(office):
    staff = office["dilnoza"]
    hidden_invoice = office["clients"]["rashad_private"][1]
    missing = hidden_invoice.id + 1000
    insert = (
        "INSERT INTO tasks (title, description, duration_minutes, priority, status, recurrence, origin, "
        "created_at, updated_at, version) "
        "VALUES ('x', '', 30, 'normal', 'open', '', :origin, now(), now(), 1)"
    )
    invisible, absent = (attack(staff, [insert], origin=f"invoice:{i}") for i in (hidden_invoice.id, missing))
    assert invisible == absent and len(invisible) == 1
    number = (
        "INSERT INTO documents (kind, number, status, client_id, currency, notes, terms, subtotal, "
        "tax_total, total, paid_total, credited_total, cancel_reason, created_at, updated_at, version) "
        "VALUES ('invoice', :number, 'draft', :client, 'USD', '', '', 0, 0, 0, 0, 0, '', now(), now(), 1)"
    )
    client = office["clients"]["public"][0].id
    taken, free = (
        attack(staff, [number], number=n, client=client) for n in (hidden_invoice.number, "INV-2099-1")
    )
    assert taken == free and len(taken) == 1
    with office["owner"].db.engine.connect() as conn:
        hidden_deal = conn.scalar(
            text("SELECT id FROM deals WHERE client_id = :c"), {"c": hidden_invoice.client_id}
        )
    note = (
        "INSERT INTO activities (client_id, deal_id, kind, body, occurred_at, "
        "created_at, updated_at, version) "
        "VALUES (:client, :deal, 'note', 'x', now(), now(), now(), 1)"
    )
    task = (
        "INSERT INTO tasks (title, description, duration_minutes, priority, status, recurrence, deal_id, "
        "created_at, updated_at, version) VALUES ('x', '', 30, 'normal', 'open', '', :deal, now(), now(), 1)"
    )
    for statement in (note, task):  # a foreign key that finds an invisible deal answers as if there were none
        seen, unseen = (
            attack(staff, [statement], client=client, deal=d) for d in (hidden_deal, hidden_deal + 1000)
        )
        assert [r.replace(str(hidden_deal + 1000), "N") for r in unseen] == [
            r.replace(str(hidden_deal), "N") for r in seen
        ] and len(seen) == 1


def test_a_stuck_deal_origin_tells_nothing_about_invisible_deals_and_a_limit_is_days(office):
    staff = office["dilnoza"]
    with office["owner"].db.engine.connect() as conn:
        hidden_deal = conn.scalar(
            text("SELECT id FROM deals WHERE client_id = :c"),
            {"c": office["clients"]["rashad_private"][0].id},
        )
    insert = (
        "INSERT INTO tasks (title, description, duration_minutes, priority, status, recurrence, origin, "
        "created_at, updated_at, version) "
        "VALUES ('x', '', 30, 'normal', 'open', '', :origin, now(), now(), 1)"
    )
    invisible, absent = (
        attack(staff, [insert], origin=f"stuck_deal:{d}:0") for d in (hidden_deal, hidden_deal + 1000)
    )
    assert invisible == absent and len(invisible) == 1  # (migration 0019 taught crm_task_rules the origin)
    refusals = attack(
        office["admin"], ["UPDATE stages SET time_limit_days = 0", "UPDATE stages SET time_limit_days = -30"]
    )
    assert len(refusals) == 2 and all("ck_stages_time_limit_days" in r for r in refusals)


def test_only_an_administrator_changes_the_pipelines_and_their_stages(office):
    read = "SELECT id, name, probability, time_limit_days FROM stages ORDER BY id"
    with office["owner"].db.engine.connect() as conn:
        before = conn.execute(text(read)).all()
        pipelines_before = conn.execute(text("SELECT id, name FROM pipelines ORDER BY id")).all()
    for login in ("dilnoza", "manager"):  # (the weighted pipeline and the funnel read them)
        refused = attack(
            office[login],
            [
                "INSERT INTO stages (pipeline_id, name, position, probability, is_won, is_lost, created_at, "
                "updated_at, version) VALUES (1, 'Mine', 9, 100, false, false, now(), now(), 1)",
                "INSERT INTO pipelines (name, position, created_at, updated_at, version) "
                "VALUES ('Mine', 9, now(), now(), 1)",
            ],
        )
        assert len(refused) == 2 and all("row-level security" in r for r in refused)
        attack(
            office[login],
            [
                "UPDATE stages SET probability = 100, time_limit_days = 365, name = 'Won already'",
                "UPDATE pipelines SET name = 'Renamed'",
                "DELETE FROM stages WHERE id NOT IN (SELECT stage_id FROM deals)",
            ],
        )
    with office["owner"].db.engine.connect() as conn:
        assert conn.execute(text(read)).all() == before
        assert conn.execute(text("SELECT id, name FROM pipelines ORDER BY id")).all() == pipelines_before
    assert attack(office["admin"], ["UPDATE stages SET probability = 60 WHERE id = 3"]) == []


def test_change_notices_name_only_the_table_and_forged_ones_do_no_harm(office):
    staff, owner, admin = office["dilnoza"], office["owner"], office["admin"]
    schema = staff.db.engine.url.query["options"].split("=")[1].split(",")[0]
    events: queue.Queue[object] = queue.Queue()
    listener = ChangeListener(owner.db, events.put, on_lost=lambda: events.put("lost"))  # another PC
    raw = staff.db.engine.raw_connection().driver_connection
    raw.autocommit = True
    try:
        raw.execute("LISTEN crm_changes")
        listener.start()
        assert listener.wait_listening()
        clients.create(admin, name="Secret Client", private=True)  # invisible to Dilnoza
        select.select([raw.fileno()], [], [], 5)
        [overheard] = [json.loads(n.payload) for n in raw.notifies(timeout=0.5, stop_after=1)]
        assert overheard == {"schema": schema, "table": "clients"}  # no id, no operation
        assert events.get(timeout=2) == TableChange("clients")
        for forged in (
            json.dumps({"schema": schema, "table": "documents", "op": "delete", "id": 1}),
            "[1]",
            "{",
            json.dumps({"schema": schema, "table": 7}),
            json.dumps({"schema": "elsewhere", "table": "x"}),
        ):
            raw.execute(f"NOTIFY crm_changes, '{forged}'")
        assert events.get(timeout=2) == TableChange("documents")  # the forged notice: a reload, nothing more
        clients.create(admin, name="Next Client")
        assert events.get(timeout=2) == TableChange("clients")  # garbage was skipped; the listener kept on
    finally:
        listener.stop()
        raw.close()


# --- 6. search under row-level security ------------------------------------------------------------------


def test_search_as_a_login_is_served_by_the_index_and_keeps_visibility(office):
    staff = office["dilnoza"]
    expected = visible_ids(office, "dilnoza")
    found = set(clients.list_ids(staff, clients.ClientFilter(search="client"), limit=None))
    assert found == expected
    assert (
        set(clients.list_ids(staff, clients.ClientFilter(search="200 00 00"), limit=None)) == set()
    )  # Rashad's
    with staff.db.engine.connect() as conn:
        assert set(conn.scalars(text("SELECT crm_find_clients(ARRAY['% rashad%', '% private%'])"))) == set()
