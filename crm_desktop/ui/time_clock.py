"""The running timer in the status bar: what it runs on and for how long (from its stored start, so after a
restart or a crash it shows the time since it really started), with Stop; nothing when none runs. A
click on the time opens the week's time sheet."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services import time_tracking
from crm_desktop.services.context import Changes
from crm_desktop.services.time_tracking import TimeEntryRow
from crm_desktop.ui.ops import Ops

TICK_MS = 20_000  # the minutes shown move on; a second hand would only distract


def tr(text: str) -> str:
    return QCoreApplication.translate("TimeClock", text)


def clock_text(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


class TimeClock(QWidget):
    sheet_requested = Signal()

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.entry: TimeEntryRow | None = None
        self.label = QPushButton()
        self.label.setFlat(True)
        self.label.setToolTip(tr("The timer running; click for your week's time sheet"))
        self.label.clicked.connect(self.sheet_requested)
        self.stop_button = QPushButton(tr("Stop"))
        self.stop_button.setToolTip(tr("Stop the timer: its time is kept"))
        self.stop_button.clicked.connect(self.stop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.stop_button)
        self.timer = QTimer(self, interval=TICK_MS)
        self.timer.timeout.connect(self._show)
        ops.changed.connect(self._changed)
        self.hide()

    def start(self) -> None:
        self.ops.read(time_tracking.running, on_done=self._arrived)

    def _changed(self, changes: Changes) -> None:
        if "time_entries" in changes.tables:
            self.start()

    def _arrived(self, entry: TimeEntryRow | None) -> None:
        self.entry = entry
        self.setVisible(entry is not None)
        if entry is None:
            self.timer.stop()
        else:
            self.timer.start()
            self._show()

    def minutes(self, now: datetime | None = None) -> int:
        if self.entry is None or self.entry.started_at is None:
            return 0
        return max(0, int(((now or self.ops.ctx.now()) - self.entry.started_at).total_seconds() // 60))

    def _show(self) -> None:
        if self.entry is not None:
            self.label.setText(
                fill(
                    tr("⏱ {what} {time}"),
                    what=self.entry.what or tr("Timer"),
                    time=clock_text(self.minutes()),
                )
            )

    def stop(self) -> None:
        self.ops.write(time_tracking.stop_timer)
