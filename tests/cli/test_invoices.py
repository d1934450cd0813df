"""`crm-desktop invoices list`: status and client filters, table, CSV and JSON; money in the table
grouped and right-aligned, plain in CSV and JSON. `crm-desktop invoice pdf`, in the language asked for."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta

import pytest

from crm_desktop import i18n
from crm_desktop.db.engine import Database
from crm_desktop.services import clients, documents, invoices, payments
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.invoices import LineValues


def make_invoices(url: str) -> int:
    db = Database.open(url)
    ctx = ServiceContext(db)
    try:
        leyla = clients.create(ctx, name="Leyla Əliyeva").id
        aziz = clients.create(ctx, name="Aziz Karimov").id
        for client, amount, paid, late in (
            (leyla, "500", "200", True),
            (aziz, "120.5", "0", False),
            (aziz, "80", "80", False),
        ):
            today = ctx.today()
            d = invoices.create_draft(
                ctx,
                client_id=client,
                currency="AZN",
                issue_date=today - timedelta(days=40),
                due_date=today - timedelta(days=10) if late else today + timedelta(days=5),
                lines=[LineValues("Work", 1, "", amount)],
            )
            documents.issue(ctx, d.id, expected_version=d.version)
            if paid != "0":
                payments.record_payment(ctx, d.id, amount=paid)
        invoices.create_draft(ctx, client_id=aziz, lines=[LineValues("Later", 1, "", "5")])
        return aziz
    finally:
        db.dispose()


def test_invoices_list_filters_by_status_and_client(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    aziz = make_invoices(sqlite_url)
    code, out, err = run("--database-url", sqlite_url, "invoices", "list", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert sorted(r["status"] for r in rows) == ["draft", "issued", "paid", "partly_paid"]
    code, out, _ = run(
        "--database-url", sqlite_url, "invoices", "list", "--status", "overdue", "--format", "csv"
    )
    lines = out.strip().splitlines()
    assert lines[0] == "number,client,issued,due,total,balance,currency,status"
    assert len(lines) == 2 and ",Leyla Əliyeva," in lines[1] and ",500.00,300.00,AZN,partly_paid" in lines[1]
    code, out, _ = run("--database-url", sqlite_url, "invoices", "list", "--client", str(aziz))
    table = out.strip().splitlines()
    assert table[0].split()[:2] == ["NUMBER", "CLIENT"] and len(table) == 4  # header + 3 of Aziz's
    code, out, _ = run("--database-url", sqlite_url, "invoices", "list", "--status", "cancelled")
    assert out.strip().endswith("(no invoices found)")


def test_the_table_groups_money_right_aligned_and_csv_and_json_keep_it_plain(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    db = Database.open(sqlite_url)
    ctx = ServiceContext(db)
    try:
        client = clients.create(ctx, name="Samarqand Travel").id
        issued = []
        for amount in ("8904000", "75.5"):
            d = invoices.create_draft(
                ctx, client_id=client, currency="UZS", lines=[LineValues("Hotel rooms", 1, "", amount)]
            )
            issued.append(documents.issue(ctx, d.id, expected_version=d.version).id)
        payments.record_payment(ctx, issued[0], amount="904000")
    finally:
        db.dispose()

    code, out, err = run("--database-url", sqlite_url, "invoices", "list")
    assert (code, err) == (0, "")
    header, *rows = out.splitlines()
    [big] = [r for r in rows if "8,904,000.00" in r]
    [small] = [r for r in rows if "75.50" in r]
    for column, large in (("TOTAL", "8,904,000.00"), ("BALANCE", "8,000,000.00")):
        edge = header.index(column) + len(column)  # the column's right edge lines up with its header's
        assert big[:edge].endswith(f" {large}") and small[:edge].endswith(" 75.50"), (column, out)
        assert big[edge] == small[edge] == " "
    assert big.index("UZS") == small.index("UZS") == header.index("CURRENCY")  # other columns: left

    # in Azerbaijani: its headings, its way of writing amounts and days, its word for the status
    _, out, _ = run("--language", "az", "--database-url", sqlite_url, "invoices", "list")
    header, *rows = out.splitlines()
    assert "CƏMİ" in header and "TOTAL" not in header  # Azerbaijani capitals: İ, not I
    [big] = [r for r in rows if "8.904.000,00" in r]
    assert re.search(r"\b\d\d\.\d\d\.\d{4}\b", big) and i18n.gettext("partly paid", "az") in big
    _, out, _ = run("--language", "az", "--database-url", sqlite_url, "invoices", "list", "--format", "csv")
    assert ",8904000.00,8000000.00,UZS,partly_paid" in out and ",75.50,75.50,UZS,issued" in out
    _, out, _ = run("--database-url", sqlite_url, "invoices", "list", "--format", "json")
    assert {(r["total"], r["balance"]) for r in json.loads(out)} == {
        ("8904000.00", "8000000.00"),
        ("75.50", "75.50"),
    }


def test_invoice_pdf_by_number(run, sqlite_url, tmp_path):
    from pypdf import PdfReader

    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    make_invoices(sqlite_url)
    target = tmp_path / "INV.pdf"
    number = f"INV-{datetime.now().astimezone().year}-00001"
    code, out, err = run("--database-url", sqlite_url, "invoice", "pdf", number, "-o", str(target))
    assert (code, err, out.strip()) == (0, "", str(target))
    assert number in PdfReader(str(target)).pages[0].extract_text()
    code, out, err = run("--database-url", sqlite_url, "invoice", "pdf", "INV-1999-00001", "-o", str(target))
    assert code == 1 and "no invoice numbered 'INV-1999-00001'" in err


def read_back(path) -> tuple[str, dict[str, float]]:
    """Page 1's text (compatibility-normalised: Arabic presentation forms as letters) and where each
    piece of it starts, in points from the page's left side."""
    from pypdf import PdfReader

    starts: dict[str, float] = {}

    def visit(text, cm, tm, font, size) -> None:
        starts.setdefault(unicodedata.normalize("NFKC", text.strip()), cm[4] + tm[4])

    text = PdfReader(str(path)).pages[0].extract_text(visitor_text=visit)
    return unicodedata.normalize("NFKC", text), starts


def test_invoice_pdf_in_the_language_asked_for(run, sqlite_url, tmp_path, capsys):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    make_invoices(sqlite_url)
    number = f"INV-{datetime.now().astimezone().year}-00001"
    for language in ("en", "ar"):
        target = tmp_path / f"{language}.pdf"
        args = ("invoice", "pdf", number, "-o", str(target), "--language", language)
        code, out, err = run("--database-url", sqlite_url, *args)
        assert (code, err, out.strip()) == (0, "", str(target))  # the command itself still speaks English
        text, starts = read_back(target)
        for label in ("Total", "Subtotal", "Description"):
            assert unicodedata.normalize("NFKC", i18n.gettext(label, language)) in text, (language, label)
        assert ("Subtotal" in text) == (language == "en")
        # the lines table's "#" column is right of the description in Arabic, left of it in English
        description = unicodedata.normalize("NFKC", i18n.gettext("Description", language))
        number_column = unicodedata.normalize("NFKC", i18n.gettext("#", language))
        assert (starts[number_column] > starts[description]) == (language == "ar"), starts
    with pytest.raises(SystemExit) as stop:
        run("--database-url", sqlite_url, "invoice", "pdf", number, "-o", str(target), "--language", "fr")
    assert stop.value.code == 2 and "invalid choice: 'fr'" in capsys.readouterr().err
