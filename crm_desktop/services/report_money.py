"""The money reports: revenue (by month, client, manager, source, service), receivables by age, the
payments received.

Revenue is what the issued invoices of the period bill before tax, less the credit notes issued in the
period (a credit note lowers the revenue of the month it is issued in, not the invoice's month). A
document's person is the owner of the deal it bills (a credit note: its invoice's deal), else its
client's owner.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from crm_desktop.db.models import Client, Deal, Document, DocumentLine, Payment
from crm_desktop.i18n import N_
from crm_desktop.services import money
from crm_desktop.services.aggregates import bucket, money_sum
from crm_desktop.services.invoices import OWED, UNPAID
from crm_desktop.services.periods import Period, boundaries, months_of, year_earlier
from crm_desktop.services.reports import Answer, Asked, Column, person_names, ratio, report

MONEY_TABLES = {"documents", "document_lines", "clients", "deals", "users"}
BILLED = ("issued", "partly_paid", "paid", "credited")  # an invoice that counts: issued, not cancelled
NOT_COUNTED = ("draft", "cancelled")  # a credit note that does not

_invoice = aliased(Document)  # a credit note's invoice
_DEAL_ID = func.coalesce(Document.deal_id, _invoice.deal_id)
_deal = aliased(Deal)
PERSON = func.coalesce(_deal.owner_id, Client.owner_id)  # whose a document's money is
_NET = Document.total - Document.tax_total
INVOICED = money_sum(case((Document.kind == "invoice", _NET), else_=0))
CREDITED = money_sum(case((Document.kind == "credit_note", _NET), else_=0))

CURRENCY = Column("currency", N_("Currency"))
AMOUNTS = (
    Column("invoiced", N_("Invoiced, before tax"), "money", total=True),
    Column("credited", N_("Credit notes"), "money", total=True),
    Column("revenue", N_("Revenue"), "money", total=True),
    Column("invoices", N_("Invoices"), "count", total=True),
)


def counted(a: Asked, period: Period | None = None) -> ColumnElement[bool]:
    """The documents whose money is revenue of the period (`a`'s unless given) and the asker's to see."""
    p = period or a.period
    return and_(
        or_(
            and_(Document.kind == "invoice", Document.status.in_(BILLED)),
            and_(Document.kind == "credit_note", Document.status.notin_(NOT_COUNTED)),
        ),
        Document.issue_date >= p.first,
        Document.issue_date < p.after,
        a.scope.of(PERSON),
        a.sees_client(),
    )


def documents_with_people(q: Select, a: Asked, *, names: bool = False) -> Select:
    """`q` over documents with their client, their deal (through a credit note's invoice) and its owner —
    as far as `a` needs them: whose each document is (unless everyone's is counted) or clients' `names`."""
    if a.everyone and a.actor.is_admin and not names:  # (nobody's figures left out, no client unseen)
        return q.select_from(Document)
    return (
        q.select_from(Document)
        .join(Client, Client.id == Document.client_id)
        .outerjoin(_invoice, _invoice.id == Document.related_id)
        .outerjoin(_deal, _deal.id == _DEAL_ID)
    )


def revenue_rows(
    a: Asked, key: Any, period: Period | None = None, *, names: bool = False
) -> list[dict[str, Any]]:
    """Invoiced, credited and revenue per (`key`, currency) of the documents of the period (`names`: `key`
    reads the client or whose the document is)."""
    q = documents_with_people(
        select(
            key.label("key"),
            Document.currency,
            INVOICED,
            CREDITED,
            func.count().filter(Document.kind == "invoice"),
        ),
        a,
        names=names,
    )
    q = q.where(counted(a, period)).group_by(key, Document.currency)
    return [
        {"key": k, "currency": cur, "invoiced": inv, "credited": cred, "revenue": inv - cred, "invoices": n}
        for k, cur, inv, cred, n in a.s.execute(q)
    ]


def revenue(a: Asked, period: Period | None = None) -> dict[str, Decimal]:
    """The period's revenue per currency (the dashboard's figure)."""
    return {
        r["currency"]: r["revenue"]
        for r in revenue_rows(a, literal(0), period)
        if r["invoices"] or r["revenue"]
    }


def _largest_first(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["currency"], -r["revenue"], r[name]))


def month_edges(period: Period) -> list[date]:
    """The months the period spans, cut to it (a custom period may start or end mid-month)."""
    edges = boundaries(months_of(period))
    return [period.first, *edges[1:-1], period.after]


@report(
    "revenue_by_month",
    N_("Revenue by month"),
    N_(
        "What was invoiced before tax less what was credited, month by month, beside the same month "
        "last year."
    ),
    MONEY_TABLES,
)
def revenue_by_month(a: Asked) -> Answer:
    edges = month_edges(a.period)
    rows = revenue_rows(a, bucket(Document.issue_date, edges))
    earlier = {
        (r["key"], r["currency"]): r["revenue"]
        for r in revenue_rows(
            a, bucket(Document.issue_date, [year_earlier(d) for d in edges]), a.period.year_before()
        )
    }
    months = {(r["key"], r["currency"]) for r in rows} | set(earlier)
    by_key = {(r["key"], r["currency"]): r for r in rows}
    out = []
    for key, currency in sorted(months, key=lambda m: (m[1], m[0])):
        row = by_key.get((key, currency)) or {
            "key": key,
            "currency": currency,
            "invoiced": Decimal(0),
            "credited": Decimal(0),
            "revenue": Decimal(0),
            "invoices": 0,
        }
        last_year = earlier.get((key, currency), Decimal(0))
        change = ratio(row["revenue"] - last_year, abs(last_year))
        out.append({**row, "month": edges[key], "last_year": last_year, "change": change})
    columns = (
        Column("month", N_("Month"), "month"),
        CURRENCY,
        *AMOUNTS,
        Column("last_year", N_("Last year"), "money", total=True),
        Column("change", N_("Change, %"), "percent"),
    )
    return columns, out


def _named_rows(a: Asked, key: Any, label: str, *, people: bool = False) -> list[dict[str, Any]]:
    """Revenue per `key` (a client's name or source, or whose it is: `people`), named under `label`."""
    rows = revenue_rows(a, key, names=True)
    names = person_names(a.s, {r["key"] for r in rows}) if people else {}
    for row in rows:
        row[label] = names.get(row["key"], "") if people else (row["key"] or "")
    return _largest_first(rows, label)


@report(
    "revenue_by_client",
    N_("Revenue by client"),
    N_("What each client was invoiced before tax less what was credited, in the period."),
    MONEY_TABLES,
)
def revenue_by_client(a: Asked) -> Answer:
    rows = _named_rows(a, Client.name, "client")
    return (Column("client", N_("Client")), CURRENCY, *AMOUNTS), rows


@report(
    "revenue_by_manager",
    N_("Revenue by manager"),
    N_("The revenue of the deals each person owns (else of the clients they own), in the period."),
    MONEY_TABLES,
)
def revenue_by_manager(a: Asked) -> Answer:
    rows = _named_rows(a, PERSON, "person", people=True)
    return (Column("person", N_("Employee"), blank=N_("(nobody)")), CURRENCY, *AMOUNTS), rows


@report(
    "revenue_by_source",
    N_("Revenue by source"),
    N_("The revenue of the clients each source brought, in the period."),
    MONEY_TABLES,
)
def revenue_by_source(a: Asked) -> Answer:
    rows = _named_rows(a, Client.source, "source")
    return (Column("source", N_("Source")), CURRENCY, *AMOUNTS), rows


@report(
    "revenue_by_service",
    N_("Revenue by service"),
    N_("What each line of the invoices billed before tax, less the credit notes' lines, in the period."),
    MONEY_TABLES,
)
def revenue_by_service(a: Asked) -> Answer:
    # Lines alike (the same service at the same price and discount) are counted in SQL and each worked out
    # once as its document did (money.compute_totals rounds every line), so the sums are the documents' own.
    q = documents_with_people(
        select(
            Document.kind,
            Document.currency,
            DocumentLine.description,
            DocumentLine.quantity,
            DocumentLine.unit_price,
            DocumentLine.discount_percent,
            func.count(),
        ),
        a,
    ).join(DocumentLine, DocumentLine.document_id == Document.id)
    q = q.where(counted(a)).group_by(
        Document.kind,
        Document.currency,
        DocumentLine.description,
        DocumentLine.quantity,
        DocumentLine.unit_price,
        DocumentLine.discount_percent,
    )
    sums: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, currency, description, quantity, price, discount, n in a.s.execute(q):
        line = money.compute_totals([money.LineInput(quantity, price, discount)], currency).net_total
        row = sums.setdefault(
            (description.strip(), currency),
            {
                "service": description.strip(),
                "currency": currency,
                "invoiced": Decimal(0),
                "credited": Decimal(0),
                "lines": 0,
            },
        )
        row["credited" if kind == "credit_note" else "invoiced"] += line * n
        row["lines"] += n if kind == "invoice" else 0
    rows = [{**r, "revenue": r["invoiced"] - r["credited"]} for r in sums.values()]
    columns = (
        Column("service", N_("Service")),
        CURRENCY,
        *AMOUNTS[:3],
        Column("lines", N_("Lines"), "count", total=True),
    )
    return columns, _largest_first(rows, "service")


AGES = ("current", "days_1_30", "days_31_60", "days_61_90", "days_90")
_BALANCE = Document.total - Document.paid_total - Document.credited_total  # what is still owed on it


def _owing(a: Asked) -> ColumnElement[bool]:
    """The issued invoices with money still owed on them, the asker's to see."""
    return and_(
        Document.kind == "invoice", Document.status.in_(UNPAID), OWED, a.scope.of(PERSON), a.sees_client()
    )


@report(
    "receivables_ageing",
    N_("Receivables by age"),
    N_("What clients owe today on issued invoices, by how many days past the due date."),
    {"documents", "payments", "clients", "deals", "users"},
)
def receivables_ageing(a: Asked) -> Answer:
    # As payments.age_bucket: not due yet (or no due date), then 1-30, 31-60, 61-90 and over 90 days late.
    due, t = Document.due_date, a.today
    age = case(
        (due.is_(None), 0),
        (due >= t, 0),
        (due >= t - timedelta(days=30), 1),
        (due >= t - timedelta(days=60), 2),
        (due >= t - timedelta(days=90), 3),
        else_=4,
    )
    q = documents_with_people(
        select(Client.name, Document.currency, age, money_sum(_BALANCE), func.count()), a, names=True
    ).where(_owing(a))
    q = q.group_by(Document.client_id, Client.name, Document.currency, age)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for name, currency, bucket_no, owed, n in a.s.execute(q):
        row = rows.setdefault(
            (name, currency),
            {
                "client": name,
                "currency": currency,
                **dict.fromkeys(AGES, Decimal(0)),
                "total": Decimal(0),
                "invoices": 0,
            },
        )
        row[AGES[bucket_no]] += owed
        row["total"] += owed
        row["invoices"] += n
    columns = (
        Column("client", N_("Client")),
        CURRENCY,
        Column("current", N_("Not due yet"), "money", total=True),
        Column("days_1_30", N_("1–30 days"), "money", total=True),
        Column("days_31_60", N_("31–60 days"), "money", total=True),
        Column("days_61_90", N_("61–90 days"), "money", total=True),
        Column("days_90", N_("Over 90 days"), "money", total=True),
        Column("total", N_("Owed"), "money", total=True),
        Column("invoices", N_("Invoices"), "count", total=True),
    )
    return columns, sorted(rows.values(), key=lambda r: (r["currency"], -r["total"], r["client"]))


def receivables(a: Asked) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """What is owed today per currency, and how much of it is past its due date (the dashboard's)."""
    late = case((Document.due_date < a.today, _BALANCE), else_=0)
    q = documents_with_people(select(Document.currency, money_sum(_BALANCE), money_sum(late)), a).where(
        _owing(a)
    )
    owed: dict[str, Decimal] = {}
    overdue: dict[str, Decimal] = {}
    for currency, total, past in a.s.execute(q.group_by(Document.currency)):
        owed[currency] = total
        if past:
            overdue[currency] = past
    return owed, overdue


@report(
    "payments",
    N_("Payments received"),
    N_("Every payment received in the period, with its invoice and client."),
    {"payments", "documents", "clients", "deals", "users"},
)
def payments_received(a: Asked) -> Answer:
    q = documents_with_people(
        select(
            Payment.paid_on, Client.name, Document.number, Payment.method, Document.currency, Payment.amount
        ),
        a,
        names=True,
    ).join(Payment, Payment.document_id == Document.id)
    q = q.where(
        Payment.paid_on >= a.period.first,
        Payment.paid_on < a.period.after,
        a.scope.of(PERSON),
        a.sees_client(),
    ).order_by(Payment.paid_on, Payment.id)
    rows = [
        {
            "day": day,
            "client": name,
            "number": number or "",
            "method": method,
            "currency": currency,
            "amount": amount,
        }
        for day, name, number, method, currency, amount in a.s.execute(q)
    ]
    columns = (
        Column("day", N_("Paid on"), "day"),
        Column("client", N_("Client")),
        Column("number", N_("Invoice")),
        Column("method", N_("Method")),
        CURRENCY,
        Column("amount", N_("Amount"), "money", total=True),
    )
    return columns, rows
