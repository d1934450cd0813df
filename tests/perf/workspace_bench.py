"""Figures of the workspace as a user meets it: real widgets, offscreen, on the benchmark database.

    clients_view_first_page_ms   window shown and started → the first rows of the clients list painted
    search_as_you_type_p95_ms    a keystroke in the clients search → its filtered rows painted (debounce
                                 included)
    client_card_open_ms          a client chosen → its card painted with a 200-entry timeline
    scroll_max_stall_ms          the longest the GUI thread is busy while the list is scrolled top to bottom

Used by bench.py (`--only` with these names); it adds one client with a 200-entry timeline to the
cached database the first time.
"""

from __future__ import annotations

import functools
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

METRICS = (
    "clients_view_first_page_ms",
    "search_as_you_type_p95_ms",
    "client_card_open_ms",
    "scroll_max_stall_ms",
)
TIMELINE = 200


def _client_with_long_timeline(db) -> int:
    from sqlalchemy import func, insert, select

    from crm_desktop.db.models import Activity, Client

    with db.write() as s:
        found = s.scalar(
            select(Activity.client_id).group_by(Activity.client_id).having(func.count() >= TIMELINE).limit(1)
        )
        if found is not None:
            return found
        client_id = s.scalar(select(Client.id).order_by(Client.id).limit(1))
        start = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
        s.execute(
            insert(Activity.__table__),
            [
                {
                    "client_id": client_id,
                    "deal_id": None,
                    "kind": ("note", "call", "meeting", "email")[i % 4],
                    "body": f"Timeline entry {i}",
                    "occurred_at": start + timedelta(hours=i * 7),
                    "author_id": 1,
                    "created_at": start,
                    "updated_at": start,
                    "version": 1,
                }
                for i in range(TIMELINE)
            ],
        )
        return client_id


def bench_workspace(db_path: Path, rng: random.Random, wanted: set[str], say) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from crm_desktop.app import application, build_main_window
    from crm_desktop.config import Paths
    from crm_desktop.db.engine import Database
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.ui.errors import ErrorReporter

    app = application()

    def wait_until(condition, timeout_s: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the workspace did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
            time.sleep(0)  # let the worker thread run

    db = Database.open(f"sqlite:///{db_path}")
    long_timeline = _client_with_long_timeline(db)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="crm-bench-ui-") as tmp:
        paths = Paths.under(Path(tmp))
        window = build_main_window(ServiceContext(db), paths, ErrorReporter(paths), demo=True)
        window.resize(1280, 800)
        view = window.clients_view
        table = view.table

        started = time.perf_counter()
        window.show()
        window.start()
        wait_until(lambda: view.model.ready)
        table.viewport().repaint()
        first_page = time.perf_counter() - started
        wait_until(lambda: window.ready)
        if "clients_view_first_page_ms" in wanted:
            figures["clients_view_first_page_ms"] = round(first_page * 1000, 1)
            say(f"clients view: first rows painted {figures['clients_view_first_page_ms']} ms after opening")

        if "search_as_you_type_p95_ms" in wanted:
            arrived: list[bool] = []
            view.model.loaded.connect(lambda: arrived.append(True))
            names = [view.model.row(i).name for i in rng.sample(range(min(view.model.rowCount(), 200)), 8)]
            phones = [
                p
                for i in range(8)
                if (p := "".join(ch for ch in (view.model.row(i).phones or ["0"])[0] if ch.isdigit())[-7:])
            ]
            typed = [n.split()[0][:6] for n in names] + phones[:6]
            samples = []
            for text in typed:
                view.search.clear()
                wait_until(lambda: view.model.query.search == "" and window.ready)
                for ch in text:
                    arrived.clear()
                    started = time.perf_counter()
                    QTest.keyClick(view.search, ch)
                    wanted_text = view.search.text()
                    wait_until(lambda wanted=wanted_text: arrived and view.model.query.search == wanted)
                    table.viewport().repaint()
                    samples.append(time.perf_counter() - started)
            p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
            figures["search_as_you_type_p95_ms"] = round(p95 * 1000, 1)
            say(
                f"search as you type: {len(samples)} keystrokes, "
                f"median {statistics.median(samples) * 1000:.1f} ms, "
                f"p95 {figures['search_as_you_type_p95_ms']} ms"
            )
            view.search.clear()
            wait_until(lambda: view.model.query.search == "" and window.ready)

        if "client_card_open_ms" in wanted:
            other = view.model.row(1).id
            samples = []
            for i in range(10):
                target = long_timeline if i % 2 == 0 else other
                done: list[bool] = []
                view.card.loaded.connect(functools.partial(done.append, True))
                started = time.perf_counter()
                view.open_client(target)
                wait_until(lambda done=done: done and view.card.timeline.count() > 0)
                view.card.repaint()
                if target == long_timeline:
                    samples.append(time.perf_counter() - started)
                view.card.loaded.disconnect()
            figures["client_card_open_ms"] = round(statistics.median(samples) * 1000, 1)
            say(f"client card with a {TIMELINE}-entry timeline: median {figures['client_card_open_ms']} ms")

        if "scroll_max_stall_ms" in wanted:
            bar = table.verticalScrollBar()
            steps = 400
            worst = 0.0
            for k in range(steps + 1):
                started = time.perf_counter()
                bar.setValue(bar.maximum() * k // steps)
                table.viewport().repaint()
                app.processEvents()
                worst = max(worst, time.perf_counter() - started)
            wait_until(lambda: view.model.index(view.model.rowCount() - 1, 0).data() is not None)
            for _ in range(50):  # the pages that arrive after the scroll are painted on the GUI thread too
                started = time.perf_counter()
                app.processEvents()
                worst = max(worst, time.perf_counter() - started)
            figures["scroll_max_stall_ms"] = round(worst * 1000, 1)
            say(
                f"scrolling {view.model.rowCount():,} clients top to bottom: longest stall "
                f"{figures['scroll_max_stall_ms']} ms"
            )
        window.ops.wait_idle()
        window.close()
        QApplication.processEvents()
    db.dispose()
    return figures
