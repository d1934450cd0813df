"""Date fields as a user types into them, in the forms that have them: what offices type is taken, a day
or a time that does not exist is refused next to the field and kept as typed, the calendar picks a day.

Spans ui/date_field.py, ui/form_dialog.py, ui/invoices/editor.py, ui/invoices/payments_panel.py,
ui/deals/form.py, ui/calendar/dialog.py, ui/clients/callback.py and ui/audit_viewer.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from crm_desktop.services import clients, deals, documents, invoices, payments, pipelines, tasks
from crm_desktop.services.invoices import LineValues
from crm_desktop.ui.calendar.dialog import TaskDialog
from crm_desktop.ui.clients.callback import CallBackDialog
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.deals.form import DealDialog
from crm_desktop.ui.invoices import InvoiceEditor
from crm_desktop.ui.invoices.payments_panel import PaymentDialog


def retype(qtbot, field: DateField | QLineEdit, text: str) -> None:
    edit = field.edit if isinstance(field, DateField) else field
    edit.selectAll()
    qtbot.keyClicks(edit, text)


@pytest.fixture
def draft_editor(qtbot, ops, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Zarina Rahimova")
    draft = invoices.create_draft(
        sqlite_ctx,
        client_id=client.id,
        issue_date=date(2026, 12, 1),
        lines=[LineValues("Audit", 1, "", "500")],
    )
    editor = InvoiceEditor(ops, draft, today=date(2026, 12, 1))
    qtbot.addWidget(editor)
    editor.show()
    return editor, draft


def test_a_day_that_does_not_exist_is_refused_next_to_the_field_and_kept_as_typed(
    qtbot, draft_editor, sqlite_ctx
):
    editor, draft = draft_editor
    retype(qtbot, editor.due_date, "2026-02-30")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    error = editor.errors["due_date"]
    assert error.isVisible() and "there is no day 2026-02-30" in error.text()
    assert editor.due_date.edit.text() == "2026-02-30" and editor.isVisible()  # never moved to 03.02
    assert invoices.get(sqlite_ctx, draft.id).version == draft.version  # nothing was saved


def test_a_date_typed_day_first_as_offices_write_it_is_saved(qtbot, draft_editor, sqlite_ctx):
    editor, draft = draft_editor
    retype(qtbot, editor.due_date, "31/12/2026")
    with qtbot.waitSignal(editor.saved):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert invoices.get(sqlite_ctx, draft.id).due_date == date(2026, 12, 31)


def test_issuing_with_an_unreadable_issue_date_says_so_and_asks_nothing(qtbot, draft_editor):
    editor, _ = draft_editor
    retype(qtbot, editor.issue_date, "tomorrow")
    qtbot.mouseClick(editor.issue_button, Qt.MouseButton.LeftButton)
    assert "Type it as 31.12.2026" in editor.errors["issue_date"].text()
    assert editor.issue_question is None


def test_the_calendar_picks_a_day(qtbot, ops, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Zarina Rahimova")
    draft = invoices.create_draft(sqlite_ctx, client_id=client.id, lines=[LineValues("Audit", 1, "", "500")])
    invoice = documents.issue(sqlite_ctx, draft.id, expected_version=draft.version)
    dialog = PaymentDialog(ops, invoice, date(2026, 12, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.paid_on.edit.text() == "2026-12-02"
    dialog.paid_on.calendar.clicked.emit(QDate(2026, 11, 28))  # a click on the 28th of the popup's month
    assert dialog.paid_on.edit.text() == "2026-11-28"
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    assert payments.list_payments(sqlite_ctx, invoice.id)[0].paid_on == date(2026, 11, 28)


def test_an_expected_close_date_may_stay_empty_but_not_be_wrong(qtbot, ops, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Aziz Karimov")
    [pipeline] = pipelines.list_pipelines(sqlite_ctx)
    deal = deals.create(sqlite_ctx, client_id=client.id, title="Office cleaning")
    form = DealDialog(ops, pipeline=pipeline, users=[], currency="USD", deal=deal)
    qtbot.addWidget(form)
    form.show()
    assert form.expected_close.edit.text() == ""
    retype(qtbot, form.expected_close, "31.04.2026")
    qtbot.mouseClick(form.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    assert "there is no day 31.04.2026" in form.errors["expected_close"].text()
    retype(qtbot, form.expected_close, "30.04.2027")
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(form.expected_close.edit, Qt.Key.Key_Return)
    assert deals.get(sqlite_ctx, deal.id).expected_close == date(2027, 4, 30)


def test_a_due_time_on_a_day_or_at_an_hour_that_does_not_exist_is_refused_and_creates_nothing(
    qtbot, ops, sqlite_ctx
):
    dialog = TaskDialog(ops, due=datetime(2026, 12, 2, 10, 0).astimezone())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.title, "Call Zarina")
    retype(qtbot, dialog.due.day, "2026-02-30")
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    assert "there is no day 2026-02-30" in dialog.errors["due_at"].text()
    assert dialog.due.day.edit.text() == "2026-02-30" and dialog.isVisible()  # never moved to 03.02

    retype(qtbot, dialog.due.day, "31.12.2026")
    retype(qtbot, dialog.due.time, "25:00")
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    assert "there is no time 25:00" in dialog.errors["due_at"].text()
    assert dialog.focusWidget() is dialog.due.time  # where the mistake is
    assert tasks.list_tasks(sqlite_ctx) == []

    retype(qtbot, dialog.due.time, "9.30")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.due.time, Qt.Key.Key_Return)
    [task] = tasks.list_tasks(sqlite_ctx)
    assert task.due_at == datetime(2026, 12, 31, 9, 30).astimezone()


def test_a_call_back_at_a_time_that_does_not_exist_is_refused_and_creates_nothing(qtbot, ops, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Zarina Rahimova")
    dialog = CallBackDialog(ops, client.id, client.name)
    qtbot.addWidget(dialog)
    dialog.show()
    create = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    retype(qtbot, dialog.when.time, "24:30")
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    assert dialog.problem.isVisible() and "there is no time 24:30" in dialog.problem.text()
    assert dialog.isVisible() and tasks.list_tasks(sqlite_ctx) == []

    retype(qtbot, dialog.when.time, "18:00")
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [task] = tasks.list_tasks(sqlite_ctx)
    assert task.due_at.astimezone().hour == 18


def test_an_audit_log_day_typed_wrong_is_said_and_the_list_stays_as_it_was(qtbot, open_window, sqlite_ctx):
    clients.create(sqlite_ctx, name="Aziz Karimov")
    viewer = open_window().show_audit_log()
    qtbot.waitUntil(lambda: viewer.model.ready and viewer.model.rowCount() > 0)
    shown = viewer.model.rowCount()
    retype(qtbot, viewer.since, "2026-02-30")
    qtbot.keyClick(viewer.since.edit, Qt.Key.Key_Return)
    assert viewer.problem.isVisible() and "there is no day 2026-02-30" in viewer.problem.text()
    assert viewer.model.query.since is None and viewer.model.rowCount() == shown
    retype(qtbot, viewer.since, "01.01.2020")
    qtbot.keyClick(viewer.since.edit, Qt.Key.Key_Return)
    assert viewer.problem.isHidden() and viewer.model.query.since == date(2020, 1, 1)
    assert viewer.isVisible()  # Enter applied the day, it did not press Close
