"""Importing clients, deals and tasks from a table (services/sheets.py), in two steps the user sees.

1. `preview`: every row read as the mapping says (services/import_fields.py), each cell checked
   (services/cell_values.py): what is wrong, per row and column, with the value; how each column was
   read (day first, decimal comma, percentages as fractions), and the columns the user must decide;
   which rows are already in the database or earlier in the file (services/duplicates.py), each with
   what will be done with it (imported as new, merged into the client it is, or skipped). Nothing is
   written. A row can be corrected in place (`Preview.fix`) and any row's action changed.
2. `run`: the rows as decided, in one transaction: cancelled, failed or killed half way, the database
   is as it was. Each client imported or merged has the import on its timeline; the audit log has
   every record created or changed and the import itself (who, which file, how many). The `Summary`
   says per row what became of it, and is saved as a CSV beside the file (`write_summary`).

Importing the same file again changes nothing: every row is then the client, deal or task it made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from crm_desktop import i18n
from crm_desktop.db import bulk
from crm_desktop.db.models import (
    CLIENT_KINDS,
    CLIENT_STATUSES,
    TASK_PRIORITIES,
    Activity,
    Client,
    ClientSearch,
    ClientTag,
    Deal,
    Document,
    Pipeline,
    Stage,
    Task,
    User,
    table_of,
)
from crm_desktop.i18n import LANGUAGES, N_, Message
from crm_desktop.services import activities, clients, deals, duplicates, invoices, money, tasks
from crm_desktop.services import cell_values as cv
from crm_desktop.services.bulk_work import holding_the_collector
from crm_desktop.services.context import ServiceContext, company_profile, created_rows, record
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.export_files import rows_file
from crm_desktop.services.import_fields import Field, Mapping, field_label, fields_of
from crm_desktop.services.progress import Progress
from crm_desktop.services.search import build_terms
from crm_desktop.services.sheets import Cell, Sheet
from crm_desktop.services.textnorm import fold, sort_key

NEW, MERGE, SKIP = "new", "merge", "skip"
# why a deal, task or invoice row is not imported again (a client's reasons are in services/duplicates.py)
ALREADY_THERE = N_("imported before")
# Rows written between two progress reports (and chances to cancel).
STEP = 2000
_MULTILINE = frozenset({"address", "notes", "description"})
_MAX_TEXT = {
    "name": 300,
    "address": 2000,
    "source": 100,
    "notes": 100_000,
    "title": 300,
    "description": 100_000,
}


@dataclass(frozen=True)
class CellProblem:
    line: int
    column: str  # the file's header of the column
    said: Message
    value: str


@dataclass(frozen=True)
class Duplicate:
    reason: str  # duplicates.SAME_EMAIL…SIMILAR_NAME (N_-marked English)
    sure: bool
    name: str  # of the client, deal or task it is
    record_id: int | None = None  # in the database
    row: int | None = None  # earlier in the file (the index of its PlannedRow)


@dataclass
class PlannedRow:
    index: int
    line: int
    values: dict[str, Any]
    problems: list[CellProblem]
    duplicate: Duplicate | None = None
    action: str = NEW

    @property
    def choices(self) -> tuple[str, ...]:
        """What may be done with the row: a client that is there already may be merged into it."""
        if self.problems:
            return (SKIP,)
        if self.duplicate is None:
            return (NEW, SKIP)
        if "request_id" in self.values:  # an invoice imported before: once is enough
            return (SKIP,)
        return (MERGE, NEW, SKIP) if "name" in self.values else (SKIP, NEW)


@dataclass(frozen=True)
class ColumnNote:
    """How a column was read, shown to the user before anything is written."""

    column: int
    said: Message


@dataclass(frozen=True)
class Question:
    """A column whose values do not say how to read them: the dates' order, to be chosen."""

    column: int
    header: str
    choices: tuple[str, ...] = cv.DATE_ORDERS

    def message(self) -> Message:
        return Message(
            "The dates in column '{column}' can be read with the day or the month first. Choose the "
            "order: {choices}.",
            column=self.header,
            choices=", ".join(self.choices),
        )


@dataclass
class Preview:
    kind: str
    sheet: Sheet
    mapping: Mapping
    region: str  # the country phone numbers without a code belong to
    zone: tzinfo  # the office's: a due time in the file is its wall time
    date_orders: dict[int, str]
    rows: list[PlannedRow]
    notes: list[ColumnNote]
    questions: list[Question]
    complete: bool = True  # every row read (a preview of the first rows only is for showing)
    _readers: dict[int, Any] = field(default_factory=dict, repr=False)
    _index: Any = field(default=None, repr=False)

    @property
    def problems(self) -> list[CellProblem]:
        return [p for r in self.rows for p in r.problems]

    def counts(self) -> dict[str, int]:
        out = {NEW: 0, MERGE: 0, SKIP: 0}
        for r in self.rows:
            out[r.action] += 1
        return out

    def choose(self, index: int, action: str) -> None:
        row = self.rows[index]
        if action not in row.choices:
            raise ValidationError(
                "action", "Line {line} cannot be imported as chosen. Correct it or skip it.", line=row.line
            )
        row.action = action

    def fix(self, index: int, column: int, value: str) -> PlannedRow:
        """Row `index` with the cell of `column` corrected to `value`, read again (its duplicate too)."""
        self.sheet.rows[index][column] = value
        old = self.rows[index]
        row = _read_row(self, index)
        _place(self, row, self._index)
        # what the user chose for the row stands if it still may be done; else it is decided anew
        keep = not old.problems and old.action in row.choices
        row.action = old.action if keep else _default_action(row)
        self.rows[index] = row
        return row


# --- reading the file ---------------------------------------------------------------------------------


@holding_the_collector
def preview(
    ctx: ServiceContext,
    sheet: Sheet,
    mapping: Mapping,
    *,
    date_orders: dict[int, str] | None = None,
    region: str | None = None,
    progress: Progress | None = None,
    first: int | None = None,
) -> Preview:
    """The rows of `sheet` read as `mapping` says, checked and matched; nothing is written. With `first`,
    only the first rows (to show at once while the whole file is read): such a preview is not run."""
    fields = {f.key: f for f in fields_of(mapping.kind)}
    _check_required(mapping, sheet.headers)
    with ctx.read() as s:
        language = company_profile(s).language or "en"
    region = region or duplicates.office_region(language)
    p = Preview(mapping.kind, sheet, mapping, region, ctx.zone(), dict(date_orders or {}), [], [], [])
    default_mark = "," if sheet.delimiter == ";" else i18n.number_marks(language)[0]
    progress = progress or Progress()
    for column, key in sorted(mapping.columns.items()):
        progress.step(0, len(sheet.rows), Message("Reading column '{column}'", column=sheet.headers[column]))
        f = fields[key]
        cells = [r[column] for r in sheet.rows]
        p._readers[column] = _reader_for(p, column, f, cells, default_mark)
    p._index = _existing(ctx, p)
    p.complete = first is None or first >= len(sheet.rows)
    for n in range(len(sheet.rows) if first is None else min(first, len(sheet.rows))):
        row = _read_row(p, n)
        _place(p, row, p._index)
        row.action = _default_action(row)
        p.rows.append(row)
        if n % STEP == 0:
            progress.step(n, len(sheet.rows), Message("Reading line {line}", line=sheet.lines[n]))
    return p


def _check_required(mapping: Mapping, headers: Sequence[str]) -> None:
    chosen = set(mapping.columns.values())
    for f in fields_of(mapping.kind):
        if not f.required or f.key in chosen:
            continue
        if f.key == "name" and {"first_name", "last_name"} & chosen:
            continue
        raise ValidationError(
            "mapping",
            "No column is chosen for {field}. Choose the column that holds it.",
            field=Message(f.label),
        )
    seen: dict[str, int] = {}
    for column, key in mapping.columns.items():
        if key in seen:
            raise ValidationError(
                "mapping",
                "Columns '{first}' and '{second}' are both chosen for {field}. Choose one.",
                first=headers[seen[key]],
                second=headers[column],
                field=field_label(mapping.kind, key),
            )
        seen[key] = column


@dataclass(frozen=True)
class _Reader:
    field: Field
    number: cv.NumberReading | None = None
    scale: str | None = None
    order: str | None = None


def _reader_for(p: Preview, column: int, f: Field, cells: list[Cell], default_mark: str) -> _Reader:
    header = p.sheet.headers[column]
    if f.value in ("date", "datetime"):
        order = p.date_orders.get(column)
        if order is None:
            try:
                order = cv.date_order(cells)
            except cv.ValueProblem as exc:
                p.notes.append(ColumnNote(column, exc.said))
            if order is None and cv.has_short_dates(cells):
                p.questions.append(Question(column, header))
        if order is not None:
            p.notes.append(
                ColumnNote(
                    column,
                    Message(
                        "'{column}': dates read as {order}",
                        column=header,
                        order=Message(cv.ORDER_NAMES[order]),
                    ),
                )
            )
        return _Reader(f, order=order)
    if f.value in ("number", "percent"):
        reading = cv.number_reading(cells, default_mark=default_mark)
        scale = cv.percent_scale(header, cells, reading) if f.value == "percent" else None
        if reading.shown:
            mark = Message("decimal comma") if reading.decimal_mark == "," else Message("decimal point")
            p.notes.append(ColumnNote(column, Message("'{column}': {mark}", column=header, mark=mark)))
        if scale == "fraction":
            p.notes.append(
                ColumnNote(
                    column,
                    Message("'{column}': fractions read as percentages (0.15 is 15 %)", column=header),
                )
            )
        return _Reader(f, number=reading, scale=scale)
    return _Reader(f)


def _read_row(p: Preview, index: int) -> PlannedRow:
    cells = p.sheet.rows[index]
    line = p.sheet.lines[index]
    values: dict[str, Any] = {}
    problems: list[CellProblem] = []
    for column, reader in p._readers.items():
        cell = cells[column]
        try:
            value = _value(reader, cell, p.region)
        except cv.Undecided:
            continue  # the column's question says it
        except ValidationError as exc:
            problems.append(CellProblem(line, p.sheet.headers[column], exc.said, cv.plain(cell)))
            continue
        if value not in (None, "", []):
            values[reader.field.key] = value
    if p.kind == "clients" and "name" not in values:
        name = " ".join(values[k] for k in ("first_name", "last_name") if values.get(k))
        if name:
            values["name"] = name
    for key in ("first_name", "last_name"):
        values.pop(key, None)
    for f in fields_of(p.kind):
        if f.required and f.key not in values:
            problems.append(
                CellProblem(
                    line, _header_of(p, f.key), Message("{field} is empty.", field=Message(f.label)), ""
                )
            )
    try:
        _check_words(p, values)
    except ValidationError as exc:
        problems.append(CellProblem(line, _header_of(p, exc.field), exc.said, str(values.get(exc.field, ""))))
    return PlannedRow(index, line, values, problems)


def _header_of(p: Preview, key: str) -> str:
    column = p.mapping.column_of(key)
    if column is None and key == "name":
        column = p.mapping.column_of("first_name") or p.mapping.column_of("last_name")
    return p.sheet.headers[column] if column is not None else ""


def _value(reader: _Reader, cell: Cell, region: str) -> Any:
    kind = reader.field.value
    if kind == "phones":
        return cv.phones(cell, region)
    if kind == "emails":
        return cv.emails(cell)
    if kind == "date":
        return cv.a_date(cell, reader.order)
    if kind == "datetime":
        return cv.a_datetime(cell, reader.order)
    if kind == "number":
        assert reader.number is not None
        return cv.a_number(cell, reader.number)
    if kind == "percent":
        assert reader.number is not None and reader.scale is not None
        return cv.a_percent(cell, reader.number, reader.scale)
    text = cv.plain(cell)
    if kind == "list":
        return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    if reader.field.key not in _MULTILINE:  # a name broken over lines in its cell is one name
        text = " ".join(text.split())
    limit = _MAX_TEXT.get(reader.field.key, 300)
    if len(text) > limit:
        raise cv.ValueProblem(
            Message(
                "This text is {length} characters long; at most {limit} fit.", length=len(text), limit=limit
            )
        )
    return text


# Words other programs write for a client's status, besides our own names for it in every language.
_STATUS_WORDS = {
    "customer": "client|клиент|покупатель|заказчик|mijoz|müştəri|musteri|عميل|زبون",
    "lead": "new|новый|лид|yangi|yeni|جديد",
    "prospect": "potential|потенциальный клиент|в работе|potentsial|potensial|محتمل",
    "inactive": "archive|архив|неактивный|arxiv|nofaol|qeyri-aktiv|غير نشط",
}


# The coded fields: what a person reads for each code, the codes, and other programs' words for them.
_CODED: dict[str, tuple[dict[str, str], Iterable[str], dict[str, str]]] = {
    "kind": (clients.KIND_NAMES, CLIENT_KINDS, {}),
    "status": (clients.STATUS_NAMES, CLIENT_STATUSES, _STATUS_WORDS),
    "priority": (tasks.PRIORITY_NAMES, TASK_PRIORITIES, {}),
}


@cache  # once per field, not once per row: it asks the catalogue of every language
def _codes(key: str) -> dict[str, str]:
    """The words people write for the codes of `key` (folded) in every language, to the codes."""
    names, codes, more = _CODED[key]
    out = {fold(code): code for code in codes}
    for code, words in more.items():
        out.update({fold(w): code for w in words.split("|")})
    for code, label in names.items():
        for language in LANGUAGES:
            out.setdefault(fold(i18n.gettext(label, language)), code)
    return out


def _check_words(p: Preview, values: dict[str, Any]) -> None:
    """Coded values (kind, status, priority, stage, currency, people) named in words, to their codes."""
    for key, (names, _, _) in _CODED.items():
        if key in values:
            found = _codes(key).get(fold(values[key]))
            if found is None:
                words = ", ".join(i18n.gettext(n) for n in names.values())
                raise ValidationError(
                    key, "'{value}' is not one of {choices}.", value=values[key], choices=words
                )
            values[key] = found
    for key in ("owner", "assignee"):
        if key in values:
            user = p._index.users.get(fold(values[key]))
            if user is None:
                raise ValidationError(key, "'{value}' is not a user of this office.", value=values[key])
            values[key + "_id"] = user
            del values[key]
    if "currency" in values:
        values["currency"] = money.currency(values["currency"]).code
    if "stage" in values:
        stage = p._index.stages.get(fold(values["stage"]))
        if stage is None:
            raise ValidationError(
                "stage",
                "'{value}' is not a stage of the pipeline; its stages are {choices}.",
                value=values["stage"],
                choices=", ".join(p._index.stage_names),
            )
        values["stage_id"] = stage
        del values["stage"]


# --- what is in the database already ------------------------------------------------------------------


@dataclass
class _Existing:
    clients: duplicates.Index
    names: dict[int, str]  # client id → name
    companies: dict[str, int]  # folded company name → client id
    users: dict[str, int]  # folded username and display name → user id
    stages: dict[str, int]  # folded stage name → id, of the first pipeline
    stage_names: list[str]
    records: dict[tuple, int] = field(default_factory=dict)  # a deal's or task's identity → its id
    rows: set[int] = field(default_factory=set)  # the file's rows indexed as clients


def _existing(ctx: ServiceContext, p: Preview) -> _Existing:
    index = duplicates.Index(p.region)
    names: dict[int, str] = {}
    companies: dict[str, int] = {}
    with ctx.read() as s:
        found = s.execute(
            select(Client.id, Client.name, Client.kind, Client.phones, Client.emails)
            .where(clients.visible_to(ctx.actor))
            .order_by(Client.id)
        )
        for client_id, name, kind, phones, emails in found:
            index.add(client_id, name, phones, emails)
            names[client_id] = name
            if kind == "company":
                companies.setdefault(fold(name), client_id)
        users: dict[str, int] = {}
        for user_id, username, display_name in s.execute(
            select(User.id, User.username, User.display_name).where(User.active)
        ):
            users.setdefault(fold(username), user_id)
            users.setdefault(fold(display_name), user_id)
        first = s.scalars(select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1)).first()
        stages = s.execute(  # a new deal cannot start lost
            select(Stage.id, Stage.name)
            .where(Stage.pipeline_id == first, Stage.is_lost.is_(False))
            .order_by(Stage.position)
        )
        stage_list = list(stages)
        existing = _Existing(
            index, names, companies, users, {fold(n): i for i, n in stage_list}, [n for _, n in stage_list]
        )
        if p.kind == "deals":
            for deal_id, client_id, title in s.execute(
                select(Deal.id, Deal.client_id, Deal.title).join(Client).where(clients.visible_to(ctx.actor))
            ):
                existing.records.setdefault((client_id, fold(title)), deal_id)
        elif p.kind == "invoices":
            for document_id, request_id in s.execute(
                select(Document.id, Document.request_id).where(Document.request_id.like(_INVOICE_KEY + "%"))
            ):
                existing.records[(request_id,)] = document_id
        elif p.kind == "tasks":
            for task_id, task_client, title, due in s.execute(
                select(Task.id, Task.client_id, Task.title, Task.due_at).where(
                    tasks.task_visible_to(ctx.actor)
                )
            ):
                existing.records.setdefault((task_client, fold(title), _minute(due)), task_id)
    return existing


def _minute(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if when else ""


def _place(p: Preview, row: PlannedRow, existing: _Existing) -> None:
    """Which client, deal or task the row already is, in the database or earlier in the file."""
    row.duplicate = None
    if row.problems:
        return
    v = row.values
    if p.kind == "clients":
        match = existing.clients.find(v["name"], v.get("phones", ()), v.get("emails", ()))
        if match is not None:
            row.duplicate = _duplicate(p, existing, match)
        if row.index not in existing.rows and (row.duplicate is None or not row.duplicate.sure):
            # a client the file has not had before: later rows may be this one again
            existing.clients.add(("row", row.index), v["name"], v.get("phones", ()), v.get("emails", ()))
            existing.rows.add(row.index)
        return
    client = existing.clients.find(
        v.get("client", ""), v.get("client_phone", ()), v.get("client_email", ()), similar=False
    )
    if client is not None and client.sure and not isinstance(client.ref, tuple):
        v["client_id"] = client.ref
    else:
        v.pop("client_id", None)
    if p.kind == "invoices":
        v["request_id"] = invoice_key(v, row.line)
        if (found := existing.records.get((v["request_id"],))) is not None:
            row.duplicate = Duplicate(ALREADY_THERE, True, v.get("number") or v["description"], found)
        return
    if p.kind == "deals":
        key: tuple = (v.get("client_id"), fold(v["title"]))
    else:
        due = v.get("due_at")
        key = (v.get("client_id"), fold(v["title"]), _minute(due.replace(tzinfo=p.zone) if due else None))
    if v.get("client_id") is not None and (found := existing.records.get(key)) is not None:
        row.duplicate = Duplicate(ALREADY_THERE, True, v["title"], record_id=found)
    elif (earlier := existing.records.get(("row", *key))) is not None and earlier != row.index:
        row.duplicate = Duplicate(ALREADY_THERE, True, v["title"], row=earlier)
    else:
        existing.records.setdefault(("row", *key), row.index)


_INVOICE_KEY = "imp-"  # the start of an imported invoice's request id (36 characters, as a UUID)


def invoice_key(values: dict[str, Any], line: int) -> str:
    """What an imported invoice is known by (its request id): its client's name and its number in the
    old program, or without a number its line — so the same file imported again is recognised."""
    client = duplicates.name_key(values["client"])
    number = fold(values.get("number", ""))
    known_by = f"{client}:{number}" if number else f"{client}:line {line}"
    return _INVOICE_KEY + hashlib.sha256(known_by.encode()).hexdigest()[:32]


def _duplicate(p: Preview, existing: _Existing, match: duplicates.Match) -> Duplicate:
    if isinstance(match.ref, tuple):
        earlier = match.ref[1]
        return Duplicate(match.reason, match.sure, p.rows[earlier].values["name"], row=earlier)
    client_id = int(match.ref)  # type: ignore[call-overload]  # a client's id: rows are tuples
    return Duplicate(match.reason, match.sure, existing.names[client_id], record_id=client_id)


def _default_action(row: PlannedRow) -> str:
    """Skip what cannot be imported; merge (a client) or skip (a deal, a task) what is there for
    certain; import as new what is only similar — the user looks at those, the preview says why."""
    if row.problems:
        return SKIP
    if row.duplicate is None or not row.duplicate.sure:
        return NEW
    return MERGE if "name" in row.values else SKIP


# --- writing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    line: int
    result: str  # imported, merged, unchanged, skipped
    record_id: int | None
    name: str
    reason: Message | None = None


RESULT_NAMES = {
    "imported": N_("imported"),
    "merged": N_("merged"),
    "unchanged": N_("already there"),
    "skipped": N_("skipped"),
}


@dataclass(frozen=True)
class Summary:
    kind: str
    file: Path
    outcomes: list[Outcome]

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    def message(self) -> Message:
        return Message(
            "{file}: {imported} imported, {merged} merged, {unchanged} already there, {skipped} skipped.",
            file=self.file.name,
            imported=Decimal(self.count("imported")),
            merged=Decimal(self.count("merged")),
            unchanged=Decimal(self.count("unchanged")),
            skipped=Decimal(self.count("skipped")),
        )


@holding_the_collector
def run(ctx: ServiceContext, p: Preview, *, progress: Progress | None = None) -> Summary:
    """The rows as decided, written in one transaction; a row with problems is skipped, said why."""
    assert p.complete, "a preview of the first rows is for showing, not for importing"
    if p.questions:
        raise ValidationError("date_order", p.questions[0].message())
    progress = progress or Progress()
    for row in p.rows:
        p.choose(row.index, row.action)  # refused as choose refuses it, if the row may not be so
    writer = {
        "clients": _write_clients,
        "deals": _write_deals,
        "tasks": _write_tasks,
        "invoices": _write_invoices,
    }[p.kind]
    with ctx.write() as s:
        outcomes = writer(s, ctx, p, progress)
        counts = {r: sum(1 for o in outcomes if o.result == r) for r in RESULT_NAMES}
        record(
            s,
            entity="imports",
            entity_id=None,
            action="import",
            details={"kind": p.kind, "file": p.sheet.path.name, **counts},
        )
        progress.step(len(p.rows), len(p.rows), Message("Saving the import"))
    return Summary(p.kind, p.sheet.path, outcomes)


def _skipped(row: PlannedRow) -> Outcome:
    name = str(row.values.get("name") or row.values.get("title") or "")
    if row.problems:
        first = row.problems[0]
        reason = Message("{column}: {problem}", column=first.column, problem=first.said)
    elif row.duplicate is not None:
        reason = Message("{reason}: {name}", reason=Message(row.duplicate.reason), name=row.duplicate.name)
    else:
        reason = Message("skipped by choice")
    return Outcome(row.line, "skipped", None, name, reason)


def _imported_said(p: Preview, row: PlannedRow) -> Message:
    return Message("Imported from {file} (line {line})", file=p.sheet.path.name, line=row.line)


def _write_clients(s: Session, ctx: ServiceContext, p: Preview, progress: Progress) -> list[Outcome]:
    now = s.info["now"]
    companies = _companies(s, ctx, p, now)
    outcomes: list[Outcome | None] = [None] * len(p.rows)
    new = {row.index: dict(row.values) for row in p.rows if row.action == NEW}
    for row in p.rows:
        if row.action == SKIP:
            outcomes[row.index] = _skipped(row)
        elif row.action == MERGE and row.duplicate is not None and row.duplicate.row is not None:
            first = _root(p, row.duplicate.row)
            if first in new:  # the file has the client twice: one client, with what both rows say
                _add_values(new[first], row.values)
    total = len(p.rows)
    ids: dict[int, int] = {}
    order = list(new)
    chunks = [order[start : start + STEP] for start in range(0, len(order), STEP)]
    for chunk in chunks:
        rows = [p.rows[i] for i in chunk]
        made = _insert_clients(s, ctx, p, rows, [new[i] for i in chunk], companies, now)
        for row, client_id in zip(rows, made, strict=True):
            ids[row.index] = client_id
            outcomes[row.index] = Outcome(row.line, "imported", client_id, row.values["name"])
        progress.step(
            len(ids),
            total,
            Message.counted(
                "{done} of {n} client written", "{done} of {n} clients written", total, done=Decimal(len(ids))
            ),
        )
    for row in p.rows:
        if row.action != MERGE or row.duplicate is None:
            continue
        if row.duplicate.row is not None:
            first = _root(p, row.duplicate.row)
            if first in ids:
                outcomes[row.index] = Outcome(row.line, "merged", ids[first], p.rows[first].values["name"])
            else:
                outcomes[row.index] = Outcome(
                    row.line,
                    "skipped",
                    None,
                    row.values["name"],
                    Message("line {line}, which it repeats, is skipped", line=p.rows[first].line),
                )
            continue
        assert row.duplicate.record_id is not None
        with _at_line(row):
            changed = _merge_client(s, ctx, row.duplicate.record_id, row.values, companies, p, row)
        outcomes[row.index] = Outcome(
            row.line, "merged" if changed else "unchanged", row.duplicate.record_id, row.duplicate.name
        )
    return [o for o in outcomes if o is not None]


@contextmanager
def _at_line(row: PlannedRow) -> Iterator[None]:
    """A row the database refuses stops the import (nothing is kept), saying which line it was."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError(
            exc.field, Message("Line {line}: {error}", line=row.line, error=exc.said)
        ) from exc


def _root(p: Preview, index: int) -> int:
    """The row a chain of in-file duplicates ends at (the first time the file has the client)."""
    while (
        (dup := p.rows[index].duplicate) is not None and dup.row is not None and p.rows[index].action == MERGE
    ):
        index = dup.row
    return index


def _add_values(into: dict[str, Any], more: dict[str, Any]) -> bool:
    """`more` added to `into` where it says something new: phones, emails and tags joined, empty fields
    filled; a field already holding something keeps it. Whether anything changed."""
    changed = False
    for key, value in more.items():
        if key == "name":
            continue
        if isinstance(value, list):
            known = {str(x).casefold() for x in into.get(key, [])}
            added = [x for x in value if str(x).casefold() not in known]
            if added:
                into[key] = [*into.get(key, []), *added]
                changed = True
        elif into.get(key) in (None, ""):
            into[key] = value
            changed = True
    return changed


def _companies(s: Session, ctx: ServiceContext, p: Preview, now: datetime) -> dict[str, int]:
    """The company clients the rows name, the missing ones created first (folded name → id)."""
    existing = dict(p._index.companies)
    wanted: dict[str, str] = {}
    for row in p.rows:
        company = row.values.get("company")
        if row.action != SKIP and company and fold(company) not in existing:
            wanted.setdefault(fold(company), company)
    if not wanted:
        return existing
    made = _insert_client_rows(s, ctx, [{"name": name, "kind": "company"} for name in wanted.values()], now)
    for (key, _), client_id in zip(wanted.items(), made, strict=True):
        existing[key] = client_id
    return existing


_CLIENT_TABLE = table_of(Client)


def _client_row(ctx: ServiceContext, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "kind": values.get("kind", "person"),
        "name": values["name"],
        "sort_name": sort_key(values["name"]),
        "company_id": values.get("company_id"),
        "phones": values.get("phones", []),
        "emails": values.get("emails", []),
        "address": values.get("address", ""),
        "source": values.get("source", ""),
        "status": values.get("status", "lead"),
        "owner_id": values.get("owner_id", ctx.actor.user_id),
        "private": False,
        "notes": values.get("notes", ""),
        "language": "",
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _insert_client_rows(
    s: Session, ctx: ServiceContext, values: list[dict[str, Any]], now: datetime
) -> list[int]:
    """Clients inserted with the ids they are given (no RETURNING: a plain executemany is several
    times faster), logged as created, with their search rows."""
    ids = _take_ids(s, len(values))
    rows = [{"id": client_id, **_client_row(ctx, v, now)} for client_id, v in zip(ids, values, strict=True)]
    bulk.insert_rows(s, _CLIENT_TABLE, rows)
    created_rows(s, Client.__tablename__, rows)
    search = [{"client_id": r["id"], "terms": build_terms(r["name"], r["emails"], r["phones"])} for r in rows]
    _insert_search_rows(s, search)
    return [r["id"] for r in rows]


def _take_ids(s: Session, n: int) -> list[int]:
    """`n` client ids no one else can take: on SQLite the write lock is held (BEGIN IMMEDIATE), so the
    ones after the highest are free; PostgreSQL gives them from the table's sequence, as to every save."""
    if s.get_bind().dialect.name == "sqlite":
        first = (s.scalar(select(func.max(Client.id))) or 0) + 1
        return list(range(first, first + n))
    taken = s.scalars(
        text("SELECT nextval(pg_get_serial_sequence('clients', 'id')) FROM generate_series(1, :n)"),
        {"n": n},
    )
    return list(taken)


# Search rows per INSERT on SQLite: the index's trigger feeds FTS5, which writes what it gathered at the
# end of each statement, so one statement per row made 100,000 rows take 6 s instead of 1. The statement
# is written here: SQLAlchemy takes longer to build one of 5,000 rows than SQLite takes to run it.
_SEARCH_ROWS_PER_STATEMENT = 5000


def _insert_search_rows(s: Session, rows: list[dict[str, Any]]) -> None:
    if s.get_bind().dialect.name != "sqlite":
        s.execute(insert(table_of(ClientSearch)), rows)
        return
    connection = s.connection()
    for start in range(0, len(rows), _SEARCH_ROWS_PER_STATEMENT):
        chunk = rows[start : start + _SEARCH_ROWS_PER_STATEMENT]
        values = ", ".join(["(?, ?)"] * len(chunk))
        connection.exec_driver_sql(
            f"INSERT INTO client_search (client_id, terms) VALUES {values}",
            tuple(x for r in chunk for x in (r["client_id"], r["terms"])),
        )


def _insert_clients(
    s: Session,
    ctx: ServiceContext,
    p: Preview,
    chunk: list[PlannedRow],
    values: list[dict[str, Any]],
    companies: dict[str, int],
    now: datetime,
) -> list[int]:
    for v in values:
        if company := v.pop("company", None):
            v["company_id"] = companies[fold(company)]
    ids = _insert_client_rows(s, ctx, values, now)
    tags = []
    for client_id, v in zip(ids, values, strict=True):
        if chosen := sorted(set(v.get("tags", []))):
            tags += [{"client_id": client_id, "tag": tag} for tag in chosen]
            record(s, entity="clients", entity_id=client_id, action="tags", details={"tags": [[], chosen]})
    bulk.insert_rows(s, table_of(ClientTag), tags)
    _timeline(
        s, ctx, [(client_id, _imported_said(p, row)) for client_id, row in zip(ids, chunk, strict=True)]
    )
    return ids


def _timeline(s: Session, ctx: ServiceContext, entries: list[tuple[int, Message]]) -> None:
    """An entry on each client's timeline, as activities.record_event writes one (many in a statement)."""
    now = s.info["now"]
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    rows = [{**activities.event_values(ctx, client_id, said), **stamps} for client_id, said in entries]
    bulk.insert_rows(s, table_of(Activity), rows)


def _merge_client(
    s: Session,
    ctx: ServiceContext,
    client_id: int,
    values: dict[str, Any],
    companies: dict[str, int],
    p: Preview,
    row: PlannedRow,
) -> bool:
    client = clients.load_visible(s, ctx.actor, client_id)
    stored: dict[str, Any] = {
        "phones": list(client.phones),
        "emails": list(client.emails),
        "tags": [t.tag for t in client.tags],
        "address": client.address,
        "source": client.source,
        "notes": client.notes,
        "company_id": client.company_id,
        "owner_id": client.owner_id,
    }
    more = {k: v for k, v in values.items() if k in stored}
    if company := values.get("company"):
        more["company_id"] = companies[fold(company)]
    changes = dict(stored)
    if not _add_values(changes, more):
        return False
    tags = changes.pop("tags")
    for key, value in changes.items():
        setattr(client, key, value)
    if tags != stored["tags"]:
        record(
            s, entity="clients", entity_id=client.id, action="tags", details={"tags": [stored["tags"], tags]}
        )
        client.tags = [ClientTag(tag=t) for t in sorted(tags)]
    clients.reindex(s, client)
    _timeline(
        s,
        ctx,
        [(client.id, Message("Updated from {file} (line {line})", file=p.sheet.path.name, line=row.line))],
    )
    return True


def _client_for(s: Session, ctx: ServiceContext, p: Preview, row: PlannedRow, made: dict[str, int]) -> int:
    """The client a deal or a task row is for: found, or made (a lead) from its client columns."""
    v = row.values
    if v.get("client_id") is not None:
        return v["client_id"]
    key = duplicates.name_key(v["client"])
    if key in made:
        return made[key]
    values = {"name": v["client"], "phones": v.get("client_phone", []), "emails": v.get("client_email", [])}
    client_id = _insert_client_rows(s, ctx, [values], s.info["now"])[0]
    _timeline(s, ctx, [(client_id, _imported_said(p, row))])
    made[key] = client_id
    return client_id


def _write_deals(s: Session, ctx: ServiceContext, p: Preview, progress: Progress) -> list[Outcome]:
    made: dict[str, int] = {}

    def deal(v: dict[str, Any], row: PlannedRow) -> tuple[int, str]:
        added = deals.add(
            s,
            ctx,
            client_id=_client_for(s, ctx, p, row, made),
            title=v["title"],
            amount=v.get("amount", 0),
            currency=v.get("currency"),
            stage_id=v.get("stage_id"),
            expected_close=v.get("expected_close"),
            owner_id=v.get("owner_id"),
        )
        return added.id, added.title

    return _write_each(p, progress, deal)


def _write_tasks(s: Session, ctx: ServiceContext, p: Preview, progress: Progress) -> list[Outcome]:
    made: dict[str, int] = {}

    def task(v: dict[str, Any], row: PlannedRow) -> tuple[int, str]:
        due = v.get("due_at")
        added = tasks.add(
            s,
            ctx,
            title=v["title"],
            due_at=due.replace(tzinfo=p.zone) if due else None,
            description=v.get("description", ""),
            priority=v.get("priority", "normal"),
            assignee_id=v.get("assignee_id"),
            client_id=_client_for(s, ctx, p, row, made) if v.get("client") else None,
        )
        return added.id, added.title

    return _write_each(p, progress, task)


def _write_each(
    p: Preview, progress: Progress, write: Callable[[dict[str, Any], PlannedRow], tuple[int, str]]
) -> list[Outcome]:
    """Each row not skipped written by `write` (its record's id and name back), in the file's order."""
    outcomes = []
    for row in p.rows:
        if row.action == SKIP:
            outcomes.append(_skipped(row))
            continue
        with _at_line(row):
            record_id, name = write(row.values, row)
        outcomes.append(Outcome(row.line, "imported", record_id, name))
        _progress(progress, row, p)
    return outcomes


def _write_invoices(s: Session, ctx: ServiceContext, p: Preview, progress: Progress) -> list[Outcome]:
    """One draft per invoice of the old program, its rows as the draft's lines in the file's order."""
    outcomes: list[Outcome | None] = [None] * len(p.rows)
    invoices_in_file: dict[str, list[PlannedRow]] = {}
    for row in p.rows:
        if row.action == SKIP:
            outcomes[row.index] = _skipped(row)
        else:
            invoices_in_file.setdefault(row.values["request_id"], []).append(row)
    made: dict[str, int] = {}
    for request_id, rows in invoices_in_file.items():
        first = rows[0]
        v = first.values
        with _at_line(first):
            doc = invoices.add_draft(
                s,
                ctx,
                client_id=_client_for(s, ctx, p, first, made),
                currency=v.get("currency"),
                issue_date=v.get("issue_date"),
                due_date=v.get("due_date"),
                notes=_invoice_notes(v),
                lines=[_line(r.values) for r in rows],
                request_id=request_id,
            )
            s.flush()
        for r in rows:
            outcomes[r.index] = Outcome(
                r.line, "imported", doc.id, v.get("number") or r.values["description"]
            )
        _progress(progress, first, p)
    return [o for o in outcomes if o is not None]


def _invoice_notes(values: dict[str, Any]) -> str:
    said = [values.get("notes", "")]
    if values.get("number"):
        said.append(Message("Number in the old program: {number}", number=values["number"]).render())
    return "\n".join(n for n in said if n)


def _line(values: dict[str, Any]) -> invoices.LineValues:
    return invoices.LineValues(
        description=values["description"],
        quantity=values.get("quantity", Decimal(1)),
        unit=values.get("unit", ""),
        unit_price=values.get("unit_price", Decimal(0)),
        discount_percent=values.get("discount_percent", Decimal(0)),
        tax_rate=values.get("tax_rate", Decimal(0)),
    )


def _progress(progress: Progress, row: PlannedRow, p: Preview) -> None:
    if row.index % 200 == 0:
        progress.step(row.index, len(p.rows), Message("Writing line {line}", line=row.line))


# --- the summary ----------------------------------------------------------------------------------------


def summary_path(source: Path, at: datetime) -> Path:
    return source.with_name(f"{source.stem} - import {at:%Y-%m-%d %H%M}.csv")


def _summary_not_written(path: str, reason: str) -> ValidationError:
    return ValidationError(
        "path",
        "The summary could not be written to {path}: {reason}. The import itself is saved.",
        path=path,
        reason=reason,
    )


def write_summary(summary: Summary, path: Path, *, progress: Progress | None = None) -> Path:
    """The summary as a CSV (Excel reads it): line, what became of it, the record, its name, why."""
    progress = progress or Progress()
    with rows_file(path, _summary_not_written) as add:
        add([i18n.gettext(h) for h in (N_("Line"), N_("Result"), N_("Id"), N_("Name"), N_("Why"))])
        for n, o in enumerate(summary.outcomes):
            if n % STEP == 0:
                progress.report(n, len(summary.outcomes), Message("Writing the summary"))
            reason = o.reason.render() if o.reason else ""
            add([o.line, i18n.gettext(RESULT_NAMES[o.result]), o.record_id or "", o.name, reason])
    return path
