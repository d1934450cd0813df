"""The window's side of databases that cannot take a save or cannot be opened: the same words as the
command line, in a message at start or next to the form's input, which is kept — never a crash.

Spans ui/form_dialog.py, ui/errors.py, app.py and db/connect.py."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from damaged_files import damage_the_clients_table
from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop.cli import main
from crm_desktop.db.connect import open_database
from crm_desktop.services import demo, users
from crm_desktop.services.context import ServiceContext
from crm_desktop.ui.clients.form import ClientForm
from crm_desktop.ui.ops import Ops


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    """What the start-up message boxes said (the hooks run_gui installs are put back afterwards)."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    texts: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _parent, _title, text: texts.append(text))
    )
    monkeypatch.setattr(QApplication, "exec", lambda *_: 0)  # a window that did open closes at once
    return texts


def test_a_wrong_url_in_the_environment_is_named_when_the_window_starts(qtbot, tmp_path, monkeypatch, shown):
    monkeypatch.setenv("CRM_DESKTOP_DATABASE_URL", "db:/crm")
    assert main(["--base-dir", str(tmp_path / "home")]) == 1  # the window, as from a desktop icon
    assert (
        shown
        and "'db:/crm' in the environment variable CRM_DESKTOP_DATABASE_URL is not a database URL" in shown[0]
    )


def test_a_damaged_file_is_refused_when_the_window_starts_and_the_log_has_the_details(
    qtbot, tmp_path, paths, shown
):
    from crm_desktop.app import run_gui

    path = tmp_path / "office.sqlite3"
    opened = open_database(f"sqlite:///{path}")
    demo.generate(opened.db, clients=300)
    opened.db.dispose()
    damage_the_clients_table(path)
    assert run_gui(f"sqlite:///{path}", paths) == 1
    assert f"{path} is damaged" in shown[0] and "Restore your latest backup" in shown[0]
    assert str(paths.log_file) in shown[0] and "malformed" in paths.log_file.read_text()


@pytest.fixture
def form_on(qtbot, clock):
    """form_on(path) -> a new-client form with a name typed, on the CRM database at `path` (made if
    missing)."""
    made: list[tuple] = []

    def open_form(path: Path) -> ClientForm:
        opened = open_database(f"sqlite:///{path}")
        ctx = ServiceContext(opened.db, clock=clock)
        bugs: list[BaseException] = []
        ops = Ops(ctx, report_bug=bugs.append)
        made.append((opened.db, ops, bugs))
        form = ClientForm(ops, users.list_users(ctx))
        qtbot.addWidget(form)
        form.show()
        form.name.setText("Nodira Yusupova")
        return form

    yield open_form
    for db, ops, bugs in made:
        ops.wait_idle()
        db.dispose()
        assert not bugs, bugs  # a problem of the database is no bug dialog


def make_office(path: Path) -> None:
    open_database(
        f"sqlite:///{path}"
    ).db.dispose()  # closed: the next opening starts an empty write-ahead log


def test_saving_to_a_read_only_file_says_so_and_keeps_the_input(qtbot, tmp_path, make_read_only, form_on):
    path = tmp_path / "office.sqlite3"
    make_office(path)
    make_read_only(path)
    form = form_on(path)
    form.save()
    qtbot.waitUntil(lambda: "is read-only" in form.problem.text())
    assert (
        "Make the file writable" in form.problem.text() and "your input is still here" in form.problem.text()
    )
    assert form.isVisible() and form.name.text() == "Nodira Yusupova"


def test_saving_on_a_full_disk_says_so_and_keeps_the_input(qtbot, small_disk, form_on):
    path = small_disk.path / "office.sqlite3"
    make_office(path)
    form = form_on(path)
    small_disk.fill()
    form.save()
    qtbot.waitUntil(lambda: "is full" in form.problem.text())
    assert (
        "Free some space on it" in form.problem.text() and "your input is still here" in form.problem.text()
    )
    assert form.isVisible() and form.name.text() == "Nodira Yusupova"
    (small_disk.path / "filler").unlink()
    with qtbot.waitSignal(form.saved):  # with room again, Save works
        form.save()
