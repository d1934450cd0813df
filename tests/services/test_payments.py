"""Payments: partial and full, status and balance, over-payment refused, mistakes undone, ageing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm_desktop.services import activities, clients, documents, invoices, payments
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.invoices import OVERDUE, DocumentFilter, LineValues


@pytest.fixture
def invoice(ctx):
    client = clients.create(ctx, name="Leyla Əliyeva")
    d = invoices.create_draft(
        ctx, client_id=client.id, currency="AZN", lines=[LineValues("Audit", 1, "", "500")]
    )
    return documents.issue(ctx, d.id, expected_version=d.version)


def test_partial_then_full_payment_moves_the_status_and_balance(ctx, invoice):
    first = payments.record_payment(
        ctx, invoice.id, amount="200.50", method="bank transfer", note="first half"
    )
    doc = invoices.get(ctx, invoice.id)
    assert (doc.status, doc.paid_total, doc.balance) == ("partly_paid", Decimal("200.50"), Decimal("299.50"))
    payments.record_payment(ctx, invoice.id, amount="299.50", paid_on=date(2026, 11, 30))
    doc = invoices.get(ctx, invoice.id)
    assert (doc.status, doc.balance) == ("paid", Decimal("0"))
    listed = payments.list_payments(ctx, invoice.id)
    assert [(p.amount, p.method) for p in listed] == [
        (Decimal("200.50"), "bank transfer"),
        (Decimal("299.50"), ""),
    ]
    assert listed[0].id == first.id


def test_over_payment_is_refused_with_the_balance_named(ctx, invoice):
    payments.record_payment(ctx, invoice.id, amount="450")
    with pytest.raises(ValidationError) as refused:
        payments.record_payment(ctx, invoice.id, amount="60")
    assert "50.00 AZN" in refused.value.message and "10.00 AZN too much" in refused.value.message
    assert invoices.get(ctx, invoice.id).paid_total == Decimal("450")


@pytest.mark.parametrize(
    "amount, words",
    [("0", "more than 0"), ("-5", "negative"), ("10.005", "2 decimal places"), ("ten", "number")],
)
def test_bad_amounts_are_refused(ctx, invoice, amount, words):
    with pytest.raises(ValidationError) as refused:
        payments.record_payment(ctx, invoice.id, amount=amount)
    assert refused.value.field == "amount" and words in refused.value.message
    assert payments.list_payments(ctx, invoice.id) == []


def test_no_payments_on_drafts_or_paid_invoices(ctx, invoice):
    draft = invoices.create_draft(ctx, client_id=invoice.client_id, lines=[LineValues("Work", 1, "", "5")])
    with pytest.raises(ValidationError, match="this one is draft"):
        payments.record_payment(ctx, draft.id, amount="5")
    payments.record_payment(ctx, invoice.id, amount="500")
    with pytest.raises(ValidationError, match="paid in full"):
        payments.record_payment(ctx, invoice.id, amount="1")


def test_a_payment_recorded_by_mistake_is_removed_with_a_reason_and_the_status_follows(
    ctx, invoice, audit_rows
):
    p = payments.record_payment(ctx, invoice.id, amount="500")
    with pytest.raises(ValidationError, match="reason"):
        payments.delete_payment(ctx, p.id, reason="  ", expected_version=p.version)
    assert invoices.get(ctx, invoice.id).status == "paid"  # refused: nothing changed
    payments.delete_payment(ctx, p.id, reason="entered twice", expected_version=p.version)
    doc = invoices.get(ctx, invoice.id)
    assert (doc.status, doc.balance) == ("issued", Decimal("500"))
    assert [a for a, _ in audit_rows("payments", p.id)] == ["create", "delete"]
    removed = [c for a, c in audit_rows("documents", invoice.id) if a == "payment_removed"]
    assert len(removed) == 1 and removed[0]["reason"] == "entered twice"
    timeline = [e.body for e in activities.timeline(ctx, invoice.client_id)]
    assert any("removed: entered twice" in body for body in timeline)
    assert payments.removable(ctx)  # the owner's connection (a local file, or the server's owner)


def test_receivables_age_unpaid_invoices_per_client_and_currency(ctx, clock, invoice):
    today = ctx.today()
    client = clients.create(ctx, name="Aziz Karimov")
    for days_late, amount in ((-5, "100"), (10, "200"), (45, "300"), (75, "400"), (120, "500")):
        d = invoices.create_draft(
            ctx,
            client_id=client.id,
            currency="UZS",
            issue_date=today - timedelta(days=150),
            due_date=today - timedelta(days=days_late),
            lines=[LineValues("Work", 1, "", amount)],
        )
        documents.issue(ctx, d.id, expected_version=d.version)
    paid_late = invoices.list_documents(
        ctx, DocumentFilter(client_id=client.id), sort="total", descending=True
    )[0]
    payments.record_payment(ctx, paid_late.id, amount="125")  # 500 due 120 days ago, 375 left
    rows = {(r.client_name, r.currency): r for r in payments.receivables(ctx)}
    aziz = rows[("Aziz Karimov", "UZS")]
    assert aziz.buckets == {
        "current": Decimal("100"),
        "1-30": Decimal("200"),
        "31-60": Decimal("300"),
        "61-90": Decimal("400"),
        "90+": Decimal("375"),
    }
    assert (aziz.total, aziz.invoices) == (Decimal("1375"), 5)
    assert rows[("Leyla Əliyeva", "AZN")].buckets["current"] == Decimal("500")
    assert invoices.count_documents(ctx, DocumentFilter(status=OVERDUE, client_id=client.id)) == 4


def test_a_payment_retried_with_its_request_id_is_recorded_once(ctx, invoice):
    first = payments.record_payment(ctx, invoice.id, amount="10", request_id="pay-1")
    again = payments.record_payment(ctx, invoice.id, amount="10", request_id="pay-1")
    assert again.id == first.id and len(payments.list_payments(ctx, invoice.id)) == 1
