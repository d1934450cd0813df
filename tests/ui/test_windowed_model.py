"""The model behind very long lists: the full count up front, rows loaded as they come into view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from statements import StatementLog, skips_rows

from crm_desktop.services import clients
from crm_desktop.services.clients import ClientFilter
from crm_desktop.ui import windowed_model
from crm_desktop.ui.lazy_model import Column
from crm_desktop.ui.ops import READ_THREADS
from crm_desktop.ui.windowed_model import WindowedTableModel


@pytest.fixture
def model(qtbot, sqlite_ctx, ops, monkeypatch):
    monkeypatch.setattr(windowed_model, "KEPT_PAGES", 3)
    for i in range(95):
        clients.create(sqlite_ctx, name=f"Client {i:03d}")
    m = WindowedTableModel(
        ops,
        [Column("Name", lambda c: c.name, "name")],
        lambda ctx, q, sort, desc, offset, limit: clients.list_clients(
            ctx, ClientFilter(search=q), sort=sort, descending=desc, offset=offset, limit=limit
        ),
        lambda ctx, q: clients.count(ctx, ClientFilter(search=q)),
        query="",
        sort="name",
        page_size=10,
    )
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
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        f"Client {i:03d}" for i in range(90, 95)
    ]
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


@pytest.fixture
def keyed(qtbot, sqlite_ctx, ops):
    """Clients as the clients view lists them: pages by key, rows refreshed by id. Names repeat."""
    from crm_desktop.ui.clients.view import fetch_clients, refresh_clients

    for i in range(95):
        clients.create(sqlite_ctx, name=f"Client {i // 3:03d}")  # three of each: ties across page ends
    m = WindowedTableModel(
        ops,
        [Column("Name", lambda c: c.name, "name"), Column("Status", lambda c: c.status, "status")],
        fetch_clients,
        lambda ctx, f: clients.count(ctx, f),
        query=ClientFilter(),
        sort="name",
        page_size=10,
        key_sorts=clients.KEY_SORTS,
        refresh=refresh_clients,
    )
    with qtbot.waitSignal(m.loaded):
        m.reload()
    return m


def shown_ids(qtbot, model) -> list[int]:
    ids = []
    for row in range(model.rowCount()):
        model.index(row, 0).data()
        qtbot.waitUntil(lambda row=row: model.row(row) is not None)
        ids.append(model.row(row).id)
    return ids


@pytest.mark.parametrize("descending", [False, True])
def test_scrolling_down_reads_each_page_on_from_the_last_row_by_key(qtbot, keyed, sqlite_ctx, descending):
    if descending:
        with qtbot.waitSignal(keyed.loaded):
            keyed.sort(0, Qt.SortOrder.DescendingOrder)
    expected = [c.id for c in clients.list_clients(sqlite_ctx, sort="name", descending=descending, limit=200)]
    with StatementLog(sqlite_ctx.db.engine) as sent:
        assert shown_ids(qtbot, keyed) == expected  # ties broken by id across every page boundary
    pages = sent.pages()
    assert len(pages) == 9 and not any(map(skips_rows, pages))


def test_a_jump_to_the_end_reads_the_last_page_from_the_end_and_scrolls_up_by_key(qtbot, keyed, sqlite_ctx):
    expected = [c.id for c in clients.list_clients(sqlite_ctx, sort="name", limit=200)]
    with StatementLog(sqlite_ctx.db.engine) as sent:
        keyed.index(94, 0).data()  # the scroll bar dragged to the bottom
        qtbot.waitUntil(lambda: keyed.row(94) is not None)
        assert [keyed.row(r).id for r in range(90, 95)] == expected[90:]
        for row in (85, 75, 65):  # and from there upwards
            keyed.index(row, 0).data()
            qtbot.waitUntil(lambda row=row: keyed.row(row) is not None)
        assert [keyed.row(r).id for r in range(60, 95)] == expected[60:]
    pages = sent.pages()
    assert len(pages) == 4 and not any(map(skips_rows, pages))


def test_a_jump_to_the_middle_counts_its_way_once_then_goes_on_by_key(qtbot, keyed, sqlite_ctx):
    expected = [c.id for c in clients.list_clients(sqlite_ctx, sort="name", limit=200)]
    with StatementLog(sqlite_ctx.db.engine) as sent:
        for row in (35, 45):
            keyed.index(row, 0).data()
            qtbot.waitUntil(lambda row=row: keyed.row(row) is not None)
    assert [keyed.row(r).id for r in range(30, 50)] == expected[30:50]
    pages = [skips_rows(page) for page in sent.pages()]
    assert pages == [True, False]


def test_a_sort_without_a_key_still_pages_by_offset(qtbot, keyed, sqlite_ctx):
    with qtbot.waitSignal(keyed.loaded):
        keyed.sort(1)  # by status
    expected = [c.id for c in clients.list_clients(sqlite_ctx, sort="status", limit=200)]
    assert shown_ids(qtbot, keyed) == expected


def test_refreshing_an_updated_row_repaints_only_that_row_and_keeps_the_selection(qtbot, keyed, sqlite_ctx):
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(keyed)
    view.resize(300, 200)
    view.show()
    view.selectRow(4)
    target = keyed.row(4)
    clients.update(sqlite_ctx, target.id, expected_version=target.version, status="customer")
    resets, changed = [], []
    keyed.modelReset.connect(lambda: resets.append(True))
    keyed.dataChanged.connect(lambda first, last, *_: changed.append((first.row(), last.row())))
    with StatementLog(sqlite_ctx.db.engine) as sent, qtbot.waitSignal(keyed.loaded):
        keyed.refresh_rows({target.id, 10_000})  # one of them is not in the list at all
    assert keyed.index(4, 1).data() == "customer"
    reads = [s for s in sent.sent if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2 and all("IN (" in s for s in reads)  # the rows asked for and their next activity
    assert changed == [(4, 4)] and not resets
    assert view.selectionModel().isRowSelected(4) and view.currentIndex().row() == 4
    assert view.selectionModel().selectedRows() == [keyed.index(4, 0)]


def test_a_refreshed_row_that_left_the_filter_or_moved_reloads_the_list(qtbot, keyed, sqlite_ctx):
    first = keyed.row(0)
    clients.update(sqlite_ctx, first.id, expected_version=first.version, name="Zzz last now")
    with qtbot.waitSignal(keyed.modelReset):
        keyed.refresh_rows({first.id})  # renamed: its place in the order is elsewhere
    assert keyed.row(0).id != first.id and keyed.row(0).name == "Client 000"


def test_refreshing_rows_none_of_which_is_loaded_asks_nothing(qtbot, keyed, sqlite_ctx):
    far = clients.list_clients(sqlite_ctx, sort="name", offset=90, limit=1)[0]
    with StatementLog(sqlite_ctx.db.engine) as sent:
        keyed.refresh_rows({far.id})
    assert sent.statements == [] and not keyed.ops.busy


def test_the_keyed_model_passes_the_model_tester(qtbot, qtmodeltester, keyed, sqlite_ctx):
    qtmodeltester.check(keyed)
    target = keyed.row(2)
    clients.update(sqlite_ctx, target.id, expected_version=target.version, status="customer")
    with qtbot.waitSignal(keyed.loaded):
        keyed.refresh_rows({target.id})
    qtmodeltester.check(keyed)


def test_pages_scrolled_past_before_their_turn_are_not_read(qtbot, keyed, sqlite_ctx):
    import threading

    keyed.page_size = 5
    with qtbot.waitSignal(keyed.loaded):
        keyed.reload()
    gate = threading.Event()
    for _ in range(READ_THREADS):  # the readers are busy, as while the scroll bar is dragged
        keyed.ops.read(lambda ctx: gate.wait(5))
    for row in range(5, 95, 5):  # 18 pages asked for, one after the other
        keyed.index(row, 0).data()
    with StatementLog(sqlite_ctx.db.engine) as sent:
        gate.set()
        qtbot.waitUntil(lambda: keyed.row(94) is not None and not keyed.ops.busy)
    pages = sent.pages()
    # One page is read at a time: the first one asked for, then the last eight; the nine between
    # had scrolled out of sight before their turn came.
    assert len(pages) == 1 + windowed_model.STALE_REQUESTS
    assert keyed.row(5) is not None and keyed.row(10) is None and keyed.row(55) is not None
    assert keyed.index(10, 0).data() is None  # painted again: asked for again, and now it comes
    qtbot.waitUntil(lambda: keyed.row(10) is not None)
