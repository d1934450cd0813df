"""Composition root of the window: error reporting, the database, the main window."""

from __future__ import annotations

import sys
from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop import APP_ID, APP_NAME, __version__
from crm_desktop.config import Paths
from crm_desktop.db.connect import open_database
from crm_desktop.db.engine import DatabaseOpenError
from crm_desktop.logs import log_unexpected
from crm_desktop.services.context import OWNER, ServiceContext
from crm_desktop.ui.errors import ErrorReporter
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.password_dialog import ask_password


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources.files("crm_desktop.resources") / "icons" / "crm-desktop.svg")))
    translator = QTranslator(app)
    if translator.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    return app  # type: ignore[return-value]


def window_settings(paths: Paths) -> QSettings:
    """Window state lives in our own config folder (never the registry), so --base-dir and tests stay apart."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    return QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat)


def build_main_window(ctx: ServiceContext, paths: Paths, reporter: ErrorReporter, *, demo: bool = False) -> MainWindow:
    ops = Ops(ctx, report_bug=reporter.report)
    window = MainWindow(ops, window_settings(paths), demo=demo)
    ops.setParent(window)
    reporter.dialog_parent = window
    return window


def run_gui(url: str, paths: Paths, *, demo: bool = False) -> int:
    app = application()
    reporter = ErrorReporter(paths, app)
    reporter.install()
    try:
        opened = open_database(url, ask_password=ask_password)
    except DatabaseOpenError as exc:  # the environment's fault: say what is wrong, no traceback
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    except Exception as exc:  # noqa: BLE001 - our bug before any window exists; a desktop icon has no stderr
        log_unexpected(paths, exc)
        QMessageBox.critical(None, APP_NAME, QCoreApplication.translate(
            "App", "CRM Desktop could not start: {error}\n\nThe details were written to {log}.").format(
            error=f"{type(exc).__name__}: {exc}", log=paths.log_file))
        return 1
    window = build_main_window(ServiceContext(opened.db, actor=OWNER), paths, reporter, demo=demo)
    window.show()
    QTimer.singleShot(0, window.start)
    try:
        return app.exec()
    finally:
        opened.db.dispose()
