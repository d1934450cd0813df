"""Who is calling, what time it is, and the unit of work every mutation runs in.

A unit of work stamps created/updated times from the context's clock, writes one audit row per
changed record in the same transaction (so no change escapes the log), turns a stale version into
a `ConflictError`, and after commit tells listeners which entities changed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

import tzlocal
from sqlalchemy import JSON, Boolean, Integer, Select, String, Table, event, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm_desktop.db import bulk, problems
from crm_desktop.db.engine import Database
from crm_desktop.db.models import AuditEntry, Base, CompanyProfile, Editable, User, table_of
from crm_desktop.i18n import N_, Message
from crm_desktop.services.errors import PermissionDenied, ServiceError
from crm_desktop.services.merge import stale


class Clock(Protocol):
    def now(self) -> datetime: ...

    def zone(self) -> tzinfo:
        """The office's time zone: where "09:00 every Monday" and "today" are meant."""
        ...


class SystemClock:
    ZONE_CHECK_SECONDS = 60  # a laptop carried to another time zone is noticed within a minute

    def __init__(self) -> None:
        self._zone: tzinfo | None = None
        self._zone_checked = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def zone(self) -> tzinfo:
        if self._zone is None or time.monotonic() - self._zone_checked > self.ZONE_CHECK_SECONDS:
            self._zone, self._zone_checked = tzlocal.reload_localzone(), time.monotonic()
        return self._zone


@dataclass
class FixedClock:
    """A clock tests move by hand (in the PC's zone unless given one)."""

    current: datetime
    tz: tzinfo | None = None

    def now(self) -> datetime:
        return self.current

    def zone(self) -> tzinfo:
        return self.tz or tzlocal.get_localzone()


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    role: str  # admin | manager | staff
    can_export: bool = True  # export rights are apart from view rights (see users.can_export)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


OWNER = Actor(user_id=1, username="owner", role="admin")  # single-user mode's implicit user


@dataclass
class Changes:
    """Which records a unit of work touched, by table name, and who asked: views refresh only those.

    `initiator` is the widget (or other object) that asked for the call, None when unknown (another PC,
    a job): a view skips a reload its own call already answers. It is compared by identity only.
    """

    created: dict[str, set[int]] = field(default_factory=dict)
    updated: dict[str, set[int]] = field(default_factory=dict)
    deleted: dict[str, set[int]] = field(default_factory=dict)
    # Tables whose rows changed in ways not known here (another PC's commit, heard without ids):
    # views showing them reload.
    unknown: set[str] = field(default_factory=set)
    initiator: object | None = None

    def add(self, kind: str, table: str, entity_id: int) -> None:
        getattr(self, kind).setdefault(table, set()).add(entity_id)

    @property
    def tables(self) -> set[str]:
        return set(self.created) | set(self.updated) | set(self.deleted) | self.unknown

    def rows_came_or_went(self, tables: Iterable[str]) -> bool:
        """Rows were (or may have been) created or deleted in one of these tables: a list must reload,
        not only refresh the rows it holds."""
        return any(t in self.created or t in self.deleted or t in self.unknown for t in tables)

    def merged(self, other: Changes) -> Changes:
        """Both units of work as one (a hidden view gathers what it missed); who asked is then unknown."""
        both = Changes()
        for kind in ("created", "updated", "deleted"):
            for source in (self, other):
                for table, ids in getattr(source, kind).items():
                    getattr(both, kind).setdefault(table, set()).update(ids)
        both.unknown = self.unknown | other.unknown
        return both

    def __bool__(self) -> bool:
        return bool(self.tables)


class DatabaseBusy(ServiceError):
    pass


class DatabaseReadOnly(ServiceError):
    """The file (or the server) takes no changes: nothing was saved, and trying again will not help."""


class DiskFull(ServiceError):
    """No room left for the change: nothing was saved; it can be saved once space is freed."""


class DatabaseDamaged(ServiceError):
    """SQLite found the file damaged mid-way; restore a backup (the open-time check catches most)."""


class DatabaseUnavailable(ServiceError):
    """The server cannot be reached (or the connection broke mid-way): nothing was saved; try again."""


class Versioned(Protocol):
    """A stored record with an id and a version (every models.Editable)."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


def check_version(row: Versioned, expected_version: int | None, entity: str) -> None:
    """Refuse a change made from a stale copy: ConflictError (naming `entity`, e.g. N_("client"): English,
    marked for the catalogue) unless `row` is still at the version the caller read. None means the
    caller asked for no check (e.g. a delete from a list, which shows no copy that could be stale). The
    UPDATE's own version guard (`version_id_col`) still catches a save that loses a race after this check."""
    if expected_version is not None and row.version != expected_version:
        raise stale(entity, row.id)


def company_profile(s: Session) -> CompanyProfile:
    """The office's one profile row (id 1, made by the first migration); a database without it is damaged,
    and this raises rather than handing back None."""
    return s.get_one(CompanyProfile, 1)


def made_before(s: Session, model: type[Any], request_id: str | None) -> Any:
    """The record an earlier try of the same save already made (see models.Retryable), or None."""
    return None if request_id is None else s.scalar(select(model).where(model.request_id == request_id))


@dataclass
class ServiceContext:
    db: Database
    actor: Actor = OWNER
    clock: Clock = field(default_factory=SystemClock)
    listeners: list[Callable[[Changes], None]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock.now()

    def zone(self) -> tzinfo:
        return self.clock.zone()

    def today(self) -> date:
        return self.now().astimezone(self.zone()).date()

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with self.db.read() as session:
                yield session
        except DBAPIError as exc:
            # Damage on a page the open-time check did not read is met by reads too.
            if problems.kind(exc, self.db.sqlite_path) == problems.DAMAGED:
                _database_problem(self.db, exc)
            _unreachable(exc)
            _refused_by_server(exc)
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        unit = _Unit(self.actor.user_id, self.now(), server_audits=not self.db.is_sqlite)
        try:
            with self.db.write() as session:
                session.info.update(actor_id=unit.actor_id, now=unit.now, server_audits=unit.server_audits)
                session.info[_UNIT] = unit  # what the session listeners below work on
                # On a server the database writes the audit rows of field changes itself (a trigger,
                # so that psql cannot escape it), in the name of the login — or, for the owner's own
                # connection, of the user the app acts as.
                if unit.server_audits:
                    session.execute(
                        text("SELECT set_config('crm.actor_id', :actor, true)"),
                        {"actor": str(self.actor.user_id)},
                    )
                yield session
        except StaleDataError as exc:
            raise stale(N_("record"), None) from exc
        except OperationalError as exc:
            _database_problem(self.db, exc)
            _unreachable(exc)
            raise
        except IntegrityError as exc:
            raise ServiceError(_explain_integrity(exc)) from exc
        except DBAPIError as exc:
            _database_problem(self.db, exc)
            _unreachable(exc)
            _refused_by_server(exc)
            raise
        if unit.changes:
            for listener in list(self.listeners):
                listener(unit.changes)


_PROBLEMS = {
    problems.BUSY: DatabaseBusy,
    problems.READ_ONLY: DatabaseReadOnly,
    problems.DISK_FULL: DiskFull,
    problems.DAMAGED: DatabaseDamaged,
}


def _database_problem(db: Database, exc: DBAPIError) -> None:
    """A save the database could not take (busy, read-only, disk full, damaged): say so in its words."""
    if (problem := problems.kind(exc, db.sqlite_path)) is not None:
        raise _PROBLEMS[problem](problems.message(problem, db)) from exc


def _unreachable(exc: DBAPIError) -> None:
    """A connection that broke or could not be made: the same words wherever it happens."""
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if exc.connection_invalidated or sqlstate.startswith(("08", "57P")):
        raise DatabaseUnavailable(
            "The connection to the database server was lost. Nothing was saved; it is "
            "tried again when the server answers."
        ) from exc


def _refused_by_server(exc: DBAPIError) -> None:
    """A privilege or a guard of the server (shared mode) said no: say so in words, with its reason."""
    if getattr(exc.orig, "sqlstate", None) == "42501":
        reason = str(exc.orig).strip().splitlines()[0]
        raise PermissionDenied(
            "The server did not allow this: {reason}. Ask an administrator if it should be allowed.",
            reason=reason,
        ) from exc


def _explain_integrity(exc: IntegrityError) -> Message:
    text = str(exc.orig).lower()
    if "unique" in text:
        return Message("A record with the same value already exists. Choose a different one.")
    if "foreign key" in text:
        return Message("This record is still used elsewhere (or refers to something that no longer exists).")
    return Message("The change breaks a rule of the database and was not saved.")


# --- the unit of work's listeners ---------------------------------------------------------------
#
# Registered once on the Session class and acting only on sessions ServiceContext.write made (those
# carry a _Unit): listening per session cost more than a small save's SQL. Audit rows are plain
# INSERTs on the flush's own connection, all rows of one flush in one statement, so they are in the
# transaction of the change they log and cannot be lost without it.

_UNIT = "crm_unit"


class _Unit:
    """What one unit of work collects: the records it changed and the audit rows not yet written."""

    __slots__ = ("actor_id", "now", "server_audits", "changes", "entries", "deleted")

    def __init__(self, actor_id: int, now: datetime, *, server_audits: bool):
        self.actor_id, self.now, self.server_audits = actor_id, now, server_audits
        self.changes = Changes()
        self.entries: list[dict[str, Any]] = []
        # Deletions are caught as they happen, so rows removed as orphans of a relationship (never
        # in session.deleted) are logged too; their entries are added after the flush.
        self.deleted: list[Any] = []

    def entry(self, entity: str, entity_id: int | None, action: str, changes: dict[str, Any]) -> None:
        self.entries.append(
            {
                "at": self.now,
                "user_id": self.actor_id,
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "changes": changes,
            }
        )


def _unit(session: Session) -> _Unit | None:
    return session.info.get(_UNIT)


@event.listens_for(Session, "before_flush")
def _stamp_times(session: Session, _ctx, _instances) -> None:
    if (unit := _unit(session)) is None:
        return
    now = unit.now
    for obj in session.new:
        if isinstance(obj, Editable):
            obj.created_at = obj.created_at or now
            obj.updated_at = now
    for obj in session.dirty:
        if isinstance(obj, Editable) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now


@event.listens_for(Session, "after_flush")
def _collect_audit(session: Session, _ctx) -> None:
    if (unit := _unit(session)) is None:
        return
    write = not unit.server_audits
    for obj in session.new:
        if getattr(obj, "__audit__", False):
            table = obj.__tablename__
            unit.changes.add("created", table, obj.id)
            if write:
                unit.entry(table, obj.id, "create", _snapshot(obj, new=True))
    for obj in session.dirty:
        if getattr(obj, "__audit__", False) and session.is_modified(obj, include_collections=False):
            diff = _diff(obj)
            if diff:
                unit.changes.add("updated", obj.__tablename__, obj.id)
                if write:
                    unit.entry(obj.__tablename__, obj.id, "update", diff)


@event.listens_for(Session, "persistent_to_deleted")
def _note_deleted(session: Session, obj: Any) -> None:
    if (unit := _unit(session)) is not None:
        unit.deleted.append(obj)


@event.listens_for(Session, "after_flush_postexec")
def _write_flushed(session: Session, _ctx) -> None:
    if (unit := _unit(session)) is None:
        return
    for obj in unit.deleted:
        if getattr(obj, "__audit__", False):
            unit.changes.add("deleted", obj.__tablename__, obj.id)
            if not unit.server_audits:
                unit.entry(obj.__tablename__, obj.id, "delete", _snapshot(obj, new=False))
    unit.deleted.clear()
    _write_entries(session, unit)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    """Entries of `record` that no flush took along (nothing else changed) are written now."""
    if (unit := _unit(session)) is None:
        return
    session.flush()
    _write_entries(session, unit)


def _write_entries(session: Session, unit: _Unit) -> None:
    if unit.entries:
        bulk.insert_rows(session, table_of(AuditEntry), unit.entries)
        unit.entries = []


def created(session: Session, table: str, row: Mapping[str, Any]) -> None:
    """Log the `row` (all its columns) an INSERT of its own added to `table`, as a flush would have
    logged an object: its audit row (SQLite; the server's trigger writes it in shared mode) and its
    place in the changes."""
    created_rows(session, table, [row])


def created_rows(session: Session, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """`created` for many rows of one table (an import's thousands)."""
    unit = _unit(session)
    assert unit is not None, "created() is for a unit of work of ServiceContext.write"
    unit.changes.created.setdefault(table, set()).update(row["id"] for row in rows)
    if unit.server_audits:
        return
    built = _snapshot_sql(Base.metadata.tables[table]) if len(rows) >= _MANY else None
    if built is None or session.get_bind().dialect.name != "sqlite":
        for row in rows:
            unit.entry(table, row["id"], "create", _snapshot_of(row.items(), new=True))
        return
    _write_entries(session, unit)  # the log keeps the order things happened in
    at = AuditEntry.__table__.c.at.type.bind_processor(session.get_bind().dialect)
    session.execute(
        text(built),
        {
            "at": at(unit.now) if at else unit.now,
            "actor": unit.actor_id,
            "entity": table,
            "ids": json.dumps([row["id"] for row in rows]),
        },
    )


# From this many rows of one save on, SQLite writes their audit rows itself, from the rows it stores:
# building 100,000 snapshots in Python and sending them back took five times as long.
_MANY = 1000


@cache
def _snapshot_sql(table: Table) -> str | None:
    """The INSERT that writes, for the rows of `table` whose ids are in the JSON list :ids, the audit rows
    `_snapshot_of` would make (every column but _SKIP, the empty ones left out: a merge patch onto {}
    drops the keys whose value is null). None for a table with columns of other types, or secrets."""
    fields = []
    for column in table.columns:
        name = column.name
        if name in _SKIP:
            continue
        if name in _SECRET:
            return None
        kind = column.type
        if isinstance(kind, JSON):
            value, empty = f"json({name})", f"{name} IS NULL OR {name} = '[]'"
        elif isinstance(kind, Boolean):
            value, empty = "json('true')", f"{name} IS NULL OR NOT {name}"
        elif isinstance(kind, Integer):
            value, empty = name, f"{name} IS NULL OR {name} = 0"
        elif isinstance(kind, String):  # Text too
            value, empty = name, f"{name} IS NULL OR {name} = ''"
        else:
            return None
        fields.append(f"'{name}', CASE WHEN {empty} THEN NULL ELSE json_array(NULL, {value}) END")
    return (
        "INSERT INTO audit_log (at, user_id, entity, entity_id, action, changes) "
        f"SELECT :at, :actor, :entity, id, 'create', json_patch('{{}}', json_object({', '.join(fields)})) "
        f"FROM {table.name} WHERE id IN (SELECT value FROM json_each(:ids)) ORDER BY id"
    )


def count_rows(session: Session, query: Select) -> int:
    """How many rows `query` returns, for list footers and navigation counts."""
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def record(
    session: Session,
    *,
    entity: str,
    entity_id: int | None,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """An audit row for something that is not a plain field change (a stage move, a refusal...).

    It is written with the unit of work's next flush, or just before it commits."""
    if (unit := _unit(session)) is not None:
        unit.entry(entity, entity_id, action, details or {})
    else:
        session.add(
            _entry(session.info["now"], session.info["actor_id"], entity, entity_id, action, details or {})
        )


_SKIP = {"created_at", "updated_at", "version"}
_SECRET = {"password_hash"}  # the log says that it changed, never what it is


def _entry(now, actor_id, entity, entity_id, action, changes) -> AuditEntry:
    return AuditEntry(
        at=now, user_id=actor_id, entity=entity, entity_id=entity_id, action=action, changes=changes
    )


def _snapshot(obj: Any, *, new: bool) -> dict[str, list[Any]]:
    columns = inspect(obj).mapper.column_attrs
    return _snapshot_of(((attr.key, getattr(obj, attr.key)) for attr in columns), new=new)


def _snapshot_of(items: Iterable[tuple[str, Any]], *, new: bool) -> dict[str, list[Any]]:
    out = {}
    for key, raw in items:
        if key in _SKIP:
            continue
        value = raw if raw is None or type(raw) in _PLAIN else _jsonable(raw)
        if key in _SECRET and value:
            value = "(hidden)"
        if value not in (None, "", [], False):
            out[key] = [None, value] if new else [value, None]
    return out


def _diff(obj: Any) -> dict[str, list[Any]]:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIP:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = _jsonable(hist.deleted[0]) if hist.deleted else None
            new = _jsonable(hist.added[0]) if hist.added else None
            if old != new:
                if attr.key in _SECRET:
                    old, new = old and "(hidden)", new and "(hidden)"
                out[attr.key] = [old, new]
    return out


_PLAIN = frozenset({str, int, bool, float})  # JSON as they are


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):  # a logo: the log says that it changed, not what it holds
        return f"{len(value)} bytes, sha256 {hashlib.sha256(value).hexdigest()[:16]}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # the same text whether read back (4 places) or just typed
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def actor_for(ctx_db: Database, username: str) -> Actor:
    """The Actor for a stored user name (CLI `--user`, shared-mode login)."""
    from sqlalchemy import select

    from crm_desktop.services.errors import NotFound

    with ctx_db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise NotFound("There is no active user called '{username}'.", username=username)
        return Actor(user.id, user.username, user.role, user.can_export)
