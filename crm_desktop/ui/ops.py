"""The one way from a widget to a service.

Every call runs on one background thread (a single writer, and the GUI never waits for the
database), its result comes back on the GUI thread, errors a user can fix are shown (or handed to
the caller, e.g. to put next to a field), bugs go to the error reporter, and whatever a service
changed is broadcast so that views refresh only what changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from crm_desktop.services.context import DatabaseUnavailable, ServiceContext
from crm_desktop.services.errors import ServiceError

OnDone = Callable[[Any], None]
OnError = Callable[[ServiceError], None]


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted by the worker arrive here queued."""

    done = Signal(int, object)
    failed = Signal(int, object)
    changed = Signal(object)


class _Call(QRunnable):
    def __init__(self, token: int, fn: Callable[..., Any], args: tuple, kwargs: dict, relay: _Relay):
        super().__init__()
        self.token, self.fn, self.args, self.kwargs, self.relay = token, fn, args, kwargs, relay

    def run(self) -> None:
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, never lost
            self.relay.failed.emit(self.token, exc)
        else:
            self.relay.done.emit(self.token, result)


class Ops(QObject):
    changed = Signal(object)  # Changes: which tables and ids a service call touched
    busy_changed = Signal(bool)
    reachable_changed = Signal(bool)  # the server stopped (False) or started again (True) answering

    def __init__(self, ctx: ServiceContext, *, report_bug: Callable[[BaseException], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._report_bug = report_bug
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer at a time, calls run in the order made
        self._relay = _Relay()
        self._relay.done.connect(self._finish)
        self._relay.failed.connect(self._fail)
        self._relay.changed.connect(self.changed)
        self._pending: dict[int, tuple[OnDone | None, OnError | None]] = {}
        self._boxes: list[QMessageBox] = []
        self._tokens = itertools.count(1)
        self.dialog_parent: QWidget | None = None
        self.reachable = True
        ctx.listeners.append(lambda changes: self._relay.changed.emit(changes))  # on the worker thread

    def run(self, fn: Callable[..., Any], *args: Any, on_done: OnDone | None = None,
            on_error: OnError | None = None, **kwargs: Any) -> None:
        """Call `fn(ctx, *args, **kwargs)` in the background."""
        token = next(self._tokens)
        self._pending[token] = (on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Call(token, fn, (self.ctx, *args), kwargs, self._relay))

    @property
    def busy(self) -> bool:
        """Calls are queued or running, or their results are still on the way to the GUI thread."""
        return bool(self._pending)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until queued calls finished (closing the window, tests)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object)
    def _finish(self, token: int, result: Any) -> None:
        on_done, _ = self._take(token)
        self._set_reachable(True)
        if on_done is not None:
            _deliver(on_done, result)

    @Slot(int, object)
    def _fail(self, token: int, exc: BaseException) -> None:
        _, on_error = self._take(token)
        if isinstance(exc, DatabaseUnavailable):
            self._set_reachable(False)  # the window says so once, in its banner, not in a box per call
            if on_error is not None:
                _deliver(on_error, exc)
        elif isinstance(exc, ServiceError):
            if on_error is not None:
                _deliver(on_error, exc)
            else:
                self.show_problem(exc.message)
        else:
            self._report_bug(exc)

    def _set_reachable(self, reachable: bool) -> None:
        if reachable != self.reachable:
            self.reachable = reachable
            self.reachable_changed.emit(reachable)

    def _take(self, token: int) -> tuple[OnDone | None, OnError | None]:
        callbacks = self._pending.pop(token, (None, None))
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    def show_problem(self, message: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("CRM Desktop"), message,
                          QMessageBox.StandardButton.Ok, self.dialog_parent)
        box.open()  # window-modal, does not block the event loop
        # A box without a parent belongs to Python: keep it until it is closed, or it vanishes at once.
        self._boxes = [b for b in self._boxes if b.isVisible()] + [box]
        return box


def _deliver(callback: Callable[[Any], None], value: Any) -> None:
    try:
        callback(value)
    except RuntimeError as exc:
        # The widget that asked was closed while the answer was on its way (shiboken's words for a
        # deleted Qt object): there is nothing left to show it in, which is no error.
        if "already deleted" not in str(exc):
            raise
