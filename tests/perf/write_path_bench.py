"""The cost of one save on the write path, on a SQLite office of N clients (default 100,000).

    python tests/perf/write_path_bench.py [--clients N] [--calls 1000] [--profile create|issue]

The office is bench.py's cached demo database (built once under tests/perf/.cache/), copied with the
SQLite backup API into a temporary file, so the calls measured here never grow the cache.

    client_create_ms          median of `--calls` clients.create calls as the client form makes them
                              (every field, a fresh request id, the actor as owner, one phone, one email)
    invoice_issue_ms          median of `--calls` documents.issue calls, each on its own ten-line invoice
                              draft made beforehand (the draft's making is not timed)
    client_create_statements  SQL statements of one such call, as an SQLAlchemy `before_cursor_execute`
    invoice_issue_statements  listener on the engine sees them: everything SQLAlchemy sends to the driver,
                              BEGIN / BEGIN IMMEDIATE included (the engine's begin hook sends it as a
                              statement). Not counted, because they do not pass the listener: the COMMIT
                              (the driver's commit(), its own fsync), the two PRAGMA busy_timeout around
                              BEGIN IMMEDIATE (engine.py: the fair wait for the write lock) and the
                              statements SQLite's triggers run inside (the search index's FTS table). The
                              human-readable lines list both: what the listener counted, and every
                              statement SQLite ran (its trace callback).

Durability is the app's own: WAL with synchronous=FULL, so every commit is an fsync of the WAL. Beside
the figures the JSON gives the medians of the CPU time of the same calls (`…_cpu_ms`): the work of
Python and SQLite without the wait for the disk, steadier than wall time on a busy or slow-disk machine.
Human-readable lines come first; the LAST line is one JSON object with the figures (and the row
counts they were measured on). Speed is measured here, never asserted in tests (see DESIGN.md).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # runnable from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402
from invoice_bench import ten_lines  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.db.models import Client, Document  # noqa: E402
from crm_desktop.services import clients, documents, invoices  # noqa: E402
from crm_desktop.services.context import ServiceContext  # noqa: E402

METRICS = ("client_create_ms", "invoice_issue_ms", "client_create_statements", "invoice_issue_statements")
LINES = ten_lines()  # the same draft as invoice_bench's
WARM_UP = 20  # statement compiling and the first page reads are not a user's wait


def say(line: str) -> None:
    print(line, flush=True)


def form_values(i: int, owner_id: int) -> dict:
    """What the client form sends for a new person (ui/clients/form.py `values` and its request id)."""
    return {
        "kind": "person",
        "name": f"Dilnoza Write-path {i}",
        "status": "lead",
        "company_id": None,
        "phones": [f"+998 90 {i % 1000:03d} {i // 1000 % 100:02d} {i % 97:02d}"],
        "emails": [f"dilnoza.{i}@example.uz"],
        "address": "",
        "source": "",
        "tags": [],
        "owner_id": owner_id,
        "private": False,
        "notes": "",
        "request_id": str(uuid.uuid4()),
    }


class Statements:
    """What one call sends: through SQLAlchemy's cursor (counted) and, beneath it, all SQLite ran."""

    def __init__(self, db: Database):
        self.db, self.counted, self.traced, self.on = db, [], [], False
        event.listen(db.engine, "before_cursor_execute", self._cursor)
        event.listen(db.engine, "connect", lambda raw, _record: raw.set_trace_callback(self._trace))
        db.engine.dispose()  # connections made from now on carry the trace callback

    def _cursor(self, _conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if self.on:
            self.counted.append(" ".join(statement.split()))

    def _trace(self, statement: str) -> None:
        if self.on:
            self.traced.append(" ".join(statement.split()))

    def of(self, call: Callable[[], object]) -> tuple[list[str], list[str]]:
        self.counted, self.traced, self.on = [], [], True
        try:
            call()
        finally:
            self.on = False
        return self.counted, self.traced


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def _show(what: str, counted: list[str], traced: list[str]) -> None:
    say(f"{what}: {len(counted)} statements through SQLAlchemy's cursor:")
    for n, statement in enumerate(counted, 1):
        say(f"  {n:2}. {statement[:150]}")
    say(f"  ... and all SQLite ran for it ({len(traced)}, triggers' inner statements shown with '--'):")
    for statement in traced:
        say(f"      {statement[:150]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000, metavar="N")
    parser.add_argument("--calls", type=int, default=1000, metavar="N", help="calls timed per figure")
    parser.add_argument(
        "--profile",
        choices=("create", "issue"),
        help="also print a cProfile of the timed calls of one kind (slows them)",
    )
    args = parser.parse_args(argv)
    cached, _rate = bench.cached_database(args.clients)
    figures: dict[str, float] = {}
    context: dict[str, float] = {}  # beside the four figures: CPU time, what they were measured on
    with tempfile.TemporaryDirectory(prefix="crm-bench-write-") as tmp:
        path = Path(tmp) / "office.sqlite3"
        _copy(cached, path)
        db = Database.open(f"sqlite:///{path}")
        statements = Statements(db)
        ctx = ServiceContext(db)
        owner = ctx.actor.user_id
        profiler = cProfile.Profile()

        cpu: dict[str, list[float]] = {"create": [], "issue": []}

        def timed(kind: str, call: Callable[[], object]) -> float:
            if args.profile == kind:
                profiler.enable()
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            elapsed = time.perf_counter() - started
            cpu[kind].append(time.process_time() - started_cpu)
            if args.profile == kind:
                profiler.disable()
            return elapsed

        for i in range(WARM_UP):
            clients.create(ctx, **form_values(-i - 1, owner))
        samples = [
            timed("create", lambda i=i: clients.create(ctx, **form_values(i, owner)))
            for i in range(args.calls)
        ]
        figures["client_create_ms"] = _median_ms(samples)
        context["client_create_cpu_ms"] = _median_ms(cpu["create"])
        say(
            f"clients.create as the form calls it: median {figures['client_create_ms']} ms over "
            f"{args.calls:,} calls (p95 {round(statistics.quantiles(samples, n=20)[-1] * 1000, 2)} ms, CPU "
            f"median {context['client_create_cpu_ms']} ms)"
        )
        counted, traced = statements.of(lambda: clients.create(ctx, **form_values(args.calls, owner)))
        figures["client_create_statements"] = len(counted)
        _show("one clients.create", counted, traced)

        customer = clients.create(
            ctx, name="Zarina Rahimova", address="Toshkent", emails=["zarina@example.uz"]
        )
        drafts = [
            invoices.create_draft(ctx, client_id=customer.id, lines=LINES, terms="Within 14 days.")
            for _ in range(args.calls + WARM_UP + 1)
        ]
        for draft in drafts[:WARM_UP]:
            documents.issue(ctx, draft.id, expected_version=draft.version)
        samples = [
            timed("issue", lambda d=draft: documents.issue(ctx, d.id, expected_version=d.version))
            for draft in drafts[WARM_UP:-1]
        ]
        figures["invoice_issue_ms"] = _median_ms(samples)
        context["invoice_issue_cpu_ms"] = _median_ms(cpu["issue"])
        say(
            f"documents.issue of a ten-line invoice: median {figures['invoice_issue_ms']} ms over "
            f"{args.calls:,} calls (p95 {round(statistics.quantiles(samples, n=20)[-1] * 1000, 2)} ms, "
            f"CPU median {context['invoice_issue_cpu_ms']} ms)"
        )
        last = drafts[-1]
        counted, traced = statements.of(lambda: documents.issue(ctx, last.id, expected_version=last.version))
        figures["invoice_issue_statements"] = len(counted)
        _show("one documents.issue", counted, traced)

        with db.read() as s:
            rows = {
                "clients": s.scalar(select(func.count()).select_from(Client)),
                "documents": s.scalar(select(func.count()).select_from(Document)),
            }
        db.dispose()
    if args.profile:
        say(f"profile of the timed {args.profile} calls:")
        stats = pstats.Stats(profiler, stream=sys.stdout)  # BENCH_SORT=tottime, BENCH_LINES=200 to see more
        stats.sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("BENCH_LINES", "45")))
    print(json.dumps({**figures, **context, "calls": args.calls, "invoice_lines": len(LINES), **rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
