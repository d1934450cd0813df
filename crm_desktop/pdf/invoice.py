"""A quote, invoice or credit note as a PDF a client can receive (reportlab, no Qt).

Fonts ship in resources/fonts (DejaVu Sans: Latin with Uzbek oʻ gʻ and Azerbaijani ə ğ ı ş,
Cyrillic, and Arabic). reportlab lays text out left to right, glyph by glyph, so Arabic is shaped
(arabic_reshaper: the joined letter forms) and put in visual order (python-bidi) before it is
drawn: "خالد الحسن" reads as an Arabic reader expects. The lines table breaks across pages with
its header repeated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO
from decimal import Decimal
from importlib import resources
from pathlib import Path

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from crm_desktop.services.amount_words import amount_in_words
from crm_desktop.services.company import CompanyRow
from crm_desktop.services.invoices import KIND_NAMES, DocumentDetail
from crm_desktop.services.money import format_money

PAGE_SIZES = {"A4": A4, "Letter": LETTER}
WORDS_LABELS = {"en": "Amount in words", "ru": "Сумма прописью", "uz": "Soʻz bilan"}
LOGO_BOX = (50 * mm, 20 * mm)  # the largest a logo is drawn, keeping its proportions
FONT, BOLD = "CRMSans", "CRMSans-Bold"
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class Party:
    """Who the document is for: name and the lines of its address block."""

    name: str
    lines: tuple[str, ...]


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = resources.files("crm_desktop.resources") / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))


def visual(text: str) -> str:
    """Text as it must be drawn: Arabic (or Hebrew) shaped and in visual order; other text as it is."""
    return get_display(arabic_reshaper.reshape(text)) if _RTL.search(text) else text


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph("<br/>".join(escape(visual(line)) for line in text.splitlines()) or "&nbsp;", style)


def _logo(data: bytes) -> Image:
    width, height = ImageReader(BytesIO(data)).getSize()
    scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
    return Image(BytesIO(data), width * scale, height * scale, hAlign="LEFT")


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"  # 12.5000 → 12.5, 100 → 100


def render(path: Path, doc: DocumentDetail, company: CompanyRow, client: Party, *, page: str = "A4") -> None:
    _register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    bold = ParagraphStyle("bold", parent=base, fontName=BOLD)
    title = ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20)
    kind = KIND_NAMES.get(doc.kind, "Document")
    money = lambda amount: format_money(amount, doc.currency)  # noqa: E731

    head = [f"{kind} {doc.number or '(draft)'}"]
    dates = [f"Date: {doc.issue_date.isoformat()}" if doc.issue_date else "",
             f"Due: {doc.due_date.isoformat()}" if doc.due_date else ""]
    company_block = "\n".join(x for x in (company.name, company.address, company.phone, company.email,
                                          f"Tax ID: {company.tax_id}" if company.tax_id else "") if x)
    if doc.kind == "credit_note" and doc.related_number:
        head.append(f"Corrects invoice {doc.related_number}")
    story = [_logo(company.logo), Spacer(1, 3 * mm)] if company.logo else []
    story += [
        Table([[_p(company_block, base), _p("\n".join([*head, *filter(None, dates)]), right)]],
              colWidths=["60%", "40%"], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
        Spacer(1, 6 * mm),
        _p(head[0], title),
        Spacer(1, 3 * mm),
        _p("Bill to:", small),
        _p(client.name, bold),
        _p("\n".join(client.lines), base),
        Spacer(1, 6 * mm),
    ]

    header = ["#", "Description", "Qty", "Unit", "Unit price", "Disc.%", "Tax%", "Net"]
    rows = [[_p(h, bold if i < 2 else ParagraphStyle("h", parent=bold, alignment=TA_RIGHT))
             for i, h in enumerate(header)]]
    for n, line in enumerate(doc.lines, start=1):
        rows.append([_p(str(n), base), _p(line.description, base), _p(_number(line.quantity), right),
                     _p(line.unit, base), _p(_number(line.unit_price), right), _p(_number(line.discount_percent), right),
                     _p(_number(line.tax_rate), right), _p(money(line.net), right)])
    table = Table(rows, repeatRows=1, colWidths=[10 * mm, None, 15 * mm, 13 * mm, 24 * mm, 15 * mm, 13 * mm, 32 * mm])
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
    ]))
    story += [table, Spacer(1, 5 * mm)]

    totals = doc.totals
    summary = [["Subtotal", money(totals.subtotal)]]
    if totals.discount_total:
        summary.append(["Discounts", money(-totals.discount_total)])
    summary.append(["Net", money(totals.net_total)])
    summary += [[f"Tax {_number(t.rate)}% on {money(t.base)}", money(t.tax)] for t in totals.taxes]
    summary.append(["Total", money(totals.total)])
    if doc.kind == "invoice" and (doc.paid_total or doc.credited_total):
        if doc.paid_total:
            summary.append(["Paid", money(doc.paid_total)])
        if doc.credited_total:
            summary.append(["Credited", money(doc.credited_total)])
        summary.append(["Balance due", money(doc.balance)])
    total_row = next(i for i, (label, _) in enumerate(summary) if label == "Total")
    bold_right = ParagraphStyle("bold_right", parent=right, fontName=BOLD)
    styled = [(a, b, bold_right if i == total_row else right) for i, (a, b) in enumerate(summary)]
    story.append(Table([[_p(a, style), _p(b, style)] for a, b, style in styled], colWidths=[None, 40 * mm],
                       style=[("LINEABOVE", (0, total_row), (-1, total_row), 0.8, colors.black)], hAlign="RIGHT"))
    words = company.amount_words_language
    if words:
        story += [Spacer(1, 3 * mm), _p(f"{WORDS_LABELS[words]}: {amount_in_words(totals.total, doc.currency, words)}",
                                        base)]
    for label, text in (("Payment terms", doc.terms), ("Notes", doc.notes), ("Bank details", company.bank_details)):
        if text.strip():
            story += [Spacer(1, 4 * mm), _p(label, bold), _p(text, base)]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(document.pagesize[0] - 18 * mm, 10 * mm,
                               visual(f"{head[0]} · page {document.page}"))
        canvas.restoreState()

    pdf = SimpleDocTemplate(str(path), pagesize=PAGE_SIZES[page], leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=18 * mm, title=head[0], author=company.name)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
