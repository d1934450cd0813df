"""Monthly plans and KPIs: what a person — or the whole office — is to reach in a month (revenue in a
currency, new deals, deals won, calls, billable hours), and what they reached, counted from the data as
the reports count it (report_*.py), with the share of the plan.

A manager sets the plans of their team and their own, an administrator anyone's and the office's. A month
that is over may be closed by an administrator: each of its plans keeps the figure it was measured
against, and is never changed again — later corrections (a late credit note) do not rewrite a closed month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import PLAN_METRICS, Activity, Deal, Plan, TimeEntry, User
from crm_desktop.i18n import N_, Message
from crm_desktop.services import money, report_money
from crm_desktop.services import validation as v
from crm_desktop.services.aggregates import money_sum
from crm_desktop.services.context import ServiceContext, check_version, company_profile
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.periods import Period, month_of, months_of
from crm_desktop.services.report_scope import Scope, team
from crm_desktop.services.reports import (
    Answer,
    Asked,
    Column,
    ReportQuery,
    asked,
    person_names,
    ratio,
    report,
)
from crm_desktop.services.work_billing import hours_of_minutes

METRICS = PLAN_METRICS
METRIC_NAMES = {
    "revenue": N_("Revenue"),
    "new_deals": N_("New deals"),
    "won_deals": N_("Deals won"),
    "calls": N_("Calls"),
    "billable_hours": N_("Billable hours"),
}
MAX_TARGET = Decimal(10**14)


@dataclass(frozen=True)
class PlanRow:
    id: int
    month: date
    user_id: int | None  # None: the whole office's
    person: str
    metric: str
    target: Decimal
    currency: str  # revenue's; "" for counts and hours
    actual: Decimal  # as counted now; for a closed month, as it was when it closed
    closed: bool
    version: int

    @property
    def percent(self) -> Decimal | None:
        return ratio(self.actual, self.target)


def metric_name(metric: str) -> Message:
    return Message(METRIC_NAMES[metric])


# --- what was reached ------------------------------------------------------------------------------


Reached = dict[tuple[int | None, str], Decimal]  # (person, currency) → figure; counts and hours: ""


def reached_by_person(a: Asked, metric: str) -> Reached:
    """The figure `metric` measures in `a`'s period for each person (None: nobody's) — one grouped query
    however many plans a month has."""
    if metric == "revenue":
        return {
            (r["key"], r["currency"]): r["revenue"]
            for r in report_money.revenue_rows(a, report_money.PERSON, names=True)
        }
    if metric == "billable_hours":
        hours = (
            select(TimeEntry.user_id, func.sum(TimeEntry.minutes))
            .where(TimeEntry.billable, TimeEntry.day >= a.period.first, TimeEntry.day < a.period.after)
            .group_by(TimeEntry.user_id)
        )
        return {(who, ""): hours_of_minutes(minutes) for who, minutes in a.s.execute(hours)}
    if metric in ("new_deals", "won_deals"):
        won = and_(Deal.outcome == "won", Deal.closed_at >= a.start, Deal.closed_at < a.end)
        new = and_(Deal.created_at >= a.start, Deal.created_at < a.end)
        deals = (
            select(Deal.owner_id, func.count())
            .where(won if metric == "won_deals" else new, a.sees_client_of(Deal.client_id))
            .group_by(Deal.owner_id)
        )
        return {(who, ""): Decimal(n) for who, n in a.s.execute(deals)}
    if metric == "calls":
        calls = (
            select(Activity.author_id, func.count())
            .where(
                Activity.kind == "call",
                Activity.occurred_at >= a.start,
                Activity.occurred_at < a.end,
                a.sees_client_of(Activity.client_id),
            )
            .group_by(Activity.author_id)
        )
        return {(who, ""): Decimal(n) for who, n in a.s.execute(calls)}
    raise ValidationError("metric", "There is no plan figure '{metric}'.", metric=metric)


def _actuals(a: Asked, plans: list[Plan]) -> dict[int, Decimal]:
    """What each open plan reached: its person's figure, or everyone's added up for the office's."""
    out: dict[int, Decimal] = {}
    asked_for = {(p.month, p.metric) for p in plans if p.closed_at is None}
    for month, metric in asked_for:
        found = reached_by_person(replace(a, scope=Scope(None), query=ReportQuery(month_of(month))), metric)
        for p in plans:
            if p.closed_at is None and (p.month, p.metric) == (month, metric):
                key = p.currency if metric == "revenue" else ""
                out[p.id] = (
                    sum((v for (_who, cur), v in found.items() if cur == key), Decimal(0))
                    if p.user_id is None
                    else found.get((p.user_id, key), Decimal(0))
                )
    return out


# --- reading -----------------------------------------------------------------------------------------


def _visible(a: Asked) -> Any:
    """The plans the asker reads: their own, their team's (a manager), everyone's and the office's (an
    administrator; a manager reads the office's too)."""
    if a.actor.is_admin:
        return None
    people = team(a.s, a.actor.user_id) if a.actor.role == "manager" else frozenset({a.actor.user_id})
    mine = Plan.user_id.in_(sorted(people))
    return or_(mine, Plan.user_id.is_(None)) if a.actor.role == "manager" else mine


def _rows(a: Asked, plans: Iterable[Plan]) -> list[PlanRow]:
    found = list(plans)
    names = person_names(a.s, {p.user_id for p in found})
    now = _actuals(a, found)
    out = []
    for p in found:
        actual = p.actual if p.closed_at is not None else now[p.id]
        out.append(
            PlanRow(p.id, p.month, p.user_id, names.get(p.user_id, ""), p.metric, p.target, p.currency,
                    actual if actual is not None else Decimal(0), p.closed_at is not None, p.version)
        )  # fmt: skip
    return sorted(
        out, key=lambda r: (r.month, r.user_id is not None, r.person.casefold(), METRICS.index(r.metric))
    )


def _plans_of(a: Asked, months: Period) -> list[Plan]:
    q = select(Plan).where(Plan.month >= months.first, Plan.month <= months.last)
    visible = _visible(a)
    if visible is not None:
        q = q.where(visible)
    return list(a.s.scalars(q))


def month_plans(ctx: ServiceContext, month: date) -> list[PlanRow]:
    """The plans of the month holding `month` that this user reads, each with what was reached."""
    with ctx.read() as s:
        a = asked(ctx, s, ReportQuery(month_of(month)))
        return _rows(a, _plans_of(a, month_of(month)))


def planned(a: Asked, metric: str) -> dict[str, Decimal]:
    """The plans of `metric` for the months wholly in `a`'s period and `a`'s people, added up per currency
    ("" for counts): the dashboard's "of plan". An unfiltered administrator's is the office's plan."""
    if not _whole_months(a.period):
        return {}
    q = select(Plan.currency, money_sum(Plan.target)).where(
        Plan.metric == metric, Plan.month >= a.period.first, Plan.month <= a.period.last
    )
    q = q.where(
        Plan.user_id.is_(None) if a.scope.people is None else Plan.user_id.in_(sorted(a.scope.people))
    )
    raw = a.s.execute(q.group_by(Plan.currency)).all()
    return {currency: total for currency, total in raw if total}


def _whole_months(period: Period) -> bool:
    return period.first.day == 1 and period.after.day == 1


# --- setting -----------------------------------------------------------------------------------------


def _may_set(s: Session, ctx: ServiceContext, user_id: int | None) -> None:
    actor = ctx.actor
    if actor.is_admin:
        return
    if actor.role != "manager":
        raise PermissionDenied("Plans are set by a manager or an administrator.")
    if user_id is not None and user_id not in team(s, actor.user_id):
        raise PermissionDenied("A manager sets the plans of their own team.")


def _target(metric: str, value: object, currency: str) -> Decimal:
    amount = v.decimal("target", value, N_("The plan"))
    if amount <= 0:
        raise ValidationError("target", "Give the plan as a number above zero.")
    if amount >= MAX_TARGET:
        raise ValidationError("target", "This plan is too large to be real; check the number.")
    if metric == "revenue":
        money.check_fits("target", amount, currency)
        return amount
    places = Decimal("0.01") if metric == "billable_hours" else Decimal(1)
    if amount != amount.quantize(places) and metric == "billable_hours":
        raise ValidationError(
            "target", "Hours are planned to the hundredth (12.5), deals and calls in whole numbers."
        )
    if amount != amount.quantize(places):
        raise ValidationError("target", "Deals and calls are planned in whole numbers.")
    return amount


def set_plan(
    ctx: ServiceContext,
    *,
    month: date,
    metric: str,
    target: object,
    user_id: int | None = None,
    currency: str | None = None,
) -> PlanRow:
    """The plan of `metric` for `user_id` (None: the office) in the month holding `month`, made or changed."""
    if metric not in METRICS:
        raise ValidationError("metric", "There is no plan figure '{metric}'.", metric=metric)
    first = month_of(month).first
    with ctx.write() as s:
        _may_set(s, ctx, user_id)
        if user_id is not None and s.get(User, user_id) is None:
            raise NotFound("User #{user_id} does not exist.", user_id=user_id)
        code = (
            money.currency(currency or company_profile(s).default_currency).code
            if metric == "revenue"
            else ""
        )
        amount = _target(metric, target, code)
        plan = s.scalar(
            select(Plan).where(
                Plan.month == first,
                Plan.metric == metric,
                Plan.user_id.is_(None) if user_id is None else Plan.user_id == user_id,
            )
        )
        if plan is not None and plan.closed_at is not None:
            raise ValidationError("month", "This month is closed: its plans keep the figures they had.")
        if plan is None:
            plan = Plan(month=first, user_id=user_id, metric=metric, target=amount, currency=code)
            s.add(plan)
        else:
            plan.target, plan.currency = amount, code
        s.flush()
        return _after_write(ctx, s, plan)


def _after_write(ctx: ServiceContext, s: Session, plan: Plan) -> PlanRow:
    return _rows(asked(ctx, s, ReportQuery(month_of(plan.month))), [plan])[0]


def remove_plan(ctx: ServiceContext, plan_id: int, *, expected_version: int) -> None:
    with ctx.write() as s:
        plan = s.get(Plan, plan_id)
        if plan is None:
            raise NotFound("This plan no longer exists.")
        _may_set(s, ctx, plan.user_id)
        check_version(plan, expected_version, "plan")
        if plan.closed_at is not None:
            raise ValidationError("month", "This month is closed: its plans keep the figures they had.")
        s.delete(plan)


def close_month(ctx: ServiceContext, month: date) -> int:
    """Every plan of a month that is over keeps what it reached; how many were closed."""
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator closes a month.")
    span = month_of(month)
    if span.last >= ctx.today():
        raise ValidationError("month", "A month is closed once it is over.")
    with ctx.write() as s:
        a = asked(ctx, s, ReportQuery(span))
        plans = [p for p in _plans_of(a, span) if p.closed_at is None]
        actuals = _actuals(a, plans)
        for p in plans:
            p.actual, p.closed_at = actuals[p.id], ctx.now()
        return len(plans)


# --- the report ----------------------------------------------------------------------------------------


@report(
    "plan_vs_actual",
    N_("Plans and what was reached"),
    N_(
        "Each month's plans in the period — the office's and each person's — against what was reached, "
        "with the share of the plan. A closed month shows the figures it was closed with."
    ),
    {"plans", "documents", "deals", "activities", "time_entries", "clients", "users"},
)
def plan_vs_actual(a: Asked) -> Answer:
    months = months_of(a.period)
    found = [
        p
        for p in _plans_of(a, Period(months[0].first, months[-1].last))
        if a.scope.people is None or p.user_id in a.scope.people
    ]
    rows = [
        {"month": r.month, "person": r.person, "metric": METRIC_NAMES[r.metric], "currency": r.currency,
         "target": r.target, "actual": r.actual, "percent": r.percent,
         "state": N_("Month closed") if r.closed else ""}
        for r in _rows(a, found)
    ]  # fmt: skip
    columns = (
        Column("month", N_("Month"), "month"),
        Column("person", N_("Whose"), blank=N_("The office")),
        Column("metric", N_("Figure"), "word"),
        Column("currency", N_("Currency")),
        Column("target", N_("Plan"), "amount"),
        Column("actual", N_("Reached"), "amount"),
        Column("percent", N_("Of plan, %"), "percent"),
        Column("state", N_("State"), "word"),
    )
    return columns, rows
