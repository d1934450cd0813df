"""Recurring work: a client's series of visits (a service contract) — every Monday and Thursday, every
two weeks, monthly on the 15th; until a day, or for a number of visits — whose visits are tasks made
ahead (at least three weeks, rolling: the rules' timer makes the next ones as the days pass), each with
the series' assignee, time of day (the office's wall time, across summer-time changes), duration and
checklist. The days come from the repeat rules tasks already have (services/recurrence.py).

A visit remembers the day of the series it stands for: moved to another day or person, or skipped
(cancelled), it stays as it is and is never made again. Changing the series from a visit on ("this and
following") ends the series the day before and starts a new one from there with the change, its open
visits not moved made again; changing one visit is changing its task.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Client, Task, VisitSeries
from crm_desktop.i18n import N_, Message
from crm_desktop.services import activities, recurrence, users
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible, visible_to
from crm_desktop.services.context import ServiceContext, check_version
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.work_calendar import of as office_calendar

AHEAD = timedelta(days=28)  # visits are made four weeks ahead: the workload's three always have theirs
MAX_VISITS = 1000


@dataclass(frozen=True)
class SeriesValues:
    title: str
    rule: str
    starts_on: date
    at_time: str = "09:00"
    duration_minutes: int = 60
    assignee_id: int | None = None
    checklist: tuple[str, ...] = ()
    ends_on: date | None = None
    count: int | None = None
    job_id: int | None = None


@dataclass(frozen=True)
class SeriesRow:
    id: int
    client_id: int
    values: SeriesValues
    made_until: date | None
    version: int


def _row(x: VisitSeries) -> SeriesRow:
    values = SeriesValues(x.title, x.rule, x.starts_on, x.at_time, x.duration_minutes, x.assignee_id,
                          tuple(x.checklist), x.ends_on, x.count, x.job_id)  # fmt: skip
    return SeriesRow(x.id, x.client_id, values, x.made_until, x.version)


def _clean(s: Session, values: SeriesValues) -> SeriesValues:
    title = v.text("title", values.title, N_("Title"), required=True, max_length=300)
    parsed = recurrence.parse(values.rule)
    if parsed is None:
        raise ValidationError("rule", "Choose how often the visits repeat.")
    clock = v.a_time("at_time", values.at_time, N_("The time of the visits"))
    if clock is None:
        raise ValidationError("at_time", "Give the time of day the visits are at, like 09:00.")
    minutes = v.positive_int("duration_minutes", values.duration_minutes, N_("The duration in minutes"),
                             maximum=24 * 60)  # fmt: skip
    if values.ends_on is not None and values.ends_on < values.starts_on:
        raise ValidationError("ends_on", "The series ends on or after the day it starts.")
    if values.count is not None and not 1 <= values.count <= MAX_VISITS:
        raise ValidationError("count", "A series has between 1 and {n} visits.", n=MAX_VISITS)
    checklist = tuple(item for item in (v.text("checklist", i, N_("Checklist item"), max_length=300)
                                        for i in values.checklist) if item)  # fmt: skip
    return replace(
        values,
        title=title,
        rule=parsed.text(),
        at_time=clock.strftime("%H:%M"),
        duration_minutes=minutes,
        assignee_id=users.require_active(s, "assignee_id", values.assignee_id, N_("assignee")),
        checklist=checklist,
    )


def _columns(values: SeriesValues) -> dict[str, object]:
    return {**values.__dict__, "checklist": list(values.checklist)}


def _load(s: Session, ctx: ServiceContext, series_id: int) -> VisitSeries:
    found = s.scalar(
        select(VisitSeries)
        .join(Client, Client.id == VisitSeries.client_id)
        .where(VisitSeries.id == series_id, visible_to(ctx.actor))
    )
    if found is None:
        raise NotFound("That series of visits no longer exists.")
    return found


def _make(s: Session, ctx: ServiceContext, x: VisitSeries, until: date) -> int:
    """The visits of the series up to `until` not made yet (none for a day it has a visit for, moved
    or skipped as it may be)."""
    if x.made_until is not None and x.made_until >= until:
        return 0
    zone = office_calendar(ctx).zone
    clock = time.fromisoformat(x.at_time)
    have = set(s.scalars(select(Task.series_day).where(Task.series_id == x.id)))
    days = recurrence.days_of(x.rule, x.starts_on, until, count=x.count, until=x.ends_on)
    made = 0
    for day in days:
        if day in have or (x.made_until is not None and day <= x.made_until):
            continue
        s.add(
            Task(
                title=x.title,
                client_id=x.client_id,
                job_id=x.job_id,
                assignee_id=x.assignee_id,
                due_at=recurrence.at(day, clock, zone),
                duration_minutes=x.duration_minutes,
                series_id=x.id,
                series_day=day,
                checklist=[{"text": item, "done": False} for item in x.checklist],
            )
        )
        made += 1
    x.made_until = until
    return made


def create(ctx: ServiceContext, client_id: int, values: SeriesValues) -> SeriesRow:
    """A new series for the client, its visits made for the weeks ahead."""
    with ctx.write() as s:
        load_visible(s, ctx.actor, client_id)
        clean = _clean(s, values)
        x = VisitSeries(client_id=client_id, **_columns(clean))
        s.add(x)
        s.flush()
        _make(s, ctx, x, ctx.today() + AHEAD)
        activities.record_event(
            s, ctx, client_id, Message("Recurring visits planned: {title}", title=clean.title), kind="task"
        )
        s.flush()
        return _row(x)


def for_client(ctx: ServiceContext, client_id: int) -> list[SeriesRow]:
    with ctx.read() as s:
        load_visible(s, ctx.actor, client_id)
        found = s.scalars(
            select(VisitSeries).where(VisitSeries.client_id == client_id).order_by(VisitSeries.id)
        )
        return [_row(x) for x in found]


def make_ahead(ctx: ServiceContext) -> int:
    """The visits of the weeks ahead of every series this user sees (the rules' timer): how many made.
    Once a day's are made the timer only reads: nothing is written (or locked) until the next day."""
    until = ctx.today() + AHEAD
    due = (
        select(VisitSeries)
        .join(Client, Client.id == VisitSeries.client_id)
        .where(visible_to(ctx.actor), (VisitSeries.made_until.is_(None)) | (VisitSeries.made_until < until))
    )
    with ctx.read() as s:
        if s.scalar(due.with_only_columns(VisitSeries.id).limit(1)) is None:
            return 0
    with ctx.write() as s:
        # (two PCs making the same visits wait for each other)
        return sum(_make(s, ctx, x, until) for x in s.scalars(due.with_for_update(of=VisitSeries)))


def _unmoved(s: Session, ctx: ServiceContext, x: VisitSeries, first: date) -> list[Task]:
    """The open visits of the series from `first` on still where the series put them: its day and time,
    its assignee (a visit someone moved has left the series)."""
    zone, clock = office_calendar(ctx).zone, time.fromisoformat(x.at_time)
    found = s.scalars(
        select(Task).where(Task.series_id == x.id, Task.series_day >= first, Task.status == "open")
    )
    return [
        t
        for t in found
        if t.series_day is not None
        and t.assignee_id == x.assignee_id
        and t.due_at == recurrence.at(t.series_day, clock, zone)
    ]


def change_from(
    ctx: ServiceContext, series_id: int, first: date, values: SeriesValues, *, expected_version: int
) -> SeriesRow:
    """The series changed from `first` on ("this and following"): it ends the day before, and a new
    series with the change starts that day; the open visits from then on that nobody moved are made
    again by the new one (those moved or done stay as they are)."""
    with ctx.write() as s:
        x = _load(s, ctx, series_id)
        check_version(x, expected_version, N_("series of visits"))
        clean = _clean(s, replace(values, starts_on=first))
        for task in _unmoved(s, ctx, x, first):
            s.delete(task)
        if first <= x.starts_on:  # from its first visit: the whole series changes
            for key, value in _columns(clean).items():
                setattr(x, key, value)
            x.made_until = None
            s.flush()
            _make(s, ctx, x, ctx.today() + AHEAD)
            return _row(x)
        if x.count is not None:
            made_before = len(
                recurrence.days_of(x.rule, x.starts_on, first - timedelta(days=1), count=x.count)
            )
            clean = replace(
                clean, count=max(x.count - made_before, 1) if values.count == x.count else clean.count
            )
        x.ends_on = first - timedelta(days=1)
        new = VisitSeries(client_id=x.client_id, **_columns(clean))
        s.add(new)
        s.flush()
        for kept in s.scalars(select(Task).where(Task.series_id == x.id, Task.series_day >= first)):
            kept.series_id = new.id  # (moved, done or skipped: the new series has that day's visit)
        s.flush()
        _make(s, ctx, new, ctx.today() + AHEAD)
        return _row(new)


def end(ctx: ServiceContext, series_id: int, last: date, *, expected_version: int) -> SeriesRow:
    """No visits after `last` (the contract ended): the open ones after it that nobody moved go."""
    with ctx.write() as s:
        x = _load(s, ctx, series_id)
        check_version(x, expected_version, N_("series of visits"))
        if last < x.starts_on - timedelta(days=1):
            raise ValidationError("ends_on", "The series ends on or after the day it starts.")
        for task in _unmoved(s, ctx, x, last + timedelta(days=1)):
            s.delete(task)
        x.ends_on = last
        s.flush()
        return _row(x)


def skip(ctx: ServiceContext, task_id: int, *, expected_version: int) -> None:
    """One visit not made (the client is away): cancelled, so the series never makes it again."""
    from crm_desktop.services import tasks

    with ctx.write() as s:
        task = tasks.load(s, ctx, task_id)
        check_version(task, expected_version, N_("task"))
        if task.series_id is None:
            raise ValidationError("status", "Only a visit of a series is skipped; delete this task instead.")
        if task.status != "open":
            raise ValidationError("status", "This visit is done or skipped already.")
        task.status = "cancelled"


def change_following(
    ctx: ServiceContext, task_id: int, *, title: str, at_time: str, duration_minutes: int
) -> SeriesRow:
    """A visit's title, time of day or duration made the series' from that visit on ("this and
    following"), as change_from does."""
    from crm_desktop.services import tasks

    with ctx.read() as s:
        task = tasks.load(s, ctx, task_id)
        if task.series_id is None or task.series_day is None:
            raise ValidationError("status", "Only a visit of a series changes the visits after it.")
        x = _row(_load(s, ctx, task.series_id))
        day = task.series_day
    changed = replace(x.values, title=title, at_time=at_time, duration_minutes=duration_minutes)
    return change_from(ctx, x.id, day, changed, expected_version=x.version)
