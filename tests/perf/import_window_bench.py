"""How the window keeps up while File → Import… takes 100,000 clients, offscreen:

    python tests/perf/import_window_bench.py [--rows N]

    import_first_rows_shown_s        Next on the columns step → the check step showing the file's first rows
    import_checked_s                 → the whole file checked and shown
    import_written_s                 Import → the summary shown
    import_window_longest_stall_ms   the longest the window's event loop went without running a 10 ms timer,
                                     from Next to the summary (what a user feels as a frozen window)

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "support"))

import client_files  # noqa: E402
from bench import say  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from crm_desktop.app import build_main_window  # noqa: E402
from crm_desktop.config import Paths  # noqa: E402
from crm_desktop.db.connect import open_database  # noqa: E402
from crm_desktop.services import company  # noqa: E402
from crm_desktop.services.context import ServiceContext  # noqa: E402
from crm_desktop.ui.errors import ErrorReporter  # noqa: E402


class StallMeter:
    """The longest gap between two runs of a 10 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.longest = 0
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.longest = max(self.longest, self.clock.restart())


def _wait(condition, timeout_s: float = 600) -> float:
    started = time.perf_counter()
    while not condition():
        QApplication.processEvents()
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError("the window did not get there")
        time.sleep(0.001)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="crm-import-window-bench-") as tmp:
        paths = Paths.under(Path(tmp) / "home")
        opened = open_database(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        ctx = ServiceContext(opened.db)
        profile = company.get(ctx)
        company.update(ctx, expected_version=profile.version, name="Bench office")
        window = build_main_window(ctx, paths, ErrorReporter(paths))
        window.resize(1280, 720)
        window.show()
        window.start()
        file = client_files.write_csv(Path(tmp) / "clients.csv", args.rows)
        wizard = window.open_import(file)
        _wait(lambda: wizard.sheet is not None and wizard.next_button.isEnabled())
        wizard.next()  # to the columns
        meter = StallMeter()
        meter.start()
        wizard.next()  # to the check
        first = _wait(lambda: wizard.preview is not None)
        checked = first + _wait(lambda: wizard.preview.complete and wizard.next_button.isEnabled())
        wizard.next()  # import
        written = _wait(lambda: wizard.steps.currentIndex() == 3)
        figures = {
            "rows": args.rows,
            "import_first_rows_shown_s": round(first, 2),
            "import_checked_s": round(checked, 2),
            "import_written_s": round(written, 2),
            "import_window_longest_stall_ms": meter.longest,
        }
        say(f"first rows after {first:.2f} s, checked after {checked:.1f} s, written in {written:.1f} s")
        window.close()
        window.ops.wait_idle()
        opened.db.dispose()
    del app
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
