"""The small task form the calendar opens: new task at a slot, or edit one. Saves through Ops."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.db.models import TASK_PRIORITIES
from crm_desktop.services import tasks
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.services.tasks import MAX_DURATION_MINUTES, TaskRow
from crm_desktop.ui.calendar.canvas import about
from crm_desktop.ui.ops import Ops

# Reminder choices: minutes before the due time (None: no reminder).
REMINDERS = (None, 0, 5, 15, 30, 60, 24 * 60)


class TaskDialog(QDialog):
    def __init__(self, ops: Ops, *, due: datetime | None = None, task: TaskRow | None = None,
                 assignee_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.task, self.assignee_id = ops, task, assignee_id
        self.saved: TaskRow | None = None
        self.setWindowTitle(self.tr("Edit task") if task else self.tr("New task"))
        self.title = QLineEdit(task.title if task else "")
        self.due = QDateTimeEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd HH:mm")
        when = (task.due_at.astimezone() if task and task.due_at else due) or datetime.now().astimezone()
        self.due.setDateTime(QDateTime(when.replace(tzinfo=None)))
        self.duration = QSpinBox()
        self.duration.setRange(1, MAX_DURATION_MINUTES)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(self.tr(" min"))
        self.duration.setValue(task.duration_minutes if task else 30)
        self.priority = QComboBox()
        names = {"low": self.tr("Low"), "normal": self.tr("Normal"), "high": self.tr("High")}
        for p in TASK_PRIORITIES:
            self.priority.addItem(names.get(p, p), p)
        self.priority.setCurrentIndex(self.priority.findData(task.priority if task else "normal"))
        self.reminder = QComboBox()
        for minutes in REMINDERS:
            self.reminder.addItem(self._reminder_text(minutes), minutes)
        if task and task.remind_at and task.due_at:
            before = round((task.due_at - task.remind_at).total_seconds() / 60)
            if self.reminder.findData(before) < 0:
                self.reminder.addItem(self.tr("{0} min before").format(before), before)
            self.reminder.setCurrentIndex(self.reminder.findData(before))
        if task and about(task):
            self.about = QLabel(about(task))
        self.problem = QLabel()  # what went wrong with the save as a whole (conflict, busy)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.hide()
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label, widget in (("title", self.tr("&Title"), self.title), ("due_at", self.tr("&When"), self.due),
                                   ("duration_minutes", self.tr("&Duration"), self.duration),
                                   ("priority", self.tr("&Priority"), self.priority),
                                   ("remind_at", self.tr("&Reminder"), self.reminder)):
            form.addRow(label, self._with_error(key, widget))
        if task and about(task):
            form.addRow(self.tr("About"), self.about)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)  # Enter saves, Esc cancels
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)
        self.title.setFocus()

    def _with_error(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        box.setFocusProxy(widget)  # the label's mnemonic focuses the field
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        error = QLabel()
        error.setWordWrap(True)
        error.setStyleSheet("color: #b00020;")
        error.hide()
        lay.addWidget(error)
        self.errors[key] = error
        return box

    def _reminder_text(self, minutes: int | None) -> str:
        if minutes is None:
            return self.tr("No reminder")
        if minutes == 0:
            return self.tr("At the due time")
        if minutes % (24 * 60) == 0:
            return self.tr("{0} day(s) before").format(minutes // (24 * 60))
        if minutes % 60 == 0:
            return self.tr("{0} hour(s) before").format(minutes // 60)
        return self.tr("{0} min before").format(minutes)

    def values(self) -> dict:
        due = self.due.dateTime().toPython().astimezone()  # the edit shows local time
        before = self.reminder.currentData()
        return {"title": self.title.text(), "due_at": due, "duration_minutes": self.duration.value(),
                "priority": self.priority.currentData(),
                "remind_at": None if before is None else due - timedelta(minutes=before)}

    def save(self) -> None:
        for label in (*self.errors.values(), self.problem):
            label.hide()
        self.save_button.setEnabled(False)
        if self.task is None:
            extra = {} if self.assignee_id is None else {"assignee_id": self.assignee_id}
            self.ops.run(tasks.create, **self.values(), **extra, on_done=self._saved, on_error=self._failed)
        else:
            self.ops.run(tasks.update, self.task.id, expected_version=self.task.version, **self.values(),
                         on_done=self._saved, on_error=self._failed)

    def _saved(self, row: TaskRow) -> None:
        if not isValid(self):
            return  # closed while the save was on its way; it is saved all the same
        self.saved = row
        self.accept()

    def _failed(self, error: ServiceError) -> None:
        if not isValid(self):
            return
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and error.field in self.errors:
            self.errors[error.field].setText(error.message)
            self.errors[error.field].show()
        else:
            self.problem.setText(error.message)
            self.problem.show()
        self.adjustSize()  # room for the message, which wraps
