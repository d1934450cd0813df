"""The team's workload: for each person and each working day, the hours planned against the hours they
have — open tasks on their due day (their duration), and the planned work of the job stages given to
them spread evenly over the working days the stage is expected to take; none on a day they are away.
Work nobody is given has a row of its own.

Staff see their own row, managers their team's and their own, administrators everyone's (as the server
lets them read the tasks and jobs behind it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import aliased

from crm_desktop.db.models import Client, Job, JobStage, Task, User, UserSkill
from crm_desktop.services import capacity, exports, jobs
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.tasks import task_visible_to
from crm_desktop.services.work_calendar import OfficeCalendar
from crm_desktop.services.work_calendar import of as office_calendar

DAYS = 15  # three working weeks
MAX_DAYS = 130
HOUR = Decimal(60)


@dataclass(frozen=True)
class Cell:
    day: date
    capacity: Decimal
    planned: Decimal
    absence: str | None = None  # its kind, on a day away

    @property
    def state(self) -> str:
        """ "away", "free" (under 80 % of the day planned), "full" (up to the day) or "over"."""
        if self.absence is not None:
            return "away"
        if self.planned > self.capacity:
            return "over"
        return "full" if self.capacity and self.planned >= self.capacity * Decimal("0.8") else "free"


@dataclass(frozen=True)
class PersonLoad:
    user_id: int | None  # None: the work nobody is given
    name: str
    cells: list[Cell]
    skills: list[str] = field(default_factory=list)
    team_of: int | None = None  # the manager whose team they are in (a manager: their own)

    @property
    def planned(self) -> Decimal:
        return sum((c.planned for c in self.cells), Decimal(0))

    @property
    def capacity(self) -> Decimal:
        return sum((c.capacity for c in self.cells), Decimal(0))


@dataclass(frozen=True)
class TeamLoad:
    lead_id: int
    name: str  # the manager's
    member_ids: list[int]
    cells: list[Cell]  # the members' hours added up


@dataclass(frozen=True)
class Workload:
    days: list[date]
    people: list[PersonLoad]
    unassigned: PersonLoad
    teams: list[TeamLoad] = field(default_factory=list)


def working_days(calendar: OfficeCalendar, first: date, n: int) -> list[date]:
    """The first `n` working days from `first` on."""
    out: list[date] = []
    day = first
    while len(out) < n:
        if calendar.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def _people_seen(actor: Actor) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    if actor.role == "manager":
        return or_(User.id == actor.user_id, User.manager_id == actor.user_id)
    return User.id == actor.user_id


@dataclass(frozen=True)
class WorkFilter:
    """Whose rows (a manager's team, the people with a skill, one person) and what work (a client's, a
    job's) the workload shows."""

    team_of: int | None = None
    skill: str = ""
    user_id: int | None = None
    client_id: int | None = None
    job_id: int | None = None


@dataclass(frozen=True)
class WorkItem:
    """A task, or a job stage's work, as it falls on one person's day."""

    kind: str  # "task" or "stage"
    id: int
    version: int
    title: str
    user_id: int | None
    day: date
    hours: Decimal  # its share of this day
    client_name: str
    job_id: int | None
    job_title: str
    skill: str  # the role a stage needs ("" for none)
    started: bool  # a stage under way keeps its days
    spread: dict[date, Decimal]  # all its days and their shares


def _window(calendar: OfficeCalendar, first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(), calendar.zone)
    return start, datetime.combine(last + timedelta(days=1), time(), calendar.zone)


def _tasks(ctx: ServiceContext, f: WorkFilter, start: datetime, end: datetime, *columns: Any) -> Select:
    """The open tasks due in the window that this user sees and `f` keeps, as `columns`."""
    q = (
        select(*columns)
        .outerjoin(Client, Client.id == Task.client_id)  # (what task_visible_to reads)
        .where(Task.status == "open", Task.due_at >= start, Task.due_at < end, task_visible_to(ctx.actor))
    )
    if f.user_id is not None:
        q = q.where(Task.assignee_id == f.user_id)
    if f.client_id is not None:
        q = q.where(Task.client_id == f.client_id)
    if f.job_id is not None:
        q = q.where(Task.job_id == f.job_id)
    return q


def _stages(ctx: ServiceContext, f: WorkFilter, start: datetime, end: datetime, *columns: Any) -> Select:
    """The stages not done of the jobs under way or planned, expected in the window, that this user sees."""
    q = (
        select(*columns)
        .join(Job, Job.id == JobStage.job_id)
        .where(
            JobStage.status != "done",
            Job.status.in_(("planned", "in_progress")),
            JobStage.forecast_start < end,
            JobStage.forecast_due >= start,
            jobs.visible_to(ctx.actor),
        )
    )
    if f.user_id is not None:
        q = q.where(JobStage.responsible_id == f.user_id)
    if f.client_id is not None:
        q = q.where(Job.client_id == f.client_id)
    if f.job_id is not None:
        q = q.where(Job.id == f.job_id)
    return q


# A stage's planned work: its hours of work, else its length in hours, else (None) its whole days.
_STAGE_WORK = (
    JobStage.work_days,
    func.coalesce(JobStage.effort_hours, JobStage.work_hours),
    JobStage.forecast_start,
    JobStage.forecast_due,
)


def _planned(
    ctx: ServiceContext, first: date, last: date, f: WorkFilter
) -> dict[int | None, dict[date, Decimal]]:
    """Per person and day the hours planned (the workload's sums, read with no more than they need)."""
    calendar = office_calendar(ctx)
    start, end = _window(calendar, first, last)
    planned: dict[int | None, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    hours_of: dict[int, Decimal] = {}
    with ctx.read() as s:
        for assignee, due, minutes in s.execute(
            _tasks(ctx, f, start, end, Task.assignee_id, Task.due_at, Task.duration_minutes)
        ):
            hours = hours_of.get(minutes)
            if hours is None:  # (a few durations, thousands of tasks)
                hours = hours_of[minutes] = Decimal(minutes) / HOUR
            planned[assignee][due.astimezone(calendar.zone).date()] += hours
        for doer, *work in s.execute(_stages(ctx, f, start, end, JobStage.responsible_id, *_STAGE_WORK)):
            days, hours, begins, ends = work
            for day, share in spread_of(calendar, begins, ends, days, hours, (first, last)).items():
                planned[doer][day] += share
    return planned


def work_items(ctx: ServiceContext, first: date, last: date, f: WorkFilter = WorkFilter()) -> list[WorkItem]:
    """The work planned from `first` to `last` that this user sees, one item per task or stage and day."""
    calendar = office_calendar(ctx)
    start, end = _window(calendar, first, last)
    out: list[WorkItem] = []
    of_job, job_client = aliased(Job), aliased(Client)  # (the visibility rules correlate Job and Client)
    with ctx.read() as s:
        tq = _tasks(
            ctx,
            f,
            start,
            end,
            Task.id,
            Task.version,
            Task.title,
            Task.assignee_id,
            Task.due_at,
            Task.duration_minutes,
            Client.name,
            Task.job_id,
            of_job.title,
        )
        for task_id, version, title, assignee, due, minutes, client, job_id, job in s.execute(
            tq.outerjoin(of_job, of_job.id == Task.job_id)
        ):
            day, hours = due.astimezone(calendar.zone).date(), Decimal(minutes) / HOUR
            out.append(
                WorkItem(
                    "task",
                    task_id,
                    version,
                    title,
                    assignee,
                    day,
                    hours,
                    client or "",
                    job_id,
                    job or "",
                    "",
                    False,
                    {day: hours},
                )
            )
        gq = _stages(
            ctx,
            f,
            start,
            end,
            JobStage.id,
            JobStage.version,
            JobStage.name,
            JobStage.responsible_id,
            JobStage.role,
            JobStage.started_at,
            job_client.name,
            Job.id,
            Job.title,
            *_STAGE_WORK,
        )
        for stage_id, version, name, doer, role, started, client, job_id, job, *work in s.execute(
            gq.outerjoin(job_client, job_client.id == Job.client_id)
        ):
            days, hours, begins, ends = work
            spread = spread_of(calendar, begins, ends, days, hours)
            for day, share in spread.items():
                if first <= day <= last:
                    out.append(
                        WorkItem(
                            "stage",
                            stage_id,
                            version,
                            name,
                            doer,
                            day,
                            share,
                            client or "",
                            job_id,
                            job,
                            role,
                            started is not None,
                            spread,
                        )
                    )
    return out


def cell_items(
    ctx: ServiceContext, day: date, people: Collection[int | None], f: WorkFilter = WorkFilter()
) -> list[WorkItem]:
    """The work on `day` of these people (None: the work nobody is given), the longest first."""
    only = replace(f, user_id=next(iter(people))) if len(people) == 1 and None not in people else f
    found = [i for i in work_items(ctx, day, day, only) if i.user_id in people]
    return sorted(found, key=lambda i: (-i.hours, i.title.casefold()))


def load(
    ctx: ServiceContext,
    first: date | None = None,
    *,
    days: int = DAYS,
    team_of: int | None = None,
    skill: str | None = None,
    f: WorkFilter | None = None,
) -> Workload:
    """The workload of the people this user sees over `days` working days from `first` (today); only a
    manager's team with `team_of`, only those with `skill` with it (or as `f` says, with its client's or
    job's work only)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError("days", "Show between 1 and {n} working days.", n=MAX_DAYS)
    f = f or WorkFilter(team_of=team_of, skill=skill or "")
    calendar = office_calendar(ctx)
    shown = working_days(calendar, first or ctx.today(), days)
    weeks = capacity.weeks(ctx)
    planned = _planned(ctx, shown[0], shown[-1], f)
    with ctx.read() as s:
        q = (
            select(User.id, User.display_name, User.manager_id)
            .where(User.active, _people_seen(ctx.actor))
            .order_by(User.display_name)
        )
        if f.team_of is not None:
            q = q.where(or_(User.manager_id == f.team_of, User.id == f.team_of))
        if f.skill:
            q = q.where(User.id.in_(select(UserSkill.user_id).where(UserSkill.skill == f.skill)))
        if f.user_id is not None:
            q = q.where(User.id == f.user_id)
        people = s.execute(q).all()
        leads = set(s.scalars(select(User.manager_id).where(User.active, User.manager_id.is_not(None))))
    absent = _absences(ctx, shown)
    skills = capacity.skills(ctx)

    def row(user_id: int | None, name: str, team: int | None = None) -> PersonLoad:
        week = weeks.get(user_id, [Decimal(0)] * 7) if user_id is not None else [Decimal(0)] * 7
        cells = []
        for day in shown:
            away = absent.get((user_id, day))
            hours = Decimal(0) if away else week[day.weekday()]
            cells.append(
                Cell(day, hours, planned[user_id].get(day, Decimal(0)).quantize(Decimal("0.01")), away)
            )
        known = skills.get(user_id, []) if user_id is not None else []
        return PersonLoad(user_id, name, cells, known, team)

    rows = [row(u, name, u if u in leads else manager) for u, name, manager in people]
    return Workload(shown, rows, row(None, ""), _teams(rows, {u: name for u, name, _m in people}))


def sheet_exported(ctx: ServiceContext, first: date, rows: int) -> None:
    """The workload is leaving as a file (the PDF for the weekly meeting): allowed, and logged."""
    exports.require_export_right(ctx)
    exports.record_export(ctx, "workload", rows, {"first": first.isoformat()})


def _teams(rows: list[PersonLoad], names: dict[int, str]) -> list[TeamLoad]:
    """A team per manager among the rows shown: the manager and their people, with the totals of each day."""
    members: dict[int, list[PersonLoad]] = defaultdict(list)
    for r in rows:
        if r.team_of is not None:
            members[r.team_of].append(r)
    out = []
    for lead, people in members.items():
        cells = [
            Cell(
                day_cells[0].day,
                sum((c.capacity for c in day_cells), Decimal(0)),
                sum((c.planned for c in day_cells), Decimal(0)),
            )
            for day_cells in zip(*(p.cells for p in people), strict=True)
        ]
        out.append(TeamLoad(lead, names.get(lead, ""), [p.user_id for p in people if p.user_id], cells))
    return sorted(out, key=lambda t: t.name.casefold())


def spread_of(
    calendar: OfficeCalendar,
    begins: datetime,
    ends: datetime,
    days: int | None,
    hours: Decimal | None,
    within: tuple[date, date] | None = None,
) -> dict[date, Decimal]:
    """A stage's planned work — its hours (those of work over its days, if it has them) or else its
    whole days — over the working days it is expected to take, in equal shares (only the days `within`
    a span, when given: a long stage is not walked day by day for the few days shown)."""
    first, last = begins.astimezone(calendar.zone).date(), ends.astimezone(calendar.zone).date()
    work = hours if hours is not None else calendar.hours_a_day * (days or 0)
    count = calendar.working_days_between(first, last)
    if not count:
        only = calendar.next_working_day(first)
        return {only: work} if within is None or within[0] <= only <= within[1] else {}
    low, high = (max(first, within[0]), min(last, within[1])) if within is not None else (first, last)
    shown = [low + timedelta(days=n) for n in range((high - low).days + 1)]
    return {d: work / count for d in shown if calendar.is_working_day(d)}


def _absences(ctx: ServiceContext, shown: list[date]) -> dict[tuple[int | None, date], str]:
    out: dict[tuple[int | None, date], str] = {}
    for a in capacity.absences(ctx, shown[0], shown[-1]):
        for day in shown:
            if a.starts <= day <= a.ends:
                out[(a.user_id, day)] = a.kind
    return out
