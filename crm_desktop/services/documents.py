"""What happens to a document after drafting: issuing (with its number), cancelling, and making
new drafts from it — an invoice from a quote, a copy of an invoice, an invoice for a won deal, a
credit note for an invoice.

An issued document is a business record: it is never edited, deleted or renumbered (invoices.py
refuses and logs the attempt); a mistake is cancelled with a reason, or corrected by a credit
note. A credit note refers to its invoice (related_id) and, once issued, lowers what the client
owes on it (credited_total), never by more than the invoice's total not yet credited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from crm_desktop import i18n
from crm_desktop.db.models import Client, CompanyProfile, Deal, Document, NumberSeries, Payment
from crm_desktop.i18n import N_, Message
from crm_desktop.services import (
    activities,
    clients,
    company,
    invoices,
    jobs,
    money,
    numbering,
    payments,
    work_billing,
)
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible
from crm_desktop.services.context import ServiceContext, check_version, company_profile, record
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.invoices import (
    DEFAULT_PAYMENT_DAYS,
    KIND_NAMES,
    KIND_WORDS,
    DocumentDetail,
    LineValues,
    kind_word,
    status_word,
)


@dataclass(frozen=True)
class TaxPresets:
    rates: tuple[Decimal, ...]  # percent, in the order offered
    version: int  # of the company profile, where they are kept


# What the timeline says of a document, one sentence per kind (a translation may need a form per kind).
ISSUED = {
    "invoice": N_("Invoice {number} issued: {amount}"),
    "quote": N_("Quote {number} issued: {amount}"),
}
CANCELLED = {
    "invoice": N_("Invoice {number} cancelled: {reason}"),
    "quote": N_("Quote {number} cancelled: {reason}"),
    "credit_note": N_("Credit note {number} cancelled: {reason}"),
}


def _presets(p: CompanyProfile) -> TaxPresets:
    return TaxPresets(tuple(Decimal(r) for r in p.tax_presets.split(";") if r.strip()), p.version)


def tax_presets(ctx: ServiceContext) -> TaxPresets:
    with ctx.read() as s:
        return _presets(company_profile(s))


def update_tax_presets(ctx: ServiceContext, rates: Sequence[object], *, expected_version: int) -> TaxPresets:
    """The tax rates offered for lines (admins only); any other rate can still be typed on a line."""
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can change the tax rates.")
    clean: list[Decimal] = []
    for rate in rates:
        value = v.decimal("tax_presets", rate, N_("A tax rate"), minimum=Decimal(0), maximum=Decimal(100))
        if value not in clean:
            clean.append(value)
    if len(clean) > 10:
        raise ValidationError(
            "tax_presets", "Offer 10 tax rates at most; any other rate can be typed on a line."
        )
    text = "; ".join(f"{r.normalize():f}" for r in clean)
    return company.write_profile(ctx, expected_version, {"tax_presets": text}, _presets)


def issue(ctx: ServiceContext, document_id: int, *, expected_version: int) -> DocumentDetail:
    """Give the draft its number and make it a record; the number and the issue are one unit of work."""
    with invoices.draft_write(ctx) as s:
        doc, names, (pattern,) = invoices.loaded_draft(
            s, ctx, document_id, expected_version, "issue", numbering.pattern_of_kind()
        )
        if not doc.lines or doc.total <= 0:
            raise ValidationError(
                "lines",
                "A {kind} needs at least one line with an amount before it is issued.",
                kind=kind_word(doc.kind),
            )
        if doc.issue_date is None:
            doc.issue_date = ctx.today()
        if doc.kind == "invoice" and doc.due_date is None:
            doc.due_date = doc.issue_date + timedelta(days=DEFAULT_PAYMENT_DAYS)
        kind = kind_word(doc.kind)  # a refused flush expires `doc`: the message must not read it
        try:
            number = numbering.issue(s, doc, pattern)
            with numbering.checked(number):
                record(s, entity="documents", entity_id=doc.id, action="issue", details={"number": number})
                amount = money.amount_of(doc.total, doc.currency)
                if doc.kind == "credit_note":
                    corrected = _credit(s, doc, doc.total).number
                    what = Message(
                        "Credit note {number} issued for invoice {invoice}: {amount}",
                        number=number,
                        invoice=corrected,
                        amount=amount,
                    )
                else:
                    what = Message(ISSUED[doc.kind], number=number, amount=amount)
                activities.record_event(s, ctx, doc.client_id, what, deal_id=doc.deal_id)
                s.flush()  # one flush for the number, the timeline entry and their audit rows
        except numbering.NumberTaken as taken:
            raise ValidationError(
                "number",
                "The number pattern gives {number}, which another {kind} already has. Change the pattern "
                "in Settings → Numbering (e.g. add {{year}}).",
                number=taken.number,
                kind=kind,
            ) from taken
        return invoices.detail(s, doc, names)


def next_number(ctx: ServiceContext, kind: str, on: date | None = None) -> str:
    """The number the next `kind` issued on `on` (default today) will take, for the question asked
    before issuing; another PC issuing one first takes it, and the issue then gives the one after."""
    on = on or ctx.today()
    with ctx.read() as s:
        pattern = getattr(
            company_profile(s), f"{v.choice('kind', kind, KIND_NAMES, N_('The kind'))}_number_pattern"
        )
        seq = s.scalar(
            select(NumberSeries.next_seq).where(NumberSeries.kind == kind, NumberSeries.year == on.year)
        )
    return numbering.format_number(pattern, on.year, seq or 1)


@dataclass(frozen=True)
class RunningNumbers:
    year: int
    next_seq: dict[str, int]  # kind -> the running number its next document issued in `year` takes


def running_numbers(ctx: ServiceContext, on: date | None = None) -> RunningNumbers:
    """Where each kind's count stands in the year of `on` (default today), for Settings to show the
    next number a pattern not saved yet gives: numbering.format_number(pattern, year, next_seq[kind]).
    Like next_number it takes nothing; another PC issuing meanwhile moves the count on."""
    year = (on or ctx.today()).year
    with ctx.read() as s:
        rows = s.execute(select(NumberSeries.kind, NumberSeries.next_seq).where(NumberSeries.year == year))
        counted = {kind: seq for kind, seq in rows}
    return RunningNumbers(year, {kind: counted.get(kind) or 1 for kind in KIND_NAMES})


def _credit(s, note: Document, amount: Decimal) -> Document:
    """Add `amount` (negative: take it back) to what the credit note's invoice has credited."""
    invoice = s.scalars(
        select(Document)
        .where(Document.id == note.related_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    left = invoice.total - invoice.credited_total
    if amount > left:
        raise ValidationError(
            "lines",
            "Invoice {number} has {left} left to credit; this credit note is for {amount}. Lower its lines.",
            number=invoice.number,
            left=money.amount_of(left, invoice.currency),
            amount=money.amount_of(amount, invoice.currency),
        )
    invoice.credited_total += amount
    payments.settle(invoice)
    if invoice.credited_total >= invoice.total:
        work_billing.release(s, invoice.id)  # credited in full: the work it billed may be billed again
    return invoice


def cancel(ctx: ServiceContext, document_id: int, *, reason: str, expected_version: int) -> DocumentDetail:
    reason = v.text("cancel_reason", reason, N_("The reason"), max_length=2000)
    if not reason:
        raise ValidationError(
            "cancel_reason", "Say why it is cancelled (for example: issued to the wrong client)."
        )
    with ctx.write() as s:
        doc = invoices.load(s, ctx, document_id)
        check_version(doc, expected_version, KIND_WORDS[doc.kind])
        if doc.status == "draft":
            raise ValidationError("status", "A draft is not cancelled: delete it instead.")
        if doc.status == "cancelled":
            raise ValidationError("status", "This document is already cancelled.")
        if s.scalar(select(Payment.id).where(Payment.document_id == doc.id).limit(1)) is not None:
            raise ValidationError(
                "status",
                "Payments were recorded against this invoice. Delete them (or refund "
                "the client) before cancelling it.",
            )
        note = s.scalar(
            select(Document.number).where(
                Document.related_id == doc.id, Document.kind == "credit_note", Document.status == "issued"
            )
        )
        if note is not None:
            raise ValidationError(
                "status",
                "Credit note {note} corrects this invoice. Cancel the credit note "
                "first, or leave the invoice as corrected.",
                note=note,
            )
        if doc.kind == "credit_note":
            _credit(s, doc, -doc.total)
        else:
            work_billing.release(s, doc.id)
        doc.status, doc.cancel_reason = "cancelled", reason
        record(s, entity="documents", entity_id=doc.id, action="cancel", details={"reason": reason})
        activities.record_event(
            s,
            ctx,
            doc.client_id,
            Message(CANCELLED[doc.kind], number=doc.number, reason=reason),
            deal_id=doc.deal_id,
        )
        return invoices.detail(s, doc)


def answer_quote(
    ctx: ServiceContext, quote_id: int, *, accepted: bool, expected_version: int
) -> DocumentDetail:
    """The client's answer to an issued quote; a rejected quote can be copied into a new one."""
    with ctx.write() as s:
        quote = invoices.load(s, ctx, quote_id)
        check_version(quote, expected_version, N_("quote"))
        if quote.kind != "quote" or quote.status != "issued":
            raise ValidationError(
                "status", "Only an issued quote that is still open can be accepted or rejected."
            )
        quote.status = "accepted" if accepted else "rejected"
        answered = Message("Quote {number} accepted") if accepted else Message("Quote {number} rejected")
        answered.params["number"] = quote.number
        activities.record_event(s, ctx, quote.client_id, answered, deal_id=quote.deal_id)
        return invoices.detail(s, quote)


def _lines_of(doc: Document) -> list[LineValues]:
    return [
        LineValues(
            line.description, line.quantity, line.unit, line.unit_price, line.discount_percent, line.tax_rate
        )
        for line in doc.lines
    ]


def _new_draft(
    s,
    ctx: ServiceContext,
    *,
    kind: str,
    client_id: int,
    currency: str,
    deal_id: int | None,
    lines: list[LineValues],
    notes: str = "",
    terms: str = "",
) -> Document:
    today = ctx.today()
    doc = Document(
        kind=kind,
        status="draft",
        client_id=client_id,
        currency=currency,
        deal_id=deal_id,
        issue_date=today,
        due_date=today + timedelta(days=DEFAULT_PAYMENT_DAYS) if kind == "invoice" else None,
        notes=notes,
        terms=terms,
        paid_total=Decimal(0),
        cancel_reason="",
    )
    invoices.set_lines(s, doc, lines)
    invoices.store_totals(doc)
    s.add(doc)
    return doc


def invoice_from_quote(ctx: ServiceContext, quote_id: int) -> DocumentDetail:
    """The quote's lines as an invoice draft; the quote counts as accepted."""
    with ctx.write() as s:
        quote = invoices.load(s, ctx, quote_id)
        if quote.kind != "quote" or quote.status not in ("issued", "accepted"):
            raise ValidationError("status", "Only an issued quote becomes an invoice. Issue the quote first.")
        doc = _new_draft(
            s,
            ctx,
            kind="invoice",
            client_id=quote.client_id,
            currency=quote.currency,
            deal_id=quote.deal_id,
            lines=_lines_of(quote),
            notes=quote.notes,
            terms=quote.terms,
        )
        doc.related_id = quote.id
        quote.status = "accepted"
        return invoices.detail(s, doc)


def duplicate(ctx: ServiceContext, document_id: int) -> DocumentDetail:
    """A new draft with the same client, currency and lines, dated today."""
    with ctx.write() as s:
        source = invoices.load(s, ctx, document_id)
        if source.kind not in invoices.DRAFT_KINDS:
            raise ValidationError("kind", "A credit note is not copied: make a new one from its invoice.")
        doc = _new_draft(
            s,
            ctx,
            kind=source.kind,
            client_id=source.client_id,
            currency=source.currency,
            deal_id=source.deal_id,
            lines=_lines_of(source),
            notes=source.notes,
            terms=source.terms,
        )
        return invoices.detail(s, doc)


def credit_note_for(ctx: ServiceContext, invoice_id: int) -> DocumentDetail:
    """A credit note draft for an issued invoice, with the invoice's lines to trim to what is corrected."""
    with ctx.write() as s:
        invoice = invoices.load(s, ctx, invoice_id)
        if invoice.kind != "invoice" or invoice.status not in invoices.CREDITABLE:
            raise ValidationError(
                "status",
                "A credit note corrects an issued invoice; this {kind} is {status}.",
                kind=kind_word(invoice.kind),
                status=status_word(invoice.status),
            )
        doc = _new_draft(
            s,
            ctx,
            kind="credit_note",
            client_id=invoice.client_id,
            currency=invoice.currency,
            deal_id=invoice.deal_id,
            lines=_lines_of(invoice),
        )
        doc.related_id = invoice.id
        return invoices.detail(s, doc)


def invoice_for_deal(ctx: ServiceContext, deal_id: int) -> DocumentDetail:
    """What a won deal offers: an invoice draft for its client with the deal's amount as one line."""
    with ctx.write() as s:
        deal = s.get(Deal, deal_id)
        if deal is None:
            raise NotFound("Deal #{deal_id} does not exist (it may have been deleted).", deal_id=deal_id)
        load_visible(s, ctx.actor, deal.client_id)
        doc = _new_draft(
            s,
            ctx,
            kind="invoice",
            client_id=deal.client_id,
            currency=deal.currency,
            deal_id=deal.id,
            lines=[LineValues(deal.title, 1, "", deal.amount)],
        )
        return invoices.detail(s, doc)


def invoice_for_job(ctx: ServiceContext, job_id: int) -> DocumentDetail:
    """What a finished job offers: an invoice draft from its deal's quote (issued), else from its scope,
    else one line with its title for the price to be filled in."""
    with ctx.write() as s:
        job = jobs.load(s, job_id, ctx.actor)
        load_visible(s, ctx.actor, job.client_id)
        quote = s.get(Document, job.quote_id) if job.quote_id else None
        if quote is not None and quote.status in ("issued", "accepted"):
            lines, currency = _lines_of(quote), quote.currency
        elif job.scope:
            quote, lines, currency = None, [jobs.line_of(x) for x in job.scope], job.currency
        else:
            quote, lines, currency = None, [LineValues(job.title, 1, "", Decimal(0))], ""
        doc = _new_draft(
            s, ctx, kind="invoice", client_id=job.client_id, deal_id=job.deal_id, lines=lines,
            currency=currency or company_profile(s).default_currency,
        )  # fmt: skip
        if quote is not None:
            doc.related_id = quote.id
            quote.status = "accepted"
        return invoices.detail(s, doc)


def find_by_number(ctx: ServiceContext, number: str, kind: str = "invoice") -> DocumentDetail:
    with ctx.read() as s:
        doc_id = s.scalar(select(Document.id).where(Document.kind == kind, Document.number == number.strip()))
        if doc_id is None:
            raise NotFound("There is no {kind} numbered '{number}'.", kind=kind_word(kind), number=number)
        return invoices.detail(s, invoices.load(s, ctx, doc_id))


def document_language(ctx: ServiceContext, client_id: int, language: str | None = None) -> str:
    """The language a document for the client is written in (one of i18n.LANGUAGES): `language` when one
    is asked for, else the client's own (clients.language), else the company's, else the one the app
    speaks — so an Uzbek office sends its Russian client a Russian invoice."""
    if language:
        return v.choice("language", language, i18n.LANGUAGES, N_("Documents' language"))
    with ctx.read() as s:
        own = s.scalar(select(Client.language).where(Client.id == client_id))
        office = company_profile(s).language
    return i18n.language_of(own) or i18n.language_of(office) or i18n.current()


def write_pdf(
    ctx: ServiceContext,
    document_id: int,
    path: Path,
    *,
    page: str = "A4",
    shown: Path | None = None,
    language: str | None = None,
) -> Path:
    """The document as a PDF at `path` (A4 or Letter); who made it is written to the audit log.
    `shown`: the path a message names when `path` cannot be written (default: `path`), for a caller
    that writes to a temporary name first. `language`: the document's (default: document_language's
    choice, the client's or the company's), whatever language the person printing it speaks."""
    # reportlab loads only when a PDF is asked for, not with every service at start
    from crm_desktop.pdf.invoice import PAGE_SIZES, Party, render
    from crm_desktop.services.printing import printed

    if page not in PAGE_SIZES:
        raise ValidationError(
            "page",
            "The page size is {sizes} (got '{page}').",
            sizes=v.alternatives(list(PAGE_SIZES)),
            page=page,
        )
    with ctx.read() as s:
        doc = invoices.detail(s, invoices.load(s, ctx, document_id))
    written_in = document_language(ctx, doc.client_id, language)
    client, profile = clients.get(ctx, doc.client_id), company.get(ctx, logo=True)
    party = Party(
        client.name,
        tuple(x for x in (client.address, ", ".join(client.phones), ", ".join(client.emails)) if x),
    )
    try:
        render(Path(path), printed(doc, profile, party, written_in), page=page)
    except OSError as exc:
        raise ValidationError(
            "path",
            "The PDF could not be written to {path}: {reason}. Choose a folder you can write to.",
            path=str(shown or path),
            reason=exc.strerror or str(exc),
        ) from exc
    with ctx.write() as s:
        record(s, entity="documents", entity_id=doc.id, action="pdf", details={"page": page})
    return Path(path)
