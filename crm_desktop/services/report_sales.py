"""The sales reports: the funnel with its conversion and time in each stage, deals stuck in a stage, why
deals were lost, where leads come from, the pipeline by the month deals are expected to close, and what
each person did (calls, meetings, emails, notes).

A deal is counted for its owner, a lead (a client) for its owner, an activity for its author.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select, union_all

from crm_desktop.db.models import Activity, Client, Deal, DealStageChange, Pipeline, Stage
from crm_desktop.db.types import UTCDateTime
from crm_desktop.i18n import N_
from crm_desktop.services import stage_time
from crm_desktop.services.aggregates import bucket, money_sum, seconds_between, weighted_sum
from crm_desktop.services.periods import boundaries, months_from
from crm_desktop.services.reports import STUCK_DAYS, Answer, Asked, Column, Whole, person_names, ratio, report

HUMAN_KINDS = ("call", "meeting", "email", "note")  # what a person did (not the app's own entries)
DEAL_TABLES = {"deals", "deal_stage_changes", "stages", "pipelines", "clients", "users"}
CURRENCY = Column("currency", N_("Currency"))
KIND_KEYS = ("calls", "meetings", "emails", "notes")  # the columns of HUMAN_KINDS


def _deals_in_scope(a: Asked) -> ColumnElement[bool]:
    return and_(a.scope.of(Deal.owner_id), a.sees_client_of(Deal.client_id))


# --- the dashboard's sales figures ----------------------------------------------------------------


def first_response() -> ColumnElement[datetime]:
    """When someone first called, met, wrote to or noted about the client (after it was added)."""
    return (
        select(func.min(Activity.occurred_at))
        .where(
            Activity.client_id == Client.id,
            Activity.kind.in_(HUMAN_KINDS),
            Activity.occurred_at >= Client.created_at,
        )
        .scalar_subquery()
    )


def _leads(a: Asked, *columns: Any) -> Any:
    """The clients added in the period, each with when it came and when it was first answered (and
    `columns`): a subquery for the counts of the dashboard and of the lead sources."""
    return (
        select(Client.created_at.label("created"), first_response().label("answered"), *columns)
        .where(
            Client.created_at >= a.start,
            Client.created_at < a.end,
            a.scope.of(Client.owner_id),
            a.sees_client(),
        )
        .subquery()
    )


def _answering(a: Asked, leads: Any) -> tuple[Any, Any, Any]:
    """How many leads, how many answered, and the seconds it took to answer them all, as aggregates."""
    waited = func.sum(seconds_between(a.s, leads.c.created, leads.c.answered))
    return func.count(), func.count(leads.c.answered), waited


def new_leads(a: Asked) -> tuple[int, int, Decimal | None]:
    """Clients added in the period: how many, how many were answered, their average hours to the answer."""
    n, responded, seconds = a.s.execute(select(*_answering(a, _leads(a)))).one()
    return n, responded, ratio(hours_of_seconds(seconds), responded, percent=False)


def hours_of_seconds(seconds: float | None) -> Decimal:
    """Seconds summed in SQL as hours, to the second (SQLite's day fractions carry float noise)."""
    return Decimal(round(seconds or 0)) / 3600


def closed_deals(a: Asked) -> dict[str, Any]:
    """The deals won and lost in the period: how many, their value per currency, the share won."""
    q = (
        select(Deal.outcome, Deal.currency, func.count(), money_sum(Deal.amount))
        .select_from(Deal)
        .where(
            Deal.outcome.in_(("won", "lost")),
            Deal.closed_at >= a.start,
            Deal.closed_at < a.end,
            _deals_in_scope(a),
        )
        .group_by(Deal.outcome, Deal.currency)
    )
    out: dict[str, Any] = {"won": 0, "lost": 0, "won_value": {}, "lost_value": {}}
    for outcome, currency, n, value in a.s.execute(q):
        out[outcome] += n
        out[f"{outcome}_value"][currency] = value
    out["conversion"] = ratio(out["won"], out["won"] + out["lost"])
    return out


def pipeline(a: Asked) -> tuple[int, dict[str, Decimal], dict[str, Decimal]]:
    """The open deals: how many, their value and their value weighted by their stages' probability."""
    q = (
        select(
            Deal.currency, func.count(), money_sum(Deal.amount), weighted_sum(Deal.amount, Stage.probability)
        )
        .select_from(Deal)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Deal.outcome == "open", _deals_in_scope(a))
        .group_by(Deal.currency)
    )
    count, value, weighted = 0, {}, {}
    for currency, n, amount, share in a.s.execute(q):
        count += n
        value[currency] = amount
        weighted[currency] = share.quantize(Decimal("0.0001"))
    return count, value, weighted


# --- reports --------------------------------------------------------------------------------------


def _cohort(a: Asked) -> Any:
    """The deals added in the period (the funnel follows them whatever became of them since)."""
    return select(Deal.id).where(Deal.created_at >= a.start, Deal.created_at < a.end, _deals_in_scope(a))


@report(
    "funnel",
    N_("Sales funnel"),
    N_(
        "The deals added in the period: how many reached each stage, how many went on to the next, "
        "and how many days they spent in it on average."
    ),
    DEAL_TABLES,
)
def funnel(a: Asked) -> Answer:
    cohort = _cohort(a).subquery()
    reached = union_all(
        select(DealStageChange.deal_id, DealStageChange.to_stage_id.label("stage_id")).where(
            DealStageChange.deal_id.in_(select(cohort.c.id))
        ),
        select(Deal.id, Deal.stage_id).where(Deal.id.in_(select(cohort.c.id))),
    ).subquery()
    tops = (
        select(Stage.pipeline_id, func.max(Stage.position).label("top"))
        .select_from(reached)
        .join(Stage, and_(Stage.id == reached.c.stage_id, Stage.is_lost.is_(False)))
        .group_by(reached.c.deal_id, Stage.pipeline_id)
        .subquery()
    )
    furthest: dict[int, dict[int, int]] = {}
    for pipeline_id, top, n in a.s.execute(
        select(tops.c.pipeline_id, tops.c.top, func.count()).group_by(tops.c.pipeline_id, tops.c.top)
    ):
        furthest.setdefault(pipeline_id, {})[top] = n
    spent = _days_in_stages(a, cohort)
    rows = []
    stages = a.s.execute(
        select(Pipeline.id, Pipeline.name, Stage.id, Stage.name, Stage.position)
        .join(Stage, Stage.pipeline_id == Pipeline.id)
        .where(Stage.is_lost.is_(False), Pipeline.id.in_(list(furthest)))
        .order_by(Pipeline.position, Pipeline.id, Stage.position)
    ).all()
    for i, (pipeline_id, pipeline_name, stage_id, stage_name, position) in enumerate(stages):
        tops_of = furthest[pipeline_id]
        count = sum(n for top, n in tops_of.items() if top >= position)
        following = stages[i + 1] if i + 1 < len(stages) and stages[i + 1][0] == pipeline_id else None
        went_on = sum(n for top, n in tops_of.items() if top >= following[4]) if following else None
        seconds, deals = spent.get(stage_id, (0.0, 0))
        rows.append(
            {
                "pipeline": pipeline_name,
                "stage": stage_name,
                "reached": count,
                "went_on": went_on,
                "conversion": ratio(went_on, count) if following else None,
                "average_days": ratio(Decimal(str(seconds / 86400)), deals, percent=False) if deals else None,
            }
        )
    columns = (
        Column("pipeline", N_("Pipeline")),
        Column("stage", N_("Stage")),
        Column("reached", N_("Deals reached"), "count"),
        Column("went_on", N_("Went on"), "count"),
        Column("conversion", N_("Conversion, %"), "percent"),
        Column("average_days", N_("Days in stage"), "days"),
    )
    return columns, rows


def _days_in_stages(a: Asked, cohort: Any) -> dict[int, tuple[float, int]]:
    """Per stage: the seconds the cohort's deals spent in it (every stay, a deal moved back and forth
    counting each), and how many deals stayed in it. An open deal's stay goes on until now; a won or lost
    deal rests in its last stage, which is not time spent selling."""
    c = DealStageChange
    stays = (
        select(
            c.deal_id,
            c.to_stage_id,
            c.changed_at,
            func.lead(c.changed_at)
            .over(partition_by=c.deal_id, order_by=(c.changed_at, c.id))
            .label("left_at"),
        )
        .where(c.deal_id.in_(select(cohort.c.id)))
        .subquery()
    )
    now = literal(a.now, UTCDateTime())
    seconds = seconds_between(a.s, stays.c.changed_at, func.coalesce(stays.c.left_at, now))
    q = (
        select(stays.c.to_stage_id, func.sum(seconds), func.count(func.distinct(stays.c.deal_id)))
        .join(Stage, Stage.id == stays.c.to_stage_id)
        .where(Stage.is_won.is_(False), Stage.is_lost.is_(False))
        .group_by(stays.c.to_stage_id)
    )
    return {stage_id: (float(total or 0), n) for stage_id, total, n in a.s.execute(q)}


@report(
    "lost_reasons",
    N_("Why deals were lost"),
    N_("The deals lost in the period by the reason given, with their value."),
    DEAL_TABLES,
)
def lost_reasons(a: Asked) -> Answer:
    reason = func.trim(Deal.lost_reason)
    q = (
        select(reason, Deal.currency, func.count(), money_sum(Deal.amount))
        .select_from(Deal)
        .where(Deal.outcome == "lost", Deal.closed_at >= a.start, Deal.closed_at < a.end, _deals_in_scope(a))
        .group_by(reason, Deal.currency)
    )
    rows = [
        {"reason": why or "", "currency": currency, "deals": n, "value": value}
        for why, currency, n, value in a.s.execute(q)
    ]
    rows.sort(key=lambda r: (r["currency"], -r["deals"], r["reason"]))
    columns = (
        Column("reason", N_("Reason"), blank=N_("(no reason given)")),
        CURRENCY,
        Column("deals", N_("Deals"), "count", total=True),
        Column("value", N_("Value"), "money", total=True),
    )
    return columns, rows


@report(
    "lead_sources",
    N_("Lead sources"),
    N_(
        "The clients added in the period by where they came from: how many became customers, and how "
        "soon someone answered them."
    ),
    {"clients", "activities", "deals", "users"},
)
def lead_sources(a: Asked) -> Answer:
    won = select(Deal.id).where(Deal.client_id == Client.id, Deal.outcome == "won").exists()
    inner = _leads(a, Client.source.label("source"), won.label("won"))
    leads_count, answered, waited = _answering(a, inner)
    q = select(inner.c.source, leads_count, func.count().filter(inner.c.won), answered, waited).group_by(
        inner.c.source
    )
    rows = []
    for source, leads, customers, responded, seconds in a.s.execute(q):
        hours = hours_of_seconds(seconds)
        rows.append(
            {
                "source": source or "",
                "leads": leads,
                "customers": customers,
                "conversion": ratio(customers, leads),
                "answered": responded,
                "response_hours": hours,
                "average_response": ratio(hours, responded, percent=False),
            }
        )
    rows.sort(key=lambda r: (-r["leads"], r["source"]))
    columns = (
        Column("source", N_("Source"), blank=N_("(no source)")),
        Column("leads", N_("Leads"), "count", total=True),
        Column("customers", N_("Customers"), "count", total=True),
        Column("conversion", N_("Conversion, %"), "percent", ratio=("customers", "leads")),
        Column("answered", N_("Answered"), "count", total=True),
        Column("average_response", N_("First answer, hours"), "hours", ratio=("response_hours", "answered")),
        Column("response_hours", "", "hours", total=True, hidden=True),
    )
    return columns, rows


@report(
    "pipeline_forecast",
    N_("Pipeline by expected close"),
    N_(
        "The open deals by the month of the next twelve they are expected to close in (those expected "
        "earlier or later, or with no day, together), with their value weighted by their stage's probability."
    ),
    DEAL_TABLES,
)
def pipeline_forecast(a: Asked) -> Answer:
    spans = months_from(a.today, 12)
    edges: list[date] = boundaries(spans)  # type: ignore[assignment]
    month = bucket(Deal.expected_close, edges)
    q = (
        select(
            month,
            Deal.currency,
            func.count(),
            money_sum(Deal.amount),
            weighted_sum(Deal.amount, Stage.probability),
        )
        .select_from(Deal)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Deal.outcome == "open", _deals_in_scope(a))
        .group_by(month, Deal.currency)
    )
    rows = []
    for index, currency, n, value, weighted in a.s.execute(q):
        rows.append(
            {
                "month": edges[index] if index is not None else None,  # (None: outside the twelve months)
                "currency": currency,
                "deals": n,
                "value": value,
                "weighted": weighted.quantize(Decimal("0.0001")),
            }
        )
    rows.sort(key=lambda r: (r["currency"], r["month"] or date.max))
    columns = (
        Column("month", N_("Month"), "month", blank=N_("Earlier, later or not set")),
        CURRENCY,
        Column("deals", N_("Deals"), "count", total=True),
        Column("value", N_("Value"), "money", total=True),
        Column("weighted", N_("Weighted"), "money", total=True),
    )
    return columns, rows


@report(
    "activity_by_person",
    N_("Activity by person"),
    N_("The calls, meetings, emails and notes each person entered in the period."),
    {"activities", "clients", "users"},
)
def activity_by_person(a: Asked) -> Answer:
    counts = [func.count().filter(Activity.kind == kind) for kind in HUMAN_KINDS]
    q = (
        select(Activity.author_id, *counts, func.count())
        .join(Client, Client.id == Activity.client_id)
        .where(
            Activity.kind.in_(HUMAN_KINDS),
            Activity.occurred_at >= a.start,
            Activity.occurred_at < a.end,
            a.scope.of(Activity.author_id),
            a.sees_client(),
        )
        .group_by(Activity.author_id)
    )
    found = a.s.execute(q).all()
    names = person_names(a.s, {row[0] for row in found})
    rows = [
        {"person": names.get(author, ""), **dict(zip(KIND_KEYS, kinds, strict=True)), "total": total}
        for author, *kinds, total in found
    ]
    rows.sort(key=lambda r: (-r["total"], r["person"]))
    columns = (
        Column("person", N_("Employee"), blank=N_("(nobody)")),
        Column("calls", N_("Calls"), "count", total=True),
        Column("meetings", N_("Meetings"), "count", total=True),
        Column("emails", N_("Emails"), "count", total=True),
        Column("notes", N_("Notes"), "count", total=True),
        Column("total", N_("All"), "count", total=True),
    )
    return columns, rows


@report(
    "stuck_deals",
    N_("Stuck deals"),
    N_(
        "The open deals longer in their stage than its time limit — or than the days asked for, where the "
        "stage has none — the longest first."
    ),
    DEAL_TABLES,
    options=("days",),
)
def stuck_deals(a: Asked) -> Answer:
    entry = stage_time.entered_stage_at()
    allowed = {
        stage_id: a.query.days or limit or STUCK_DAYS
        for stage_id, limit in a.s.execute(
            select(Stage.id, Stage.time_limit_days).where(Stage.is_won.is_(False), Stage.is_lost.is_(False))
        )
    }
    if not allowed:
        return STUCK_COLUMNS, []
    # Each deal held to its own stage's days, in SQL: a big office may have thousands stuck.
    where = and_(Deal.outcome == "open", stage_time.stayed_longer(allowed, a.now), _deals_in_scope(a))
    sums = a.s.execute(
        select(Deal.currency, func.count(), money_sum(Deal.amount)).where(where).group_by(Deal.currency)
    ).all()
    found = a.s.execute(
        select(
            Deal.title, Client.name, Stage.id, Stage.name, Deal.owner_id, entry.at, Deal.currency, Deal.amount
        )
        .select_from(Deal)
        .join(Client, Client.id == Deal.client_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(where)
        .order_by(entry.at, Deal.id)
        .limit(LISTED)
    ).all()
    names = person_names(a.s, {r[4] for r in found})
    rows: list[dict[str, Any]] = [
        {
            "deal": title,
            "client": client,
            "stage": stage,
            "person": names.get(owner, ""),
            "days": Decimal((a.now - entered).total_seconds() / 86400).quantize(Decimal("0.1")),
            "limit": allowed[stage_id],
            "currency": currency,
            "amount": amount,
        }
        for title, client, stage_id, stage, owner, entered, currency, amount in found
    ]
    everything = sum(n for _c, n, _v in sums)
    whole = [{"currency": c, "amount": v} for c, _n, v in sorted(sums)]
    return STUCK_COLUMNS, rows, Whole(whole, everything - len(rows))


LISTED = 500  # the longest stuck listed; the totals count them all
STUCK_COLUMNS = (
    Column("deal", N_("Deal")),
    Column("client", N_("Client")),
    Column("stage", N_("Stage")),
    Column("person", N_("Owner"), blank=N_("(nobody)")),
    Column("days", N_("Days in stage"), "days"),
    Column("limit", N_("Limit, days"), "count"),
    CURRENCY,
    Column("amount", N_("Value"), "money", total=True),
)
