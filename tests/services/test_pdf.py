"""Invoice PDFs read back with pypdf: number, client names in Latin, Cyrillic and Arabic, lines and
totals; a long invoice breaks across pages with the table header on each.
Spans services/documents.py (write_pdf), services/printing.py (what is printed) and pdf/invoice.py."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from pypdf import PdfReader

from crm_desktop.pdf.invoice import visual
from crm_desktop.services import clients, company, documents, invoices
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.invoices import LineValues


def pdf_text(path) -> list[str]:
    """What a reader's copy-and-paste gets, compatibility-normalised: Arabic presentation forms become
    the letters they show, a narrow no-break space a space."""
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(str(path)).pages]


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def issued_for(ctx, name: str, lines, **kw):
    client = clients.create(ctx, name=name, address="Amir Temur 1, Toshkent", phones=["+998 90 123 45 67"])
    d = invoices.create_draft(ctx, client_id=client.id, lines=lines, **kw)
    return documents.issue(ctx, d.id, expected_version=d.version)


@pytest.mark.parametrize("name", ["Oʻgʻiloy Qodirova", "Əli Şükürov", "ИП Ёлкин и партнёры", "خالد الحسن"])
def test_the_pdf_names_the_client_and_shows_number_lines_and_totals(ctx, tmp_path, name):
    profile = company.get(ctx)
    company.update(
        ctx,
        expected_version=profile.version,
        name="Ipak Yoʻli Services",
        tax_id="305123456",
        bank_details="Kapitalbank, account 2020 8000 1234 5678 9001",
    )
    doc = issued_for(
        ctx,
        name,
        [
            LineValues("Website design", 1, "", "1200"),
            LineValues("Hosting", 12, "month", "15", tax_rate="12"),
        ],
        currency="USD",
        terms="Payment within 14 days by bank transfer.",
    )
    path = documents.write_pdf(ctx, doc.id, tmp_path / "invoice.pdf")
    [text] = pdf_text(path)
    assert doc.number in text and "Ipak Yoʻli Services" in text and "305123456" in text
    assert nfkc(name) in text  # Arabic drawn shaped and right to left reads back as the name
    for expected in (
        "Website design",
        "Hosting",
        "1\u202f200.00 USD",
        "Tax 12% on 180.00 USD",
        "21.60 USD",
        "1\u202f401.60 USD",
        "Payment within 14 days",
        "Kapitalbank",
    ):
        assert nfkc(expected) in text, expected


def test_arabic_is_shaped_and_right_to_left():
    shaped = visual("خالد")
    assert shaped != "خالد" and all("\ufe70" <= c <= "\ufeff" for c in shaped)  # joined presentation forms
    assert visual("Aziz Karimov") == "Aziz Karimov"


def test_a_long_invoice_spans_pages_with_the_header_repeated(ctx, tmp_path):
    lines = [LineValues(f"Cleaning visit {n}", 1, "h", "25") for n in range(1, 201)]
    doc = issued_for(ctx, "Samarqand Travel", lines, currency="USD")
    pages = pdf_text(documents.write_pdf(ctx, doc.id, tmp_path / "long.pdf", page="Letter"))
    assert len(pages) > 3
    assert all("Description" in page and "Unit price" in page for page in pages[:-1])
    assert "Cleaning visit 1\n" in pages[0] + "\n" and "Cleaning visit 200" in pages[-1] + pages[-2]
    assert nfkc("Total 5\u202f000.00 USD") in pages[-1].replace("\n", "")
    assert doc.total == Decimal("5000")


def test_pdfs_are_in_the_audit_log_and_bad_targets_are_explained(ctx, tmp_path, audit_rows):
    doc = issued_for(ctx, "Aziz Karimov", [LineValues("Work", 1, "", "10")])
    documents.write_pdf(ctx, doc.id, tmp_path / "a.pdf")
    assert audit_rows("documents", doc.id)[-1][0] == "pdf"
    with pytest.raises(ValidationError, match="A4 or Letter"):
        documents.write_pdf(ctx, doc.id, tmp_path / "b.pdf", page="A5")
    with pytest.raises(ValidationError, match="could not be written"):
        documents.write_pdf(ctx, doc.id, tmp_path / "no-such-folder" / "c.pdf")


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", "Amount in words: One thousand four hundred one US dollars and 60 cents"),
        ("ru", "Сумма прописью: Одна тысяча четыреста один доллар США 60 центов"),
        ("uz", "Soʻz bilan: Bir ming toʻrt yuz bir AQSh dollari 60 sent"),
    ],
)
def test_the_total_in_words_and_the_logo_when_the_office_asks_for_them(ctx, tmp_path, language, words):
    from io import BytesIO

    from PIL import Image

    logo = BytesIO()
    Image.new("RGB", (300, 100), "darkgreen").save(logo, "PNG")
    profile = company.get(ctx)
    company.update(
        ctx, expected_version=profile.version, logo=logo.getvalue(), amount_words_language=language
    )
    doc = issued_for(
        ctx,
        "Aziz Karimov",
        [
            LineValues("Website design", 1, "", "1200"),
            LineValues("Hosting", 12, "month", "15", tax_rate="12"),
        ],
    )
    path = documents.write_pdf(ctx, doc.id, tmp_path / "invoice.pdf")
    assert nfkc(words) in " ".join(pdf_text(path)[0].split())
    assert len(PdfReader(str(path)).pages[0].images) == 1


def test_a_credit_note_names_the_invoice_it_corrects_and_the_invoice_shows_the_credit(ctx, tmp_path):
    invoice = issued_for(ctx, "Aziz Karimov", [LineValues("Website design", 1, "", "1200")])
    note = documents.credit_note_for(ctx, invoice.id)
    note = invoices.update_draft(
        ctx, note.id, expected_version=note.version, lines=[LineValues("Discount agreed", 1, "", "200")]
    )
    note = documents.issue(ctx, note.id, expected_version=note.version)
    [text] = pdf_text(documents.write_pdf(ctx, note.id, tmp_path / "note.pdf"))
    assert f"Credit note {note.number}" in text and f"Corrects invoice {invoice.number}" in text
    [text] = pdf_text(documents.write_pdf(ctx, invoice.id, tmp_path / "invoice.pdf"))
    assert "Credited" in text and nfkc("Balance due 1\u202f000.00 USD") in " ".join(text.split())
