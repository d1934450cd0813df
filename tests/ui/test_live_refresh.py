"""Two PCs on one PostgreSQL: what one commits shows in the other's open list within a second; when
the other's listening connection is killed, it reconnects and reloads, so the view matches the
database again (changes made while it was deaf included).

Spans ui/live_changes.py, db/notifications.py, ui/clients/view.py and ui/work/view.py."""

from __future__ import annotations

import time
from contextlib import contextmanager

from PySide6.QtCore import QSettings
from sqlalchemy import text

from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import upgrade
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext
from crm_desktop.ui.clients.view import ClientsView
from crm_desktop.ui.live_changes import LiveChanges
from crm_desktop.ui.ops import Ops


def names(view: ClientsView) -> list[str]:
    return sorted(view.model.index(row, 0).data() for row in range(view.model.rowCount()))


@contextmanager
def two_pcs(qtbot, postgres_url, clock, tmp_path, make_view, prepare=lambda here: None):
    """(here, there, view, live): this PC's view of `make_view(ops, settings)`, listening, and another
    PC's context on the same database; at the end nothing went wrong on this one."""
    here_db, there_db = Database.open(postgres_url), Database.open(postgres_url)
    upgrade(here_db)
    here, there = ServiceContext(here_db, clock=clock), ServiceContext(there_db, clock=clock)
    prepare(here)
    bugs: list[BaseException] = []
    ops = Ops(here, report_bug=bugs.append)
    view = make_view(ops, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(view)
    view.show()
    live = LiveChanges(ops, retry_seconds=0.2)
    try:
        live.start()
        assert live.listener.wait_listening()
        view.start()
        yield here, there, view, live
    finally:
        live.stop()
        ops.wait_idle()
        here_db.dispose()
        there_db.dispose()
    assert not bugs


def test_other_pcs_changes_arrive_within_a_second_and_a_reconnect_reloads(
    qtbot, postgres_url, clock, tmp_path
):
    with two_pcs(qtbot, postgres_url, clock, tmp_path, ClientsView) as (_here, there, view, live):
        qtbot.waitUntil(lambda: view.model.ready and not view.ops.busy)
        assert names(view) == []

        clients.create(there, name="Aziz Karimov")  # committed on the other PC
        committed = time.perf_counter()
        qtbot.waitUntil(lambda: names(view) == ["Aziz Karimov"], timeout=1000)
        assert time.perf_counter() - committed < 1.0

        with qtbot.waitSignals([live.lost, live.back], timeout=5000, order="strict"):
            with there.db.engine.connect() as conn:  # the network drops this PC's listening connection
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": live.listener.backend_pid})
                conn.commit()
            clients.create(there, name="Zarina Rahimova")  # made while this PC may not hear it
        qtbot.waitUntil(lambda: names(view) == ["Aziz Karimov", "Zarina Rahimova"], timeout=3000)
        assert names(view) == sorted(c.name for c in clients.list_clients(there, limit=None))


def test_a_job_moved_on_another_pc_moves_on_this_ones_board(qtbot, postgres_url, clock, tmp_path):
    from crm_desktop.services import company, jobs, workflows
    from crm_desktop.services.workflows import StageSpec
    from crm_desktop.ui.work.view import JobsView

    made = {}

    def prepare(here) -> None:
        company.update(here, expected_version=company.get(here).version, name="Office")
        template = workflows.create(here, "Visit", [StageSpec("Repair", work_days=1)])
        client = clients.create(here, name="Aziz Karimov")
        made["job"] = jobs.start(here, client.id, template.id, title="Boiler")

    with two_pcs(qtbot, postgres_url, clock, tmp_path, JobsView, prepare) as (_here, there, view, _live):
        qtbot.waitUntil(lambda: view.ready and view.board.column("planned").model.rowCount() == 1)
        jobs.set_status(there, made["job"].id, "on_hold", reason="Parts on order")  # on the other PC
        counts = lambda: [view.board.column(s).model.rowCount() for s in ("planned", "on_hold")]  # noqa: E731
        qtbot.waitUntil(lambda: counts() == [0, 1], timeout=2000)
