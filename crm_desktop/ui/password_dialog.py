"""Asking for a server password when the keyring has none (or no keyring works on this PC)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class PasswordDialog(QDialog):
    def __init__(self, where: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Server password"))
        text = QLabel(self.tr("Enter the password for {where}.").format(where=where))
        text.setWordWrap(True)
        note = QLabel(self.tr("It is kept in your system's keyring. If this PC has no working keyring, it is "
                              "kept in memory only and asked for again at the next start."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (text, self.password, note, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(420)


def ask_password(where: str) -> str | None:
    dialog = PasswordDialog(where)
    return dialog.password.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
