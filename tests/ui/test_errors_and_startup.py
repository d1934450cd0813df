"""Unexpected errors and databases that cannot be opened.

Spans ui/errors.py, app.py and ui/main_window.py."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop.db.engine import Database
from crm_desktop.ui.errors import ErrorReporter
from crm_desktop.ui.main_window import MainWindow


def keep_hooks(monkeypatch) -> None:
    """Whatever the code under test installs, the hooks are put back after the test."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)


def _raise(message: str) -> Exception:
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        return exc


def test_a_bug_is_logged_and_shown_once(qtbot, paths):
    reporter = ErrorReporter(paths)
    error = _raise("the printer ate the invoice")
    reporter.report(error)
    dialog = reporter.last_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert "RuntimeError: the printer ate the invoice" in QApplication.clipboard().text()
    assert dialog.isVisible()  # copying does not close it
    reporter.report(error)
    assert reporter.last_dialog is dialog  # the same error is not shown twice
    log = paths.log_file.read_text()
    assert log.count("the printer ate the invoice") == 2 and "Traceback" in log


def test_a_file_that_is_not_a_database_is_refused_with_a_message(qtbot, paths, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from crm_desktop.app import run_gui

    keep_hooks(monkeypatch)
    shown = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _parent, _title, text: shown.append(text))
    )
    letter = tmp_path / "letter.txt"
    letter.write_text("not a database\n" * 100)
    assert run_gui(f"sqlite:///{letter}", paths) == 1
    assert shown and "is not a CRM Desktop database" in shown[0]


def test_a_different_bug_gets_its_own_dialog(qtbot, paths):
    reporter = ErrorReporter(paths)
    reporter.report(_raise("first"))
    first = reporter.last_dialog
    qtbot.addWidget(first)
    reporter.report(_raise("second"))
    second = reporter.last_dialog
    qtbot.addWidget(second)
    assert second is not first and first.isVisible() and second.isVisible()
    assert "second" in second.details
    assert str(paths.log_file) in _label_texts(second)  # says where the details are


def _label_texts(dialog) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_once_installed_uncaught_errors_from_any_thread_are_logged_and_shown(qtbot, paths, monkeypatch):
    keep_hooks(monkeypatch)
    reporter = ErrorReporter(paths)
    reporter.install()

    def worker():
        raise ValueError("a background thread tripped")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: reporter.last_dialog is not None)  # shown on the GUI thread
    qtbot.addWidget(reporter.last_dialog)
    assert "ValueError: a background thread tripped" in reporter.last_dialog.details
    sys.excepthook(*_exc_info(_raise("raised in a slot")))
    assert "raised in a slot" in reporter.last_dialog.details
    qtbot.addWidget(reporter.last_dialog)
    log = paths.log_file.read_text()
    assert "a background thread tripped" in log and "raised in a slot" in log


def _exc_info(exc: BaseException):
    return type(exc), exc, exc.__traceback__


def test_run_gui_migrates_a_new_database_and_opens_the_window_on_it(qtbot, paths, tmp_path, monkeypatch):
    from crm_desktop.app import run_gui

    keep_hooks(monkeypatch)
    file = tmp_path / "new-office.sqlite3"
    seen = {}

    def exec_(*_args) -> int:
        window = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        qtbot.waitUntil(lambda: window.ready)
        seen.update(
            title=window.windowTitle(),
            status=window.database_label.text(),
            pages=[window.nav.item(i).text() for i in range(window.nav.count())],
        )
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_)
    assert run_gui(f"sqlite:///{file}", paths) == 0
    assert seen["title"] == "CRM Desktop — new-office.sqlite3"
    assert str(file) in seen["status"]
    assert seen["pages"] == [
        "Dashboard",
        "Clients  0",
        "Deals  0 open",
        "Tasks  0",
        "Invoices  0 unpaid",
        "Jobs  0 open",
        "Workload",
        "Reports",
    ]  # an empty office
    db = Database.open(f"sqlite:///{file}")
    try:
        from crm_desktop.db.migrate import current_revision

        assert current_revision(db) is not None
    finally:
        db.dispose()


def test_the_start_up_benchmark_is_told_when_the_window_first_shows_data(qtbot, paths, tmp_path, monkeypatch):
    """CRM_DESKTOP_REPORT_READY (tests/perf/cold_start_bench.py): the time of the first paint after the
    dashboard's figures arrived, not of the first paint of an empty window."""
    import json
    import time

    from crm_desktop.app import run_gui
    from crm_desktop.db.migrate import upgrade
    from crm_desktop.services import clients
    from crm_desktop.services.context import ServiceContext

    keep_hooks(monkeypatch)
    file = tmp_path / "office.sqlite3"
    db = Database.open(f"sqlite:///{file}")
    try:
        upgrade(db)
        clients.create(ServiceContext(db), name="Zarina Rahimova")
    finally:
        db.dispose()
    report = tmp_path / "ready.json"
    monkeypatch.setenv("CRM_DESKTOP_REPORT_READY", str(report))
    seen = {}

    def exec_(*_args) -> int:
        [window] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        view = window.dashboard_view
        view.figures_shown.connect(lambda: seen.setdefault("loaded", time.monotonic()))
        qtbot.waitUntil(report.exists)
        seen["leads"] = view.tiles["leads"].figure.text()
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_)
    started = time.monotonic()
    assert run_gui(f"sqlite:///{file}", paths) == 0
    stamp = json.loads(report.read_text(encoding="utf-8"))
    assert started < seen["loaded"] <= stamp["monotonic"] < time.monotonic()
    assert seen["leads"] == "1" and stamp["page"] == "dashboard"  # the client added this month
    assert abs(stamp["epoch"] - time.time()) < 60


def test_a_bug_while_opening_the_database_is_logged_and_explained_not_dumped(qtbot, paths, monkeypatch):
    from crm_desktop import app

    keep_hooks(monkeypatch)
    shown = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _parent, _title, text: shown.append(text))
    )

    def broken_open(url, **_kwargs):
        raise ZeroDivisionError("division by zero in the migration")

    monkeypatch.setattr(app, "open_database", broken_open)
    assert app.run_gui("sqlite:///whatever.sqlite3", paths) == 1
    assert (
        "ZeroDivisionError: division by zero in the migration" in shown[0] and str(paths.log_file) in shown[0]
    )
    assert "Traceback" in paths.log_file.read_text()
