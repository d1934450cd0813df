"""The dashboard opens first with every tile's figure; a tile opens the list or report behind it for the same
period and person; the charts are drawn and saved as a picture; a save recounts only the figures it
changes; a staff member's dashboard counts their own figures only; the reports page sorts, filters (its
totals follow), exports and audits; plans are set from Settings → Plans. Spans ui/dashboard/view.py,
tiles.py, period_bar.py, charts.py, ui/reports/view.py, model.py, printout.py and ui/plans_dialog.py."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QSettings, Qt
from sqlalchemy import select

from crm_desktop.db.models import AuditEntry
from crm_desktop.services import clients, deals, documents, invoices, tasks, users
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.invoices import OWING, LineValues
from crm_desktop.ui.dashboard.view import DashboardView
from crm_desktop.ui.ops import Ops


def office(ctx, clock):
    dilnoza = users.create(ctx, username="dilnoza", display_name="Dilnoza", can_export=False)
    mine = clients.create(ctx, name="Aziz Karimov", owner_id=dilnoza.id)
    other = clients.create(ctx, name="Leyla Əliyeva")
    deal = deals.create(
        ctx, client_id=mine.id, title="Site", amount="1000", currency="USD", owner_id=dilnoza.id
    )
    deals.move_stage(ctx, deal.id, 5, expected_version=deal.version)  # won
    deals.create(ctx, client_id=other.id, title="Audit", amount="400", currency="USD")
    for client, price in ((mine, "300"), (other, "200")):
        d = invoices.create_draft(
            ctx, client_id=client.id, currency="USD", lines=[LineValues("Work", 1, "", price)]
        )
        documents.issue(ctx, d.id, expected_version=d.version)
    tasks.create(ctx, title="Call back", due_at=clock.current - timedelta(hours=3), assignee_id=dilnoza.id)
    tasks.create(ctx, title="Send the offer", due_at=clock.current - timedelta(hours=1))
    return dilnoza


def figure(window, key) -> str:
    return window.dashboard_view.tiles[key].figure.text()


def test_the_dashboard_opens_first_and_each_tile_opens_what_it_counts(open_window, sqlite_ctx, clock, qtbot):
    office(sqlite_ctx, clock)
    window = open_window()
    assert window.current_key() == "dashboard"
    assert figure(window, "won") == "1" and figure(window, "overdue") == "2"
    assert figure(window, "receivables") == "500.00 USD"
    assert figure(window, "revenue") == "500.00 USD"
    assert window.dashboard_view.tiles["conversion"].detail.text() == "1 won · 0 lost"

    qtbot.mouseClick(window.dashboard_view.tiles["receivables"], Qt.MouseButton.LeftButton)
    assert window.current_key() == "invoices" and window.invoices_view.status.currentData() == OWING
    qtbot.waitUntil(lambda: window.invoices_view.model.rowCount() == 2)

    window.show_page("dashboard")
    qtbot.mouseClick(window.dashboard_view.tiles["won"], Qt.MouseButton.LeftButton)
    assert window.current_key() == "deals" and window.deals_view.outcome.currentData() == "won"
    qtbot.waitUntil(
        lambda: (
            [window.deals_view.model.index(r, 0).data() for r in range(window.deals_view.model.rowCount())]
            == ["Site"]
        )
    )

    window.show_page("dashboard")
    window.dashboard_view.tiles["revenue"].setFocus()
    qtbot.keyClick(window.dashboard_view.tiles["revenue"], Qt.Key.Key_Return)  # the keyboard opens it too
    reports_view = window.reports_view
    assert window.current_key() == "reports" and reports_view.name() == "revenue_by_month"
    qtbot.waitUntil(lambda: reports_view.ready and reports_view.table is not None)
    assert reports_view.query == window.dashboard_view.shown_query  # the same period and people
    assert reports_view.model.index(0, 4).data() == "500.00"  # revenue of the month (its currency beside it)

    window.show_page("dashboard")
    qtbot.mouseClick(window.dashboard_view.tiles["overdue"], Qt.MouseButton.LeftButton)
    assert window.current_key() == "tasks" and window.calendar_view.mode == "agenda"


def test_the_charts_are_drawn_and_one_is_saved_as_a_picture(open_window, sqlite_ctx, clock, qtbot, tmp_path):
    office(sqlite_ctx, clock)
    window = open_window()
    view = window.dashboard_view
    qtbot.waitUntil(lambda: view.charts_ready)
    funnel = view.charts.boxes["funnel"].view.chart()
    reached = funnel.series()[0].barSets()[0]
    assert reached.at(reached.count() - 1) == 2  # both deals reached "New" (the top bar: the last drawn)
    revenue = view.charts.boxes["revenue_by_month"].view.chart()
    assert revenue.series()[0].barSets()[0].count() == 12  # twelve months, those with nothing too
    path = tmp_path / "funnel.png"
    view.charts.boxes["funnel"].save_to(path)
    qtbot.waitUntil(path.exists)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with sqlite_ctx.read() as s:
        assert s.scalar(select(AuditEntry.changes).where(AuditEntry.entity == "report"))["format"] == "png"


def test_a_save_recounts_only_the_figures_it_changes(open_window, sqlite_ctx, clock, qtbot):
    office(sqlite_ctx, clock)
    window = open_window()
    view = window.dashboard_view
    asked = dict(view._asked)
    with qtbot.waitSignal(view.figures_shown):
        window.ops.write(tasks.create, title="One more", due_at=clock.current - timedelta(hours=2))
    assert figure(window, "overdue") == "3"
    changed = {key for key, generation in view._asked.items() if generation != asked[key]}
    assert changed == {"overdue_tasks", "team_load"}  # not the revenue, the deals, the receivables…


def test_a_staff_members_dashboard_counts_their_own_figures(qtbot, sqlite_ctx, clock, tmp_path):
    dilnoza = office(sqlite_ctx, clock)
    ctx = ServiceContext(
        sqlite_ctx.db, actor=Actor(dilnoza.id, "dilnoza", "staff", can_export=False), clock=clock
    )
    ops = Ops(ctx, report_bug=lambda exc: (_ for _ in ()).throw(exc))
    view = DashboardView(ops, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(view)
    view.show()
    view.start()
    qtbot.waitUntil(lambda: view.ready)
    assert view.tiles["receivables"].figure.text() == "300.00 USD"  # her client's invoice only
    assert view.tiles["overdue"].figure.text() == "1"
    assert not view.bar.whose.isVisible()  # nobody else's figures to choose
    qtbot.waitUntil(lambda: view.charts_ready)
    assert not view.charts.boxes["funnel"].save.isVisible()  # no export right, no picture of the figures
    ops.wait_idle()


def test_the_reports_page_sorts_filters_totals_and_exports(open_window, sqlite_ctx, clock, qtbot, tmp_path):
    office(sqlite_ctx, clock)
    window = open_window()
    window.show_page("reports")
    view = window.reports_view
    view._select("revenue_by_client")
    view.generate()
    qtbot.waitUntil(lambda: view.ready and view.table is not None and view.table.name == "revenue_by_client")
    model = view.model

    def column(c: int) -> list[str]:
        return [model.index(r, c).data() for r in range(model.rowCount())]

    assert column(0) == ["Aziz Karimov", "Leyla Əliyeva", "Total"]
    view.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert column(0) == ["Leyla Əliyeva", "Aziz Karimov", "Total"]  # the total stays last
    view.filter.setText("leyla")
    assert column(0) == ["Leyla Əliyeva", "Total"] and column(4) == ["200.00", "200.00"]
    for suffix in ("csv", "xlsx", "pdf"):
        path = tmp_path / f"report.{suffix}"
        view.export_to(path)
        qtbot.waitUntil(path.exists)
    assert "Leyla" in (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert "Aziz" not in (tmp_path / "report.csv").read_text(encoding="utf-8-sig")  # as shown: filtered
    from pypdf import PdfReader

    assert "Leyla" in PdfReader(str(tmp_path / "report.pdf")).pages[0].extract_text()
    with sqlite_ctx.read() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.entity == "report"))]
    assert actions.count("generate") >= 1 and actions.count("export") == 3


def test_plans_are_set_from_settings_and_shown_against_what_was_reached(
    open_window, sqlite_ctx, clock, qtbot
):
    office(sqlite_ctx, clock)
    window = open_window()
    dialog = window.edit_plans()
    qtbot.waitUntil(lambda: dialog.people != [])
    dialog.edit(new=True)
    form = dialog.form
    form.figure.setCurrentIndex(form.figure.findData("revenue"))
    form.currency.setCurrentIndex(form.currency.findData("USD"))
    form.target.setText("0")
    form.save()
    qtbot.waitUntil(lambda: form.problem.isVisible())
    assert "above zero" in form.problem.text() and form.target.text() == "0"  # kept to correct
    form.target.setText("1000")
    with qtbot.waitSignal(form.accepted):
        form.save()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    cells = [dialog.table.item(0, c).text() for c in range(5)]
    assert cells == ["The office", "Revenue", "1,000.00 USD", "500.00 USD", "50.0 %"]
    window.show_page("dashboard")
    qtbot.waitUntil(
        lambda: "Plan 1,000.00 USD: 50.0 % reached" in window.dashboard_view.tiles["revenue"].detail.text()
    )
