"""The client form: create or edit one client; a field the service refuses shows why under itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services import clients
from crm_desktop.services.clients import ClientDetail
from crm_desktop.services.errors import ConflictError, ServiceError, ValidationError
from crm_desktop.services.users import UserRow
from crm_desktop.ui.ops import Ops

ERROR_STYLE = "color: #b91c1c;"


def kind_names(tr) -> dict[str, str]:
    return {"person": tr("Person"), "company": tr("Company")}


def client_status_names(tr) -> dict[str, str]:
    return {"lead": tr("Lead"), "prospect": tr("Prospect"), "customer": tr("Customer"), "inactive": tr("Inactive")}


def lines(widget: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in widget.toPlainText().splitlines() if line.strip()]


class ClientForm(QDialog):
    """`ClientForm(ops, users, client=None)`: None creates; `saved` carries the ClientDetail via `result_client`."""

    def __init__(self, ops: Ops, users: list[UserRow], client: ClientDetail | None = None,
                 sources: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.client = ops, client
        self.result_client: ClientDetail | None = None
        self.saving = False
        self.setWindowTitle(self.tr("Edit client") if client else self.tr("New client"))
        self.setMinimumWidth(460)

        self.kind = QComboBox()
        for key, label in kind_names(self.tr).items():
            self.kind.addItem(label, key)
        self.name = QLineEdit()
        self.status = QComboBox()
        for key, label in client_status_names(self.tr).items():
            self.status.addItem(label, key)
        self.phones = QPlainTextEdit()
        self.phones.setTabChangesFocus(True)
        self.phones.setPlaceholderText(self.tr("One phone number per line"))
        self.phones.setFixedHeight(54)
        self.emails = QPlainTextEdit()
        self.emails.setTabChangesFocus(True)
        self.emails.setPlaceholderText(self.tr("One email address per line"))
        self.emails.setFixedHeight(54)
        self.address = QLineEdit()
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.addItems([""] + list(sources or []))
        self.tags = QLineEdit()
        self.tags.setPlaceholderText(self.tr("Comma-separated, e.g. vip, wholesale"))
        self.owner = QComboBox()
        self.owner.addItem(self.tr("Nobody"), None)
        for user in users:
            self.owner.addItem(user.display_name, user.id)
        self.private = QCheckBox(self.tr("Private (only the owner and their manager see it)"))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)

        self.problem = QLabel()  # a failed save: what happened and what to do
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        rows = [("kind", self.tr("Kind"), self.kind), ("name", self.tr("Name"), self.name),
                ("status", self.tr("Status"), self.status), ("phones", self.tr("Phones"), self.phones),
                ("emails", self.tr("Emails"), self.emails), ("address", self.tr("Address"), self.address),
                ("source", self.tr("Source"), self.source), ("tags", self.tr("Tags"), self.tags),
                ("owner_id", self.tr("Owner"), self.owner), ("private", "", self.private),
                ("notes", self.tr("Notes"), self.notes)]
        self.fields: dict[str, QWidget] = {}
        for key, label, widget in rows:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            error = QLabel()
            error.setObjectName(f"error_{key}")
            error.setWordWrap(True)
            error.setStyleSheet(ERROR_STYLE)
            error.hide()
            column.addWidget(error)
            self.errors[key] = error
            self.fields[key] = widget
            form.addRow(label, box)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(form)
        layout.addStretch(1)  # a taller window gives the room to the end, not between the fields
        layout.addWidget(self.buttons)
        if client is not None:
            self._fill(client)
        else:
            self.owner.setCurrentIndex(max(0, self.owner.findData(ops.ctx.actor.user_id)))
        self.name.setFocus()

    def _fill(self, c: ClientDetail) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(c.kind)))
        self.name.setText(c.name)
        self.status.setCurrentIndex(max(0, self.status.findData(c.status)))
        self.phones.setPlainText("\n".join(c.phones))
        self.emails.setPlainText("\n".join(c.emails))
        self.address.setText(c.address)
        self.source.setCurrentText(c.source)
        self.tags.setText(", ".join(c.tags))
        index = self.owner.findData(c.owner_id)
        if index < 0 and c.owner_id is not None:  # an inactive owner stays as it is
            self.owner.addItem(c.owner_name, c.owner_id)
            index = self.owner.count() - 1
        self.owner.setCurrentIndex(max(0, index))
        self.private.setChecked(c.private)
        self.notes.setPlainText(c.notes)

    def values(self) -> dict:
        return {
            "kind": self.kind.currentData(), "name": self.name.text(), "status": self.status.currentData(),
            "phones": lines(self.phones), "emails": lines(self.emails), "address": self.address.text(),
            "source": self.source.currentText().strip(),
            "tags": [t.strip() for t in self.tags.text().split(",") if t.strip()],
            "owner_id": self.owner.currentData(), "private": self.private.isChecked(),
            "notes": self.notes.toPlainText(),
        }

    def save(self) -> None:
        if self.saving:
            return
        self._clear_errors()
        self.saving = True
        self.buttons.setEnabled(False)
        if self.client is None:
            self.ops.run(clients.create, **self.values(), on_done=self._saved, on_error=self._failed)
        else:
            self.ops.run(clients.update, self.client.id, expected_version=self.client.version, **self.values(),
                         on_done=self._saved, on_error=self._failed)

    def _saved(self, client: ClientDetail) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        self.result_client = client
        self.accept()

    def _failed(self, error: ServiceError) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationError) and error.field in self.errors:
            label = self.errors[error.field]
            label.setText(error.message)
            label.show()
            self.fields[error.field].setFocus()
            return
        if isinstance(error, ConflictError):
            text = self.tr("{message}\nYour input is still here: copy what you need, press Cancel and open "
                           "the client again.").format(message=error.message)
        else:
            text = self.tr("{message}\nNothing was saved; your input is still here. Try Save again.").format(
                message=error.message)
        self.problem.setText(text)
        self.problem.show()

    def _clear_errors(self) -> None:
        self.problem.hide()
        for label in self.errors.values():
            label.hide()

    def keyPressEvent(self, event) -> None:
        # Enter saves from any single-line field; inside multi-line fields Ctrl+Enter does.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.save()
            return
        super().keyPressEvent(event)
