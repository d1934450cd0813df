"""Moving work on the workload: a task to another person or day, a job stage's work to another person
or (not started yet) to start on another day. A move is refused onto a day the person is away or to a
person without the skill a stage needs; onto a day it would overload, it is made only when the user
says so (`Overloaded` says by how much). Every move can be taken back (`undo`) while nobody has
changed the work since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm_desktop.i18n import Day, Message
from crm_desktop.services import capacity, job_stages, jobs, tasks
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.work_calendar import OfficeCalendar
from crm_desktop.services.work_calendar import of as office_calendar
from crm_desktop.services.workload import WorkFilter, WorkItem, load, spread_of


class Overloaded(ValidationError):
    """The move would plan more hours on a day than the person has; make it with `overload=True`."""

    def __init__(self, person: str, day: date, planned: Decimal, hours: Decimal):
        said = Message(
            "{person} would have {planned} h planned on {day}, with {hours} h to work.",
            person=person,
            day=Day(day),
            planned=planned.normalize(),
            hours=hours.normalize(),
        )
        super().__init__("user_id", said)


@dataclass(frozen=True)
class Moved:
    kind: str  # "task" or "stage"
    id: int
    title: str
    version: int  # after the move
    before: dict[str, Any]  # what the move changed, as it was
    after: dict[str, Any]


def move(
    ctx: ServiceContext, item: WorkItem, to_user: int | None, to_day: date, *, overload: bool = False
) -> Moved:
    """`item` (as the workload showed it on its day) given to `to_user` on `to_day`."""
    calendar = office_calendar(ctx)
    before: dict[str, Any]
    after: dict[str, Any]
    if item.kind == "task":
        task = tasks.get(ctx, item.id)
        assert task.due_at is not None  # (the workload shows tasks by their due time)
        due = datetime.combine(to_day, task.due_at.astimezone(calendar.zone).time(), calendar.zone)
        remind = task.remind_at + (due - task.due_at) if task.remind_at is not None else None
        before = {"assignee_id": task.assignee_id, "due_at": task.due_at, "remind_at": task.remind_at}
        after = {"assignee_id": to_user, "due_at": due, "remind_at": remind}
        shares = {to_day: item.hours}
    else:
        with ctx.read() as s:
            _job, stage = job_stages.load(s, ctx, item.id)
            work_days, work_hours, effort = stage.work_days, stage.work_hours, stage.effort_hours
            before = {
                "responsible_id": stage.responsible_id,
                "planned": (stage.planned_start, stage.planned_due),
            }
        after = {"responsible_id": to_user, "planned": None}
        shares = item.spread
        if to_day != item.day:
            if item.started:
                raise ValidationError(
                    "day", "{stage} is under way: its days follow the work done.", stage=item.title
                )
            starts = calendar.opening(_shifted(calendar, min(item.spread), item.day, to_day))
            ends = jobs.ends_after(calendar, starts, work_days, work_hours)
            after["planned"] = (starts, ends)
            shares = spread_of(
                calendar, starts, ends, work_days, effort if effort is not None else work_hours
            )
    _check_place(ctx, item, to_user, shares, overload)
    version = _apply(ctx, item.kind, item.id, item.version, after)
    return Moved(item.kind, item.id, item.title, version, before, after)


def undo(ctx: ServiceContext, moved: Moved) -> Moved:
    """The work back where it was before `moved` (refused when it has been changed since)."""
    version = _apply(ctx, moved.kind, moved.id, moved.version, moved.before)
    return Moved(moved.kind, moved.id, moved.title, version, moved.after, moved.before)


def _apply(ctx: ServiceContext, kind: str, item_id: int, version: int, values: dict[str, Any]) -> int:
    if kind == "task":
        return tasks.update(ctx, item_id, expected_version=version, **values).version
    return job_stages.replan(
        ctx,
        item_id,
        responsible_id=values["responsible_id"],
        planned=values["planned"],
        expected_version=version,
    )


def _shifted(calendar: OfficeCalendar, day: date, source: date, target: date) -> date:
    """`day` moved by as many working days as from `source` to `target` (both working days)."""
    steps = calendar.working_days_between(source, target) - 1 if target >= source else (
        1 - calendar.working_days_between(target, source)
    )  # fmt: skip
    step = timedelta(days=1 if steps > 0 else -1)
    for _ in range(abs(steps)):
        day += step
        while not calendar.is_working_day(day):
            day += step
    return day


def _check_place(
    ctx: ServiceContext, item: WorkItem, to_user: int | None, shares: dict[date, Decimal], overload: bool
) -> None:
    """Refused onto a day away or to someone without the skill a stage needs; an overload is told."""
    if to_user is None or not shares:
        return
    calendar = office_calendar(ctx)
    first, last = min(shares), max(shares)
    days = max(calendar.working_days_between(first, last), 1)
    seen = load(ctx, first, days=days, f=WorkFilter(user_id=to_user)).people
    if not seen:
        return  # (someone this user does not plan for: the services of the work itself decide)
    person = seen[0]
    if item.skill and item.skill.casefold() not in (
        k.casefold() for k in capacity.skills(ctx).get(to_user, [])
    ):
        raise ValidationError(
            "user_id",
            "{stage} needs the skill “{skill}”, which {person} does not have. Choose someone who has it, "
            "or give it to them (Workload: right-click their name).",
            stage=item.title,
            skill=item.skill,
            person=person.name,
        )
    taken_off = item.spread if item.user_id == to_user else {}
    for cell in person.cells:
        share = shares.get(cell.day)
        if share is None:
            continue
        if cell.absence is not None:
            raise ValidationError(
                "day", "{person} is away on {day}. Choose another day or someone else.", person=person.name,
                day=Day(cell.day),
            )  # fmt: skip
        planned = cell.planned - taken_off.get(cell.day, Decimal(0)) + share
        if planned > cell.capacity and not overload:
            raise Overloaded(person.name, cell.day, planned.quantize(Decimal("0.1")), cell.capacity)
