"""A client's path moves on by itself: a lead becomes a prospect at their first deal or logged contact
(a call, a meeting, an email), a lead or prospect becomes a customer at their first won deal or paid
invoice. Each move is written on the timeline as a status change, exactly as one made by hand, in the
unit of work of what caused it; a status set back by hand stays until the next such event.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_desktop.db.models import Activity, Client
from crm_desktop.services.context import ServiceContext

PATH = ("lead", "prospect", "customer")  # "inactive" is set by hand and left alone
CONTACT_KINDS = ("call", "meeting", "email")


def advance(s: Session, ctx: ServiceContext, client_id: int, to: str) -> None:
    """Move the client on to `to` if they are still before it on the path."""
    client = s.get(Client, client_id)
    if client is None or client.status not in PATH or PATH.index(client.status) >= PATH.index(to):
        return
    before, client.status = client.status, to
    say_status_change(s, ctx, client_id, before, to)


def say_status_change(s: Session, ctx: ServiceContext, client_id: int, before: str, after: str) -> None:
    """The status change on the client's timeline, in the caller's unit of work (by hand or by itself)."""
    s.add(
        Activity(
            client_id=client_id,
            kind="status_change",
            occurred_at=ctx.now(),
            author_id=ctx.actor.user_id,
            body=f"{before} → {after}",
        )
    )
