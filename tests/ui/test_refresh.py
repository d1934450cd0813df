"""What a save costs the rest of the window: views refresh only what changed, only when shown, once.

Spans ui/refresh.py (WhenShown), ui/ops.py (the initiator) and the views of main_window.py.
"""

from __future__ import annotations

import re

from client_save import save_from_form

from crm_desktop.services import clients, deals
from crm_desktop.services.deals import DealFilter
from crm_desktop.ui.main_window import MainWindow


def _reads_of(log, table: str) -> list[str]:
    return [sql for sql in log.reads if re.search(rf"\b(FROM|JOIN) {table}\b", sql)]


def _window_on_a_client(open_window, qtbot, sqlite_ctx) -> tuple[MainWindow, int]:
    client = clients.create(sqlite_ctx, name="Dilnoza Yusupova", phones=["+998 90 000 00 01"])
    deals.create(sqlite_ctx, client_id=client.id, title="Website for the bakery")
    window = open_window()
    window.show_page("clients")
    window.clients_view.open_client(client.id)
    qtbot.waitUntil(lambda: window.clients_view.card.data is not None and window.ready)
    return window, client.id


def test_a_client_save_reads_only_the_row_it_changed(open_window, qtbot, sqlite_ctx):
    window, _ = _window_on_a_client(open_window, qtbot, sqlite_ctx)
    log = save_from_form(window, qtbot.waitUntil)
    # The list refreshes the one row (with its next activity); the card shows what the save returned;
    # the counts cannot change.
    assert len(log.reads) <= 5, log.reads
    assert not _reads_of(log, "activities")
    assert all("WHERE tasks.client_id IN (?) AND tasks.status" in sql for sql in _reads_of(log, "tasks"))


def test_a_hidden_view_does_not_query_on_a_save_elsewhere_and_reloads_when_shown(
    open_window, qtbot, sqlite_ctx
):
    window, client_id = _window_on_a_client(open_window, qtbot, sqlite_ctx)
    [deal] = deals.list_deals(sqlite_ctx, DealFilter(client_id=client_id))
    column = window.deals_view.board.column(deal.stage_name)
    assert [column.model.row(0).client_name] == ["Dilnoza Yusupova"]

    log = save_from_form(window, qtbot.waitUntil, lambda form: form.name.setText("Dilnoza Karimova"))
    assert not _reads_of(log, "deals") and not _reads_of(log, "documents"), log.reads
    assert column.model.row(0).client_name == "Dilnoza Yusupova"  # stale while nobody looks

    with qtbot.waitSignal(column.model.loaded):
        window.show_page("deals")
    assert [column.model.row(0).client_name] == ["Dilnoza Karimova"]
