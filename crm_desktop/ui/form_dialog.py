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
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services.context import DatabaseUnavailable
from crm_desktop.services.errors import ConflictError, ServiceError, ValidationError
from crm_desktop.services.merge import MergeConflict
from crm_desktop.ui.conflict_dialog import ConflictDialog
from crm_desktop.ui.date_field import DateField, DateTimeField
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
    if message:
        grow_to_fit(label.window())


def grow_to_fit(window: QWidget) -> None:
    """A message appeared in the dialog `window`: it grows (never shrinks) to show it whole, within the
    screen; left at its size, the layout would squeeze the fields or push the buttons out of sight."""
    if not isinstance(window, QDialog) or not window.isVisible():
        return
    if (layout := window.layout()) is not None:
        layout.activate()
    wanted, screen = window.sizeHint(), window.screen().availableGeometry()
    width = min(max(window.width(), wanted.width()), screen.width())
    height = min(max(window.height(), wanted.height()), screen.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)


def field_value(widget: QWidget) -> Any:
    """What a field holds, as far as closing the form could lose it."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return (widget.currentData(), widget.currentText())
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    value = getattr(widget, "value", None)
    return value() if callable(value) else None


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
        # The field with its error line: what QFormLayout knows as the row's field (fields[key] is inside it).
        self.boxes: dict[str, QWidget] = {}
        self.labels: dict[str, str] = {}  # as shown beside each field, without the & of its shortcut
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._as_opened: Any = None  # form_state() when shown: closing a form that differs asks first
        self.close_question: QMessageBox | None = None

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        """A field with its error line, known to the save machinery, for the caller to place."""
        self.errors[key] = error_label(f"error_{key}")
        self.fields[key] = widget
        # A check box carries its own label: "Private (…)" names the field as well as any row label.
        self.labels[key] = (label or (widget.text() if isinstance(widget, QAbstractButton) else key)).replace(
            "&", ""
        )
        self.boxes[key] = with_error(widget, self.errors[key])
        return self.boxes[key]

    def add_row(self, key: str, label: str, widget: QWidget) -> None:
        self.form.addRow(label, self.add_field(key, label, widget))

    def set_row_visible(self, key: str, visible: bool) -> None:
        """Show or hide a row, label included. QFormLayout knows the row by the box around the field:
        given the field itself it does nothing but print "Invalid widget"."""
        self.form.setRowVisible(self.boxes[key], visible)

    def row_visible(self, key: str) -> bool:
        return self.form.isRowVisible(self.boxes[key])

    def finish_layout(self, *below_fields: QWidget | QLayout, grow: QWidget | None = None) -> QVBoxLayout:
        """Problem line, rows, what comes below them, buttons. `grow` (one of `below_fields`) takes the
        spare height; without it the room goes to the end, not between the fields."""
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(self.form)
        for item in below_fields:
            if isinstance(item, QLayout):
                layout.addLayout(item)
            else:
                layout.addWidget(item, 1 if item is grow else 0)
        if grow is None:
            layout.addStretch(1)
        layout.addWidget(self.buttons)
        return layout

    # --- saving ---

    def submit(self, on_done: Callable[[Any], None], on_error: Callable[[ServiceError], None]) -> None:
        """Send the fields to the service through `self.ops.write(..., on_done=on_done, on_error=on_error,
        initiator=self)`."""
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
        return self.tr(
            "Your input is still here: copy what you need, press Cancel and open the record again."
        )

    def save(self) -> None:
        if self.saving:
            return
        self._clear_errors()
        dates = [key for key, widget in self.fields.items() if isinstance(widget, DateField | DateTimeField)]
        if any(self.refuse_bad_date(key) for key in dates if self.fields[key].isVisibleTo(self)):
            return
        self.set_saving(True)
        self.submit(self._saved, self._failed)

    def refuse_bad_date(self, key: str) -> bool:
        """True, with the message next to it and the focus in it, when date (or date and time) field `key`
        holds no day (a day that does not exist is never guessed at)."""
        field = self.fields[key]
        assert isinstance(field, DateField | DateTimeField)
        message = field.problem(self.labels[key])
        if message:
            show_error(self.errors[key], message)
            field.setFocus()
        return bool(message)

    def set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.buttons.setEnabled(not saving)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if not saving and save is not None:
            save.setDefault(True)  # disabling took the default away: Enter would no longer save

    def _saved(self, record: Any) -> None:
        self.set_saving(False)
        self.result_record = record
        self.saved.emit(record)
        self.accept()

    def _failed(self, error: ServiceError) -> None:
        self.set_saving(False)
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
            show_error(
                self.problem,
                self.tr(
                    "The connection to the server is lost. Trying again every few "
                    "seconds; what you typed is kept."
                ),
            )
            self.retry_timer.start()
            return
        if isinstance(error, ConflictError):
            text = f"{error.message}\n{self.conflict_hint()}"
        else:
            text = fill(
                self.tr("{message}\nNothing was saved; your input is still here. Try Save again."),
                message=error.message,
            )
        show_error(self.problem, text)

    def done(self, result: int) -> None:
        self.retry_timer.stop()  # closed (saved or cancelled): nothing left to retry
        super().done(result)

    # --- closing without saving ---

    def form_state(self) -> Any:
        """What the user can change here; subclasses add what is not a field (an invoice's lines)."""
        return tuple(field_value(widget) for widget in self.fields.values())

    def mark_unchanged(self) -> None:
        """What the form shows now is what it was opened with (forms that fill fields after a read)."""
        self._as_opened = self.form_state()

    def has_changes(self) -> bool:
        return self._as_opened is not None and self.form_state() != self._as_opened

    def showEvent(self, event) -> None:
        if self._as_opened is None:
            self.mark_unchanged()
        super().showEvent(event)

    def reject(self) -> None:
        """Cancel, Esc or the window's close button: a changed form asks before its input is lost."""
        if not self.has_changes() or not self.isVisible():
            super().reject()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.windowTitle(),
            self.tr("You changed this form. Save the changes before closing it?"),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Discard).setText(self.tr("Discard changes"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Keep editing"))
        box.setDefaultButton(QMessageBox.StandardButton.Save)  # Enter keeps the input, never drops it
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self._close_answered(box.standardButton(box.clickedButton())))
        self.close_question = box
        box.open()

    def _close_answered(self, answer: QMessageBox.StandardButton) -> None:
        self.close_question = None
        if answer == QMessageBox.StandardButton.Save:
            self.save()
        elif answer == QMessageBox.StandardButton.Discard:
            super().reject()

    def _clear_errors(self) -> None:
        for label in (self.problem, *self.errors.values()):
            show_error(label, "")

    def keyPressEvent(self, event) -> None:
        # Enter saves from a single-line field; inside a multi-line field Ctrl+Enter does.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.save()
            return
        super().keyPressEvent(event)
