"""Which reminders are due, and what handling one means — the logic under the app's one timer.

A task's pending alert (`alert_at`) is set when its reminder is set and cleared when it is handled:
done, dismissed, or snoozed on to a new `alert_at`. So every open task whose `alert_at` has passed is
a reminder nobody handled: each start shows them all again — one that popped up before the app was
closed (or killed) with its window open is not lost — and those that came due while the app was
closed are said to be "missed". `alerted_at` says it has popped up somewhere, so a running app does
not show it twice: it remembers when it last looked (`since`), and whatever came due after that pops
up on it even if another PC of the same user showed it a moment earlier, which is how a reminder
reaches every PC its assignee is signed in on.

In single-user mode (one SQLite file, one person) every task's reminder is for the one user; on a
shared server, only the signed-in user's own tasks pop up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, func, or_, select, true, update
from sqlalchemy.orm import aliased

from crm_desktop.db.models import Client, Deal, Task
from crm_desktop.i18n import N_
from crm_desktop.services import tasks
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.tasks import TaskRow

MORNING = time(9, 0)  # "tomorrow morning"


@dataclass(frozen=True)
class Reminder:
    task_id: int
    title: str
    due_at: datetime | None
    alert_at: datetime
    client_id: int | None
    client_name: str
    deal_id: int | None
    deal_title: str
    version: int
    missed: bool  # came due while the app was closed
    job_id: int | None = None  # a task a job made (its stage's, its approval's)
    approval_id: int | None = None  # a request to approve a stage: answered from the reminder


def _mine(ctx: ServiceContext) -> ColumnElement[bool]:
    if ctx.db.is_sqlite:
        return true()
    return Task.assignee_id == ctx.actor.user_id


def next_alert(ctx: ServiceContext, after: datetime) -> datetime | None:
    """When to look next: the earliest alert after `after`, or `after` itself when an alert that
    never popped up is already due (a reminder set for a moment that has just passed)."""
    with ctx.read() as s:
        overdue = s.scalar(
            select(func.min(Task.alert_at)).where(
                _mine(ctx), Task.status == "open", Task.alert_at <= after, Task.alerted_at.is_(None)
            )
        )
        if overdue is not None:
            return after
        return s.scalar(
            select(func.min(Task.alert_at)).where(_mine(ctx), Task.status == "open", Task.alert_at > after)
        )


def take_due(
    ctx: ServiceContext, *, since: datetime | None, started: datetime | None = None
) -> list[Reminder]:
    """The reminders to pop up now, marked as shown in the same unit of work.

    `since`: when this app last looked (None at start: then every reminder not handled yet);
    `started`: when the app started, to tell the ones that came due while it was closed.
    """
    now = ctx.now()
    never_shown = Task.alerted_at.is_(None)
    fresh = true() if since is None else or_(never_shown, Task.alert_at > since)
    client, deal = aliased(Client), aliased(Deal)
    with ctx.write() as s:
        rows = s.execute(
            select(Task, client.name, deal.title)
            .outerjoin(client, client.id == Task.client_id)
            .outerjoin(deal, deal.id == Task.deal_id)
            .where(_mine(ctx), Task.status == "open", Task.alert_at <= now, fresh)
            .order_by(Task.alert_at, Task.id)
        ).all()
        ids = [t.id for t, _, _ in rows if t.alerted_at is None]
        if ids:
            # A bulk UPDATE: showing a reminder is no edit of the task (no new version, no conflict
            # with someone editing it), and the audit log has no use for it.
            s.execute(
                update(Task)
                .where(Task.id.in_(ids), Task.alerted_at.is_(None))
                .values(alerted_at=now)
                .execution_options(synchronize_session=False)
            )
        due: list[Reminder] = []
        for t, client_name, deal_title in rows:
            alert_at = t.alert_at
            assert alert_at is not None  # the query asked for alert_at <= now
            due.append(
                Reminder(
                    t.id,
                    t.title,
                    t.due_at,
                    alert_at,
                    t.client_id,
                    client_name or "",
                    t.deal_id,
                    deal_title or "",
                    t.version,
                    started is not None and alert_at < started,
                    t.job_id,
                    _approval_of(t.origin),
                )
            )
        return due


def _approval_of(origin: str | None) -> int | None:
    """The approval request a task asks to answer ("approval:7"), if it is one."""
    kind, _, number = (origin or "").partition(":")
    return int(number) if kind == "approval" else None


def still_pending(ctx: ServiceContext, task_ids: list[int]) -> set[int]:
    """Which of the reminders on screen nobody has handled yet (another PC may have)."""
    if not task_ids:
        return set()
    with ctx.read() as s:
        return set(
            s.scalars(
                select(Task.id).where(
                    Task.id.in_(task_ids), Task.status == "open", Task.alert_at <= ctx.now()
                )
            )
        )


def tomorrow_morning(now: datetime, zone) -> datetime:
    """Tomorrow at 09:00 in the office's zone: when snoozed reminders and "call back" tasks come."""
    tomorrow = (now.astimezone(zone) + timedelta(days=1)).date()
    return datetime.combine(tomorrow, MORNING).replace(tzinfo=zone).astimezone(now.tzinfo)


def snooze_choices(now: datetime, zone) -> dict[str, datetime]:
    """The pop-up's quick choices: in 10 minutes, in an hour, tomorrow morning."""
    return {
        "10min": now + timedelta(minutes=10),
        "1h": now + timedelta(hours=1),
        "tomorrow": tomorrow_morning(now, zone),
    }


def snooze(ctx: ServiceContext, task_id: int, until: object) -> TaskRow:
    """Pop up again at `until` (the task's own reminder time stays as the user set it)."""
    return _set_alert(ctx, task_id, alert_at=_ahead(ctx, until), alerted_at=None)


def snooze_many(ctx: ServiceContext, task_ids: list[int], until: object) -> list[int]:
    """Snooze every one of `task_ids` the actor may see that is still open (the reminder window's
    "Snooze all"), in one unit of work; returns those snoozed (one done elsewhere meanwhile stays done)."""
    when = _ahead(ctx, until)
    with ctx.write() as s:
        ids = list(
            s.scalars(
                select(Task.id)
                .outerjoin(Client, Client.id == Task.client_id)
                .where(Task.id.in_(task_ids), Task.status == "open", tasks.task_visible_to(ctx.actor))
            )
        )
        if ids:
            s.execute(
                update(Task)
                .where(Task.id.in_(ids))
                .values(alert_at=when, alerted_at=None)
                .execution_options(synchronize_session=False)
            )
        return ids


def _ahead(ctx: ServiceContext, until: object) -> datetime:
    when = v.a_datetime("alert_at", until, N_("The snooze time"))
    if when is None or when <= ctx.now():
        raise ValidationError("alert_at", "Snooze until a time that is still ahead.")
    return when


def dismiss(ctx: ServiceContext, task_id: int) -> TaskRow:
    """Seen, nothing more: the reminder does not come back (the task stays open)."""
    return _set_alert(ctx, task_id, alert_at=None, alerted_at=None)


def _set_alert(ctx: ServiceContext, task_id: int, **values) -> TaskRow:
    with ctx.write() as s:
        task = tasks.load(s, ctx, task_id)
        if task.status != "open":
            raise ValidationError("status", "This task is no longer open; its reminder is gone.")
        s.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        s.expire(task)
        return tasks.row_of(s, ctx, task_id)


def done(ctx: ServiceContext, task_id: int, *, expected_version: int) -> TaskRow:
    """The task is done (a repeating one creates its next occurrence)."""
    return tasks.complete(ctx, task_id, expected_version=expected_version)
