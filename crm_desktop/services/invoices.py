"""Quotes and invoices while they are drafts: lines, currency, dates and exact totals.

A document can be drafted, edited and deleted while it is a draft, and nothing else may change it
(issuing, cancelling and converting are in documents.py, payments in payments.py). A refused
attempt to change an issued document is itself written to the audit log.

Stored totals (for fast lists and sums), all from money.compute_totals, never typed in:
    subtotal  = Σ line gross (quantity × unit price, before discounts)
    tax_total = Σ tax per rate
    total     = net total + tax total
so the discount is implicit: discount total = subtotal + tax_total − total.
On an invoice, what the client still owes follows from two more stored sums:
    balance   = total − paid_total (payments) − credited_total (issued credit notes)
which is negative when a credit note came after payment: that much is due back to the client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.attributes import flag_modified

from crm_desktop.db.models import Client, Deal, Document, DocumentLine
from crm_desktop.i18n import N_, Message
from crm_desktop.services import merge, money
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible, visible_to
from crm_desktop.services.context import (
    Actor,
    ServiceContext,
    check_version,
    company_profile,
    count_rows,
    made_before,
    record,
)
from crm_desktop.services.errors import NotFound, ServiceError, ValidationError
from crm_desktop.services.search import client_filter

DEFAULT_PAYMENT_DAYS = 14
DRAFT_KINDS = ("quote", "invoice")  # a credit note is made from the issued invoice it corrects
KIND_NAMES = {"quote": N_("Quote"), "invoice": N_("Invoice"), "credit_note": N_("Credit note")}
KIND_WORDS = {
    "quote": N_("quote"),
    "invoice": N_("invoice"),
    "credit_note": N_("credit note"),
}  # mid-sentence
STATUS_WORDS = {  # a document's status in a sentence ("this invoice is partly paid")
    "draft": N_("draft"),
    "issued": N_("issued"),
    "partly_paid": N_("partly paid"),
    "paid": N_("paid"),
    "credited": N_("credited"),
    "cancelled": N_("cancelled"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
}


def kind_word(kind: str) -> Message:
    """The kind of document ("invoice") as a word in a sentence, in the reader's language."""
    return Message(KIND_WORDS.get(kind, N_("document")))


def status_word(status: str) -> Message:
    """A document's status as a word in a sentence, in the reader's language."""
    return Message(STATUS_WORDS.get(status, status.replace("_", " ")))


MAX_AMOUNT = Decimal(10**14)  # 10¹⁴: any real document; the column holds ~9.2 × 10¹⁴
MAX_QUANTITY = Decimal(1_000_000_000)

Number = Decimal | int | str  # what an editor or the CLI hands over; validation.decimal reads it


@dataclass(frozen=True)
class LineValues:
    description: str
    quantity: Number = Decimal(1)
    unit: str = ""
    unit_price: Number = Decimal(0)
    discount_percent: Number = Decimal(0)
    tax_rate: Number = Decimal(0)


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
    net: Decimal  # after the line's discount, before tax, rounded to the currency
    version: int


@dataclass(frozen=True)
class DocumentRow:
    id: int
    kind: str
    number: str | None  # None until issued
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
    credited_total: Decimal
    balance: Decimal  # see the module docstring; negative: due back to the client
    version: int


@dataclass(frozen=True)
class DocumentDetail(DocumentRow):
    notes: str
    terms: str
    lines: tuple[LineRow, ...]
    totals: money.Totals
    related_id: int | None  # a credit note's invoice; an invoice's quote
    related_number: str | None


@dataclass(frozen=True)
class DocumentFilter:
    kind: str | None = "invoice"
    status: str | None = None
    client_id: int | None = None
    deal_id: int | None = None
    search: str = ""  # part of a document number, or the client as in the client search
    # status may also be OWING (issued or partly paid, money still owed) or OVERDUE (and past its due date)


OVERDUE = "overdue"  # a filter, not a stored status: it depends on today
OWING = "owing"  # a filter too: issued or partly paid with money still owed (the receivables)
UNPAID = ("issued", "partly_paid")
CREDITABLE = (*UNPAID, "paid")  # an invoice a credit note may still correct
# Money still owed on an invoice, in SQL. All three are exact-money columns of one scale, so the
# comparison holds on their stored integers.
OWED = Document.total > Document.paid_total + Document.credited_total


def balance(doc: Document) -> Decimal:
    return doc.total - doc.paid_total - doc.credited_total


SORT_COLUMNS = {
    "issue_date": Document.issue_date,
    "due_date": Document.due_date,
    "number": Document.number,
    "client": Client.sort_name,
    "total": Document.total,
    "status": Document.status,
    "created": Document.created_at,
}


# --- lines and totals ---------------------------------------------------------------------------


def _clean_line(i: int, line: LineValues) -> dict[str, Any]:
    """One editor line, validated; errors name the cell, e.g. field 'lines[2].quantity'."""
    at = f"lines[{i}]"

    def number(key: str, label: str, maximum: Decimal) -> Decimal:  # label: N_("Quantity")
        return v.decimal(f"{at}.{key}", getattr(line, key), label, minimum=Decimal(0), maximum=maximum)

    out = {
        "description": v.text(
            f"{at}.description", line.description, N_("Description"), required=True, max_length=5000
        ),
        "quantity": number("quantity", N_("Quantity"), MAX_QUANTITY),
        "unit": v.text(f"{at}.unit", line.unit, N_("Unit"), max_length=30),
        "unit_price": number("unit_price", N_("Unit price"), MAX_AMOUNT),
        "discount_percent": number("discount_percent", N_("Discount"), Decimal(100)),
        "tax_rate": number("tax_rate", N_("Tax rate"), Decimal(100)),
    }
    if out["quantity"] == 0:
        cell = f"{at}.quantity"  # a field name, not words
        raise ValidationError(cell, "Quantity cannot be 0. Remove the line instead.")
    return out


def _line_input(line: dict[str, Any] | DocumentLine) -> money.LineInput:
    get: Callable[[str], Any] = line.get if isinstance(line, dict) else lambda key: getattr(line, key)
    return money.LineInput(get("quantity"), get("unit_price"), get("discount_percent"), get("tax_rate"))


def preview_totals(lines: Sequence[LineValues], currency: str) -> money.Totals:
    """Totals exactly as they will be stored, for the editor's live totals (raises on a bad line)."""
    code = money.currency(currency).code
    return money.compute_totals((_line_input(_clean_line(i, line)) for i, line in enumerate(lines)), code)


def stored_totals(totals: money.Totals) -> dict[str, Decimal]:
    """The document columns that hold `totals` (see the module docstring for what each means)."""
    return {"subtotal": totals.subtotal, "tax_total": totals.tax_total, "total": totals.total}


def store_totals(doc: Document) -> money.Totals:
    totals = money.compute_totals((_line_input(line) for line in doc.lines), doc.currency)
    if max(totals.subtotal, totals.total) > MAX_AMOUNT:
        raise ValidationError(
            "lines",
            "The total ({total}) is too large for one document. Split it into several documents.",
            total=money.amount_of(totals.total, doc.currency),
        )
    for column, amount in stored_totals(totals).items():
        setattr(doc, column, amount)
    return totals


def set_lines(s: Session, doc: Document, lines: Sequence[LineValues]) -> None:
    """Lines are matched by position and changed in place, so the audit log shows old → new."""
    clean = [_clean_line(i, line) for i, line in enumerate(lines)]
    kept, surplus = list(doc.lines)[: len(clean)], list(doc.lines)[len(clean) :]
    for i, values in enumerate(clean):
        if i < len(kept):
            for key, value in values.items():
                if getattr(kept[i], key) != value:
                    setattr(kept[i], key, value)
        else:
            kept.append(DocumentLine(position=i, **values))
    doc.lines = kept
    for line in surplus:  # deleted explicitly: an orphan removed by the cascade would leave no audit row
        s.delete(line)


# --- reading ------------------------------------------------------------------------------------


def _row(doc: Document, client_name: str) -> DocumentRow:
    return DocumentRow(
        doc.id,
        doc.kind,
        doc.number,
        doc.status,
        doc.client_id,
        client_name,
        doc.deal_id,
        doc.currency,
        doc.issue_date,
        doc.due_date,
        doc.subtotal,
        doc.tax_total,
        doc.total,
        doc.paid_total,
        doc.credited_total,
        balance(doc),
        doc.version,
    )


def detail(s: Session, doc: Document, names: tuple[str, str | None] | None = None) -> DocumentDetail:
    """What an editor shows of `doc`; `names` (its client's name, its related document's number), when
    the caller read them along with the document (loaded_draft), spare reading them again."""
    s.flush()  # ids and versions of new or changed lines
    totals = money.compute_totals((_line_input(line) for line in doc.lines), doc.currency)
    lines = tuple(
        LineRow(
            line.id,
            line.position,
            line.description,
            line.quantity,
            line.unit,
            line.unit_price,
            line.discount_percent,
            line.tax_rate,
            t.net,
            line.version,
        )
        for line, t in zip(doc.lines, totals.lines, strict=True)
    )
    if names is None:
        related = s.get(Document, doc.related_id) if doc.related_id else None
        names = s.get_one(Client, doc.client_id).name, related.number if related else None
    client_name, related_number = names
    return DocumentDetail(
        **_row(doc, client_name).__dict__,
        notes=doc.notes,
        terms=doc.terms,
        lines=lines,
        totals=totals,
        related_id=doc.related_id,
        related_number=related_number,
    )


def _filtered(ctx: ServiceContext, q: Select, f: DocumentFilter) -> Select:
    q = q.join(Client, Client.id == Document.client_id).where(visible_to(ctx.actor))
    status = None if f.status in (OVERDUE, OWING) else f.status
    for column, value in (
        (Document.kind, f.kind),
        (Document.status, status),
        (Document.client_id, f.client_id),
        (Document.deal_id, f.deal_id),
    ):
        if value is not None:
            q = q.where(column == value)
    if f.status == OVERDUE:
        q = q.where(Document.status.in_(UNPAID), Document.due_date < ctx.today(), OWED)
    elif f.status == OWING:
        q = q.where(Document.status.in_(UNPAID), OWED)
    query = f.search.strip()
    if query:
        by_number = func.lower(Document.number).contains(query.lower(), autoescape=True)
        by_client = client_filter(ctx.db.dialect, query)
        q = q.where(by_number if by_client is None else by_number | by_client)
    return q


def list_documents(
    ctx: ServiceContext,
    f: DocumentFilter = DocumentFilter(),
    *,
    sort: str = "issue_date",
    descending: bool = True,
    offset: int = 0,
    limit: int | None = 50,
) -> list[DocumentRow]:
    if sort not in SORT_COLUMNS:
        raise ValidationError(
            "sort",
            "Cannot sort documents by '{sort}'; use one of {columns}.",
            sort=sort,
            columns=", ".join(SORT_COLUMNS),
        )
    col = SORT_COLUMNS[sort]
    # Drafts have no number: empty values go last either way, the same on SQLite and PostgreSQL.
    order = (col.desc().nulls_last(), Document.id.desc()) if descending else (col.nulls_last(), Document.id)
    q = _filtered(ctx, select(Document, Client.name), f).order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with ctx.read() as s:
        return [_row(doc, name) for doc, name in s.execute(q)]


def count_documents(ctx: ServiceContext, f: DocumentFilter = DocumentFilter()) -> int:
    q = _filtered(ctx, select(Document.id), f)
    with ctx.read() as s:
        return count_rows(s, q)


def load(s: Session, ctx: ServiceContext, document_id: int) -> Document:
    """The document, inside a unit of work, if the actor may see its client."""
    doc = s.scalar(
        select(Document)
        .join(Client, Client.id == Document.client_id)
        .where(Document.id == document_id, visible_to(ctx.actor))
    )
    if doc is None:
        raise NotFound(
            "Document #{document_id} does not exist (it may have been deleted).", document_id=document_id
        )
    return doc


_RELATED = aliased(Document)  # made once: an alias costs more to build than the query it serves
_RELATED_NUMBER = select(_RELATED.number).where(_RELATED.id == Document.related_id).scalar_subquery()


@lru_cache(maxsize=32)  # per actor (their visibility) and extra columns: built once, not per issue
def _loaded_query(actor: Actor, columns: tuple[Any, ...]) -> Select:
    return (
        select(Document, Client.name, _RELATED_NUMBER, *columns)
        .join(Client, Client.id == Document.client_id)
        .where(Document.id == bindparam("document_id"), visible_to(actor))
        .options(joinedload(Document.lines))
    )


def loaded_draft(
    s: Session,
    ctx: ServiceContext,
    document_id: int,
    expected_version: int | None,
    action: str,
    *columns: Any,
) -> tuple[Document, tuple[str, str | None], tuple[Any, ...]]:
    """draft() with, in the same statement, its lines and the names detail() shows (see detail) and
    any `columns` the caller needs along (correlated to the document): one read instead of four."""
    row = s.execute(_loaded_query(ctx.actor, columns), {"document_id": document_id}).unique().one_or_none()
    if row is None:
        raise NotFound(
            "Document #{document_id} does not exist (it may have been deleted).", document_id=document_id
        )
    doc = draft(s, ctx, document_id, expected_version, action, loaded=row[0])
    return doc, (row[1], row[2]), tuple(row[3:])


def get(ctx: ServiceContext, document_id: int) -> DocumentDetail:
    with ctx.read() as s:
        return detail(s, load(s, ctx, document_id))


# --- drafting -----------------------------------------------------------------------------------

_FIELDS = ("client_id", "currency", "issue_date", "due_date", "deal_id", "notes", "terms")


def _clean(s: Session, ctx: ServiceContext, doc: Document, values: dict[str, Any]) -> dict[str, Any]:
    v.known_fields(values, _FIELDS, N_("Documents"))
    out: dict[str, Any] = {}
    if "client_id" in values:
        out["client_id"] = load_visible(s, ctx.actor, values["client_id"]).id
    if "currency" in values:
        out["currency"] = money.currency(values["currency"]).code
    for key, label in (("issue_date", N_("The issue date")), ("due_date", N_("The due date"))):
        if key in values:
            out[key] = v.a_date(key, values[key], label)
    for key, label in (("notes", N_("The notes")), ("terms", N_("The payment terms"))):
        if key in values:
            out[key] = v.text(key, values[key], label, max_length=20_000)
    if "deal_id" in values:
        out["deal_id"] = values["deal_id"]
    if doc.kind == "credit_note":  # it corrects its invoice: same client, same currency
        for key in ("client_id", "currency"):
            if key in out and out[key] != getattr(doc, key):
                raise ValidationError(
                    key,
                    "A credit note keeps its invoice's client and currency. Make a new "
                    "invoice for another client or currency.",
                )
    deal_id, client_id = out.get("deal_id", doc.deal_id), out.get("client_id", doc.client_id)
    if deal_id is not None:
        deal = s.get(Deal, deal_id)
        if deal is None:
            raise ValidationError(
                "deal_id", "Deal #{deal_id} does not exist. Pick another deal or none.", deal_id=deal_id
            )
        if deal.client_id != client_id:
            raise ValidationError(
                "deal_id",
                "The deal '{title}' belongs to another client. Pick one of this client's deals.",
                title=deal.title,
            )
    issue, due = out.get("issue_date", doc.issue_date), out.get("due_date", doc.due_date)
    if issue and due and due < issue:
        raise ValidationError(
            "due_date",
            "The due date ({due}) is before the issue date ({issue}). Choose a due date on or after it.",
            due=due,
            issue=issue,
        )
    return out


def create_draft(ctx: ServiceContext, *, request_id: str | None = None, **values: Any) -> DocumentDetail:
    """A new draft (the values of `add_draft`). Defaults: the company's currency, issued today, invoices
    due 14 days later.

    A retried save with the same `request_id` (the editor's, after a lost connection) returns the
    draft made the first time instead of a second one."""
    with ctx.write() as s:
        if (earlier := made_before(s, Document, request_id)) is not None:
            return detail(s, earlier)
        return detail(s, add_draft(s, ctx, request_id=request_id, **values))


def add_draft(
    s: Session,
    ctx: ServiceContext,
    *,
    client_id: int,
    kind: str = "invoice",
    currency: str | None = None,
    issue_date: Any = None,
    due_date: Any = None,
    deal_id: int | None = None,
    notes: str = "",
    terms: str = "",
    lines: Sequence[LineValues] = (),
    request_id: str | None = None,
) -> Document:
    """A new draft in the caller's unit of work (an import writes many in one)."""
    kind = v.choice("kind", kind, DRAFT_KINDS, N_("The document kind"))
    issue = v.a_date("issue_date", issue_date, N_("The issue date")) or ctx.today()
    if due_date is None and kind == "invoice":
        due_date = issue + timedelta(days=DEFAULT_PAYMENT_DAYS)
    if currency is None:
        currency = company_profile(s).default_currency
    doc = Document(kind=kind, status="draft", paid_total=Decimal(0), cancel_reason="", request_id=request_id)
    values = {
        "client_id": client_id,
        "currency": currency,
        "issue_date": issue,
        "due_date": due_date,
        "deal_id": deal_id,
        "notes": notes,
        "terms": terms,
    }
    for key, value in _clean(s, ctx, doc, values).items():
        setattr(doc, key, value)
    set_lines(s, doc, lines)
    store_totals(doc)
    s.add(doc)
    return doc


class NotADraft(ServiceError):
    """Issued documents are business records: they are corrected by new documents, never edited."""

    def __init__(self, doc: Document, action: str, attempted: Sequence[str] = ()):
        super().__init__(
            "{kind} {number} is {status} and can no longer be changed. "
            "Correct it with a credit note, or cancel it with a reason.",
            kind=Message(KIND_NAMES.get(doc.kind, N_("Document"))),
            number=doc.number or f"#{doc.id}",
            status=status_word(doc.status),
        )
        self.document_id, self.status, self.action = doc.id, doc.status, action
        self.attempted = list(attempted)


@contextmanager
def draft_write(ctx: ServiceContext) -> Iterator[Session]:
    """A unit of work on a draft; a refused attempt on an issued document still reaches the audit log."""
    try:
        with ctx.write() as s:
            yield s
    except NotADraft as refusal:
        with ctx.write() as s:  # the refused unit of work rolled back; the log entry gets its own
            details: dict[str, Any] = {"status": refusal.status}
            if refusal.attempted:
                details["fields"] = refusal.attempted
            record(
                s,
                entity="documents",
                entity_id=refusal.document_id,
                action=f"refused_{refusal.action}",
                details=details,
            )
        raise


def draft(
    s: Session,
    ctx: ServiceContext,
    document_id: int,
    expected_version: int | None,
    action: str,
    attempted: Sequence[str] = (),
    *,
    loaded: Document | None = None,
) -> Document:
    doc = loaded if loaded is not None else load(s, ctx, document_id)
    if doc.status != "draft":
        raise NotADraft(doc, action, attempted)
    check_version(doc, expected_version, KIND_WORDS[doc.kind])
    return doc


# What an editor edits and a merge compares: a line as a tuple of its cleaned values (Decimals compare
# by value, so "2" typed and 2.0000 stored are the same), the lines as one field.
EDITABLE = ("client_id", "currency", "issue_date", "due_date", "notes", "terms", "lines")
LineTuple = tuple[str, Decimal, str, Decimal, Decimal, Decimal]


def _line_tuple(values: dict[str, Any] | LineRow) -> LineTuple:
    get = values.__getitem__ if isinstance(values, dict) else lambda key: getattr(values, key)
    return (
        get("description"),
        get("quantity"),
        get("unit"),
        get("unit_price"),
        get("discount_percent"),
        get("tax_rate"),
    )


def editable_values(d: DocumentDetail) -> dict[str, Any]:
    """The fields the editor edits, as stored: what the editor read is the `base` of a later update."""
    return {
        "client_id": d.client_id,
        "currency": d.currency,
        "issue_date": d.issue_date,
        "due_date": d.due_date,
        "notes": d.notes,
        "terms": d.terms,
        "lines": [_line_tuple(line) for line in d.lines],
    }


def update_draft(
    ctx: ServiceContext,
    document_id: int,
    *,
    expected_version: int,
    lines: Sequence[LineValues] | None = None,
    base: dict[str, Any] | None = None,
    decided: dict[str, Any] | None = None,
    **values: Any,
) -> DocumentDetail:
    """Change header fields and, when `lines` is given, replace the lines; totals are recomputed.

    With `base` (editable_values of what the editor read), a save that finds the draft changed
    meanwhile merges as clients.update does: the lines count as one field, so two people changing
    lines differently get a MergeConflict (answered by `decided`); without a base it is a conflict.
    """
    attempted = sorted([*values, *(["lines"] if lines is not None else [])])
    with draft_write(ctx) as s:
        doc = draft(s, ctx, document_id, None if base is not None else expected_version, "edit", attempted)
        # Loading the lines must not flush half an edit: one save is one UPDATE and one audit row.
        with s.no_autoflush:
            clean = _clean(s, ctx, doc, values)
            if lines is not None:
                clean["lines"] = [_line_tuple(_clean_line(i, line)) for i, line in enumerate(lines)]
            if base is not None:
                clean = merge.resolve(
                    KIND_WORDS[doc.kind],
                    document_id,
                    doc.version,
                    expected_version,
                    base,
                    clean,
                    lambda: editable_values(detail(s, doc)),
                    decided,
                )
            merged_lines = clean.pop("lines", None)
            for key, value in clean.items():
                setattr(doc, key, value)
            if merged_lines is not None:
                set_lines(s, doc, [LineValues(*line) for line in merged_lines])
            store_totals(doc)
        # Every save bumps the document's version, even one that only touched lines: the version
        # guards the whole document, so another PC's edit of its lines is never silently lost.
        flag_modified(doc, "updated_at")
        return detail(s, doc)


def delete_draft(ctx: ServiceContext, document_id: int, *, expected_version: int | None = None) -> None:
    with draft_write(ctx) as s:
        doc = draft(s, ctx, document_id, expected_version, "delete")
        # Lines go through the ORM so each gets its audit row (the database would cascade silently).
        for line in doc.lines:
            s.delete(line)
        s.delete(doc)


# --- list totals --------------------------------------------------------------------------------


def totals_by_currency(
    ctx: ServiceContext, f: DocumentFilter = DocumentFilter()
) -> list[tuple[str, Decimal, Decimal]]:
    """(currency, Σ total, Σ balance) of the documents the filter finds, by currency code.

    Amounts in different currencies are never added together: a list shows one sum per currency.
    """
    sums = (func.sum(Document.total), func.sum(Document.paid_total), func.sum(Document.credited_total))
    q = (
        _filtered(ctx, select(Document.currency, *sums), f)
        .group_by(Document.currency)
        .order_by(Document.currency)
    )
    with ctx.read() as s:
        return [
            (
                code,
                money.quantize(Decimal(t), code),
                money.quantize(Decimal(t) - Decimal(p) - Decimal(c), code),
            )
            for code, t, p, c in s.execute(q)
        ]
