"""Tasks: things to do by a time, for someone, often about a client or a deal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select, true
from sqlalchemy.orm import Session

from crm_desktop.db.models import TASK_PRIORITIES, TASK_STATUSES, Client, Deal, Job, Task, User
from crm_desktop.i18n import N_, Message
from crm_desktop.services import activities, merge, recurrence, users
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible, visible_to
from crm_desktop.services.context import Actor, ServiceContext, check_version, count_rows, made_before
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.textnorm import fold

MAX_DURATION_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class TaskRow:
    id: int
    title: str
    description: str
    due_at: datetime | None
    duration_minutes: int
    assignee_id: int | None
    assignee_name: str
    client_id: int | None
    client_name: str
    deal_id: int | None
    deal_title: str
    priority: str
    status: str
    remind_at: datetime | None
    recurrence: str
    completed_at: datetime | None
    overdue: bool
    version: int
    series_id: int | None = None  # a visit of a recurring series (services/visits.py)
    series_day: date | None = None
    checklist: tuple[tuple[str, bool], ...] = ()  # a visit's: each item and whether it is ticked


@dataclass(frozen=True)
class TaskFilter:
    status: str | None = "open"
    assignee_id: int | None = None
    client_id: int | None = None
    deal_id: int | None = None
    due_after: datetime | None = None
    due_before: datetime | None = None
    overdue_only: bool = False
    search: str = ""


PRIORITIES = TASK_PRIORITIES  # lowest to highest, as forms offer them (the UI does not import db)

PRIORITY_NAMES = {"low": N_("Low"), "normal": N_("Normal"), "high": N_("High")}
# Priority sorts by urgency, not alphabetically ("high" < "low" < "normal" would mean nothing).
_PRIORITY_RANK = case(
    {p: i for i, p in enumerate(TASK_PRIORITIES)}, value=Task.priority, else_=len(TASK_PRIORITIES)
)
SORT_COLUMNS = {
    "due": Task.due_at,
    "title": Task.title,
    "priority": _PRIORITY_RANK,
    "created": Task.created_at,
    "updated": Task.updated_at,
}


def task_visible_to(actor: Actor) -> ColumnElement[bool]:
    """A task about a client follows the client's visibility; one without a client is its assignee's; one a
    job made is also seen by the people working on the job (as the server's policy says, 0013)."""
    if actor.is_admin:
        return true()
    mine = Task.assignee_id == actor.user_id
    if actor.role == "manager":
        mine = or_(mine, Task.assignee_id.in_(select(User.id).where(User.manager_id == actor.user_id)))
    from crm_desktop.services import jobs  # (jobs reads tasks: imported when asked)

    job_work = Task.job_id.is_not(None) & exists().where(Job.id == Task.job_id, jobs.works_on(actor.user_id))
    return or_(Task.client_id.is_not(None) & visible_to(actor), Task.client_id.is_(None) & mine, job_work)


def _select_rows() -> Select:
    return (
        select(Task, User.display_name, Client.name, Deal.title)
        .outerjoin(User, User.id == Task.assignee_id)
        .outerjoin(Client, Client.id == Task.client_id)
        .outerjoin(Deal, Deal.id == Task.deal_id)
    )


def _row(ctx: ServiceContext, t: Task, assignee: str | None, client: str | None, deal: str | None) -> TaskRow:
    overdue = t.status == "open" and t.due_at is not None and t.due_at < ctx.now()
    return TaskRow(
        t.id,
        t.title,
        t.description,
        t.due_at,
        t.duration_minutes,
        t.assignee_id,
        assignee or "",
        t.client_id,
        client or "",
        t.deal_id,
        deal or "",
        t.priority,
        t.status,
        t.remind_at,
        t.recurrence,
        t.completed_at,
        overdue,
        t.version,
        t.series_id,
        t.series_day,
        tuple((item["text"], bool(item.get("done"))) for item in t.checklist or ()),
    )


def _filtered(ctx: ServiceContext, q: Select, f: TaskFilter) -> Select:
    if f.status is not None:
        v.choice("status", f.status, TASK_STATUSES, N_("The status"))
    q = q.where(task_visible_to(ctx.actor))
    for column, value in (
        (Task.status, f.status),
        (Task.assignee_id, f.assignee_id),
        (Task.client_id, f.client_id),
        (Task.deal_id, f.deal_id),
    ):
        if value is not None:
            q = q.where(column == value)
    if f.due_after is not None:
        q = q.where(Task.due_at >= f.due_after)
    if f.due_before is not None:
        q = q.where(Task.due_at < f.due_before)
    if f.overdue_only:
        q = q.where(Task.status == "open", Task.due_at < ctx.now())
    if f.search.strip():
        text = f.search.strip().lower()
        # Task lists are short (open tasks of one office), so a plain contains is fine here.
        q = q.where(
            func.lower(Task.title).contains(text, autoescape=True)
            | Client.sort_name.contains(fold(text), autoescape=True)
        )
    return q


def list_tasks(
    ctx: ServiceContext,
    f: TaskFilter = TaskFilter(),
    *,
    sort: str = "due",
    descending: bool = False,
    offset: int = 0,
    limit: int | None = 50,
) -> list[TaskRow]:
    if sort not in SORT_COLUMNS:
        raise ValidationError(
            "sort",
            "Cannot sort tasks by '{sort}'; use one of {columns}.",
            sort=sort,
            columns=", ".join(SORT_COLUMNS),
        )
    col = SORT_COLUMNS[sort]
    # Tasks without a due time come last either way: they are the least urgent.
    order = (col.is_(None), col.desc(), Task.id.desc()) if descending else (col.is_(None), col, Task.id)
    q = _filtered(ctx, _select_rows(), f).order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with ctx.read() as s:
        return [_row(ctx, *r) for r in s.execute(q)]


def count_tasks(ctx: ServiceContext, f: TaskFilter = TaskFilter()) -> int:
    q = _filtered(ctx, select(Task.id).outerjoin(Client, Client.id == Task.client_id), f)
    with ctx.read() as s:
        return count_rows(s, q)


def load(s: Session, ctx: ServiceContext, task_id: int) -> Task:
    """The task, inside a unit of work, if the actor may see it."""
    task = s.scalar(
        select(Task)
        .outerjoin(Client, Client.id == Task.client_id)
        .where(Task.id == task_id, task_visible_to(ctx.actor))
    )
    if task is None:
        raise NotFound("Task #{task_id} does not exist (it may have been deleted).", task_id=task_id)
    return task


def row_of(s: Session, ctx: ServiceContext, task_id: int) -> TaskRow:
    """The task as lists show it, with what this unit of work changed."""
    s.flush()
    return _row(ctx, *s.execute(_select_rows().where(Task.id == task_id)).one())


def get(ctx: ServiceContext, task_id: int) -> TaskRow:
    with ctx.read() as s:
        load(s, ctx, task_id)
        return row_of(s, ctx, task_id)


_FIELDS = (
    "title",
    "description",
    "due_at",
    "duration_minutes",
    "assignee_id",
    "client_id",
    "deal_id",
    "priority",
    "remind_at",
    "recurrence",
)


def _clean(s: Session, ctx: ServiceContext, values: dict[str, Any]) -> dict[str, Any]:
    v.known_fields(values, _FIELDS, N_("Tasks"))
    out: dict[str, Any] = {}
    if "title" in values:
        out["title"] = v.text("title", values["title"], N_("The task title"), required=True)
    if "description" in values:
        out["description"] = v.text(
            "description", values["description"], N_("The description"), max_length=100_000
        )
    for key, label in (("due_at", N_("The due time")), ("remind_at", N_("The reminder time"))):
        if key in values:
            when = v.a_datetime(key, values[key], label)
            out[key] = when.astimezone(UTC) if when else None
    if "duration_minutes" in values:
        out["duration_minutes"] = v.positive_int(
            "duration_minutes",
            values["duration_minutes"],
            N_("The duration in minutes"),
            maximum=MAX_DURATION_MINUTES,
        )
    if "priority" in values:
        out["priority"] = v.choice("priority", values["priority"], TASK_PRIORITIES, N_("The priority"))
    if "recurrence" in values:
        recurrence.parse(values["recurrence"])  # refused here, anchored to the due time in _check_links
        out["recurrence"] = (values["recurrence"] or "").strip().upper()
    if "assignee_id" in values:
        users.require_active(s, "assignee_id", values["assignee_id"], N_("assignee"))
    if values.get("client_id") is not None:
        load_visible(s, ctx.actor, values["client_id"])
    for key in ("assignee_id", "client_id", "deal_id"):
        if key in values:
            out[key] = values[key]
    return out


def _check_links(s: Session, ctx: ServiceContext, task: Task) -> None:
    if task.deal_id is not None:
        deal = s.scalar(
            select(Deal)
            .join(Client, Client.id == Deal.client_id)
            .where(Deal.id == task.deal_id, visible_to(ctx.actor))
        )
        if deal is None:
            raise ValidationError("deal_id", "The chosen deal does not exist any more. Pick another deal.")
        if task.client_id is None:
            task.client_id = deal.client_id
        elif deal.client_id != task.client_id:
            raise ValidationError(
                "deal_id", "The chosen deal belongs to another client. Pick one of this client's deals."
            )
    if task.remind_at is not None and task.due_at is not None and task.remind_at > task.due_at:
        raise ValidationError(
            "remind_at", "The reminder is after the due time. Set it before, or at, the due time."
        )
    if task.recurrence:
        if task.due_at is None:
            raise ValidationError("due_at", "A repeating task needs a due time to repeat from. Set one.")
        task.recurrence = recurrence.anchored(task.recurrence, task.due_at, ctx.zone())


def _follow_reminder(task: Task, *, changed: bool) -> None:
    """The pending alert follows the reminder: a new or moved reminder pops up (again, even when its
    time has just passed), a closed task's never does, and an unchanged one keeps its state."""
    if task.status != "open" or task.remind_at is None:
        task.alert_at = task.alerted_at = None
    elif changed:
        task.alert_at, task.alerted_at = task.remind_at, None


def create(ctx: ServiceContext, *, request_id: str | None = None, **values: Any) -> TaskRow:
    """A new open task (the values of `add`); a retried save with the same `request_id` returns the one
    made."""
    with ctx.write() as s:
        if (earlier := made_before(s, Task, request_id)) is not None:
            return row_of(s, ctx, earlier.id)
        return row_of(s, ctx, add(s, ctx, request_id=request_id, **values).id)


def add(
    s: Session,
    ctx: ServiceContext,
    *,
    title: str,
    due_at: Any = None,
    duration_minutes: int = 30,
    assignee_id: int | None = None,
    client_id: int | None = None,
    deal_id: int | None = None,
    priority: str = "normal",
    description: str = "",
    remind_at: Any = None,
    recurrence: str = "",
    request_id: str | None = None,
) -> Task:
    """A new open task in the caller's unit of work (an import writes many in one)."""
    clean = _clean(
        s,
        ctx,
        {
            "title": title,
            "due_at": due_at,
            "duration_minutes": duration_minutes,
            "assignee_id": ctx.actor.user_id if assignee_id is None else assignee_id,
            "client_id": client_id,
            "deal_id": deal_id,
            "priority": priority,
            "description": description,
            "remind_at": remind_at,
            "recurrence": recurrence,
        },
    )
    task = Task(status="open", request_id=request_id, **clean)
    _check_links(s, ctx, task)
    _follow_reminder(task, changed=True)
    s.add(task)
    s.flush()
    return task


def _for_change(s: Session, ctx: ServiceContext, task_id: int, expected_version: int) -> Task:
    task = load(s, ctx, task_id)
    check_version(task, expected_version, N_("task"))
    return task


def editable_values(row: TaskRow) -> dict[str, Any]:
    """What a form edits, as read: the `base` of its save (see clients.update for the merge)."""
    return merge.fields_of(row, _FIELDS)


def update(
    ctx: ServiceContext,
    task_id: int,
    *,
    expected_version: int,
    base: dict[str, Any] | None = None,
    decided: dict[str, Any] | None = None,
    **values: Any,
) -> TaskRow:
    """Change a task; a save that finds it changed meanwhile merges with `base`, as clients.update does."""
    with ctx.write() as s:
        task = load(s, ctx, task_id)
        before = task.remind_at
        clean = merge.resolve(
            N_("task"),
            task_id,
            task.version,
            expected_version,
            base,
            _clean(s, ctx, values),
            lambda: merge.fields_of(task, _FIELDS),
            decided,
        )
        for key, value in clean.items():
            setattr(task, key, value)
        _check_links(s, ctx, task)
        _follow_reminder(task, changed=task.remind_at != before)
        return row_of(s, ctx, task_id)


def reschedule(ctx: ServiceContext, task_id: int, due_at: Any, *, expected_version: int) -> TaskRow:
    """Move the due time; a reminder moves with it, so it still comes as long before."""
    with ctx.write() as s:
        task = _for_change(s, ctx, task_id, expected_version)
        new_due = _clean(s, ctx, {"due_at": due_at})["due_at"]
        if new_due is None:
            raise ValidationError("due_at", "Choose the new due time.")
        if task.remind_at is not None and task.due_at is not None:
            task.remind_at = task.remind_at + (new_due - task.due_at)
        task.due_at = new_due
        _follow_reminder(task, changed=True)
        return row_of(s, ctx, task_id)


def tick(ctx: ServiceContext, task_id: int, item: int, done: bool) -> TaskRow:
    """An item of a visit's checklist ticked (or not) at once, whoever ticked another meanwhile."""
    with ctx.write() as s:
        task = load(s, ctx, task_id)
        if not 0 <= item < len(task.checklist or ()):
            raise ValidationError("checklist", "That checklist item no longer exists.")
        items = [dict(x) for x in task.checklist]
        items[item]["done"] = bool(done)
        task.checklist = items  # (a new list: the JSON column sees the change)
        return row_of(s, ctx, task_id)


def complete(ctx: ServiceContext, task_id: int, *, expected_version: int) -> TaskRow:
    """Done now. A repeating task hands its rule on to its next occurrence, created in the same unit
    of work (so it exists exactly once, however often the click is retried)."""
    with ctx.write() as s:
        task = _for_change(s, ctx, task_id, expected_version)
        if task.status == "done":
            raise ValidationError("status", "This task is already done.")
        task.status, task.completed_at = "done", ctx.now()
        _follow_reminder(task, changed=False)
        if task.client_id is not None:
            activities.record_event(
                s,
                ctx,
                task.client_id,
                Message("Task '{task}' done", task=task.title),
                deal_id=task.deal_id,
                kind="task",
            )
        if task.recurrence and task.due_at is not None:
            s.add(_next_occurrence(ctx, task))
            task.recurrence = ""
        return row_of(s, ctx, task_id)


def _next_occurrence(ctx: ServiceContext, task: Task) -> Task:
    assert task.due_at is not None  # complete() repeats only a task with a due time
    due = recurrence.next_after(task.recurrence, task.due_at, ctx.zone(), not_before=ctx.now())
    # The reminder keeps its distance from the due time.
    remind = due - (task.due_at - task.remind_at) if task.remind_at is not None else None
    return Task(
        title=task.title,
        description=task.description,
        due_at=due,
        duration_minutes=task.duration_minutes,
        assignee_id=task.assignee_id,
        client_id=task.client_id,
        deal_id=task.deal_id,
        priority=task.priority,
        status="open",
        remind_at=remind,
        alert_at=remind,
        recurrence=task.recurrence,
    )


@dataclass(frozen=True)
class ToPlan:
    """What completing a task left with nothing planned: the next task is offered about it."""

    client_id: int
    client_name: str
    deal_id: int | None
    deal_title: str


def left_unplanned(ctx: ServiceContext, task_id: int) -> ToPlan | None:
    """After `task_id` was completed: the open deal (or, for a task about a client only, the client) it
    was about, when no other open task is planned for it; None when there is nothing to offer."""
    with ctx.read() as s:
        found = s.execute(
            select(Task.client_id, Client.name, Task.deal_id, Deal.title, Deal.outcome)
            .join(Client, Client.id == Task.client_id)
            .outerjoin(Deal, Deal.id == Task.deal_id)
            .where(Task.id == task_id, task_visible_to(ctx.actor))
        ).one_or_none()
        if found is None:
            return None
        client_id, client_name, deal_id, deal_title, outcome = found
        assert client_id is not None  # joined to its client
        if deal_id is not None and outcome != "open":
            return None
        about = Task.deal_id == deal_id if deal_id is not None else Task.client_id == client_id
        if s.scalar(select(exists().where(about, Task.status == "open"))):
            return None
    return ToPlan(client_id, client_name, deal_id, deal_title or "")


def reopen(ctx: ServiceContext, task_id: int, *, expected_version: int) -> TaskRow:
    with ctx.write() as s:
        task = _for_change(s, ctx, task_id, expected_version)
        if task.status == "open":
            raise ValidationError("status", "This task is open already.")
        task.status, task.completed_at = "open", None
        # A reminder still ahead comes again; one already past was dealt with when the task was closed.
        _follow_reminder(task, changed=task.remind_at is not None and task.remind_at > ctx.now())
        return row_of(s, ctx, task_id)


def cancel(ctx: ServiceContext, task_id: int, *, expected_version: int) -> TaskRow:
    with ctx.write() as s:
        task = _for_change(s, ctx, task_id, expected_version)
        task.status = v.choice("status", "cancelled", TASK_STATUSES, N_("The status"))
        _follow_reminder(task, changed=False)
        return row_of(s, ctx, task_id)


def delete(ctx: ServiceContext, task_id: int) -> None:
    with ctx.write() as s:
        s.delete(load(s, ctx, task_id))
