"""The next planned activity of a deal or a client: its earliest open task (those with a due time first,
soonest first). The lists, the cards and the board show it; an open deal without one is marked, since
nothing is planned to move it on, and completing a task that leaves nothing planned offers to plan the
next one (Pipedrive's habit, which our users' offices lose money without).

Read for a page of ids at once, one query whatever the page size: the rows already loaded are visible,
and the tasks of a visible client are visible with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_desktop.db.models import Client, Deal, Task


@dataclass(frozen=True)
class NextActivity:
    task_id: int
    title: str
    due_at: datetime | None

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


def of(s: Session, about: InstrumentedAttribute[int | None], ids: Sequence[int]) -> dict[int, NextActivity]:
    """The next activity of each of `ids`, a client's or a deal's by `about` (Task.client_id or
    Task.deal_id); ids with nothing planned are left out."""
    if not ids:
        return {}
    first = func.row_number().over(partition_by=about, order_by=(Task.due_at.is_(None), Task.due_at, Task.id))
    ranked = (
        select(about.label("about"), Task.id, Task.title, Task.due_at, first.label("n"))
        .where(about.in_(ids), Task.status == "open")
        .subquery()
    )
    found = select(ranked.c.about, ranked.c.id, ranked.c.title, ranked.c.due_at).where(ranked.c.n == 1)
    return {about_id: NextActivity(task_id, title, due) for about_id, task_id, title, due in s.execute(found)}


def nothing_planned(
    about: InstrumentedAttribute[int | None], record_id: InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """The filter "no next activity": no open task about the record whose id is `record_id`."""
    return ~exists().where(about == record_id, Task.status == "open")


def deal_has_none() -> ColumnElement[bool]:
    return nothing_planned(Task.deal_id, Deal.id)


def client_has_none() -> ColumnElement[bool]:
    return nothing_planned(Task.client_id, Client.id)
