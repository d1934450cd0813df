"""Whose figures a dashboard or report counts: staff their own, a manager their team's (their own and
their people's), an administrator everyone's — or, for a manager or an administrator, one person's or
one team's they may see.

Every figure belongs to a person: a deal to its owner, a lead to its owner, an invoice and its payments
to the owner of the deal it bills (else of its client), a task to its assignee, a job to its manager,
time to whoever spent it, an activity to its author. Figures nobody is given count in an
administrator's unfiltered numbers only. On a server, row-level security applies on top of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from crm_desktop.db.models import User
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import PermissionDenied


@dataclass(frozen=True)
class Scope:
    people: frozenset[int] | None  # None: everyone's figures, and those nobody is given

    def of(self, person: Any) -> ColumnElement[bool]:
        """Rows whose person (`person`: the column naming them) are counted here."""
        return true() if self.people is None else person.in_(sorted(self.people))


def scope(s: Session, actor: Actor, *, user_id: int | None = None, team_of: int | None = None) -> Scope:
    """The figures `actor` is shown, narrowed to one person (`user_id`) or the team a manager leads
    (`team_of`, the manager's id) when asked; someone they may not see is refused, not left out."""
    if actor.is_admin:
        if user_id is not None:
            return Scope(frozenset({user_id}))
        if team_of is not None:
            return Scope(team(s, team_of))
        return Scope(None)
    own = team(s, actor.user_id) if actor.role == "manager" else frozenset({actor.user_id})
    if team_of is not None and team_of != actor.user_id:
        raise PermissionDenied("You see the figures of your own team only.")
    if user_id is not None:
        if user_id not in own and actor.role == "staff":
            raise PermissionDenied("You see your own figures only.")
        if user_id not in own:
            raise PermissionDenied("You see the figures of your own team only.")
        return Scope(frozenset({user_id}))
    return Scope(own)


def team(s: Session, manager_id: int) -> frozenset[int]:
    """A manager and the people whose manager they are."""
    return frozenset({manager_id, *s.scalars(select(User.id).where(User.manager_id == manager_id))})


@dataclass(frozen=True)
class Whose:
    """One choice of whose figures to see: a person's (`user_id`) or a team's (`team_of`)."""

    name: str
    user_id: int | None = None
    team_of: int | None = None


def choices(ctx: ServiceContext) -> list[Whose]:
    """The teams and people `ctx`'s user may narrow the figures to: an administrator every team and person,
    a manager the people of their team, staff none (they see their own)."""
    actor = ctx.actor
    if actor.role == "staff":
        return []
    with ctx.read() as s:
        q = select(User.id, User.display_name, User.manager_id).where(User.active).order_by(User.display_name)
        if not actor.is_admin:
            q = q.where(User.id.in_(sorted(team(s, actor.user_id))))
        people = s.execute(q).all()
        leads = set(s.scalars(select(User.manager_id).where(User.active, User.manager_id.is_not(None))))
    teams = [Whose(name, team_of=uid) for uid, name, _m in people if uid in leads] if actor.is_admin else []
    return teams + [Whose(name, user_id=uid) for uid, name, _m in people]
