"""The lazy table model: pages fetched as the view scrolls, consistent for Qt's model checker."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableView

from crm_desktop.services import clients
from crm_desktop.services.clients import ClientFilter
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.ops import READ_THREADS


@pytest.fixture
def model(ops, sqlite_ctx) -> LazyTableModel:
    for i in range(12):
        clients.create(sqlite_ctx, name=f"Client {i:02}", phones=[f"+998 90 000 00 {i:02}"])
    return LazyTableModel(
        ops,
        [Column("Name", lambda c: c.name, "name"), Column("Phones", lambda c: ", ".join(c.phones))],
        lambda ctx, q, sort, desc, offset, limit: clients.list_clients(
            ctx, ClientFilter(search=q), sort=sort, descending=desc, offset=offset, limit=limit
        ),
        lambda ctx, q: clients.count(ctx, ClientFilter(search=q)),
        query="",
        sort="name",
        page_size=5,
    )


def names(model: LazyTableModel) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_rows_arrive_a_page_at_a_time(model, qtbot):
    assert not model.canFetchMore()  # nothing is asked before the first load
    with qtbot.waitSignal(model.loaded):
        model.reload()
    assert names(model) == [f"Client {i:02}" for i in range(5)] and model.total == 12
    for expected in (10, 12):
        assert model.canFetchMore()
        with qtbot.waitSignal(model.loaded):
            model.fetchMore()
        assert model.rowCount() == expected
    assert not model.canFetchMore()
    assert names(model)[-1] == "Client 11"


def test_scrolling_to_the_end_of_the_table_fetches_the_next_page(model, qtbot):
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(400, 120)
    view.setModel(model)
    view.show()
    with qtbot.waitSignal(model.loaded):
        model.reload()
    with qtbot.waitSignal(model.loaded):
        view.scrollToBottom()
    assert model.rowCount() == 10


def test_the_model_passes_qts_model_checks_while_loading_and_reloading(
    model, qtbot, qtmodeltester, sqlite_ctx
):
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.loaded):
        model.reload()
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.loaded):
        model.fetchMore()
    with qtbot.waitSignal(model.loaded):
        model.set_query("client 03")
    assert names(model) == ["Client 03"]
    qtmodeltester.check(model)


def test_a_refresh_keeps_as_many_rows_as_were_scrolled_through(model, qtbot, sqlite_ctx):
    with qtbot.waitSignal(model.loaded):
        model.reload()
    with qtbot.waitSignal(model.loaded):
        model.fetchMore()
    clients.create(sqlite_ctx, name="Client 00a")
    with qtbot.waitSignal(model.loaded):
        model.reload()
    assert model.rowCount() == 10 and model.total == 13
    assert names(model)[:2] == ["Client 00", "Client 00a"]


def test_only_the_latest_search_lands_in_the_table(model, qtbot):
    with qtbot.waitSignal(model.loaded):
        model.reload()
    arrivals = []
    model.loaded.connect(lambda: arrivals.append(names(model)))
    model.set_query("client 01")
    with qtbot.waitSignal(model.loaded):
        model.set_query("client 07")
    qtbot.waitUntil(lambda: not model.ops.busy)
    assert arrivals == [["Client 07"]]  # the answer to the older search was dropped


def test_a_search_overtaken_by_further_typing_is_never_run(ops, qtbot, sqlite_ctx):
    import threading

    clients.create(sqlite_ctx, name="Karimov Aziz")
    asked: list[str] = []

    def fetch(ctx, q, sort, desc, offset, limit):
        asked.append(q)
        return clients.list_clients(ctx, ClientFilter(search=q), limit=limit)

    model = LazyTableModel(
        ops,
        [Column("Name", lambda c: c.name)],
        fetch,
        lambda ctx, q: clients.count(ctx, ClientFilter(search=q)),
        query="",
        sort="name",
    )
    gate = threading.Event()
    for _ in range(READ_THREADS):  # every reader is busy, as with slow queries
        ops.read(lambda ctx: gate.wait(5))
    for typed in ("k", "ka", "kar"):
        model.set_query(typed)
    gate.set()
    qtbot.waitUntil(lambda: model.ready and not ops.busy)
    assert asked == ["kar"]
    assert names(model) == ["Karimov Aziz"]


def test_refreshing_an_updated_row_changes_just_that_row(qtbot, ops, sqlite_ctx):
    for i in range(12):
        clients.create(sqlite_ctx, name=f"Client {i:02}")
    model = LazyTableModel(
        ops,
        [Column("Name", lambda c: c.name, "name"), Column("Status", lambda c: c.status)],
        lambda ctx, q, sort, desc, offset, limit, after=None: clients.list_clients(
            ctx, q, sort=sort, descending=desc, offset=offset, limit=limit, after=after
        ),
        lambda ctx, q: clients.count(ctx, q),
        query=ClientFilter(),
        sort="name",
        page_size=5,
        key_sorts=clients.KEY_SORTS,
        refresh=lambda ctx, q, ids: clients.rows(ctx, ids, q),
    )
    with qtbot.waitSignal(model.loaded):
        model.reload()
    with qtbot.waitSignal(model.loaded):
        model.fetchMore()  # the second page goes on from the first by key
    assert names(model) == [f"Client {i:02}" for i in range(10)]
    target = model.row(7)
    clients.update(sqlite_ctx, target.id, expected_version=target.version, status="customer")
    resets, changed = [], []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda first, last, *_: changed.append((first.row(), last.row())))
    with qtbot.waitSignal(model.loaded):
        model.refresh_rows({target.id})
    assert model.index(7, 1).data() == "customer" and changed == [(7, 7)] and not resets
    assert model.rowCount() == 10


def test_refresh_without_a_way_to_read_rows_by_id_reloads(model, qtbot, sqlite_ctx):
    with qtbot.waitSignal(model.loaded):
        model.reload()
    with qtbot.waitSignal(model.modelReset):
        model.refresh_rows({model.row(0).id})
