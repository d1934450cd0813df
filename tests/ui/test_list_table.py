"""The list table: every column fits a small screen until the user sizes one, then their widths stay."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from crm_desktop.services import clients
from crm_desktop.ui.clients.view import SETTINGS, ClientsView


def test_columns_fit_a_narrow_table_until_the_user_sizes_one_then_their_widths_are_kept(
    qtbot, ops, sqlite_ctx, tmp_path
):
    clients.create(sqlite_ctx, name="Aziz Karimov", source="Instagram")
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    view = ClientsView(ops, settings)
    qtbot.addWidget(view)
    view.resize(1000, 600)  # a 1280×720 screen leaves the table about this much beside the card
    view.show()
    view.start()
    qtbot.waitUntil(lambda: view.model.ready)
    table = view.table
    columns = view.model.columnCount()
    right_edge = table.columnViewportPosition(columns - 1) + table.columnWidth(columns - 1)
    assert right_edge <= table.viewport().width() + 1  # Source and Owner are on screen, not cut off
    source = next(i for i, column in enumerate(view.model.columns) if column.title == "Source")
    assert table.columnViewportPosition(source) + 40 < table.viewport().width()

    table.setColumnWidth(0, 300)  # the user widens Name
    view.resize(1400, 700)
    qtbot.waitUntil(lambda: table.columnWidth(0) == 300)
    assert int(settings.value(f"{SETTINGS}/columns")[0]) == 300  # remembered for the next start
