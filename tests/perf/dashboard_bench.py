"""How fast the dashboard and the reports answer on a big office, on SQLite:

    python tests/perf/dashboard_bench.py [--clients N]

The office (made once, kept under tests/perf/.cache/, named after its size, the schema head and a hash of
this file): N clients (default 100,000) added over two years, 2 N deals with their stage history (a few
moves each, some back; the old ones mostly closed), N invoices (with 1–3 lines each; the old ones nearly all
paid, half of the last two months'), 3 N activities, N/2 tasks, N/5 jobs with three stages each and time
spent on some, 30 people in three teams with this month's plans (the office's and each person's).

    dashboard_open_ms     the Dashboard made and started in a shown window → every tile painted (its
                          figures computed off the window's thread): the median of 5
    dashboard_refresh_ms  one save (a task added, or a deal's amount changed) → the tiles it changes
                          painted again: the median of 6
    report_<name>_ms      each report of services/reports.py for this month, as a manager would ask it
                          for everyone (an administrator): the median of 5 (computed, not audited)

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import say  # noqa: E402

from crm_desktop.db import bulk  # noqa: E402
from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.db.migrate import head_revision, upgrade  # noqa: E402
from crm_desktop.db.models import (  # noqa: E402
    Activity,
    Client,
    Deal,
    DealStageChange,
    Document,
    DocumentLine,
    Job,
    JobStage,
    Payment,
    Plan,
    Task,
    TimeEntry,
    User,
    table_of,
)
from crm_desktop.services import company, periods, reports  # noqa: E402
from crm_desktop.services.context import FixedClock, ServiceContext  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
STAGES = (1, 2, 3, 4)  # the open stages of the pipeline a database starts with; 5 won, 6 lost
SOURCES = ("Instagram", "Referral", "Website", "Exhibition", "Telegram", "Google", "Walk-in", "")
SERVICES = ("Design", "Repair", "Cleaning", "Consultation", "Audit", "Installation", "Support", "Training")
KINDS = ("call", "call", "meeting", "email", "note")
CHUNK = 20_000


def _stamp(moment: datetime) -> dict[str, object]:
    return {"created_at": moment, "updated_at": moment, "version": 1}


def _office(path: Path, n: int) -> None:
    rng = random.Random(7)
    db = Database.open(f"sqlite:///{path}")
    upgrade(db)
    ctx = ServiceContext(db, clock=FixedClock(NOW))
    company.update(
        ctx, expected_version=company.get(ctx).version, name="Bench office", default_currency="UZS"
    )
    start = NOW - timedelta(days=730)

    def moment(days_back_max: int = 730) -> datetime:
        return NOW - timedelta(seconds=rng.randrange(days_back_max * 86400))

    with db.write() as s:
        people = [
            dict(
                username=f"u{k}",
                display_name=f"Person {k:02}",
                role="manager" if k < 3 else "staff",
                manager_id=None,
                active=True,
                can_export=True,
                **_stamp(start),
            )
            for k in range(30)
        ]
        bulk.insert_rows(s, table_of(User), people)
        ids = [i for (i,) in s.execute(table_of(User).select().with_only_columns(User.id).where(User.id > 1))]
        for k, uid in enumerate(ids[3:]):
            s.execute(table_of(User).update().where(User.id == uid).values(manager_id=ids[k % 3]))
    owners = [1, *ids]

    def rows_into(model, rows):
        with db.write() as s:
            for first in range(0, len(rows), CHUNK):
                bulk.insert_rows(s, table_of(model), rows[first : first + CHUNK])

    created = sorted(moment() for _ in range(n))
    rows_into(
        Client,
        [
            {
                "kind": "person",
                "name": f"Client {k}",
                "sort_name": f"client {k}",
                "phones": [],
                "emails": [],
                "address": "",
                "source": SOURCES[k % len(SOURCES)],
                "status": ("lead", "prospect", "customer")[k % 3],
                "owner_id": owners[k % len(owners)],
                "private": False,
                "notes": "",
                "language": "",
                **_stamp(created[k]),
            }
            for k in range(n)
        ],
    )
    say(f"{n} clients")
    deals, changes = [], []
    for k in range(2 * n):
        client = rng.randrange(n)
        made = created[client] + timedelta(days=rng.randrange(30))
        path_ = [1]
        while path_[-1] < 4 and rng.random() < 0.6:
            path_.append(path_[-1] + 1)
        if rng.random() < 0.15 and len(path_) > 1:
            path_.append(path_[-2])  # moved back
        # an office's deals: the old ones mostly closed, those of the last three months mostly open
        odds = (0.1, 0.45, 0.45) if NOW - made > timedelta(days=90) else (0.7, 0.15, 0.15)
        outcome = rng.choices(("open", "won", "lost"), odds)[0]
        final = {"open": path_[-1], "won": 5, "lost": 6}[outcome]
        when = made
        for i, stage in enumerate([*path_, final] if final != path_[-1] else path_):
            changes.append(
                {
                    "deal_id": k + 1,
                    "from_stage_id": None if i == 0 else path_[min(i, len(path_)) - 1],
                    "to_stage_id": stage,
                    "changed_at": when,
                    "user_id": None,
                }
            )
            when += timedelta(days=rng.randrange(1, 20))
        closed = min(when, NOW) if outcome != "open" else None
        deals.append(
            {
                "client_id": client + 1,
                "pipeline_id": 1,
                "stage_id": final,
                "title": f"Deal {k}",
                "amount": Decimal(rng.randrange(100, 50_000) * 1000),
                "currency": "UZS" if k % 5 else "USD",
                "expected_close": (NOW + timedelta(days=rng.randrange(-60, 200))).date(),
                "owner_id": owners[k % len(owners)],
                "outcome": outcome,
                "lost_reason": rng.choice(("Price too high", "Chose a competitor", "No budget", ""))
                if outcome == "lost"
                else "",
                "closed_at": closed,
                **_stamp(made),
            }
        )
    rows_into(Deal, deals)
    rows_into(DealStageChange, changes)
    say(f"{len(deals)} deals, {len(changes)} stage changes")
    docs, lines, payments = [], [], []
    for k in range(n):
        issued = (start + timedelta(days=rng.randrange(730))).date()
        currency = "UZS" if k % 5 else "USD"
        parts = [
            (rng.choice(SERVICES), rng.randrange(1, 4), Decimal(rng.randrange(10, 900) * 1000))
            for _ in range(rng.randrange(1, 4))
        ]
        total = sum((q * p for _s, q, p in parts), Decimal(0))
        # most old invoices paid, half of those of the last two months
        paid = total if rng.random() < (0.97 if (NOW.date() - issued).days > 60 else 0.5) else Decimal(0)
        docs.append(
            {
                "kind": "invoice",
                "number": f"INV-{k:06}",
                "status": "paid" if paid else "issued",
                "client_id": rng.randrange(n) + 1,
                "deal_id": None,
                "related_id": None,
                "currency": currency,
                "issue_date": issued,
                "due_date": issued + timedelta(days=14),
                "notes": "",
                "terms": "",
                "subtotal": total,
                "tax_total": Decimal(0),
                "total": total,
                "paid_total": paid,
                "credited_total": Decimal(0),
                "cancel_reason": "",
                **_stamp(start),
            }
        )
        for pos, (service, q, p) in enumerate(parts):
            lines.append(
                {
                    "document_id": k + 1,
                    "position": pos,
                    "description": service,
                    "quantity": Decimal(q),
                    "unit": "",
                    "unit_price": p,
                    "discount_percent": Decimal(0),
                    "tax_rate": Decimal(0),
                    **_stamp(start),
                }
            )
        if paid:
            payments.append(
                {
                    "document_id": k + 1,
                    "amount": paid,
                    "paid_on": issued + timedelta(days=5),
                    "method": "bank transfer",
                    "note": "",
                    **_stamp(start),
                }
            )
    rows_into(Document, docs)
    rows_into(DocumentLine, lines)
    rows_into(Payment, payments)
    say(f"{len(docs)} invoices, {len(lines)} lines, {len(payments)} payments")
    rows_into(
        Activity,
        [
            {
                "client_id": rng.randrange(n) + 1,
                "deal_id": None,
                "kind": KINDS[k % len(KINDS)],
                "body": "…",
                "said": None,
                "occurred_at": moment(),
                "author_id": owners[k % len(owners)],
                "job_id": None,
                **_stamp(start),
            }
            for k in range(3 * n)
        ],
    )
    rows_into(
        Task,
        [
            {
                "title": f"Task {k}",
                "description": "",
                "due_at": NOW + timedelta(hours=rng.randrange(-2000, 2000)),
                "duration_minutes": 30,
                "assignee_id": owners[k % len(owners)],
                "client_id": rng.randrange(n) + 1,
                "priority": "normal",
                "status": "open" if k % 3 else "done",
                "recurrence": "",
                "checklist": [],
                "completed_at": NOW - timedelta(days=1) if not k % 3 else None,
                **_stamp(start),
            }
            for k in range(n // 2)
        ],
    )
    jobs, stages, entries = [], [], []
    for k in range(n // 5):
        begins = moment(400)
        due = begins + timedelta(days=rng.randrange(5, 40))
        late = timedelta(days=rng.randrange(0, 10) if k % 4 == 0 else 0)
        status = rng.choice(("planned", "in_progress", "in_progress", "done", "on_hold"))
        jobs.append(
            {
                "client_id": rng.randrange(n) + 1,
                "title": f"Job {k}",
                "responsible_id": owners[k % len(owners)],
                "status": status,
                "hold_reason": "",
                "priority": "normal",
                "site_address": "",
                "notes": "",
                "planned_start": begins,
                "planned_due": due,
                "forecast_due": due + late,
                "started_at": begins,
                "finished_at": due + late if status == "done" else None,
                "scope": [],
                "currency": "UZS",
                "stage_count": 3,
                "stages_done": 1,
                "current_stage": "Step 2",
                "blocked": False,
                **_stamp(begins),
            }
        )
        for pos in range(3):
            stages.append(
                {
                    "job_id": k + 1,
                    "position": pos,
                    "name": f"Step {pos + 1}",
                    "responsible_id": owners[(k + pos) % len(owners)],
                    "role": "",
                    "work_days": 3,
                    "may_overlap": False,
                    "needs_approval": False,
                    "checklist": [],
                    "tasks": [],
                    "status": ("done", "in_progress", "waiting")[pos],
                    "block_reason": "",
                    "planned_start": begins,
                    "planned_due": due,
                    "forecast_start": begins,
                    "forecast_due": due + late,
                    "override_reason": "",
                    **_stamp(begins),
                }
            )
        if k % 2:
            entries.append(
                {
                    "user_id": owners[k % len(owners)],
                    "job_id": k + 1,
                    "day": begins.date(),
                    "minutes": rng.randrange(30, 480),
                    "running": False,
                    "note": "",
                    "billable": True,
                    **_stamp(begins),
                }
            )
    month = NOW.date().replace(day=1)
    targets = {"revenue": 5_000_000, "new_deals": 20, "won_deals": 5, "calls": 60, "billable_hours": 100}
    rows_into(
        Plan,
        [
            {
                "month": month,
                "user_id": who,
                "metric": metric,
                "target": Decimal(target * (30 if who is None else 1)),
                "currency": "UZS" if metric == "revenue" else "",
                **_stamp(NOW),
            }
            for who in (None, *owners)
            for metric, target in targets.items()
        ],
    )
    rows_into(Job, jobs)
    rows_into(JobStage, stages)
    rows_into(TimeEntry, entries)
    say(f"{len(jobs)} jobs, {len(stages)} stages, {len(entries)} time entries")
    with db.write() as s:
        s.connection().exec_driver_sql("ANALYZE")
    db.dispose()


def _cached(n: int) -> Path:
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]
    path = CACHE / f"dashboard-{n}-{head_revision()}-{digest}.sqlite3"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        _office(partial, n)
        partial.rename(path)
        say(f"office made in {time.perf_counter() - started:.0f} s")
    return path


def _median_ms(fn, times: int = 5) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        spent.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(spent), 1)


def _reports(db: Database) -> dict[str, float]:
    ctx = ServiceContext(db, clock=FixedClock(NOW))
    query = reports.ReportQuery(periods.period_of("month", NOW.date()))
    out = {}
    for name in reports.REPORTS:
        out[f"report_{name}_ms"] = _median_ms(lambda name=name: reports.compute(ctx, name, query))
        say(f"{name}: {out[f'report_{name}_ms']} ms")
    return out


def _dashboard(db: Database) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    from PySide6.QtCore import QEventLoop, QSettings

    from crm_desktop.app import application
    from crm_desktop.services import tasks
    from crm_desktop.ui.dashboard.view import DashboardView
    from crm_desktop.ui.ops import Ops

    app = application()
    ctx = ServiceContext(db, clock=FixedClock(NOW))

    def wait_until(condition, timeout_s: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the dashboard did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)

    with tempfile.TemporaryDirectory(prefix="crm-dashboard-") as tmp:
        settings = QSettings(str(Path(tmp) / "window.ini"), QSettings.Format.IniFormat)
        ops = Ops(ctx, report_bug=lambda exc: (_ for _ in ()).throw(exc))
        opened = []
        for _ in range(5):
            started = time.perf_counter()
            view = DashboardView(ops, settings)
            view.resize(1440, 860)
            view.show()
            view.start()
            wait_until(lambda view=view: view.ready)
            view.repaint()
            opened.append((time.perf_counter() - started) * 1000)
            wait_until(lambda: not ops.busy)  # (the charts, after the tiles)
            view.close()
        view = DashboardView(ops, settings)
        view.resize(1440, 860)
        view.show()
        view.start()
        wait_until(lambda: view.ready and not ops.busy)
        refreshed = []
        deal = 1
        for k in range(6):
            before = view.answers
            started = time.perf_counter()
            if k % 2:
                ops.write(_change_deal, deal + k)
            else:
                ops.write(
                    tasks.create, title=f"Call back {k}", due_at=NOW + timedelta(hours=2), assignee_id=2
                )
            wait_until(lambda before=before: view.answers > before and view.ready)
            view.repaint()
            refreshed.append((time.perf_counter() - started) * 1000)
            wait_until(lambda: not ops.busy)
        view.close()
        ops.wait_idle()
    return {
        "dashboard_open_ms": round(statistics.median(opened), 1),
        "dashboard_refresh_ms": round(statistics.median(refreshed), 1),
    }


def _change_deal(ctx: ServiceContext, deal_id: int) -> None:
    from crm_desktop.services import deals

    deal = deals.get(ctx, deal_id)
    deals.update(ctx, deal_id, expected_version=deal.version, amount=deal.amount + 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    args = parser.parse_args(argv)
    import shutil

    work = Path(tempfile.mkdtemp(prefix="crm-dashboard-bench-")) / "office.sqlite3"
    shutil.copyfile(_cached(args.clients), work)  # the saves measured change a copy, not the cache
    db = Database.open(f"sqlite:///{work}")
    figures: dict[str, object] = {"clients": args.clients, "deals": 2 * args.clients}
    figures.update(_dashboard(db))
    figures.update(_reports(db))
    db.dispose()
    shutil.rmtree(work.parent)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
