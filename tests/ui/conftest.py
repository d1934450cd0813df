"""The main window on a migrated SQLite database, settings and log under tmp (services are tested on both
DBs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from os_conditions import make_read_only, small_disk  # noqa: F401 - fixtures: real full disks, read-only files

from crm_desktop.app import build_main_window
from crm_desktop.services import company
from crm_desktop.ui.errors import ErrorReporter
from crm_desktop.ui.main_window import MainWindow

OFFICE = "Ipak Yoʻli Services"


@pytest.fixture
def reporter(qapp, paths) -> Iterator[ErrorReporter]:
    reporter = ErrorReporter(paths)
    yield reporter
    if reporter.last_dialog is not None:
        reporter.last_dialog.close()


@pytest.fixture
def open_window(qtbot, sqlite_ctx, paths, reporter) -> Callable[..., MainWindow]:
    """open_window() -> a shown main window whose pages finished their first load. The window makes a page
    when it is first shown; here all are made at once (tests of other pages reach them directly), unless
    `all_pages=False` (tests of that lazy making)."""

    def open_(*, all_pages: bool = True) -> MainWindow:
        if not company.is_set_up(sqlite_ctx):  # past the first-run question (tested on its own)
            profile = company.get(sqlite_ctx)
            company.update(sqlite_ctx, expected_version=profile.version, name=OFFICE)
        window = build_main_window(sqlite_ctx, paths, reporter)
        qtbot.addWidget(window)
        window.show()
        window.start()
        if all_pages:
            for key in window.pages:
                window.page(key)
        qtbot.waitUntil(lambda: window.ready, timeout=15_000)  # a loaded CI machine is slow to start
        return window

    return open_


def texts(window: MainWindow, key: str, column: int = 0) -> list[str]:
    model = window.pages[key].model
    return [model.index(row, column).data() for row in range(model.rowCount())]


@pytest.fixture
def ops(qtbot, sqlite_ctx):
    """Ops on the test database; a test fails if any call hit a bug (an unexpected exception)."""
    from crm_desktop.ui.ops import Ops

    bugs: list[BaseException] = []
    ops = Ops(sqlite_ctx, report_bug=bugs.append)
    yield ops
    ops.wait_idle()
    for box in ops._boxes:
        box.close()
    assert not bugs, bugs


def drop_card(column, row: int, target_view) -> None:
    """What Qt does when the card at `row` of a board `column` is dropped on `target_view` (another
    column's list): the target gets enter, move and drop events with the card's data."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = column.model.mimeData([column.model.index(row, 0)])
    at = target_view.viewport().rect().center()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, Qt.DropAction.MoveAction, mime, buttons, mods)
    QApplication.sendEvent(target_view.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(
        target_view.viewport(), QDragMoveEvent(at, Qt.DropAction.MoveAction, mime, buttons, mods)
    )
    QApplication.sendEvent(
        target_view.viewport(), QDropEvent(QPointF(at), Qt.DropAction.MoveAction, mime, buttons, mods)
    )
