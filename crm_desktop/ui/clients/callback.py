"""The "Call back at…" dialog: a date-time preset to tomorrow morning, Enter creates the task with its
reminder."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services import tasks
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.reminders import tomorrow_morning
from crm_desktop.ui.date_field import DateTimeField
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops


class CallBackDialog(QDialog):
    def __init__(self, ops: Ops, client_id: int, client_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.client_id, self.client_name = ops, client_id, client_name
        self.created = None
        self.setWindowTitle(fill(self.tr("Call back {name}"), name=client_name))
        self.when = DateTimeField(tomorrow_morning(ops.ctx.now(), ops.ctx.zone()))
        self.problem = error_label("problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create task"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        question = QLabel(
            fill(
                self.tr("When should {name} be called back? A reminder is set for that time."),
                name=client_name,
            )
        )
        question.setWordWrap(True)  # a long name wraps instead of widening the dialog past the screen
        layout.addWidget(question)
        layout.addWidget(self.when)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.when.setFocus()

    def due_at(self) -> datetime | None:
        return self.when.typed_datetime()

    def save(self) -> None:
        if message := self.when.problem(self.tr("The call-back time")):
            show_error(self.problem, message)
            self.when.setFocus()
            return
        due = self.due_at()
        self.buttons.setEnabled(False)
        self.ops.write(
            tasks.create,
            title=fill(self.tr("Call back {name}"), name=self.client_name),
            client_id=self.client_id,
            due_at=due,
            remind_at=due,
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, task) -> None:
        self.buttons.setEnabled(True)
        self.created = task
        self.accept()

    def _failed(self, error: ServiceError) -> None:
        self.buttons.setEnabled(True)
        self.problem.setText(
            fill(
                self.tr("{message}\nThe task was not created; change the time or try again."),
                message=error.message,
            )
        )
        self.problem.show()
