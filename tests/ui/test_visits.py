"""Recurring visits through the window: the client card's "Recurring visits…" plans a series (every
Monday and Thursday at 07:30 with a checklist) whose visits appear as tasks; a visit's form ticks its
checklist, asks "only this visit or this and the following" when its time changes, and skips a visit.
Spans ui/clients/visits_dialog.py, the visit parts of ui/calendar/dialog.py and the weeks of
ui/calendar/repeat.py."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt, QTime

from crm_desktop.services import clients, invoices, tasks, visits
from crm_desktop.services.visits import SeriesValues
from crm_desktop.ui.calendar.dialog import TaskDialog


def _visits(ctx, client_id):
    found = tasks.list_tasks(ctx, tasks.TaskFilter(client_id=client_id, status=None), limit=None)
    return sorted(found, key=lambda t: t.due_at)


def _visits_of(window, qtbot, client_id: int):
    """The client card's Recurring visits… of that client."""
    window.show_page("clients")
    view = window.clients_view
    view.open_client(client_id)
    qtbot.waitUntil(lambda: view.card.data is not None and view.card.data.client.id == client_id)
    return view.show_visits()


def test_a_series_planned_from_the_client_card_makes_its_visits(open_window, qtbot, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Bakery Weber")
    window = open_window()
    dialog = _visits_of(window, qtbot, client.id)
    qtbot.waitUntil(lambda: dialog.ready)
    dialog.title.setText("Office cleaning")
    dialog.repeat.set_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", 0)
    assert dialog.repeat.rule() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"
    dialog.repeat.set_rule("FREQ=WEEKLY;BYDAY=MO,TH", 0)
    dialog.at.setTime(QTime(7, 30))
    dialog.checklist.setPlainText("Floors mopped\nBins emptied\n")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 1)
    assert dialog.list.topLevelItem(0).text(1) == "Every week: Mo, Th"
    made = _visits(sqlite_ctx, client.id)
    assert len(made) >= 8 and {t.due_at.astimezone(sqlite_ctx.zone()).strftime("%H:%M") for t in made} == {
        "07:30"
    }
    assert made[0].checklist == (("Floors mopped", False), ("Bins emptied", False))
    dialog.close()


def test_a_visits_form_ticks_its_checklist_changes_the_following_and_skips_one(qtbot, ops, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Bakery Weber")
    today = sqlite_ctx.today()
    visits.create(sqlite_ctx, client.id, SeriesValues("Cleaning", "FREQ=DAILY", today, at_time="09:00",
                                                      checklist=("Floors mopped",)))  # fmt: skip
    second = _visits(sqlite_ctx, client.id)[1]
    dialog = TaskDialog(ops, task=second)
    qtbot.addWidget(dialog)
    assert not dialog.row_visible("recurrence") and dialog.checklist.count() == 1
    dialog.checklist.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: tasks.get(sqlite_ctx, second.id).checklist == (("Floors mopped", True),))
    dialog.task = tasks.get(sqlite_ctx, second.id)
    dialog.due.set_datetime(second.due_at.astimezone(sqlite_ctx.zone()) + timedelta(hours=2))  # 11:00
    dialog.save()
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible())
    following = next(b for b in dialog.question.buttons() if b.text() == "This and the following")
    following.click()

    def clocks() -> list[str]:
        return [
            t.due_at.astimezone(sqlite_ctx.zone()).strftime("%H:%M") for t in _visits(sqlite_ctx, client.id)
        ]

    qtbot.waitUntil(lambda: clocks()[1] == "11:00")
    assert clocks()[0] == "09:00" and set(clocks()[1:]) == {
        "11:00"
    }  # the first as it was; from the second on

    third = _visits(sqlite_ctx, client.id)[2]
    skipping = TaskDialog(ops, task=third)
    qtbot.addWidget(skipping)
    skipping.skip_visit()
    qtbot.waitUntil(lambda: tasks.get(sqlite_ctx, third.id).status == "cancelled")


def test_a_month_of_visits_is_invoiced_from_the_clients_visits(open_window, qtbot, sqlite_ctx):
    from crm_desktop.services import company, time_tracking, work_billing

    client = clients.create(sqlite_ctx, name="Bakery Weber")
    me = sqlite_ctx.actor.user_id
    work_billing.set_rate(
        sqlite_ctx, user_id=me, amount="20", currency=company.get(sqlite_ctx).default_currency
    )
    today = sqlite_ctx.today()
    visits.create(sqlite_ctx, client.id, SeriesValues("Cleaning", "FREQ=DAILY", today, assignee_id=me))
    visit = _visits(sqlite_ctx, client.id)[0]
    time_tracking.add_entry(sqlite_ctx, day=today, minutes=120, task_id=visit.id)
    window = open_window()
    dialog = _visits_of(window, qtbot, client.id)
    month = dialog.invoice_month()
    month.day.set_date(today)
    month.save()
    editor = window.invoices_view
    qtbot.waitUntil(lambda: getattr(editor, "editor", None) is not None and editor.editor.isVisible())
    lines = invoices.get(sqlite_ctx, editor.editor.document.id).lines
    assert [(x.quantity, x.unit_price) for x in lines] == [(2, 20)] and lines[0].description.startswith(
        "Cleaning, 1 visit"
    )
    editor.editor.done(0)
