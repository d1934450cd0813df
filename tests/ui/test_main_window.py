"""The main window on a real migrated database: lists, search, navigation, status bar, remembered state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop import __version__
from crm_desktop.services import clients, company, deals, invoices, tasks
from crm_desktop.services.invoices import LineValues
from tests.ui.conftest import texts


def make_office(ctx) -> dict[str, int]:
    ids = {
        name: clients.create(ctx, name=name, phones=[phone], emails=[email]).id
        for name, phone, email in (
            ("Zarina Rahimova", "+998 90 123 45 67", "zarina@mail.uz"),
            ("Aziz Karimov", "+998 91 765 44 33", "aziz@mail.uz"),
            ("Leyla Əliyeva", "+994 50 222 33 44", "leyla@mail.az"),
        )
    }
    deals.create(
        ctx,
        client_id=ids["Aziz Karimov"],
        title="Office cleaning contract",
        amount="1500000.5",
        currency="UZS",
        expected_close=date(2026, 12, 15),
    )
    now = ctx.now()
    tasks.create(
        ctx,
        title="Call back about the offer",
        due_at=now - timedelta(hours=3),
        client_id=ids["Zarina Rahimova"],
    )
    tasks.create(
        ctx, title="Send the contract", due_at=now + timedelta(days=1), client_id=ids["Aziz Karimov"]
    )
    invoices.create_draft(
        ctx,
        client_id=ids["Leyla Əliyeva"],
        currency="AZN",
        lines=[LineValues("Consultation", quantity=2, unit_price="125.50")],
    )
    return ids


def test_opens_on_the_database_and_lists_its_clients_by_name(open_window, sqlite_ctx):
    make_office(sqlite_ctx)
    window = open_window()
    assert window.current_key() == "dashboard"  # the first view, whatever was shown last
    assert texts(window, "clients") == ["Aziz Karimov", "Leyla Əliyeva", "Zarina Rahimova"]
    model = window.pages["clients"].model
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers[:4] == ["Name", "Status", "Phones", "Emails"] and "Owner" in headers
    row = texts(window, "clients", 0).index("Zarina Rahimova")
    # Phones and emails carry a left-to-right mark so an Arabic (right-to-left) window keeps them as written.
    # embedded left to right, so that an Arabic window keeps their order
    assert model.index(row, 2).data() == "\u202a+998 90 123 45 67\u202c"
    assert model.index(row, 3).data() == "\u202azarina@mail.uz\u202c"
    assert model.index(row, 2).data(Qt.ItemDataRole.ToolTipRole) == "+998 90 123 45 67"
    assert model.index(row, headers.index("Owner")).data() == "Owner"  # the seeded user's display name
    assert window.pages["clients"].summary.text() == "3 in all"


def test_typing_in_the_search_field_narrows_the_list(open_window, sqlite_ctx, qtbot):
    make_office(sqlite_ctx)
    window = open_window()
    page = window.pages["clients"]
    qtbot.keyClicks(page.search, "zari")
    qtbot.waitUntil(lambda: texts(window, "clients") == ["Zarina Rahimova"])
    assert page.summary.text() == "1 found"
    page.search.clear()
    qtbot.keyClicks(page.search, "76544")  # phone digits find a client too
    qtbot.waitUntil(lambda: texts(window, "clients") == ["Aziz Karimov"])
    page.search.setText("nobody-like-this")
    qtbot.waitUntil(lambda: texts(window, "clients") == [])
    assert page.summary.text() == "No client matches."


def test_ctrl_digits_switch_pages_and_each_page_shows_its_records(open_window, sqlite_ctx, qtbot):
    make_office(sqlite_ctx)
    window = open_window(all_pages=False)
    assert [key for key in window.pages if window.is_built(key)] == [
        "dashboard"
    ]  # a start makes its page only
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "deals"
    assert window.nav.currentRow() == 2
    assert window.current_page() is window.deals_view
    qtbot.waitUntil(lambda: window.ready)  # made when first shown, it loads its data then
    deal = [window.pages["deals"].model.index(0, c).data() for c in range(6)]
    assert deal == [
        "Office cleaning contract",
        "Aziz Karimov",
        "New",
        "1,500,000.50 UZS",
        "2026-12-15",
        "Open",
    ]
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "tasks"
    qtbot.waitUntil(lambda: window.ready)
    assert "Send the contract" in [task.title for task in window.calendar_view.rows]
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "invoices"
    qtbot.waitUntil(lambda: window.ready)
    invoice = window.pages["invoices"].model
    assert invoice.index(0, 0).data() == "Draft #1"  # a draft has no number until it is issued
    assert invoice.index(0, 1).data() == "Leyla Əliyeva"
    assert invoice.index(0, 4).data() == "251.00 AZN"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "clients"
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.deals_view and window.stack.count() == 5  # made once, kept
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "dashboard"


def test_navigation_shows_counts_and_follows_changes(open_window, sqlite_ctx, qtbot):
    make_office(sqlite_ctx)
    window = open_window()
    labels = [window.nav.item(i).text() for i in range(1, 5)]
    assert labels == [
        "Clients  3",
        "Deals  1 open",
        "Tasks  2  (1 overdue)",
        "Invoices  0 unpaid",
    ]  # a draft is not owed
    window.show_page("clients")  # (a page refreshes while it is seen)
    window.ops.write(clients.create, name="Nodira Yusupova")
    qtbot.waitUntil(lambda: window.nav.item(1).text() == "Clients  4")
    qtbot.waitUntil(lambda: "Nodira Yusupova" in texts(window, "clients"))  # each refreshes on its own


def test_a_saved_change_refreshes_the_list_and_keeps_the_selected_row(open_window, sqlite_ctx, qtbot):
    ids = make_office(sqlite_ctx)
    window = open_window()
    window.show_page("clients")
    page = window.pages["clients"]
    page.table.selectRow(2)  # Zarina Rahimova
    zarina = clients.get(sqlite_ctx, ids["Zarina Rahimova"])
    with qtbot.waitSignal(page.model.loaded):
        window.ops.write(clients.update, zarina.id, expected_version=zarina.version, name="Abbos Aliyev")
    assert texts(window, "clients")[0] == "Abbos Aliyev"
    assert page.table.currentIndex().row() == 0  # the same client, at its new place


def test_clicking_a_header_sorts_by_that_column_and_unsortable_columns_keep_the_order(
    open_window, sqlite_ctx, qtbot
):
    make_office(sqlite_ctx)
    window = open_window()
    page = window.pages["clients"]
    header = page.table.horizontalHeader()
    with qtbot.waitSignal(page.model.loaded):
        qtbot.mouseClick(
            header.viewport(),
            Qt.MouseButton.LeftButton,
            pos=header.rect().topLeft() + _section_centre(header, 0),
        )
    assert texts(window, "clients") == ["Zarina Rahimova", "Leyla Əliyeva", "Aziz Karimov"]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(header, 2))  # phones
    assert header.sortIndicatorSection() == 0 and page.model.sort_by == "name"


def _section_centre(header, section):
    from PySide6.QtCore import QPoint

    return QPoint(
        header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2
    )


def test_deals_are_listed_most_recently_changed_first_without_a_misleading_sort_arrow(
    open_window, sqlite_ctx, qtbot, clock
):
    ids = make_office(sqlite_ctx)
    clock.current += timedelta(minutes=5)
    deals.create(
        sqlite_ctx, client_id=ids["Zarina Rahimova"], title="Annual audit", amount=10, currency="USD"
    )
    window = open_window()
    assert texts(window, "deals") == ["Annual audit", "Office cleaning contract"]
    assert window.pages["deals"].table.horizontalHeader().sortIndicatorSection() == -1


def test_status_bar_title_and_about_say_where_the_data_is(open_window, sqlite_ctx, qtbot):
    window = open_window()
    path = sqlite_ctx.db.describe()
    assert path in window.database_label.text()
    assert window.user_label.text() == "User: Owner"
    assert window.windowTitle() == "CRM Desktop — Ipak Yoʻli Services"
    profile = company.get(sqlite_ctx)
    window.ops.write(company.update, expected_version=profile.version, name="Oak & Ash Legal")
    qtbot.waitUntil(lambda: window.windowTitle() == "CRM Desktop — Oak & Ash Legal")
    about = window.show_about()
    assert __version__ in about.text() and path in about.text()
    about.close()


def test_ctrl_q_closes_the_window(open_window, qtbot):
    window = open_window()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_window_geometry_is_kept_in_our_config_folder_and_it_opens_on_the_dashboard(
    open_window, paths, qtbot
):
    window = open_window()
    window.nav.setCurrentRow(3)
    window.resize(760, 540)  # inside the offscreen screen (800×600), so nothing is clamped
    window.close()
    ini = paths.config_dir / "window.ini"
    assert ini.exists()
    again = open_window(all_pages=False)
    assert again.current_key() == "dashboard"  # where the day starts, whichever page was left open
    assert (again.width(), again.height()) == (760, 540)
    assert [key for key in again.pages if again.is_built(key)] == ["dashboard"]


def test_a_page_made_late_shows_its_remembered_settings_and_its_data(open_window, sqlite_ctx, qtbot):
    make_office(sqlite_ctx)
    window = open_window(all_pages=False)
    window.show_page("deals")
    qtbot.waitUntil(lambda: window.ready)
    qtbot.mouseClick(window.deals_view.list_button, Qt.MouseButton.LeftButton)  # the list, not the board
    window.show_page("clients")
    window.close()
    again = open_window(all_pages=False)
    assert not again.is_built("deals")
    qtbot.keyClick(again, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    view = again.deals_view
    assert view.stack.currentWidget() is view.table and view.list_button.isChecked()
    qtbot.waitUntil(lambda: again.ready)
    assert texts(again, "deals") == ["Office cleaning contract"]


def test_opening_a_search_hit_or_a_won_deals_draft_makes_the_page_it_lives_on(open_window, sqlite_ctx, qtbot):
    ids = make_office(sqlite_ctx)
    window = open_window(all_pages=False)
    window.open_record("client", ids["Leyla Əliyeva"])
    assert window.current_key() == "clients"
    [draft] = invoices.list_documents(sqlite_ctx)
    window.open_record("invoice", draft.id)
    assert window.current_key() == "invoices" and window.is_built("invoices") and not window.is_built("deals")
    view = window.invoices_view
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())
    view.editor.close()
    qtbot.waitUntil(lambda: window.ready)
    assert view.model.index(0, 1).data() == "Leyla Əliyeva"


def test_a_service_error_while_loading_is_shown_not_raised(open_window, sqlite_ctx, qtbot):
    window = open_window()
    page = window.pages["clients"]
    page.model.sort_key_changed("no-such-column", False)  # the service refuses: a ValidationError
    qtbot.waitUntil(lambda: _message_box() is not None)
    assert "Cannot sort clients by 'no-such-column'" in _message_box().text()
    _message_box().close()


def _message_box() -> QMessageBox | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None
    )


def test_money_and_unpaid_balance_use_the_documents_currency(open_window, sqlite_ctx):
    make_office(sqlite_ctx)
    window = open_window()
    model = window.pages["invoices"].model
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    row = model.row(0)
    assert row.total == Decimal("251.0000")
    assert model.index(0, headers.index("Balance")).data() == "251.00 AZN"
    assert model.index(0, headers.index("Status")).data() == "Draft"
    assert (
        model.index(0, headers.index("Issued")).data()
        == datetime(2026, 11, 24, tzinfo=UTC).astimezone().date().isoformat()
        or model.index(0, headers.index("Issued")).data() == sqlite_ctx.today().isoformat()
    )


def test_a_new_office_is_asked_for_its_name_and_currency_first(qtbot, sqlite_ctx, paths, reporter):
    from crm_desktop.app import build_main_window

    window = build_main_window(sqlite_ctx, paths, reporter)
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: getattr(window, "first_run", None) is not None and window.first_run.isVisible())
    dialog = window.first_run
    qtbot.waitUntil(dialog.save_button.isEnabled)  # the profile (and its version) has been read
    qtbot.keyClicks(dialog.name, "Oak & Ash Legal")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.windowTitle() == "CRM Desktop — Oak & Ash Legal")
    assert company.is_set_up(sqlite_ctx)


def test_ctrl_k_finds_a_client_by_phone_digits_and_opens_the_card(open_window, sqlite_ctx, qtbot):
    ids = make_office(sqlite_ctx)
    window = open_window()
    window.show_page("invoices")
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.global_search.edit.hasFocus()
    qtbot.keyClicks(window.global_search.edit, "7654433")
    qtbot.waitUntil(lambda: window.global_search.model.rowCount() > 0)
    qtbot.keyClick(window.global_search.edit, Qt.Key.Key_Return)
    assert window.current_key() == "clients"
    qtbot.waitUntil(lambda: window.clients_view.current_client_id() == ids["Aziz Karimov"])


def test_ctrl_n_makes_a_record_of_the_page_shown_wherever_the_focus_is(open_window, qtbot):
    window = open_window()
    window.activateWindow()
    qtbot.waitActive(window)
    for row, key, made in ((1, "clients", "form"), (2, "deals", "dialog"), (3, "tasks", "dialog")):
        window.nav.setCurrentRow(row)
        window.global_search.focus()  # the search field, outside every page, has the keyboard
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        assert not window.pages[key].isAncestorOf(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda key=key, made=made: getattr(window.pages[key], made, None) is not None)
        dialog = getattr(window.pages[key], made)
        assert dialog.isVisible()
        assert window.new_action.text() == window.pages[key].new_item_text() + "…"
        dialog.reject()
    assert window.calendar_view.new_button.isVisible()  # and a button says so on every page


def test_help_lists_every_keyboard_shortcut_from_the_actions_and_opens_the_log_folder(
    open_window, qtbot, monkeypatch, paths
):
    from crm_desktop.ui import main_window

    window = open_window(all_pages=False)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert [a.text() for a in help_menu.actions() if a.text()] == [
        "&Getting started",
        "&Keyboard shortcuts",
        "Open the &log folder",
        "&About CRM Desktop",
    ]
    dialog = window.show_shortcuts()
    rows = {
        tuple(dialog.list.topLevelItem(i).text(c) for c in range(3))
        for i in range(dialog.list.topLevelItemCount())
    }
    assert ("Everywhere", "Ctrl+N", "New client") in rows  # the page shown says what Ctrl+N makes
    assert ("Everywhere", "Ctrl+K", "Find any client, deal or invoice") in rows
    assert ("Everywhere", "Ctrl+3", "Tasks") in rows
    assert ("Tasks", "Alt+Left", "The day, week or month before") in rows  # a page not shown yet too
    dialog.close()

    opened = []
    monkeypatch.setattr(main_window.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    window.open_log_folder()
    assert opened == [str(paths.log_dir)]
