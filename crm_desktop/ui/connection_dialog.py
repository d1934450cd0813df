"""Connecting to the office's PostgreSQL server: host, port, database, user name and password, with
"Test connection" saying in words what is wrong (server unreachable, wrong password, no such
database, schema older or newer than the app).

Shown at start when the server cannot be opened (it is the sign-in: the password is checked by the
server), from the first-run dialog and from Settings → Database connection. The password goes to the
OS keyring and is read back to confirm it stuck; with no working keyring it is kept in memory only,
and asked for at the next start. Nothing here ever falls back to a local file.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL, make_url

from crm_desktop.config import KeyringUnavailable, store_password
from crm_desktop.i18n import fill
from crm_desktop.services.logins import Probe, probe

OK_STYLE, ERROR_STYLE = "color: #15803d;", "color: #b91c1c;"


class _Background(QObject):
    """One call off the GUI thread (there is no database, so no Ops yet); the answer comes back queued."""

    finished = Signal(object)

    def run(self, fn: Callable[[], object]) -> None:
        def work() -> None:
            result = fn()
            # the dialog was closed while the server was being asked: nobody is left to tell
            with contextlib.suppress(RuntimeError):
                self.finished.emit(result)

        threading.Thread(target=work, daemon=True).start()


class ConnectionDialog(QDialog):
    """`url` and `password` hold what to connect with once accepted (the URL without the password)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        message: str = "",
        offer_local: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to the office server"))
        self.url: str | None = None
        self.password: str | None = None
        self.last_probe: Probe | None = None
        given = make_url(url) if url and url.startswith("postgresql") else None
        self.host = QLineEdit(given.host or "" if given else "")
        self.host.setPlaceholderText(self.tr("e.g. 192.168.1.10 or office-server"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(given.port or 5432 if given else 5432)
        self.database = QLineEdit(given.database or "" if given else "crm")
        self.user = QLineEdit(given.username or "" if given else "")
        self.password_edit = QLineEdit(given.password or "" if given else "")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.upgrade = QCheckBox(self.tr("Bring the database up to date when connecting"))
        self.upgrade.hide()
        form = QFormLayout()
        for label, widget in (
            (self.tr("&Server"), self.host),
            (self.tr("&Port"), self.port),
            (self.tr("&Database"), self.database),
            (self.tr("&User name"), self.user),
            (self.tr("Pass&word"), self.password_edit),
        ):
            form.addRow(label, widget)
        self.outcome = QLabel(message)
        self.outcome.setWordWrap(True)
        self.outcome.setStyleSheet(ERROR_STYLE)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton(
            self.tr("Connect"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.connect_button.setDefault(True)
        if offer_local:  # from Settings: going back to a file on this PC is a choice, never a fallback
            self.local_button = self.buttons.addButton(
                self.tr("Use a file on this PC"), QDialogButtonBox.ButtonRole.ResetRole
            )
            self.local_button.clicked.connect(self.use_local_file)
        self.buttons.accepted.connect(self.connect_now)
        self.buttons.rejected.connect(self.reject)
        note = QLabel(
            self.tr("Your administrator gives you these. The password is kept in this PC's keyring.")
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.upgrade)
        layout.addWidget(self.outcome)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._background = _Background(self)
        self._background.finished.connect(self._probed)
        self._connect_after_probe = False
        (self.password_edit if self.user.text() else self.host).setFocus()

    def typed_url(self) -> str | None:
        host, database, user = (
            self.host.text().strip(),
            self.database.text().strip(),
            self.user.text().strip(),
        )
        missing = [
            name
            for name, value in (
                (self.tr("the server"), host),
                (self.tr("the database"), database),
                (self.tr("the user name"), user),
            )
            if not value
        ]
        if missing:
            self._say(False, fill(self.tr("Enter {what}."), what=", ".join(missing)))
            return None
        return URL.create(
            "postgresql", username=user, host=host, port=self.port.value(), database=database
        ).render_as_string()

    def test(self) -> None:
        self._connect_after_probe = False
        self._start_probe()

    def connect_now(self) -> None:
        self._connect_after_probe = True
        self._start_probe()

    def _start_probe(self) -> None:
        url = self.typed_url()
        if url is None:
            return
        self._say(True, fill(self.tr("Connecting to {host}…"), host=self.host.text().strip()))
        for button in (self.test_button, self.connect_button):
            button.setEnabled(False)
        password = self.password_edit.text() or None
        self._background.run(lambda: (url, password, probe(url, password)))

    def _probed(self, result) -> None:
        url, password, found = result
        self.last_probe = found
        for button in (self.test_button, self.connect_button):
            button.setEnabled(True)
        self._say(found.ok, found.message)
        self.upgrade.setVisible(found.needs_upgrade)
        if not (self._connect_after_probe and found.ok):
            return
        if found.needs_upgrade and not self.upgrade.isChecked():
            self._say(
                False, fill(self.tr("{message} Tick the box above to allow it."), message=found.message)
            )
            return
        self.url, self.password = url, password
        if password:
            # used for this run only: asked for again at the next start, never written to a file
            with contextlib.suppress(KeyringUnavailable):
                store_password(url, password)
        self.accept()

    def use_local_file(self) -> None:
        self.url, self.password = "", None  # "": the SQLite file in this PC's data folder
        self.accept()

    def _say(self, ok: bool, text: str) -> None:
        self.outcome.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.outcome.setText(text)
