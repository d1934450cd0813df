"""Two or more clients that are one person or company made into one: the client that remains takes the
value chosen per field, the phones, emails and tags of all, and every deal, job, task, document and
timeline entry of the others, which are then deleted. In one transaction, audited, and undoable by the
same user until their next merge.

An issued document (a quote or invoice with its number) stays with the client it was issued to — the
database refuses to move it in shared mode — so a client that has one is the one that remains, and two
clients that both have one are not merged.

The audit row of a merge keeps what undoing it needs (`UNDO`): the removed clients as they were, the
remaining client's fields before, and the ids of the records that moved. Undoing puts the removed clients
back with their ids, moves back the records still on the remaining client, and returns each field the
merge changed and nobody changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Activity, AuditEntry, Client, ClientTag, Deal, Document, Job, Task
from crm_desktop.i18n import Message
from crm_desktop.services import activities, clients, lifecycle
from crm_desktop.services.clients import ClientDetail
from crm_desktop.services.context import ServiceContext, check_version, record
from crm_desktop.services.errors import NotFound, ValidationError

CHOSEN = (
    "name",
    "kind",
    "status",
    "owner_id",
    "company_id",
    "source",
    "address",
    "notes",
    "language",
    "private",
)
JOINED = ("phones", "emails", "tags")  # every client's, never one of them chosen
# The records that move to the remaining client, in an order that keeps each one's references valid:
# a deal before the timeline entries and documents of the deal, a quote before the invoice made from it.
MOVED: tuple[tuple[str, Any], ...] = (
    ("deals", Deal),
    ("jobs", Job),
    ("documents", Document),
    ("activities", Activity),
    ("tasks", Task),
)
UNDO = "_undo"  # the audit row's key of what undoing needs (the audit viewer does not show it)
# The status a merged client keeps by default: the furthest the client has come with the office.
_STATUS_RANK = {"customer": 3, "prospect": 2, "lead": 1, "inactive": 0}


@dataclass(frozen=True)
class Linked:
    """What a client brings into a merge."""

    deals: int
    tasks: int
    activities: int
    documents: int
    issued: int  # documents with their number, which stay with this client
    jobs: int = 0

    @property
    def total(self) -> int:
        return self.deals + self.tasks + self.activities + self.documents + self.jobs


@dataclass(frozen=True)
class Plan:
    clients: list[ClientDetail]  # in the order asked for
    linked: dict[int, Linked]
    survivor_id: int  # the client that remains by default (the one with issued documents, or the most)
    values: dict[str, Any]  # the value each chosen field has by default
    joined: dict[str, list[str]]  # the phones, emails and tags the client that remains will have

    def choices(self, field: str) -> list[tuple[int, Any]]:
        """The different values the clients hold for `field` (client id, value), empty ones left out."""
        seen: list[Any] = []
        out = []
        for c in self.clients:
            value = getattr(c, field)
            if value not in (None, "") and value not in seen:
                seen.append(value)
                out.append((c.id, value))
        return out


@dataclass(frozen=True)
class LastMerge:
    """The merge its user can still undo."""

    survivor_id: int
    survivor_name: str
    merged_names: list[str]
    at: datetime


def plan(ctx: ServiceContext, ids: list[int]) -> Plan:
    """The clients `ids` as a merge would take them, with what each brings and the default choices."""
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise ValidationError("clients", "Choose two or more clients to merge.")
    with ctx.read() as s:
        for client_id in ids:
            clients.load_visible(s, ctx.actor, client_id)
        linked = {client_id: _linked(s, client_id) for client_id in ids}
    found = {c.id: c for c in clients.details(ctx, ids)}
    details = [found[i] for i in ids]
    survivor = _survivor(details, linked)
    held = [{f: getattr(c, f) for f in JOINED} for c in details]
    return Plan(details, linked, survivor.id, _defaults(details, survivor), _joined_all(held))


def _count(s: Session, model: Any, client_id: int, *where: Any) -> int:
    return s.scalar(select(func.count()).select_from(model).where(model.client_id == client_id, *where)) or 0


def _issued(s: Session, client_id: int) -> int:
    return _count(s, Document, client_id, Document.status != "draft")


def _linked(s: Session, client_id: int) -> Linked:
    return Linked(
        deals=_count(s, Deal, client_id),
        tasks=_count(s, Task, client_id),
        activities=_count(s, Activity, client_id),
        documents=_count(s, Document, client_id),
        issued=_issued(s, client_id),
        jobs=_count(s, Job, client_id),
    )


def _survivor(details: list[ClientDetail], linked: dict[int, Linked]) -> ClientDetail:
    return max(details, key=lambda c: (linked[c.id].issued > 0, linked[c.id].total, -c.id))


def _defaults(details: list[Any], survivor: Any) -> dict[str, Any]:
    ordered = [survivor, *(c for c in details if c is not survivor)]
    values: dict[str, Any] = {}
    for field in CHOSEN:
        held = [getattr(c, field) for c in ordered]
        values[field] = next((x for x in held if x not in (None, "")), held[0])
    values["status"] = max((c.status for c in ordered), key=lambda st: _STATUS_RANK.get(st, 0))
    notes = list(dict.fromkeys(c.notes.strip() for c in ordered if c.notes.strip()))
    values["notes"] = "\n\n".join(notes)
    return values


def merge(
    ctx: ServiceContext,
    survivor_id: int,
    ids: list[int],
    *,
    values: dict[str, Any] | None = None,
    versions: dict[int, int] | None = None,
) -> ClientDetail:
    """The clients `ids` merged into `survivor_id` (one of them), its chosen fields set to `values` (the
    defaults of `plan` where not given); `versions`: the version of each client the user looked at."""
    ids = list(dict.fromkeys(ids))
    if survivor_id not in ids or len(ids) < 2:
        raise ValidationError("clients", "Choose two or more clients to merge.")
    versions = versions or {}
    with ctx.write() as s:
        loaded = {i: clients.load_visible(s, ctx.actor, i) for i in ids}
        for client_id, client in loaded.items():
            check_version(client, versions.get(client_id), "client")
        survivor = loaded[survivor_id]
        others = [loaded[i] for i in ids if i != survivor_id]
        _refuse_issued_elsewhere(s, survivor, others)
        before = {**{f: getattr(survivor, f) for f in CHOSEN}, **_joined(survivor)}
        removed = [_columns(c) for c in others]
        chosen = dict(values or {})
        if set(CHOSEN) - set(chosen):
            chosen = {**_defaults([survivor, *others], survivor), **chosen}
        joined = _joined_all([_joined(c) for c in (survivor, *others)])
        clean = clients.checked_values(s, {**{f: chosen[f] for f in CHOSEN}, **joined}, self_id=survivor_id)
        if clean.get("company_id") in loaded:
            raise ValidationError("company_id", "A client cannot belong to itself.")
        moved = _move(s, [c.id for c in others], survivor_id)
        contacts: dict[str, list[int]] = {}
        of_theirs = select(Client).where(Client.company_id.in_([c.id for c in others]), Client.id.notin_(ids))
        for contact in s.scalars(of_theirs):
            contacts.setdefault(str(contact.company_id), []).append(contact.id)
            contact.company_id = survivor_id
        s.flush()
        for client in others:
            s.delete(client)
        s.flush()
        old_status = survivor.status
        clients.apply_values(s, survivor, {**clean, "tags": sorted(clean["tags"])})
        clients.reindex(s, survivor)
        names = [c.name for c in others]
        activities.record_event(
            s, ctx, survivor_id, Message("Merged with {names}", names=", ".join(names)), kind="status_change"
        )
        if survivor.status != old_status:
            lifecycle.say_status_change(s, ctx, survivor_id, old_status, survivor.status)
        s.flush()
        after = {**{f: getattr(survivor, f) for f in CHOSEN}, **_joined(survivor)}
        record(
            s,
            entity="clients",
            entity_id=survivor_id,
            action="merge",
            details={
                "merged": ", ".join(names),
                UNDO: {
                    "before": before,
                    "after": after,
                    "removed": removed,
                    "moved": moved,
                    "contacts": contacts,
                },
            },
        )
        return clients.loaded_detail(s, survivor)


def _refuse_issued_elsewhere(s: Session, survivor: Client, others: list[Client]) -> None:
    issued = [c for c in others if _issued(s, c.id)]
    if not issued:
        return
    if len(issued) > 1 or _issued(s, survivor.id):
        raise ValidationError(
            "clients",
            "{first} and {second} both have issued quotes or invoices, which stay with the client they were "
            "issued to, so they cannot be merged. Merge the others into one of them.",
            first=issued[0].name,
            second=(issued[1] if len(issued) > 1 else survivor).name,
        )
    raise ValidationError(
        "clients",
        "{name} has issued quotes or invoices, which stay with the client they were issued to. "
        "Keep {name} as the client that remains.",
        name=issued[0].name,
    )


def _joined(client: Client) -> dict[str, list[str]]:
    return {
        "phones": list(client.phones),
        "emails": list(client.emails),
        "tags": [t.tag for t in client.tags],
    }


def _joined_all(held: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """The phones, emails and tags of all, each once: a phone by its digits (+998 90 123 45 67 is
    +998901234567), an email and a tag whatever their case; the first way of writing it is kept."""

    def key(field: str, value: str) -> str:
        return "".join(ch for ch in value if ch.isdigit()) if field == "phones" else value.casefold()

    out: dict[str, list[str]] = {}
    for field in JOINED:
        seen: dict[str, str] = {}
        for c in held:
            for value in c[field]:
                seen.setdefault(key(field, value), value)
        out[field] = list(seen.values())
    return out


def _columns(client: Client) -> dict[str, Any]:
    """A client's stored columns as JSON keeps them, its tags with them."""
    out: dict[str, Any] = {}
    for column in Client.__table__.columns:
        value = getattr(client, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    out["tags"] = [t.tag for t in client.tags]
    return out


def _move(s: Session, sources: list[int], target: int) -> dict[str, dict[str, list[int]]]:
    """Every record of the `sources` clients moved to `target`, through the unit of work (each move
    audited); the ids moved, per table and per client they came from (JSON keys: the client's id)."""
    moved: dict[str, dict[str, list[int]]] = {}
    for table, model in MOVED:
        rows = s.scalars(select(model).where(model.client_id.in_(sources)).order_by(model.id)).all()
        moved[table] = {}
        for row in rows:
            moved[table].setdefault(str(row.client_id), []).append(row.id)
            row.client_id = target
        s.flush()  # in MOVED's order, which the unit of work would not keep
    return moved


def _move_back(
    s: Session, model: Any, column: str, by_origin: dict[str, list[int]], survivor_id: int
) -> None:
    """The records a merge moved returned to the client each came from, those still on the survivor."""
    for origin, row_ids in by_origin.items():
        for row in s.scalars(select(model).where(model.id.in_(row_ids))):
            if getattr(row, column) == survivor_id:
                setattr(row, column, int(origin))
    s.flush()


def _last_entry(s: Session, ctx: ServiceContext) -> AuditEntry | None:
    entry = s.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.user_id == ctx.actor.user_id,
            AuditEntry.entity == "clients",
            AuditEntry.action.in_(("merge", "unmerge")),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return entry if entry is not None and entry.action == "merge" and UNDO in (entry.changes or {}) else None


def last_merge(ctx: ServiceContext) -> LastMerge | None:
    """This user's merge that can still be undone (their last, if its client is still there)."""
    with ctx.read() as s:
        entry = _last_entry(s, ctx)
        if entry is None or entry.entity_id is None:
            return None
        survivor = s.scalar(select(Client).where(Client.id == entry.entity_id, clients.visible_to(ctx.actor)))
        if survivor is None:
            return None
        names = [c["name"] for c in entry.changes[UNDO]["removed"]]
        return LastMerge(survivor.id, survivor.name, names, entry.at)


def undo(ctx: ServiceContext) -> ClientDetail:
    """This user's last merge undone: the remaining client as it is now."""
    with ctx.write() as s:
        entry = _last_entry(s, ctx)
        if entry is None or entry.entity_id is None:
            raise NotFound("There is no merge to undo: only your last merge can be undone.")
        survivor = clients.load_visible(s, ctx.actor, entry.entity_id)
        data = entry.changes[UNDO]
        for columns in data["removed"]:
            _put_back(s, columns)
        s.flush()
        for table, model in MOVED:
            _move_back(s, model, "client_id", data["moved"].get(table, {}), survivor.id)
        _move_back(s, Client, "company_id", data["contacts"], survivor.id)
        old_status = survivor.status
        clients.apply_values(s, survivor, _restored(survivor, data["before"], data["after"]))
        clients.reindex(s, survivor)
        if survivor.status != old_status:
            lifecycle.say_status_change(s, ctx, survivor.id, old_status, survivor.status)
        names = [c["name"] for c in data["removed"]]
        activities.record_event(
            s,
            ctx,
            survivor.id,
            Message("Merge with {names} undone", names=", ".join(names)),
            kind="status_change",
        )
        record(
            s,
            entity="clients",
            entity_id=survivor.id,
            action="unmerge",
            details={"restored": ", ".join(names)},
        )
        s.flush()
        return clients.loaded_detail(s, survivor)


def _put_back(s: Session, columns: dict[str, Any]) -> None:
    if s.get(Client, columns["id"]) is not None:
        raise ValidationError("clients", "This merge cannot be undone: its clients have been changed since.")
    values = {k: v for k, v in columns.items() if k != "tags"}
    for key in ("created_at", "updated_at"):
        values[key] = datetime.fromisoformat(values[key])
    client = Client(**values)
    client.tags = [ClientTag(tag=t) for t in columns["tags"]]
    s.add(client)
    s.flush()
    clients.reindex(s, client)


def _restored(survivor: Client, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Each field back as it was before the merge, unless someone changed it since; of the joined lists,
    the items the merge brought leave, what was added since stays."""
    now = {**{f: getattr(survivor, f) for f in CHOSEN}, **_joined(survivor)}
    out: dict[str, Any] = {}
    for field in CHOSEN:
        if now[field] == after[field]:
            out[field] = before[field]
    for field in JOINED:
        brought = set(after[field]) - set(before[field])
        out[field] = [x for x in now[field] if x not in brought]
    return out
