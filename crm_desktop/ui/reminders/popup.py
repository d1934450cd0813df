"""The reminder window: every due reminder in one list, each with Done, Snooze and Open.

It appears without taking the keyboard (someone may be typing a note) and stays on top until the
reminders in it are handled; reminders coming due while it is open join the list instead of
stacking dialogs. Reminders handled on another PC (or in the calendar) leave it by themselves.
"""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services import reminders
from crm_desktop.services.context import Changes
from crm_desktop.services.reminders import Reminder
from crm_desktop.ui.ops import Ops


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


class ReminderRow(QFrame):
    handled = Signal(int)  # task id: done, snoozed or dismissed
    open_requested = Signal(object)  # Reminder

    def __init__(self, ops: Ops, reminder: Reminder, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.reminder = ops, reminder
        self.setObjectName("reminder")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(f"<b>{html.escape(reminder.title)}</b>")
        title.setWordWrap(True)
        about = " · ".join(x for x in (reminder.client_name, reminder.deal_title) if x)
        when = self.tr("Due {when}").format(when=_local(reminder.due_at)) if reminder.due_at else ""
        self.details = QLabel(" — ".join(x for x in (about, when) if x))
        self.details.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.done_button = QPushButton(self.tr("Done"))
        self.done_button.clicked.connect(self.done)
        self.snooze_button = QToolButton(text=self.tr("Snooze"))
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.snooze_button)
        self.snooze_actions = {
            "10min": menu.addAction(self.tr("10 minutes"), lambda: self.snooze("10min")),
            "1h": menu.addAction(self.tr("1 hour"), lambda: self.snooze("1h")),
            "tomorrow": menu.addAction(self.tr("Tomorrow morning"), lambda: self.snooze("tomorrow")),
            "pick": menu.addAction(self.tr("Pick a time…"), self.pick_time),
        }
        self.snooze_button.setMenu(menu)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(lambda: self.open_requested.emit(self.reminder))
        self.dismiss_button = QToolButton(text="✕")
        self.dismiss_button.setToolTip(
            self.tr("Dismiss: the task stays open, the reminder does not come back")
        )
        self.dismiss_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.snooze_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.details)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

    @property
    def task_id(self) -> int:
        return self.reminder.task_id

    def done(self) -> None:
        self._handle(reminders.done, self.task_id, expected_version=self.reminder.version)

    def snooze(self, choice: str) -> None:
        ctx = self.ops.ctx
        self.snooze_until(reminders.snooze_choices(ctx.now(), ctx.zone())[choice])

    def snooze_until(self, when: datetime) -> None:
        self._handle(reminders.snooze, self.task_id, when)

    def dismiss(self) -> None:
        self._handle(reminders.dismiss, self.task_id)

    def pick_time(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Snooze until"))
        edit = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(edit)
        layout.addWidget(buttons)
        dialog.accepted.connect(lambda: self.snooze_until(edit.dateTime().toPython().astimezone()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.time_dialog = dialog
        return dialog

    def _handle(self, fn, *args, **kwargs) -> None:
        self.problem.hide()
        self.ops.write(
            fn, *args, **kwargs, on_done=lambda _row: self.handled.emit(self.task_id), on_error=self._failed
        )

    def _failed(self, error) -> None:
        self.problem.setText(error.message)
        self.problem.show()


class ReminderWindow(QWidget):
    open_requested = Signal(object)  # Reminder: show its client or task
    handled = Signal(int)  # a task's reminder was handled here: the scheduler re-arms

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        # Shown without taking the keyboard: whoever is typing keeps typing (a click still works).
        super().__init__(
            parent,
            Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.ops = ops
        self.setObjectName("reminders")
        self.setWindowTitle(self.tr("Reminders"))
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.resize(420, 320)
        self.missed_label = QLabel()
        self.missed_label.setWordWrap(True)
        self.missed_label.hide()
        self.rows: dict[int, ReminderRow] = {}
        self._list = QVBoxLayout()
        self._list.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(self.missed_label)
        layout.addWidget(scroll, 1)
        ops.changed.connect(self._changed)

    def add(self, found: list[Reminder]) -> None:
        missed = [r for r in found if r.missed]
        if missed:
            text = (
                self.tr("1 reminder was due while CRM Desktop was closed.")
                if len(missed) == 1
                else self.tr("{n} reminders were due while CRM Desktop was closed.").format(n=len(missed))
            )
            self.missed_label.setText(text)
            self.missed_label.show()
        for reminder in found:
            if reminder.task_id in self.rows:
                continue
            row = ReminderRow(self.ops, reminder, self)
            row.handled.connect(self._remove)
            row.handled.connect(self.handled)
            row.open_requested.connect(self.open_requested)
            self._list.insertWidget(self._list.count() - 1, row)
            self.rows[reminder.task_id] = row
        self._update_title()
        self._show_keeping_focus()

    def _show_keeping_focus(self) -> None:
        typing_in = QApplication.focusWidget()
        self.show()
        self.raise_()
        # Some window systems activate a new window whatever it asks for: hand the keyboard back.
        if typing_in is not None and typing_in.window() is not self:
            QTimer.singleShot(0, lambda: _give_back(typing_in, self))

    def _remove(self, task_id: int) -> None:
        row = self.rows.pop(task_id, None)
        if row is not None:
            row.hide()
            row.deleteLater()
        self._update_title()
        if not self.rows:
            self.missed_label.hide()
            self.hide()

    def _update_title(self) -> None:
        n = len(self.rows)
        self.setWindowTitle(self.tr("Reminder") if n == 1 else self.tr("{n} reminders").format(n=n))

    def _changed(self, changes: Changes) -> None:
        if self.rows and "tasks" in changes.tables:
            shown = list(self.rows)
            self.ops.read(
                reminders.still_pending,
                shown,
                on_done=lambda pending: [self._remove(i) for i in shown if i not in pending],
            )


def _give_back(widget: QWidget, popup: QWidget) -> None:
    if isValid(widget) and QApplication.activeWindow() in (popup, None) and widget.isVisible():
        widget.window().activateWindow()
        widget.setFocus()
