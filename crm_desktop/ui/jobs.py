"""Long work (exports, PDF batches; imports, reports and backups next) as a job with progress and Cancel.

`run_job(parent, ops, fn, *args, title=...)` calls `fn(ops.ctx, *args, progress=Progress, **kwargs)` on a
thread of the jobs pool — not on Ops' writer thread, so saves go on while a job runs. The job's
`progress.step(...)` calls move a progress dialog (window-modal, shown only when the job takes longer
than SHOW_AFTER_MS so that quick jobs do not flash) or, for a background job, a progress bar in the
window's status bar. Cancel asks the job to stop at its next step; the dialog says "Stopping…" until it
has (a write job rolls back whole, see services/progress.py). The outcome is delivered once, on the GUI
thread: the result to `on_done`; a cancel to `on_cancelled` (no error box: the user asked for it); any
error to `Ops.fail`, as for every call (a lost server in the banner, an error a user can fix to
`on_error` or one message box, a bug to the error reporter).

What a job writes goes through `ops.ctx`, whose listeners Ops registered: its Changes are broadcast by
`ops.changed` like those of any other call, naming `initiator=`.

Not a QProgressDialog: its setValue() runs QCoreApplication.processEvents() while it is window-modal,
so every progress report would re-enter the event loop (and could deliver the job's end inside it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QStatusBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.progress import Cancelled, Progress
from crm_desktop.ui.ops import Ops, call_as, deliver

SHOW_AFTER_MS = 400  # a job done sooner shows no dialog at all
BREATHE_EVERY_S = 0.03  # how often a job's step hands the window Python's lock (see Job._reported)
BREATH_S = 0.001
THREADS = 2  # two jobs may run side by side (an export while a report is made); more would starve the writer

_pool: QThreadPool | None = None
_running: set[Job] = set()  # jobs belong to no one while they run: kept here until their end is delivered


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(THREADS)
    return _pool


def running() -> list[Job]:
    return list(_running)


def stop_all(msecs: int = 30_000) -> bool:
    """Cancel every running job and wait until they stopped (closing the window): a write job rolls
    back rather than being cut off by the end of the process."""
    for job in list(_running):
        job.cancel()
    return pool().waitForDone(msecs)


class _Relay(QObject):
    """Parentless, held by the worker: its signals may be emitted after the job's window is gone."""

    progressed = Signal(int, int, str)
    ended = Signal(str, object)  # "done" | "failed", the result or the exception


class _Worker(QRunnable):
    def __init__(self, call: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.call, self.relay = call, relay

    def run(self) -> None:
        try:
            result = self.call()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, never lost
            self.relay.ended.emit("failed", exc)
        else:
            self.relay.ended.emit("done", result)


class JobDialog(QDialog):
    """The job's title, what it is doing, how far it got, and Cancel."""

    cancel_requested = Signal()

    def __init__(self, title: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.label = QLabel(title)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first step says how many there are
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAutoDefault(False)  # Enter must not cancel by accident
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._closing = False

    def show_progress(self, done: int, total: int, text: str) -> None:
        _show_on_bar(self.bar, done, total)
        if text and self.cancel_button.isEnabled():
            self.label.setText(text)

    def stopping(self) -> None:
        self.label.setText(self.tr("Stopping…"))
        self.cancel_button.setEnabled(False)

    def finish(self) -> None:
        self._closing = True
        self.close()

    def reject(self) -> None:  # Esc is Cancel; the dialog closes when the job has really stopped
        if self._closing:
            super().reject()
        else:
            self.cancel_requested.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            super().closeEvent(event)
        else:
            event.ignore()
            self.cancel_requested.emit()


class JobStatus(QWidget):
    """A background job in the status bar: what it is doing, a small bar, and a Cancel button."""

    cancel_requested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(title)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(fill(self.tr("Stop {title}"), title=title))
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.bar, self.cancel_button):
            layout.addWidget(w)

    def show_progress(self, done: int, total: int, text: str) -> None:
        _show_on_bar(self.bar, done, total)
        if text and self.cancel_button.isEnabled():
            self.label.setText(text)

    def stopping(self) -> None:
        self.label.setText(self.tr("Stopping…"))
        self.cancel_button.setEnabled(False)


class Job(QObject):
    """One run of a long service call; made by run_job."""

    progressed = Signal(int, int, str)  # done, total, text — on the GUI thread
    ended = Signal()  # after its outcome was delivered

    def __init__(
        self,
        ops: Ops,
        parent: QWidget | None,
        title: str,
        *,
        background: bool,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[ServiceError], None] | None,
        on_cancelled: Callable[[Cancelled], None] | None,
    ):
        super().__init__()
        self.ops, self.parent_widget, self.title = ops, parent, title
        self.on_done, self.on_error, self.on_cancelled = on_done, on_error, on_cancelled
        self.relay = _Relay()
        self.progress = Progress(self._reported)
        self._breathed = time.monotonic()
        self.relay.progressed.connect(self._progressed)
        self.relay.ended.connect(self._ended)
        self.done = False
        self.last: tuple[int, int, str] | None = None
        self.dialog: JobDialog | None = None
        self.status: JobStatus | None = None
        self.show_timer: QTimer | None = None
        bar = _status_bar(parent) if background else None
        if bar is not None:
            self.status = JobStatus(title)
            self.status.cancel_requested.connect(self.cancel)
            bar.addPermanentWidget(self.status)
        else:
            self.dialog = JobDialog(title, parent)
            self.dialog.cancel_requested.connect(self.cancel)
            self.show_timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
            self.show_timer.timeout.connect(self._show_dialog)
            self.show_timer.start()

    def _reported(self, done: int, total: int, text: str) -> None:
        """On the job's thread: the step sent to the window, and, every BREATHE_EVERY_S, a pause that
        hands the window's thread Python's lock. Without it a job in pure Python kept the window from
        its timers and paint for up to a second at a time (an import's check: rapidfuzz lets go of the
        lock and takes it back between names so often that Python's own handover never came)."""
        self.relay.progressed.emit(done, total, text)
        if time.monotonic() - self._breathed >= BREATHE_EVERY_S:
            time.sleep(BREATH_S)
            self._breathed = time.monotonic()

    def cancel(self) -> None:
        """Ask the job to stop at its next step."""
        if self.done or self.progress.cancelled:
            return
        self.progress.cancel()
        for view in self._views():
            view.stopping()

    def _views(self) -> list[JobDialog | JobStatus]:
        # The window they belong to may have been closed while the job ran, taking them along.
        return [v for v in (self.dialog, self.status) if v is not None and shiboken6.isValid(v)]

    def _show_dialog(self) -> None:
        if not self.done and self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.open()

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, text: str) -> None:
        if self.done:
            return
        self.last = (done, total, text)
        for view in self._views():
            view.show_progress(done, total, text)
        self.progressed.emit(done, total, text)

    @Slot(str, object)
    def _ended(self, how: str, value: Any) -> None:
        if self.done:  # delivered once, whatever arrives after
            return
        self.done = True
        _running.discard(self)
        if self.show_timer is not None:
            self.show_timer.stop()
        for view in self._views():
            if isinstance(view, JobDialog):
                view.finish()
            else:
                view.hide()
                view.deleteLater()
        try:
            if how == "done":
                if self.on_done is not None:
                    deliver(self.on_done, value)
            elif isinstance(value, Cancelled):
                if self.on_cancelled is not None:
                    deliver(self.on_cancelled, value)
                elif (bar := _status_bar(self.parent_widget)) is not None:
                    bar.showMessage(value.message, 10_000)
            else:
                self.ops.fail(value, self.on_error)
        finally:
            self.ended.emit()


def run_job(
    parent: QWidget | None,
    ops: Ops,
    fn: Callable[..., Any],
    *args: Any,
    title: str,
    background: bool = False,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[ServiceError], None] | None = None,
    on_cancelled: Callable[[Cancelled], None] | None = None,
    initiator: object | None = None,
    **kwargs: Any,
) -> Job:
    """Run `fn(ops.ctx, *args, progress=..., **kwargs)` as a job: a progress dialog over `parent` (or,
    with `background`, a progress bar in its window's status bar), Cancel, and the outcome delivered
    once on the GUI thread (see the module docstring)."""
    job = Job(
        ops,
        parent,
        title,
        background=background,
        on_done=on_done,
        on_error=on_error,
        on_cancelled=on_cancelled,
    )
    _running.add(job)
    pool().start(
        _Worker(lambda: call_as(initiator, fn, ops.ctx, *args, progress=job.progress, **kwargs), job.relay)
    )
    return job


def _show_on_bar(bar: QProgressBar, done: int, total: int) -> None:
    if total <= 0:
        bar.setRange(0, 0)
    else:
        bar.setRange(0, total)
        bar.setValue(min(done, total))


def _status_bar(widget: QWidget | None) -> QStatusBar | None:
    window = widget.window() if widget is not None else None
    return window.statusBar() if isinstance(window, QMainWindow) else None
