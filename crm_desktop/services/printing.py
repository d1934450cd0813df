"""What a quote, invoice or credit note prints, worked out here and handed to pdf/invoice.py as text.

The renderer only lays out: the labels, the dates, the money in the document's currency
(money.format_money), the totals and balance rows, and the amount in words are decided here, so the PDF
layer needs nothing from the services. Every label comes from the message catalogue in the document's
language (documents.document_language: the client's, else the company's), whatever language the person
printing it speaks; an Arabic document is also laid out right to left.
"""

from __future__ import annotations

from decimal import Decimal

from crm_desktop import i18n
from crm_desktop.i18n import N_, Message
from crm_desktop.pdf.invoice import Party, PrintedDocument, PrintedLine
from crm_desktop.services.amount_words import amount_in_words
from crm_desktop.services.company import CompanyRow
from crm_desktop.services.invoices import DocumentDetail
from crm_desktop.services.money import format_money, plain_text

# The title of a document, one template per kind (a translation may need a form per kind); a draft has no
# number yet and is called as its editor calls it.
TITLES = {
    "invoice": N_("Invoice {number}"),
    "quote": N_("Quote {number}"),
    "credit_note": N_("Credit note {number}"),
}
DRAFT_TITLES = {
    "invoice": N_("Draft invoice #{id}"),
    "quote": N_("Draft quote #{id}"),
    "credit_note": N_("Draft credit note #{id}"),
}
# The head of the lines table, one label per column of PrintedLine with the line's number first.
HEADER = (
    # translators: the column of line numbers on an invoice
    N_("#"),
    N_("Description"),
    # translators: quantity, a narrow column of an invoice's lines
    N_("Qty"),
    N_("Unit"),
    N_("Unit price"),
    # translators: the discount in percent, a narrow column of an invoice's lines
    N_("Disc.%"),
    # translators: the tax rate in percent, a narrow column of an invoice's lines
    N_("Tax%"),
    N_("Net"),
)


def lines_of_company(company: CompanyRow, language: str) -> tuple[str, ...]:
    """The company block of a printed document: name, address, phone, email, tax id."""
    tax_id = Message(N_("Tax ID: {id}"), id=company.tax_id).render(language) if company.tax_id else ""
    return tuple(x for x in (company.name, company.address, company.phone, company.email, tax_id) if x)


def printed(doc: DocumentDetail, company: CompanyRow, client: Party, language: str) -> PrintedDocument:
    """What `doc` prints for `client`, in `language` (one of i18n.LANGUAGES)."""

    def money(amount: Decimal) -> str:
        return format_money(amount, doc.currency, language)

    def say(template: str, **fields: object) -> str:
        return Message(template, **fields).render(language)

    title = say(TITLES[doc.kind], number=doc.number) if doc.number else say(DRAFT_TITLES[doc.kind], id=doc.id)
    side = [title]
    if doc.kind == "credit_note" and doc.related_number:
        side.append(say(N_("Corrects invoice {number}"), number=doc.related_number))
    if doc.issue_date:
        side.append(say(N_("Date: {date}"), date=i18n.day_text(doc.issue_date, language)))
    if doc.due_date:  # a quote's date is how long its offer holds; an invoice's, when it is to be paid
        due = N_("Valid until: {date}") if doc.kind == "quote" else N_("Due: {date}")
        side.append(say(due, date=i18n.day_text(doc.due_date, language)))
    company_lines = lines_of_company(company, language)

    totals = doc.totals
    summary = [(say(N_("Subtotal")), money(totals.subtotal))]
    if totals.discount_total:
        summary.append((say(N_("Discounts")), money(-totals.discount_total)))
    summary.append((say(N_("Net")), money(totals.net_total)))
    summary += [
        (
            say(N_("Tax {rate}% on {base}"), rate=plain_text(t.rate, language), base=money(t.base)),
            money(t.tax),
        )
        for t in totals.taxes
    ]
    total_row = len(summary)
    summary.append((say(N_("Total")), money(totals.total)))
    if doc.kind == "invoice" and (doc.paid_total or doc.credited_total):
        if doc.paid_total:
            # translators: on an invoice, under the total: the amount the client has paid so far
            summary.append((i18n.pgettext("amount row", "Paid", language), money(doc.paid_total)))
        if doc.credited_total:
            # translators: on an invoice, under the total: the amount its credit notes took off
            summary.append((i18n.pgettext("amount row", "Credited", language), money(doc.credited_total)))
        summary.append((say(N_("Balance due")), money(doc.balance)))

    # the office decides whether the total is written out; it is written in the document's language
    words = (
        say(N_("Amount in words: {words}"), words=amount_in_words(totals.total, doc.currency, language))
        if company.amount_words_language
        else ""
    )
    return PrintedDocument(
        title=title,
        side_lines=tuple(side),
        company_name=company.name,
        company_lines=company_lines,
        logo=company.logo,
        client=client,
        bill_to=say(N_("Bill to:")),
        header=tuple(say(label) for label in HEADER),
        lines=tuple(
            PrintedLine(
                line.description,
                plain_text(line.quantity, language),
                line.unit,
                plain_text(line.unit_price, language),
                plain_text(line.discount_percent, language),
                plain_text(line.tax_rate, language),
                money(line.net),
            )
            for line in doc.lines
        ),
        summary=tuple(summary),
        total_row=total_row,
        amount_in_words=words,
        sections=(
            (say(N_("Payment terms")), doc.terms),
            (say(N_("Notes")), doc.notes),
            (say(N_("Bank details")), company.bank_details),
        ),
        # "{page}" is left for the renderer to fill in with each page's number
        footer=say(N_("{title} · page {page}"), title=title, page="{page}"),
        right_to_left=i18n.is_right_to_left(language),
    )
