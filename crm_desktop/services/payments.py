"""Payments against issued invoices, the balance they leave, and who owes what for how long.

An invoice's status follows its payments and credit notes: issued (nothing paid), partly paid,
paid, or credited (credit notes cover it all). A payment larger than the balance is refused with
the balance named: money a client pays too much is not their debt, and recording it as paid would
hide it (a credit note after payment shows as a negative balance: due back to the client).
Overdue is not stored: an issued or partly paid invoice past its due date with a balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text

from crm_desktop.db.models import Client, Document, Payment
from crm_desktop.i18n import N_, Message
from crm_desktop.services import activities, invoices, lifecycle, money
from crm_desktop.services import validation as v
from crm_desktop.services.clients import visible_to
from crm_desktop.services.context import ServiceContext, check_version, made_before, record
from crm_desktop.services.errors import NotFound, ValidationError

PAYABLE = invoices.UNPAID
METHODS = ("cash", "bank transfer", "card", "other")
AGEING = ("current", "1-30", "31-60", "61-90", "90+")


@dataclass(frozen=True)
class PaymentRow:
    id: int
    document_id: int
    amount: Decimal
    paid_on: date
    method: str
    note: str
    version: int


def _row(p: Payment) -> PaymentRow:
    return PaymentRow(p.id, p.document_id, p.amount, p.paid_on, p.method, p.note, p.version)


def settle(doc: Document) -> None:
    """The invoice's status from what was paid and credited against it."""
    if doc.credited_total >= doc.total:
        doc.status = "credited"
    elif doc.paid_total + doc.credited_total >= doc.total:
        doc.status = "paid"
    else:
        doc.status = "partly_paid" if doc.paid_total > 0 else "issued"


def record_payment(
    ctx: ServiceContext,
    document_id: int,
    *,
    amount: Any,
    paid_on: Any = None,
    method: str = "",
    note: str = "",
    request_id: str | None = None,
) -> PaymentRow:
    """A payment; a retried save with the same `request_id` returns the one recorded the first time."""
    with ctx.write() as s:
        if (earlier := made_before(s, Payment, request_id)) is not None:
            return _row(earlier)
        doc = invoices.load(s, ctx, document_id)
        if doc.kind != "invoice":
            raise ValidationError(
                "amount",
                "Payments are recorded against issued invoices, not against a {kind}.",
                kind=invoices.kind_word(doc.kind),
            )
        if doc.status not in PAYABLE:
            state = Message(N_("paid in full")) if doc.status == "paid" else invoices.status_word(doc.status)
            raise ValidationError(
                "amount", "Payments are recorded against issued invoices; this one is {state}.", state=state
            )
        value = v.decimal("amount", amount, N_("The amount"), minimum=Decimal(0), maximum=invoices.MAX_AMOUNT)
        if value <= 0:
            raise ValidationError("amount", "Enter the amount paid (more than 0).")
        money.check_fits("amount", value, doc.currency)
        balance = invoices.balance(doc)
        if value > balance:
            raise ValidationError(
                "amount",
                "The balance due is {balance}; {amount} would pay {excess} too much. "
                "Record the balance at most; a refund or credit is handled apart.",
                balance=money.amount_of(balance, doc.currency),
                amount=money.amount_of(value, doc.currency),
                excess=money.amount_of(value - balance, doc.currency),
            )
        payment = Payment(
            document_id=doc.id,
            amount=value,
            request_id=request_id,
            paid_on=v.a_date("paid_on", paid_on, N_("The payment date")) or ctx.today(),
            method=v.text("method", method, N_("The method"), max_length=50),
            note=v.text("note", note, N_("The note"), max_length=2000),
        )
        s.add(payment)
        s.flush()  # before the invoice moves on: a server checks the payment against the balance it had
        doc.paid_total += value
        settle(doc)
        amount = money.amount_of(value, doc.currency)
        received = (
            Message("Payment of {amount} received for {number} ({method})", method=payment.method)
            if payment.method
            else Message("Payment of {amount} received for {number}")
        )
        received.params.update(amount=amount, number=doc.number)
        activities.record_event(s, ctx, doc.client_id, received, deal_id=doc.deal_id)
        if doc.status == "paid":  # a paid invoice makes a customer (said after the payment)
            lifecycle.advance(s, ctx, doc.client_id, "customer")
        s.flush()
        return _row(payment)


def removable(ctx: ServiceContext) -> bool:
    """Whether this login may remove a payment recorded by mistake: on a server only a login granted
    DELETE on payments may (CRM logins are not: a payment is recorded for good, corrected by a credit
    note); on a local file, anyone using it."""
    if ctx.db.is_sqlite:
        return True
    with ctx.read() as s:
        return bool(s.scalar(text("SELECT has_table_privilege(current_user, 'payments', 'DELETE')")))


def delete_payment(ctx: ServiceContext, payment_id: int, *, reason: str, expected_version: int) -> None:
    """A payment recorded by mistake, removed with the reason why; the invoice's balance and status
    follow, the timeline says it, and the log keeps the payment and the reason."""
    reason = v.text("reason", reason, N_("The reason"), required=True, max_length=500)
    with ctx.write() as s:
        payment = s.get(Payment, payment_id)
        if payment is None:
            raise NotFound(
                "Payment #{payment_id} does not exist (it may have been deleted).", payment_id=payment_id
            )
        doc = invoices.load(s, ctx, payment.document_id)
        check_version(payment, expected_version, N_("payment"))
        doc.paid_total -= payment.amount
        settle(doc)
        s.delete(payment)
        amount = money.amount_of(payment.amount, doc.currency)
        record(
            s,
            entity="documents",
            entity_id=doc.id,
            action="payment_removed",
            details={"payment": payment_id, "amount": str(payment.amount), "reason": reason},
        )
        activities.record_event(
            s,
            ctx,
            doc.client_id,
            Message(
                "Payment of {amount} for {number} removed: {reason}",
                amount=amount,
                number=doc.number,
                reason=reason,
            ),
            deal_id=doc.deal_id,
        )


def list_payments(ctx: ServiceContext, document_id: int) -> list[PaymentRow]:
    with ctx.read() as s:
        invoices.load(s, ctx, document_id)
        return [
            _row(p)
            for p in s.scalars(
                select(Payment)
                .where(Payment.document_id == document_id)
                .order_by(Payment.paid_on, Payment.id)
            )
        ]


@dataclass(frozen=True)
class Receivable:
    client_id: int
    client_name: str
    currency: str
    buckets: dict[str, Decimal]  # AGEING names → balance due, by days past the due date
    total: Decimal
    invoices: int


def age_bucket(due: date | None, today: date) -> str:
    days = (today - due).days if due else 0
    if days <= 0:
        return "current"
    return "1-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else "90+"


def receivables(ctx: ServiceContext) -> list[Receivable]:
    """Unpaid invoices per client and currency, in ageing buckets; the largest debts first."""
    today = ctx.today()
    # Both amounts, subtracted here: SQL arithmetic on the exact-money columns returns their raw
    # storage integers, not amounts.
    q = (
        select(
            Document.client_id,
            Client.name,
            Document.currency,
            Document.due_date,
            Document.total,
            Document.paid_total,
            Document.credited_total,
        )
        .join(Client, Client.id == Document.client_id)
        .where(visible_to(ctx.actor), Document.kind == "invoice", Document.status.in_(PAYABLE), invoices.OWED)
    )
    grouped: dict[tuple[int, str], dict[str, Any]] = {}
    with ctx.read() as s:
        for client_id, name, currency, due, total, paid, credited in s.execute(q):
            entry = grouped.setdefault(
                (client_id, currency),
                {"name": name, "buckets": dict.fromkeys(AGEING, Decimal(0)), "count": 0},
            )
            entry["buckets"][age_bucket(due, today)] += total - paid - credited
            entry["count"] += 1
    out = [
        Receivable(cid, e["name"], cur, e["buckets"], sum(e["buckets"].values(), Decimal(0)), e["count"])
        for (cid, cur), e in grouped.items()
    ]
    return sorted(out, key=lambda r: (r.currency, -r.total, r.client_name))
