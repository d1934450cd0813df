"""The next planned activity where people look: the deals list and board cards, the clients list and the
client's card; an open deal with nothing planned is marked; "No next activity" filters; completing a task
that leaves its deal with nothing planned offers to schedule the next one, in the calendar and in the
reminder window.

Spans ui/next_activity.py, ui/schedule_next.py, ui/deals/view.py, ui/deals/cards.py, ui/clients/view.py,
ui/clients/card.py, ui/calendar/view.py, ui/calendar/dialog.py and ui/reminders/popup.py."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from crm_desktop.services import clients, deals, tasks
from crm_desktop.services.tasks import TaskFilter
from crm_desktop.ui import next_activity
from crm_desktop.ui.deals.cards import CardDelegate


def column_texts(page, title: str) -> dict[str, str]:
    model = page.model
    column = next(
        c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title
    )
    return {model.index(r, 0).data(): model.index(r, column).data() for r in range(model.rowCount())}


def column_colour(page, title: str, row_text: str):
    model = page.model
    column = next(
        c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title
    )
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == row_text)
    return model.index(row, column).data(Qt.ItemDataRole.ForegroundRole)


def test_deals_show_their_next_activity_and_those_with_none_are_marked_and_filtered(
    open_window, sqlite_ctx, clock, qtbot
):
    client = clients.create(sqlite_ctx, name="Rashad Aliyev")
    planned = deals.create(sqlite_ctx, client_id=client.id, title="Website", amount="100", currency="USD")
    idle = deals.create(sqlite_ctx, client_id=client.id, title="Logo", amount="50", currency="USD")
    tasks.create(
        sqlite_ctx, title="Call Rashad", due_at=clock.current + timedelta(days=1), deal_id=planned.id
    )
    late = deals.create(sqlite_ctx, client_id=client.id, title="Hosting", amount="10", currency="USD")
    tasks.create(
        sqlite_ctx, title="Send the offer", due_at=clock.current - timedelta(days=2), deal_id=late.id
    )
    window = open_window()
    window.show_page("deals")
    page = window.pages["deals"]
    page.list_button.click()
    qtbot.waitUntil(lambda: page.ready)

    shown = column_texts(page, "Next activity")
    assert shown["Website"].endswith("· Call Rashad") and shown["Website"].startswith("Tomorrow")
    assert shown["Logo"] == "No next activity"
    assert column_colour(page, "Next activity", "Logo") == next_activity.NOTHING_PLANNED
    assert column_colour(page, "Next activity", "Hosting") == next_activity.OVERDUE

    page.unplanned.click()
    qtbot.waitUntil(lambda: page.ready and set(column_texts(page, "Deal")) == {"Logo"})
    # The board shows the same deals, and each card says what is next.
    page.unplanned.click()
    page.board_button.click()
    qtbot.waitUntil(lambda: page.ready)
    cards = {
        row.title: row for column in page.board.columns for row in column.model.rows if row.outcome == "open"
    }
    assert cards["Website"].next_activity.title == "Call Rashad"
    assert cards["Logo"].next_activity is None
    delegate = page.board.columns[0].view.itemDelegate()
    assert isinstance(delegate, CardDelegate) and delegate.LINES == 5  # a line for it on every card

    # A task planned for the idle deal shows on its card at once, without a reload by hand.
    window.ops.write(
        tasks.create, title="Ask about colours", due_at=clock.current + timedelta(hours=3), deal_id=idle.id
    )
    qtbot.waitUntil(
        lambda: (
            page.ready
            and any(
                row.title == "Logo" and row.next_activity is not None
                for column in page.board.columns
                for row in column.model.rows
            )
        )
    )


def test_the_clients_list_and_card_show_what_is_next_and_filter_those_with_nothing_planned(
    open_window, sqlite_ctx, clock, qtbot
):
    busy = clients.create(sqlite_ctx, name="Busy Client")
    clients.create(sqlite_ctx, name="Idle Client")
    deal = deals.create(sqlite_ctx, client_id=busy.id, title="Audit", amount="5", currency="USD")
    tasks.create(
        sqlite_ctx, title="Visit the office", due_at=clock.current + timedelta(days=1), client_id=busy.id
    )
    window = open_window()
    window.show_page("clients")
    page = window.pages["clients"]
    shown = column_texts(page, "Next activity")
    assert shown["Busy Client"].endswith("· Visit the office")
    assert shown["Idle Client"] == ""

    page.unplanned.click()
    qtbot.waitUntil(lambda: set(column_texts(page, "Name")) == {"Idle Client"})
    page.unplanned.click()
    qtbot.waitUntil(lambda: len(column_texts(page, "Name")) == 2)

    page.open_client(busy.id)
    qtbot.waitUntil(lambda: page.card.data is not None and page.card.data.client.id == busy.id)
    assert "Next: No next activity" in page.card.deals.text()  # the deal itself has nothing planned
    window.ops.write(
        tasks.create, title="Send the audit plan", due_at=clock.current + timedelta(days=2), deal_id=deal.id
    )
    qtbot.waitUntil(lambda: "· Send the audit plan" in page.card.deals.text())


def test_completing_the_last_task_of_a_deal_in_the_calendar_offers_to_schedule_the_next(
    open_window, sqlite_ctx, clock, qtbot
):
    client = clients.create(sqlite_ctx, name="Nodira Yusupova")
    deal = deals.create(
        sqlite_ctx, client_id=client.id, title="Cleaning contract", amount="5", currency="USD"
    )
    task = tasks.create(
        sqlite_ctx, title="Call Nodira", due_at=clock.current + timedelta(hours=1), deal_id=deal.id
    )
    window = open_window()
    window.show_page("tasks")
    calendar = window.pages["tasks"]
    calendar.toggle_done(tasks.get(sqlite_ctx, task.id))
    offer = calendar.schedule_next
    qtbot.waitUntil(lambda: offer.question is not None and offer.question.isVisible())
    assert "Cleaning contract" in offer.question.text() and "Call Nodira" in offer.question.text()
    assert offer.question.defaultButton().text() == "Schedule next…"
    offer.question.defaultButton().click()
    qtbot.waitUntil(lambda: offer.dialog is not None and offer.dialog.isVisible())
    dialog = offer.dialog
    assert dialog.client.client_id == client.id
    qtbot.keyClicks(dialog.title, "Send the contract")
    dialog.save()
    qtbot.waitUntil(lambda: tasks.list_tasks(sqlite_ctx, TaskFilter(deal_id=deal.id)) != [])
    [planned] = tasks.list_tasks(sqlite_ctx, TaskFilter(deal_id=deal.id))
    assert (planned.title, planned.client_id) == ("Send the contract", client.id)


def test_not_now_closes_the_offer_and_nothing_is_offered_while_something_is_still_planned(
    open_window, sqlite_ctx, clock, qtbot
):
    client = clients.create(sqlite_ctx, name="Kamola Ergasheva")
    deal = deals.create(sqlite_ctx, client_id=client.id, title="Repair", amount="5", currency="USD")
    first = tasks.create(
        sqlite_ctx, title="Diagnose", due_at=clock.current + timedelta(hours=1), deal_id=deal.id
    )
    second = tasks.create(
        sqlite_ctx, title="Repair it", due_at=clock.current + timedelta(hours=5), deal_id=deal.id
    )
    window = open_window()
    window.show_page("tasks")
    calendar = window.pages["tasks"]
    offer = calendar.schedule_next
    calendar.toggle_done(tasks.get(sqlite_ctx, first.id))
    qtbot.waitUntil(lambda: tasks.get(sqlite_ctx, first.id).status == "done" and not window.ops.busy)
    assert offer.question is None  # "Repair it" is still planned
    calendar.toggle_done(tasks.get(sqlite_ctx, second.id))
    qtbot.waitUntil(lambda: offer.question is not None and offer.question.isVisible())
    not_now = next(b for b in offer.question.buttons() if b.text() == "Not now")
    not_now.click()
    qtbot.waitUntil(lambda: offer.question is None)
    assert offer.dialog is None and tasks.list_tasks(sqlite_ctx, TaskFilter(deal_id=deal.id)) == []


def test_done_in_the_reminder_window_offers_the_next_activity_too(open_window, sqlite_ctx, clock, qtbot):
    client = clients.create(sqlite_ctx, name="Aziz Karimov")
    deal = deals.create(sqlite_ctx, client_id=client.id, title="Office move", amount="5", currency="USD")
    task = tasks.create(
        sqlite_ctx, title="Call Aziz", due_at=clock.current, remind_at=clock.current, deal_id=deal.id
    )
    window = open_window()
    window.reminder_scheduler.look()
    popup = window.reminder_window
    qtbot.waitUntil(lambda: task.id in popup.rows and popup.isVisible())
    popup.rows[task.id].done_button.click()
    offer = window.schedule_next
    qtbot.waitUntil(lambda: offer.question is not None and offer.question.isVisible())
    assert isinstance(offer.question, QMessageBox) and "Office move" in offer.question.text()
