"""A quote, invoice or credit note as a PDF a client can receive (reportlab, no Qt).

Fonts ship in resources/fonts (DejaVu Sans: Latin with Uzbek oʻ gʻ and Azerbaijani ə ğ ı ş,
Cyrillic, and Arabic). reportlab lays text out left to right, glyph by glyph, so Arabic is shaped
(arabic_reshaper: the joined letter forms) and put in visual order (python-bidi) before it is
drawn: "خالد الحسن" reads as an Arabic reader expects. The lines table breaks across pages with
its header repeated; a number or an amount never wraps (its column is as wide as its widest cell, and
the description wraps in what is left).

A right-to-left document (Arabic) is laid out as its mirror image: the company block on the right and
the dates on the left, every table's columns from right to left, the totals at the left margin with
each label right of its amount, text aligned right, the footer at the left. Its paragraphs are broken
into lines in reading order first and each line then put in visual order with a right-to-left base
direction, so a paragraph that wraps starts on its top line; what a person typed (names, addresses,
phones, descriptions) keeps the direction of its own first letter on each line, so a phone number or a
Latin name in an Arabic document reads as written.

It only draws: what to print — labels, numbers and money already formatted, the amount in words — comes
from the services as a `PrintedDocument` (services/printing.py), so this module imports no services.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
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
# The invisible marks that steer the bidi algorithm (isolates around a sentence's fields, the marks in
# CLDR's Arabic dates): they have done their work once the text is in visual order, and have no glyph.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ISOLATE_OPENERS, _ISOLATE_CLOSER = "\u2066\u2067\u2068", "\u2069"


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
    """Everything a document shows, as text in its language: the renderer lays it out and words and
    formats nothing itself."""

    title: str  # "Invoice INV-2026-00001"; also the PDF's title
    side_lines: tuple[str, ...]  # beside the company block: title, "Corrects invoice …", dates
    company_name: str  # the PDF's author
    company_lines: tuple[str, ...]  # name, address, phone, email, tax id
    logo: bytes | None
    client: Party
    bill_to: str  # the label above the client: "Bill to:"
    header: tuple[str, ...]  # the lines table's column labels: "#", then one per field of PrintedLine
    lines: tuple[PrintedLine, ...]
    summary: tuple[tuple[str, str], ...]  # (label, amount) rows under the table
    total_row: int  # which summary row is the total (drawn bold, with a rule above)
    amount_in_words: str  # "" when the company does not print it
    sections: tuple[tuple[str, str], ...]  # (heading, text): payment terms, notes, bank details
    footer: str  # at the foot of each page, "{page}" in it filled in with the page's number
    right_to_left: bool = False  # laid out as its mirror image (Arabic)
    hidden_columns: tuple[int, ...] = ()  # columns of the lines table left out (an act has no tax column)
    signatures: tuple[tuple[str, ...], ...] = ()  # side by side at the end, each its lines (an act's parties)


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = resources.files("crm_desktop.resources") / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))


def visual(text: str, right_to_left: bool = False) -> str:
    """One line as it must be drawn: Arabic (or Hebrew) shaped and in visual order; other text of a
    left-to-right document as it is. `right_to_left`: the line belongs to a right-to-left document,
    whose base direction is right to left whatever the line starts with."""
    if right_to_left:
        text = get_display(arabic_reshaper.reshape(text), base_dir="R")
    elif _RTL.search(text):
        text = get_display(arabic_reshaper.reshape(text))
    return _BIDI_CONTROLS.sub("", text)


def _in_reading_order(text: str, style: ParagraphStyle, width: float) -> list[str]:
    """`text` broken into the lines it takes `width` wide, still in reading (logical) order.

    A Paragraph given a right-to-left text already in visual order would break it from the wrong end
    (its top line would hold the end of the text), so the lines are found first and turned one by one.
    An isolate (a sentence's field) broken across lines is closed at the end of one and opened again at
    the start of the next, so each line is put in order on its own.
    """

    space = pdfmetrics.stringWidth(" ", style.fontName, style.fontSize)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words: list[str] = []  # of the line being filled
        used = 0.0  # letters join only within a word, so a line is as wide as its words and spaces
        for word in paragraph.split(" "):
            wide = _drawn_width(word, style)
            if words and used + space + wide > width - 1:
                lines.append(" ".join(words))
                words, used = [word], wide
            else:
                used = used + space + wide if words else wide
                words.append(word)
        lines.append(" ".join(words))
    opened: list[str] = []  # the isolates open at the end of the line before
    balanced = []
    for line in lines:
        line = "".join(opened) + line
        opened = []
        for char in line:
            if char in _ISOLATE_OPENERS:
                opened.append(char)
            elif char == _ISOLATE_CLOSER and opened:
                opened.pop()
        balanced.append(line + _ISOLATE_CLOSER * len(opened))
    return balanced


class _RightToLeftParagraph(Flowable):
    """A paragraph of a right-to-left document, put into lines in reading order as it is given its width
    (see _in_reading_order), each line then in visual order: `own_direction` for what a person typed,
    whose lines each keep the direction of their first letter; else right to left."""

    def __init__(self, text: str, style: ParagraphStyle, own_direction: bool = False):
        super().__init__()
        self.text, self.style, self.own_direction = text, style, own_direction
        self._paragraph = self._laid_out(text.splitlines())
        self._lines_for: float | None = None  # the width the lines were found for (a table asks often)

    def _laid_out(self, lines: list[str]) -> Paragraph:
        def drawn(line: str) -> str:
            return visual(line) if self.own_direction else visual(line, right_to_left=True)

        return Paragraph("<br/>".join(escape(drawn(line)) for line in lines) or "&nbsp;", self.style)

    def wrap(self, availWidth, availHeight):  # reportlab's names
        if self._lines_for != availWidth:
            width = availWidth - self.style.leftIndent - self.style.rightIndent
            self._paragraph = self._laid_out(_in_reading_order(self.text, self.style, width))
            self._lines_for = availWidth
        self.width, self.height = self._paragraph.wrap(availWidth, availHeight)
        return self.width, self.height

    def minWidth(self):  # what a table sizing a column asks (reportlab's name)
        return self._paragraph.minWidth()

    def split(self, availWidth, availHeight):  # reportlab's names
        self.wrap(availWidth, availHeight)
        return self._paragraph.split(availWidth, availHeight)

    def draw(self) -> None:
        self._paragraph.drawOn(self.canv, 0, 0)


def _p(text: str, style: ParagraphStyle, rtl: bool = False, *, typed: bool = False) -> Flowable:
    """A paragraph of `text` (lines split at newlines); `rtl`: of a right-to-left document, where
    `typed` text (a name, an address, a description) keeps its own direction on each line."""
    if rtl:
        return _RightToLeftParagraph(text, style, own_direction=typed)
    return Paragraph("<br/>".join(escape(visual(line)) for line in text.splitlines()) or "&nbsp;", style)


def _logo(data: bytes, rtl: bool) -> Image:
    """The logo above the company block: at the left, or at the right of a right-to-left document."""
    width, height = ImageReader(BytesIO(data)).getSize()
    scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
    return Image(BytesIO(data), width * scale, height * scale, hAlign="RIGHT" if rtl else "LEFT")


def _fit_width(texts: Iterable[str], style: ParagraphStyle) -> float:
    """How wide a table column must be to show each of `texts` on one line in `style`, padding included.

    A Paragraph breaks at a no-break space (the grouping in Russian money) as at a space and draws a space
    there, so the
    text is measured that way, Arabic as it is drawn (shaped); and it breaks a line exactly as wide as its
    cell, hence a point to spare.
    """
    return max((_drawn_width(t, style) for t in texts), default=0) + 2 * PADDING + 1


def _drawn_width(text: str, style: ParagraphStyle) -> float:
    """How wide a Paragraph in `style` draws `text` on one line: Arabic shaped, and a no-break space (the
    grouping in Russian money) drawn as a space, as a Paragraph draws it."""
    return _width(text, style.fontName, style.fontSize)


@lru_cache(maxsize=4096)  # a table measures its cells again and again, and words repeat
def _width(text: str, font: str, size: float) -> float:
    text = _BIDI_CONTROLS.sub("", " ".join(text.split()))
    if _RTL.search(text):
        text = arabic_reshaper.reshape(text)
    return pdfmetrics.stringWidth(text, font, size)


def render(path: Path, doc: PrintedDocument, *, page: str = "A4") -> None:
    _register_fonts()
    rtl = doc.right_to_left
    # A right-to-left document aligns everything right, numbers included: the right edge is where its
    # reader starts, and the digits of a number still run left to right with the units last, so numbers
    # aligned right keep their units, decimal points and currency codes under one another, as on an
    # Arabic invoice. An amount is a field of its own (like an isolated field in a sentence): it is
    # drawn in its own left-to-right order, "1,200.00 USD" as in every other language.
    base = ParagraphStyle(
        "base", fontName=FONT, fontSize=9, leading=12, alignment=TA_RIGHT if rtl else TA_LEFT
    )
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    bold = ParagraphStyle("bold", parent=base, fontName=BOLD)
    title = ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=16, leading=20)
    side = ParagraphStyle("side", parent=base, alignment=TA_LEFT if rtl else TA_RIGHT)

    def mirrored(row: list) -> list:
        """A table row as it is laid out: in a right-to-left document its first cell rightmost."""
        return row[::-1] if rtl else row

    story: list[Flowable] = [_logo(doc.logo, rtl), Spacer(1, 3 * mm)] if doc.logo else []
    story += [
        Table(
            [
                mirrored(
                    [
                        _p("\n".join(doc.company_lines), base, rtl, typed=True),
                        _p("\n".join(doc.side_lines), side, rtl),
                    ]
                )
            ],
            colWidths=mirrored(["60%", "40%"]),
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
        Spacer(1, 6 * mm),
        _p(doc.title, title, rtl),
        Spacer(1, 3 * mm),
        _p(doc.bill_to, small, rtl),
        _p(doc.client.name, bold, rtl, typed=True),
        _p("\n".join(doc.client.lines), base, rtl, typed=True),
        Spacer(1, 6 * mm),
    ]

    header = doc.header
    bold_right = ParagraphStyle("bold_right", parent=right, fontName=BOLD)
    cells = [[str(n), *astuple(line)] for n, line in enumerate(doc.lines, start=1)]  # fields in column order
    rows = [[_p(h, bold if i < 2 else bold_right, rtl) for i, h in enumerate(header)]]
    rows += [
        [
            _p(text, right, False) if i in NUMERIC else _p(text, base, rtl, typed=True)
            for i, text in enumerate(row)
        ]
        for row in cells
    ]
    widths = [10 * mm, 0, 15 * mm, 13 * mm, 24 * mm, 15 * mm, 13 * mm, 32 * mm]  # the least each gets
    for i in NUMERIC:
        widths[i] = max(
            widths[i], _fit_width([header[i]], bold_right), _fit_width([r[i] for r in cells], right)
        )
    for i in (0, 3):  # a label of another language may be longer, but a word of it is never broken
        widths[i] = max(widths[i], _fit_width(header[i].split(), bold_right))
    kept = [i for i in range(len(widths)) if i not in doc.hidden_columns]
    rows, widths = [[row[i] for i in kept] for row in rows], [widths[i] for i in kept]
    described = kept.index(1)
    # the description wraps in what is left; if even that is too narrow the table widens into the margins
    widths[described] = max(MIN_DESCRIPTION, PAGE_SIZES[page][0] - 2 * MARGIN - 2 * PADDING - sum(widths))
    table = Table([mirrored(row) for row in rows], repeatRows=1, colWidths=mirrored(widths))
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
    # the labels as wide as the widest (a longer one wraps), so the table sits against its margin
    frame = PAGE_SIZES[page][0] - 2 * MARGIN - 2 * PADDING
    labels = min(max((_fit_width([a], style) for a, _, style in styled), default=0), max(frame - amounts, 0))
    rule = [("LINEABOVE", (0, total_row), (-1, total_row), 0.8, colors.black)]
    story.append(
        Table(
            [mirrored([_p(a, style, rtl), _p(b, style)]) for a, b, style in styled],
            colWidths=mirrored([labels, amounts]),
            style=rule,
            hAlign="LEFT" if rtl else "RIGHT",
        )
    )
    if doc.amount_in_words:
        story += [Spacer(1, 3 * mm), _p(doc.amount_in_words, base, rtl)]
    for label, text in doc.sections:
        if text.strip():
            story += [Spacer(1, 4 * mm), _p(label, bold, rtl), _p(text, base, rtl, typed=True)]
    if doc.signatures:
        blocks = [_p("\n".join(lines), base, rtl, typed=True) for lines in doc.signatures]
        share = f"{100 // len(blocks)}%"
        story += [
            Spacer(1, 12 * mm),
            Table(
                [mirrored(blocks)],
                colWidths=[share] * len(blocks),
                style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
            ),
        ]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        text = visual(doc.footer.replace("{page}", str(document.page)), right_to_left=rtl)
        if rtl:
            canvas.drawString(MARGIN, 10 * mm, text)
        else:
            canvas.drawRightString(document.pagesize[0] - MARGIN, 10 * mm, text)
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        str(path),
        pagesize=PAGE_SIZES[page],
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=_BIDI_CONTROLS.sub("", doc.title),
        author=doc.company_name,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
