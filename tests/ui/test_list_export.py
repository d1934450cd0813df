"""Export… of the lists: the deals and invoices as shown (filters, sort, only the columns shown, in their
order) into a workbook, the calendar's open tasks into an .ics file, clients as contacts; and no export
button for whoever lacks the export right."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from python_calamine import CalamineWorkbook

from crm_desktop.services import clients, deals, tasks
from crm_desktop.ui import list_export


def _cells(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_the_deals_list_is_exported_with_its_filter_and_the_columns_shown(
    qtbot, open_window, sqlite_ctx, tmp_path
):
    client = clients.create(sqlite_ctx, name="Aziz Karimov")
    deals.create(sqlite_ctx, client_id=client.id, title="Website", amount="1500")
    deals.create(sqlite_ctx, client_id=client.id, title="Logo", amount="300")
    window = open_window()
    view = window.deals_view
    view.list_button.click()
    view.search.setText("Website")
    qtbot.waitUntil(lambda: view.model.total == 1, timeout=10_000)
    header = view.table.horizontalHeader()
    hidden = view.model.columns[header.count() - 1].title
    view.table.setColumnHidden(header.count() - 1, True)
    target = tmp_path / "deals.xlsx"
    job = list_export.export_to(view, view.ops, view.model, view.table, "deals", target, lambda said: None)
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    rows = _cells(target)
    assert rows[0] == [c.title for c in list_export.shown_columns(view.model, view.table)]
    assert hidden not in rows[0] and len(rows) == 2 and "Website" in rows[1]


def test_the_invoices_export_offers_the_list_and_the_pdfs(open_window):
    view = open_window().invoices_view
    menu = view.export_button.menu()
    assert [a.text() for a in menu.actions()] == ["The list as a table (Excel, CSV)…", "PDFs to a folder…"]


def test_the_calendar_exports_the_open_tasks_of_whoever_is_shown(qtbot, open_window, sqlite_ctx, tmp_path):
    due = sqlite_ctx.now() + timedelta(days=1)
    tasks.create(sqlite_ctx, title="Call back", due_at=due)
    done = tasks.create(sqlite_ctx, title="Sent the quote", due_at=due)
    tasks.complete(sqlite_ctx, done.id, expected_version=done.version)
    view = open_window().calendar_view
    target = tmp_path / "tasks.ics"
    job = view.export_to(target)
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert [str(e["summary"]) for e in Calendar.from_ical(target.read_bytes()).walk("VEVENT")] == [
        "Call back"
    ]


def test_clients_are_exported_as_contacts_from_the_clients_list(qtbot, open_window, sqlite_ctx, tmp_path):
    clients.create(sqlite_ctx, name="Ёлкин Дмитрий", phones=["+79161234567"])
    view = open_window().clients_view
    target = tmp_path / "clients.vcf"
    view.export_to(target)
    qtbot.waitUntil(lambda: view.summary.text().startswith("1 client exported"), timeout=10_000)
    assert "FN:Ёлкин Дмитрий" in target.read_text(encoding="utf-8")


def test_a_file_name_without_a_suffix_gets_the_one_of_the_kind_chosen(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    qtbot.addWidget(widget)
    monkeypatch.setattr(
        list_export.QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(tmp_path / "report"), "CSV, for any spreadsheet (*.csv)"),
    )
    assert list_export.choose_file(widget, "Export", "x.xlsx", "…") == tmp_path / "report.csv"
