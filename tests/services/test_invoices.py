"""Invoice and quote drafts: lines, validation, exact stored totals, drafts-only editing, visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm_desktop.db.models import Document
from crm_desktop.services import clients, company, deals, invoices, money
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ConflictError, NotFound, ServiceError, ValidationError
from crm_desktop.services.invoices import DocumentFilter, LineValues

D = Decimal
SIMPLE = [
    LineValues("Logo design", "1", "pcs", "450.00", "0", "12"),
    LineValues("Business cards", "500", "pcs", "0.35", "10", "12"),
    LineValues("Delivery", "1", "", "15", "0", "0"),
]


@dataclass(frozen=True)
class Case:
    lines: list[LineValues]
    nets: list[str]
    taxes: list[tuple[str, str, str]]  # rate, base, tax
    subtotal: str
    discount: str
    tax: str
    total: str


# Three lines with mixed tax rates and a discount, worked out by hand in each currency.
# gross = qty × price (rounded); discount = gross × % (rounded);
# tax = rate × Σ nets at that rate (rounded once).
HAND_COMPUTED = {
    "USD": Case(
        lines=[
            LineValues("Website design", 1, "", "1250.00", 0, 12),
            LineValues("Hosting", 12, "months", "19.99", 15, 12),  # 239.88 − 35.98 (35.982)
            LineValues("Domain", 1, "", "12.345", 0, 5),
        ],  # 12.35 (half up)
        nets=["1250.00", "203.90", "12.35"],
        taxes=[("5", "12.35", "0.62"), ("12", "1453.90", "174.47")],  # 0.6175; 174.468
        subtotal="1502.23",
        discount="35.98",
        tax="175.09",
        total="1641.34",
    ),
    "UZS": Case(
        lines=[
            LineValues("Tour Samarqand–Buxoro", 2, "", "1850000", 5, 12),  # 3 700 000 − 185 000
            LineValues("Hotel nights", 3, "nights", "475333.335", 0, 12),  # 1 426 000.005 -> .01
            LineValues("Guide", 1, "day", "300000", 10, 0),
        ],  # 300 000 − 30 000
        nets=["3515000.00", "1426000.01", "270000.00"],
        taxes=[("0", "270000.00", "0.00"), ("12", "4941000.01", "592920.00")],  # 592 920.0012
        subtotal="5426000.01",
        discount="215000.00",
        tax="592920.00",
        total="5803920.01",
    ),
    "KWD": Case(
        lines=[
            LineValues("Consulting", "7.5", "h", "42.125", 0, 5),  # 315.9375 -> 315.938
            LineValues("Report", 1, "", "120.0005", "12.5", 5),  # 120.001 − 15.000 (15.000125)
            LineValues("Translation", 3, "pages", "9.99", 0, 0),
        ],  # 29.970
        nets=["315.938", "105.001", "29.970"],
        taxes=[("0", "29.970", "0.000"), ("5", "420.939", "21.047")],  # 21.04695
        subtotal="465.909",
        discount="15.000",
        tax="21.047",
        total="471.956",
    ),
}


@pytest.fixture
def client(ctx):
    return clients.create(ctx, name="Samarqand Travel", kind="company")


def _issue(ctx: ServiceContext, document_id: int, number: str) -> None:
    """Issuing belongs to the invoicing feature; these tests only need a document that is issued."""
    with ctx.write() as s:
        doc = s.get(Document, document_id)
        doc.status, doc.number = "issued", number


# --- creating -----------------------------------------------------------------------------------


def test_new_draft_takes_the_office_defaults(ctx, client, clock, audit_rows):
    doc = invoices.create_draft(ctx, client_id=client.id, lines=SIMPLE)
    today = clock.now().astimezone().date()
    assert (doc.kind, doc.status, doc.number, doc.currency, doc.client_name) == (
        "invoice",
        "draft",
        None,
        "USD",
        "Samarqand Travel",
    )
    assert (doc.issue_date, doc.due_date) == (today, today + timedelta(days=14))
    # subtotal is before discounts: 450 + 175 + 15; 12% of (450 + 157.50) = 72.90
    assert (doc.subtotal, doc.tax_total, doc.total, doc.paid_total, doc.balance) == (
        D("640.00"),
        D("72.90"),
        D("695.40"),
        D("0"),
        D("695.40"),
    )
    assert [(line.position, line.description, line.unit, line.net) for line in doc.lines] == [
        (0, "Logo design", "pcs", D("450.00")),
        (1, "Business cards", "pcs", D("157.50")),
        (2, "Delivery", "", D("15.00")),
    ]
    assert invoices.get(ctx, doc.id) == doc
    assert audit_rows("documents", doc.id)[0][1]["total"] == [None, "695.4"]
    assert [action for action, _ in audit_rows("document_lines")] == ["create"] * 3


def test_quotes_have_no_due_date_and_new_drafts_use_the_company_currency(ctx, client):
    company.update(ctx, expected_version=company.get(ctx).version, default_currency="UZS")
    quote = invoices.create_draft(ctx, client_id=client.id, kind="quote", lines=SIMPLE[:1])
    assert (quote.kind, quote.currency, quote.due_date, quote.total) == ("quote", "UZS", None, D("504.00"))
    with pytest.raises(ValidationError) as err:
        invoices.create_draft(ctx, client_id=client.id, kind="credit_note")
    assert err.value.field == "kind"


@pytest.mark.parametrize("code", sorted(HAND_COMPUTED))
def test_three_line_totals_match_the_hand_computed_ones(ctx, client, code):
    case = HAND_COMPUTED[code]
    doc = invoices.create_draft(ctx, client_id=client.id, currency=code, lines=case.lines)
    assert [line.net for line in doc.lines] == [D(x) for x in case.nets]
    assert [(t.rate, t.base, t.tax) for t in doc.totals.taxes] == [tuple(D(x) for x in t) for t in case.taxes]
    assert (doc.totals.subtotal, doc.totals.discount_total, doc.totals.tax_total, doc.totals.total) == (
        D(case.subtotal),
        D(case.discount),
        D(case.tax),
        D(case.total),
    )
    stored = invoices.list_documents(ctx)[0]  # what the list shows is what was stored
    assert (stored.subtotal, stored.tax_total, stored.total) == (D(case.subtotal), D(case.tax), D(case.total))
    assert stored.subtotal - doc.totals.discount_total + stored.tax_total == stored.total
    assert invoices.preview_totals(case.lines, code) == doc.totals


@pytest.mark.parametrize(
    "line, field, message",
    [
        (LineValues("Paint", "-2", "l", "10"), "lines[0].quantity", "Quantity cannot be negative (got -2)."),
        (
            LineValues("  ", "1", "", "10"),
            "lines[0].description",
            "Description cannot be empty. Please enter it.",
        ),
        (
            LineValues("Paint", "two", "", "10"),
            "lines[0].quantity",
            "Quantity must be a number, like 12 or 12.50 (got 'two').",
        ),
        (
            LineValues("Paint", "0", "", "10"),
            "lines[0].quantity",
            "Quantity cannot be 0. Remove the line instead.",
        ),
        (
            LineValues("Paint", "1", "", "10", "120"),
            "lines[0].discount_percent",
            "Discount cannot be more than 100 (got 120).",
        ),
        (
            LineValues("Paint", "1", "", "10", "0", "-5"),
            "lines[0].tax_rate",
            "Tax rate cannot be negative (got -5).",
        ),
        (
            LineValues("Paint", "1", "", "-10"),
            "lines[0].unit_price",
            "Unit price cannot be negative (got -10).",
        ),
        (
            LineValues("Paint", "1", "", "0.00001"),
            "lines[0].unit_price",
            "Unit price can have at most 4 decimal places (got 0.00001).",
        ),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_saved(ctx, client, line, field, message):
    with pytest.raises(ValidationError) as err:
        invoices.create_draft(ctx, client_id=client.id, lines=[SIMPLE[0], line])
    assert (err.value.field, err.value.message) == (field.replace("[0]", "[1]"), message)
    with pytest.raises(ValidationError) as err:
        invoices.preview_totals([line], "USD")  # the editor's live totals say the same
    assert err.value.field == field
    assert invoices.count_documents(ctx, DocumentFilter(kind=None)) == 0


def test_dates_are_taken_as_offices_type_them(ctx, client):
    for typed in ("31/12/2026", "31.12.2026", "31-12-2026", "2026-12-31", " 2026-12-31 "):
        draft = invoices.create_draft(ctx, client_id=client.id, issue_date="2026-12-01", due_date=typed)
        assert draft.due_date == date(2026, 12, 31), typed


@pytest.mark.parametrize(
    "values, field, words",
    [
        (
            {"currency": "XYZ"},
            "currency",
            "Unknown currency 'XYZ'. Use a 3-letter code such as USD, EUR, UZS.",
        ),
        (
            {"issue_date": "2026-12-10", "due_date": "2026-12-01"},
            "due_date",
            "The due date (2026-12-01) is before the issue date (2026-12-10). "
            "Choose a due date on or after it.",
        ),
        (
            {"due_date": "2026-02-30"},
            "due_date",
            "The due date: there is no day 2026-02-30 (check the day and the month).",
        ),
        (
            {"due_date": "31.04.2026"},
            "due_date",
            "The due date: there is no day 31.04.2026 (check the day and the month).",
        ),
        (
            {"issue_date": "yesterday"},
            "issue_date",
            "The issue date is not a date: 'yesterday'. Type it as 31.12.2026 or 2026-12-31.",
        ),
    ],
)
def test_bad_header_fields_are_refused(ctx, client, values, field, words):
    with pytest.raises(ValidationError) as err:
        invoices.create_draft(ctx, client_id=client.id, **values)
    assert (err.value.field, err.value.message) == (field, words)
    assert invoices.count_documents(ctx) == 0


def test_a_deal_must_belong_to_the_documents_client(ctx, client):
    other = clients.create(ctx, name="Other")
    deal = deals.create(ctx, client_id=other.id, title="Their deal")
    with pytest.raises(ValidationError, match="belongs to another client") as err:
        invoices.create_draft(ctx, client_id=client.id, deal_id=deal.id)
    assert err.value.field == "deal_id"
    mine = deals.create(ctx, client_id=client.id, title="Our deal")
    assert invoices.create_draft(ctx, client_id=client.id, deal_id=mine.id).deal_id == mine.id


# --- editing ------------------------------------------------------------------------------------


def test_editing_lines_recomputes_totals_and_logs_each_change(ctx, client, audit_rows):
    doc = invoices.create_draft(
        ctx,
        client_id=client.id,
        currency="UZS",
        lines=[LineValues("Tour", 2, "", "1500000"), LineValues("Visa", 1, "", "200000")],
    )
    edited = invoices.update_draft(
        ctx,
        doc.id,
        expected_version=doc.version,
        notes="Early booking",
        lines=[LineValues("Tour", 3, "", "1500000.55", tax_rate=12)],
    )
    # 4 500 001.65 + 12% (540 000.198 -> 540 000.20)
    assert (edited.subtotal, edited.tax_total, edited.total) == (
        D("4500001.65"),
        D("540000.20"),
        D("5040001.85"),
    )
    assert (edited.notes, edited.version, len(edited.lines)) == ("Early booking", doc.version + 1, 1)
    assert invoices.get(ctx, doc.id).total == D("5040001.85")
    action, changes = audit_rows("documents", doc.id)[-1]
    assert (action, changes["total"], changes["notes"]) == (
        "update",
        ["3200000", "5040001.85"],
        ["", "Early booking"],
    )
    kept, dropped = doc.lines
    assert audit_rows("document_lines", kept.id)[-1] == (
        "update",
        {"quantity": ["2", "3"], "unit_price": ["1500000", "1500000.55"], "tax_rate": ["0", "12"]},
    )
    assert audit_rows("document_lines", dropped.id)[-1][0] == "delete"


def test_every_save_bumps_the_version_and_stale_saves_are_refused(ctx, client, another_pc_saves_first):
    doc = invoices.create_draft(ctx, client_id=client.id, lines=SIMPLE)
    renamed = invoices.update_draft(
        ctx,
        doc.id,
        expected_version=doc.version,
        lines=[LineValues("Logo redesign", "1", "pcs", "450.00", "0", "12"), *SIMPLE[1:]],
    )
    assert (
        renamed.total == doc.total and renamed.version == doc.version + 1
    )  # same totals, still a new version
    with pytest.raises(ConflictError, match="changed by someone else"):
        invoices.update_draft(ctx, doc.id, expected_version=doc.version, notes="from a stale editor")
    with another_pc_saves_first(ctx, "documents", doc.id), pytest.raises(ConflictError):
        invoices.update_draft(ctx, doc.id, expected_version=renamed.version, lines=SIMPLE[:1])
    assert invoices.get(ctx, doc.id).lines[0].description == "Logo redesign"


def test_invalid_edits_change_nothing(ctx, client):
    doc = invoices.create_draft(ctx, client_id=client.id, lines=SIMPLE)
    with pytest.raises(ValidationError) as err:
        invoices.update_draft(
            ctx, doc.id, expected_version=doc.version, due_date=doc.issue_date - timedelta(days=1)
        )
    assert err.value.field == "due_date"
    with pytest.raises(ValidationError, match="no field 'number'"):
        invoices.update_draft(ctx, doc.id, expected_version=doc.version, number="INV-1")
    with pytest.raises(ValidationError) as err:
        invoices.update_draft(ctx, doc.id, expected_version=doc.version, lines=[SIMPLE[0], LineValues("")])
    assert err.value.field == "lines[1].description"
    assert invoices.get(ctx, doc.id) == doc


def test_issued_documents_cannot_be_edited_or_deleted_and_attempts_are_logged(ctx, client, audit_rows):
    doc = invoices.create_draft(ctx, client_id=client.id, lines=SIMPLE)
    _issue(ctx, doc.id, "INV-2026-00001")
    version = invoices.get(ctx, doc.id).version
    with pytest.raises(ServiceError) as err:
        invoices.update_draft(ctx, doc.id, expected_version=version, notes="sneaky", lines=[])
    assert err.value.message.startswith("Invoice INV-2026-00001 is issued and can no longer be changed.")
    with pytest.raises(ServiceError, match="can no longer be changed"):
        invoices.delete_draft(ctx, doc.id)
    assert audit_rows("documents", doc.id)[-2:] == [
        ("refused_edit", {"status": "issued", "fields": ["lines", "notes"]}),
        ("refused_delete", {"status": "issued"}),
    ]
    after = invoices.get(ctx, doc.id)
    assert (after.total, after.notes, len(after.lines), after.version) == (D("695.40"), "", 3, version)


def test_drafts_can_be_deleted_with_their_lines(ctx, client, audit_rows):
    doc = invoices.create_draft(ctx, client_id=client.id, kind="quote", lines=SIMPLE)
    invoices.delete_draft(ctx, doc.id)
    with pytest.raises(NotFound):
        invoices.get(ctx, doc.id)
    assert audit_rows("documents", doc.id)[-1][0] == "delete"
    assert [a for a, _ in audit_rows("document_lines")] == ["create"] * 3 + ["delete"] * 3


# --- lists --------------------------------------------------------------------------------------


def test_list_filters_sorts_and_pages(ctx, client):
    other = clients.create(ctx, name="Гулнора Юсупова")
    deal = deals.create(ctx, client_id=other.id, title="Wedding")
    a = invoices.create_draft(ctx, client_id=client.id, issue_date="2026-11-01", lines=SIMPLE)  # 695.40
    b = invoices.create_draft(
        ctx,
        client_id=other.id,
        issue_date="2026-11-20",
        lines=SIMPLE[:1],  # 504.00
        deal_id=deal.id,
    )
    c = invoices.create_draft(ctx, client_id=other.id, issue_date="2026-11-10", lines=SIMPLE[2:])  # 15.00
    q = invoices.create_draft(ctx, client_id=other.id, kind="quote")
    _issue(ctx, a.id, "INV-2026-00007")

    def ids(*args, **kw):
        return [r.id for r in invoices.list_documents(ctx, *args, **kw)]

    assert ids() == [b.id, c.id, a.id]  # invoices only, newest first
    assert ids(sort="issue_date", descending=False) == [a.id, c.id, b.id]
    assert ids(sort="total", descending=False) == [c.id, b.id, a.id]
    assert ids(sort="client", descending=False) == [a.id, b.id, c.id]  # Latin before Cyrillic, then by id
    assert ids(sort="client") == [c.id, b.id, a.id]
    assert ids(sort="number")[0] == a.id  # drafts have no number yet: they come after, either way
    assert ids(sort="number", descending=False)[0] == a.id
    assert ids(offset=1, limit=1) == [c.id] and ids(offset=3) == []
    assert ids(DocumentFilter(status="draft")) == [b.id, c.id]
    assert ids(DocumentFilter(client_id=client.id)) == [a.id]
    assert ids(DocumentFilter(deal_id=deal.id)) == [b.id]
    assert ids(DocumentFilter(kind="quote")) == [q.id]
    assert ids(DocumentFilter(search="гулнора")) == [b.id, c.id]
    assert ids(DocumentFilter(search="2026-0000")) == [a.id]
    assert ids(DocumentFilter(kind=None, search="Юсупова")) == [q.id, b.id, c.id]  # the quote is from today
    assert invoices.count_documents(ctx) == 3
    assert invoices.count_documents(ctx, DocumentFilter(kind=None, client_id=other.id)) == 3
    row = invoices.list_documents(ctx, DocumentFilter(client_id=client.id))[0]
    assert (row.number, row.status, row.client_name, row.total, row.balance) == (
        "INV-2026-00007",
        "issued",
        "Samarqand Travel",
        D("695.40"),
        D("695.40"),
    )
    with pytest.raises(ValidationError, match="Cannot sort documents by 'colour'"):
        invoices.list_documents(ctx, sort="colour")


# --- who sees what ------------------------------------------------------------------------------


def test_documents_of_clients_a_colleague_cannot_see_are_invisible_to_them(ctx, staff):
    dilnoza, rashad = staff["dilnoza"], staff["rashad"]
    secret = clients.create(dilnoza, name="Secret Client", private=True)
    public = clients.create(dilnoza, name="Open Client")
    hidden = invoices.create_draft(dilnoza, client_id=secret.id, lines=SIMPLE)
    shown = invoices.create_draft(dilnoza, client_id=public.id, lines=SIMPLE)

    assert [r.id for r in invoices.list_documents(rashad)] == [shown.id]
    assert invoices.count_documents(rashad) == 1
    assert invoices.list_documents(rashad, DocumentFilter(search="Secret")) == []
    for attempt in (
        lambda: invoices.get(rashad, hidden.id),
        lambda: invoices.update_draft(rashad, hidden.id, expected_version=hidden.version, notes="x"),
        lambda: invoices.delete_draft(rashad, hidden.id),
        lambda: invoices.create_draft(rashad, client_id=secret.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert invoices.count_documents(dilnoza) == 2 and invoices.count_documents(ctx) == 2  # owner, admin
    assert invoices.get(ctx, hidden.id).notes == ""
    edited = invoices.update_draft(rashad, shown.id, expected_version=shown.version, notes="checked")
    assert edited.notes == "checked"


def test_document_total_is_exactly_what_money_computes(ctx, client):
    doc = invoices.create_draft(ctx, client_id=client.id, currency="KWD", lines=HAND_COMPUTED["KWD"].lines)
    inputs = [money.LineInput(x.quantity, x.unit_price, x.discount_percent, x.tax_rate) for x in doc.lines]
    assert invoices.get(ctx, doc.id).total == money.compute_totals(inputs, "KWD").total == D("471.956")
