"""Composition root of the window: error reporting, the database, the main window."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import make_url

from crm_desktop import APP_ID, APP_NAME, __version__, i18n
from crm_desktop.config import Paths, Settings
from crm_desktop.db.connect import OpenedDatabase, open_database
from crm_desktop.db.engine import DatabaseOpenError
from crm_desktop.db.urls import BadDatabaseUrl, Origin
from crm_desktop.logs import log_problem, log_unexpected
from crm_desktop.services import (  # noqa: F401
    activities,
    company,
    follow_ups,
    global_search,
    local_password,
    overview,
    reminders,
    users,
)
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import ServiceError

# Qt comes after the database and the services the first window uses (the unused names above): once
# PySide6 is imported it reads the source of every module imported after it, looking for
# `from __feature__ import` (PYSIDE-2029), and none of those needs Qt. 60 modules are read at a start
# instead of 310 (issue 13).
# isort: split
from PySide6.QtCore import QCoreApplication, QLocale, QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from crm_desktop.ui import translator
from crm_desktop.ui.collector import collect_on_gui_thread
from crm_desktop.ui.errors import ErrorReporter
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.ops import Ops

REPORT_READY = "CRM_DESKTOP_REPORT_READY"  # a file to write the time of the first paint with data to


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources.files("crm_desktop.resources") / "icons" / "crm-desktop.svg")))
    return app  # type: ignore[return-value]


def window_settings(paths: Paths) -> QSettings:
    """Window state lives in our own config folder (never the registry), so --base-dir and tests stay
    apart."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    return QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat)


def build_main_window(
    ctx: ServiceContext, paths: Paths, reporter: ErrorReporter, *, demo: bool = False, page: str | None = None
) -> MainWindow:
    collect_on_gui_thread(QApplication.instance())
    ops = Ops(ctx, report_bug=reporter.report)
    window = MainWindow(
        ops,
        window_settings(paths),
        demo=demo,
        app_settings=Settings(paths.settings_file),
        log_dir=paths.log_dir,
        page=page,
    )
    ops.setParent(window)
    reporter.dialog_parent = window
    return window


class WindowHost:
    """The main window on one database, made again in another language when the user chooses one: the
    page shown comes back, the window's place and its columns from the window's own settings."""

    def __init__(self, ctx: ServiceContext, paths: Paths, reporter: ErrorReporter, *, demo: bool = False):
        self.ctx, self.paths, self.reporter, self.demo = ctx, paths, reporter, demo
        self.window: MainWindow | None = None

    def open(self, language: str, page: str | None = None) -> MainWindow:
        translator.install(language)
        window = build_main_window(self.ctx, self.paths, self.reporter, demo=self.demo, page=page)
        window.language_chosen.connect(self.switch)
        window.start()
        window.show()
        self.window = window
        return window

    def switch(self, language: str | None) -> MainWindow:
        """The window again in `language` (None: the system's); the old one closes first, saving its state."""
        app = QApplication.instance()
        old = self.window
        quits = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # between the two windows there is none
        try:
            page = None
            if old is not None:
                page = old.current_key()  # the page shown comes back in the other language
                old.close()
                old.deleteLater()
            return self.open(i18n.choose(language, QLocale.system().name()), page)
        finally:
            app.setQuitOnLastWindowClosed(quits)


def sign_in(
    url: str, settings: Settings, *, ask=None, unlock=None, origin: Origin | None = None
) -> tuple[OpenedDatabase, Actor] | None:
    """Open the database and find who is signing in. A server that refuses (unreachable, wrong password,
    not a CRM user…) brings up the connection dialog with the reason, until it works or the user gives
    up (None); it never falls back to a local file. A SQLite file that cannot be opened, or a wrong URL
    (from `origin`, see config.choose_database), raises; a file locked with a password
    (services/local_password.py) asks for it. `ask` and `unlock` stand in for ConnectionDialog and
    LoginDialog (tests); those are imported only when needed, which most starts never are."""
    password: str | None = None
    while True:
        try:
            opened = open_database(url, password=password, origin=origin)
            if (
                local_password.is_set(opened.db)
                and _login_dialog(unlock, opened.db).exec() != QDialog.DialogCode.Accepted
            ):
                opened.db.dispose()
                return None
            try:
                return opened, users.sign_in(opened.db)
            except ServiceError:
                opened.db.dispose()
                raise
        except (DatabaseOpenError, ServiceError) as exc:
            if isinstance(exc, BadDatabaseUrl) or make_url(url).get_backend_name() != "postgresql":
                raise
            dialog = _connection_dialog(ask, url, exc.message if isinstance(exc, ServiceError) else str(exc))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            if dialog.url != url:
                settings.set("database_url", dialog.url)
            url, password, origin = dialog.url, dialog.password, None


def _login_dialog(unlock, db) -> QDialog:
    if unlock is None:
        from crm_desktop.ui.local_password_dialogs import LoginDialog

        unlock = LoginDialog
    return unlock(db)


def _connection_dialog(ask, url: str, message: str) -> QDialog:
    if ask is None:
        from crm_desktop.ui.connection_dialog import ConnectionDialog

        ask = ConnectionDialog
    return ask(url, message=message)


def run_gui(
    url: str,
    paths: Paths,
    *,
    demo: bool = False,
    origin: Origin | None = None,
    language: str | None = None,
) -> int:
    """`language`: the one asked for (--language, the environment, the saved choice); None: the system's."""
    app = application()
    translator.install(i18n.choose(language, QLocale.system().name()))
    reporter = ErrorReporter(paths, app)
    reporter.install()
    try:
        signed_in = sign_in(url, Settings(paths.settings_file), origin=origin)
    except DatabaseOpenError as exc:  # the environment's fault: say what is wrong, no traceback
        text = str(exc)
        if (
            exc.__cause__ is not None
            and not isinstance(exc, BadDatabaseUrl)
            and log_problem(paths, exc, text)
        ):
            text += "\n\n" + QCoreApplication.translate("App", "The details were written to {log}.").format(
                log=paths.log_file
            )
        QMessageBox.critical(None, APP_NAME, text)
        return 1
    except Exception as exc:  # noqa: BLE001 - our bug before any window exists; a desktop icon has no stderr
        log_unexpected(paths, exc)
        QMessageBox.critical(
            None,
            APP_NAME,
            QCoreApplication.translate(
                "App", "CRM Desktop could not start: {error}\n\nThe details were written to {log}."
            ).format(error=f"{type(exc).__name__}: {exc}", log=paths.log_file),
        )
        return 1
    if signed_in is None:
        return 1
    opened, actor = signed_in
    host = WindowHost(ServiceContext(opened.db, actor=actor), paths, reporter, demo=demo)
    window = host.open(i18n.current())
    if report_ready := os.environ.get(REPORT_READY):  # the start-up benchmark only
        from crm_desktop.ui.ready_report import ReadyReport

        ReadyReport(window, Path(report_ready))
    try:
        return app.exec()
    finally:
        opened.db.dispose()
