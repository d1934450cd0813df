"""The deals workspace through its widgets: board columns with totals, drag and drop between stages,
won/lost, the deal form, list mode with the same filters, and the weighted pipeline total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from crm_desktop.services import activities, clients, deals, users
from crm_desktop.services.deals import DealFilter
from crm_desktop.ui.confirm import yes_button
from tests.ui.conftest import drop_card


@pytest.fixture
def office(sqlite_ctx):
    dilnoza = users.create(sqlite_ctx, username="dilnoza", display_name="Dilnoza").id
    aziz = clients.create(sqlite_ctx, name="Aziz Karimov").id
    leyla = clients.create(sqlite_ctx, name="Leyla Əliyeva").id
    made = {
        "cleaning": deals.create(
            sqlite_ctx,
            client_id=aziz,
            title="Office cleaning",
            amount="1000",
            currency="USD",
            expected_close=date(2026, 12, 15),
        ),
        "audit": deals.create(
            sqlite_ctx, client_id=leyla, title="Annual audit", amount="500", currency="USD"
        ),
        "windows": deals.create(
            sqlite_ctx, client_id=aziz, title="Window washing", amount="2000000", currency="UZS"
        ),
    }
    return {"dilnoza": dilnoza, "aziz": aziz, "leyla": leyla, **{k: d.id for k, d in made.items()}}


@pytest.fixture
def view(open_window, office, qtbot):
    window = open_window()
    window.show_page("deals")
    page = window.pages["deals"]
    qtbot.waitUntil(lambda: page.ready)
    return page


def cards(column) -> list[str]:
    model = column.model
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def drag_card(view, source: str, title: str, target: str) -> None:
    column = view.board.column(source)
    drop_card(column, cards(column).index(title), view.board.column(target).view)


def settled(view, qtbot) -> None:
    qtbot.waitUntil(lambda: not view.ops.busy and view.ready)


def test_the_board_has_a_column_per_stage_with_its_deals_count_and_totals(view):
    names = [c.stage.name for c in view.board.columns]
    assert names == ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    new = view.board.column("New")
    assert sorted(cards(new)) == ["Annual audit", "Office cleaning", "Window washing"]
    assert new.totals.text().split("\n") == ["3 deals", "1,500.00 USD", "2,000,000.00 UZS"]
    assert view.board.column("Proposal").totals.text() == "No deals"
    assert view.totals.text().split("\n") == [
        "Open: 2   1,500.00 USD   weighted 150.00 USD",
        "Open: 1   2,000,000.00 UZS   weighted 200,000.00 UZS",
    ]


def test_dragging_a_card_moves_the_deal_and_updates_totals_and_history(view, qtbot, sqlite_ctx, office):
    drag_card(view, "New", "Office cleaning", "Proposal")
    qtbot.waitUntil(lambda: cards(view.board.column("Proposal")) == ["Office cleaning"])
    settled(view, qtbot)
    assert "Office cleaning" not in cards(view.board.column("New"))
    assert view.board.column("Proposal").totals.text().split("\n") == ["1 deal", "1,000.00 USD"]
    assert view.board.column("New").totals.text().split("\n")[:2] == ["2 deals", "500.00 USD"]
    # 1000 × 50% + 500 × 10%: the weighted total follows the move
    assert view.totals.text().split("\n")[0] == "Open: 2   1,500.00 USD   weighted 550.00 USD"
    history = deals.stage_history(sqlite_ctx, office["cleaning"])
    assert [(h.from_stage_name, h.to_stage_name) for h in history] == [("", "New"), ("New", "Proposal")]

    view.open_deal(office["cleaning"])
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    rows = view.dialog.history
    assert [rows.topLevelItem(i).text(2) for i in range(rows.topLevelItemCount())] == ["New", "Proposal"]
    assert rows.topLevelItem(1).text(1) == "New" and rows.topLevelItem(1).text(3) == "Owner"
    view.dialog.reject()


def test_dropping_on_won_wins_the_deal_and_it_leaves_the_open_total(view, qtbot, sqlite_ctx, office):
    drag_card(view, "New", "Annual audit", "Won")
    qtbot.waitUntil(lambda: cards(view.board.column("Won")) == ["Annual audit"])
    settled(view, qtbot)
    assert deals.get(sqlite_ctx, office["audit"]).outcome == "won"
    assert view.totals.text().split("\n")[0] == "Open: 1   1,000.00 USD   weighted 100.00 USD"


def test_a_won_deal_offers_its_invoice_draft(view, qtbot, sqlite_ctx, office):
    window = view.window()
    drag_card(view, "New", "Office cleaning", "Won")
    qtbot.waitUntil(lambda: getattr(view, "won_box", None) is not None and view.won_box.isVisible())
    assert "Office cleaning" in view.won_box.text() and "1,000.00 USD" in view.won_box.text()
    view.won_box.button(QMessageBox.StandardButton.Yes).click()
    invoices_page = window.pages["invoices"]
    qtbot.waitUntil(lambda: invoices_page.editor is not None and invoices_page.editor.isVisible())
    assert window.current_key() == "invoices"
    editor = invoices_page.editor
    assert (editor.client_edit.text(), editor.total_value.text()) == ("Aziz Karimov", "1,000.00 USD")
    assert editor.document.deal_id == office["cleaning"] and editor.document.status == "draft"
    editor.reject()


def test_dropping_on_lost_asks_why_and_needs_an_answer(view, qtbot, sqlite_ctx, office):
    drag_card(view, "New", "Annual audit", "Lost")
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    dialog.save()  # no reason given
    qtbot.waitUntil(lambda: dialog.errors["lost_reason"].isVisible())
    assert "why" in dialog.errors["lost_reason"].text().lower()
    assert deals.get(sqlite_ctx, office["audit"]).outcome == "open"
    dialog.reason.setCurrentText("Competitor was cheaper")
    dialog.save()
    qtbot.waitUntil(lambda: cards(view.board.column("Lost")) == ["Annual audit"])
    stored = deals.get(sqlite_ctx, office["audit"])
    assert (stored.outcome, stored.lost_reason) == ("lost", "Competitor was cheaper")


def test_a_move_on_a_deal_someone_changed_meanwhile_is_refused_and_the_card_stays(
    view, qtbot, sqlite_ctx, office
):
    stale = deals.get(sqlite_ctx, office["audit"])
    deals.update(sqlite_ctx, office["audit"], expected_version=stale.version, amount="600")  # another PC
    column = view.board.column("New")
    row = cards(column).index("Annual audit")
    mime = column.model.mimeData([column.model.index(row, 0)])
    assert mime.hasFormat("application/x-crm-desktop-deal")
    view.move(stale.id, stale.version, view.board.column("Qualified").stage.id)
    qtbot.waitUntil(lambda: any(b.isVisible() for b in view.ops._boxes))
    assert "changed" in view.ops._boxes[-1].text().lower()
    assert deals.get(sqlite_ctx, office["audit"]).stage_name == "New"


def test_the_context_menu_moves_a_deal_without_a_mouse_drag(view, qtbot, sqlite_ctx, office):
    deal = deals.get(sqlite_ctx, office["windows"])
    menu = view.show_menu(deal, QPoint(0, 0))
    move_to = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert [a.text() for a in move_to.actions()] == ["Qualified", "Proposal", "Negotiation", "Won"]
    next(a for a in move_to.actions() if a.text() == "Qualified").trigger()
    menu.close()
    qtbot.waitUntil(lambda: cards(view.board.column("Qualified")) == ["Window washing"])


def test_new_deal_form_shows_errors_next_to_fields_keeps_input_and_saves(view, qtbot, sqlite_ctx, office):
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    form = view.dialog
    qtbot.keyClicks(form.amount, "12.345")
    form.client.choose(office["leyla"], "Leyla Əliyeva")
    form.currency.setCurrentIndex(form.currency.findData("USD"))
    form.save()
    qtbot.waitUntil(lambda: form.errors["title"].isVisible())
    assert form.isVisible() and form.amount.text() == "12.345"
    qtbot.keyClicks(form.title, "Translation of contracts")
    form.save()
    qtbot.waitUntil(lambda: form.errors["amount"].isVisible())
    assert "2 decimal places" in form.errors["amount"].text()
    assert not form.errors["title"].isVisible()
    form.amount.setText("12.35")
    form.stage.setCurrentIndex(form.stage.findData(view.board.column("Qualified").stage.id))
    form.save()
    qtbot.waitUntil(lambda: cards(view.board.column("Qualified")) == ["Translation of contracts"])
    stored = deals.list_deals(sqlite_ctx, DealFilter(search="Translation"))[0]
    assert (stored.client_name, stored.amount, stored.currency) == ("Leyla Əliyeva", Decimal("12.35"), "USD")


def test_a_deal_someone_else_saved_meanwhile_keeps_both_changes(view, qtbot, sqlite_ctx, office):
    view.open_deal(office["cleaning"])
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    form = view.dialog
    form.title.setText("Office cleaning, 12 months")
    d = deals.get(sqlite_ctx, office["cleaning"])
    deals.update(sqlite_ctx, d.id, expected_version=d.version, amount="1100")  # another PC saves first
    with qtbot.waitSignal(form.saved):
        form.save()  # another field: merged without asking
    stored = deals.get(sqlite_ctx, d.id)
    assert (stored.title, stored.amount) == ("Office cleaning, 12 months", 1100)


def test_list_mode_has_the_same_filters_and_is_remembered(view, qtbot, sqlite_ctx, office):
    qtbot.mouseClick(view.list_button, Qt.MouseButton.LeftButton)
    assert view.stack.currentWidget() is view.table
    d = deals.get(sqlite_ctx, office["windows"])
    deals.update(sqlite_ctx, d.id, expected_version=d.version, owner_id=office["dilnoza"])
    settled(view, qtbot)
    view.owner.setCurrentIndex(view.owner.findData(office["dilnoza"]))
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.row(0).title == "Window washing")
    settled(view, qtbot)
    assert cards(view.board.column("New")) == ["Window washing"]  # the board follows the same filter
    assert view.totals.text() == "Open: 1   2,000,000.00 UZS   weighted 200,000.00 UZS"
    assert view.settings.value("deals/mode") == "list"


def test_deleting_a_deal_asks_first(view, qtbot, sqlite_ctx, office):
    box = view.confirm_delete(deals.get(sqlite_ctx, office["audit"]))
    assert "Annual audit" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert deals.count_deals(sqlite_ctx) == 3
    box = view.confirm_delete(deals.get(sqlite_ctx, office["audit"]))
    yes_button(box).click()
    qtbot.waitUntil(lambda: "Annual audit" not in cards(view.board.column("New")))
    assert deals.count_deals(sqlite_ctx) == 2


def test_stage_cards_model_passes_the_model_tester(qtmodeltester, view):
    qtmodeltester.check(view.board.column("New").model)


def test_a_call_logged_on_a_deal_shows_on_the_deal_and_on_its_clients_timeline(
    view, qtbot, sqlite_ctx, office
):
    menu = view.show_menu(deals.get(sqlite_ctx, office["audit"]), QPoint(0, 0))
    assert {"Add note…", "Log call…"} <= {a.text() for a in menu.actions()}  # also on the board's cards
    menu.close()
    view.open_deal(office["cleaning"])
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    form = view.dialog
    assert [form.notes.topLevelItem(0).text(c) for c in (1, 3)] == [
        "Stage",
        "Deal 'Office cleaning' created in stage 'New'",
    ]
    qtbot.mouseClick(form.log_call_button, Qt.MouseButton.LeftButton)
    entry = form.entry_dialog
    assert entry.windowTitle() == "Log a call"
    assert entry.about.text() == "With Aziz Karimov · deal 'Office cleaning'"
    qtbot.keyClicks(entry.body, "Agreed: every Monday from January")
    with qtbot.waitSignal(entry.saved):
        qtbot.keyClick(entry.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert form.notes.topLevelItem(0).text(1) == "Call"
    assert form.notes.topLevelItem(0).text(3) == "Agreed: every Monday from January"
    [logged] = [a for a in activities.timeline(sqlite_ctx, office["aziz"]) if a.kind == "call"]
    assert (logged.deal_title, logged.body) == ("Office cleaning", "Agreed: every Monday from January")
    assert not form.has_changes()  # the call is stored already; closing the deal asks nothing
    form.reject()
    assert not form.isVisible()


def test_a_deals_amount_is_shown_grouped_in_its_form_and_typed_back_with_groups(
    view, qtbot, sqlite_ctx, office
):
    view.open_deal(office["windows"])
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    form = view.dialog
    assert form.amount.text() == "2,000,000.00"  # not 2000000.00
    form.amount.setText("42 300 000,50")
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(form.title, Qt.Key.Key_Return)
    assert deals.get(sqlite_ctx, office["windows"]).amount == Decimal("42300000.50")


def _ink_columns(image, left: int, right: int, top: int, bottom: int) -> list[int]:
    """The pixel columns between left and right where something darker than the card is drawn."""
    return [
        x
        for x in range(left, right)
        if any(image.pixelColor(x, y).lightness() < 128 for y in range(top, bottom))
    ]


def test_right_to_left_the_stages_run_from_the_right_and_a_card_reads_from_its_right_edge(view, qtbot):
    board = view.board
    new = board.column("New")
    view.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.waitUntil(lambda: board.column("Won").x() < new.x())  # the first stage is rightmost
    card = new.view.visualRect(new.model.index(0, 0))
    image = new.view.viewport().grab().toImage()
    title_line = (card.top() + 6, card.top() + 6 + new.view.fontMetrics().lineSpacing())
    ink = _ink_columns(image, card.left(), card.right(), *title_line)
    # the bold title starts at the card's right edge and runs left, as Arabic text does
    assert ink and card.right() - max(ink) < 20 and min(ink) - card.left() > 20
