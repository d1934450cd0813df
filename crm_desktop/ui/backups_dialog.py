"""Settings → Backups… (a database file; an office server is backed up on the server): where the daily
backup goes, whether it is made, the last one made and the last one proven by a restore drill; Back up
now; Restore from a backup… (checked first, the database as it was kept aside). And AutoBackup, which
makes the day's backup in the background once the window has started, and again each half hour if the
day changed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.config import Settings
from crm_desktop.i18n import fill
from crm_desktop.services import backups
from crm_desktop.services.backups import BackedUp, State
from crm_desktop.services.errors import ServiceError
from crm_desktop.ui.confirm import ask_to_confirm
from crm_desktop.ui.dates import moment_text
from crm_desktop.ui.form_dialog import error_label, grow_to_fit, show_error
from crm_desktop.ui.jobs import run_job
from crm_desktop.ui.left_to_right import embedded
from crm_desktop.ui.list_export import say
from crm_desktop.ui.ops import Ops

FOLDER_KEY = "backup_folder"
DAILY_KEY = "backup_daily"
CHECK_EVERY_MS = 30 * 60 * 1000
FIRST_CHECK_MS = 60 * 1000  # a minute after the start: the office's first minutes are not slowed


def _clients_in(ctx: object, chosen: Path) -> int:
    return backups.check(chosen).get("clients", 0)


def _folder(ops: Ops, settings: Settings) -> Path:
    return backups.folder(ops.ctx, settings.get(FOLDER_KEY))


class BackupsDialog(QDialog):
    def __init__(self, ops: Ops, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.setWindowTitle(self.tr("Backups"))
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        choose = QPushButton(self.tr("&Choose…"), clicked=self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(choose)
        self.daily = QCheckBox(self.tr("Back up &every day (the last 7 days and 4 weeks are kept)"))
        self.daily.setChecked(bool(settings.get(DAILY_KEY)))
        self.daily.toggled.connect(lambda on: settings.set(DAILY_KEY, on))
        self.last_label = QLabel()
        self.proven_label = QLabel()
        for label in (self.last_label, self.proven_label):
            label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Folder:"), folder_row)
        form.addRow("", self.daily)
        form.addRow(self.tr("Last backup:"), self.last_label)
        form.addRow(self.tr("Last proven restore:"), self.proven_label)
        self.error = error_label("backups_error")
        self.now_button = QPushButton(self.tr("&Back up now"), clicked=self.back_up_now)
        self.restore_button = QPushButton(self.tr("&Restore from a backup…"), clicked=self.choose_backup)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.now_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(640, 0)
        self.refresh()

    @property
    def folder(self) -> Path:
        return _folder(self.ops, self.settings)

    def refresh(self) -> None:
        self.folder_label.setText(embedded(str(self.folder)))
        self.ops.read(backups.status, self.folder, on_done=self._show)

    def _show(self, state: State) -> None:
        if state.last is None:
            self.last_label.setText(self.tr("None yet in this folder."))
        else:
            clients = state.last.rows.get("clients", 0)
            self.last_label.setText(
                fill(
                    self.tr("{when} — {file} ({clients})"),
                    when=moment_text(state.last.at),
                    file=state.last.path.name,
                    clients=fill(
                        i18n.ngettext("{n} client", "{n} clients", clients), n=i18n.number_text(clients)
                    ),
                )
            )
        drill = state.last_drill
        if drill is not None and not drill.proven:
            self.proven_label.setText(
                fill(
                    self.tr(
                        "The restore drill of {file} failed ({when}): the backup may not restore. Check "
                        "the disk and back up again."
                    ),
                    file=drill.path.name,
                    when=moment_text(drill.at),
                )
            )
        elif state.last_proven is not None:
            self.proven_label.setText(
                fill(
                    self.tr("{when} — {file} was restored into a trial folder and held what it should."),
                    when=moment_text(state.last_proven.at),
                    file=state.last_proven.path.name,
                )
            )
        else:
            self.proven_label.setText(self.tr("None yet: each backup is tried as soon as it is made."))
        grow_to_fit(self)  # the wrapped lines just set

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Back up into"), str(self.folder))
        if chosen:
            self.settings.set(FOLDER_KEY, chosen)
            self.refresh()

    def back_up_now(self) -> None:
        self.now_button.setEnabled(False)
        show_error(self.error, "")
        run_job(
            self,
            self.ops,
            backups.back_up,
            self.folder,
            title=self.tr("Backing up"),
            on_done=self._backed_up,
            on_error=self._failed,
        )

    def _backed_up(self, done: BackedUp) -> None:
        self.now_button.setEnabled(True)
        self.refresh()

    def _failed(self, error: ServiceError) -> None:
        self.now_button.setEnabled(True)
        self.restore_button.setEnabled(True)
        show_error(self.error, error.message)

    def choose_backup(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Restore from"),
            str(self.folder),
            self.tr("Backups (*.sqlite3 *.db);;All files (*)"),
        )
        if chosen:
            self.restore(Path(chosen))

    def restore(self, chosen: Path) -> None:
        """The backup checked (a read: a big one takes a moment), then asked: the whole database is
        replaced (the current one is kept aside)."""
        show_error(self.error, "")
        self.ops.read(
            _clients_in, chosen, on_done=lambda held: self._ask(chosen, held), on_error=self._failed
        )

    def _ask(self, chosen: Path, held: int) -> None:
        question = fill(
            self.tr(
                "Replace the whole database with the backup {file} ({clients})? What was saved since it "
                "was made is replaced too; the database as it is now is kept aside."
            ),
            file=chosen.name,
            clients=fill(i18n.ngettext("{n} client", "{n} clients", held), n=i18n.number_text(held)),
        )
        ask_to_confirm(
            self,
            self.tr("Restore a backup"),
            question,
            self.tr("&Restore"),
            lambda: self._restore(chosen),
        )

    def _restore(self, chosen: Path) -> None:
        self.restore_button.setEnabled(False)
        run_job(
            self,
            self.ops,
            backups.restore,
            chosen,
            title=fill(self.tr("Restoring {file}"), file=chosen.name),
            on_done=self._restored,
            on_error=self._failed,
        )

    def _restored(self, done: backups.Restored) -> None:
        self.restore_button.setEnabled(True)
        QMessageBox.information(
            self,
            self.tr("Restored"),
            fill(
                self.tr("The backup is restored ({clients}). The database as it was is kept at {aside}."),
                clients=fill(
                    i18n.ngettext("{n} client", "{n} clients", done.clients), n=i18n.number_text(done.clients)
                ),
                aside=done.aside,
            ),
        )


class AutoBackup(QObject):
    """The day's backup, made in the background while the window runs (see the module docstring)."""

    def __init__(self, ops: Ops, settings: Settings, window: QWidget):
        super().__init__(window)
        self.ops, self.settings, self.window = ops, settings, window
        self.running = False
        self.timer = QTimer(self, interval=CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(FIRST_CHECK_MS, self.check)

    def check(self) -> None:
        if self.running or not self.settings.get(DAILY_KEY):
            return
        folder = _folder(self.ops, self.settings)
        self.ops.read(backups.is_due, folder, on_done=lambda due: self.run(folder) if due else None)

    def run(self, folder: Path) -> None:
        self.running = True
        run_job(
            self.window,
            self.ops,
            backups.back_up,
            folder,
            title=self.tr("Daily backup"),
            background=True,
            on_done=self._done,
            on_error=self._failed,
            on_cancelled=lambda _: setattr(self, "running", False),
        )

    def _done(self, done: BackedUp) -> None:
        self.running = False
        if not done.drill.proven:
            say(
                self.window,
                self.tr(
                    "The daily backup was made but did not pass its restore drill. See Settings → Backups."
                ),
            )

    def _failed(self, error: ServiceError) -> None:
        self.running = False
        say(
            self.window, fill(self.tr("The daily backup could not be made: {problem}"), problem=error.message)
        )
