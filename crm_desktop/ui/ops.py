"""The one way from a widget to a service.

`ops.write(fn, ...)` runs calls that change data on one background thread, one after another in the
order made (a single writer); `ops.read(fn, ...)` runs calls that only read on a small pool beside it,
so a long read (an export, a report, a preview) never holds up a save, and SQLite's WAL readers never
wait for the writer. Either way the GUI never waits for the database: the result comes back on the
GUI thread, errors a user can fix are shown (or handed to the caller, e.g. to put next to a field),
bugs go to the error reporter, and whatever a service changed is broadcast with the widget that asked
(`initiator=`), so that views refresh only what changed, only when shown, and not twice for their own call.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from crm_desktop.services.context import Changes, DatabaseUnavailable, ServiceContext
from crm_desktop.services.errors import ServiceError

OnDone = Callable[[Any], None]
OnError = Callable[[ServiceError], None]


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted by the worker arrive here queued."""

    done = Signal(int, object)
    failed = Signal(int, object)
    changed = Signal(object)


READ_THREADS = 2  # lists, cards and search stay quick while a long read (an export, a report) runs

_calling = threading.local()  # the call running on this worker thread: who asked, and if only to read


class WroteWhileReading(RuntimeError):
    """A call made with ops.read wrote: it must be made with ops.write, in order with the other writes."""


def call_as(
    initiator: object | None, fn: Callable[..., Any], *args: Any, reading: bool = False, **kwargs: Any
) -> Any:
    """Call `fn` on this worker thread so that the Changes it commits name `initiator` (ui/jobs.py too)."""
    _calling.initiator, _calling.reading = initiator, reading
    try:
        return fn(*args, **kwargs)
    finally:
        _calling.initiator, _calling.reading = None, False


class _Call(QRunnable):
    def __init__(
        self,
        token: int,
        fn: Callable[..., Any],
        args: tuple,
        kwargs: dict,
        relay: _Relay,
        initiator: object | None,
        reading: bool,
    ):
        super().__init__()
        self.token, self.fn, self.args, self.kwargs, self.relay = token, fn, args, kwargs, relay
        self.initiator, self.reading = initiator, reading

    def run(self) -> None:
        try:
            result = call_as(self.initiator, self.fn, *self.args, reading=self.reading, **self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, never lost
            self.relay.failed.emit(self.token, exc)
        else:
            self.relay.done.emit(self.token, result)


class Ops(QObject):
    changed = Signal(object)  # Changes: which tables and ids a service call touched
    busy_changed = Signal(bool)
    reachable_changed = Signal(bool)  # the server stopped (False) or started again (True) answering

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        report_bug: Callable[[BaseException], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self._report_bug = report_bug
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)  # one writer at a time, calls run in the order made
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(READ_THREADS)
        self._relay = _Relay()
        self._relay.done.connect(self._finish)
        self._relay.failed.connect(lambda token, exc: self.fail(exc, self._take(token)[1]))
        self._relay.changed.connect(self.changed)
        self._pending: dict[int, tuple[OnDone | None, OnError | None]] = {}
        self._boxes: list[QMessageBox] = []
        self._tokens = itertools.count(1)
        self.dialog_parent: QWidget | None = None
        self.reachable = True
        ctx.listeners.append(self._broadcast)

    def write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
        initiator: object | None = None,
        **kwargs: Any,
    ) -> None:
        """Call `fn(ctx, *args, **kwargs)` on the writer thread, after the writes asked for before it."""
        self._start(self._writer, fn, args, kwargs, on_done, on_error, initiator)

    def read(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
        **kwargs: Any,
    ) -> None:
        """Call `fn(ctx, *args, **kwargs)`, which only reads, on the read pool: it never waits for a write.

        Reads run side by side, so one asked for later may answer first: a view that asks again
        before the answer came keeps a generation count and drops the overtaken answer.
        """
        self._start(self._readers, fn, args, kwargs, on_done, on_error, None)

    def _start(
        self,
        pool: QThreadPool,
        fn: Callable[..., Any],
        args: tuple,
        kwargs: dict,
        on_done: OnDone | None,
        on_error: OnError | None,
        initiator: object | None,
    ) -> None:
        token = next(self._tokens)
        self._pending[token] = (on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        reading = pool is self._readers
        pool.start(_Call(token, fn, (self.ctx, *args), kwargs, self._relay, initiator, reading))

    def _broadcast(self, changes: Changes) -> None:
        """Called by the service context after a commit, on the worker thread that made it."""
        asked_by = getattr(_calling, "initiator", None)
        self._relay.changed.emit(dataclasses.replace(changes, initiator=asked_by))
        if getattr(_calling, "reading", False):  # committed already: said as the bug it is
            raise WroteWhileReading(f"ops.read made a call that wrote to {sorted(changes.tables)}")

    @property
    def busy(self) -> bool:
        """Calls are queued or running, or their results are still on the way to the GUI thread."""
        return bool(self._pending)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until queued calls finished (closing the window, tests)."""
        return self._writer.waitForDone(msecs) and self._readers.waitForDone(msecs)

    def detach(self) -> None:
        """Hear no more of the database's changes: the window goes, the context may serve another."""
        self.wait_idle()
        if self._broadcast in self.ctx.listeners:
            self.ctx.listeners.remove(self._broadcast)

    @Slot(int, object)
    def _finish(self, token: int, result: Any) -> None:
        on_done, _ = self._take(token)
        self._set_reachable(True)
        if on_done is not None:
            deliver(on_done, result)

    def fail(self, exc: BaseException, on_error: OnError | None) -> None:
        """What every failed call comes to (jobs too): a lost server said once, in the window's banner;
        an error a user can fix to `on_error` or a message box; anything else is a bug, reported."""
        if isinstance(exc, DatabaseUnavailable):
            self._set_reachable(False)  # the window says so once, in its banner, not in a box per call
            if on_error is not None:
                deliver(on_error, exc)
        elif isinstance(exc, ServiceError):
            if on_error is not None:
                deliver(on_error, exc)
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
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("CRM Desktop"),
            message,
            QMessageBox.StandardButton.Ok,
            self.dialog_parent,
        )
        box.open()  # window-modal, does not block the event loop
        # A box without a parent belongs to Python: keep it until it is closed, or it vanishes at once.
        self._boxes = [b for b in self._boxes if b.isVisible()] + [box]
        return box


def deliver(callback: Callable[[Any], None], value: Any) -> None:
    try:
        callback(value)
    except RuntimeError as exc:
        # The widget that asked was closed while the answer was on its way (shiboken's words for a
        # deleted Qt object): there is nothing left to show it in, which is no error.
        if "already deleted" not in str(exc):
            raise
