"""The optional password of a CRM on one PC: asked for at start when set (LoginDialog), and set,
changed or removed in Settings → Password (LocalPasswordDialog)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from crm_desktop.services import local_password
from crm_desktop.services.errors import ValidationError
from crm_desktop.ui.form_dialog import FormDialog, error_label, show_error
from crm_desktop.ui.ops import Ops

if TYPE_CHECKING:  # only a name for the annotation: the dialog hands the database to the service
    from crm_desktop.db.engine import Database


class LoginDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(self.tr("CRM Desktop is locked"))
        intro = QLabel(self.tr("Enter the password to open CRM Desktop."))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_password)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.password, self.error, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(380)

    def try_password(self) -> None:
        if local_password.check(self.db, self.password.text()):
            self.accept()
            return
        show_error(
            self.error,
            self.tr("That is not the password. Try again (mind Caps Lock and the keyboard language)."),
        )
        self.password.clear()
        self.password.setFocus()


class LocalPasswordDialog(FormDialog):
    def __init__(self, ops: Ops, is_set: bool, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.setWindowTitle(self.tr("Password for this PC"))
        self.current = QLineEdit()
        self.new, self.again = QLineEdit(), QLineEdit()
        for edit in (self.current, self.new, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if is_set:
            self.add_row("current", self.tr("&Current password"), self.current)
        self.add_row("password", self.tr("&New password"), self.new)
        self.add_row("password_again", self.tr("New password &again"), self.again)
        note = QLabel(
            self.tr("Asked for each time CRM Desktop starts. Leave the new password empty to stop asking. ")
            + self.tr(
                "It keeps others from opening CRM Desktop on this PC. The database file itself is not "
                "encrypted: keep the PC's own account locked too."
            )
        )
        note.setWordWrap(True)
        self.finish_layout(note)
        self.setMinimumWidth(440)

    def submit(self, on_done, on_error) -> None:
        if self.new.text() != self.again.text():
            on_error(
                ValidationError(
                    "password_again", self.tr("The two passwords differ. Type the same one twice.")
                )
            )
            return
        self.ops.write(
            local_password.change,
            current=self.current.text(),
            new=self.new.text(),
            on_done=on_done,
            on_error=on_error,
        )
