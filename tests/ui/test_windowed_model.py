"""The model behind very long lists: the full count up front, rows loaded as they come into view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from crm_desktop.services import clients
from crm_desktop.services.clients import ClientFilter
from crm_desktop.ui import windowed_model
from crm_desktop.ui.lazy_model import Column
from crm_desktop.ui.windowed_model import WindowedTableModel


@pytest.fixture
def model(qtbot, sqlite_ctx, ops, monkeypatch):
    monkeypatch.setattr(windowed_model, "KEPT_PAGES", 3)
    for i in range(95):
        clients.create(sqlite_ctx, name=f"Client {i:03d}")
    m = WindowedTableModel(
        ops, [Column("Name", lambda c: c.name, "name")],
        lambda ctx, q, sort, desc, offset, limit: clients.list_clients(
            ctx, ClientFilter(search=q), sort=sort, descending=desc, offset=offset, limit=limit),
        lambda ctx, q: clients.count(ctx, ClientFilter(search=q)),
        query="", sort="name", page_size=10)
    with qtbot.waitSignal(m.loaded):
        m.reload()
    return m


def test_knows_the_whole_count_but_loads_only_the_first_page(model):
    assert model.rowCount() == 95
    assert model.index(0, 0).data() == "Client 000"
    assert len(model.rows) == 10


def test_a_far_row_arrives_when_asked_for(qtbot, model):
    assert model.index(94, 0).data() is None  # asked for: its page is on its way
    qtbot.waitUntil(lambda: model.index(94, 0).data() == "Client 094")


def test_only_recent_pages_are_kept(qtbot, model):
    for row in (25, 45, 65, 85):
        model.index(row, 0).data()
        qtbot.waitUntil(lambda row=row: model.index(row, 0).data() == f"Client {row:03d}")
    assert model.row(5) is None  # the first page gave way to the ones seen since


def test_search_and_sort_start_again_from_the_top(qtbot, model):
    with qtbot.waitSignal(model.loaded):
        model.set_query("client 09")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [f"Client {i:03d}" for i in range(90, 95)]
    with qtbot.waitSignal(model.loaded):
        model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == "Client 094"


def test_a_view_scrolled_to_the_end_shows_the_last_rows(qtbot, model, tmp_path):
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(300, 200)
    view.show()
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.index(94, 0).data() == "Client 094")


def test_passes_the_model_tester(qtbot, qtmodeltester, model):
    qtmodeltester.check(model)
