"""Invoice and quote drafts: lines, validation and exact stored totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crm_desktop.db.models import Document
from crm_desktop.services import clients, invoices
from crm_desktop.services.errors import ConflictError, NotFound, ServiceError, ValidationError
from crm_desktop.services.invoices import DocumentFilter, LineValues

D = Decimal
THREE_LINES = [
    LineValues("Logo design", "1", "pcs", "450.00", "0", "12"),
    LineValues("Business cards", "500", "pcs", "0.35", "10", "12"),
    LineValues("Delivery", "1", "", "15", "0", "0"),
]


@pytest.fixture
def client(ctx):
    return clients.create(ctx, name="Samarqand Travel", kind="company")


def test_draft_with_three_lines_stores_exact_totals(ctx, client, audit_rows):
    doc = invoices.create_draft(ctx, client_id=client.id, lines=THREE_LINES)
    # 450.00 + (175.00 − 17.50) + 15.00 = 622.50 net; 12% of 607.50 = 72.90
    assert (doc.kind, doc.status, doc.number, doc.currency) == ("invoice", "draft", None, "USD")
    assert (doc.subtotal, doc.tax_total, doc.total, doc.balance) == (D("622.50"), D("72.90"), D("695.40"),
                                                                     D("695.40"))
    assert [line.net for line in doc.lines] == [D("450.00"), D("157.50"), D("15.00")]
    assert (doc.issue_date, doc.due_date) == (date(2026, 11, 24), date(2026, 12, 8))
    assert invoices.get(ctx, doc.id).total == D("695.40")
    assert audit_rows("documents", doc.id)[0][0] == "create"
    assert len(audit_rows("document_lines")) == 3


def test_live_preview_matches_what_is_stored(ctx, client):
    preview = invoices.preview_totals(THREE_LINES, "USD")
    assert preview.total == invoices.create_draft(ctx, client_id=client.id, lines=THREE_LINES).total


@pytest.mark.parametrize("line, field, words", [
    (LineValues("Paint", "-2", "l", "10"), "lines[0].quantity", "cannot be negative"),
    (LineValues("  ", "1", "", "10"), "lines[0].description", "cannot be empty"),
    (LineValues("Paint", "two", "", "10"), "lines[0].quantity", "must be a number"),
    (LineValues("Paint", "1", "", "10", "120"), "lines[0].discount_percent", "more than 100"),
    (LineValues("Paint", "1", "", "-10"), "lines[0].unit_price", "cannot be negative"),
    (LineValues("Paint", "1", "", "0.00001"), "lines[0].unit_price", "at most 4 decimal places"),
])
def test_bad_lines_are_refused_and_nothing_is_saved(ctx, client, line, field, words):
    with pytest.raises(ValidationError) as err:
        invoices.create_draft(ctx, client_id=client.id, lines=[line])
    assert err.value.field == field and words in err.value.message
    assert invoices.count_documents(ctx) == 0


@pytest.mark.parametrize("values, field, words", [
    ({"currency": "ABC"}, "currency", "Unknown currency"),
    ({"issue_date": "2026-12-10", "due_date": "2026-12-01"}, "due_date", "before the issue date"),
    ({"due_date": "31/12/2026"}, "due_date", "is not a date"),
])
def test_bad_header_fields_are_refused(ctx, client, values, field, words):
    with pytest.raises(ValidationError) as err:
        invoices.create_draft(ctx, client_id=client.id, **values)
    assert err.value.field == field and words in err.value.message


def test_editing_lines_recomputes_totals_in_the_document_currency(ctx, client, audit_rows):
    doc = invoices.create_draft(ctx, client_id=client.id, currency="UZS", lines=[LineValues("Tour", 2, "", "1500000")])
    doc = invoices.update_draft(ctx, doc.id, expected_version=doc.version,
                                lines=[LineValues("Tour", 3, "", "1500000.55", tax_rate=12)])
    assert (doc.subtotal, doc.tax_total, doc.total) == (D("4500001.65"), D("540000.20"), D("5040001.85"))
    assert audit_rows("documents", doc.id)[-1][1]["total"] == ["3000000", "5040001.85"]
    with pytest.raises(ConflictError):
        invoices.update_draft(ctx, doc.id, expected_version=1, notes="stale")


def test_issued_documents_cannot_be_edited_or_deleted_and_attempts_are_logged(ctx, client, audit_rows):
    doc = invoices.create_draft(ctx, client_id=client.id, lines=THREE_LINES)
    with ctx.write() as s:  # issuing is the invoicing feature; here it is enough that one is issued
        issued = s.get(Document, doc.id)
        issued.status, issued.number = "issued", "INV-2026-00001"
    with pytest.raises(ServiceError, match="Invoice INV-2026-00001 is issued and can no longer be changed"):
        invoices.update_draft(ctx, doc.id, expected_version=2, lines=[])
    with pytest.raises(ServiceError, match="can no longer be changed"):
        invoices.delete_draft(ctx, doc.id)
    assert [a for a, _ in audit_rows("documents", doc.id)][-2:] == ["refused_edit", "refused_delete"]
    assert invoices.get(ctx, doc.id).total == D("695.40")


def test_drafts_can_be_deleted(ctx, client, audit_rows):
    doc = invoices.create_draft(ctx, client_id=client.id, kind="quote", lines=THREE_LINES)
    invoices.delete_draft(ctx, doc.id)
    with pytest.raises(NotFound):
        invoices.get(ctx, doc.id)
    assert audit_rows("documents", doc.id)[-1][0] == "delete"


def test_list_filters_and_sorts(ctx, client):
    other = clients.create(ctx, name="Гулнора Юсупова")
    invoices.create_draft(ctx, client_id=client.id, issue_date="2026-11-01", lines=THREE_LINES)
    invoices.create_draft(ctx, client_id=other.id, issue_date="2026-11-20", lines=THREE_LINES[:1])
    invoices.create_draft(ctx, client_id=other.id, kind="quote")
    names = lambda rows: [(r.client_name, r.issue_date.day) for r in rows]  # noqa: E731
    assert names(invoices.list_documents(ctx)) == [("Гулнора Юсупова", 20), ("Samarqand Travel", 1)]
    assert names(invoices.list_documents(ctx, sort="total", descending=False)) == [
        ("Гулнора Юсупова", 20), ("Samarqand Travel", 1)]
    assert names(invoices.list_documents(ctx, DocumentFilter(search="гулнора"))) == [("Гулнора Юсупова", 20)]
    assert invoices.count_documents(ctx, DocumentFilter(kind="quote")) == 1
    assert invoices.count_documents(ctx, DocumentFilter(kind=None, client_id=other.id)) == 2


def test_documents_of_private_clients_are_invisible(ctx, staff):
    secret = clients.create(staff["dilnoza"], name="Secret", private=True)
    doc = invoices.create_draft(staff["dilnoza"], client_id=secret.id, lines=THREE_LINES)
    assert invoices.list_documents(staff["rashad"]) == []
    with pytest.raises(NotFound):
        invoices.get(staff["rashad"], doc.id)
