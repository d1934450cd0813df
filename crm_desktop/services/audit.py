"""Reading the audit log (administrators): who did what to which record, when — changes, refusals,
exports, PDFs, emails and sign-ins. The log itself is written by every unit of work (context.py) and,
on a server, by the database for every change, also one made outside the app (migration 0006)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from crm_desktop.db.models import AuditEntry, Client, Deal, Document, Pipeline, Stage, Task, User
from crm_desktop.services.context import ServiceContext, count_rows
from crm_desktop.services.errors import PermissionDenied, ValidationError


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # UTC
    user_id: int | None
    user_name: str
    entity: str
    entity_id: int | None
    action: str
    changes: dict[str, Any]
    login: str | None = None  # the server login that made it (shared mode), e.g. someone's psql
    record_name: str = ""  # what the record is called (a client's name, an invoice's number), if known
    # A task the follow-up rules created (it has their origin): made on someone's PC, but not by them.
    by_rules: bool = False


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    entity: str | None = None
    action: str | None = None
    since: date | None = None  # local days, both included
    until: date | None = None


def _require_admin(ctx: ServiceContext) -> None:
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can read the audit log.")


def _local_midnight(ctx: ServiceContext, day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ctx.zone())


def _filtered(ctx: ServiceContext, q: Select, f: AuditFilter) -> Select:
    if f.since and f.until and f.until < f.since:
        raise ValidationError(
            "until",
            "The end ({until}) is before the start ({since}). Swap them.",
            until=f.until,
            since=f.since,
        )
    for column, value in (
        (AuditEntry.user_id, f.user_id),
        (AuditEntry.entity, f.entity),
        (AuditEntry.action, f.action),
    ):
        if value is not None:
            q = q.where(column == value)
    if f.since:
        q = q.where(AuditEntry.at >= _local_midnight(ctx, f.since))
    if f.until:
        q = q.where(AuditEntry.at < _local_midnight(ctx, f.until + timedelta(days=1)))
    return q


def list_entries(
    ctx: ServiceContext, f: AuditFilter = AuditFilter(), *, offset: int = 0, limit: int | None = 200
) -> list[AuditRow]:
    """Newest first."""
    _require_admin(ctx)
    q = _filtered(
        ctx, select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.user_id), f
    )
    q = q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with ctx.read() as s:
        found = list(s.execute(q))
        names = _record_names(s, [e for e, _ in found])
        return [
            AuditRow(
                e.id,
                e.at,
                e.user_id,
                name or "",
                e.entity,
                e.entity_id,
                e.action,
                e.changes or {},
                e.login,
                names.get((e.entity, e.entity_id), "") or _named_in(e.changes or {}),
                _made_by_rules(e),
            )
            for e, name in found
        ]


# The column that names a record of each audited table, for the log's "Task 'Call Rashad'".
_NAME_COLUMNS = {
    "clients": Client.name,
    "deals": Deal.title,
    "tasks": Task.title,
    "documents": Document.number,
    "users": User.display_name,
    "pipelines": Pipeline.name,
    "stages": Stage.name,
}


def _record_names(s, entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    """The current names of the records a page of entries is about: one query per kind of record."""
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.entity in _NAME_COLUMNS and e.entity_id is not None:
            wanted.setdefault(e.entity, set()).add(e.entity_id)
    names: dict[tuple[str, int], str] = {}
    for entity, ids in wanted.items():
        column = _NAME_COLUMNS[entity]
        table = column.class_
        for record_id, name in s.execute(select(table.id, column).where(table.id.in_(ids))):
            names[(entity, record_id)] = name or ""
    return names


def _made_by_rules(e: AuditEntry) -> bool:
    origin = (e.changes or {}).get("origin")
    return e.entity == "tasks" and e.action == "create" and isinstance(origin, list) and bool(origin[-1])


def _named_in(changes: dict[str, Any]) -> str:
    """A deleted record's name, from what its delete entry kept of it."""
    for key in ("name", "title", "number", "display_name"):
        value = changes.get(key)
        if isinstance(value, list) and len(value) == 2:
            value = value[0] or value[1]
        if isinstance(value, str) and value:
            return value
    return ""


def count_entries(ctx: ServiceContext, f: AuditFilter = AuditFilter()) -> int:
    _require_admin(ctx)
    with ctx.read() as s:
        return count_rows(s, _filtered(ctx, select(AuditEntry.id), f))


def choices(ctx: ServiceContext) -> tuple[list[str], list[str]]:
    """The entities and the actions the log holds, for the viewer's filters."""
    _require_admin(ctx)
    with ctx.read() as s:
        entities = sorted(s.scalars(select(AuditEntry.entity).distinct()))
        actions = sorted(s.scalars(select(AuditEntry.action).distinct()))
    return entities, actions
