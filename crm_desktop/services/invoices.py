"""Quotes and invoices while they are drafts: lines, currency, dates and exact totals.

Issuing (numbering), payments and credit notes come with the invoicing feature; here a document
can be drafted, edited and deleted while it is a draft, and nothing else may change it.
Stored totals: `subtotal` is the sum of the lines' nets (after discounts, before tax), `tax_total`
the tax per rate, `total` their sum — all from services/money.compute_totals, never typed in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Client, CompanyProfile, Deal, Document, DocumentLine
from crm_desktop.services import money
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible, visible_to
from crm_desktop.services.context import ServiceContext, record
from crm_desktop.services.errors import ConflictError, NotFound, ServiceError, ValidationError
from crm_desktop.services.search import client_filter

DEFAULT_PAYMENT_DAYS = 14
KIND_NAMES = {"quote": "Quote", "invoice": "Invoice", "credit_note": "Credit note"}
MAX_AMOUNT = Decimal("100000000000000")


@dataclass(frozen=True)
class LineValues:
    description: str
    quantity: Any = Decimal(1)
    unit: str = ""
    unit_price: Any = Decimal(0)
    discount_percent: Any = Decimal(0)
    tax_rate: Any = Decimal(0)


@dataclass(frozen=True)
class LineRow:
    id: int
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net: Decimal
    version: int


@dataclass(frozen=True)
class DocumentRow:
    id: int
    kind: str
    number: str | None
    status: str
    client_id: int
    client_name: str
    deal_id: int | None
    currency: str
    issue_date: date | None
    due_date: date | None
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    paid_total: Decimal
    balance: Decimal
    version: int


@dataclass(frozen=True)
class DocumentDetail(DocumentRow):
    notes: str
    terms: str
    lines: tuple[LineRow, ...]
    totals: money.Totals


@dataclass(frozen=True)
class DocumentFilter:
    kind: str | None = "invoice"
    status: str | None = None
    client_id: int | None = None
    deal_id: int | None = None
    search: str = ""  # a document number, or the client as in the client search


SORT_COLUMNS = {"issue_date": Document.issue_date, "due_date": Document.due_date, "number": Document.number,
                "total": Document.total, "status": Document.status, "created": Document.created_at}


# --- lines and totals ---------------------------------------------------------------------------


def _clean_line(i: int, line: LineValues, currency: str) -> dict[str, Any]:
    at = f"lines[{i}]"
    label = f"Line {i + 1}:"
    out = {
        "description": v.text(f"{at}.description", line.description, f"{label} the description", required=True,
                              max_length=5000),
        "quantity": v.decimal(f"{at}.quantity", line.quantity, f"{label} the quantity", minimum=Decimal(0),
                              maximum=Decimal(1_000_000_000)),
        "unit": v.text(f"{at}.unit", line.unit, f"{label} the unit", max_length=30),
        "unit_price": v.decimal(f"{at}.unit_price", line.unit_price, f"{label} the unit price", minimum=Decimal(0),
                                maximum=MAX_AMOUNT),
        "discount_percent": v.decimal(f"{at}.discount_percent", line.discount_percent, f"{label} the discount",
                                      minimum=Decimal(0), maximum=Decimal(100)),
        "tax_rate": v.decimal(f"{at}.tax_rate", line.tax_rate, f"{label} the tax rate", minimum=Decimal(0),
                              maximum=Decimal(100)),
    }
    if out["quantity"] == 0:
        raise ValidationError(f"{at}.quantity", f"{label} the quantity cannot be 0. Remove the line instead.")
    return out


def preview_totals(lines: Sequence[LineValues], currency: str) -> money.Totals:
    """Totals as they will be stored, for the editor's live totals (raises on an invalid line)."""
    code = money.currency(currency).code
    clean = [_clean_line(i, line, code) for i, line in enumerate(lines)]
    return money.compute_totals((_line_input(c) for c in clean), code)


def _line_input(values: dict[str, Any] | DocumentLine) -> money.LineInput:
    get = values.get if isinstance(values, dict) else lambda k: getattr(values, k)
    return money.LineInput(get("quantity"), get("unit_price"), get("discount_percent"), get("tax_rate"))


def _store_totals(doc: Document) -> money.Totals:
    totals = money.compute_totals((_line_input(line) for line in doc.lines), doc.currency)
    if totals.total > MAX_AMOUNT:
        raise ValidationError("lines", "The total is too large to store. Split the document in two.")
    doc.subtotal, doc.tax_total, doc.total = totals.net_total, totals.tax_total, totals.total
    return totals


# --- reading ------------------------------------------------------------------------------------


def _select_rows() -> Select:
    return select(Document, Client.name).join(Client, Client.id == Document.client_id)


def _row(doc: Document, client_name: str) -> DocumentRow:
    return DocumentRow(doc.id, doc.kind, doc.number, doc.status, doc.client_id, client_name, doc.deal_id,
                       doc.currency, doc.issue_date, doc.due_date, doc.subtotal, doc.tax_total, doc.total,
                       doc.paid_total, doc.total - doc.paid_total, doc.version)


def _detail(s: Session, doc: Document) -> DocumentDetail:
    s.flush()
    totals = money.compute_totals((_line_input(line) for line in doc.lines), doc.currency)
    lines = tuple(
        LineRow(line.id, line.position, line.description, line.quantity, line.unit, line.unit_price,
                line.discount_percent, line.tax_rate, t.net, line.version)
        for line, t in zip(doc.lines, totals.lines, strict=True)
    )
    base = _row(doc, s.get(Client, doc.client_id).name)
    return DocumentDetail(**base.__dict__, notes=doc.notes, terms=doc.terms, lines=lines, totals=totals)


def _filtered(ctx: ServiceContext, q: Select, f: DocumentFilter) -> Select:
    q = q.where(visible_to(ctx.actor))
    for column, value in ((Document.kind, f.kind), (Document.status, f.status), (Document.client_id, f.client_id),
                          (Document.deal_id, f.deal_id)):
        if value is not None:
            q = q.where(column == value)
    if f.search.strip():
        by_number = func.lower(Document.number).contains(f.search.strip().lower(), autoescape=True)
        by_client = client_filter(ctx.db.dialect, f.search)
        q = q.where(by_number | by_client if by_client is not None else by_number)
    return q


def list_documents(ctx: ServiceContext, f: DocumentFilter = DocumentFilter(), *, sort: str = "issue_date",
                   descending: bool = True, offset: int = 0, limit: int | None = 50) -> list[DocumentRow]:
    if sort not in SORT_COLUMNS:
        raise ValidationError("sort", f"Cannot sort documents by '{sort}'; use one of {', '.join(SORT_COLUMNS)}.")
    col = SORT_COLUMNS[sort]
    order = (col.desc(), Document.id.desc()) if descending else (col, Document.id)
    q = _filtered(ctx, _select_rows(), f).order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with ctx.read() as s:
        return [_row(doc, name) for doc, name in s.execute(q)]


def count_documents(ctx: ServiceContext, f: DocumentFilter = DocumentFilter()) -> int:
    q = _filtered(ctx, select(Document.id).join(Client, Client.id == Document.client_id), f)
    with ctx.read() as s:
        return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def _load(s: Session, ctx: ServiceContext, document_id: int) -> Document:
    doc = s.scalar(select(Document).join(Client, Client.id == Document.client_id)
                   .where(Document.id == document_id, visible_to(ctx.actor)))
    if doc is None:
        raise NotFound(f"Document #{document_id} does not exist (it may have been deleted).")
    return doc


def get(ctx: ServiceContext, document_id: int) -> DocumentDetail:
    with ctx.read() as s:
        return _detail(s, _load(s, ctx, document_id))


# --- drafting -----------------------------------------------------------------------------------


def _clean(s: Session, ctx: ServiceContext, doc: Document, values: dict[str, Any]) -> dict[str, Any]:
    allowed = {"currency", "issue_date", "due_date", "deal_id", "notes", "terms", "client_id"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(sorted(unknown)[0], f"Documents have no field '{sorted(unknown)[0]}'.")
    out: dict[str, Any] = {}
    if "client_id" in values:
        out["client_id"] = load_visible(s, ctx.actor, values["client_id"]).id
    if "currency" in values:
        out["currency"] = money.currency(values["currency"]).code
    for key, label in (("issue_date", "The issue date"), ("due_date", "The due date")):
        if key in values:
            out[key] = v.a_date(key, values[key], label)
    for key, label in (("notes", "The notes"), ("terms", "The payment terms")):
        if key in values:
            out[key] = v.text(key, values[key], label, max_length=20_000)
    if "deal_id" in values:
        out["deal_id"] = values["deal_id"]
    client_id = out.get("client_id", doc.client_id)
    deal_id = out.get("deal_id", doc.deal_id)
    if deal_id is not None:
        deal = s.get(Deal, deal_id)
        if deal is None or deal.client_id != client_id:
            raise ValidationError("deal_id", "The chosen deal belongs to another client. Pick one of this client's deals.")
    issue, due = out.get("issue_date", doc.issue_date), out.get("due_date", doc.due_date)
    if issue and due and due < issue:
        raise ValidationError("due_date", f"The due date ({due}) is before the issue date ({issue}). "
                                          "Choose a due date on or after it.")
    return out


def _set_lines(doc: Document, lines: Sequence[LineValues]) -> None:
    clean = [_clean_line(i, line, doc.currency) for i, line in enumerate(lines)]
    doc.lines = [DocumentLine(position=i, **values) for i, values in enumerate(clean)]


def create_draft(ctx: ServiceContext, *, client_id: int, kind: str = "invoice", currency: str | None = None,
                 issue_date: Any = None, due_date: Any = None, deal_id: int | None = None, notes: str = "",
                 terms: str = "", lines: Sequence[LineValues] = ()) -> DocumentDetail:
    kind = v.choice("kind", kind, ("quote", "invoice"), "The document kind")
    with ctx.write() as s:
        doc = Document(kind=kind, status="draft", paid_total=Decimal(0), cancel_reason="")
        if currency is None:
            currency = s.get(CompanyProfile, 1).default_currency
        issue = v.a_date("issue_date", issue_date, "The issue date") or ctx.today()
        if due_date is None and kind == "invoice":
            due_date = issue + timedelta(days=DEFAULT_PAYMENT_DAYS)
        values = {"client_id": client_id, "currency": currency, "issue_date": issue, "due_date": due_date,
                  "deal_id": deal_id, "notes": notes, "terms": terms}
        for key, value in _clean(s, ctx, doc, values).items():
            setattr(doc, key, value)
        _set_lines(doc, lines)
        _store_totals(doc)
        s.add(doc)
        return _detail(s, doc)


class NotADraft(ServiceError):
    """Issued documents are business records: they are corrected, never edited."""

    def __init__(self, doc: Document, action: str):
        name = f"{KIND_NAMES[doc.kind]} {doc.number or '#' + str(doc.id)}"
        super().__init__(f"{name} is {doc.status.replace('_', ' ')} and can no longer be changed. "
                         "Correct it with a credit note, or cancel it with a reason.")
        self.document_id, self.status, self.action = doc.id, doc.status, action


@contextmanager
def _draft_write(ctx: ServiceContext) -> Iterator[Session]:
    """A unit of work on a draft; a refused attempt on an issued document still reaches the audit log."""
    try:
        with ctx.write() as s:
            yield s
    except NotADraft as refusal:
        with ctx.write() as s:  # the refused unit of work rolled back; the log entry gets its own
            record(s, entity="documents", entity_id=refusal.document_id, action=f"refused_{refusal.action}",
                   details={"status": refusal.status})
        raise


def _draft(s: Session, ctx: ServiceContext, document_id: int, expected_version: int | None, action: str) -> Document:
    doc = _load(s, ctx, document_id)
    if doc.status != "draft":
        raise NotADraft(doc, action)
    if expected_version is not None and doc.version != expected_version:
        raise ConflictError(KIND_NAMES[doc.kind].lower(), document_id)
    return doc


def update_draft(ctx: ServiceContext, document_id: int, *, expected_version: int,
                 lines: Sequence[LineValues] | None = None, **values: Any) -> DocumentDetail:
    with _draft_write(ctx) as s:
        doc = _draft(s, ctx, document_id, expected_version, "edit")
        for key, value in _clean(s, ctx, doc, values).items():
            setattr(doc, key, value)
        if lines is not None:
            _set_lines(doc, lines)
        _store_totals(doc)
        doc.updated_at = ctx.now()  # line edits alone must still bump the document's version
        return _detail(s, doc)


def delete_draft(ctx: ServiceContext, document_id: int, *, expected_version: int | None = None) -> None:
    with _draft_write(ctx) as s:
        s.delete(_draft(s, ctx, document_id, expected_version, "delete"))
