"""Time spent on the work: a timer started on a task, a job's stage or a job (one running per person:
starting one stops the other; its start is stored, so a restart or a crash finds it still running),
entries added by hand (day, duration, note, billable), a person's week sheet, and the hours planned
against the hours spent per job and per stage.

A person enters their own time (their manager or an administrator may enter it for them) and changes
or removes it until it is invoiced, never after. Their time is seen by them, their manager,
administrators and the manager of the job it is on — as the server's policies say (migration 0016).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, aliased

from crm_desktop.db.models import Job, JobStage, Task, TimeEntry, User
from crm_desktop.i18n import N_
from crm_desktop.services import job_stages, jobs
from crm_desktop.services import tasks as task_service
from crm_desktop.services import validation as v
from crm_desktop.services.context import Actor, ServiceContext, check_version
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.work_calendar import of as office_calendar

MAX_MINUTES = 24 * 60  # one entry is at most a day's
_DURATION = re.compile(
    r"^\s*(?:(\d+)\s*[:h]\s*(\d{1,2})?\s*m?|(\d+(?:[.,]\d+)?)\s*(h|m)?)\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class TimeEntryRow:
    id: int
    user_id: int
    user_name: str
    job_id: int | None
    job_title: str
    stage_id: int | None
    stage_name: str
    task_id: int | None
    task_title: str
    day: date
    minutes: int
    started_at: datetime | None
    running: bool
    note: str
    billable: bool
    invoice_id: int | None
    version: int

    @property
    def what(self) -> str:
        """What the time was spent on, in a few words: the task, or the job and its stage."""
        if self.task_title:
            return self.task_title
        return " · ".join(part for part in (self.job_title, self.stage_name) if part)


def parse_duration(text: str | int | Decimal) -> int:
    """Minutes from what a person types: "1:30", "1h30", "1.5", "1,5 h", "90m" (a plain number is hours)."""
    if isinstance(text, int):
        minutes = text
    else:
        found = _DURATION.match(str(text))
        if not found:
            raise ValidationError("minutes", "Write the time spent like 1:30, 1.5 or 90m.")
        hours, mins, number, unit = found.groups()
        if hours is not None:
            minutes = int(hours) * 60 + int(mins or 0)
        else:
            try:
                amount = Decimal(number.replace(",", "."))
            except InvalidOperation:
                raise ValidationError("minutes", "Write the time spent like 1:30, 1.5 or 90m.") from None
            minutes = int(amount if (unit or "").lower() == "m" else (amount * 60).to_integral_value())
    if not 0 < minutes <= MAX_MINUTES:
        raise ValidationError("minutes", "Time spent is between 1 minute and 24 hours an entry.")
    return minutes


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """Their own time, their team's for a manager, everyone's for an administrator, and the time on the
    jobs they manage."""
    if actor.is_admin:
        return true()
    mine = or_(
        TimeEntry.user_id == actor.user_id,
        TimeEntry.job_id.in_(select(Job.id).where(Job.responsible_id == actor.user_id)),
    )
    if actor.role == "manager":
        return or_(mine, TimeEntry.user_id.in_(select(User.id).where(User.manager_id == actor.user_id)))
    return mine


def _enters_for(s: Session, actor: Actor, user_id: int) -> None:
    if user_id == actor.user_id or actor.is_admin:
        return
    if (
        actor.role == "manager"
        and s.scalar(select(User.manager_id).where(User.id == user_id)) == actor.user_id
    ):
        return
    raise PermissionDenied("Only the person, their manager or an administrator enters their time.")


def _select() -> Any:
    person, stage, task = aliased(User), aliased(JobStage), aliased(Task)
    return (
        select(TimeEntry, person.display_name, Job.title, stage.name, task.title)
        .join(person, person.id == TimeEntry.user_id)
        .outerjoin(Job, Job.id == TimeEntry.job_id)
        .outerjoin(stage, stage.id == TimeEntry.stage_id)
        .outerjoin(task, task.id == TimeEntry.task_id)
    )


def _row(e: TimeEntry, person: str, job: str | None, stage: str | None, task: str | None) -> TimeEntryRow:
    return TimeEntryRow(
        e.id, e.user_id, person, e.job_id, job or "", e.stage_id, stage or "", e.task_id, task or "", e.day,
        e.minutes, e.started_at, e.running, e.note, e.billable, e.invoice_id, e.version,
    )  # fmt: skip


def _row_of(s: Session, entry_id: int) -> TimeEntryRow:
    return _row(*s.execute(_select().where(TimeEntry.id == entry_id)).one())


def _load(s: Session, ctx: ServiceContext, entry_id: int) -> TimeEntry:
    entry = s.scalar(select(TimeEntry).where(TimeEntry.id == entry_id, visible_to(ctx.actor)))
    if entry is None:
        raise NotFound("That time entry no longer exists.")
    return entry


def _what(
    s: Session, ctx: ServiceContext, task_id: int | None, stage_id: int | None, job_id: int | None
) -> tuple[int | None, int | None, int | None]:
    """The job, stage and task the time is on, each one the user may see (a stage's job, a task's)."""
    if stage_id is not None:
        job, _stage = job_stages.load(s, ctx, stage_id)
        job_id = job.id
    if task_id is not None:
        task = task_service.load(s, ctx, task_id)
        job_id = job_id or task.job_id
    elif job_id is not None:
        jobs.load(s, job_id, ctx.actor)
    return job_id, stage_id, task_id


def _stopped(entry: TimeEntry, now: datetime) -> None:
    assert entry.started_at is not None
    entry.minutes = max(1, round((now - entry.started_at).total_seconds() / 60))
    entry.running = False


def start_timer(
    ctx: ServiceContext,
    *,
    task_id: int | None = None,
    stage_id: int | None = None,
    job_id: int | None = None,
    note: str = "",
) -> TimeEntryRow:
    """A timer running from now on the task, stage or job; the one running before stops."""
    note = v.text("note", note, N_("Note"), max_length=2000)
    with ctx.write() as s:
        now = s.info["now"]
        me = ctx.actor.user_id
        for running in s.scalars(select(TimeEntry).where(TimeEntry.user_id == me, TimeEntry.running)):
            _stopped(running, now)
        s.flush()  # (one runs per person: the old one stops before the new one starts)
        job, stage, task = _what(s, ctx, task_id, stage_id, job_id)
        day = now.astimezone(office_calendar(ctx).zone).date()
        entry = TimeEntry(user_id=me, job_id=job, stage_id=stage, task_id=task, day=day, minutes=0,
                          started_at=now, running=True, note=note, billable=True)  # fmt: skip
        s.add(entry)
        s.flush()
        return _row_of(s, entry.id)


def stop_timer(ctx: ServiceContext) -> TimeEntryRow | None:
    """The running timer stopped now, its minutes counted from its stored start (None: none ran)."""
    with ctx.write() as s:
        entry = s.scalar(select(TimeEntry).where(TimeEntry.user_id == ctx.actor.user_id, TimeEntry.running))
        if entry is None:
            return None
        _stopped(entry, s.info["now"])
        s.flush()
        return _row_of(s, entry.id)


def running(ctx: ServiceContext) -> TimeEntryRow | None:
    """This user's running timer, as stored (after a restart too)."""
    with ctx.read() as s:
        found = s.execute(_select().where(TimeEntry.user_id == ctx.actor.user_id, TimeEntry.running)).first()
        return _row(*found) if found else None


def add_entry(
    ctx: ServiceContext,
    *,
    day: date,
    minutes: int | str | Decimal,
    note: str = "",
    billable: bool = True,
    task_id: int | None = None,
    stage_id: int | None = None,
    job_id: int | None = None,
    user_id: int | None = None,
) -> TimeEntryRow:
    """Time entered by hand (for someone of their team by a manager, for anyone by an administrator)."""
    spent = parse_duration(minutes)
    note = v.text("note", note, N_("Note"), max_length=2000)
    if not isinstance(day, date):
        raise ValidationError("day", "Choose the day the time was spent on.")
    with ctx.write() as s:
        who = user_id or ctx.actor.user_id
        _enters_for(s, ctx.actor, who)
        job, stage, task = _what(s, ctx, task_id, stage_id, job_id)
        entry = TimeEntry(user_id=who, job_id=job, stage_id=stage, task_id=task, day=day, minutes=spent,
                          note=note, billable=bool(billable))  # fmt: skip
        s.add(entry)
        s.flush()
        return _row_of(s, entry.id)


def _refuse_invoiced(entry: TimeEntry) -> None:
    if entry.invoice_id is not None:
        raise ValidationError(
            "invoice",
            "This time is invoiced: it stays as it was billed. "
            "Cancelling the invoice, or crediting all of it, frees it.",
        )


def update_entry(ctx: ServiceContext, entry_id: int, *, expected_version: int, **values: Any) -> TimeEntryRow:
    """The day, the time spent, the note or whether it is billed; by its author (or their manager, an
    administrator) while it is not invoiced."""
    v.known_fields(values, ("day", "minutes", "note", "billable"), N_("A time entry"))
    with ctx.write() as s:
        entry = _load(s, ctx, entry_id)
        check_version(entry, expected_version, N_("time entry"))
        _enters_for(s, ctx.actor, entry.user_id)
        _refuse_invoiced(entry)
        if entry.running and "minutes" in values:
            raise ValidationError("minutes", "The timer is running: stop it first, then change its time.")
        if "minutes" in values:
            entry.minutes = parse_duration(values["minutes"])
        if "day" in values:
            entry.day = values["day"]
        if "note" in values:
            entry.note = v.text("note", values["note"], N_("Note"), max_length=2000)
        if "billable" in values:
            entry.billable = bool(values["billable"])
        s.flush()
        return _row_of(s, entry.id)


def delete_entry(ctx: ServiceContext, entry_id: int) -> None:
    with ctx.write() as s:
        entry = _load(s, ctx, entry_id)
        _enters_for(s, ctx.actor, entry.user_id)
        _refuse_invoiced(entry)
        s.delete(entry)


def entries(
    ctx: ServiceContext,
    *,
    first: date | None = None,
    last: date | None = None,
    user_id: int | None = None,
    job_id: int | None = None,
) -> list[TimeEntryRow]:
    """The time this user sees, oldest first: from `first` to `last`, of one person, of one job."""
    q = _select().where(visible_to(ctx.actor))
    if first is not None:
        q = q.where(TimeEntry.day >= first)
    if last is not None:
        q = q.where(TimeEntry.day <= last)
    if user_id is not None:
        q = q.where(TimeEntry.user_id == user_id)
    if job_id is not None:
        q = q.where(TimeEntry.job_id == job_id)
    with ctx.read() as s:
        return [_row(*r) for r in s.execute(q.order_by(TimeEntry.day, TimeEntry.id))]


# --- the week sheet and planned against actual --------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    what: str
    job_id: int | None
    task_id: int | None
    stage_id: int | None
    minutes: list[int]  # Monday first
    entries: list[TimeEntryRow]

    @property
    def total(self) -> int:
        return sum(self.minutes)


@dataclass(frozen=True)
class WeekSheet:
    user_id: int
    monday: date
    rows: list[SheetRow]

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    @property
    def totals(self) -> list[int]:
        return [sum(r.minutes[n] for r in self.rows) for n in range(7)]

    @property
    def total(self) -> int:
        return sum(self.totals)


def week(ctx: ServiceContext, user_id: int, any_day: date) -> WeekSheet:
    """A person's time in the week of `any_day`, a row per thing worked on, a column per day."""
    monday = any_day - timedelta(days=any_day.weekday())
    found = entries(ctx, first=monday, last=monday + timedelta(days=6), user_id=user_id)
    grouped: dict[tuple[int | None, int | None, int | None], list[TimeEntryRow]] = {}
    for e in found:
        grouped.setdefault((e.job_id, e.stage_id, e.task_id), []).append(e)
    rows = []
    for (job_id, stage_id, task_id), items in grouped.items():
        minutes = [0] * 7
        for e in items:
            minutes[(e.day - monday).days] += e.minutes
        rows.append(SheetRow(items[0].what, job_id, task_id, stage_id, minutes, items))
    return WeekSheet(user_id, monday, sorted(rows, key=lambda r: r.what.casefold()))


@dataclass(frozen=True)
class StageHours:
    stage_id: int | None  # None: time on the job as a whole
    name: str
    planned: Decimal
    actual: Decimal


def job_hours(ctx: ServiceContext, job_id: int) -> list[StageHours]:
    """Per stage of the job the hours planned (its hours of work, or its whole days) against the hours
    spent on it; the time on the job outside its stages last."""
    calendar = office_calendar(ctx)
    with ctx.read() as s:
        jobs.load(s, job_id, ctx.actor)
        stages = s.execute(
            select(JobStage.id, JobStage.name, JobStage.work_days, JobStage.work_hours, JobStage.effort_hours)
            .where(JobStage.job_id == job_id)
            .order_by(JobStage.position)
        ).all()
    spent: dict[int | None, int] = {}
    for e in entries(ctx, job_id=job_id):
        spent[e.stage_id] = spent.get(e.stage_id, 0) + e.minutes
    out = [
        StageHours(
            stage_id,
            name,
            effort
            if effort is not None
            else hours
            if hours is not None
            else calendar.hours_a_day * (days or 0),
            Decimal(spent.get(stage_id, 0)) / 60,
        )
        for stage_id, name, days, hours, effort in stages
    ]
    if None in spent:
        out.append(StageHours(None, "", Decimal(0), Decimal(spent[None]) / 60))
    return out


@dataclass(frozen=True)
class Choice:
    """Something a person may put time on: a stage given to them, one of their tasks, a job they work on."""

    label: str
    job_id: int | None = None
    stage_id: int | None = None
    task_id: int | None = None


def choices(ctx: ServiceContext, *, around: date | None = None) -> list[Choice]:
    """What this user works on now: the open stages given to them, their open tasks due within a week of
    `around` (today), the open jobs they work on."""
    me = ctx.actor.user_id
    day = around or ctx.today()
    zone = office_calendar(ctx).zone
    start = datetime.combine(day - timedelta(days=7), datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=8), datetime.min.time(), zone)
    with ctx.read() as s:
        stages = s.execute(
            select(JobStage.id, JobStage.name, Job.id, Job.title)
            .join(Job, Job.id == JobStage.job_id)
            .where(JobStage.responsible_id == me, JobStage.status != "done", Job.status.in_(jobs.OPEN))
            .order_by(Job.title, JobStage.position)
        ).all()
        own = s.execute(
            select(Task.id, Task.title, Task.job_id)
            .where(Task.assignee_id == me, Task.status == "open", Task.due_at >= start, Task.due_at < end)
            .order_by(Task.due_at)
        ).all()
        worked = s.execute(
            select(Job.id, Job.title).where(Job.status.in_(jobs.OPEN), jobs.works_on(me)).order_by(Job.title)
        ).all()
    return [
        *(Choice(f"{job} · {stage}", job_id, stage_id) for stage_id, stage, job_id, job in stages),
        *(Choice(title, job_id, None, task_id) for task_id, title, job_id in own),
        *(Choice(title, job_id) for job_id, title in worked),
    ]
