"""Many writers on one SQLite file: does any save give up with "the database is busy"?

    python tests/perf/sqlite_writers_bench.py [--seconds 60] [--processes 8] [--threads 4] [--cpu-hogs N]

Every thread of every process adds tasks through the real service (tasks.create: BEGIN IMMEDIATE, the
insert, its audit row, a FULL-sync commit) as fast as it can, like several app windows and scripts
writing to one file at once. `--cpu-hogs N` adds N processes that only spin, for a PC that is busy with
other things too (the report came from a load average of about 8). Human-readable lines first; the LAST
line is one JSON object:

    sqlite_writers_busy_errors  saves that raised DatabaseBusy (the figure that must stay 0)
    sqlite_writers_other_errors saves that failed any other way
    sqlite_writes_done          saves committed by all writers together
    sqlite_write_p50_ms,        latency of one save, from the call to its return
    sqlite_write_p99_ms,
    sqlite_write_max_ms
    load_average_1m             the 1-minute load average at the end (os.getloadavg), for context

Speed is measured here, never asserted in tests (see DESIGN.md). Not collected by pytest: no test_ prefix.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # runnable from a checkout without installing


def worker(path: str, seconds: float, threads: int) -> None:
    """One process: `threads` writers for `seconds`; prints one JSON line of what happened."""
    from crm_desktop.db.engine import Database
    from crm_desktop.services import tasks
    from crm_desktop.services.context import DatabaseBusy, ServiceContext

    db = Database.open(f"sqlite:///{path}")
    ctx = ServiceContext(db)
    due = datetime.now(UTC) + timedelta(days=1)
    latencies: list[float] = []
    busy: list[str] = []
    other: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def write_until_stopped(n: int) -> None:
        i = 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                tasks.create(ctx, title=f"pid {os.getpid()} thread {n} task {i}", due_at=due)
            except DatabaseBusy as exc:
                with lock:
                    busy.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
                with lock:
                    other.append(f"{type(exc).__name__}: {exc}"[:300])
            else:
                with lock:
                    latencies.append(time.perf_counter() - started)
            i += 1

    pool = [threading.Thread(target=write_until_stopped, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    db.dispose()
    print(json.dumps({"latencies": latencies, "busy": busy, "other": other}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--processes", type=int, default=8)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument(
        "--cpu-hogs", type=int, default=0, metavar="N", help="processes that only burn CPU meanwhile"
    )
    p.add_argument("--worker", metavar="FILE", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.worker, args.seconds, args.threads)
        return

    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="crm-writers-") as tmp:
        path = Path(tmp) / "office.sqlite3"
        db = Database.open(f"sqlite:///{path}")
        upgrade(db)
        db.dispose()
        print(
            f"{args.processes} processes x {args.threads} threads writing for {args.seconds:.0f} s to {path}",
            flush=True,
        )
        spin = f"import time\nend = time.monotonic() + {args.seconds}\nwhile time.monotonic() < end: pass"
        hogs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(args.cpu_hogs)]
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    str(path),
                    "--seconds",
                    str(args.seconds),
                    "--threads",
                    str(args.threads),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.processes)
        ]
        results = [json.loads(proc.communicate()[0].strip().splitlines()[-1]) for proc in procs]
        for hog in hogs:
            hog.wait()
    latencies = sorted(x for r in results for x in r["latencies"])
    busy = [m for r in results for m in r["busy"]]
    other = [m for r in results for m in r["other"]]
    for message in sorted(set(other))[:5]:
        print(f"other error: {message}")
    figures = {
        "sqlite_writers_busy_errors": len(busy),
        "sqlite_writers_other_errors": len(other),
        "sqlite_writes_done": len(latencies),
        "sqlite_write_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "sqlite_write_p99_ms": round(statistics.quantiles(latencies, n=100)[-1] * 1000, 1)
        if len(latencies) > 1
        else None,
        "sqlite_write_max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(f"{len(latencies)} saves, {len(busy)} busy errors, p99 {figures['sqlite_write_p99_ms']} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
