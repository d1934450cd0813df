"""What every record form shares: fields with their own error line, and a save that never loses input.

A refused field is named right under it and gets the focus; a save that failed as a whole (someone
else saved first, the database is locked) is explained above the fields and the form stays open with
everything typed, so the user can fix it or try again. When the server is gone, the form says so and
tries again by itself until it answers (or the user cancels); `request_id`, made once per form and
sent with a new record, lets a retried save find the record an earlier try already stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from crm_desktop.services.context import DatabaseUnavailable
from crm_desktop.services.errors import ConflictError, ServiceError, ValidationError
from crm_desktop.services.merge import MergeConflict
from crm_desktop.ui.conflict_dialog import ConflictDialog
from crm_desktop.ui.ops import Ops

ERROR_STYLE = "color: #b91c1c;"
RETRY_MS = 2000


def error_label(name: str = "") -> QLabel:
    label = QLabel()
    if name:
        label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


def with_error(widget: QWidget, error: QLabel) -> QWidget:
    """The field with its error line right under it, as one form row."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    column.addWidget(error)
    return box


class FormDialog(QDialog):
    """Subclasses add their rows with `add_row`, call `finish_layout`, and implement `submit`."""

    saved = Signal(object)  # the record as stored

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.request_id = str(uuid.uuid4())  # the record this form makes, the same on every retry
        self.retry_timer = QTimer(self, singleShot=True, interval=RETRY_MS)
        self.retry_timer.timeout.connect(self.save)
        # Someone saved the same record meanwhile: the user's answers per field, sent with the next save.
        self.decided: dict[str, Any] = {}
        self.conflict: ConflictDialog | None = None
        self.saving = False
        self.result_record: Any = None
        self.problem = error_label("problem")  # a failed save: what happened and what to do
        self.form = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, str] = {}  # as shown beside each field, without the & of its shortcut
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def add_row(self, key: str, label: str, widget: QWidget) -> None:
        self.errors[key] = error_label(f"error_{key}")
        self.fields[key] = widget
        # A check box carries its own label: "Private (…)" names the field as well as any row label.
        self.labels[key] = (label or (widget.text() if isinstance(widget, QAbstractButton) else key)).replace("&", "")
        self.form.addRow(label, with_error(widget, self.errors[key]))

    def finish_layout(self, *below_fields: QWidget) -> QVBoxLayout:
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(self.form)
        for widget in below_fields:
            layout.addWidget(widget)
        layout.addStretch(1)  # a taller window gives the room to the end, not between the fields
        layout.addWidget(self.buttons)
        return layout

    # --- saving ---

    def submit(self, on_done: Callable[[Any], None], on_error: Callable[[ServiceError], None]) -> None:
        """Send the fields to the service through `self.ops.run(..., on_done=on_done, on_error=on_error)`."""
        raise NotImplementedError

    def shown_value(self, field: str, value: Any) -> str:
        """A stored value as the form shows it, for the conflict dialog (forms name their choices)."""
        if value in (None, "", []):
            return self.tr("(empty)")
        if isinstance(value, bool):
            return self.tr("Yes") if value else self.tr("No")
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return str(value)

    def conflict_hint(self) -> str:
        """What to do when someone else saved the record first."""
        return self.tr("Your input is still here: copy what you need, press Cancel and open the record again.")

    def save(self) -> None:
        if self.saving:
            return
        self._clear_errors()
        self.saving = True
        self.buttons.setEnabled(False)
        self.submit(self._saved, self._failed)

    def _saved(self, record: Any) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        self.result_record = record
        self.saved.emit(record)
        self.accept()

    def _failed(self, error: ServiceError) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationError) and error.field in self.errors:
            show_error(self.errors[error.field], error.message)
            self.fields[error.field].setFocus()
            return
        if isinstance(error, MergeConflict):
            self.conflict = ConflictDialog(error, self.labels, self.shown_value, self)
            self.conflict.chosen.connect(lambda values: (self.decided.update(values), self.save()))
            self.conflict.open()
            return
        if isinstance(error, DatabaseUnavailable):
            show_error(self.problem, self.tr("The connection to the server is lost. Trying again every few "
                                             "seconds; what you typed is kept."))
            self.retry_timer.start()
            return
        if isinstance(error, ConflictError):
            text = f"{error.message}\n{self.conflict_hint()}"
        else:
            text = self.tr("{message}\nNothing was saved; your input is still here. Try Save again.").format(
                message=error.message)
        show_error(self.problem, text)

    def done(self, result: int) -> None:
        self.retry_timer.stop()  # closed (saved or cancelled): nothing left to retry
        super().done(result)

    def _clear_errors(self) -> None:
        for label in (self.problem, *self.errors.values()):
            show_error(label, "")

    def keyPressEvent(self, event) -> None:
        # Enter saves from a single-line field; inside a multi-line field Ctrl+Enter does.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.save()
            return
        super().keyPressEvent(event)
