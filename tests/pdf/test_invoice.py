"""The invoice PDF's tables, drawn from a PrintedDocument and read back with pypdf: an amount, however
large, stays on one line with its currency, and the table stays within the page's margins."""

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
        lines=(PrintedLine("Hotel building works", "1", "", unit_price, "0", "0", money),),
        summary=(("Subtotal", money), ("Net", money), (f"Tax 0% on {money}", "0.00 UZS"), ("Total", money)),
        total_row=3,
        amount_in_words="",
        sections=(),
    )


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
