"""Settings → Users (administrators): who works in the CRM, their role, manager and export right; on a
shared server each user is a server login with its own password. Someone leaving is disabled (their
name stays on what they did) and their clients are handed to someone else in one step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import users
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.users import UserRow
from crm_desktop.ui.confirm import enter_presses_no_button
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops


def _password_fields(dialog: FormDialog) -> tuple[QLineEdit, QLineEdit]:
    first, again = QLineEdit(), QLineEdit()
    for edit in (first, again):
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    dialog.add_row("password", dialog.tr("&Password"), first)
    dialog.add_row("password_again", dialog.tr("Password a&gain"), again)
    return first, again


def _same_passwords(dialog: FormDialog, first: QLineEdit, again: QLineEdit, on_error) -> bool:
    if first.text() != again.text():
        on_error(
            ValidationError("password_again", dialog.tr("The two passwords differ. Type the same one twice."))
        )
        return False
    return True


class UserForm(FormDialog):
    def __init__(
        self,
        ops: Ops,
        people: list[UserRow],
        user: UserRow | None = None,
        *,
        shared: bool,
        parent: QWidget | None = None,
    ):
        super().__init__(ops, parent)
        self.user = user
        self.setWindowTitle(self.tr("Edit user") if user else self.tr("New user"))
        self.username = QLineEdit(user.username if user else "")
        self.username.setReadOnly(user is not None)  # on a server it is the login's name
        self.display_name = QLineEdit(user.display_name if user else "")
        self.email = QLineEdit(user.email or "" if user else "")
        self.role = QComboBox()
        for key in users.ROLE_NAMES:
            self.role.addItem(users.role_name(key).render(), key)
        self.role.setCurrentIndex(max(self.role.findData(user.role if user else "staff"), 0))
        self.manager = QComboBox()
        self.manager.addItem(self.tr("Nobody"), None)
        for person in people:
            if person.active and (user is None or person.id != user.id):
                self.manager.addItem(person.display_name, person.id)
        self.manager.setCurrentIndex(max(self.manager.findData(user.manager_id if user else None), 0))
        self.can_export = QCheckBox(self.tr("May export data (client lists, PDFs of many invoices)"))
        self.can_export.setChecked(user.can_export if user else False)
        for key, label, widget in (
            ("username", self.tr("User &name"), self.username),
            ("display_name", self.tr("&Full name"), self.display_name),
            ("email", self.tr("&Email"), self.email),
            ("role", self.tr("&Role"), self.role),
            ("manager_id", self.tr("&Manager"), self.manager),
            ("can_export", "", self.can_export),
        ):
            self.add_row(key, label, widget)
        self.password = self.password_again = None
        if shared and user is None:  # a new user signs in with their own server login
            self.password, self.password_again = _password_fields(self)
        self.finish_layout()
        self.setMinimumWidth(440)

    def submit(self, on_done, on_error) -> None:
        values = {
            "display_name": self.display_name.text(),
            "email": self.email.text(),
            "role": self.role.currentData(),
            "manager_id": self.manager.currentData(),
            "can_export": self.can_export.isChecked(),
        }
        if self.user is not None:
            self.ops.write(
                users.update,
                self.user.id,
                expected_version=self.user.version,
                **values,
                on_done=on_done,
                on_error=on_error,
            )
            return
        if self.password is not None and not _same_passwords(
            self, self.password, self.password_again, on_error
        ):
            return
        self.ops.write(
            users.create,
            username=self.username.text(),
            **values,
            password=self.password.text() if self.password is not None else None,
            on_done=on_done,
            on_error=on_error,
        )


class PasswordForm(FormDialog):
    def __init__(self, ops: Ops, user: UserRow, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.user = user
        self.setWindowTitle(fill(self.tr("Password of {name}"), name=user.display_name))
        self.password, self.password_again = _password_fields(self)
        self.finish_layout(
            QLabel(fill(self.tr("The server checks it when {name} signs in."), name=user.display_name))
        )

    def submit(self, on_done, on_error) -> None:
        if _same_passwords(self, self.password, self.password_again, on_error):
            self.ops.write(
                users.set_password, self.user.id, self.password.text(), on_done=on_done, on_error=on_error
            )


class ReassignForm(FormDialog):
    """All clients of one user (someone leaving) to another."""

    def __init__(self, ops: Ops, people: list[UserRow], source: UserRow, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.source = source
        self.setWindowTitle(fill(self.tr("Hand over the clients of {name}"), name=source.display_name))
        self.target = QComboBox()
        for person in people:
            if person.active and person.id != source.id:
                self.target.addItem(person.display_name, person.id)
        self.add_row("to_user_id", self.tr("&New owner"), self.target)
        self.finish_layout(
            QLabel(
                fill(
                    self.tr("Every client {name} owns gets the new owner; the log keeps who had them."),
                    name=source.display_name,
                )
            )
        )

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            users.reassign_clients,
            self.source.id,
            self.target.currentData(),
            on_done=on_done,
            on_error=on_error,
        )


class UsersDialog(QDialog):
    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.shared = not ops.ctx.db.is_sqlite
        self.people: list[UserRow] = []
        self.form: FormDialog | None = None
        self.setWindowTitle(self.tr("Users"))
        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(
            [
                self.tr("Name"),
                self.tr("User name"),
                self.tr("Role"),
                self.tr("Manager"),
                self.tr("Export"),
                self.tr("Active"),
            ]
        )
        self.list.itemActivated.connect(lambda *_: self.edit())  # Enter or a double-click
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.password_button = QPushButton(self.tr("Password…"))
        self.password_button.setVisible(self.shared)
        self.active_button = QPushButton(self.tr("Disable"))
        self.reassign_button = QPushButton(self.tr("Hand over clients…"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.password_button.clicked.connect(self.change_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.reassign_button.clicked.connect(self.reassign)
        side = QVBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.password_button,
            self.active_button,
            self.reassign_button,
        ):
            side.addWidget(button)
        side.addStretch(1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        enter_presses_no_button(self)  # Enter opened "Add…"; with a user chosen it now edits them
        self.resize(820, 420)
        self.reload()

    def reload(self) -> None:
        self.ops.read(users.list_users, include_inactive=True, on_done=self._loaded)

    def _loaded(self, people: list[UserRow]) -> None:
        current = self.selected()
        self.people = people
        self.list.clear()
        for person in people:
            item = QTreeWidgetItem(
                [
                    person.display_name,
                    person.username,
                    users.role_name(person.role).render(),
                    person.manager_name,
                    self.tr("yes") if person.can_export else "",
                    self.tr("yes") if person.active else self.tr("disabled"),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, person.id)
            self.list.addTopLevelItem(item)
            if current is not None and person.id == current.id:
                self.list.setCurrentItem(item)
        for column in range(self.list.columnCount()):
            self.list.resizeColumnToContents(column)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return next((p for p in self.people if p.id == item.data(0, Qt.ItemDataRole.UserRole)), None)

    def _update_buttons(self) -> None:
        person = self.selected()
        for button in (self.edit_button, self.password_button, self.active_button, self.reassign_button):
            button.setEnabled(person is not None)
        if person is not None:
            self.active_button.setText(self.tr("Disable") if person.active else self.tr("Enable"))

    def _open(self, form: FormDialog, done_message: str | Callable[[Any], str] = "") -> FormDialog:
        """`done_message`: what to say once the form saved, or how to say it from what the save returned."""
        said = done_message if callable(done_message) else lambda _result: done_message
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(lambda result: (self.message.setText(said(result)), self.reload()))
        self.form = form
        form.open()
        return form

    def add(self) -> FormDialog:
        return self._open(UserForm(self.ops, self.people, shared=self.shared, parent=self))

    def edit(self) -> FormDialog | None:
        person = self.selected()
        return (
            self._open(UserForm(self.ops, self.people, person, shared=self.shared, parent=self))
            if person
            else None
        )

    def change_password(self) -> FormDialog | None:
        person = self.selected()
        return (
            self._open(PasswordForm(self.ops, person, self), self.tr("The password was changed."))
            if person
            else None
        )

    def reassign(self) -> FormDialog | None:
        person = self.selected()
        return (
            self._open(
                ReassignForm(self.ops, self.people, person, self),
                lambda n: fill(ngettext("1 client handed over.", "{n} clients handed over.", n), n=n),
            )
            if person
            else None
        )

    def toggle_active(self) -> None:
        person = self.selected()
        if person is None:
            return
        action = users.disable if person.active else users.enable
        self.ops.write(
            action,
            person.id,
            on_done=lambda _row: self.reload(),
            on_error=lambda error: self.message.setText(error.message),
        )
