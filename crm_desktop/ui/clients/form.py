"""The client form: create or edit one client; a field the service refuses shows why under itself."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from crm_desktop.services import clients
from crm_desktop.services.clients import ClientDetail
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.users import UserRow
from crm_desktop.ui.client_picker import ClientPicker
from crm_desktop.ui.form_dialog import FormDialog, show_error
from crm_desktop.ui.language_choice import language_combo
from crm_desktop.ui.ops import Ops


class _PickerRow(QWidget):
    """A picker with a button beside it, seen by the form as the picker (focus, what closing loses)."""

    def __init__(self, picker: QLineEdit):
        super().__init__()
        self.picker = picker
        self.setFocusProxy(picker)

    def value(self) -> str:
        return self.picker.text()


def kind_names() -> dict[str, str]:
    return {kind: clients.kind_name(kind).render() for kind in clients.KIND_NAMES}


def client_status_names() -> dict[str, str]:
    return {status: clients.status_name(status).render() for status in clients.STATUS_NAMES}


def lines(widget: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in widget.toPlainText().splitlines() if line.strip()]


class ClientForm(FormDialog):
    """`ClientForm(ops, users, client=None)`: None creates; the saved ClientDetail is `result_record`."""

    def __init__(
        self,
        ops: Ops,
        users: list[UserRow],
        client: ClientDetail | None = None,
        sources: list[str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(ops, parent)
        self.client = client
        self.users = users
        self.setWindowTitle(self.tr("Edit client") if client else self.tr("New client"))
        self.setMinimumWidth(460)

        self.kind = QComboBox()
        for key, label in kind_names().items():
            self.kind.addItem(label, key)
        self.name = QLineEdit()
        self.company = ClientPicker(ops, companies_only=True)  # the company a person works for
        self.company.setPlaceholderText(self.tr("Type the company's name (optional)"))
        self.status = QComboBox()
        for key, label in client_status_names().items():
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

        # what their invoices and quotes are written in
        self.language = language_combo("", first=(self.tr("As the company's"), ""))
        for key, label, widget in [
            ("kind", self.tr("Kind"), self.kind),
            ("name", self.tr("Name"), self.name),
            ("company_id", self.tr("Company"), self._company_row()),
            ("status", self.tr("Status"), self.status),
            ("phones", self.tr("Phones"), self.phones),
            ("emails", self.tr("Emails"), self.emails),
            ("address", self.tr("Address"), self.address),
            ("source", self.tr("Source"), self.source),
            ("tags", self.tr("Tags"), self.tags),
            ("owner_id", self.tr("Owner"), self.owner),
            ("language", self.tr("Documents in"), self.language),
            ("private", "", self.private),
            ("notes", self.tr("Notes"), self.notes),
        ]:
            self.add_row(key, label, widget)
        self.finish_layout()
        self.kind.currentIndexChanged.connect(lambda _i: self._show_company())
        if client is not None:
            self._fill(client)
        else:
            self.owner.setCurrentIndex(max(0, self.owner.findData(ops.ctx.actor.user_id)))
        self._show_company()
        self.name.setFocus()

    def _company_row(self) -> QWidget:
        """The company picker, and a button that makes the company typed when it is not there yet."""
        self.new_company_button = QPushButton(self.tr("New company"))
        self.new_company_button.setAutoDefault(False)
        self.new_company_button.setToolTip(self.tr("Add the company as typed and link this person to it"))
        self.new_company_button.clicked.connect(self.new_company)
        self.company.textEdited.connect(lambda _text: self._offer_new_company())
        self.company.chosen.connect(lambda *_: self._offer_new_company())
        row = _PickerRow(self.company)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.company, 1)
        line.addWidget(self.new_company_button)
        self.new_company_button.hide()
        return row

    def _offer_new_company(self) -> None:
        self.new_company_button.setVisible(
            bool(self.company.text().strip()) and self.company.client_id is None
        )

    def new_company(self) -> None:
        name = self.company.text().strip()

        def made(company: ClientDetail) -> None:
            self.company.choose(company.id, company.name)
            self._offer_new_company()

        self.ops.write(
            clients.create,
            kind="company",
            name=name,
            owner_id=self.owner.currentData(),
            on_done=made,
            on_error=lambda error: show_error(self.errors["company_id"], error.message),
        )

    def _show_company(self) -> None:
        # A company has no company of its own; a person may work for one.
        self.set_row_visible("company_id", self.kind.currentData() == "person")

    def _fill(self, c: ClientDetail) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(c.kind)))
        self.name.setText(c.name)
        if c.company_id is not None:
            self.company.choose(c.company_id, c.company_name)
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
        self.language.setCurrentIndex(max(0, self.language.findData(c.language)))
        self.notes.setPlainText(c.notes)

    def values(self) -> dict:
        person = self.kind.currentData() == "person"
        return {
            "kind": self.kind.currentData(),
            "name": self.name.text(),
            "status": self.status.currentData(),
            "company_id": self.company.client_id if person else None,
            "phones": lines(self.phones),
            "emails": lines(self.emails),
            "address": self.address.text(),
            "source": self.source.currentText().strip(),
            # a comma, or the Arabic comma an Arabic keyboard types
            "tags": [t.strip() for t in self.tags.text().replace("،", ",").split(",") if t.strip()],
            "owner_id": self.owner.currentData(),
            "private": self.private.isChecked(),
            "notes": self.notes.toPlainText(),
            "language": self.language.currentData(),
        }

    def submit(self, on_done, on_error) -> None:
        if (
            self.company.text().strip()
            and self.company.client_id is None
            and self.kind.currentData() == "person"
        ):
            on_error(
                ValidationError(
                    "company_id",
                    self.tr(
                        "Choose the company from the list that opens as you type, add it with "
                        "New company, or clear the field."
                    ),
                )
            )
            return
        if self.client is None:
            self.ops.write(
                clients.create,
                **self.values(),
                request_id=self.request_id,
                on_done=on_done,
                on_error=on_error,
                initiator=self,
            )
        else:
            self.ops.write(
                clients.update,
                self.client.id,
                expected_version=self.client.version,
                base=clients.editable_values(self.client),
                decided=self.decided,
                **self.values(),
                on_done=on_done,
                on_error=on_error,
                initiator=self,
            )

    def shown_value(self, field: str, value) -> str:
        if value is None or value == "":
            return super().shown_value(field, value)
        if field == "owner_id":
            return next((u.display_name for u in self.users if u.id == value), f"#{value}")
        if field == "kind":
            return kind_names().get(value, value)
        if field == "status":
            return client_status_names().get(value, value)
        return super().shown_value(field, value)

    def conflict_hint(self) -> str:
        return self.tr(
            "Your input is still here: copy what you need, press Cancel and open the client again."
        )
