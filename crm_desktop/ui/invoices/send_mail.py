"""Sending an issued document by email, and Settings → Email (the office's mail server).

The server is kept with the company details; the password is kept in this PC's keyring, read back to
confirm it stuck. With no working keyring it is kept in memory until the app closes, and the
settings dialog says so.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from crm_desktop.config import KeyringUnavailable, read_secret, store_secret
from crm_desktop.i18n import fill
from crm_desktop.services import mail
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.mail import Draft, SmtpSettings
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops

_memory: dict[str, str] = {}  # passwords this session keeps when the PC has no working keyring


def stored_password(settings: SmtpSettings) -> str:
    if settings.keyring_account in _memory:
        return _memory[settings.keyring_account]
    try:
        return read_secret(settings.keyring_account) or ""
    except KeyringUnavailable:
        return ""


def keep_password(settings: SmtpSettings, password: str) -> bool:
    """True when the keyring kept it; False: kept in memory until the app closes."""
    try:
        store_secret(settings.keyring_account, password)
        _memory.pop(settings.keyring_account, None)
        return True
    except KeyringUnavailable:
        _memory[settings.keyring_account] = password
        return False


class SmtpDialog(FormDialog):
    """The office's mail server (admins change it) and this PC's password for it."""

    def __init__(self, ops: Ops, settings: SmtpSettings, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.settings = settings
        self.memory_only = False  # set when saved on a PC without a working keyring
        self.setWindowTitle(self.tr("Email"))
        self.host = QLineEdit(settings.host)
        self.host.setPlaceholderText(self.tr("e.g. smtp.gmail.com — empty: save emails as files"))
        self.port = QLineEdit(str(settings.port))
        self.security = QComboBox()
        for key, name in (
            ("starttls", self.tr("STARTTLS (port 587)")),
            ("ssl", self.tr("SSL/TLS (port 465)")),
            ("none", self.tr("None (a relay in the office)")),
        ):
            self.security.addItem(name, key)
        self.security.setCurrentIndex(max(self.security.findData(settings.security), 0))
        self.username = QLineEdit(settings.username)
        self.password = QLineEdit(stored_password(settings))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sender = QLineEdit(settings.sender)
        self.sender.setPlaceholderText(self.tr("the company's email"))
        for key, label, widget in (
            ("host", self.tr("SMTP &server"), self.host),
            ("port", self.tr("&Port"), self.port),
            ("security", self.tr("S&ecurity"), self.security),
            ("username", self.tr("&User name"), self.username),
            ("password", self.tr("Pass&word"), self.password),
            ("sender", self.tr("&From address"), self.sender),
        ):
            self.add_row(key, label, widget)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        note = QLabel(self.tr("The password is kept in this PC's keyring."))
        note.setWordWrap(True)
        self.finish_layout(self.outcome, note)
        self.setMinimumWidth(480)

    def _typed(self) -> SmtpSettings:
        return mail.check_smtp(
            self.host.text(),
            self.port.text(),
            self.security.currentData(),
            self.username.text(),
            self.sender.text(),
        )

    def test_connection(self) -> None:
        self._clear_errors()
        try:
            typed = self._typed()
        except ValidationError as error:
            self._failed(error)
            return
        self.outcome.setText(fill(self.tr("Connecting to {host}…"), host=typed.host))
        self.test_button.setEnabled(False)
        password = self.password.text()
        self.ops.read(
            lambda _ctx: mail.check_login(typed, password), on_done=self._tested, on_error=self._tested
        )

    def _tested(self, error) -> None:
        self.test_button.setEnabled(True)
        self.outcome.setText(
            error.message if error is not None else self.tr("The server accepted the login.")
        )

    def submit(self, on_done, on_error) -> None:
        def stored(settings: SmtpSettings) -> None:
            if settings.host and self.password.text():
                self.memory_only = not keep_password(settings, self.password.text())
            on_done(settings)

        self.ops.write(
            mail.update_smtp_settings,
            expected_version=self.settings.version,
            host=self.host.text(),
            port=self.port.text(),
            security=self.security.currentData(),
            username=self.username.text(),
            sender=self.sender.text(),
            on_done=stored,
            on_error=on_error,
        )


def _start(ctx, document_id: int) -> tuple[Draft, SmtpSettings]:
    return mail.draft(ctx, document_id), mail.smtp_settings(ctx)


def open_send_dialog(ops: Ops, document_id: int, parent: QWidget, on_open) -> None:
    """Load what the dialog starts with, then hand the shown dialog to `on_open`."""

    def show(loaded: tuple[Draft, SmtpSettings]) -> None:
        dialog = SendDialog(ops, *loaded, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        on_open(dialog)

    ops.read(_start, document_id, on_done=show)


class SendDialog(FormDialog):
    """To, subject and message for an issued document; sent through the office's server or saved as .eml."""

    def __init__(self, ops: Ops, draft: Draft, smtp: SmtpSettings, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.draft, self.smtp = draft, smtp
        self.eml_path: Path | None = None
        self.setWindowTitle(fill(self.tr("Send {document}"), document=draft.label))
        self.to = QLineEdit(", ".join(draft.client_emails[:1]))
        self.to.setPlaceholderText(self.tr("client@example.com"))
        self.subject = QLineEdit(draft.subject)
        self.body = QPlainTextEdit(draft.body)
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(150)
        for key, label, widget in (
            ("to", self.tr("&To"), self.to),
            ("subject", self.tr("&Subject"), self.subject),
            ("body", self.tr("&Message"), self.body),
        ):
            self.add_row(key, label, widget)
        send = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        send.setText(self.tr("Send"))
        send.setVisible(bool(smtp.host))
        self.eml_button = QPushButton(self.tr("Save as email file…"))
        self.eml_button.setToolTip(self.tr("Opens in your mail program, ready to send"))
        self.eml_button.clicked.connect(self.choose_eml_file)
        self.buttons.addButton(self.eml_button, QDialogButtonBox.ButtonRole.ActionRole)
        how = (
            fill(self.tr("Sent through {server}; the PDF is attached."), server=smtp.host)
            if smtp.host
            else self.tr(
                "No mail server is set up (Settings → Email): save the message as a file, your mail "
                "program opens it ready to send."
            )
        )
        note = QLabel(how)
        note.setWordWrap(True)
        self.finish_layout(note)
        self.setMinimumWidth(560)
        self.saved.connect(self._open_eml)

    def _values(self) -> dict[str, str]:
        return {"to": self.to.text(), "subject": self.subject.text(), "body": self.body.toPlainText()}

    def submit(self, on_done, on_error) -> None:
        if self.eml_path is not None:
            self.ops.write(
                mail.save_document_eml,
                self.draft.document_id,
                self.eml_path,
                **self._values(),
                on_done=on_done,
                on_error=on_error,
            )
            return
        self.ops.write(
            mail.send_document,
            self.draft.document_id,
            **self._values(),
            password=stored_password(self.smtp),
            on_done=on_done,
            on_error=on_error,
        )

    def choose_eml_file(self) -> None:
        name = f"{self.draft.file_stem}.eml"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the email"), str(Path.home() / name), self.tr("Email files (*.eml)")
        )
        if path:
            self.save_eml(Path(path))

    def save_eml(self, path: Path) -> None:
        self.eml_path = path
        self.save()

    def _open_eml(self, result) -> None:
        if isinstance(result, Path):  # saved as a file: the mail program opens it, ready to send
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result)))

    def _failed(self, error) -> None:
        self.eml_path = None  # the next Save sends, unless the file is chosen again
        super()._failed(error)
