"""What a quote, invoice or credit note prints, worked out here and handed to pdf/invoice.py as text.

The renderer only lays out: the labels, the money in the document's currency (money.format_money), the
totals and balance rows, and the amount in words are decided here, so the PDF layer needs nothing from
the services and the same wording can later come from the message catalogue in the reader's language.
"""

from __future__ import annotations

from decimal import Decimal

from crm_desktop.pdf.invoice import Party, PrintedDocument, PrintedLine
from crm_desktop.services.amount_words import amount_in_words
from crm_desktop.services.company import CompanyRow
from crm_desktop.services.invoices import KIND_NAMES, DocumentDetail
from crm_desktop.services.money import format_money

WORDS_LABELS = {"en": "Amount in words", "ru": "Сумма прописью", "uz": "Soʻz bilan"}


def number(value: Decimal) -> str:
    return f"{value.normalize():f}"  # 12.5000 → 12.5, 100 → 100


def printed(doc: DocumentDetail, company: CompanyRow, client: Party) -> PrintedDocument:
    def money(amount: Decimal) -> str:
        return format_money(amount, doc.currency)

    title = f"{KIND_NAMES.get(doc.kind, 'Document')} {doc.number or '(draft)'}"
    side = [title]
    if doc.kind == "credit_note" and doc.related_number:
        side.append(f"Corrects invoice {doc.related_number}")
    if doc.issue_date:
        side.append(f"Date: {doc.issue_date.isoformat()}")
    if doc.due_date:
        side.append(f"Due: {doc.due_date.isoformat()}")
    company_lines = tuple(
        x
        for x in (
            company.name,
            company.address,
            company.phone,
            company.email,
            f"Tax ID: {company.tax_id}" if company.tax_id else "",
        )
        if x
    )

    totals = doc.totals
    summary = [("Subtotal", money(totals.subtotal))]
    if totals.discount_total:
        summary.append(("Discounts", money(-totals.discount_total)))
    summary.append(("Net", money(totals.net_total)))
    summary += [(f"Tax {number(t.rate)}% on {money(t.base)}", money(t.tax)) for t in totals.taxes]
    total_row = len(summary)
    summary.append(("Total", money(totals.total)))
    if doc.kind == "invoice" and (doc.paid_total or doc.credited_total):
        if doc.paid_total:
            summary.append(("Paid", money(doc.paid_total)))
        if doc.credited_total:
            summary.append(("Credited", money(doc.credited_total)))
        summary.append(("Balance due", money(doc.balance)))

    words = company.amount_words_language
    return PrintedDocument(
        title=title,
        side_lines=tuple(side),
        company_name=company.name,
        company_lines=company_lines,
        logo=company.logo,
        client=client,
        lines=tuple(
            PrintedLine(
                line.description,
                number(line.quantity),
                line.unit,
                number(line.unit_price),
                number(line.discount_percent),
                number(line.tax_rate),
                money(line.net),
            )
            for line in doc.lines
        ),
        summary=tuple(summary),
        total_row=total_row,
        amount_in_words=(
            f"{WORDS_LABELS[words]}: {amount_in_words(totals.total, doc.currency, words)}" if words else ""
        ),
        sections=(("Payment terms", doc.terms), ("Notes", doc.notes), ("Bank details", company.bank_details)),
    )
