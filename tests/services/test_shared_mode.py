"""Shared mode on a real PostgreSQL: each CRM user connects with their own login, and the server
itself enforces what they may see and change — through the app's services and through raw SQL alike.

The office: an admin (the owner), a manager with one staff member in the team (Rashad), and Dilnoza
outside it. Private clients belong to Dilnoza, Rashad and the admin; one client is public.

Spans services/users.py, services/logins.py, services/clients.py and migrations/ (row-level security).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crm_desktop.services import (
    clients,
    documents,
    exports,
    global_search,
    invoices,
    payments,
    users,
)
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import NotFound, PermissionDenied
from crm_desktop.services.invoices import DocumentFilter

SEES = {  # who sees which clients: their own, their team's, and the public one
    "dilnoza": {"dilnoza_private", "public"},
    "rashad": {"rashad_private", "public"},
    "manager": {"rashad_private", "public"},
    "admin": {"dilnoza_private", "rashad_private", "admin_private", "public"},
}


@pytest.mark.parametrize("who", list(SEES))
def test_each_role_sees_exactly_its_clients_everywhere(office, who, tmp_path):
    ctx: ServiceContext = office[who]
    made = office["clients"]
    expected_ids = {made[key][0].id for key in SEES[who]}
    hidden = [(c, doc) for key, (c, doc) in made.items() if key not in SEES[who]]
    assert set(clients.list_ids(ctx, limit=None)) == expected_ids
    assert set(clients.list_ids(ctx, ClientFilter(search="Client"), limit=None)) == expected_ids
    assert {d.client_id for d in invoices.list_documents(ctx, DocumentFilter(), limit=None)} == expected_ids
    found = {h.id for h in global_search.search(ctx, "Client", limit=50) if h.kind == "client"}
    assert found == expected_ids
    assert {r.client_id for r in payments.receivables(ctx)} == expected_ids  # a report
    for client, doc in hidden:  # ids guessed or remembered: as if they did not exist
        with pytest.raises(NotFound):
            clients.get(ctx, client.id)
        with pytest.raises(NotFound):
            invoices.get(ctx, doc.id)
        with pytest.raises(NotFound):
            documents.write_pdf(ctx, doc.id, tmp_path / "foreign.pdf")
    if ctx.actor.can_export:
        assert exports.clients_file(ctx, tmp_path / "clients.csv") == len(expected_ids)
        text_out = (tmp_path / "clients.csv").read_text(encoding="utf-8-sig")
        assert all(c.name not in text_out for c, _ in hidden)
    else:
        with pytest.raises(PermissionDenied, match="export"):
            exports.clients_file(ctx, tmp_path / "clients.csv")


@pytest.mark.parametrize("who", list(SEES))
def test_raw_sql_with_the_users_own_login_sees_no_foreign_private_rows(office, who):
    ctx = office[who]
    made = office["clients"]
    expected_ids = {made[key][0].id for key in SEES[who]}
    expected_docs = {made[key][1].id for key in SEES[who]}
    with ctx.db.engine.connect() as conn:
        assert set(conn.scalars(text("SELECT id FROM clients"))) == expected_ids
        assert set(conn.scalars(text("SELECT client_id FROM activities"))) == expected_ids
        assert set(conn.scalars(text("SELECT id FROM documents"))) == expected_docs
        assert set(conn.scalars(text("SELECT document_id FROM document_lines"))) == expected_docs
        assert set(conn.scalars(text("SELECT document_id FROM payments"))) == expected_docs
        assert set(conn.scalars(text("SELECT client_id FROM client_search"))) == expected_ids


def test_a_forged_actor_still_gets_only_what_the_login_may_see(office):
    """Even if the app believed a staff login were an admin, the server answers for the login."""
    staff = office["dilnoza"]
    forged = ServiceContext(staff.db, actor=Actor(staff.actor.user_id, staff.actor.username, "admin"))
    made = office["clients"]
    assert set(clients.list_ids(forged, limit=None)) == {made[k][0].id for k in SEES["dilnoza"]}
    with pytest.raises(NotFound):
        clients.get(forged, made["rashad_private"][0].id)


RECORDS_KEPT = [
    "UPDATE documents SET total = 1 WHERE id = :doc",
    "UPDATE documents SET number = 'X-1' WHERE id = :doc",
    "DELETE FROM documents WHERE id = :doc",
    "UPDATE document_lines SET unit_price = 1 WHERE document_id = :doc",
    "DELETE FROM document_lines WHERE document_id = :doc",
    "UPDATE payments SET amount = 1 WHERE document_id = :doc",
    "DELETE FROM payments WHERE document_id = :doc",
    "UPDATE audit_log SET action = 'nothing' WHERE id IN (SELECT id FROM audit_log LIMIT 1)",
    "DELETE FROM audit_log",
]
ADMIN_ONLY = [
    "UPDATE users SET role = 'admin' WHERE username = current_user",
    "UPDATE company_profile SET name = 'Mine'",
]


@pytest.mark.parametrize(
    "who, statement",
    [*(("dilnoza", x) for x in RECORDS_KEPT + ADMIN_ONLY), *(("admin", x) for x in RECORDS_KEPT)],
)
def test_user_logins_cannot_alter_issued_invoices_payments_or_the_audit_log(office, who, statement):
    ctx = office[who]
    doc = office["clients"]["public"][1]
    with ctx.db.engine.connect() as conn, pytest.raises(DBAPIError) as refused:
        conn.execute(text(statement), {"doc": doc.id})
    assert refused.value.orig.sqlstate in ("42501", "P0001")  # insufficient privilege, or a guard's refusal
    assert invoices.get(office["admin"], doc.id).total == Decimal(100)


def test_the_app_refuses_with_the_servers_reason_and_allowed_changes_go_through(office):
    staff = office["rashad"]
    _, doc = office["clients"]["public"]
    payments.record_payment(staff, doc.id, amount="60")  # a user records payments (an INSERT)
    assert invoices.get(staff, doc.id).status == "paid"
    [first, *_] = payments.list_payments(staff, doc.id)
    with pytest.raises(PermissionDenied, match="did not allow this: permission denied for table payments"):
        payments.delete_payment(staff, first.id, reason="typed twice", expected_version=first.version)
    assert len(payments.list_payments(staff, doc.id)) == 2
    assert not payments.removable(staff)  # so the app does not offer it


def test_sign_in_is_logged_and_a_disabled_user_is_locked_out(pg_ctx, office):
    ctx = pg_ctx
    rashad = office["rashad"].actor
    with ctx.read() as s:
        logins = (
            s.execute(
                text("SELECT action FROM audit_log WHERE entity = 'users' AND user_id = :u"),
                {"u": rashad.user_id},
            )
            .scalars()
            .all()
        )
    assert logins == ["login"]
    users.disable(ctx, rashad.user_id)
    # a session still open has lost its rights
    with office["rashad"].db.engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("SELECT count(*) FROM clients"))
    fresh = office["rashad"].db.engine.url
    from crm_desktop.db.engine import Database

    db = Database.open(fresh)
    try:
        with pytest.raises(Exception, match="not permitted to log in|disabled"):
            users.sign_in(db)
    finally:
        db.dispose()


def test_reassigning_a_leavers_clients(pg_ctx, office):
    ctx = pg_ctx
    rashad, olga = office["rashad"].actor, office["manager"].actor
    moved = users.reassign_clients(ctx, rashad.user_id, olga.user_id)
    assert moved == 2
    assert {
        clients.get(ctx, c.id).owner_name
        for k, (c, _) in office["clients"].items()
        if k in ("rashad_private", "public")
    } == {"Olga"}
    with pytest.raises(PermissionDenied):
        users.reassign_clients(office["manager"], olga.user_id, rashad.user_id)
