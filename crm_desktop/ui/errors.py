"""Bugs: logged with their traceback to the log file and shown once, with "Copy details"."""

from __future__ import annotations

import html
import sys
import threading
import traceback

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.config import Paths
from crm_desktop.i18n import fill
from crm_desktop.logs import log_unexpected


class ErrorReporter(QObject):
    """Shows each distinct unexpected error once per session; every occurrence is logged."""

    _from_thread = Signal(object)

    def __init__(self, paths: Paths, parent: QObject | None = None):
        super().__init__(parent)
        self.paths = paths
        self.dialog_parent: QWidget | None = None
        self._shown: set[str] = set()
        self.last_dialog: ErrorDialog | None = None
        self._dialogs: list[ErrorDialog] = []
        self._from_thread.connect(self.report)

    def install(self) -> None:
        sys.excepthook = lambda kind, exc, tb: self.report(exc)
        threading.excepthook = lambda args: self._from_thread.emit(args.exc_value)

    @Slot(object)
    def report(self, exc: BaseException) -> None:
        log_unexpected(self.paths, exc)
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        key = "".join(traceback.format_exception_only(type(exc), exc)) + "".join(
            traceback.format_tb(exc.__traceback__)[-1:]
        )
        if key in self._shown:
            return
        self._shown.add(key)
        self.last_dialog = self._dialog(exc, details)
        # Parentless dialogs belong to Python: keep each open one, or an earlier one vanishes.
        self._dialogs = [d for d in self._dialogs if d.isVisible()] + [self.last_dialog]

    def _dialog(self, exc: BaseException, details: str) -> ErrorDialog:
        dialog = ErrorDialog(f"{type(exc).__name__}: {exc}", details, self.paths, self.dialog_parent)
        dialog.open()
        return dialog


class ErrorDialog(QDialog):
    def __init__(self, summary: str, details: str, paths: Paths, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("CRM Desktop — unexpected error"))
        self.details = details
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        text = QLabel(
            fill(
                self.tr(
                    "<b>Something went wrong inside CRM Desktop.</b><br>Your saved data is safe; the "
                    "last action may not have finished.<br><br>{error}<br><br>The details were written "
                    "to {log}. Please send them to whoever supports your CRM."
                ),
                error=html.escape(summary),
                log=html.escape(str(paths.log_file)),
            )
        )
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton(self.tr("Copy details"))
        self.copy_button.clicked.connect(lambda: QApplication.clipboard().setText(self.details))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
