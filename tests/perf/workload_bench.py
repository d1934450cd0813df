"""How fast the team's workload is shown and rebalanced, on SQLite:

    python tests/perf/workload_bench.py [--people N] [--tasks M] [--series K]

    workload_view_ms  30 people × 15 working days with 10,000 open tasks (over the next three months, an
                      hour or two each), 500 series of recurring visits (weekly, twice a week or every two
                      weeks: their visits made four weeks ahead) and 20 jobs' stages given to them: the
                      Workload page shown → its grid painted (real widgets, offscreen)
    workload_drag_ms  a task dropped on another (free) person's day → the grid read again and repainted:
                      the median of 5 drops
    invoice_from_time_ms  "Invoice work done" on a job of 500 time entries by 10 people over its 4 stages,
                      with 20 materials: the draft made and every entry marked (the median of 5; the draft
                      deleted in between gives the entries back)

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import say  # noqa: E402

from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.db.migrate import upgrade  # noqa: E402
from crm_desktop.services import clients, company, jobs, users, visits, workflows  # noqa: E402
from crm_desktop.services.context import FixedClock, ServiceContext  # noqa: E402
from crm_desktop.services.workflows import StageSpec  # noqa: E402

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # a Monday morning in Tashkent


def _office(db: Database, ctx: ServiceContext, people: int, n_tasks: int, series: int) -> list[int]:
    from sqlalchemy import insert

    from crm_desktop.db.models import Task

    company.update(
        ctx, expected_version=company.get(ctx).version, name="Bench office", default_currency="USD"
    )
    boss = users.create(ctx, username="boss", display_name="Boss", role="manager")
    ids = [boss.id] + [
        users.create(ctx, username=f"tech{k}", display_name=f"Technician {k:02}", manager_id=boss.id).id
        for k in range(people - 1)
    ]
    client_ids = [clients.create(ctx, name=f"Client {k}").id for k in range(200)]
    stamp = {"created_at": NOW, "updated_at": NOW, "version": 1}
    rows = []
    for k in range(n_tasks):
        due = NOW + timedelta(days=k % 90, hours=1 + k % 8)
        rows.append({"title": f"Visit {k}", "description": "", "client_id": client_ids[k % 200],
                     "assignee_id": ids[k % (people - 2)], "due_at": due, "priority": "normal",
                     "duration_minutes": 60 + 30 * (k % 3), "status": "open", "recurrence": "",
                     "origin": None, **stamp})  # fmt: skip
    if rows:
        with db.write() as s:
            s.execute(insert(Task.__table__), rows)
    rules = ("FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=TU,FR", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE")
    for k in range(series):
        visits.create(ctx, client_ids[k % 200], visits.SeriesValues(
            f"Service {k}", rules[k % 3], NOW.date(), at_time=f"{8 + k % 8:02d}:00", duration_minutes=45,
            assignee_id=ids[k % (people - 2)]))  # fmt: skip
    template = workflows.create(ctx, "Fit-out", [StageSpec(f"Step {k}", work_days=2) for k in range(4)])
    for k in range(20):
        jobs.start(ctx, client_ids[k], template.id, responsible_id=ids[1 + k % (people - 2)])
    return ids  # (the last two have nothing to do yet: the drops go from one to the other)


def _invoice_figure(path: Path) -> float:
    from crm_desktop.services import invoices, time_tracking, work_billing

    db = Database.open(f"sqlite:///{path}")
    upgrade(db)
    ctx = ServiceContext(db, clock=FixedClock(NOW))
    ids = _office(db, ctx, 11, 0, 0)
    client = clients.create(ctx, name="Contract client")
    template = workflows.create(ctx, "Contract", [StageSpec(f"Part {k}", work_days=5) for k in range(4)])
    job = jobs.start(ctx, client.id, template.id)
    for person in ids[1:]:
        work_billing.set_rate(ctx, user_id=person, amount="25", currency="USD")
    for k in range(500):
        time_tracking.add_entry(ctx, day=NOW.date(), minutes=15 + k % 90, stage_id=job.stages[k % 4].id,
                                user_id=ids[1 + k % 10])  # fmt: skip
    for k in range(20):
        work_billing.add_material(ctx, job.id, description=f"Part {k}", quantity=k + 1, unit_price="2.50")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        draft = work_billing.invoice_work_done(ctx, job.id)
        timings.append((time.perf_counter() - started) * 1000)
        invoices.delete_draft(ctx, draft.id, expected_version=draft.version)
    db.dispose()
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--series", type=int, default=500)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    from PySide6.QtCore import QEventLoop, QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    from crm_desktop.app import application, build_main_window
    from crm_desktop.config import Paths
    from crm_desktop.ui.errors import ErrorReporter

    with tempfile.TemporaryDirectory(prefix="crm-workload-bench-") as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        upgrade(db)
        ctx = ServiceContext(db, clock=FixedClock(NOW))
        ids = _office(db, ctx, args.people, args.tasks, args.series)
        say(f"{args.people} people, {args.tasks} tasks made")
        app = application()

        def wait_until(condition, timeout_s: float = 60.0) -> None:
            deadline = time.perf_counter() + timeout_s
            while not condition():
                if time.perf_counter() > deadline:
                    raise TimeoutError("the workload did not answer in time")
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
                time.sleep(0)

        paths = Paths.under(Path(tmp) / "home")
        window = build_main_window(
            ServiceContext(db, clock=FixedClock(NOW)), paths, ErrorReporter(paths), demo=True
        )
        window.resize(1440, 900)
        window.show()
        window.start()
        wait_until(lambda: window.ready)
        started = time.perf_counter()
        window.show_page("workload")
        view = window.workload_view
        wait_until(lambda: view.ready)
        view.grid.viewport().repaint()
        opened = (time.perf_counter() - started) * 1000
        say(f"workload view: {opened:.0f} ms")

        def row_of(user_id: int) -> int:
            return next(
                n for n, r in enumerate(view.model.rows) if r.user_id == user_id and r.kind == "person"
            )

        drags = []
        view._cell_clicked(view.model.index(row_of(ids[1]), 0))
        wait_until(lambda: view.panel.model.rowCount() > 0 and not window.ops.busy)
        view.move(view.panel.model.items[-1], ids[-1], view.model.days[0])  # work for the first drop
        wait_until(lambda: not window.ops.busy and view.ready)
        for k in range(6):
            source, target = (ids[-1], ids[-2]) if k % 2 == 0 else (ids[-2], ids[-1])
            view.grid.scrollTo(view.model.index(row_of(target), 0))
            view._cell_clicked(view.model.index(row_of(source), 0))
            wait_until(lambda: view.panel.model.rowCount() > 0 and not window.ops.busy)
            items = view.panel.model
            mime = items.mimeData([items.index(0)])
            at = view.grid.cell_rect(row_of(target), 0).center()
            port = view.grid.viewport()
            buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
            before = view._answered
            started = time.perf_counter()
            app.sendEvent(port, QDragEnterEvent(at, Qt.DropAction.MoveAction, mime, buttons, mods))
            app.sendEvent(port, QDragMoveEvent(at, Qt.DropAction.MoveAction, mime, buttons, mods))
            app.sendEvent(port, QDropEvent(QPointF(at), Qt.DropAction.MoveAction, mime, buttons, mods))
            wait_until(lambda b=before: view._answered > b and view.ready)
            port.repaint()
            drags.append((time.perf_counter() - started) * 1000)
            if view.dialog is not None and view.dialog.isVisible():
                raise RuntimeError(
                    "the drop was asked about (an overload): the figures would not be a drop's"
                )
        window.close()
        db.dispose()
        invoicing = _invoice_figure(Path(tmp) / "invoice.sqlite3")
        say(f"invoice work done: {invoicing:.0f} ms")
    figures = {
        "people": args.people,
        "open_tasks": args.tasks,
        "series": args.series,
        "workload_view_ms": round(opened, 1),
        "workload_drag_ms": round(statistics.median(drags[1:]), 1),
        "invoice_from_time_ms": round(invoicing, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
