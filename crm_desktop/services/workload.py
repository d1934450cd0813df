"""The team's workload: for each person and each working day, the hours planned against the hours they
have — open tasks on their due day (their duration), and the planned work of the job stages given to
them spread evenly over the working days the stage is expected to take; none on a day they are away.
Work nobody is given has a row of its own.

Staff see their own row, managers their team's and their own, administrators everyone's (as the server
lets them read the tasks and jobs behind it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, or_, select, true

from crm_desktop.db.models import Client, Job, JobStage, Task, User, UserSkill
from crm_desktop.services import capacity, jobs
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

    @property
    def planned(self) -> Decimal:
        return sum((c.planned for c in self.cells), Decimal(0))

    @property
    def capacity(self) -> Decimal:
        return sum((c.capacity for c in self.cells), Decimal(0))


@dataclass(frozen=True)
class Workload:
    days: list[date]
    people: list[PersonLoad]
    unassigned: PersonLoad


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


def load(
    ctx: ServiceContext,
    first: date | None = None,
    *,
    days: int = DAYS,
    team_of: int | None = None,
    skill: str | None = None,
) -> Workload:
    """The workload of the people this user sees over `days` working days from `first` (today); only a
    manager's team with `team_of`, only those with `skill` with it."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError("days", "Show between 1 and {n} working days.", n=MAX_DAYS)
    calendar = office_calendar(ctx)
    shown = working_days(calendar, first or ctx.today(), days)
    start = datetime.combine(shown[0], time(), calendar.zone)
    end = datetime.combine(shown[-1] + timedelta(days=1), time(), calendar.zone)
    weeks = capacity.weeks(ctx)
    planned: dict[int | None, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    with ctx.read() as s:
        q = (
            select(User.id, User.display_name)
            .where(User.active, _people_seen(ctx.actor))
            .order_by(User.display_name)
        )
        if team_of is not None:
            q = q.where(or_(User.manager_id == team_of, User.id == team_of))
        if skill:
            q = q.where(User.id.in_(select(UserSkill.user_id).where(UserSkill.skill == skill)))
        people = s.execute(q).all()
        for assignee, due, minutes in s.execute(
            select(Task.assignee_id, Task.due_at, Task.duration_minutes)
            .outerjoin(Client, Client.id == Task.client_id)  # (what task_visible_to reads)
            .where(Task.status == "open", Task.due_at >= start, Task.due_at < end, task_visible_to(ctx.actor))
        ):
            assert due is not None
            planned[assignee][due.astimezone(calendar.zone).date()] += Decimal(minutes) / HOUR
        for doer, days_of_work, hours, begins, ends in s.execute(
            select(JobStage.responsible_id, JobStage.work_days, JobStage.work_hours, JobStage.forecast_start,
                   JobStage.forecast_due)
            .join(Job, Job.id == JobStage.job_id)
            .where(JobStage.status != "done", Job.status.in_(("planned", "in_progress")),
                   JobStage.forecast_start < end, JobStage.forecast_due >= start, jobs.visible_to(ctx.actor))
        ):  # fmt: skip
            spread = _spread(calendar, begins, ends, days_of_work, hours)
            for day, share in spread.items():
                planned[doer][day] += share
    absent = _absences(ctx, shown)
    skills = capacity.skills(ctx)

    def row(user_id: int | None, name: str) -> PersonLoad:
        week = weeks.get(user_id, [Decimal(0)] * 7) if user_id is not None else [Decimal(0)] * 7
        cells = []
        for day in shown:
            away = absent.get((user_id, day))
            hours = Decimal(0) if away else week[day.weekday()]
            cells.append(
                Cell(day, hours, planned[user_id].get(day, Decimal(0)).quantize(Decimal("0.01")), away)
            )
        return PersonLoad(user_id, name, cells, skills.get(user_id, []) if user_id is not None else [])

    return Workload(shown, [row(u, name) for u, name in people], row(None, ""))


def _spread(
    calendar: OfficeCalendar, begins: datetime, ends: datetime, days: int | None, hours: Decimal | None
) -> dict[date, Decimal]:
    """A stage's planned work over the working days it is expected to take, in equal shares."""
    first, last = begins.astimezone(calendar.zone).date(), ends.astimezone(calendar.zone).date()
    worked = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    worked = [d for d in worked if calendar.is_working_day(d)] or [calendar.next_working_day(first)]
    work = hours if hours is not None else calendar.hours_a_day * (days or 0)
    return {d: work / len(worked) for d in worked}


def _absences(ctx: ServiceContext, shown: list[date]) -> dict[tuple[int | None, date], str]:
    out: dict[tuple[int | None, date], str] = {}
    for a in capacity.absences(ctx, shown[0], shown[-1]):
        for day in shown:
            if a.starts <= day <= a.ends:
                out[(a.user_id, day)] = a.kind
    return out
