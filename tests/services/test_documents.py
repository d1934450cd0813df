"""Issuing with gap-free numbers, what an issued document refuses, cancelling, and drafts made from
quotes, copies and won deals — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm_desktop.services import clients, company, deals, documents, invoices, numbering
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.invoices import DocumentFilter, LineValues, NotADraft

WORK = [LineValues("Website design", 1, "", "1200"), LineValues("Hosting", 12, "month", "15", tax_rate="12")]


@pytest.fixture
def client(ctx):
    return clients.create(ctx, name="Samarqand Travel", kind="company")


def draft(ctx, client, **kw):
    return invoices.create_draft(ctx, client_id=client.id, lines=kw.pop("lines", WORK), **kw)


def issued(ctx, client, **kw):
    d = draft(ctx, client, **kw)
    return documents.issue(ctx, d.id, expected_version=d.version)


def test_issuing_numbers_per_kind_and_year_without_gaps(ctx, client):
    first = issued(ctx, client, issue_date=date(2026, 11, 20))
    second = issued(ctx, client, issue_date=date(2026, 11, 21))
    quote = issued(ctx, client, kind="quote", issue_date=date(2026, 11, 21))
    next_year = issued(ctx, client, issue_date=date(2027, 1, 2))
    assert [first.number, second.number, quote.number, next_year.number] == [
        "INV-2026-00001",
        "INV-2026-00002",
        "QUO-2026-00001",
        "INV-2027-00001",
    ]
    assert first.status == "issued"


def test_the_number_an_issue_will_take_is_told_before_without_taking_it(ctx, client):
    on = date(2026, 11, 20)
    assert documents.next_number(ctx, "invoice", on) == "INV-2026-00001"
    assert documents.next_number(ctx, "invoice", on) == "INV-2026-00001"  # asking takes nothing
    assert issued(ctx, client, issue_date=on).number == "INV-2026-00001"
    assert documents.next_number(ctx, "invoice", on) == "INV-2026-00002"
    assert documents.next_number(ctx, "quote", on) == "QUO-2026-00001"
    assert documents.next_number(ctx, "invoice", date(2027, 1, 2)) == "INV-2027-00001"


def test_where_each_kinds_count_stands_is_told_for_a_pattern_not_saved_yet(ctx, client):
    assert documents.running_numbers(ctx) == documents.RunningNumbers(
        2026, {"quote": 1, "invoice": 1, "credit_note": 1}
    )
    issued(ctx, client)
    issued(ctx, client)
    issued(ctx, client, kind="quote")
    counts = documents.running_numbers(ctx)  # today, in the context's clock: 2026
    assert counts == documents.RunningNumbers(2026, {"quote": 2, "invoice": 3, "credit_note": 1})
    assert (
        numbering.format_number("F/{year}/{seq:03d}", counts.year, counts.next_seq["invoice"]) == "F/2026/003"
    )
    assert documents.running_numbers(ctx).next_seq["invoice"] == 3  # asking takes nothing
    assert documents.running_numbers(ctx, date(2027, 1, 2)).next_seq == {
        "quote": 1,
        "invoice": 1,
        "credit_note": 1,
    }


def test_a_failed_issue_leaves_no_hole(ctx, client):
    empty = invoices.create_draft(ctx, client_id=client.id)
    with pytest.raises(ValidationError, match="at least one line"):
        documents.issue(ctx, empty.id, expected_version=empty.version)
    assert issued(ctx, client).number.endswith("-00001")


def test_an_issued_invoice_is_never_edited_deleted_or_renumbered(ctx, client, audit_rows):
    doc = issued(ctx, client)
    with pytest.raises(NotADraft, match="credit note"):
        invoices.update_draft(ctx, doc.id, expected_version=doc.version, notes="changed")
    with pytest.raises(NotADraft):
        invoices.update_draft(
            ctx, doc.id, expected_version=doc.version, lines=[LineValues("Less", 1, "", "1")]
        )
    with pytest.raises(NotADraft):
        invoices.delete_draft(ctx, doc.id)
    with pytest.raises(NotADraft):
        documents.issue(ctx, doc.id, expected_version=doc.version)  # a second number
    assert invoices.get(ctx, doc.id).number == doc.number and invoices.get(ctx, doc.id).total == doc.total
    actions = [a for a, _ in audit_rows("documents", doc.id)]
    assert actions[-4:] == ["refused_edit", "refused_edit", "refused_delete", "refused_issue"]


def test_cancelling_needs_a_reason_and_no_payments(ctx, client):
    from crm_desktop.services import payments

    doc = issued(ctx, client)
    with pytest.raises(ValidationError, match="Say why"):
        documents.cancel(ctx, doc.id, reason=" ", expected_version=doc.version)
    paid = issued(ctx, client)
    payments.record_payment(ctx, paid.id, amount="10")
    with pytest.raises(ValidationError, match="Payments were recorded"):
        documents.cancel(
            ctx, paid.id, reason="wrong client", expected_version=invoices.get(ctx, paid.id).version
        )
    cancelled = documents.cancel(
        ctx, doc.id, reason="Issued to the wrong client", expected_version=doc.version
    )
    assert cancelled.status == "cancelled"
    assert [d.id for d in invoices.list_documents(ctx, DocumentFilter(status="cancelled"))] == [doc.id]


def test_a_quote_becomes_an_invoice_draft_in_one_step(ctx, client):
    quote = issued(ctx, client, kind="quote")
    invoice = documents.invoice_from_quote(ctx, quote.id)
    assert (invoice.kind, invoice.status, invoice.number, invoice.total) == (
        "invoice",
        "draft",
        None,
        quote.total,
    )
    assert [line.description for line in invoice.lines] == ["Website design", "Hosting"]
    assert invoices.get(ctx, quote.id).status == "accepted"


def test_duplicate_and_invoice_for_a_won_deal(ctx, client, clock):
    doc = issued(ctx, client, issue_date=ctx.today() - timedelta(days=40))
    copy = documents.duplicate(ctx, doc.id)
    assert (copy.status, copy.issue_date, copy.total) == ("draft", ctx.today(), doc.total)
    deal = deals.create(ctx, client_id=client.id, title="Annual support", amount="4800", currency="USD")
    deals.mark_won(ctx, deal.id, expected_version=deal.version)
    offered = documents.invoice_for_deal(ctx, deal.id)
    assert (offered.deal_id, offered.currency, offered.total) == (deal.id, "USD", Decimal("4800.00"))
    assert offered.lines[0].description == "Annual support"


def test_number_patterns_are_checked_and_used(ctx, client, staff):
    patterns = company.get(ctx)
    with pytest.raises(ValidationError, match="needs \\{seq\\}"):
        company.update(ctx, expected_version=patterns.version, invoice_number_pattern="INV-{year}")
    with pytest.raises(ValidationError, match="Only \\{year\\}"):
        company.update(ctx, expected_version=patterns.version, invoice_number_pattern="{seq.__class__}")
    with pytest.raises(PermissionDenied):
        company.update(staff["dilnoza"], expected_version=patterns.version, invoice_number_pattern="F{seq}")
    company.update(ctx, expected_version=patterns.version, invoice_number_pattern="{year}/{seq:03d}")
    assert issued(ctx, client, issue_date=date(2026, 5, 1)).number == "2026/001"


def test_a_pattern_that_would_repeat_a_number_is_refused_and_says_what_to_change(ctx, client):
    patterns = company.get(ctx)
    company.update(ctx, expected_version=patterns.version, invoice_number_pattern="INV-{seq:05d}")
    assert issued(ctx, client, issue_date=date(2026, 12, 30)).number == "INV-00001"
    late = draft(ctx, client, issue_date=date(2027, 1, 2))  # each year counts from 1: INV-00001 again
    with pytest.raises(ValidationError, match="already has. Change the pattern"):
        documents.issue(ctx, late.id, expected_version=late.version)
    assert invoices.get(ctx, late.id).status == "draft"


def test_the_next_issue_uses_a_pattern_changed_after_the_last_one(ctx, client):
    """The pattern is read with the draft in the issue's own transaction: a change is never missed."""
    assert issued(ctx, client, issue_date=date(2026, 3, 1)).number == "INV-2026-00001"
    company.update(ctx, expected_version=company.get(ctx).version, invoice_number_pattern="F{year}/{seq:03d}")
    assert issued(ctx, client, issue_date=date(2026, 3, 2)).number == "F2026/002"
    company.update(ctx, expected_version=company.get(ctx).version, quote_number_pattern="Q-{seq}")
    assert issued(ctx, client, kind="quote", issue_date=date(2026, 3, 2)).number == "Q-1"  # each kind its own


def test_a_refused_number_leaves_no_gap(ctx, client):
    """The UNIQUE constraint refuses a number given twice; the counter goes back with the refusal."""
    company.update(ctx, expected_version=company.get(ctx).version, invoice_number_pattern="INV-{seq:05d}")
    assert issued(ctx, client, issue_date=date(2026, 12, 30)).number == "INV-00001"
    late = draft(ctx, client, issue_date=date(2027, 1, 2))
    with pytest.raises(ValidationError, match="gives INV-00001, which another invoice already has"):
        documents.issue(ctx, late.id, expected_version=late.version)
    company.update(
        ctx, expected_version=company.get(ctx).version, invoice_number_pattern="INV-{year}-{seq:05d}"
    )
    assert documents.issue(ctx, late.id, expected_version=late.version).number == "INV-2027-00001"


def test_format_number():
    assert numbering.format_number("INV-{year}-{seq:05d}", 2026, 42) == "INV-2026-00042"
    assert numbering.format_number("{seq}", 2026, 7) == "7"


PATTERNS = [
    "INV-{year}-{seq:05d}",
    "{seq}",
    "{seq:09d}/{year}",
    "{year:06d}-{seq:03d}-{seq}",
    "Ҳ-{seq:02d}",
    "فاتورة {year}/{seq:04d}",
    "{seq:01d}{seq:02d}",
    "NO-SEQ-{year}{seq}",
]


def test_the_server_numbers_documents_by_the_same_rule_as_the_app(pg_ctx):
    """On PostgreSQL the database gives the number (crm_format_number); it must read like the app's."""
    from sqlalchemy import text

    cases = [
        (pattern, year, seq) for pattern in PATTERNS for year in (2026, 987) for seq in (1, 42, 123456, 10**9)
    ]
    with pg_ctx.db.engine.connect() as conn:
        served = [
            conn.scalar(text("SELECT crm_format_number(:p, :y, :s)"), {"p": p, "y": y, "s": s})
            for p, y, s in cases
        ]
    assert served == [numbering.format_number(p, y, s) for p, y, s in cases]


def test_issuing_paying_and_cancelling_show_on_the_client_timeline(ctx, client):
    from crm_desktop.services import activities, payments

    doc = issued(ctx, client)
    payments.record_payment(ctx, doc.id, amount="100", method="cash")
    other = issued(ctx, client)
    documents.cancel(ctx, other.id, reason="Sent twice", expected_version=other.version)
    entries = [(e.kind, e.body) for e in activities.timeline(ctx, client.id)]
    assert entries[::-1] == [
        ("document", f"Invoice {doc.number} issued: 1,401.60 USD"),
        ("document", f"Payment of 100.00 USD received for {doc.number} (cash)"),
        ("document", f"Invoice {other.number} issued: 1,401.60 USD"),
        ("document", f"Invoice {other.number} cancelled: Sent twice"),
    ]
    entry = activities.timeline(ctx, client.id)[0]
    with pytest.raises(ValidationError, match="recorded automatically"):
        activities.update(ctx, entry.id, expected_version=entry.version, body="changed")


def test_tax_rate_presets_are_checked_kept_in_order_and_admins_only(ctx, staff):
    presets = documents.tax_presets(ctx)
    assert presets.rates == (Decimal("12"), Decimal("0"))  # Uzbekistan's VAT, and none
    saved = documents.update_tax_presets(ctx, ["18", "0", "7.5", "18"], expected_version=presets.version)
    assert saved.rates == (Decimal("18"), Decimal("0"), Decimal("7.5"))
    assert documents.tax_presets(ctx) == saved
    with pytest.raises(ValidationError, match="between 0 and 100|100"):
        documents.update_tax_presets(ctx, ["120"], expected_version=saved.version)
    with pytest.raises(ValidationError, match="number"):
        documents.update_tax_presets(ctx, ["VAT"], expected_version=saved.version)
    with pytest.raises(PermissionDenied):
        documents.update_tax_presets(staff["dilnoza"], ["5"], expected_version=saved.version)


def test_a_quote_is_accepted_or_rejected_once_and_a_rejected_one_is_no_invoice(ctx, client):
    from crm_desktop.services import activities

    yes = issued(ctx, client, kind="quote")
    accepted = documents.answer_quote(ctx, yes.id, accepted=True, expected_version=yes.version)
    assert accepted.status == "accepted"
    assert (
        documents.invoice_from_quote(ctx, yes.id).kind == "invoice"
    )  # accepted quotes still become invoices
    no = issued(ctx, client, kind="quote")
    rejected = documents.answer_quote(ctx, no.id, accepted=False, expected_version=no.version)
    assert rejected.status == "rejected"
    with pytest.raises(ValidationError, match="still open"):
        documents.answer_quote(ctx, no.id, accepted=True, expected_version=rejected.version)
    with pytest.raises(ValidationError, match="Only an issued quote"):
        documents.invoice_from_quote(ctx, no.id)
    assert f"Quote {no.number} rejected" in [e.body for e in activities.timeline(ctx, client.id)]
