"""The moment the main window is first painted with data, written to a file for the start-up benchmark.

Only imported when `CRM_DESKTOP_REPORT_READY=<path>` is set (app.py; tests/perf/cold_start_bench.py), so a
normal start pays nothing for it. The file gets one JSON object: `monotonic` (time.monotonic(), the clock the
benchmark reads just before it starts the process; on Linux and Windows it is system-wide) and `epoch`.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from crm_desktop.ui.main_window import MainWindow, page_ready


class ReadyReport(QObject):
    """Watches paint events until one inside the current page runs after the page's first data arrived;
    writes the time once that paint has finished, then stops watching."""

    def __init__(self, window: MainWindow, path: Path):
        super().__init__(window)
        self.window, self.path = window, path
        self.written = False
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and self.window.isVisible()
            and self._page_has_data(watched)
        ):
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self._write)  # after this paint (and the rest of its repaint) has run
        return False

    def _page_has_data(self, painted: QWidget) -> bool:
        page = self.window.current_page()
        return page is not None and (painted is page or page.isAncestorOf(painted)) and page_ready(page)

    def _write(self) -> None:
        stamp = {"monotonic": time.monotonic(), "epoch": time.time(), "page": self.window.current_key()}
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(stamp), encoding="utf-8")
        os.replace(partial, self.path)  # the benchmark never reads half a file
        self.written = True
