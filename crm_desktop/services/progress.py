"""Progress and Cancel for long service calls (exports, PDF batches; imports, reports and backups next).

A long service function takes a `Progress` and calls `progress.step(done, total, text)` between its
steps: that reports how far it got and raises `Cancelled` once someone asked it to stop. Cancel is
therefore only ever honoured between steps, never in the middle of one. A job that writes does all its
writing inside one `ctx.write()` unit, so `Cancelled` raised inside it rolls the whole job back.

Plain Python: the GUI sets the cancel flag from its thread while the job runs on another (hence the
threading.Event), and the CLI or a test passes a Progress that prints or records, or none at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from crm_desktop.i18n import Message
from crm_desktop.services.errors import ServiceError

Report = Callable[[int, int, str], None]  # the text in the current language


class Cancelled(ServiceError):
    """The job stopped between two steps because it was asked to; nothing of a write job was kept.

    `partial` is what a job that leaves finished pieces behind (PDFs of a batch) had done before it
    stopped, so the caller can say which ones are there.
    """

    def __init__(self, message: str | Message | None = None, /, *, partial: Any = None, **params: Any):
        super().__init__(message or Message("Stopped: nothing more was done."), **params)
        self.partial = partial


class Progress:
    """How far a job got (reported to `report`, on the job's thread) and whether it should stop."""

    def __init__(self, report: Report | None = None):
        self._report = report
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next step (from any thread)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait_cancelled(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a stop request (a job pausing before it tries again); True if
        one came."""
        return self._cancel.wait(timeout)

    def check(self) -> None:
        """Raise Cancelled if a stop was asked for (for a loop that has nothing new to report)."""
        if self._cancel.is_set():
            raise Cancelled()

    def step(self, done: int, total: int, text: str | Message = "") -> None:
        """`done` of `total` steps are finished (`text` says what is going on); raises Cancelled if
        a stop was asked for, so the job ends right here."""
        self.check()
        self.report(done, total, text)

    def report(self, done: int, total: int, text: str | Message = "") -> None:
        """Say how far the job got without offering to stop (its last word: nothing is left to stop).
        A Message is put into the current language for `report`."""
        if self._report is not None:
            self._report(done, total, text.render() if isinstance(text, Message) else text)


def printing(write: Callable[[str], Any] = print) -> Progress:
    """A Progress that writes each step as a line (the CLI)."""
    return Progress(lambda done, total, text: write(f"{done}/{total} {text}".rstrip()))
