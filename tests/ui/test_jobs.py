"""Jobs: long work off the GUI thread with a progress dialog (or the status bar), Cancel between steps,
and the outcome delivered once; saves through Ops go on meanwhile. Jobs are held with events, never
timed."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox

from crm_desktop.db.models import Client
from crm_desktop.services import clients
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.progress import Progress
from crm_desktop.services.textnorm import sort_key
from crm_desktop.ui import jobs
from crm_desktop.ui.jobs import run_job
from crm_desktop.ui.ops import Ops

WAIT_S = 10  # how long a held job waits for the test before giving up (so a failing test cannot hang)


class Gate:
    """Holds a job at one step until the test opens it; says when the job got there."""

    def __init__(self) -> None:
        self.reached, self.opened = threading.Event(), threading.Event()

    def hold(self) -> None:
        self.reached.set()
        assert self.opened.wait(WAIT_S), "the test never let the job go on"


def counting(ctx, steps: int, *, gate: Gate | None = None, at: int = 0, progress: Progress) -> int:
    """A job of `steps` steps that waits at step `at` while `gate` is shut."""
    for n in range(steps):
        progress.step(n, steps, f"Step {n + 1} of {steps}")
        if gate is not None and n == at:
            gate.hold()
    progress.report(steps, steps, "Done")
    return steps


@pytest.fixture
def bugs() -> list[BaseException]:
    return []


@pytest.fixture
def ops(qtbot, sqlite_ctx, bugs):
    ops = Ops(sqlite_ctx, report_bug=bugs.append)
    yield ops
    assert jobs.stop_all(WAIT_S * 1000)
    ops.wait_idle()
    for box in ops._boxes:
        box.close()


@pytest.fixture
def window(qtbot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(800, 500)
    window.show()
    return window


class Outcome:
    def __init__(self) -> None:
        self.done: list = []
        self.errors: list = []
        self.cancelled: list = []

    def callbacks(self, *, errors: bool = True) -> dict:
        given = {"on_done": self.done.append, "on_cancelled": self.cancelled.append}
        return {**given, "on_error": self.errors.append} if errors else given


def test_a_slow_job_shows_its_progress_and_cancel_stops_it_at_the_next_step(qtbot, ops, window):
    gate, outcome = Gate(), Outcome()
    job = run_job(window, ops, counting, 10, gate=gate, at=2, title="Counting", **outcome.callbacks())
    qtbot.waitUntil(lambda: job.dialog.isVisible())
    assert job.dialog.isModal() and job.dialog.windowModality() == Qt.WindowModality.WindowModal
    assert gate.reached.wait(WAIT_S)
    qtbot.waitUntil(lambda: job.dialog.bar.value() == 2)
    assert job.dialog.bar.maximum() == 10 and job.dialog.label.text() == "Step 3 of 10"
    qtbot.mouseClick(job.dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert job.dialog.isVisible() and job.dialog.label.text() == "Stopping…"  # until it has stopped
    assert not job.dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(job.ended):
        gate.opened.set()
    assert job.last == (2, 10, "Step 3 of 10")  # step 4 raised Cancelled instead of being reported
    assert outcome.done == [] and outcome.errors == [] and len(outcome.cancelled) == 1
    assert not job.dialog.isVisible() and ops._boxes == []  # a cancel is no error


def test_escape_in_the_dialog_is_cancel(qtbot, ops, window):
    gate, outcome = Gate(), Outcome()
    job = run_job(window, ops, counting, 5, gate=gate, title="Counting", **outcome.callbacks())
    qtbot.waitUntil(lambda: job.dialog.isVisible())
    qtbot.keyClick(job.dialog, Qt.Key.Key_Escape)
    assert job.dialog.isVisible() and job.progress.cancelled  # it stays until the job stopped
    with qtbot.waitSignal(job.ended):
        gate.opened.set()
    assert len(outcome.cancelled) == 1 and outcome.done == []


def test_a_quick_job_shows_no_dialog_and_delivers_its_result_once(qtbot, ops, window):
    outcome = Outcome()
    job = run_job(window, ops, counting, 3, title="Counting", **outcome.callbacks())
    with qtbot.waitSignal(job.ended):
        pass
    assert outcome.done == [3]
    assert not job.show_timer.isActive() and not job.dialog.isVisible()  # it will not flash up later
    with qtbot.waitSignal(ops.busy_changed, check_params_cb=lambda busy: not busy):
        ops.read(clients.count)  # whatever was still queued for the GUI thread has arrived by now
    assert outcome.done == [3] and outcome.cancelled == [] and outcome.errors == []


def test_an_error_a_user_can_fix_is_shown_once_in_a_box(qtbot, ops, window, bugs):
    def refuses(ctx, *, progress):
        progress.step(0, 2)
        raise ValidationError("path", "The folder is gone. Choose another one.")

    outcome = Outcome()
    job = run_job(window, ops, refuses, title="Exporting", **outcome.callbacks(errors=False))
    with qtbot.waitSignal(job.ended):
        pass
    [box] = ops._boxes
    assert box.text() == "The folder is gone. Choose another one." and box.icon() == QMessageBox.Icon.Warning
    assert outcome.done == [] and outcome.cancelled == [] and bugs == []


def test_a_bug_goes_to_the_error_reporter_once(qtbot, ops, window, bugs):
    def broken(ctx, *, progress):
        raise KeyError("no such column")

    outcome = Outcome()
    job = run_job(window, ops, broken, title="Exporting", **outcome.callbacks())
    with qtbot.waitSignal(job.ended):
        pass
    assert [type(b) for b in bugs] == [KeyError]
    assert outcome.done == [] and outcome.errors == [] and ops._boxes == []
    bugs.clear()  # seen: the fixture's teardown need not fail on it


def test_a_save_through_ops_completes_while_a_job_is_running(qtbot, ops, window, sqlite_ctx):
    gate, outcome = Gate(), Outcome()
    job = run_job(window, ops, counting, 4, gate=gate, at=1, title="Counting", **outcome.callbacks())
    assert gate.reached.wait(WAIT_S)
    saved = []
    with qtbot.waitSignal(ops.busy_changed, check_params_cb=lambda busy: not busy):
        ops.write(clients.create, name="Aziz Karimov", on_done=saved.append)
    assert [c.name for c in saved] == ["Aziz Karimov"] and not job.done  # saved while the job waits
    with qtbot.waitSignal(job.ended):
        gate.opened.set()
    assert outcome.done == [4]


def test_what_a_write_job_changed_is_broadcast_like_any_other_call(qtbot, ops, window, sqlite_ctx):
    def adds(ctx, names, *, progress):
        with ctx.write() as s:
            for n, name in enumerate(names):
                progress.step(n, len(names))
                s.add(Client(name=name, sort_name=sort_key(name), phones=[], emails=[]))
        return len(names)

    changed = []
    ops.changed.connect(changed.append)
    job = run_job(window, ops, adds, ["Olga", "Rashad"], title="Adding", on_done=lambda n: None)
    with qtbot.waitSignal(job.ended):
        pass
    [changes] = changed
    assert len(changes.created["clients"]) == 2


def test_a_background_job_shows_in_the_status_bar_with_its_own_cancel(qtbot, ops, window):
    gate, outcome = Gate(), Outcome()
    job = run_job(
        window, ops, counting, 6, gate=gate, at=3, title="Counting", background=True, **outcome.callbacks()
    )
    assert job.dialog is None and job.status is not None
    qtbot.waitUntil(lambda: job.status.isVisible() and job.status.bar.value() == 3)
    assert job.status.parent() is not None and job.status.window() is window
    qtbot.mouseClick(job.status.cancel_button, Qt.MouseButton.LeftButton)
    assert job.status.label.text() == "Stopping…"
    with qtbot.waitSignal(job.ended):
        gate.opened.set()
    assert len(outcome.cancelled) == 1 and not job.status.isVisible()


def test_closing_the_window_stops_the_running_jobs(qtbot, ops, window):
    gate, outcome = Gate(), Outcome()
    job = run_job(window, ops, counting, 6, gate=gate, title="Counting", **outcome.callbacks())
    assert gate.reached.wait(WAIT_S)
    # the held job goes on once stop_all asked it to stop, as a job between two steps would
    threading.Thread(target=lambda: job.progress.wait_cancelled(WAIT_S) and gate.opened.set()).start()
    assert jobs.stop_all(WAIT_S * 1000)
    with qtbot.waitSignal(job.ended):
        pass
    assert len(outcome.cancelled) == 1 and outcome.done == []


def test_a_job_whose_window_was_closed_meanwhile_ends_quietly(qtbot, ops, bugs):
    import shiboken6

    window = QMainWindow()
    window.show()
    gate = Gate()
    job = run_job(
        window,
        ops,
        counting,
        3,
        gate=gate,
        title="Counting",
        on_done=lambda n: window.setWindowTitle(f"{n} done"),
    )
    qtbot.waitUntil(lambda: job.dialog.isVisible())
    assert gate.reached.wait(WAIT_S)
    shiboken6.delete(window)  # its dialog goes with it
    with qtbot.waitSignal(job.ended):
        gate.opened.set()
    assert job.done and bugs == []  # nothing left to show the result in, which is no error
