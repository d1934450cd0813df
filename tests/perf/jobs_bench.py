"""How fast jobs start and their deadlines are watched, on SQLite:

    python tests/perf/jobs_bench.py [--jobs N]

    job_start_ms          a job started from a 20-stage template (each stage with a checklist), planned in
                          working time with the office's holidays: the median of 50 starts
    escalation_scan_ms    the follow-up rules run over N jobs' open stages (20 each; 1,000 jobs by default:
                          20,000 stages) when none is newly late: what the timer costs every time it wakes
    jobs_list_ms          every open job listed with its client, manager and template (jobs.list_jobs)

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import say  # noqa: E402

from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.db.migrate import upgrade  # noqa: E402
from crm_desktop.services import clients, company, follow_ups, jobs, work_calendar, workflows  # noqa: E402
from crm_desktop.services.context import FixedClock, ServiceContext  # noqa: E402
from crm_desktop.services.workflows import StageSpec  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
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
            StageSpec(f"Stage {n}", work_days=1 + n % 3, checklist=("Check one", "Check two"))
            for n in range(20)
        ]
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
        started = time.perf_counter()
        listed = jobs.list_jobs(ctx)
        listing = (time.perf_counter() - started) * 1000
        db.dispose()
    figures = {
        "jobs": args.jobs,
        "open_stages": args.jobs * len(stages),
        "job_start_ms": round(statistics.median(starts[:50]), 1),
        "escalation_scan_ms": round(statistics.median(scans), 1),
        "jobs_list_ms": round(listing, 1),
        "listed": len(listed),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
