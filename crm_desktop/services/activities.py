"""The client timeline: notes, calls, meetings and emails, newest first.

Status changes are written by clients.update when the status moves; they are facts about the
record, so nobody adds, edits or deletes them by hand. A timeline is as visible as its client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Activity, Client, Deal, User
from crm_desktop.i18n import N_, SOURCE_LANGUAGE, Message
from crm_desktop.services import lifecycle
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible, visible_to
from crm_desktop.services.context import ServiceContext, check_version, made_before
from crm_desktop.services.errors import NotFound, ValidationError

USER_KINDS = ("note", "call", "meeting", "email")
# Written by the services as things happen (a status changed, an invoice was issued or paid), never by hand.
SYSTEM_KINDS = ("status_change", "document", "deal", "task", "job")
_FIELDS = ("kind", "body", "occurred_at", "deal_id")


@dataclass(frozen=True)
class ActivityRow:
    id: int
    client_id: int
    deal_id: int | None
    kind: str
    body: str
    occurred_at: datetime
    author_id: int | None
    author_name: str
    version: int
    deal_title: str = ""  # the deal it is about, if any (shown with it on the client's timeline)
    said: dict[str, Any] | None = None  # an entry the app wrote: what it says (i18n.Message as JSON)

    def text(self) -> str:
        """What the entry says, in the reader's language when the app wrote it (else as written)."""
        return Message.from_json(self.said).render() if self.said else self.body


def _select_rows() -> Select:
    return (
        select(Activity, User.display_name, Deal.title)
        .outerjoin(User, User.id == Activity.author_id)
        .outerjoin(Deal, Deal.id == Activity.deal_id)
    )


def _row(a: Activity, author: str | None, deal_title: str | None = None) -> ActivityRow:
    return ActivityRow(
        a.id,
        a.client_id,
        a.deal_id,
        a.kind,
        a.body,
        a.occurred_at,
        a.author_id,
        author or "",
        a.version,
        deal_title or "",
        a.said,
    )


def reload_row(s: Session, activity_id: int) -> ActivityRow:
    s.flush()
    return _row(*s.execute(_select_rows().where(Activity.id == activity_id)).one())


def _load(s: Session, ctx: ServiceContext, activity_id: int) -> Activity:
    activity = s.scalar(
        select(Activity)
        .join(Client, Client.id == Activity.client_id)
        .where(Activity.id == activity_id, visible_to(ctx.actor))
    )
    if activity is None:
        raise NotFound(
            "Timeline entry #{activity_id} does not exist (it may have been deleted).",
            activity_id=activity_id,
        )
    return activity


def _editable(
    s: Session, ctx: ServiceContext, activity_id: int, expected_version: int | None = None
) -> Activity:
    activity = _load(s, ctx, activity_id)
    if activity.kind in SYSTEM_KINDS:
        raise ValidationError(
            "kind", "This entry was recorded automatically and cannot be edited or deleted."
        )
    check_version(activity, expected_version, N_("timeline entry"))
    return activity


def _clean(s: Session, client_id: int, values: dict[str, Any]) -> dict[str, Any]:
    v.known_fields(values, _FIELDS, N_("Timeline entries"))
    out: dict[str, Any] = {}
    if "kind" in values:
        out["kind"] = v.choice("kind", values["kind"], USER_KINDS, N_("The kind of entry"))
    if "body" in values:
        out["body"] = v.text("body", values["body"], N_("The text"), required=True, max_length=100_000)
    if values.get("occurred_at") is not None:  # None keeps the time it has (or "now" for a new entry)
        when = v.a_datetime("occurred_at", values["occurred_at"], N_("The time"))
        assert when is not None  # a_datetime gives None only for an empty value, ruled out above
        out["occurred_at"] = when.astimezone(UTC)
    if values.get("deal_id") is not None:
        deal = s.get(Deal, values["deal_id"])
        if deal is None or deal.client_id != client_id:
            raise ValidationError(
                "deal_id", "The chosen deal belongs to another client. Pick one of this client's deals."
            )
    if "deal_id" in values:
        out["deal_id"] = values["deal_id"]
    return out


def add(
    ctx: ServiceContext,
    client_id: int,
    *,
    kind: str = "note",
    body: str,
    occurred_at: Any = None,
    deal_id: int | None = None,
    request_id: str | None = None,
) -> ActivityRow:
    """A new entry on the client's timeline, written by the caller, at `occurred_at` (default now)."""
    with ctx.write() as s:
        if (earlier := made_before(s, Activity, request_id)) is not None:
            return reload_row(s, earlier.id)
        load_visible(s, ctx.actor, client_id)
        clean = _clean(
            s, client_id, {"kind": kind, "body": body, "occurred_at": occurred_at, "deal_id": deal_id}
        )
        clean.setdefault("occurred_at", ctx.now())
        activity = Activity(client_id=client_id, author_id=ctx.actor.user_id, request_id=request_id, **clean)
        s.add(activity)
        if activity.kind in lifecycle.CONTACT_KINDS:
            lifecycle.advance(s, ctx, client_id, "prospect")
        s.flush()
        return reload_row(s, activity.id)


def record_event(
    s: Session,
    ctx: ServiceContext,
    client_id: int,
    said: Message,
    *,
    deal_id: int | None = None,
    kind: str = "document",
) -> None:
    """An entry on the client's timeline for something that just happened, in the caller's unit of work:
    kept as what it says (read in each reader's language), with its English words as the body."""
    s.add(Activity(**event_values(ctx, client_id, said, deal_id=deal_id, kind=kind)))


def event_values(
    ctx: ServiceContext, client_id: int, said: Message, *, deal_id: int | None = None, kind: str = "document"
) -> dict[str, Any]:
    """The columns of such an entry (record_event's; an import inserts thousands of them at once)."""
    return {
        "client_id": client_id,
        "deal_id": deal_id,
        "kind": kind,
        "body": said.render(SOURCE_LANGUAGE),
        "said": said.to_json(),
        "occurred_at": ctx.now(),
        "author_id": ctx.actor.user_id,
    }


def get(ctx: ServiceContext, activity_id: int) -> ActivityRow:
    with ctx.read() as s:
        return reload_row(s, _load(s, ctx, activity_id).id)


def update(ctx: ServiceContext, activity_id: int, *, expected_version: int, **values: Any) -> ActivityRow:
    """Change kind, body, occurred_at or deal_id of an entry someone wrote (not a status change)."""
    with ctx.write() as s:
        activity = _editable(s, ctx, activity_id, expected_version)
        for key, value in _clean(s, activity.client_id, values).items():
            setattr(activity, key, value)
        return reload_row(s, activity_id)


def delete(ctx: ServiceContext, activity_id: int) -> None:
    with ctx.write() as s:
        s.delete(_editable(s, ctx, activity_id))


def timeline(ctx: ServiceContext, client_id: int, *, offset: int = 0, limit: int = 100) -> list[ActivityRow]:
    """Newest first (the index on client_id, occurred_at serves the order); ties keep entry order."""
    with ctx.read() as s:
        load_visible(s, ctx.actor, client_id)
        result = s.execute(
            _select_rows()
            .where(Activity.client_id == client_id)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_row(*found) for found in result]


def for_deal(ctx: ServiceContext, deal_id: int, *, limit: int = 200) -> list[ActivityRow]:
    """The notes, calls and events about one deal, newest first (they are on its client's timeline too)."""
    with ctx.read() as s:
        deal = s.get(Deal, deal_id)
        if deal is None:
            raise NotFound("Deal #{deal_id} does not exist (it may have been deleted).", deal_id=deal_id)
        load_visible(s, ctx.actor, deal.client_id)
        result = s.execute(
            _select_rows()
            .where(Activity.deal_id == deal_id)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(limit)
        )
        return [_row(*found) for found in result]


def count_for_client(ctx: ServiceContext, client_id: int) -> int:
    with ctx.read() as s:
        load_visible(s, ctx.actor, client_id)
        return (
            s.scalar(select(func.count()).select_from(Activity).where(Activity.client_id == client_id)) or 0
        )
