"""The demo office: realistic, consistent, repeatable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crm_desktop.db.models import AuditEntry, Client, Document, DocumentLine
from crm_desktop.services import clients, demo, money
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.errors import ServiceError

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def test_demo_office_is_complete_and_searchable(ctx):
    summary = demo.generate(ctx.db, clients=300, seed=3, now=NOW)
    assert summary.clients == clients.count(ctx) == 300
    assert summary.deals and summary.tasks and summary.invoices and summary.payments and summary.companies
    for c in clients.list_clients(ctx, limit=300):
        if c.phones:
            digits = "".join(ch for ch in c.phones[0] if ch.isdigit())[-6:]
            assert c.id in clients.list_ids(ctx, ClientFilter(search=digits))
    scripts = {"latin": "a", "cyrillic": "а", "arabic": "ا"}
    names = " ".join(c.name for c in clients.list_clients(ctx, limit=300))
    assert all(letter in names for letter in scripts.values())
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "demo")) == 1


def test_stored_invoice_totals_match_their_lines(ctx):
    demo.generate(ctx.db, clients=300, seed=4, now=NOW)
    with ctx.read() as s:
        for doc in s.scalars(select(Document)):
            lines = s.scalars(select(DocumentLine).where(DocumentLine.document_id == doc.id)).all()
            totals = money.compute_totals((money.LineInput(x.quantity, x.unit_price, x.discount_percent, x.tax_rate)
                                           for x in lines), doc.currency)
            assert (doc.subtotal, doc.tax_total, doc.total) == (totals.net_total, totals.tax_total, totals.total)
            assert doc.paid_total <= doc.total
        numbers = s.scalars(select(Document.number).where(Document.kind == "invoice", Document.number.is_not(None))
                            .order_by(Document.issue_date, Document.id)).all()
    assert numbers == [f"INV-{n[4:8]}-{i:05d}" for i, n in enumerate(numbers, 1)]


def test_same_seed_same_office(sqlite_url, tmp_path):
    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade

    names = []
    for url in (sqlite_url, f"sqlite:///{tmp_path / 'second.sqlite3'}"):
        db = Database.open(url)
        upgrade(db)
        demo.generate(db, clients=50, seed=11, now=NOW)
        with db.read() as s:
            names.append(s.scalars(select(Client.name).order_by(Client.id)).all())
        db.dispose()
    assert names[0] == names[1]


def test_refused_on_a_database_that_has_clients(ctx):
    clients.create(ctx, name="Real client")
    with pytest.raises(ServiceError, match="already has clients"):
        demo.generate(ctx.db, clients=10)
    assert clients.count(ctx) == 1
