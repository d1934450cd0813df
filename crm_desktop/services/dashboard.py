"""The dashboard's figures: where money and work stand for the period, counted as the asker may see.

Each figure is computed on its own from the tables it reads (`FIGURES`), so after a save only the figures
whose tables it touched are computed again — a new task recounts the overdue tasks and the team's load,
not the revenue. Every figure is one or two SQL aggregates over indexed columns (report_*.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crm_desktop.services import (
    plans,
    report_money,
    report_sales,
    report_work,
    reports,
    work_calendar,
    workload,
)
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.periods import Period, months
from crm_desktop.services.reports import Asked, ReportQuery, ReportTable, asked, ratio


@dataclass(frozen=True)
class Leads:
    count: int  # clients added in the period
    answered: int  # of them, those someone called, met, wrote to or noted about
    response_hours: Decimal | None  # on average, from being added to that first answer
    last_year: int  # added in the same period a year before


@dataclass(frozen=True)
class Closed:
    won: int
    lost: int
    won_value: dict[str, Decimal]
    lost_value: dict[str, Decimal]
    conversion: Decimal | None  # won of those closed, %
    last_year_won: int
    last_year_conversion: Decimal | None


@dataclass(frozen=True)
class Revenue:
    amounts: dict[str, Decimal]  # invoiced before tax less credited, per currency
    last_year: dict[str, Decimal]
    plan: dict[str, Decimal]  # the months' plans wholly in the period (plans.planned), per currency


@dataclass(frozen=True)
class Pipeline:
    open_deals: int
    value: dict[str, Decimal]
    weighted: dict[str, Decimal]  # each deal's value times its stage's probability


@dataclass(frozen=True)
class Receivables:
    owed: dict[str, Decimal]
    overdue: dict[str, Decimal]  # of it, past the due date


@dataclass(frozen=True)
class LateWork:
    jobs: int  # open jobs expected to end after their planned day
    stages: int  # stages not done expected to end after theirs


@dataclass(frozen=True)
class TeamLoad:
    planned: Decimal  # hours of work planned this week
    capacity: Decimal  # hours the people have this week

    @property
    def percent(self) -> Decimal | None:
        return ratio(self.planned, self.capacity)


@dataclass(frozen=True)
class OverdueTasks:
    count: int


def _leads(a: Asked) -> Leads:
    count, answered, hours = report_sales.new_leads(a)
    return Leads(count, answered, hours, report_sales.new_leads(_year_before(a))[0])


def _closed(a: Asked) -> Closed:
    now, before = report_sales.closed_deals(a), report_sales.closed_deals(_year_before(a))
    return Closed(
        now["won"],
        now["lost"],
        now["won_value"],
        now["lost_value"],
        now["conversion"],
        before["won"],
        before["conversion"],
    )


def _revenue(a: Asked) -> Revenue:
    return Revenue(
        report_money.revenue(a), report_money.revenue(a, a.period.year_before()), plans.planned(a, "revenue")
    )


def _pipeline(a: Asked) -> Pipeline:
    return Pipeline(*report_sales.pipeline(a))


def _receivables(a: Asked) -> Receivables:
    return Receivables(*report_money.receivables(a))


def _late_work(a: Asked) -> LateWork:
    return LateWork(*report_work.late_work(a))


def _overdue(a: Asked) -> OverdueTasks:
    return OverdueTasks(report_work.overdue_tasks(a))


def _team_load(a: Asked) -> TeamLoad:
    """The hours planned for this week's working days (whatever the period), against the people's hours."""
    calendar = work_calendar.of(a.ctx)
    monday = a.today - timedelta(days=a.today.weekday())
    week = [monday + timedelta(days=n) for n in range(7)]
    working = [d for d in week if calendar.is_working_day(d)]
    if not working:
        return TeamLoad(Decimal(0), Decimal(0))
    load = workload.load(a.ctx, working[0], days=len(working))
    people = [p for p in load.people if a.scope.people is None or p.user_id in a.scope.people]
    planned = sum((p.planned for p in people), Decimal(0))
    if a.scope.people is None:
        planned += load.unassigned.planned
    return TeamLoad(planned, sum((p.capacity for p in people), Decimal(0)))


def _year_before(a: Asked) -> Asked:
    return replace(a, query=replace(a.query, period=a.period.year_before()))


WORK = {"tasks", "jobs", "job_stages", "person_hours", "absences", "holidays", "company_profile"}
# Each figure: how it is computed, and the tables whose changes change it (users: whose team is whose).
FIGURES: dict[str, tuple[Callable[[Asked], Any], frozenset[str]]] = {
    "leads": (_leads, frozenset({"clients", "activities", "users"})),
    "closed": (_closed, frozenset({"deals", "clients", "users"})),
    "revenue": (_revenue, frozenset({"documents", "clients", "deals", "users", "plans"})),
    "pipeline": (_pipeline, frozenset({"deals", "stages", "clients", "users"})),
    "receivables": (_receivables, frozenset({"documents", "payments", "clients", "deals", "users"})),
    "late_work": (_late_work, frozenset({"jobs", "job_stages", "users"})),
    "team_load": (_team_load, frozenset({*WORK, "users"})),
    "overdue_tasks": (_overdue, frozenset({"tasks", "users"})),
}


# What each figure costs to count, roughly (on 100,000 clients: the team's load ~40 ms, the overdue tasks ~1).
COST = {
    "team_load": 4,
    "late_work": 2,
    "leads": 1.5,
    "closed": 1,
    "revenue": 1,
    "pipeline": 1,
    "receivables": 1,
}


def halves(keys: Iterable[str]) -> list[list[str]]:
    """`keys` in two groups of about the same cost, to be counted side by side (the window's two read
    threads): the dearest first, each to the group that costs less so far."""
    groups: list[list[str]] = [[], []]
    costs = [0.0, 0.0]
    for key in sorted(keys, key=lambda k: -COST.get(k, 0.1)):
        lighter = costs.index(min(costs))
        groups[lighter].append(key)
        costs[lighter] += COST.get(key, 0.1)
    return [g for g in groups if g]


def affected(tables: Iterable[str]) -> set[str]:
    """The figures a change to these tables may change."""
    changed = set(tables)
    return {key for key, (_, reads) in FIGURES.items() if reads & changed}


def figures(ctx: ServiceContext, query: ReportQuery, only: Iterable[str] | None = None) -> dict[str, Any]:
    """The dashboard's figures (or `only` those) for the period and people `query` asks for."""
    keys = list(FIGURES) if only is None else [k for k in FIGURES if k in set(only)]
    with ctx.read() as s:
        a = asked(ctx, s, query)
        return {key: FIGURES[key][0](a) for key in keys}


# The charts under the tiles, each drawn from a report (services/reports.py) for the dashboard's people.
CHARTS = ("funnel", "revenue_by_month", "pipeline_forecast", "tasks_by_person", "hours_by_job")


def chart_query(name: str, query: ReportQuery, today: date) -> ReportQuery:
    """The period a chart shows: revenue the twelve months to this one (beside the year before), the
    pipeline from this month on (the report's own), the rest the dashboard's period."""
    if name == "revenue_by_month":
        twelve = months(today, 12)
        return replace(query, period=Period(twelve[0].first, twelve[-1].last))
    return query


def charts(
    ctx: ServiceContext, query: ReportQuery, only: Iterable[str] | None = None
) -> dict[str, ReportTable]:
    """The charts' reports (or `only` those), read without being audited: the dashboard is looked at, not
    a report asked for."""
    names = [n for n in CHARTS if only is None or n in set(only)]
    return {name: reports.compute(ctx, name, chart_query(name, query, ctx.today())) for name in names}


def charts_affected(tables: Iterable[str]) -> set[str]:
    changed = set(tables)
    return {name for name in CHARTS if reports.REPORTS[name].tables & changed}
