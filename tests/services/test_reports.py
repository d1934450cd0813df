"""The reports' and the dashboard's numbers against a small office worked out by hand: two currencies kept
apart, a deal moved back and forth between stages, a credit note lowering revenue, a lead added at 01:00
on the 1st in Tashkent (the evening before in UTC) counted in its local month, and each person seeing their
own figures, a manager their team's. Spans services/report_money.py, report_sales.py, report_work.py,
dashboard.py, plans.py, periods.py and report_scope.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from crm_desktop.db.models import AuditEntry
from crm_desktop.services import (
    activities,
    clients,
    dashboard,
    deals,
    documents,
    invoices,
    payments,
    pipelines,
    plans,
    reports,
    tasks,
)
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.invoices import LineValues
from crm_desktop.services.periods import Period, instants, month_of, period_of
from crm_desktop.services.reports import ReportQuery

TASHKENT = ZoneInfo("Asia/Tashkent")  # UTC+5 all year
NOVEMBER = ReportQuery(Period(date(2026, 11, 1), date(2026, 11, 30)))
NEW, QUALIFIED, PROPOSAL, WON = 1, 2, 3, 5  # the stages of the pipeline a database starts with


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def office(ctx, clock, staff):
    """The office of the module docstring, the clock on 24 November 2026 at 10:00 UTC."""
    clock.tz = TASHKENT
    dilnoza, rashad = staff["dilnoza"], staff["rashad"]

    def when(moment: datetime):
        clock.current = moment

    when(datetime(2026, 10, 31, 20, tzinfo=UTC))  # 1 November, 01:00 in Tashkent
    alpha = clients.create(dilnoza, name="Alpha", source="Instagram")
    when(datetime(2026, 10, 31, 18, tzinfo=UTC))  # still 31 October there
    beta = clients.create(rashad, name="Beta", source="Referral")
    when(at(10, 5))
    gamma = clients.create(dilnoza, name="Gamma", source="Instagram")
    activities.add(
        dilnoza, alpha.id, kind="call", body="First call", occurred_at=datetime(2026, 10, 31, 22, tzinfo=UTC)
    )
    activities.add(dilnoza, gamma.id, kind="note", body="Wrote back", occurred_at=at(10, 9))

    when(at(2))
    d1 = deals.create(
        dilnoza,
        client_id=alpha.id,
        title="Site",
        amount="1000",
        currency="USD",
        owner_id=dilnoza.actor.user_id,
    )
    when(at(3))
    d2 = deals.create(
        dilnoza,
        client_id=gamma.id,
        title="Shop",
        amount="2000000",
        currency="UZS",
        owner_id=dilnoza.actor.user_id,
    )
    when(at(4))
    deals.create(
        rashad,
        client_id=beta.id,
        title="Repair",
        amount="500",
        currency="USD",
        stage_id=PROPOSAL,
        expected_close=date(2026, 12, 15),
        owner_id=rashad.actor.user_id,
    )
    d1 = deals.move_stage(dilnoza, d1.id, QUALIFIED, expected_version=d1.version)
    when(at(5))
    d1 = deals.move_stage(dilnoza, d1.id, NEW, expected_version=d1.version)  # back...
    d2 = deals.move_stage(dilnoza, d2.id, QUALIFIED, expected_version=d2.version)
    when(at(6))
    d1 = deals.move_stage(dilnoza, d1.id, QUALIFIED, expected_version=d1.version)  # ...and on again
    when(at(7))
    deals.mark_lost(dilnoza, d2.id, reason="Price too high", expected_version=d2.version)
    when(at(8))
    deals.move_stage(dilnoza, d1.id, WON, expected_version=d1.version)

    def issued(who, client, currency, lines, day, due=None, deal_id=None):
        draft = invoices.create_draft(
            who,
            client_id=client.id,
            currency=currency,
            lines=lines,
            issue_date=day,
            due_date=due,
            deal_id=deal_id,
        )
        return documents.issue(who, draft.id, expected_version=draft.version)

    when(at(20))
    i1 = issued(
        ctx,
        alpha,
        "USD",
        [LineValues("Design", 1, "", "1000", tax_rate="12")],
        date(2026, 11, 10),
        deal_id=d1.id,
    )
    i2 = issued(
        ctx, beta, "UZS", [LineValues("Repair", 2, "", "500000")], date(2026, 11, 1), date(2026, 11, 10)
    )
    issued(ctx, gamma, "USD", [LineValues("Design", 1, "", "300")], date(2026, 10, 31))  # October's
    issued(ctx, beta, "UZS", [LineValues("Repair", 1, "", "400000")], date(2025, 11, 15))  # a year before
    credit = documents.credit_note_for(ctx, i1.id)
    credit = invoices.update_draft(
        ctx,
        credit.id,
        expected_version=credit.version,
        issue_date=date(2026, 11, 20),
        lines=[LineValues("Design", 1, "", "250", tax_rate="12")],
    )
    documents.issue(ctx, credit.id, expected_version=credit.version)
    payments.record_payment(ctx, i1.id, amount="500", paid_on=date(2026, 11, 12))
    payments.record_payment(ctx, i2.id, amount="400000", paid_on=date(2026, 11, 20), method="cash")

    d_id, r_id = dilnoza.actor.user_id, rashad.actor.user_id
    when(at(1))
    t1 = tasks.create(ctx, title="Brief", due_at=at(10), assignee_id=d_id)
    t2 = tasks.create(ctx, title="Call back", due_at=at(12), assignee_id=d_id)
    tasks.create(ctx, title="Visit", due_at=at(20), assignee_id=r_id)
    tasks.create(ctx, title="Later", due_at=at(5, month=12), assignee_id=r_id)
    when(at(9))
    tasks.complete(ctx, t1.id, expected_version=t1.version)
    when(at(14))
    tasks.complete(ctx, t2.id, expected_version=t2.version)
    when(at(24))
    return {"dilnoza": dilnoza, "rashad": rashad, "manager": staff["manager"]}


def report(ctx, name, query=NOVEMBER):
    return reports.compute(ctx, name, query)


def test_periods_are_the_office_days_and_instants_its_midnights():
    p = period_of("quarter", date(2026, 11, 24))
    assert (p.first, p.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_of("week", date(2026, 11, 26)) == Period(date(2026, 11, 23), date(2026, 11, 29))
    assert instants(month_of(date(2026, 11, 5)), TASHKENT) == (
        datetime(2026, 10, 31, 19, tzinfo=UTC),
        datetime(2026, 11, 30, 19, tzinfo=UTC),
    )
    assert Period(date(2028, 2, 1), date(2028, 2, 29)).year_before() == Period(
        date(2027, 2, 1), date(2027, 2, 28)
    )
    with pytest.raises(ValidationError, match="ends before it starts"):
        period_of("custom", date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 5))


def test_revenue_by_month_keeps_currencies_apart_and_a_credit_note_lowers_it(ctx, office):
    table = report(ctx, "revenue_by_month")
    rows = {(r["currency"], r["month"]): r for r in table.rows}
    usd, uzs = rows[("USD", date(2026, 11, 1))], rows[("UZS", date(2026, 11, 1))]
    # 1,000 before tax invoiced on the 10th, 250 credited on the 20th; October's 300 is not November's.
    assert (usd["invoiced"], usd["credited"], usd["revenue"], usd["invoices"]) == (1000, 250, 750, 1)
    assert (uzs["revenue"], uzs["last_year"], uzs["change"]) == (1_000_000, 400_000, Decimal("150.0"))
    assert [(t["currency"], t["revenue"]) for t in table.totals] == [("USD", 750), ("UZS", 1_000_000)]


def test_revenue_by_client_manager_source_and_service(ctx, office):
    by_client = {(r["client"], r["currency"]): r["revenue"] for r in report(ctx, "revenue_by_client").rows}
    assert by_client == {("Alpha", "USD"): 750, ("Beta", "UZS"): 1_000_000}
    by_person = {(r["person"], r["currency"]): r["revenue"] for r in report(ctx, "revenue_by_manager").rows}
    assert by_person == {
        ("Dilnoza", "USD"): 750,
        ("Rashad", "UZS"): 1_000_000,
    }  # the deal's, the client's owner
    by_source = {(r["source"], r["currency"]): r["revenue"] for r in report(ctx, "revenue_by_source").rows}
    assert by_source == {("Instagram", "USD"): 750, ("Referral", "UZS"): 1_000_000}
    service = {
        (r["service"], r["currency"]): (r["invoiced"], r["credited"])
        for r in report(ctx, "revenue_by_service").rows
    }
    assert service == {("Design", "USD"): (1000, 250), ("Repair", "UZS"): (1_000_000, 0)}


def test_receivables_by_age_and_payments_received(ctx, office):
    ages = {r["client"]: r for r in report(ctx, "receivables_ageing").rows}
    # Alpha: 1,120 less 500 paid less 280 credited, due on the 24th (today): not late. Gamma's October
    # invoice is 10 days late; Beta's 14 days, and last year's never paid.
    assert (ages["Alpha"]["current"], ages["Alpha"]["total"]) == (340, 340)
    assert (ages["Gamma"]["days_1_30"], ages["Gamma"]["currency"]) == (300, "USD")
    beta = ages["Beta"]
    assert (beta["days_1_30"], beta["days_90"], beta["total"]) == (600_000, 400_000, 1_000_000)
    paid = report(ctx, "payments")
    assert [(r["day"], r["client"], r["amount"]) for r in paid.rows] == [
        (date(2026, 11, 12), "Alpha", 500),
        (date(2026, 11, 20), "Beta", 400_000),
    ]
    assert [(t["currency"], t["amount"]) for t in paid.totals] == [("USD", 500), ("UZS", 400_000)]


def test_the_funnel_follows_the_deals_added_in_the_period_even_moved_back_and_forth(ctx, office):
    rows = {r["stage"]: r for r in report(ctx, "funnel").rows}
    assert [
        (s, rows[s]["reached"], rows[s]["conversion"])
        for s in ("New", "Qualified", "Proposal", "Negotiation")
    ] == [
        ("New", 3, Decimal("100.0")),  # the repair deal started in Proposal: it went through them
        ("Qualified", 3, Decimal("66.7")),
        ("Proposal", 2, Decimal("50.0")),
        ("Negotiation", 1, Decimal("100.0")),
    ]
    assert rows["Won"]["reached"] == 1 and "Lost" not in rows
    # New: the site 2 + 1 days (two stays), the shop 2 days: 5 days over 2 deals; Proposal until today.
    assert rows["New"]["average_days"] == Decimal("2.5")
    assert rows["Qualified"]["average_days"] == Decimal("2.5")
    assert rows["Proposal"]["average_days"] == Decimal("20.0")


def test_lost_reasons_lead_sources_pipeline_and_activity(ctx, office):
    assert [
        (r["reason"], r["deals"], r["value"], r["currency"]) for r in report(ctx, "lost_reasons").rows
    ] == [("Price too high", 1, 2_000_000, "UZS")]
    sources = {r["source"]: r for r in report(ctx, "lead_sources").rows}
    # Alpha (01:00 on the 1st in Tashkent) and Gamma came in November, Beta in October.
    assert set(sources) == {"Instagram"}
    assert (sources["Instagram"]["leads"], sources["Instagram"]["customers"]) == (2, 1)
    assert sources["Instagram"]["average_response"] == Decimal("3.0")  # 2 h and 4 h
    forecast = report(ctx, "pipeline_forecast").rows
    assert [(r["month"], r["currency"], r["value"], r["weighted"]) for r in forecast] == [
        (date(2026, 12, 1), "USD", 500, 250)
    ]
    done = {r["person"]: (r["calls"], r["notes"], r["total"]) for r in report(ctx, "activity_by_person").rows}
    assert done == {"Dilnoza": (1, 1, 2)}


def test_tasks_by_person_count_on_time_and_overdue_and_the_total_rate_is_worked_out(ctx, office):
    table = report(ctx, "tasks_by_person")
    rows = {r["person"]: r for r in table.rows}
    assert (rows["Dilnoza"]["due"], rows["Dilnoza"]["on_time"], rows["Dilnoza"]["on_time_rate"]) == (
        2,
        1,
        Decimal("50.0"),
    )
    assert (rows["Rashad"]["due"], rows["Rashad"]["overdue"], rows["Rashad"]["on_time_rate"]) == (
        1,
        1,
        Decimal("0.0"),
    )
    # 1 on time of 3 due: 33.3 %, not the 25 % an average of the rows' percentages would say.
    assert table.totals == [
        {"due": 3, "done": 2, "on_time": 1, "overdue": 1, "on_time_rate": Decimal("33.3")}
    ]


def test_the_dashboard_counts_the_same(ctx, office):
    found = dashboard.figures(ctx, NOVEMBER)
    assert (found["leads"].count, found["leads"].answered, found["leads"].response_hours) == (
        2,
        2,
        Decimal("3.0"),
    )
    closed = found["closed"]
    assert (closed.won, closed.lost, closed.conversion) == (1, 1, Decimal("50.0"))
    assert closed.won_value == {"USD": 1000} and closed.lost_value == {"UZS": 2_000_000}
    assert found["revenue"].amounts == {"USD": 750, "UZS": 1_000_000}
    assert found["revenue"].last_year == {"UZS": 400_000}
    assert (found["pipeline"].open_deals, found["pipeline"].weighted) == (1, {"USD": 250})
    assert found["receivables"].owed == {"USD": 640, "UZS": 1_000_000}
    assert found["receivables"].overdue == {"USD": 300, "UZS": 1_000_000}
    assert found["overdue_tasks"].count == 1
    assert dashboard.affected({"tasks"}) == {"team_load", "overdue_tasks"}
    assert set(dashboard.figures(ctx, NOVEMBER, only={"revenue"})) == {"revenue"}


def test_staff_see_their_own_figures_and_a_manager_their_teams(ctx, office):
    dilnoza, rashad, manager = office["dilnoza"], office["rashad"], office["manager"]
    assert dashboard.figures(dilnoza, NOVEMBER)["revenue"].amounts == {"USD": 750}
    assert dashboard.figures(rashad, NOVEMBER)["revenue"].amounts == {"UZS": 1_000_000}
    assert {r["person"] for r in report(rashad, "tasks_by_person").rows} == {"Rashad"}
    assert dashboard.figures(manager, NOVEMBER)["closed"].won == 1  # Dilnoza is in Olga's team
    assert dashboard.figures(manager, NOVEMBER)["pipeline"].open_deals == 0  # Rashad is not
    with pytest.raises(PermissionDenied):
        report(dilnoza, "revenue_by_client", ReportQuery(NOVEMBER.period, user_id=rashad.actor.user_id))
    with pytest.raises(PermissionDenied):
        report(manager, "revenue_by_client", ReportQuery(NOVEMBER.period, user_id=rashad.actor.user_id))
    only_rashad = report(ctx, "revenue_by_client", ReportQuery(NOVEMBER.period, user_id=rashad.actor.user_id))
    assert [r["client"] for r in only_rashad.rows] == ["Beta"]
    team = report(ctx, "revenue_by_client", ReportQuery(NOVEMBER.period, team_of=manager.actor.user_id))
    assert [r["client"] for r in team.rows] == ["Alpha"]


def test_generating_a_report_is_audited_with_its_filters(ctx, office):
    table = reports.run(ctx, "payments", ReportQuery(NOVEMBER.period, user_id=office["rashad"].actor.user_id))
    with ctx.read() as s:
        action, changes = s.execute(
            select(AuditEntry.action, AuditEntry.changes).where(AuditEntry.entity == "report")
        ).one()
    assert action == "generate"
    assert changes == {
        "report": "payments",
        "from": "2026-11-01",
        "to": "2026-11-30",
        "rows": len(table.rows),
        "user_id": office["rashad"].actor.user_id,
    }
    with pytest.raises(NotFound, match="report list"):
        reports.run(ctx, "no_such_report", NOVEMBER)


def test_stuck_deals_are_those_longer_in_their_stage_than_asked_or_than_its_limit(ctx, office):
    asked = ReportQuery(NOVEMBER.period, days=14)
    assert [
        (r["deal"], r["stage"], r["days"], r["limit"]) for r in report(ctx, "stuck_deals", asked).rows
    ] == [
        ("Repair", "Proposal", Decimal("20.0"), 14)  # in Proposal since 4 November; the others are closed
    ]
    assert report(ctx, "stuck_deals", ReportQuery(NOVEMBER.period, days=21)).rows == []
    proposal = next(s for p in pipelines.list_pipelines(ctx) for s in p.stages if s.id == PROPOSAL)
    pipelines.update_stage(ctx, PROPOSAL, expected_version=proposal.version, time_limit_days=30)
    assert report(ctx, "stuck_deals").rows == []  # its stage allows 30 days
    with pytest.raises(ValidationError):
        report(ctx, "stuck_deals", ReportQuery(NOVEMBER.period, days=0))


def test_plans_are_measured_by_the_data_and_a_closed_month_keeps_its_figures(ctx, office, clock):
    dilnoza, manager = office["dilnoza"], office["manager"]
    d_id = dilnoza.actor.user_id
    november = date(2026, 11, 1)
    plans.set_plan(manager, month=november, metric="revenue", target="1000", user_id=d_id, currency="USD")
    plans.set_plan(manager, month=november, metric="won_deals", target="2", user_id=d_id)
    plans.set_plan(manager, month=november, metric="calls", target="4", user_id=d_id)
    plans.set_plan(manager, month=november, metric="new_deals", target="4", user_id=d_id)
    plans.set_plan(manager, month=november, metric="billable_hours", target="10", user_id=d_id)
    plans.set_plan(ctx, month=november, metric="revenue", target="2000000", currency="UZS")  # the office's
    found = {(p.user_id, p.metric): p for p in plans.month_plans(manager, november)}
    assert (found[(d_id, "revenue")].actual, found[(d_id, "revenue")].percent) == (750, Decimal("75.0"))
    assert (found[(d_id, "won_deals")].actual, found[(d_id, "calls")].actual) == (1, 1)
    assert (found[(d_id, "new_deals")].actual, found[(d_id, "billable_hours")].actual) == (2, 0)
    assert found[(None, "revenue")].actual == 1_000_000  # the office's, as its manager sees it
    assert {p.user_id for p in plans.month_plans(dilnoza, november)} == {d_id}  # her own plans only
    assert dashboard.figures(dilnoza, NOVEMBER)["revenue"].plan == {"USD": 1000}
    assert dashboard.figures(ctx, NOVEMBER)["revenue"].plan == {"UZS": 2_000_000}
    week = ReportQuery(period_of("week", date(2026, 11, 24)))
    assert dashboard.figures(ctx, week)["revenue"].plan == {}  # no month wholly in a week

    with pytest.raises(PermissionDenied):
        plans.set_plan(dilnoza, month=november, metric="calls", target="40", user_id=d_id)
    with pytest.raises(PermissionDenied):  # Rashad is not in Olga's team
        plans.set_plan(
            manager, month=november, metric="calls", target="40", user_id=office["rashad"].actor.user_id
        )
    with pytest.raises(ValidationError, match="whole numbers"):
        plans.set_plan(manager, month=november, metric="calls", target="2.5", user_id=d_id)
    with pytest.raises(ValidationError, match="above zero"):
        plans.set_plan(manager, month=november, metric="calls", target="0", user_id=d_id)
    with pytest.raises(ValidationError, match="once it is over"):
        plans.close_month(ctx, november)

    clock.current = datetime(2026, 12, 2, 10, tzinfo=UTC)
    with pytest.raises(PermissionDenied):
        plans.close_month(manager, november)
    assert plans.close_month(ctx, november) == 6
    # A late credit note for November's invoice lowers November's revenue — not the closed plan's figure.
    credit = documents.credit_note_for(
        ctx, invoices.list_documents(ctx, invoices.DocumentFilter(search="Alpha"))[0].id
    )
    credit = invoices.update_draft(
        ctx,
        credit.id,
        expected_version=credit.version,
        issue_date=date(2026, 11, 30),
        lines=[LineValues("Design", 1, "", "100")],
    )
    documents.issue(ctx, credit.id, expected_version=credit.version)
    assert report(ctx, "revenue_by_client").rows[0]["revenue"] == 650
    kept = {(p.user_id, p.metric): p for p in plans.month_plans(ctx, november)}
    assert (kept[(d_id, "revenue")].actual, kept[(d_id, "revenue")].closed) == (750, True)
    with pytest.raises(ValidationError, match="closed"):
        plans.set_plan(ctx, month=november, metric="calls", target="5", user_id=d_id)
    table = report(ctx, "plan_vs_actual")
    assert [
        (r["person"], r["metric"], r["target"], r["actual"], r["percent"], r["state"]) for r in table.rows
    ][:2] == [
        ("", "Revenue", 2_000_000, 1_000_000, Decimal("50.0"), "Month closed"),
        ("Dilnoza", "Revenue", 1000, 750, Decimal("75.0"), "Month closed"),
    ]


def test_the_pipeline_puts_deals_expected_outside_the_twelve_months_together(ctx, office):
    client = clients.create(ctx, name="Delta")
    for title, close in (("Overdue", date(2026, 10, 1)), ("Far", date(2028, 1, 1)), ("Undated", None)):
        deals.create(
            ctx, client_id=client.id, title=title, amount="100", currency="USD", expected_close=close
        )
    rows = [(r["month"], r["deals"], r["value"]) for r in report(ctx, "pipeline_forecast").rows]
    assert rows == [(date(2026, 12, 1), 1, 500), (None, 3, 300)]  # one row for them, not "earlier" alone
