"""The reminder pop-up on a real database: it appears when a reminder comes due, Snooze re-arms
the one timer, Done completes the task, and missed reminders are told apart at start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QLineEdit

from crm_desktop.services import clients, reminders, tasks
from crm_desktop.ui.date_field import DateTimeField
from crm_desktop.ui.reminders import ReminderScheduler, ReminderWindow


@pytest.fixture
def app_parts(ops, qtbot):
    scheduler = ReminderScheduler(ops)
    window = ReminderWindow(ops)
    qtbot.addWidget(window)
    scheduler.due.connect(window.add)
    window.handled.connect(lambda _task_id: scheduler.rearm())
    yield scheduler, window
    scheduler.timer.stop()


def armed_timers(scheduler) -> int:
    return sum(timer.isActive() for timer in scheduler.findChildren(QTimer))


def test_the_pop_up_appears_when_the_reminder_is_due_then_snooze_and_done(
    app_parts, qtbot, sqlite_ctx, clock
):
    scheduler, window = app_parts
    aziz = clients.create(sqlite_ctx, name="Aziz Karimov")
    remind = clock.current + timedelta(milliseconds=300)
    task = tasks.create(
        sqlite_ctx,
        title="Call Aziz about the offer",
        due_at=clock.current + timedelta(minutes=30),
        remind_at=remind,
        client_id=aziz.id,
    )
    with qtbot.waitSignal(scheduler.armed) as armed:
        scheduler.start()
    assert armed.args == [remind]
    assert armed_timers(scheduler) == 1 and 0 < scheduler.timer.remainingTime() <= 300
    assert not window.isVisible()

    clock.current = remind  # the wall clock reaches the reminder while the real 300 ms run out
    qtbot.waitUntil(window.isVisible)
    row = window.rows[task.id]
    assert "Call Aziz about the offer" in row.findChild(type(window.missed_label)).text()
    assert "Aziz Karimov" in row.details.text()
    assert window.missed_label.isHidden()  # it came due while the app was running

    with qtbot.waitSignal(scheduler.armed) as armed:
        row.snooze("10min")
    assert armed.args == [remind + timedelta(minutes=10)]
    assert not window.isVisible() and armed_timers(scheduler) == 1

    clock.current = remind + timedelta(minutes=10)
    scheduler.timer.start(0)  # ten minutes pass
    qtbot.waitUntil(window.isVisible)
    window.rows[task.id].done()
    qtbot.waitUntil(lambda: not window.isVisible())
    assert tasks.get(sqlite_ctx, task.id).status == "done"


def test_reminders_due_while_closed_are_gathered_and_named_at_start(app_parts, qtbot, sqlite_ctx, clock):
    scheduler, window = app_parts
    for title in ("Send the contract", "Visit the site"):
        tasks.create(
            sqlite_ctx,
            title=title,
            due_at=clock.current + timedelta(hours=2),
            remind_at=clock.current + timedelta(hours=1),
        )
    clock.current += timedelta(hours=3)  # the app was closed meanwhile
    scheduler.start()
    qtbot.waitUntil(window.isVisible)
    assert window.missed_label.text() == "2 reminders were due while CRM Desktop was closed."
    assert window.windowTitle() == "2 reminders"
    assert len(window.rows) == 2  # one window, not two dialogs


def test_the_pop_up_does_not_take_the_keyboard_from_someone_typing(app_parts, qtbot, sqlite_ctx, clock):
    scheduler, window = app_parts
    note = QLineEdit()
    qtbot.addWidget(note)
    note.show()
    note.activateWindow()
    qtbot.waitActive(note)
    note.setFocus()
    qtbot.keyClicks(note, "Client asked for")
    tasks.create(sqlite_ctx, title="Ring back", due_at=clock.current, remind_at=clock.current)
    scheduler.start()
    qtbot.waitUntil(window.isVisible)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is note)
    qtbot.keyClicks(note, " a discount")
    assert note.text() == "Client asked for a discount"
    assert QApplication.activeWindow() is note


def test_follow_up_rules_are_edited_in_settings_and_zero_means_off(open_window, qtbot, sqlite_ctx):
    from crm_desktop.services import follow_ups

    window = open_window()
    window.edit_follow_up_rules()
    qtbot.waitUntil(
        lambda: getattr(window, "rules_dialog", None) is not None and window.rules_dialog.isVisible()
    )
    dialog = window.rules_dialog
    assert dialog.spins["lead_follow_up_hours"].value() == 24
    dialog.spins["lead_follow_up_hours"].setValue(0)
    assert dialog.spins["lead_follow_up_hours"].text() == "Off"
    dialog.spins["escalation_hours"].setValue(4)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    rules = follow_ups.settings(sqlite_ctx)
    assert (rules.lead_follow_up_hours, rules.invoice_follow_up_days, rules.escalation_hours) == (0, 7, 4)


def test_a_reminder_handled_on_another_pc_leaves_this_ones_pop_up(qtbot, postgres_url, clock):
    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.ui.live_changes import LiveChanges
    from crm_desktop.ui.ops import Ops

    here_db, there_db = Database.open(postgres_url), Database.open(postgres_url)
    upgrade(here_db)
    here, there = ServiceContext(here_db, clock=clock), ServiceContext(there_db, clock=clock)
    bugs: list[BaseException] = []
    ops = Ops(here, report_bug=bugs.append)
    scheduler, window = ReminderScheduler(ops), ReminderWindow(ops)
    qtbot.addWidget(window)
    scheduler.due.connect(window.add)
    live = LiveChanges(ops)
    live.start()
    try:
        assert live.listener.wait_listening()
        task = tasks.create(here, title="Call Aziz", due_at=clock.current, remind_at=clock.current)
        scheduler.start()
        qtbot.waitUntil(window.isVisible)  # on this PC...
        tasks.complete(there, task.id, expected_version=task.version)  # ...and done on the other one
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
        assert window.rows == {}
    finally:
        live.stop()
        scheduler.timer.stop()
        ops.wait_idle()
        here_db.dispose()
        there_db.dispose()
    assert not bugs


def test_done_in_the_reminder_window_works_while_the_invoice_editor_is_open(
    open_window, qtbot, sqlite_ctx, clock
):
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtTest import QTest

    window = open_window()
    window.nav.setCurrentRow(3)
    window.invoices_view.new_invoice()
    editor = window.invoices_view.editor
    qtbot.waitUntil(lambda: editor.isVisible() and QApplication.activeModalWidget() is editor)
    task = tasks.create(sqlite_ctx, title="Call Aziz", due_at=clock.current, remind_at=clock.current)
    window.reminder_scheduler.look()
    popup = window.reminder_window
    qtbot.waitUntil(lambda: task.id in popup.rows and popup.isVisible())
    buttons = editor.buttons
    in_sight = QRect(buttons.mapToGlobal(QPoint(0, 0)), buttons.size())
    assert not popup.frameGeometry().intersects(in_sight)  # "Save and issue" and the rest stay in reach
    assert popup.rows[task.id].compact  # one line while a dialog is in front: it covers less of it
    # Through the window system, as a real click comes: a window blocked by a modal dialog gets none.
    done = popup.rows[task.id].done_button
    at = done.mapTo(popup, done.rect().center())
    QTest.mouseClick(popup.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    qtbot.waitUntil(lambda: tasks.get(sqlite_ctx, task.id).status == "done")
    assert editor.isVisible()  # the editor is left as it was


def test_the_window_sits_in_a_corner_of_the_free_screen_area(app_parts, qtbot, sqlite_ctx, clock):
    scheduler, window = app_parts
    for i in range(12):
        tasks.create(sqlite_ctx, title=f"Call {i}", due_at=clock.current, remind_at=clock.current)
    scheduler.start()
    qtbot.waitUntil(window.isVisible)
    free = window.screen().availableGeometry()
    assert free.contains(window.frameGeometry())
    assert window.frameGeometry().right() > free.center().x()  # on the right, left to right
    assert window.frameGeometry().bottom() > free.center().y()  # at the bottom
    assert window.height() <= free.height() * 3 // 5


def test_many_reminders_take_a_line_each_and_are_snoozed_at_once(app_parts, qtbot, sqlite_ctx, clock):
    scheduler, window = app_parts
    made = [
        tasks.create(
            sqlite_ctx,
            title=f"Call {i} " + "about the offer " * 12,
            due_at=clock.current,
            remind_at=clock.current,
        )
        for i in range(6)
    ]
    scheduler.start()
    qtbot.waitUntil(lambda: len(window.rows) == 6)
    row = window.rows[made[0].id]
    assert (
        row.compact
        and row.details.isHidden()
        and row.line.toolTip() == f"{made[0].title}\n{row.details.text()}"
    )
    assert row.line.text().endswith("…")  # a long title is cut to its line: the buttons stay beside it
    corner = row.dismiss_button.mapTo(window, row.dismiss_button.rect().bottomRight())
    assert window.rect().contains(corner)
    assert window.snooze_all_button.isVisible()
    with qtbot.waitSignal(scheduler.armed) as armed:
        window.snooze_all_button.menu().actions()[1].trigger()  # 1 hour
    assert armed.args == [clock.current + timedelta(hours=1)]
    assert not window.isVisible() and window.rows == {}
    assert reminders.take_due(sqlite_ctx, since=None) == []  # none of them comes back before the hour
    clock.current += timedelta(hours=1)
    assert len(reminders.take_due(sqlite_ctx, since=None)) == len(made)


def test_a_reminder_shown_and_never_handled_pops_up_again_at_the_next_start(ops, qtbot, sqlite_ctx, clock):
    task = tasks.create(sqlite_ctx, title="Call Aziz", due_at=clock.current, remind_at=clock.current)
    for _start in range(2):  # the app is closed with the window open, then started again
        scheduler, window = ReminderScheduler(ops), ReminderWindow(ops)
        qtbot.addWidget(window)
        scheduler.due.connect(window.add)
        scheduler.start()
        qtbot.waitUntil(lambda window=window: task.id in window.rows)
        scheduler.timer.stop()
        window.close()
        clock.current += timedelta(minutes=5)


def counting(init, calls: list):
    def counted(self, *args, **kwargs):
        calls.append(args[1].task_id)  # ReminderRow(ops, reminder, parent)
        init(self, *args, **kwargs)

    return counted


def test_thousands_due_after_a_long_absence_draw_a_few_rows_and_snooze_all_takes_them_all(
    app_parts, qtbot, sqlite_ctx, clock, monkeypatch
):
    from crm_desktop.ui.reminders import popup
    from crm_desktop.ui.reminders.popup import MAX_SHOWN

    scheduler, window = app_parts
    for i in range(MAX_SHOWN + 40):
        tasks.create(sqlite_ctx, title=f"Call {i}", due_at=clock.current, remind_at=clock.current)
    scheduler.start()
    qtbot.waitUntil(window.isVisible)
    assert len(window.rows) == MAX_SHOWN and len(window.waiting) == 40
    assert window.windowTitle() == f"{MAX_SHOWN + 40} reminders"
    first = next(iter(window.rows.values()))
    with qtbot.waitSignal(window.handled):
        first.dismiss()
    assert len(window.rows) == MAX_SHOWN and len(window.waiting) == 39  # the next one moved up
    drawn = []
    monkeypatch.setattr(popup.ReminderRow, "__init__", counting(popup.ReminderRow.__init__, drawn))
    window.snooze_all("1h")
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.due() == []
    assert reminders.take_due(sqlite_ctx, since=None) == []
    assert drawn == []  # the 39 waiting were never drawn only to be taken away again


def test_snooze_until_a_day_that_does_not_exist_is_refused_and_the_reminder_stays(
    app_parts, qtbot, sqlite_ctx, clock
):
    scheduler, window = app_parts
    task = tasks.create(sqlite_ctx, title="Call Aziz", due_at=clock.current, remind_at=clock.current)
    scheduler.start()
    qtbot.waitUntil(lambda: task.id in window.rows)
    dialog = window.rows[task.id].pick_time()
    field = dialog.findChild(DateTimeField)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    field.day.edit.setText("2026-02-30")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "there is no day 2026-02-30" in dialog.findChild(QLabel, "problem").text()
    assert task.id in window.rows  # not snoozed to some other day

    later = (
        (clock.current + timedelta(days=1)).astimezone().replace(hour=10, minute=0, second=0, microsecond=0)
    )
    field.day.edit.setText(later.strftime("%d.%m.%Y"))
    field.time.setText("10:00")
    with qtbot.waitSignal(scheduler.armed) as armed:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert armed.args == [later] and task.id not in window.rows
