"""Figures of the reminder scheduler in a running app (real clock, real widgets offscreen):

    reminder_idle_cpu_percent   CPU time of the whole process over IDLE_SECONDS of an idle main window
                                whose database holds 10,000 future reminders, as % of one core
    reminder_timers_armed       timers the scheduler keeps running meanwhile (the design says one)
    reminder_latency_ms         median over a few reminders of: its due time → the pop-up shown

Used by bench.py (`--only` with these names) on a small database of its own.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

METRICS = ("reminder_idle_cpu_percent", "reminder_timers_armed", "reminder_latency_ms")
FUTURE_REMINDERS = 10_000
IDLE_SECONDS = 60
LATENCY_SAMPLES = 5


def _add_future_reminders(db, rng: random.Random) -> None:
    from sqlalchemy import insert

    from crm_desktop.db.models import Task

    now = datetime.now(UTC)
    rows = []
    for i in range(FUTURE_REMINDERS):
        due = now + timedelta(days=1 + rng.random() * 60)
        rows.append(
            {
                "title": f"Follow-up {i}",
                "description": "",
                "due_at": due,
                "duration_minutes": 30,
                "assignee_id": 1,
                "priority": "normal",
                "status": "open",
                "remind_at": due - timedelta(minutes=15),
                "alert_at": due - timedelta(minutes=15),
                "recurrence": "",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    with db.write() as s:
        s.execute(insert(Task.__table__), rows)


def bench_reminders(rng: random.Random, wanted: set[str], say) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from crm_desktop.app import application, build_main_window
    from crm_desktop.config import Paths
    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade
    from crm_desktop.services import company, demo, tasks
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.ui.errors import ErrorReporter

    app = application()

    def spin_until(condition, timeout_s: float) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the app did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.001)

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="crm-bench-reminders-") as tmp:
        paths = Paths.under(Path(tmp))
        db = Database.open(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        upgrade(db)
        demo.generate(db, clients=300, seed=1)
        _add_future_reminders(db, rng)
        ctx = ServiceContext(db)
        company.update(ctx, expected_version=company.get(ctx).version, name="Bench Office")
        window = build_main_window(ctx, paths, ErrorReporter(paths), demo=True)
        window.show()
        window.start()
        spin_until(lambda: window.ready and window.reminder_scheduler.since is not None, 60)
        spin_until(lambda: not window.ops.busy, 60)
        window.reminder_window.hide()  # the demo's own reminders, if any came due: not part of idling
        scheduler = window.reminder_scheduler

        if wanted & {"reminder_idle_cpu_percent", "reminder_timers_armed"}:
            armed = []
            cpu_before, wall_before = time.process_time(), time.perf_counter()
            loop = QEventLoop()
            QTimer.singleShot(IDLE_SECONDS * 1000, loop.quit)
            sampler = QTimer(interval=1000)  # the benchmark's own clock, not the app's
            sampler.timeout.connect(
                lambda: armed.append(sum(t.isActive() for t in scheduler.findChildren(QTimer)))
            )
            sampler.start()
            loop.exec()
            sampler.stop()
            cpu = time.process_time() - cpu_before
            wall = time.perf_counter() - wall_before
            figures["reminder_idle_cpu_percent"] = round(100 * cpu / wall, 2)
            figures["reminder_timers_armed"] = max(armed)
            say(
                f"idle {wall:.0f} s with {FUTURE_REMINDERS:,} future reminders: "
                f"{figures['reminder_idle_cpu_percent']} % CPU, at most {max(armed)} reminder timer(s) armed"
            )

        if "reminder_latency_ms" in wanted:
            samples = []
            for i in range(LATENCY_SAMPLES):
                due = datetime.now(UTC) + timedelta(seconds=1.5)
                task = tasks.create(
                    ctx, title=f"Latency {i}", due_at=due + timedelta(minutes=5), remind_at=due
                )
                spin_until(lambda t=task: t.id in window.reminder_window.rows, 30)
                samples.append((datetime.now(UTC) - due).total_seconds())
                window.reminder_window.rows[task.id].dismiss()
                spin_until(lambda t=task: t.id not in window.reminder_window.rows, 30)
            figures["reminder_latency_ms"] = round(statistics.median(samples) * 1000, 1)
            say(
                f"reminder due → pop-up shown: median {figures['reminder_latency_ms']} ms over {len(samples)}"
            )
        window.close()
        QApplication.processEvents()
        db.dispose()
    return figures
