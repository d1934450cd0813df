"""Importing the messy files of tests/data/ as offices bring them: what each row becomes, what the
preview says before anything is written, duplicates in the file and in the database, all or nothing,
the same file twice, and the summary, timeline and audit log."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_desktop.db.models import Activity, AuditEntry, Client, Deal, Document, Task
from crm_desktop.services import activities, clients, import_fields, importing, invoices, sheets
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.progress import Cancelled, Progress

DATA = Path(__file__).resolve().parents[1] / "data"


def preview_of(ctx, name: str, kind: str = "clients", **options) -> importing.Preview:
    sheet = sheets.read(DATA / name)
    return importing.preview(ctx, sheet, import_fields.guess(kind, sheet.headers), **options)


def by_name(ctx) -> dict[str, clients.ClientDetail]:
    ids = clients.list_ids(ctx, clients.ClientFilter(), limit=None)
    return {c.name: c for c in clients.details(ctx, ids)}


def deals_by_title(ctx) -> dict[str, Deal]:
    with ctx.read() as s:
        found = {d.title: d for d in s.scalars(select(Deal))}
        s.expunge_all()  # read after the session: what was loaded stays
    return found


def counts(ctx) -> dict[str, int]:
    with ctx.read() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Client, Deal, Task, Document, Activity, AuditEntry)
        }


def test_an_excel_csv_imports_every_script_merges_the_same_people_and_skips_what_is_wrong(ctx):
    p = preview_of(ctx, "clients_excel_bom.csv", region="UZ")
    assert p.sheet.encoding == "utf-8-sig" and p.sheet.delimiter == ","
    bad = next(r for r in p.rows if r.values.get("name") == "No Phone")
    assert [(x.line, x.column, x.value) for x in bad.problems] == [
        (11, "Phone", "12-ab"),
        (11, "E-mail", "not-an-email"),
    ]
    assert bad.action == importing.SKIP and bad.choices == (importing.SKIP,)

    summary = importing.run(ctx, p)

    assert (summary.count("imported"), summary.count("merged"), summary.count("skipped")) == (6, 2, 1)
    found = by_name(ctx)
    vali = found["Aliyev Vali"]  # "VALI ALIYEV" (same phone) and "Vali Əliyev" (same email) are him
    assert "VALI ALIYEV" not in found and "Vali Əliyev" not in found
    assert vali.phones == ["+998901234567"] and vali.emails == ["vali@example.com"]
    assert vali.tags == ["repeat", "vip", "wholesale"]
    assert vali.address == "Toshkent,\nChilonzor 7"  # the line break inside the quoted cell kept
    assert vali.notes == "Second branch's sheet"  # an empty field filled by the second sheet
    assert found["Иванова Мария"].phones == ["+79123456789"]
    assert found["محمد الأحمد"].phones == ["+998912345678"]  # Arabic-Indic digits
    assert found['=HYPERLINK("http://example.com")'].emails == ["formula@example.com"]  # stored as written
    assert len(found["Karimov Bekzod"].notes) == 100_000
    assert "Karimov Bekzood" in found  # only a similar name: imported as new unless the user merges


def test_a_similar_name_is_shown_as_perhaps_the_same_and_can_be_merged(ctx):
    p = preview_of(ctx, "clients_excel_bom.csv", region="UZ")
    typo = next(r for r in p.rows if r.values.get("name") == "Karimov Bekzood")
    assert typo.duplicate is not None and not typo.duplicate.sure
    assert typo.duplicate.name == "Karimov Bekzod" and typo.action == importing.NEW
    p.choose(typo.index, importing.MERGE)

    importing.run(ctx, p)

    found = by_name(ctx)
    assert "Karimov Bekzood" not in found and len(found["Karimov Bekzod"].notes) == 100_000


def test_the_same_file_imported_twice_creates_nothing_new(ctx):
    importing.run(ctx, preview_of(ctx, "clients_excel_bom.csv", region="UZ"))
    before = counts(ctx)

    again = importing.run(ctx, preview_of(ctx, "clients_excel_bom.csv", region="UZ"))

    assert again.count("imported") == 0 and again.count("merged") == 0
    assert again.count("unchanged") == 8 and again.count("skipped") == 1
    after = counts(ctx)
    assert after["clients"] == before["clients"] and after["activities"] == before["activities"]


def test_cp1251_with_semicolons_reads_russian_and_status_words(ctx):
    p = preview_of(ctx, "clients_cp1251.csv", region="RU")
    assert p.sheet.encoding == "cp1251" and p.sheet.delimiter == ";"
    assert [r.line for r in p.rows] == [2, 3, 5]  # the blank line 4 is no row
    importing.run(ctx, p)
    found = by_name(ctx)
    assert found["Петров Пётр"].status == "customer" and found["Петров Пётр"].phones == ["+79123456780"]
    assert found["Сидорова Анна"].status == "lead" and found["Ёлкин Семён"].source == "Сайт"


def test_excel_unicode_text_with_tabs_and_uzbek_headers(ctx):
    p = preview_of(ctx, "clients_utf16.txt", region="UZ")
    assert p.sheet.encoding == "utf-16" and p.sheet.delimiter == "\t"
    importing.run(ctx, p)
    assert by_name(ctx)["Oʻgʻiloy Rahimova"].address == "Samarqand"


def test_phone_numbers_without_a_code_are_read_as_the_offices_country(ctx):
    as_uzbek = preview_of(ctx, "clients_cp1251.csv", region="UZ")
    petrov = next(r for r in as_uzbek.rows if r.line == 2)
    assert [x.column for x in petrov.problems] == ["Телефон"]  # 8 912… is no Uzbek number
    assert "+998" in petrov.problems[0].said.render()


def test_amounts_with_a_decimal_comma_and_spaced_thousands_are_exact(ctx):
    p = preview_of(ctx, "deals_cp1251.csv", "deals", region="RU")
    assert [n.said.render() for n in p.notes] == [
        "'Сумма': decimal comma",
        "'Дата закрытия': dates read as day.month.year",
    ]
    importing.run(ctx, p)
    found = deals_by_title(ctx)
    assert found["Сайт под ключ"].amount == Decimal("1234567.50")
    assert found["Сайт под ключ"].expected_close == date(2027, 3, 25)
    assert found["Аудит"].amount == Decimal("950.5")
    petrov = by_name(ctx)["Петров Пётр"]  # made once for both of his deals
    assert found["Поддержка"].client_id == found["Сайт под ключ"].client_id == petrov.id
    assert by_name(ctx)["Новый Клиент"].status == "prospect"  # a new client with a deal


def test_a_workbook_with_a_title_merged_header_cells_and_excel_date_serials(ctx):
    p = preview_of(ctx, "deals_merged_header.xlsx", "deals", region="UZ")
    assert p.sheet.headers == [
        "Mijoz",
        "Aloqa: Telefon",
        "Aloqa: E-mail",
        "Bitim",
        "Summa",
        "Yopilish sanasi",
    ]
    assert [r.line for r in p.rows] == [4, 5]  # the sheet's own row numbers
    importing.run(ctx, p)
    found = deals_by_title(ctx)
    assert found["Veb-sayt"].expected_close == date(2027, 3, 25)  # a date cell
    assert found["Logotip"].expected_close == date(2027, 6, 30)  # the serial 46568
    assert found["Logotip"].amount == Decimal("2500000.5")
    assert by_name(ctx)["Oʻgʻiloy Rahimova"].phones == ["+998935551234"]


def test_percentages_written_with_a_sign_or_as_fractions_are_never_off_by_a_hundred(ctx):
    p = preview_of(ctx, "invoices_percent.csv", "invoices", region="RU")
    assert "'Скидка': fractions read as percentages (0.15 is 15 %)" in [n.said.render() for n in p.notes]
    importing.run(ctx, p)
    with ctx.read() as s:
        drafts = list(s.execute(select(Document.id, Document.status, Document.number).order_by(Document.id)))
    assert len(drafts) == 2 and all(d.status == "draft" and d.number is None for d in drafts)
    first = invoices.get(ctx, drafts[0].id)
    assert [(line.description, line.tax_rate, line.discount_percent) for line in first.lines] == [
        ("Разработка", Decimal("15"), Decimal("5")),
        ("Хостинг", Decimal("15"), Decimal("0")),
    ]
    assert "2024-015" in first.notes and first.issue_date == date(2027, 2, 5)
    second = invoices.get(ctx, drafts[1].id)
    assert second.lines[0].discount_percent == Decimal("10") and second.lines[0].unit_price == Decimal(
        "250.5"
    )
    again = importing.run(ctx, preview_of(ctx, "invoices_percent.csv", "invoices", region="RU"))
    assert again.count("imported") == 0 and counts(ctx)["documents"] == 2


def test_dates_that_could_be_day_or_month_first_are_asked_not_guessed(ctx):
    p = preview_of(ctx, "tasks_ambiguous_dates.csv", "tasks")
    assert [(q.header, q.choices) for q in p.questions] == [("Due", ("dmy", "mdy", "ymd"))]
    with pytest.raises(ValidationError, match="Due"):
        importing.run(ctx, p)
    assert counts(ctx)["tasks"] == 0

    answered = preview_of(ctx, "tasks_ambiguous_dates.csv", "tasks", date_orders={1: "dmy"})
    importing.run(ctx, answered)
    with ctx.read() as s:
        due = s.scalar(select(Task.due_at).where(Task.title == "Call back"))
    assert due == datetime(2027, 4, 3, 10, 30, tzinfo=ctx.zone()).astimezone(UTC)


def test_a_twenty_fifth_decides_the_order_of_a_whole_column(ctx):
    p = preview_of(ctx, "tasks_month_first.csv", "tasks")
    assert not p.questions
    assert p.rows[0].values["due_at"] == datetime(2027, 3, 4, 10, 30)


def test_a_cell_fixed_in_the_preview_is_read_again(ctx):
    p = preview_of(ctx, "clients_excel_bom.csv", region="UZ")
    bad = next(r for r in p.rows if r.values.get("name") == "No Phone")
    phone_column = p.sheet.headers.index("Phone")
    still = p.fix(bad.index, phone_column, "93 111 22 33")
    assert [x.column for x in still.problems] == ["E-mail"] and still.action == importing.SKIP
    fixed = p.fix(bad.index, p.sheet.headers.index("E-mail"), "")
    assert not fixed.problems and fixed.action == importing.NEW
    importing.run(ctx, p)
    assert by_name(ctx)["No Phone"].phones == ["+998931112233"]


def test_a_cancelled_import_leaves_the_database_as_it_was(ctx):
    importing.run(ctx, preview_of(ctx, "clients_utf16.txt", region="UZ"))
    before = counts(ctx)
    p = preview_of(ctx, "clients_excel_bom.csv", region="UZ")
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        importing.run(ctx, p, progress=progress)
    assert counts(ctx) == before


def test_a_row_the_database_refuses_stops_the_whole_import_naming_its_line(ctx, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("Client,Deal,Amount,Currency\nA,One,10,USD\nB,Two,1.005,USD\n", encoding="utf-8")
    sheet = sheets.read(path)
    p = importing.preview(ctx, sheet, import_fields.guess("deals", sheet.headers))
    with pytest.raises(ValidationError, match="Line 3"):  # USD has cents: 1.005 does not fit
        importing.run(ctx, p)
    assert counts(ctx)["deals"] == 0 and counts(ctx)["clients"] == 0


def test_the_import_is_on_each_timeline_and_in_the_audit_log(ctx):
    importing.run(ctx, preview_of(ctx, "clients_utf16.txt", region="UZ"))
    client = by_name(ctx)["Oʻgʻiloy Rahimova"]
    entries = activities.timeline(ctx, client.id)
    assert [e.text() for e in entries] == ["Imported from clients_utf16.txt (line 2)"]
    with ctx.read() as s:
        actions = {
            (entity, action): details
            for entity, action, details in s.execute(
                select(AuditEntry.entity, AuditEntry.action, AuditEntry.changes)
            )
        }
    assert actions[("imports", "import")] == {
        "kind": "clients",
        "file": "clients_utf16.txt",
        "imported": 2,
        "merged": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    assert ("clients", "create") in actions


def test_the_summary_is_a_csv_beside_the_file(ctx, tmp_path):
    source = tmp_path / "clients.csv"
    source.write_bytes((DATA / "clients_excel_bom.csv").read_bytes())
    sheet = sheets.read(source)
    summary = importing.run(
        ctx, importing.preview(ctx, sheet, import_fields.guess("clients", sheet.headers), region="UZ")
    )
    path = importing.write_summary(summary, importing.summary_path(source, datetime(2027, 1, 2, 9, 5)))
    assert path == tmp_path / "clients - import 2027-01-02 0905.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Line", "Result", "Id", "Name", "Why"]
    assert rows[2][:2] == ["4", "merged"]
    skipped = next(r for r in rows if r[3] == "No Phone")
    assert skipped[1] == "skipped" and "12-ab" in skipped[4]
    formula = next(r for r in rows if "HYPERLINK" in r[3])
    assert formula[3].startswith("'=")  # neutralised: a spreadsheet shows it, does not run it


def test_a_mapping_without_the_name_is_refused_before_reading_the_rows(ctx):
    sheet = sheets.read(DATA / "clients_utf16.txt")
    with pytest.raises(ValidationError, match="Name"):
        importing.preview(ctx, sheet, import_fields.Mapping("clients", {1: "phones"}))


def test_first_and_last_name_columns_make_the_name(ctx, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Имя;Фамилия;Телефон\nИван;Петров;+7 912 345 67 81\n", encoding="utf-8")
    sheet = sheets.read(path)
    mapping = import_fields.guess("clients", sheet.headers)
    importing.run(ctx, importing.preview(ctx, sheet, mapping))
    assert "Иван Петров" in by_name(ctx)


def test_a_client_someone_may_not_see_is_not_offered_to_merge_into(ctx, staff):
    rashad = staff["rashad"]
    clients.create(rashad, name="Hidden Person", phones=["+998 93 555 12 34"], private=True)
    sheet = sheets.read(DATA / "clients_utf16.txt")
    p = importing.preview(staff["dilnoza"], sheet, import_fields.guess("clients", sheet.headers), region="UZ")
    assert [r.duplicate for r in p.rows] == [None, None]  # her name is not shown to Dilnoza either


def test_an_imported_clients_audit_row_says_what_a_saved_clients_does(sqlite_ctx, tmp_path, monkeypatch):
    from crm_desktop.services import context

    ctx = sqlite_ctx
    monkeypatch.setattr(context, "_MANY", 1)  # SQLite writes the audit rows of even one imported client
    path = tmp_path / "one.csv"
    path.write_text("Name,Phone,Tags,Address\nAziz Karimov,+998 90 123 45 67,vip,\n", encoding="utf-8")
    sheet = sheets.read(path)
    summary = importing.run(
        ctx, importing.preview(ctx, sheet, import_fields.guess("clients", sheet.headers), region="UZ")
    )
    saved = clients.create(ctx, name="Aziz Karimov", phones=["+998901234567"], tags=["vip"])
    with ctx.read() as s:
        logged = s.execute(
            select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.changes).where(
                AuditEntry.entity == "clients"
            )
        ).all()
    imported = summary.outcomes[0].record_id
    assert imported is not None and imported != saved.id

    def of(client_id: int) -> list:
        return [
            (action, {k: v for k, v in changes.items() if k != "id"})
            for i, action, changes in logged
            if i == client_id
        ]

    assert of(imported) == of(saved.id)
    assert of(saved.id)[0][1]["phones"] == [None, ["+998901234567"]] and "address" not in of(saved.id)[0][1]
