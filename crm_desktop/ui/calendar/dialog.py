"""The small task form the calendar opens: new task at a slot, or edit one. Saves through Ops."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import tasks, time_tracking, visits
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.tasks import MAX_DURATION_MINUTES, PRIORITIES, TaskRow, ToPlan
from crm_desktop.ui.calendar.repeat import RepeatEdit
from crm_desktop.ui.client_picker import ClientPicker
from crm_desktop.ui.date_field import DateTimeField
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops

# Reminder choices: minutes before the due time (None: no reminder).
REMINDERS = (None, 0, 5, 15, 30, 60, 24 * 60)


class TaskDialog(FormDialog):
    def __init__(
        self,
        ops: Ops,
        *,
        due: datetime | None = None,
        task: TaskRow | None = None,
        assignee_id: int | None = None,
        about: ToPlan | None = None,
        parent: QWidget | None = None,
    ):
        """A new task at `due`, or about the client and deal of `about` (the next activity after one was
        done); or `task` to edit."""
        super().__init__(ops, parent)
        self.task, self.assignee_id, self.about = task, assignee_id, about
        self.setWindowTitle(self.tr("Edit task") if task else self.tr("New task"))
        self.title = QLineEdit(task.title if task else "")
        when = (task.due_at.astimezone() if task and task.due_at else due) or datetime.now().astimezone()
        self.due = DateTimeField(when)
        self.duration = QSpinBox()
        self.duration.setRange(1, MAX_DURATION_MINUTES)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(self.tr(" min"))
        self.duration.setValue(task.duration_minutes if task else 30)
        self.priority = QComboBox()
        names = {"low": self.tr("Low"), "normal": self.tr("Normal"), "high": self.tr("High")}
        for p in PRIORITIES:
            self.priority.addItem(names.get(p, p), p)
        self.priority.setCurrentIndex(self.priority.findData(task.priority if task else "normal"))
        self.reminder = QComboBox()
        for minutes in REMINDERS:
            self.reminder.addItem(self._reminder_text(minutes), minutes)
        if task and task.remind_at and task.due_at:
            before = round((task.due_at - task.remind_at).total_seconds() / 60)
            if self.reminder.findData(before) < 0:
                self.reminder.addItem(fill(self.tr("{n} min before"), n=before), before)
            self.reminder.setCurrentIndex(self.reminder.findData(before))
        self.repeat = RepeatEdit()
        self.repeat.set_rule(task.recurrence if task else "", when.weekday())
        if task:
            self.client = ClientPicker(ops, client_id=task.client_id, name=task.client_name)
        else:
            self.client = ClientPicker(
                ops, client_id=about.client_id if about else None, name=about.client_name if about else ""
            )
        self.client.setPlaceholderText(self.tr("Who it is about (optional): name, phone digits or email"))
        for key, label, widget in (
            ("title", self.tr("&Title"), self.title),
            ("due_at", self.tr("&When"), self.due),
            ("duration_minutes", self.tr("&Duration"), self.duration),
            ("priority", self.tr("&Priority"), self.priority),
            ("remind_at", self.tr("&Reminder"), self.reminder),
            ("recurrence", self.tr("Re&peat"), self.repeat),
            ("client_id", self.tr("&Client"), self.client),
        ):
            self.add_row(key, label, widget)
        deal_title = task.deal_title if task else about.deal_title if about else ""
        if deal_title:
            self.deal = QLabel(deal_title)
            self.form.addRow(self.tr("Deal"), self.deal)
        self.checklist = QListWidget()
        self.question: QMessageBox | None = None  # "only this visit, or the following too?"
        below: list[QWidget] = []
        if task is not None and task.series_id is not None:  # a visit of a recurring series
            self.set_row_visible("recurrence", False)  # (its series repeats it)
            for text, done in task.checklist:
                item = QListWidgetItem(text)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
                self.checklist.addItem(item)
            self.checklist.itemChanged.connect(self._ticked)
            if task.checklist:
                below = [QLabel(self.tr("Checklist")), self.checklist]
            if task.status == "open":
                skip = self.buttons.addButton(
                    self.tr("Skip this visit"), QDialogButtonBox.ButtonRole.ActionRole
                )
                skip.clicked.connect(self.skip_visit)
        if task is not None and task.status == "open":
            timer = self.buttons.addButton(self.tr("Start timer"), QDialogButtonBox.ButtonRole.ActionRole)
            timer.setToolTip(self.tr("Time spent on this task from now on (the status bar shows it running)"))
            timer.clicked.connect(self.start_timer)
        self.finish_layout(*below)
        self.setMinimumWidth(480)
        self.title.setFocus()

    def _reminder_text(self, minutes: int | None) -> str:
        if minutes is None:
            return self.tr("No reminder")
        if minutes == 0:
            return self.tr("At the due time")
        if minutes % (24 * 60) == 0:
            days = minutes // (24 * 60)
            return fill(ngettext("1 day before", "{n} days before", days), n=days)
        if minutes % 60 == 0:
            hours = minutes // 60
            return fill(ngettext("1 hour before", "{n} hours before", hours), n=hours)
        return fill(self.tr("{n} min before"), n=minutes)

    def values(self) -> dict:
        due = self.due.typed_datetime(self.labels["due_at"])  # FormDialog.save refused it if it is none
        before = self.reminder.currentData()
        return {
            "title": self.title.text(),
            "due_at": due,
            "duration_minutes": self.duration.value(),
            "priority": self.priority.currentData(),
            "client_id": self.client.client_id,
            "recurrence": self.repeat.rule(),
            "remind_at": None if before is None else due - timedelta(minutes=before),
        }

    def _ticked(self, item: QListWidgetItem) -> None:
        assert self.task is not None
        row = self.checklist.row(item)
        done = item.checkState() == Qt.CheckState.Checked
        self.ops.write(tasks.tick, self.task.id, row, done, initiator=self)

    def start_timer(self) -> None:
        assert self.task is not None
        self.ops.write(time_tracking.start_timer, task_id=self.task.id)

    def skip_visit(self) -> None:
        """This visit is not made (the client is away); the series goes on."""
        assert self.task is not None
        self.ops.write(
            visits.skip, self.task.id, expected_version=self.task.version, on_done=lambda _n: self.accept()
        )

    def _changes_the_series(self, values: dict) -> bool:
        """The visit's title, time of day or duration changed: perhaps those of the visits after it too."""
        task = self.task
        if task is None or task.series_id is None or task.due_at is None:
            return False
        clock = values["due_at"].astimezone(self.ops.ctx.zone()).time()
        was = task.due_at.astimezone(self.ops.ctx.zone()).time()
        return (values["title"], values["duration_minutes"], clock) != (
            task.title,
            task.duration_minutes,
            was,
        )

    def _ask_which_visits(self, values: dict, on_done, on_error) -> None:
        question = self.tr("Change only this visit, or this one and the following visits of the series?")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Recurring visit"),
            question,
            QMessageBox.StandardButton.Cancel,
            self,
        )
        only = box.addButton(self.tr("Only this visit"), QMessageBox.ButtonRole.AcceptRole)
        following = box.addButton(self.tr("This and the following"), QMessageBox.ButtonRole.AcceptRole)
        self.question = box

        def answered(_result: int) -> None:
            assert self.task is not None
            if box.clickedButton() is only:
                self._update(values, on_done, on_error)
            elif box.clickedButton() is following:
                clock = values["due_at"].astimezone(self.ops.ctx.zone()).strftime("%H:%M")
                self.ops.write(
                    visits.change_following, self.task.id, title=values["title"], at_time=clock,
                    duration_minutes=values["duration_minutes"], on_done=lambda _row: on_done(self.task),
                    on_error=on_error,
                )  # fmt: skip
            else:
                self.set_saving(False)

        box.finished.connect(answered)
        box.open()

    def _update(self, values: dict, on_done, on_error) -> None:
        assert self.task is not None
        self.ops.write(
            tasks.update,
            self.task.id,
            expected_version=self.task.version,
            base=tasks.editable_values(self.task),
            decided=self.decided,
            **values,
            on_done=on_done,
            on_error=on_error,
        )

    def submit(self, on_done, on_error) -> None:
        if self.client.text().strip() and self.client.client_id is None:
            on_error(
                ValidationError(
                    "client_id",
                    self.tr("Choose the client from the list that opens as you type, or clear the field."),
                )
            )
            return
        if self.task is None:
            extra = {} if self.assignee_id is None else {"assignee_id": self.assignee_id}
            if self.about is not None and self.about.deal_id is not None:
                extra["deal_id"] = self.about.deal_id
            self.ops.write(
                tasks.create,
                **self.values(),
                **extra,
                request_id=self.request_id,
                on_done=on_done,
                on_error=on_error,
            )
        elif self._changes_the_series(values := self.values()):
            self._ask_which_visits(values, on_done, on_error)
        else:
            self._update(values, on_done, on_error)
