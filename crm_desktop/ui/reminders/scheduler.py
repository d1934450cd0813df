"""The app's one reminder timer: armed for the next due reminder (or follow-up rule), never polling.

What is due and what to create is decided by the services (reminders, follow_ups) with the
context's clock; this class only keeps one QTimer armed for the next moment they named, asks again
when that moment comes, and re-arms whenever tasks or what the rules watch change.

A QTimer counts on the monotonic clock, which stands still while the PC sleeps and does not follow
the wall clock when it is set. So the timer is never armed for more than MAX_WAIT: after a wake or
a clock change the next look comes within minutes, and it is the wall clock (the service's) that
decides what is due, so nothing fires early and nothing is lost.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from crm_desktop.services import follow_ups, reminders
from crm_desktop.services.context import Changes
from crm_desktop.services.reminders import Reminder
from crm_desktop.ui.ops import Ops

MAX_WAIT_MS = 5 * 60 * 1000
WATCHED = frozenset({"tasks", "clients", "activities", "documents", "payments", "company_profile", "users"})


class ReminderScheduler(QObject):
    due = Signal(list)  # list[Reminder]: pop these up
    armed = Signal(object)  # the moment the timer now waits for (None: nothing ahead), for tests

    def __init__(self, ops: Ops, parent: QObject | None = None):
        super().__init__(parent)
        self.ops = ops
        self.since: datetime | None = None  # when this app last looked; None until the start-up look
        self.next_at: datetime | None = None
        self.timer = QTimer(self, singleShot=True, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.look)
        ops.changed.connect(self._changed)

    def start(self) -> None:
        """The start-up look: rules first, then what came due while the app was closed."""
        self.look()

    def look(self) -> None:
        since = self.since

        def work(ctx) -> tuple[list[Reminder], datetime, datetime | None]:
            now = ctx.now()
            follow_ups.run(ctx)
            found = reminders.take_due(ctx, since=since, started=now if since is None else None)
            return found, now, _next_moment(ctx, now)

        self.ops.write(work, on_done=lambda result: self._looked(*result))

    def _looked(self, found: list[Reminder], now: datetime, next_at: datetime | None) -> None:
        self.since = now
        self._arm(next_at, now)
        if found:
            self.due.emit(found)

    def rearm(self) -> None:
        """Tasks changed: maybe a reminder is now sooner (or gone)."""
        if self.since is None:
            return  # the start-up look has not happened yet; it arms the timer itself
        since = self.since
        self.ops.read(
            lambda ctx: (ctx.now(), _next_moment(ctx, since)),
            on_done=lambda result: self._arm(result[1], result[0]),
        )

    def _arm(self, next_at: datetime | None, now: datetime) -> None:
        self.next_at = next_at
        if next_at is None:
            self.timer.start(MAX_WAIT_MS)  # nothing ahead: still look after a wake or a clock change
        else:
            wait = (next_at - now).total_seconds() * 1000
            self.timer.start(int(min(max(wait, 0), MAX_WAIT_MS)))
        self.armed.emit(next_at)

    def _changed(self, changes: Changes) -> None:
        # A client edit brings no deadline sooner: a status set back to lead, the one that could, writes
        # its status-change activity too (and a later deadline only makes the timer look early, harmlessly).
        if changes.tables & (WATCHED - {"clients"}) or changes.rows_came_or_went({"clients"}):
            self.rearm()


def _next_moment(ctx, after: datetime) -> datetime | None:
    moments = [m for m in (reminders.next_alert(ctx, after), follow_ups.next_deadline(ctx)) if m is not None]
    return min(moments) if moments else None
