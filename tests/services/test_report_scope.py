"""Whose figures each login counts on a server — staff their own, a manager their team's, an administrator
everyone's — through the app's reports with their own logins, and what psql shows them of the same money
and of the plans (row-level security; plans set and closed only as migration 0020 allows). Spans
services/report_scope.py, services/plans.py and migrations/0020_plans.py."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from crm_desktop.services import dashboard, plans, reports
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.periods import period_of

pytestmark = pytest.mark.postgres_only


def year(ctx) -> reports.ReportQuery:
    return reports.ReportQuery(period_of("year", ctx.today()))


def revenue(ctx) -> int:
    return sum(dashboard.figures(ctx, year(ctx), only={"revenue"})["revenue"].amounts.values())


def test_each_login_counts_the_figures_it_may_see(office):
    # Four invoices of 100, one per client: Dilnoza owns one, Rashad two (one private), nobody the fourth.
    assert revenue(office["dilnoza"]) == 100
    assert revenue(office["rashad"]) == 200
    assert revenue(office["manager"]) == 200  # Olga and Rashad, her team
    assert revenue(office["admin"]) == 400
    names = {
        r["client"]
        for r in reports.compute(office["dilnoza"], "revenue_by_client", year(office["dilnoza"])).rows
    }
    assert names == {"Client dilnoza private"}
    with pytest.raises(PermissionDenied):
        reports.compute(
            office["dilnoza"], "payments", reports.ReportQuery(year(office["dilnoza"]).period, team_of=1)
        )


def test_psql_shows_a_staff_login_no_more_money_than_the_app(office):
    with office["dilnoza"].db.engine.connect() as conn:
        seen = conn.scalar(text("SELECT count(*) FROM documents WHERE kind = 'invoice'"))
    assert seen == 2  # her private client's and the public one's, never Rashad's private one


def test_plans_are_read_set_and_closed_only_as_the_server_allows(office):
    from tests.services.test_server_attacks import attack

    october = date(2026, 10, 1)  # over, on the tests' clock
    owner, dilnoza, rashad, manager = (office[k] for k in ("owner", "dilnoza", "rashad", "manager"))
    d_id, r_id = dilnoza.actor.user_id, rashad.actor.user_id
    plans.set_plan(owner, month=october, metric="revenue", target="1000")  # the office's
    mine = plans.set_plan(owner, month=october, metric="calls", target="40", user_id=d_id)
    theirs = plans.set_plan(manager, month=october, metric="calls", target="30", user_id=r_id)

    def seen(login) -> set:
        with login.db.engine.connect() as conn:
            return set(conn.scalars(text("SELECT coalesce(user_id, 0) FROM plans")))

    assert seen(dilnoza) == {d_id}  # her own: not the office's, not Rashad's
    assert seen(manager) == {0, r_id}  # her team's and the office's
    insert = (
        "INSERT INTO plans (month, user_id, metric, target, currency, created_at, updated_at, version) "
        "VALUES ('2026-10-01', :user, 'won_deals', 50000, '', now(), now(), 1)"
    )
    assert len(attack(dilnoza, [insert], user=d_id)) == 1  # staff set no plan, not even their own
    assert len(attack(manager, [insert], user=d_id)) == 1  # Dilnoza is not in Olga's team
    attack(dilnoza, ["UPDATE plans SET target = 10000"])  # (her policy lets her change nothing)
    assert plans.month_plans(owner, october)[1].target == 40
    refused = attack(
        manager, ["UPDATE plans SET closed_at = now(), actual = 10000 WHERE user_id = :user"], user=r_id
    )
    assert refused and "only an administrator closes a month" in refused[0]

    assert plans.close_month(office["admin"], october) == 3
    changed = attack(
        manager,
        ["UPDATE plans SET target = 10000 WHERE id = :plan", "DELETE FROM plans WHERE id = :plan"],
        plan=theirs.id,
    )
    assert len(changed) == 2 and all("closed month keeps its figures" in r for r in changed)
    with pytest.raises(PermissionDenied):
        plans.close_month(manager, october)
    assert {p.id: p.closed for p in plans.month_plans(owner, october)} == {
        p: True for p in (mine.id, theirs.id, plans.month_plans(owner, october)[0].id)
    }


def test_only_a_move_restarts_a_deals_stage_clock(office):
    from tests.services.test_server_attacks import attack

    client = office["clients"]["dilnoza_private"][0]
    read = "SELECT title, stage_entered_at FROM deals WHERE client_id = :c"
    with office["owner"].db.engine.connect() as conn:
        _title, entered = conn.execute(text(read), {"c": client.id}).one()
    # Dilnoza may edit her client's deal, but not make it look freshly moved (and so never stuck).
    forged = "UPDATE deals SET title = 'Renamed', stage_entered_at = now() WHERE client_id = :c"
    assert attack(office["dilnoza"], [forged], c=client.id) == []
    with office["owner"].db.engine.connect() as conn:
        assert tuple(conn.execute(text(read), {"c": client.id}).one()) == ("Renamed", entered)
