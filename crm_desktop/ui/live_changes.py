"""Other PCs' changes, passed on as if they were made here: the views and the reminder timer listen
to `ops.changed` either way, so a task done on one PC leaves the others' lists and pop-ups.

A notice names only the table (see services/live.py), so what it passes on is "something in
these tables changed" and the views showing them reload. Changes heard within a moment of each
other go out as one (a bulk edit is one refresh, not a hundred). After the connection was lost and
is back, everything counts as changed: what happened meanwhile was not announced.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from crm_desktop.services import live
from crm_desktop.services.context import Changes
from crm_desktop.ui.ops import Ops

GATHER_MS = 100


class LiveChanges(QObject):
    heard = Signal(object)  # TableChange, from the listener's thread (queued to this one)
    lost = Signal()
    back = Signal()

    def __init__(self, ops: Ops, parent: QObject | None = None, *, retry_seconds: float = live.RETRY_SECONDS):
        super().__init__(parent)
        self.ops = ops
        self._pending = Changes()
        self._timer = QTimer(self, singleShot=True, interval=GATHER_MS)
        self._timer.timeout.connect(self._flush)
        self.heard.connect(self._heard)
        self.back.connect(self._everything_changed)
        self.listener = live.listen(
            ops.ctx,
            self.heard.emit,
            on_lost=self.lost.emit,
            on_back=self.back.emit,
            retry_seconds=retry_seconds,
        )

    def start(self) -> None:
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()

    def _heard(self, change: live.TableChange) -> None:
        if change.table in live.TABLES:  # which rows is not said: no ids, so views reload
            self._pending.unknown.add(change.table)
            if not self._timer.isActive():
                self._timer.start()

    def _flush(self) -> None:
        changes, self._pending = self._pending, Changes()
        if changes:
            self.ops.changed.emit(changes)

    def _everything_changed(self) -> None:
        self._pending.unknown.update(live.TABLES)
        self._flush()
