"""Clients: people and companies, from lead to customer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    bindparam,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from crm_desktop.db.models import (
    CLIENT_KINDS,
    CLIENT_STATUSES,
    Activity,
    Client,
    ClientSearch,
    ClientTag,
    Deal,
    Document,
    Job,
    JobStage,
    Task,
    User,
    table_of,
)
from crm_desktop.i18n import LANGUAGES, N_, Message
from crm_desktop.services import lifecycle, merge, next_activity, users
from crm_desktop.services import validation as v
from crm_desktop.services.context import (
    Actor,
    ServiceContext,
    check_version,
    count_rows,
    created,
    made_before,
    record,
)
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.next_activity import NextActivity
from crm_desktop.services.search import build_terms, client_filter, first_by_name, index_query
from crm_desktop.services.textnorm import sort_key

# What a person reads for each kind and status (db.models.CLIENT_KINDS, CLIENT_STATUSES).
KIND_NAMES = {"person": N_("Person"), "company": N_("Company")}
STATUS_NAMES = {
    "lead": N_("Lead"),
    "prospect": N_("Prospect"),
    "customer": N_("Customer"),
    "inactive": N_("Inactive"),
}


def kind_name(kind: str) -> Message:
    return Message(KIND_NAMES.get(kind, kind))


def status_name(status: str) -> Message:
    return Message(STATUS_NAMES.get(status, status))


SORT_COLUMNS = {
    "name": Client.sort_name,
    "id": Client.id,
    "status": Client.status,
    "source": Client.source,
    "created": Client.created_at,
    "updated": Client.updated_at,
}


@dataclass(frozen=True)
class ClientRow:
    id: int
    kind: str
    name: str
    status: str
    phones: list[str]
    emails: list[str]
    source: str
    owner_id: int | None
    owner_name: str
    private: bool
    version: int
    sort_name: str  # the name folded for sorting: where a page that follows this row starts
    next_activity: NextActivity | None = field(default=None, kw_only=True)  # its earliest open task


# Sorts whose next page starts from the last row shown (`after=`), read from the index on
# (sort_name, id) or the primary key instead of counting past every row before it (OFFSET).
KEY_SORTS = frozenset({"name", "id"})


@dataclass(frozen=True)
class ClientDetail(ClientRow):
    company_id: int | None
    company_name: str
    address: str
    notes: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    language: str = ""  # of the documents the client receives; "" the company's


@dataclass(frozen=True)
class ClientFilter:
    search: str = ""
    status: str | None = None
    owner_id: int | None = None
    tag: str | None = None
    source: str | None = None
    kind: str | None = None
    no_next_activity: bool = False  # clients still worked with (not inactive) with no open task


@dataclass(frozen=True)
class DeletionImpact:
    """What goes with a client when it is deleted, for the confirmation question."""

    activities: int
    deals: int
    tasks: int
    documents: int  # invoices and quotes block deletion: they are business records
    jobs: int = 0


# --- visibility ---------------------------------------------------------------------------------


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """Admins see everyone; others see clients they own and those not marked private.

    Managers also see their team's private clients. In shared mode PostgreSQL enforces the same
    rule with row-level security; this clause keeps every read path consistent on SQLite too.
    """
    if actor.is_admin:
        return true()
    mine = Client.owner_id == actor.user_id
    if actor.role == "manager":
        team = select(User.id).where(User.manager_id == actor.user_id)
        mine = or_(mine, Client.owner_id.in_(team))
    return or_(mine, Client.private == false())


def load_visible(session: Session, actor: Actor, client_id: int) -> Client:
    client = session.scalar(select(Client).where(Client.id == client_id, visible_to(actor)))
    if client is None:
        raise NotFound("Client #{client_id} does not exist (it may have been deleted).", client_id=client_id)
    return client


# --- reading ------------------------------------------------------------------------------------


def _filtered(ctx: ServiceContext, f: ClientFilter) -> Select:
    q = select(Client.id).where(visible_to(ctx.actor))
    if f.search:
        clause = client_filter(ctx.db.dialect, f.search)
        if clause is not None:
            q = q.where(clause)
    if f.status:
        q = q.where(Client.status == f.status)
    if f.owner_id is not None:
        q = q.where(Client.owner_id == f.owner_id)
    if f.source:
        q = q.where(Client.source == f.source)
    if f.kind:
        q = q.where(Client.kind == f.kind)
    if f.tag:
        q = q.where(Client.id.in_(select(ClientTag.client_id).where(ClientTag.tag == f.tag)))
    if f.no_next_activity:
        q = q.where(Client.status != "inactive", next_activity.client_has_none())
    return q


def _ordered(q: Select, sort: str, descending: bool) -> Select:
    if sort not in SORT_COLUMNS:
        raise ValidationError(
            "sort",
            "Cannot sort clients by '{sort}'; use one of {columns}.",
            sort=sort,
            columns=", ".join(SORT_COLUMNS),
        )
    col = SORT_COLUMNS[sort]
    keys = (Client.id,) if sort == "id" else (col, Client.id)  # ties broken by id: one order, both ways
    return q.order_by(*(key.desc() for key in keys)) if descending else q.order_by(*keys)


def _after(row: ClientRow, sort: str, descending: bool) -> ColumnElement[bool]:
    """The rows that follow `row` in the order of `_ordered`, as a range of its index."""
    if sort == "id":
        return Client.id < row.id if descending else Client.id > row.id
    key, at = tuple_(Client.sort_name, Client.id), tuple_(literal(row.sort_name), literal(row.id))
    return key < at if descending else key > at


def list_ids(
    ctx: ServiceContext,
    f: ClientFilter = ClientFilter(),
    *,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
    after: ClientRow | None = None,
) -> list[int]:
    """Ids in display order; a lazy list view holds these and fetches rows as it scrolls.

    `after`, the row shown just before the page (for a sort in KEY_SORTS), starts the page right
    after it by key; `offset` then only serves a PostgreSQL search by name, whose matches come
    from the trigram index in name order (first_by_name).
    """
    if limit is not None and sort == "name" and not descending and f == ClientFilter(search=f.search):
        found = _found_by_name(ctx, f.search, offset + limit)
        if found is not None:
            return found[offset:]
    q = _ordered(_filtered(ctx, f), sort, descending)
    if after is not None and sort in KEY_SORTS:
        q = q.where(_after(after, sort, descending))
    else:
        q = q.offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with ctx.read() as s:
        return list(s.scalars(q))


def _found_by_name(ctx: ServiceContext, query: str, wanted: int) -> list[int] | None:
    """PostgreSQL: the first `wanted` clients by name a search finds, asked of the database in name
    order (first_by_name), so a word half the office has stops after a page. The server
    applies the login's visibility; the actor's is applied here too (they differ only for the
    owner's connection acting as someone else), asking for more when it hid some."""
    asked = wanted
    while (found := first_by_name(ctx.db.dialect, query, asked)) is not None:
        with ctx.read() as s:
            rows = s.execute(
                select(Client.id, visible_to(ctx.actor))
                .join(found, found.c.id == Client.id)
                .order_by(found.c.n)
            ).all()
        seen = [client_id for client_id, visible in rows if visible]
        if len(seen) >= wanted or len(rows) < asked:
            return seen[:wanted]
        asked *= 4
    return None


def count(ctx: ServiceContext, f: ClientFilter = ClientFilter()) -> int:
    with ctx.read() as s:
        return count_rows(s, _filtered(ctx, f))


def first_page(
    ctx: ServiceContext, f: ClientFilter, *, sort: str = "name", descending: bool = False, limit: int = 50
) -> tuple[int, list[ClientRow]]:
    """How many clients match and the first `limit` of them, as a list view opens or a search changes.

    A search reads its matches from the trigram index once, counting them alongside the first rows
    (count(*) OVER ()) instead of once for the count and again for the rows: half the time of each
    keystroke. Without a search the count comes from the indexes alone and a separate query is cheaper.
    """
    if not f.search.strip():
        return count(ctx, f), list_clients(ctx, f, sort=sort, descending=descending, limit=limit)
    if (found := _first_page_from_the_index(ctx, f, sort, descending, limit)) is not None:
        return found
    q = _ordered(_filtered(ctx, f).add_columns(func.count().over()), sort, descending).limit(limit)
    with ctx.read() as s:
        counted = s.execute(q).all()
    return (counted[0][1] if counted else 0), rows(ctx, [client_id for client_id, _ in counted])


def _first_page_from_the_index(
    ctx: ServiceContext, f: ClientFilter, sort: str, descending: bool, limit: int
) -> tuple[int, list[ClientRow]] | None:
    """SQLite, a search and nothing else by someone who sees every client: the trigram index counts
    the matches by itself (2–20 ms for a word's first letters on 1,000,000 clients), so only the page
    reads the clients table, not a count over every match beside it (together ~50–75 ms instead of
    80–140)."""
    if not ctx.actor.is_admin or f != ClientFilter(search=f.search):
        return None
    match = index_query(ctx.db.dialect, f.search)
    if match is None:
        return None
    with ctx.read() as s:
        total = s.scalar(
            text("SELECT count(*) FROM client_search_fts WHERE client_search_fts MATCH :match"),
            {"match": match},
        )
        ids = list(s.scalars(_ordered(_filtered(ctx, f), sort, descending).limit(limit)))
    return total or 0, rows(ctx, ids)


def rows(ctx: ServiceContext, ids: Sequence[int], f: ClientFilter | None = None) -> list[ClientRow]:
    """Rows for `ids`, in the order given (ids not visible or gone are left out).

    With `f`, only those the filter still finds: a list refreshing the rows it shows after an update
    learns which ones left it (their status changed, say) in the same query.
    """
    if not ids:
        return []
    q = (
        select(Client, User.display_name)
        .outerjoin(User, User.id == Client.owner_id)
        .where(Client.id.in_(ids), visible_to(ctx.actor))
    )
    if f is not None and (found_by := _filtered(ctx, f).whereclause) is not None:
        q = q.where(found_by)  # the filter's conditions (visibility again among them)
    with ctx.read() as s:
        planned = next_activity.of(s, Task.client_id, ids)
        found = {c.id: _row(c, owner, planned.get(c.id)) for c, owner in s.execute(q)}
    return [found[i] for i in ids if i in found]


def details(ctx: ServiceContext, ids: Sequence[int]) -> list[ClientDetail]:
    """Details for `ids`, in the order given, in two queries however many there are (an export reads
    pages of these rather than one `get` per client); ids not visible or gone are left out."""
    if not ids:
        return []
    company = aliased(Client)
    with ctx.read() as s:
        tags: dict[int, list[str]] = {}
        for client_id, tag in s.execute(
            select(ClientTag.client_id, ClientTag.tag)
            .where(ClientTag.client_id.in_(ids))
            .order_by(ClientTag.tag)
        ):
            tags.setdefault(client_id, []).append(tag)
        found = {
            c.id: _detail_of(c, owner, company_name, tags.get(c.id, []))
            for c, owner, company_name in s.execute(
                select(Client, User.display_name, company.name)
                .outerjoin(User, User.id == Client.owner_id)
                .outerjoin(company, company.id == Client.company_id)
                .where(Client.id.in_(ids), visible_to(ctx.actor))
            )
        }
    return [found[i] for i in ids if i in found]


def list_clients(
    ctx: ServiceContext,
    f: ClientFilter = ClientFilter(),
    *,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 50,
    after: ClientRow | None = None,
) -> list[ClientRow]:
    ids = list_ids(ctx, f, sort=sort, descending=descending, offset=offset, limit=limit, after=after)
    return rows(ctx, ids)


def get(ctx: ServiceContext, client_id: int) -> ClientDetail:
    with ctx.read() as s:
        return loaded_detail(s, load_visible(s, ctx.actor, client_id))


def tags_in_use(ctx: ServiceContext) -> list[str]:
    with ctx.read() as s:
        return list(s.scalars(select(ClientTag.tag).distinct().order_by(ClientTag.tag)))


def sources_in_use(ctx: ServiceContext) -> list[str]:
    with ctx.read() as s:
        return list(
            s.scalars(select(Client.source).where(Client.source != "").distinct().order_by(Client.source))
        )


def _row(c: Client | Row[Any], owner_name: str | None, next_: NextActivity | None = None) -> ClientRow:
    return ClientRow(
        id=c.id,
        kind=c.kind,
        name=c.name,
        status=c.status,
        phones=list(c.phones),
        emails=list(c.emails),
        source=c.source,
        owner_id=c.owner_id,
        owner_name=owner_name or "",
        private=c.private,
        version=c.version,
        sort_name=c.sort_name,
        next_activity=next_,
    )


def loaded_detail(s: Session, c: Client) -> ClientDetail:
    """The detail of a client loaded in the unit of work `s` (as a save answers with it)."""
    owner = s.get(User, c.owner_id) if c.owner_id else None
    company = s.get(Client, c.company_id) if c.company_id else None
    return _detail_of(
        c, owner.display_name if owner else None, company.name if company else "", [t.tag for t in c.tags]
    )


def _detail_of(
    c: Client | Row[Any], owner_name: str | None, company_name: str | None, tags: list[str]
) -> ClientDetail:
    """The detail of a client from names and tags already read alongside it (or by `_detail`)."""
    return ClientDetail(
        **_row(c, owner_name).__dict__,
        company_id=c.company_id,
        company_name=company_name or "",
        address=c.address,
        notes=c.notes,
        tags=tags,
        created_at=c.created_at,
        updated_at=c.updated_at,
        language=c.language,
    )


# --- writing ------------------------------------------------------------------------------------

_FIELDS = (
    "kind",
    "name",
    "phones",
    "emails",
    "address",
    "tags",
    "source",
    "status",
    "owner_id",
    "private",
    "notes",
    "company_id",
    "language",
)


def checked_values(
    s: Session, values: dict[str, Any], *, self_id: int | None = None, companies: dict[int, str] | None = None
) -> dict[str, Any]:
    """The values checked and normalised; the chosen company's name goes into `companies` if given."""
    v.known_fields(values, _FIELDS, "Clients")
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = v.text("name", values["name"], N_("Name"), required=True)
    if "kind" in values:
        out["kind"] = v.choice("kind", values["kind"], CLIENT_KINDS, N_("Kind"))
    if "status" in values:
        out["status"] = v.choice("status", values["status"], CLIENT_STATUSES, N_("Status"))
    if "language" in values:  # "": the company's
        out["language"] = v.choice(
            "language", values["language"] or "", ("", *LANGUAGES), N_("Documents' language")
        )
    if "phones" in values:
        out["phones"] = v.unique_list(v.phone("phones", p) for p in _strings(values["phones"]))
    if "emails" in values:
        out["emails"] = v.unique_list(v.email("emails", e) for e in _strings(values["emails"]))
    if "tags" in values:
        out["tags"] = v.unique_list(
            v.text("tags", t, N_("A tag"), max_length=100) for t in _strings(values["tags"])
        )
    for key, label, limit in (
        ("address", N_("Address"), 2000),
        ("source", N_("Source"), 100),
        ("notes", N_("Notes"), 100_000),
    ):
        if key in values:
            out[key] = v.text(key, values[key], label, max_length=limit)
    if "private" in values:
        out["private"] = bool(values["private"])
    if "owner_id" in values:
        out["owner_id"] = users.require_active(s, "owner_id", values["owner_id"], N_("owner"))
    if values.get("company_id") is not None:
        company = s.get(Client, values["company_id"])
        if company is None or company.kind != "company":
            raise ValidationError("company_id", "The chosen company does not exist. Pick a company client.")
        if company.id == self_id:
            raise ValidationError("company_id", "A client cannot belong to itself.")
        if companies is not None:
            companies[company.id] = company.name
    if "company_id" in values:
        out["company_id"] = values["company_id"]
    return out


def _strings(value: Iterable[str] | str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    return [i.strip() for i in items if i and i.strip()]


def apply_values(s: Session, client: Client, values: dict[str, Any]) -> None:
    """`values` (as checked_values made them) set on the client, a change of its tags audited."""
    tags = values.pop("tags", None)
    for key, value in values.items():
        setattr(client, key, value)
    client.sort_name = sort_key(client.name)
    if tags is not None:
        old = [t.tag for t in client.tags]
        if old != sorted(tags):
            client.tags = [ClientTag(tag=t) for t in sorted(tags)]
            if client.id is not None:
                record(
                    s,
                    entity="clients",
                    entity_id=client.id,
                    action="tags",
                    details={"tags": [old, sorted(tags)]},
                )


def reindex(s: Session, client: Client) -> None:
    """The client's search row brought up to date with its name, emails and phones."""
    terms = build_terms(client.name, client.emails, client.phones)
    row = s.get(ClientSearch, client.id)
    if row is None:
        s.add(ClientSearch(client_id=client.id, terms=terms))
    elif row.terms != terms:
        row.terms = terms


class _MadeBefore(Exception):
    """An earlier try of the same save made the client (its request id is taken)."""


# Built once, values bound at execution: building a statement around its values costs more than running it.
# The owner's id goes in only if the owner is active, and their name comes back in RETURNING.
# Plain Core INSERTs: the ORM's bulk machinery cost as much again, and the row they return serves
# the answer (a Row reads like a Client) and the audit row alike.
_OWNER_NAME = users.if_active(bindparam("crm_owner"), User.display_name).label("crm_owner_name")
_INSERT_OWNED = (
    insert(table_of(Client))
    .values(owner_id=users.if_active(bindparam("crm_owner")))
    .returning(*table_of(Client).c, _OWNER_NAME)
)
_INSERT_UNOWNED = insert(table_of(Client)).returning(*table_of(Client).c, null().label("crm_owner_name"))
_INSERT_SEARCH = insert(table_of(ClientSearch))
_NEW = {
    "phones": [],
    "emails": [],
    "address": "",
    "source": "",
    "notes": "",
    "private": False,
    "company_id": None,
}


def create(ctx: ServiceContext, *, request_id: str | None = None, **values: Any) -> ClientDetail:
    """A new client; a retried save with the same `request_id` returns the one made the first time.

    The most frequent save, so it reads nothing it does not need (issue 13): the owner is checked in
    the INSERT itself, an earlier try is found by its request id's UNIQUE constraint (then read),
    the search row is added without looking for one, and the detail comes from what was written.
    """
    owner_id = values.pop("owner_id", ctx.actor.user_id)
    try:
        with ctx.write() as s:
            return _insert(s, values, owner_id, request_id)
    except _MadeBefore:
        with ctx.read() as s:
            return loaded_detail(s, made_before(s, Client, request_id))


def _insert(s: Session, values: dict[str, Any], owner_id: int | None, request_id: str | None) -> ClientDetail:
    companies: dict[int, str] = {}
    clean = checked_values(s, {"kind": "person", "status": "lead", **values}, companies=companies)
    if "name" not in clean:
        raise ValidationError("name", "Name cannot be empty. Please enter it.")
    tags = sorted(clean.pop("tags", []))
    now = s.info["now"]
    row = {
        **_NEW,
        **clean,
        "sort_name": sort_key(clean["name"]),
        "request_id": request_id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    try:
        if owner_id is None:
            client = s.execute(_INSERT_UNOWNED, {**row, "owner_id": None}).one()
        else:
            client = s.execute(_INSERT_OWNED, {**row, "crm_owner": owner_id}).one()
    except IntegrityError as exc:
        if request_id is not None and _request_id_taken(exc):
            raise _MadeBefore from exc
        raise
    if owner_id is not None and client.owner_id is None:
        raise users.not_active("owner_id", "owner")  # the unit of work rolls the row back
    columns = dict(client._mapping)
    owner_name = columns.pop("crm_owner_name")
    created(s, Client.__tablename__, columns)
    # A new client has no search row yet: it is added, not looked up.
    s.execute(
        _INSERT_SEARCH,
        {"client_id": client.id, "terms": build_terms(client.name, client.emails, client.phones)},
    )
    if tags:
        s.add_all([ClientTag(client_id=client.id, tag=t) for t in tags])
        record(s, entity="clients", entity_id=client.id, action="tags", details={"tags": [[], tags]})
    return _detail_of(client, owner_name, companies.get(client.company_id, ""), tags)


def _request_id_taken(exc: IntegrityError) -> bool:
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)  # PostgreSQL
    return constraint == "uq_clients_request_id" or "clients.request_id" in str(exc.orig)


def editable_values(c: ClientDetail) -> dict[str, Any]:
    """The fields a form edits, as stored: what a form read is the `base` of a later update."""
    return {
        "kind": c.kind,
        "name": c.name,
        "phones": list(c.phones),
        "emails": list(c.emails),
        "address": c.address,
        "tags": sorted(c.tags),
        "source": c.source,
        "status": c.status,
        "owner_id": c.owner_id,
        "private": c.private,
        "notes": c.notes,
        "company_id": c.company_id,
        "language": c.language,
    }


def update(
    ctx: ServiceContext,
    client_id: int,
    *,
    expected_version: int,
    base: dict[str, Any] | None = None,
    decided: dict[str, Any] | None = None,
    **values: Any,
) -> ClientDetail:
    """Change some fields; `expected_version` is the version the editor read (optimistic lock).

    With `base` (editable_values of what the editor read), a save that finds the client changed
    meanwhile merges: fields only one side changed are kept from that side, and fields both changed
    differently raise a MergeConflict that names them (`decided` then answers it: the value to keep
    per field). Without a base, any change meanwhile is a conflict.
    """
    with ctx.write() as s:
        client = load_visible(s, ctx.actor, client_id)
        clean = checked_values(s, values, self_id=client_id)
        if "tags" in clean:
            clean["tags"] = sorted(clean["tags"])
        clean = merge.resolve(
            "client",
            client_id,
            client.version,
            expected_version,
            base,
            clean,
            lambda: editable_values(loaded_detail(s, client)),
            decided,
        )
        old_status = client.status
        apply_values(s, client, clean)
        if client.status != old_status:
            lifecycle.say_status_change(s, ctx, client.id, old_status, client.status)
        reindex(s, client)
        s.flush()
        return loaded_detail(s, client)


def deletion_impact(ctx: ServiceContext, client_id: int) -> DeletionImpact:
    with ctx.read() as s:
        load_visible(s, ctx.actor, client_id)

        def n(model, column) -> int:
            return s.scalar(select(func.count()).select_from(model).where(column == client_id)) or 0

        return DeletionImpact(
            activities=n(Activity, Activity.client_id),
            deals=n(Deal, Deal.client_id),
            tasks=n(Task, Task.client_id),
            documents=n(Document, Document.client_id),
            jobs=n(Job, Job.client_id),
        )


def delete(ctx: ServiceContext, client_id: int, *, expected_version: int | None = None) -> None:
    """Delete a client with its timeline, deals and tasks. Refused while it has quotes or invoices."""
    with ctx.write() as s:
        client = load_visible(s, ctx.actor, client_id)
        check_version(client, expected_version, N_("client"))
        if s.scalar(select(func.count()).select_from(Document).where(Document.client_id == client_id)):
            raise ValidationError(
                "documents",
                "{name} has quotes or invoices, which must be kept. "
                "Mark the client inactive instead of deleting it.",
                name=client.name,
            )
        # Children go through the ORM so each gets its audit row (the database would cascade silently).
        stages = select(JobStage).join(Job, Job.id == JobStage.job_id).where(Job.client_id == client_id)
        for stage in s.scalars(stages):
            s.delete(stage)
        for model in (Task, Activity, Job, Deal):
            for child in s.scalars(select(model).where(model.client_id == client_id)):
                s.delete(child)
        # No ORM relationship ties these to the client, so the unit of work may order the client's
        # DELETE first; the database cascade then takes the children and their DELETEs match nothing.
        s.flush()
        s.delete(client)
