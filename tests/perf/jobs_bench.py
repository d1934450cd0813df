"""How fast jobs start and their deadlines are watched, on SQLite:

    python tests/perf/jobs_bench.py [--jobs N] [--view-jobs M]

    job_start_ms             a job started from a 20-stage template (each stage with a checklist, 30 tasks
                             among them), planned in working time with the office's holidays: the median
                             of 50 starts
    escalation_scan_ms       the follow-up rules run over N jobs' open stages (20 each; 1,000 jobs by
                             default: 20,000 stages) when none is newly late: what the timer costs every
                             time it wakes
    jobs_list_ms             every open job listed with its client, manager and template (jobs.list_jobs):
                             the median of 5
    jobs_view_first_page_ms  with M jobs (20,000 by default) of 500 clients: the Jobs page shown → its
                             board's columns painted with their first cards and counts (real widgets,
                             offscreen)
    jobs_list_first_page_ms  the same page switched to its list → the first rows painted

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
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
from crm_desktop.services import clients, company, follow_ups, jobs, work_calendar, workflows  # noqa: E402
from crm_desktop.services.context import FixedClock, ServiceContext  # noqa: E402
from crm_desktop.services.workflows import StageSpec, TaskSpec  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--view-jobs", type=int, default=20_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crm-jobs-bench-") as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        upgrade(db)
        clock = FixedClock(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
        ctx = ServiceContext(db, clock=clock)
        company.update(ctx, expected_version=company.get(ctx).version, name="Bench office")
        work_calendar.add_public_holidays(ctx, "UZ", 2026)
        work_calendar.update(ctx, expected_version=company.get(ctx).version, country="UZ")
        stages = [
            StageSpec(
                f"Stage {n}",
                work_days=1 + n % 3,
                checklist=("Check one", "Check two"),
                tasks=tuple(TaskSpec(f"Task {n}.{k}", after_hours=4 * k) for k in range(1 + n % 2)),
            )
            for n in range(20)
        ]  # 30 tasks
        template = workflows.create(ctx, "Twenty stages", stages)
        client = clients.create(ctx, name="Bench client")
        starts = []
        for n in range(args.jobs):
            started = time.perf_counter()
            jobs.start(ctx, client.id, template.id)
            starts.append((time.perf_counter() - started) * 1000)
            if n == 50:
                say(f"job_start: median {statistics.median(starts):.1f} ms")
        clock.current = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # nothing newly late
        follow_ups.run(ctx)
        scans = []
        for _ in range(10):
            started = time.perf_counter()
            follow_ups.run(ctx)
            scans.append((time.perf_counter() - started) * 1000)
        listings = []
        for _ in range(5):
            started = time.perf_counter()
            listed = jobs.list_jobs(ctx)
            listings.append((time.perf_counter() - started) * 1000)
        listing = statistics.median(listings)
        db.dispose()
        view = _view_figures(Path(tmp) / "view.sqlite3", args.view_jobs)
    figures = {
        "jobs": args.jobs,
        "open_stages": args.jobs * len(stages),
        "job_start_ms": round(statistics.median(starts[:50]), 1),
        "escalation_scan_ms": round(statistics.median(scans), 1),
        "jobs_list_ms": round(listing, 1),
        "listed": len(listed),
        **view,
    }
    print(json.dumps(figures))
    return 0


def _many_jobs(db: Database, ctx: ServiceContext, n: int) -> None:
    """`n` jobs of 500 clients, copied in bulk from five started through the service (their stages too),
    spread over the statuses and due days an office has."""
    from sqlalchemy import insert, select

    from crm_desktop.db.models import Job, JobStage

    template = workflows.create(ctx, "Five stages", [StageSpec(f"Step {k}", work_days=2) for k in range(5)])
    client_ids = [clients.create(ctx, name=f"Client {k}").id for k in range(500)]
    model = jobs.start(ctx, client_ids[0], template.id)
    with db.read() as s:
        job = {c.name: getattr(s.get(Job, model.id), c.key) for c in Job.__table__.columns if c.name != "id"}
        stage_rows = [
            {c.name: getattr(g, c.key) for c in JobStage.__table__.columns if c.name not in ("id", "job_id")}
            for g in s.scalars(
                select(JobStage).where(JobStage.job_id == model.id).order_by(JobStage.position)
            )
        ]
    statuses = ("planned", "in_progress", "in_progress", "in_progress", "on_hold", "done")
    with db.write() as s:
        for first in range(0, n - 1, 2000):
            rows = []
            for k in range(first, min(first + 2000, n - 1)):
                shift = timedelta(days=k % 60 - 20)
                rows.append({**job, "client_id": client_ids[k % len(client_ids)], "title": f"Job {k}",
                             "status": statuses[k % len(statuses)], "request_id": None,
                             "planned_due": job["planned_due"] + shift,
                             "forecast_due": job["forecast_due"] + shift + timedelta(days=k % 7 // 5 * 3),
                             "current_stage": f"Step {k % 5}", "stages_done": k % 5})  # fmt: skip
            ids = s.execute(insert(Job.__table__).returning(Job.__table__.c.id), rows).scalars().all()
            s.execute(insert(JobStage.__table__), [{**g, "job_id": i} for i in ids for g in stage_rows])


clock_start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _view_figures(path: Path, n: int) -> dict[str, float]:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    from PySide6.QtCore import QEventLoop

    from crm_desktop.app import application, build_main_window
    from crm_desktop.config import Paths
    from crm_desktop.ui.errors import ErrorReporter

    db = Database.open(f"sqlite:///{path}")
    upgrade(db)
    ctx = ServiceContext(db, clock=FixedClock(clock_start))
    company.update(ctx, expected_version=company.get(ctx).version, name="Bench office")
    _many_jobs(db, ctx, n)
    say(f"{n} jobs made")
    app = application()

    def wait_until(condition, timeout_s: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the jobs page did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
            time.sleep(0)

    with tempfile.TemporaryDirectory(prefix="crm-jobs-ui-") as tmp:
        paths = Paths.under(Path(tmp))
        window = build_main_window(ServiceContext(db), paths, ErrorReporter(paths), demo=True)
        window.resize(1280, 800)
        window.show()
        window.start()
        wait_until(lambda: window.ready)
        started = time.perf_counter()
        window.show_page("jobs")
        view = window.jobs_view
        wait_until(lambda: view.ready and view.footer.count.text() != "")
        view.board.viewport().repaint()
        board = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        view.list_button.setChecked(True)
        wait_until(lambda: view.ready)
        view.table.viewport().repaint()
        listing = (time.perf_counter() - started) * 1000
        window.close()
    db.dispose()
    say(f"jobs page: board {board:.0f} ms, list {listing:.0f} ms")
    return {
        "view_jobs": n,
        "jobs_view_first_page_ms": round(board, 1),
        "jobs_list_first_page_ms": round(listing, 1),
    }


if __name__ == "__main__":
    raise SystemExit(main())
