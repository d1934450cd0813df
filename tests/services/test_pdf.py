"""Invoice PDFs read back with pypdf: number, client names in Latin, Cyrillic and Arabic, lines and
totals; a long invoice breaks across pages with the table header on each; one invoice in each of the
five languages (its labels, dates and total in words), Arabic laid out right to left, and a client's
documents in the client's language whatever the office speaks.
Spans services/documents.py (write_pdf), services/printing.py (what is printed) and pdf/invoice.py."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from crm_desktop import i18n
from crm_desktop.i18n import Message
from crm_desktop.pdf.invoice import visual
from crm_desktop.services import clients, company, documents, invoices
from crm_desktop.services.amount_words import amount_in_words
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.invoices import LineValues

# Labels every catalogue translates already (resources/translations/*.po): a document in another
# language than English must show them in it.
TRANSLATED_LABELS = ("Description", "Unit price", "Subtotal", "Total", "Payment terms")
# The issue day (tests/conftest.py NOW, 24 November 2026) as each language writes it, with the full year
ISSUED_ON = {"en": "24/11/2026", "ru": "24.11.2026", "uz": "24/11/2026", "az": "24.11.2026"}


def pdf_text(path) -> list[str]:
    """What a reader's copy-and-paste gets, compatibility-normalised: Arabic presentation forms become
    the letters they show, a narrow no-break space a space."""
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(str(path)).pages]


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def flat(text: str) -> str:
    """`text` read without its line breaks, and without the bidi marks that do not print."""
    return " ".join(nfkc(text).translate(dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200f"))).split())


def positions(path) -> list[tuple[str, float, float]]:
    """Each piece of text drawn on page 1 (compatibility-normalised) with where it starts: x from the
    page's left side and y from its foot, in points."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            found.append((nfkc(text.strip()), cm[4] + tm[4], cm[5] + tm[5]))

    PdfReader(str(path)).pages[0].extract_text(visitor_text=visit)
    return found


def office(ctx, **values) -> None:
    company.update(ctx, expected_version=company.get(ctx).version, **values)


WEBSITE = [
    LineValues("Website design", 1, "", "1200"),
    LineValues("Hosting", 12, "month", "15", tax_rate="12"),
]


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
        "1,200.00 USD",
        "Tax 12% on 180.00 USD",
        "21.60 USD",
        "1,401.60 USD",
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
    assert nfkc("Total 5,000.00 USD") in pages[-1].replace("\n", "")
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
        ("en", "One thousand four hundred one US dollars and 60 cents"),
        ("ru", "Одна тысяча четыреста один доллар США 60 центов"),
        ("uz", "Bir ming toʻrt yuz bir AQSh dollari 60 sent"),
    ],
)
def test_the_total_in_words_and_the_logo_when_the_office_asks_for_them(ctx, tmp_path, language, words):
    """The office turns the words on; they are written in the document's language (here the office's)."""
    from io import BytesIO

    from PIL import Image

    logo = BytesIO()
    Image.new("RGB", (300, 100), "darkgreen").save(logo, "PNG")
    profile = company.get(ctx)
    company.update(
        ctx,
        expected_version=profile.version,
        logo=logo.getvalue(),
        amount_words_language="en",
        language=language,
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
    assert flat(Message("Amount in words: {words}", words=words).render(language)) in flat(pdf_text(path)[0])
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
    assert "Credited" in text and nfkc("Balance due 1,000.00 USD") in " ".join(text.split())


# The invoice's total as each language writes an amount (no-break spaces group Russian and Uzbek digits).
TOTAL_WRITTEN = {
    "en": "1,401.60 USD",
    "ru": "1\u00a0401,60 USD",
    "uz": "1\u00a0401,60 USD",
    "az": "1.401,60 USD",
    "ar": "1,401.60 USD",
}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_one_invoice_in_each_language_has_its_labels_dates_and_words_in_it(ctx, tmp_path, language):
    office(ctx, name="Ipak Yoʻli Services", amount_words_language="en", language="en")
    doc = issued_for(ctx, "Aziz Karimov", WEBSITE, currency="USD", terms="Payment within 14 days.")
    path = documents.write_pdf(ctx, doc.id, tmp_path / f"{language}.pdf", language=language)
    [page] = pdf_text(path)
    text = flat(page)
    for label in TRANSLATED_LABELS:
        translated = i18n.gettext(label, language)
        assert (translated == label) == (language == "en"), (label, translated)  # the catalogue has it
        assert nfkc(translated) in text, (label, translated)
    if language != "en":
        assert "Subtotal" not in text and "Unit price" not in text  # none of it left in English
    # the title, "Invoice {number}" as the catalogue words it (Arabic reads back beside the number)
    kind = i18n.gettext("Invoice {number}", language).replace("{number}", "").strip()
    assert nfkc(kind) in text and doc.number in text
    words = amount_in_words(doc.total, "USD", language)
    if language == "ar":  # the digits of "60" read back where they are drawn: compare the words, and
        # without their vowel marks (harakat), which the shaping leaves out as reportlab cannot place them
        bare = "".join(c for c in nfkc(words) if unicodedata.category(c) != "Mn")
        assert all(word in text for word in bare.split() if not word.isdigit()), (words, text)
    else:
        assert nfkc(words) in text, (words, text)
        assert ISSUED_ON[language] in text  # the short date of the language, with the full year
    assert nfkc(TOTAL_WRITTEN[language]) in text  # grouped and marked as the language writes numbers


def test_an_arabic_invoice_is_laid_out_right_to_left(ctx, tmp_path):
    office(ctx, name="Ipak Yoʻli Services", language="en")
    doc = issued_for(ctx, "خالد الحسن", WEBSITE, currency="USD")
    found = positions(documents.write_pdf(ctx, doc.id, tmp_path / "ar.pdf", language="ar"))
    [number_y] = {y for piece, _, y in found if piece == i18n.gettext("#", "ar")}
    header = {piece: x for piece, x, y in found if abs(y - number_y) < 1}
    assert header[i18n.gettext("#", "ar")] > header[nfkc(i18n.gettext("Description", "ar"))], header
    assert header[nfkc(i18n.gettext("Description", "ar"))] > header[nfkc(i18n.gettext("Unit price", "ar"))]
    [company_x] = [x for piece, x, _ in found if piece == "Ipak Yoʻli Services"]
    assert company_x > A4[0] / 2  # the company block in the right half of the page
    total = nfkc(i18n.gettext("Total", "ar"))
    [total_y] = [y for piece, _, y in found if piece == total]
    row = {piece: x for piece, x, y in found if abs(y - total_y) < 1}
    amount = nfkc("1,401.60 USD")  # drawn in its own order, left of its label, at the left margin
    assert set(row) == {total, amount} and row[amount] < row[total] and row[amount] < A4[0] / 2, row


def test_a_client_gets_documents_in_their_language_whatever_the_office_speaks(ctx, tmp_path):
    office(ctx, name="Ipak Yoʻli Services", language="en")
    olga = clients.create(ctx, name="Ольга Соколова", language="ru")
    draft = invoices.create_draft(ctx, client_id=olga.id, lines=WEBSITE, currency="USD")
    doc = documents.issue(ctx, draft.id, expected_version=draft.version)
    text = flat(pdf_text(documents.write_pdf(ctx, doc.id, tmp_path / "olga.pdf"))[0])
    total = i18n.gettext("Total", "ru")
    assert total != "Total" and nfkc(total) in text and "Total" not in text, text
    assert nfkc(i18n.gettext("Subtotal", "ru")) in text and "Subtotal" not in text
    assert "24.11.2026" in text
    # a language asked for wins; a client without one gets the office's, and an office without one the app's
    assert documents.document_language(ctx, olga.id) == "ru"
    assert documents.document_language(ctx, olga.id, "ar") == "ar"
    aziz = clients.create(ctx, name="Aziz Karimov")
    assert documents.document_language(ctx, aziz.id) == "en"
    office(ctx, language="uz")
    assert documents.document_language(ctx, aziz.id) == "uz"
    office(ctx, language="")
    i18n.set_language("az")
    assert (
        documents.document_language(ctx, aziz.id) == "az"
        and documents.document_language(ctx, olga.id) == "ru"
    )
    with pytest.raises(ValidationError, match="fr"):
        documents.write_pdf(ctx, doc.id, tmp_path / "fr.pdf", language="fr")
