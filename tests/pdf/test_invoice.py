"""The invoice PDF's tables, drawn from a PrintedDocument and read back with pypdf: an amount, however
large, stays on one line with its currency, and the table stays within the page's margins; a
right-to-left document is laid out as its mirror image, and its paragraphs wrap in reading order."""

from __future__ import annotations

import unicodedata

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from crm_desktop.pdf.invoice import Party, PrintedDocument, PrintedLine, render


def invoice(unit_price: str, amount: str) -> PrintedDocument:
    """One line of quantity 1 at `unit_price` (as services/printing.py prints it), untaxed: net,
    subtotal and total are all `amount` in UZS."""
    money = f"{amount} UZS"
    return PrintedDocument(
        title="Invoice INV-2026-00001",
        side_lines=("Invoice INV-2026-00001", "Date: 2026-03-02"),
        company_name="Ipak Yoʻli Services",
        company_lines=("Ipak Yoʻli Services", "Amir Temur 1, Toshkent"),
        logo=None,
        client=Party("Samarqand Travel", ("Registon 5, Samarqand",)),
        bill_to="Bill to:",
        header=HEADER,
        lines=(PrintedLine("Hotel building works", "1", "", unit_price, "0", "0", money),),
        summary=(("Subtotal", money), ("Net", money), (f"Tax 0% on {money}", "0.00 UZS"), ("Total", money)),
        total_row=3,
        amount_in_words="",
        sections=(),
        footer="Invoice INV-2026-00001 · page {page}",
    )


HEADER = ("#", "Description", "Qty", "Unit", "Unit price", "Disc.%", "Tax%", "Net")
# The same labels as an Arabic document prints them (resources/translations/ar.po), and words to wrap
ARABIC_HEADER = ("#", "الوصف", "الكمية", "الوحدة", "سعر الوحدة", "الخصم%", "الضريبة%", "الصافي")
ARABIC_WORDS = "الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر الحادي الثاني عشر الأخير"


def arabic_invoice(description: str = "تصميم الموقع") -> PrintedDocument:
    """The invoice of `invoice` laid out right to left, its labels in Arabic, its numbers as they are."""
    money = "1\u202f200.00 USD"
    return PrintedDocument(
        title="الفاتورة INV-2026-00001",
        side_lines=("الفاتورة INV-2026-00001", "التاريخ: 2/3/2026"),
        company_name="شركة الحسن",
        company_lines=("شركة الحسن", "Amir Temur 1, Toshkent", "+998 90 123 45 67"),
        logo=None,
        client=Party("خالد الحسن", ("Registon 5, Samarqand",)),
        bill_to="فاتورة إلى:",
        header=ARABIC_HEADER,
        lines=(PrintedLine(description, "1", "", "1200", "0", "0", money),),
        summary=(("المجموع الفرعي", money), ("الصافي", money), ("الإجمالي", money)),
        total_row=2,
        amount_in_words="",
        sections=(),
        footer="الفاتورة INV-2026-00001 · صفحة {page}",
        right_to_left=True,
    )


def positions(path) -> list[tuple[str, float, float]]:
    """Each piece of text drawn on page 1 (compatibility-normalised) with where it starts: x from the
    page's left side and y from its foot, in points."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            found.append((unicodedata.normalize("NFKC", text.strip()), cm[4] + tm[4], cm[5] + tm[5]))

    PdfReader(str(path)).pages[0].extract_text(visitor_text=visit)
    return found


def x_of(found: list[tuple[str, float, float]], text: str) -> float:
    [x] = [x for piece, x, _ in found if piece == text]
    return x


def header_xs(found: list[tuple[str, float, float]], labels: tuple[str, ...]) -> list[float]:
    """Where each of the lines table's column labels starts, in the order of `labels`."""
    [row] = {y for piece, _, y in found if piece == "#"}
    return [x_of([p for p in found if abs(p[2] - row) < 1], label) for label in labels]


def drawn(path) -> tuple[list[str], dict[str, float]]:
    """The text lines of page 1 (a narrow no-break space read as a space), and where each line starts
    (its left edge, in points from the page's left side)."""
    starts: dict[str, float] = {}

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            starts.setdefault(unicodedata.normalize("NFKC", text.strip()), cm[4] + tm[4])

    text = PdfReader(str(path)).pages[0].extract_text(visitor_text=visit)
    return unicodedata.normalize("NFKC", text).splitlines(), starts


@pytest.mark.parametrize("page", ["A4", "Letter"])
def test_a_large_uzs_amount_keeps_its_currency_on_its_line(tmp_path, page):
    render(tmp_path / "big.pdf", invoice("1234567890", "1\u202f234\u202f567\u202f890.00"), page=page)
    lines, _ = drawn(tmp_path / "big.pdf")
    digits = [line for line in lines if "1 234 567 890.00" in line]
    # the line's net, subtotal, net total, the tax's base and the total (bold)
    assert len(digits) == 5 and all("1 234 567 890.00 UZS" in line for line in digits), lines
    assert any(line.strip() == "1234567890" for line in lines), lines  # the unit price, whole
    assert "Disc.%" in lines and "Tax%" in lines  # the headers of the narrow columns are not broken


@pytest.mark.parametrize("page", ["A4", "Letter"])
def test_twelve_digit_amounts_fit_within_the_margins(tmp_path, page):
    render(tmp_path / "huge.pdf", invoice("123456789012", "123\u202f456\u202f789\u202f012.00"), page=page)
    lines, starts = drawn(tmp_path / "huge.pdf")
    digits = [line for line in lines if "123 456 789 012.00" in line]
    assert len(digits) == 5 and all("123 456 789 012.00 UZS" in line for line in digits), lines
    # the table is centred, so one wider than the page's frame starts left of the margin (18 mm, then
    # 6 pt of frame padding and 6 pt of cell padding before the "#")
    assert starts["#"] == pytest.approx(18 * mm + 12, abs=0.5)


def test_amounts_too_large_for_the_page_still_do_not_wrap(tmp_path):
    amount = "999\u202f999\u202f999\u202f999\u202f999\u202f999.00"
    render(tmp_path / "absurd.pdf", invoice("999999999999999999", amount), page="A4")
    lines, _ = drawn(tmp_path / "absurd.pdf")
    digits = [line for line in lines if "999 999 999 999 999 999.00" in line]
    assert len(digits) == 5 and all("999.00 UZS" in line for line in digits), lines


def test_a_right_to_left_document_is_laid_out_as_its_mirror_image(tmp_path):
    render(tmp_path / "ar.pdf", arabic_invoice(), page="A4")
    found = positions(tmp_path / "ar.pdf")
    half = 210 * mm / 2
    # the lines table's columns run right to left: "#" rightmost, then the description ... the net leftmost
    xs = header_xs(found, ARABIC_HEADER)
    assert xs == sorted(xs, reverse=True), list(zip(ARABIC_HEADER, xs, strict=True))
    assert x_of(found, "شركة الحسن") > half  # the company block on the right, the dates on the left
    [(_, date_x, _)] = [p for p in found if "2026/3/2" in p[0] or "2/3/2026" in p[0]]
    assert date_x < half
    # the summary at the left margin, each label right of its amount; amounts keep their own order
    amounts = [(x, y) for piece, x, y in found if piece == "1 200.00 USD"]
    total = [(x, y) for piece, x, y in found if piece == "الإجمالي"]
    assert len(amounts) == 4 and len(total) == 1  # the line's net and three summary rows
    [(total_x, total_y)] = total
    [(amount_x, _)] = [(x, y) for x, y in amounts if abs(y - total_y) < 1]
    assert amount_x < total_x and amount_x < half
    footer = [(piece, x) for piece, x, y in found if y < 20 * mm]  # drawn from the left margin
    assert min(x for _, x in footer) == pytest.approx(18 * mm, abs=0.5), footer


def test_a_left_to_right_document_keeps_its_layout(tmp_path):
    render(tmp_path / "en.pdf", invoice("1200", "1\u202f200.00"), page="A4")
    found = positions(tmp_path / "en.pdf")
    xs = header_xs(found, HEADER)
    assert xs == sorted(xs)  # "#" leftmost ... the net rightmost
    assert x_of(found, "Ipak Yoʻli Services") < 210 * mm / 2
    # the footer ends at the right margin
    [(footer, x, _)] = [p for p in found if p[2] < 20 * mm]
    assert footer == "Invoice INV-2026-00001 · page 1" and x > 210 * mm / 2


def test_a_right_to_left_paragraph_wraps_in_reading_order(tmp_path):
    """Its first words on its top line (a paragraph turned whole and then wrapped starts at the bottom)."""
    render(tmp_path / "wrapped.pdf", arabic_invoice(" ".join([ARABIC_WORDS] * 3)), page="A4")
    words = ARABIC_WORDS.split()
    lines = sorted(
        ((y, piece) for piece, _, y in positions(tmp_path / "wrapped.pdf") if words[1] in piece),
        reverse=True,
    )  # the description's lines, top first
    assert len(lines) >= 3, lines
    top = lines[0][1].split()
    assert top[: len(words)] == words[: len(top)], lines  # the top line begins as the text does
