"""A quote, invoice or credit note as a PDF a client can receive (reportlab, no Qt).

Fonts ship in resources/fonts (DejaVu Sans: Latin with Uzbek oʻ gʻ and Azerbaijani ə ğ ı ş,
Cyrillic, and Arabic). reportlab lays text out left to right, glyph by glyph, so Arabic is shaped
(arabic_reshaper: the joined letter forms) and put in visual order (python-bidi) before it is
drawn: "خالد الحسن" reads as an Arabic reader expects. The lines table breaks across pages with
its header repeated; a number or an amount never wraps (its column is as wide as its widest cell, and
the description wraps in what is left).

It only draws: what to print — labels, numbers and money already formatted, the amount in words — comes
from the services as a `PrintedDocument` (services/printing.py), so this module imports no services.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from importlib import resources
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

PAGE_SIZES = {"A4": A4, "Letter": LETTER}
LOGO_BOX = (50 * mm, 20 * mm)  # the largest a logo is drawn, keeping its proportions
FONT, BOLD = "CRMSans", "CRMSans-Bold"
MARGIN = 18 * mm  # left and right
PADDING = 6  # reportlab's default on each side, of a table cell and of the page's frame
MIN_DESCRIPTION = 25 * mm  # the least it gets; 12-digit UZS amounts leave it 28 mm on A4, 34 on Letter
NUMERIC = (2, 4, 5, 6, 7)  # the columns of the lines table that hold numbers: they never wrap
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class Party:
    """Who the document is for: name and the lines of its address block."""

    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PrintedLine:
    """One row of the lines table, every cell already formatted; the fields in the order of its columns."""

    description: str
    quantity: str
    unit: str
    unit_price: str
    discount_percent: str
    tax_rate: str
    net: str


@dataclass(frozen=True)
class PrintedDocument:
    """Everything a document shows, as text: the renderer lays it out and formats nothing itself."""

    title: str  # "Invoice INV-2026-00001"; also the footer and the PDF's title
    side_lines: tuple[str, ...]  # beside the company block: title, "Corrects invoice …", dates
    company_name: str  # the PDF's author
    company_lines: tuple[str, ...]  # name, address, phone, email, tax id
    logo: bytes | None
    client: Party
    lines: tuple[PrintedLine, ...]
    summary: tuple[tuple[str, str], ...]  # (label, amount) rows under the table
    total_row: int  # which summary row is the total (drawn bold, with a rule above)
    amount_in_words: str  # "" when the company does not print it
    sections: tuple[tuple[str, str], ...]  # (heading, text): payment terms, notes, bank details


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


def _fit_width(texts: Iterable[str], style: ParagraphStyle) -> float:
    """How wide a table column must be to show each of `texts` on one line in `style`, padding included.

    A Paragraph breaks at U+202F (the grouping in money) as at a space and draws a space there, so the
    text is measured that way; and it breaks a line exactly as wide as its cell, hence a point to spare.
    """
    widest = max(
        (pdfmetrics.stringWidth(" ".join(t.split()), style.fontName, style.fontSize) for t in texts),
        default=0,
    )
    return widest + 2 * PADDING + 1


def render(path: Path, doc: PrintedDocument, *, page: str = "A4") -> None:
    _register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    bold = ParagraphStyle("bold", parent=base, fontName=BOLD)
    title = ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20)

    story: list[Flowable] = [_logo(doc.logo), Spacer(1, 3 * mm)] if doc.logo else []
    story += [
        Table(
            [[_p("\n".join(doc.company_lines), base), _p("\n".join(doc.side_lines), right)]],
            colWidths=["60%", "40%"],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
        Spacer(1, 6 * mm),
        _p(doc.title, title),
        Spacer(1, 3 * mm),
        _p("Bill to:", small),
        _p(doc.client.name, bold),
        _p("\n".join(doc.client.lines), base),
        Spacer(1, 6 * mm),
    ]

    header = ["#", "Description", "Qty", "Unit", "Unit price", "Disc.%", "Tax%", "Net"]
    bold_right = ParagraphStyle("bold_right", parent=right, fontName=BOLD)
    cells = [[str(n), *astuple(line)] for n, line in enumerate(doc.lines, start=1)]  # fields in column order
    rows = [[_p(h, bold if i < 2 else bold_right) for i, h in enumerate(header)]]
    rows += [[_p(text, right if i in NUMERIC else base) for i, text in enumerate(row)] for row in cells]
    widths = [10 * mm, 0, 15 * mm, 13 * mm, 24 * mm, 15 * mm, 13 * mm, 32 * mm]  # the least each gets
    for i in NUMERIC:
        widths[i] = max(
            widths[i], _fit_width([header[i]], bold_right), _fit_width([r[i] for r in cells], right)
        )
    # the description wraps in what is left; if even that is too narrow the table widens into the margins
    widths[1] = max(MIN_DESCRIPTION, PAGE_SIZES[page][0] - 2 * MARGIN - 2 * PADDING - sum(widths))
    table = Table(rows, repeatRows=1, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]

    total_row = doc.total_row
    styled = [(a, b, bold_right if i == total_row else right) for i, (a, b) in enumerate(doc.summary)]
    amounts = max([40 * mm] + [_fit_width([b], style) for _, b, style in styled])
    rule = [("LINEABOVE", (0, total_row), (-1, total_row), 0.8, colors.black)]
    story.append(
        Table(
            [[_p(a, style), _p(b, style)] for a, b, style in styled],
            colWidths=[None, amounts],
            style=rule,
            hAlign="RIGHT",
        )
    )
    if doc.amount_in_words:
        story += [Spacer(1, 3 * mm), _p(doc.amount_in_words, base)]
    for label, text in doc.sections:
        if text.strip():
            story += [Spacer(1, 4 * mm), _p(label, bold), _p(text, base)]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(
            document.pagesize[0] - MARGIN, 10 * mm, visual(f"{doc.title} · page {document.page}")
        )
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        str(path),
        pagesize=PAGE_SIZES[page],
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=doc.title,
        author=doc.company_name,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
