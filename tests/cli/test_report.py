"""`crm-desktop report list|NAME`: the reports named; one printed as a table with its totals per currency,
as JSON for a script (exact amounts), for one person; an unknown name or a bad period said in one line."""

from __future__ import annotations

import json

from crm_desktop.db.engine import Database
from crm_desktop.services import clients, company, documents, invoices, users
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.invoices import LineValues


def _office(sqlite_url) -> None:
    db = Database.open(sqlite_url)
    try:
        ctx = ServiceContext(db)
        company.update(ctx, expected_version=company.get(ctx).version, name="Office")
        dilnoza = users.create(ctx, username="dilnoza", display_name="Dilnoza")
        for name, owner, currency, price in (
            ("Aziz Karimov", dilnoza.id, "USD", "120.50"),
            ("Leyla Əliyeva", None, "UZS", "1500000"),
        ):
            client = clients.create(ctx, name=name, owner_id=owner)
            d = invoices.create_draft(
                ctx, client_id=client.id, currency=currency, lines=[LineValues("Work", 1, "", price)]
            )
            documents.issue(ctx, d.id, expected_version=d.version)
    finally:
        db.dispose()


def test_reports_are_listed_and_printed_with_totals_per_currency(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    _office(sqlite_url)
    code, out, _ = run("--database-url", sqlite_url, "report", "list")
    assert code == 0 and "revenue_by_client" in out and "Sales funnel" in out

    code, out, err = run("--database-url", sqlite_url, "report", "revenue_by_client")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Revenue by client" and "Aziz Karimov" in out
    totals = [line for line in lines if line.startswith("Total")]
    assert len(totals) == 2 and "120.50" in totals[0] and "1,500,000.00" in totals[1]  # never added up
    assert "totalled apart" in out

    code, out, _ = run(
        "--database-url", sqlite_url, "report", "revenue_by_client", "--user", "dilnoza", "--format", "json"
    )
    printed = json.loads(out)
    assert [(r["client"], r["revenue"], r["currency"]) for r in printed["rows"]] == [
        ("Aziz Karimov", "120.5", "USD")
    ]


def test_an_unknown_report_or_a_period_backwards_is_said_in_one_line(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    code, _, err = run("--database-url", sqlite_url, "report", "revenu")
    assert code == 1 and "report list" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(
        "--database-url", sqlite_url, "report", "payments", "--from", "2026-12-01", "--to", "2026-11-01"
    )
    assert code == 1 and "ends before it starts" in err
