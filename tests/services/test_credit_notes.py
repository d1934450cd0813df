"""Credit notes: made from an issued invoice, numbered in their own series, and lowering what the
client owes — never by more than the invoice's total — on SQLite and PostgreSQL.

Spans services/documents.py (credit notes), services/invoices.py and services/payments.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.services import clients, documents, invoices, payments
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.invoices import DocumentFilter, LineValues

LINES = [LineValues("Office cleaning", 4, "visit", "250000"), LineValues("Window cleaning", 1, "", "400000")]


@pytest.fixture
def invoice(ctx):
    client = clients.create(ctx, name="Yunusobod Dental", kind="company")
    d = invoices.create_draft(ctx, client_id=client.id, currency="UZS", lines=LINES)
    return documents.issue(ctx, d.id, expected_version=d.version)  # 1 400 000 so'm


def credit(ctx, invoice, lines):
    note = documents.credit_note_for(ctx, invoice.id)
    note = invoices.update_draft(ctx, note.id, expected_version=note.version, lines=lines)
    return documents.issue(ctx, note.id, expected_version=note.version)


def test_a_credit_note_starts_as_the_invoice_and_lowers_the_balance(ctx, invoice):
    draft = documents.credit_note_for(ctx, invoice.id)
    assert (draft.kind, draft.status, draft.client_id, draft.currency) == (
        "credit_note",
        "draft",
        invoice.client_id,
        "UZS",
    )
    assert draft.related_number == invoice.number and draft.total == invoice.total
    assert [line.description for line in draft.lines] == ["Office cleaning", "Window cleaning"]
    note = credit(ctx, invoice, [LineValues("Window cleaning not done", 1, "", "400000")])
    assert note.number.startswith("CN-") and note.number.endswith("-00001")
    after = invoices.get(ctx, invoice.id)
    assert (after.credited_total, after.balance, after.status) == (
        Decimal(400000),
        Decimal(1000000),
        "issued",
    )
    payments.record_payment(ctx, invoice.id, amount="1000000")
    assert invoices.get(ctx, invoice.id).status == "paid"  # paid in full once the credit is counted
    with pytest.raises(ValidationError, match="paid in full"):
        payments.record_payment(ctx, invoice.id, amount="1")


def test_credit_notes_never_credit_more_than_the_invoice(ctx, invoice):
    credit(ctx, invoice, [LineValues("Part", 1, "", "1000000")])
    too_much = documents.credit_note_for(ctx, invoice.id)  # its lines still add up to the whole invoice
    with pytest.raises(ValidationError, match="400,000.00 UZS left to credit"):
        documents.issue(ctx, too_much.id, expected_version=too_much.version)
    assert invoices.get(ctx, too_much.id).number is None  # still a draft, no number used
    credit(ctx, invoice, [LineValues("The rest", 1, "", "400000")])
    whole = invoices.get(ctx, invoice.id)
    assert (whole.status, whole.balance) == ("credited", Decimal(0))
    with pytest.raises(ValidationError, match="this invoice is credited"):
        documents.credit_note_for(ctx, invoice.id)
    assert invoices.count_documents(ctx, DocumentFilter(status="issued")) == 0
    assert payments.receivables(ctx) == []


def test_a_credit_after_payment_shows_as_money_due_back(ctx, invoice):
    payments.record_payment(ctx, invoice.id, amount="1400000")
    credit(ctx, invoice, [LineValues("Discount agreed later", 1, "", "100000")])
    after = invoices.get(ctx, invoice.id)
    assert (after.status, after.balance) == ("paid", Decimal(-100000))


def test_cancelling_a_credit_note_gives_the_balance_back(ctx, invoice):
    note = credit(ctx, invoice, [LineValues("Part", 1, "", "400000")])
    with pytest.raises(ValidationError, match=f"Credit note {note.number} corrects this invoice"):
        documents.cancel(
            ctx, invoice.id, reason="wrong client", expected_version=invoices.get(ctx, invoice.id).version
        )
    documents.cancel(ctx, note.id, reason="issued twice", expected_version=note.version)
    after = invoices.get(ctx, invoice.id)
    assert (after.credited_total, after.balance, after.status) == (Decimal(0), invoice.total, "issued")


def test_a_credit_note_keeps_its_invoice_client_and_currency(ctx, invoice):
    other = clients.create(ctx, name="Someone else")
    note = documents.credit_note_for(ctx, invoice.id)
    for values in ({"client_id": other.id}, {"currency": "USD"}):
        with pytest.raises(ValidationError, match="keeps its invoice's client and currency"):
            invoices.update_draft(ctx, note.id, expected_version=note.version, **values)
    with pytest.raises(ValidationError, match="not copied"):
        documents.duplicate(ctx, note.id)


def test_only_issued_invoices_get_credit_notes(ctx, invoice):
    draft = invoices.create_draft(ctx, client_id=invoice.client_id, lines=LINES)
    with pytest.raises(ValidationError, match="this invoice is draft"):
        documents.credit_note_for(ctx, draft.id)
    quote = invoices.create_draft(ctx, client_id=invoice.client_id, kind="quote", lines=LINES)
    with pytest.raises(ValidationError, match="this quote is draft"):
        documents.credit_note_for(ctx, quote.id)
