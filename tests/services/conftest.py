"""The office of the shared-mode tests: four logins on the password-checking server.

An admin (Anvar), a manager (Olga) with one staff member in her team (Rashad), and Dilnoza outside
it. Private clients belong to Dilnoza, Rashad and nobody (the admin's); one client is public. Each
client has a timeline entry, a deal, and an issued invoice of 100 with 40 paid; each user has a
task without a client.
"""

from __future__ import annotations

import pytest

from crm_desktop.services import activities, clients, deals, documents, invoices, payments, tasks
from crm_desktop.services.invoices import LineValues


@pytest.fixture
def office(pg_ctx, server_login):
    ctx = pg_ctx
    manager, as_manager = server_login("olga", role="manager")
    dilnoza, as_dilnoza = server_login("dilnoza", can_export=True)
    rashad, as_rashad = server_login("rashad", manager=manager)
    admin, as_admin = server_login("anvar", role="admin")
    made = {}
    for key, owner, private in (
        ("dilnoza_private", dilnoza, True),
        ("rashad_private", rashad, True),
        ("admin_private", None, True),
        ("public", rashad, False),
    ):
        c = clients.create(
            ctx,
            name=f"Client {key.replace('_', ' ')}",
            owner_id=owner.id if owner else None,
            private=private,
            phones=[f"+998 90 {len(made) + 1}00 00 00"],
        )
        activities.add(ctx, c.id, body=f"Call about {key}")
        deals.create(ctx, client_id=c.id, title=f"Deal {key}", amount="500")
        d = invoices.create_draft(ctx, client_id=c.id, lines=[LineValues("Work", 1, "", "100")])
        issued = documents.issue(ctx, d.id, expected_version=d.version)
        payments.record_payment(ctx, issued.id, amount="40")
        made[key] = (c, issued)
    own_tasks = {
        who: tasks.create(ctx, title=f"Own task of {who}", assignee_id=row.id).id
        for who, row in (("dilnoza", dilnoza), ("rashad", rashad), ("manager", manager), ("admin", admin))
    }
    return {
        "clients": made,
        "tasks": own_tasks,
        "manager": as_manager,
        "dilnoza": as_dilnoza,
        "rashad": as_rashad,
        "admin": as_admin,
        "owner": ctx,
    }
