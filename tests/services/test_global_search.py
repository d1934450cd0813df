"""Global search over clients, deals, jobs and invoices; the invoice list's overdue filter and per-currency
totals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crm_desktop.db.models import Document
from crm_desktop.services import clients, deals, global_search, invoices
from crm_desktop.services.global_search import Hit
from crm_desktop.services.invoices import OVERDUE, DocumentFilter, LineValues


def issue(ctx, document_id: int, *, number: str, due: date, paid: str = "0", status: str = "issued") -> None:
    """Issuing comes with the invoicing feature; until then tests put an issued invoice in place directly."""
    with ctx.write() as s:
        doc = s.get(Document, document_id)
        doc.status, doc.number, doc.due_date, doc.paid_total = status, number, due, Decimal(paid)


def office(ctx) -> dict[str, int]:
    zarina = clients.create(
        ctx, name="Zarina Rahimova", phones=["+998 90 123 45 67"], emails=["zarina@mail.uz"]
    ).id
    aziz = clients.create(ctx, name="Aziz Karimov", phones=["+998 91 765 44 33"]).id
    deal = deals.create(
        ctx, client_id=aziz, title="Office cleaning contract", amount="1500", currency="USD"
    ).id
    doc = invoices.create_draft(
        ctx, client_id=zarina, currency="USD", lines=[LineValues("Consultation", 2, "h", "100")]
    ).id
    issue(ctx, doc, number="INV-2026-0042", due=ctx.today() + timedelta(days=5))
    return {"zarina": zarina, "aziz": aziz, "deal": deal, "doc": doc}


def test_finds_a_client_by_phone_digits_and_by_email(ctx):
    ids = office(ctx)
    hits = global_search.search(ctx, "1234567")
    assert hits[0] == Hit("client", ids["zarina"], "Zarina Rahimova", "+998 90 123 45 67, zarina@mail.uz")
    assert [(h.kind, h.id) for h in hits[1:]] == [("invoice", ids["doc"])]  # her invoice, found by her phone
    assert [h.id for h in global_search.search(ctx, "zarina@mail") if h.kind == "client"] == [ids["zarina"]]


def test_finds_deals_by_title_and_invoices_by_number(ctx):
    ids = office(ctx)
    assert [(h.kind, h.id) for h in global_search.search(ctx, "cleaning")] == [("deal", ids["deal"])]
    hits = global_search.search(ctx, "0042")
    assert [(h.kind, h.id, h.title) for h in hits] == [("invoice", ids["doc"], "INV-2026-0042")]
    assert hits[0].subtitle == "Zarina Rahimova · 200.00 USD"


def test_a_client_name_finds_the_client_its_deals_and_its_invoices(ctx):
    ids = office(ctx)
    assert [(h.kind, h.id) for h in global_search.search(ctx, "aziz")] == [
        ("client", ids["aziz"]),
        ("deal", ids["deal"]),
    ]
    assert [h.kind for h in global_search.search(ctx, "zarina")] == ["client", "invoice"]


def test_blank_text_finds_nothing_and_limit_caps_each_kind(ctx):
    for i in range(5):
        clients.create(ctx, name=f"Samarqand Travel {i}")
    assert global_search.search(ctx, "   ") == []
    assert len(global_search.search(ctx, "samarqand", limit=3)) == 3


def test_overdue_filter_finds_issued_unpaid_invoices_past_their_due_date(ctx):
    zarina = clients.create(ctx, name="Zarina Rahimova").id
    made = {}
    for name in ("late", "late_partly_paid", "paid_late", "not_due", "draft_past_due"):
        made[name] = invoices.create_draft(
            ctx,
            client_id=zarina,
            currency="USD",
            issue_date=ctx.today() - timedelta(days=40),
            due_date=ctx.today() - timedelta(days=1),
            lines=[LineValues("Work", 1, "", "100")],
        ).id
    yesterday = ctx.today() - timedelta(days=1)
    issue(ctx, made["late"], number="A-1", due=yesterday)
    issue(ctx, made["late_partly_paid"], number="A-2", due=yesterday, paid="40", status="partly_paid")
    issue(ctx, made["paid_late"], number="A-3", due=yesterday, paid="100", status="paid")
    issue(ctx, made["not_due"], number="A-4", due=ctx.today())
    found = invoices.list_documents(ctx, DocumentFilter(status=OVERDUE), sort="number", descending=False)
    assert [d.number for d in found] == ["A-1", "A-2"]
    assert invoices.count_documents(ctx, DocumentFilter(status=OVERDUE)) == 2
    assert invoices.totals_by_currency(ctx, DocumentFilter(status=OVERDUE)) == [
        ("USD", Decimal("200.00"), Decimal("160.00"))
    ]


def test_totals_by_currency_keeps_currencies_apart_and_follows_the_filter(ctx):
    zarina = clients.create(ctx, name="Zarina Rahimova").id
    aziz = clients.create(ctx, name="Aziz Karimov").id
    invoices.create_draft(
        ctx, client_id=zarina, currency="UZS", lines=[LineValues("Tour", 2, "", "1850000.50")]
    )
    invoices.create_draft(ctx, client_id=aziz, currency="UZS", lines=[LineValues("Hotel", 1, "", "100000")])
    kwd = invoices.create_draft(
        ctx, client_id=aziz, currency="KWD", lines=[LineValues("Report", 1, "", "120.0005", 0, 5)]
    ).id
    issue(ctx, kwd, number="K-1", due=ctx.today(), paid="50", status="partly_paid")
    assert invoices.totals_by_currency(ctx) == [
        ("KWD", Decimal("126.001"), Decimal("76.001")),
        ("UZS", Decimal("3800001.00"), Decimal("3800001.00")),
    ]
    assert invoices.totals_by_currency(ctx, DocumentFilter(search="zarina")) == [
        ("UZS", Decimal("3700001.00"), Decimal("3700001.00"))
    ]
    assert invoices.totals_by_currency(ctx, DocumentFilter(status="paid")) == []


def test_finds_a_job_by_its_title_or_its_client_whatever_its_status(ctx):
    from crm_desktop.services import company, jobs, workflows
    from crm_desktop.services.workflows import StageSpec

    ids = office(ctx)
    company.update(ctx, expected_version=company.get(ctx).version, name="Office")
    template = workflows.create(ctx, "Boiler visit", [StageSpec("Repair", work_days=1)])
    job = jobs.start(ctx, ids["aziz"], template.id, title="Boiler on the second floor")
    jobs.set_status(ctx, job.id, "cancelled", reason="The client sold the flat")
    assert Hit("job", job.id, "Boiler on the second floor", "Aziz Karimov · Repair") in global_search.search(
        ctx, "boiler"
    )
    assert [h.kind for h in global_search.search(ctx, "karimov")] == ["client", "deal", "job"]
