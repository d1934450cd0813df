"""Python's cycle collector run on the window's thread only.

Left to itself the collector runs on whichever thread happens to allocate, and a Qt object that was part
of a reference cycle (a relay and the job whose slots it calls, say) is then destroyed on a worker thread:
its C++ destructor takes Qt's locks and waits for Python's while the window's thread, holding Python's, waits
for the same Qt lock — the app hangs. So automatic collection is off and a timer here collects, by the
collector's own thresholds, on the GUI thread. While a bulk job holds the collector (services/bulk_work.py)
it waits: collecting then would walk the job's million objects on the window's time.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from crm_desktop.services import bulk_work

INTERVAL_MS = 250
_installed: list[GuiThreadCollector] = []


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        if bulk_work.held():
            return
        young, middle, old = gc.get_count()
        if young > self.thresholds[0]:
            if old > self.thresholds[2]:
                gc.collect(2)
            elif middle > self.thresholds[1]:
                gc.collect(1)
            else:
                gc.collect(0)


def collect_on_gui_thread(app: QObject) -> None:
    """Install the collector once for the application (called on its thread)."""
    if not _installed:
        _installed.append(GuiThreadCollector(app))
