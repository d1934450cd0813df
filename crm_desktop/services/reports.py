"""The reports an owner and each manager read: tables with totals per currency, computed by SQL
aggregation over what the CRM already stores, for a period, counted as the asker may see (report_scope).

A report is a name in `REPORTS` with the tables it reads and a function that answers an `Asked` with its
columns and rows; `run` adds the totals and writes who generated which report with which filters to the
audit log. Totals are per currency, never one sum across currencies; a percentage's total is worked out
from the totals it is a share of (never summed, never an average of percentages).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from crm_desktop import i18n
from crm_desktop.db.models import Client, User
from crm_desktop.services import clients, exports
from crm_desktop.services.context import Actor, ServiceContext, record
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.periods import Period, instants
from crm_desktop.services.report_scope import Scope, scope

# How a value is written: text as it is, a word (a msgid) in the reader's language, money in the row's
# currency, an amount as money where the row has a currency and as a number where not, and the rest.
KINDS = ("text", "word", "count", "money", "amount", "hours", "percent", "days", "day", "month")
STUCK_DAYS = 14  # a deal this many days in one stage is stuck, unless its stage says otherwise


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # a msgid (N_), put into the reader's language by whoever shows it
    kind: str = "text"  # see KINDS: how the value is written; money is in the row's "currency"
    total: bool = False  # added up in the totals (within a currency)
    ratio: tuple[str, str] | None = None  # its total: 100 × a ÷ b for a percent, a ÷ b otherwise
    hidden: bool = False  # a part of a ratio, not shown
    blank: str = ""  # a msgid: what an empty value of this column says ("(no reason given)")


@dataclass(frozen=True)
class ReportQuery:
    period: Period
    user_id: int | None = None  # one person's figures
    team_of: int | None = None  # one team's (its manager's id)
    # stuck deals: this many days in a stage (None: the stage's own limit, else STUCK_DAYS)
    days: int | None = None


@dataclass(frozen=True)
class Asked:
    """What a report function is given: a session to read with, what was asked, and whose figures."""

    ctx: ServiceContext
    s: Session
    actor: Actor
    scope: Scope
    query: ReportQuery
    now: datetime
    today: date
    zone: tzinfo

    @property
    def period(self) -> Period:
        return self.query.period

    @property
    def start(self) -> datetime:
        return instants(self.period, self.zone)[0]

    @property
    def end(self) -> datetime:
        return instants(self.period, self.zone)[1]

    def sees_client(self) -> ColumnElement[bool]:
        """The clients the asker sees, of a query that joins Client (on a server, row-level security says
        the same); nothing to ask of an administrator's."""
        return clients.visible_to(self.actor)

    def sees_client_of(self, client_id: Any) -> ColumnElement[bool]:
        """The same of a query that does not join Client (an administrator's needs no join at all)."""
        if self.actor.is_admin:
            return true()
        return client_id.in_(select(Client.id).where(clients.visible_to(self.actor)))

    @property
    def everyone(self) -> bool:
        """Every figure counted, nobody's left out: nothing to find out whose a row is."""
        return self.scope.people is None


@dataclass(frozen=True)
class ReportTable:
    name: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]]  # one per currency where there is money, else one (none without rows)
    period: Period
    left_out: int = 0  # rows not listed (a report listing the first so many); the totals count them too

    @property
    def shown(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.hidden)

    @property
    def currencies(self) -> list[str]:
        return [t["currency"] for t in self.totals if t.get("currency")]


@dataclass(frozen=True)
class Whole:
    """What a report listing only its first rows says of all of them: their totals, how many it left out."""

    totals: list[dict[str, Any]]
    left_out: int


# A report's columns and rows — and, from one that lists only its first rows, the Whole they are part of.
Answer = tuple[Sequence[Column], list[dict[str, Any]]] | tuple[Sequence[Column], list[dict[str, Any]], Whole]


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str  # msgid
    about: str  # msgid: what it counts, in a sentence
    tables: frozenset[str]  # what it reads: a change to one of them makes it out of date
    answer: Callable[[Asked], Answer]
    options: tuple[str, ...] = field(default=())  # "days": how long a deal may stay in a stage


REPORTS: dict[str, ReportSpec] = {}


def report(name: str, title: str, about: str, tables: set[str], options: tuple[str, ...] = ()):
    """Registers a report function under `name` (its modules are imported at the end of this one)."""

    def register(fn: Callable[[Asked], Answer]) -> Callable[[Asked], Answer]:
        REPORTS[name] = ReportSpec(name, title, about, frozenset(tables), fn, options)
        return fn

    return register


def spec(name: str) -> ReportSpec:
    if name not in REPORTS:
        raise NotFound("There is no report called '{name}'; `report list` names them.", name=name)
    return REPORTS[name]


def asked(ctx: ServiceContext, s: Session, query: ReportQuery) -> Asked:
    whose = scope(s, ctx.actor, user_id=query.user_id, team_of=query.team_of)
    return Asked(ctx, s, ctx.actor, whose, query, ctx.now(), ctx.today(), ctx.zone())


def compute(ctx: ServiceContext, name: str, query: ReportQuery) -> ReportTable:
    """The report, read in one snapshot; not audited (the dashboard's own figures use it)."""
    found = spec(name)
    if query.days is not None and not 1 <= query.days <= 3650:
        raise ValidationError("days", "Give the days in a stage as a whole number from 1 to 3650.")
    with ctx.read() as s:
        columns, rows, *whole = found.answer(asked(ctx, s, query))
    if whole:
        return ReportTable(name, tuple(columns), rows, whole[0].totals, query.period, whole[0].left_out)
    return ReportTable(name, tuple(columns), rows, totals(columns, rows), query.period)


def run(ctx: ServiceContext, name: str, query: ReportQuery) -> ReportTable:
    """The report as someone asked for it: computed, and its generation written to the audit log."""
    table = compute(ctx, name, query)
    with ctx.write() as s:
        record(s, entity="report", entity_id=None, action="generate", details=described(table, query))
    return table


def described(table: ReportTable, query: ReportQuery) -> dict[str, object]:
    """Which report with which filters, as the audit log keeps it."""
    asked_for: dict[str, object] = {
        "report": table.name,
        "from": query.period.first.isoformat(),
        "to": query.period.last.isoformat(),
        "rows": len(table.rows),
    }
    for key, value in (("user_id", query.user_id), ("team_of", query.team_of), ("days", query.days)):
        if value is not None:
            asked_for[key] = value
    return asked_for


def totals(columns: Sequence[Column], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A total row per currency (one if the report has no money), adding up the columns that add up and
    working each ratio out of its parts' totals."""
    if not rows or not any(c.total or c.ratio for c in columns):
        return []
    by_money = any(c.kind == "money" for c in columns)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row.get("currency", "") if by_money else "", []).append(row)
    out = []
    for currency in sorted(groups):
        total: dict[str, Any] = {"currency": currency} if by_money else {}
        for c in columns:
            if c.total:
                zero = 0 if c.kind == "count" else Decimal(0)
                total[c.key] = sum((r[c.key] or 0 for r in groups[currency]), zero)
        for c in columns:
            if c.ratio is not None:
                total[c.key] = ratio(
                    total.get(c.ratio[0]), total.get(c.ratio[1]), percent=c.kind == "percent"
                )
        out.append(total)
    return out


def ratio(part: Any, whole: Any, *, percent: bool = True) -> Decimal | None:
    """100 × part ÷ whole (or part ÷ whole) to one place; None when there is no whole to share."""
    if part is None or not whole:
        return None
    value = Decimal(part) * (100 if percent else 1) / Decimal(whole)
    return value.quantize(Decimal("0.1"))


def person_names(s: Session, ids: set[int | None]) -> dict[int | None, str]:
    """The display names of the people rows are about ("" for nobody)."""
    known = [i for i in ids if i is not None]
    names: dict[int | None, str] = {
        uid: name for uid, name in s.execute(select(User.id, User.display_name).where(User.id.in_(known)))
    }
    names[None] = ""
    return names


def headings(table: ReportTable, language: str | None = None) -> list[str]:
    """The shown columns' titles in the reader's language."""
    return [i18n.gettext(c.title, language) for c in table.shown]


def lines(table: ReportTable, language: str | None = None) -> list[list[object]]:
    """The rows and then the totals as plain cells (amounts exact, days as dates), a total named in the
    first column ("Total" — per currency: the currency column says which)."""
    shown = table.shown
    out = [[_cell(c, row.get(c.key), language) for c in shown] for row in table.rows]
    for total in table.totals:
        cells: list[object] = [total.get(c.key) for c in shown]
        cells[0] = i18n.gettext("Total", language)
        out.append(cells)
    return out


def written(
    column: Column,
    value: Any,
    currency: str,
    money: Callable[[Decimal, str], str],
    language: str | None = None,
) -> str:
    """A value as a reader reads it in `language`: by its column's kind, money in the row's currency as
    `money` writes it (the window keeps it left to right, the command line leaves the code out)."""
    if value is None or value == "":
        return i18n.Message(column.blank).render(language) if column.blank else ""
    kind = column.kind
    if kind in ("money", "amount"):
        return money(value, currency) if currency else i18n.number_text(Decimal(value).normalize(), language)
    if kind == "word":
        return i18n.Message(value).render(language)
    if kind == "count":
        return i18n.number_text(value, language)
    if kind in ("hours", "days"):
        return i18n.number_text(Decimal(value).quantize(Decimal("0.1")), language)
    if kind == "percent":
        return f"{i18n.number_text(value, language)} %"
    if kind == "day":
        return i18n.day_text(value, language)
    if kind == "month":
        return i18n.month_text(value, language)
    return str(value)


NUMERIC = frozenset({"count", "money", "amount", "hours", "percent", "days"})  # right-aligned


def _cell(column: Column, value: object, language: str | None) -> object:
    if value in (None, "") and column.blank:
        return i18n.Message(column.blank).render(language)
    if column.kind == "word" and isinstance(value, str) and value:
        return i18n.Message(value).render(language)
    return value


def table_file(ctx: ServiceContext, table: ReportTable, query: ReportQuery, path: Path) -> int:
    """The report as shown into a .csv or .xlsx file (the export right needed, the export audited)."""
    rows = lines(table)
    return exports.list_file(ctx, path, "report", headings(table), rows, len(rows), described(table, query))


def exported(ctx: ServiceContext, table: ReportTable, query: ReportQuery, how: str) -> None:
    """The report left the CRM another way ("pdf", "print"): only with the export right, and logged."""
    exports.require_export_right(ctx)
    exports.record_export(ctx, "report", len(table.rows), {"format": how, **described(table, query)})


# The report functions register themselves as their modules are read.
from crm_desktop.services import plans, report_money, report_sales, report_work  # noqa: E402, F401
