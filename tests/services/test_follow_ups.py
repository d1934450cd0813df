"""Follow-up rules with a fake clock: a lead nobody contacted, an unpaid invoice, a deal stuck in its stage,
an overdue task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_desktop.db.models import Deal, Document, Task
from crm_desktop.services import (
    activities,
    audit,
    clients,
    deals,
    follow_ups,
    invoices,
    pipelines,
    reminders,
    tasks,
)
from crm_desktop.services.audit import AuditFilter
from crm_desktop.services.context import OWNER, ServiceContext
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.invoices import LineValues
from crm_desktop.services.tasks import TaskFilter


def open_titles(ctx) -> list[str]:
    return sorted(t.title for t in tasks.list_tasks(ctx, TaskFilter(status="open")))


def test_a_new_lead_nobody_contacted_gets_one_task_for_its_owner(ctx, clock, staff):
    dilnoza = staff["dilnoza"]
    lead = clients.create(dilnoza, name="Zarina Rahimova")
    called = clients.create(dilnoza, name="Aziz Karimov")
    activities.add(dilnoza, called.id, kind="call", body="Asked for prices")
    clients.create(dilnoza, name="Old Customer", status="customer")
    assert follow_ups.next_deadline(ctx) == clock.current + timedelta(hours=24)
    clock.current += timedelta(hours=23)
    assert follow_ups.run(ctx) == 0
    clock.current += timedelta(hours=1)
    assert follow_ups.run(ctx) == 1
    [task] = tasks.list_tasks(ctx, TaskFilter(status="open"))
    assert (task.title, task.client_id, task.assignee_id, task.priority) == (
        "Contact the new lead Zarina Rahimova",
        lead.id,
        dilnoza.actor.user_id,
        "high",
    )
    assert reminders.next_alert(dilnoza, clock.current) == clock.current  # it pops up at once
    clock.current += timedelta(hours=5)
    assert follow_ups.run(ctx) == 0  # once per lead, however often the rules run


def test_the_audit_log_credits_a_rule_made_task_to_the_rules_not_to_whoever_ran_them(ctx, clock):
    lead = clients.create(ctx, name="Rashad Aliyev")
    by_hand = tasks.create(ctx, title="Call Rashad", client_id=lead.id)
    clock.current += timedelta(hours=24)
    assert follow_ups.run(ctx) == 1
    created = {
        r.record_name: r.by_rules
        for r in audit.list_entries(ctx, AuditFilter(entity="tasks", action="create"))
    }
    assert created == {"Contact the new lead Rashad Aliyev": True, by_hand.title: False}


def test_an_invoice_unpaid_days_after_its_due_date_gets_a_follow_up(ctx, clock):
    client = clients.create(ctx, name="Leyla Əliyeva", status="customer")
    draft = invoices.create_draft(
        ctx, client_id=client.id, due_date=ctx.today(), lines=[LineValues("Audit", 1, "", "500")]
    )
    with ctx.write() as s:  # issuing belongs to the invoicing feature; here the state is what matters
        doc = s.get(Document, draft.id)
        doc.status, doc.number = "issued", "INV-2026-00007"
    assert follow_ups.run(ctx) == 0
    clock.current += timedelta(days=7)
    assert follow_ups.run(ctx) == 1
    assert open_titles(ctx) == ["Follow up unpaid invoice INV-2026-00007 (Leyla Əliyeva)"]
    assert follow_ups.run(ctx) == 0


def test_a_task_overdue_too_long_tells_the_assignees_manager_once(ctx, clock, staff):
    dilnoza, rashad = staff["dilnoza"], staff["rashad"]  # Dilnoza has a manager (Olga), Rashad none
    late = tasks.create(dilnoza, title="Send the offer", due_at=clock.current)
    tasks.create(rashad, title="Visit the site", due_at=clock.current)
    clock.current += timedelta(hours=24, minutes=1)
    assert follow_ups.run(ctx) == 1
    manager_tasks = tasks.list_tasks(
        ctx, TaskFilter(status="open", assignee_id=staff["manager"].actor.user_id)
    )
    assert [t.title for t in manager_tasks] == ["Overdue: Send the offer (Dilnoza)"]
    assert tasks.get(ctx, late.id).version == late.version  # her task itself was not edited
    clock.current += timedelta(hours=30)
    assert follow_ups.run(ctx) == 0  # the manager's own task is not escalated in turn, nor hers again


def test_a_rule_set_to_zero_is_off_and_only_admins_change_rules(ctx, clock, staff):
    rules = follow_ups.settings(ctx)
    assert (rules.lead_follow_up_hours, rules.invoice_follow_up_days, rules.escalation_hours) == (24, 7, 24)
    rules = follow_ups.update_settings(ctx, expected_version=rules.version, lead_follow_up_hours=0)
    clients.create(ctx, name="Zarina Rahimova")
    clock.current += timedelta(days=2)
    assert follow_ups.run(ctx) == 0
    with pytest.raises(ValidationError, match="between 0 and 365"):
        follow_ups.update_settings(ctx, expected_version=rules.version, invoice_follow_up_days=400)
    with pytest.raises(PermissionDenied):
        follow_ups.update_settings(staff["dilnoza"], expected_version=rules.version, escalation_hours=2)


def test_leads_from_long_ago_are_not_dug_up(ctx, clock):
    clients.create(ctx, name="Forgotten Lead")
    clock.current += timedelta(days=30)  # e.g. the rule was just switched on, or the app just upgraded
    assert follow_ups.run(ctx) == 0


# --- deals stuck in their stage -------------------------------------------------------------------------


def stages(ctx) -> dict[str, pipelines.StageRow]:
    return {st.name: st for st in pipelines.list_pipelines(ctx)[0].stages}


def limit(ctx, name: str, days: int | None) -> None:
    stage = stages(ctx)[name]
    pipelines.update_stage(ctx, stage.id, expected_version=stage.version, time_limit_days=days)


def stuck_tasks(ctx) -> list[tuple[str, int | None, int | None, int | None, str]]:
    return [
        (t.title, t.client_id, t.deal_id, t.assignee_id, t.priority)
        for t in tasks.list_tasks(ctx, TaskFilter(status=None))
        if t.title.startswith("The deal ")
    ]


def test_a_deal_past_its_stages_limit_gets_one_task_for_its_owner_then_the_manager_is_told(ctx, clock, staff):
    dilnoza = staff["dilnoza"]  # her manager is Olga
    client = clients.create(dilnoza, name="Aziz Karimov")
    deal = deals.create(dilnoza, client_id=client.id, title="Office cleaning")  # in "New"
    limit(ctx, "New", 5)
    assert follow_ups.next_deadline(ctx) == clock.current + timedelta(days=5)
    clock.current += timedelta(days=5) - timedelta(minutes=1)
    assert follow_ups.run(ctx) == 0  # under the limit
    clock.current += timedelta(minutes=1)
    assert follow_ups.run(ctx) == 1
    assert stuck_tasks(ctx) == [
        (
            "The deal 'Office cleaning' has been in the stage 'New' for 5 days",
            client.id,
            deal.id,
            dilnoza.actor.user_id,
            "high",
        )
    ]
    assert reminders.next_alert(dilnoza, clock.current) == clock.current  # it pops up at once
    assert follow_ups.run(ctx) == 0  # once per stay, however often the rules run
    assert follow_ups.run(ServiceContext(ctx.db, clock=clock)) == 0  # or on how many PCs
    # Left open, it is overdue as any task: after the office's escalation hours her manager is told.
    clock.current += timedelta(hours=24)
    assert follow_ups.run(ctx) == 1
    told = tasks.list_tasks(ctx, TaskFilter(status="open", assignee_id=staff["manager"].actor.user_id))
    assert [t.title for t in told] == [
        "Overdue: The deal 'Office cleaning' has been in the stage 'New' for 5 days (Dilnoza)"
    ]
    assert len(stuck_tasks(ctx)) == 1


def test_a_deal_moved_away_and_back_is_measured_from_its_last_entry_and_may_be_told_again(ctx, clock):
    stage = stages(ctx)
    client = clients.create(ctx, name="Leyla Əliyeva")
    told = deals.create(ctx, client_id=client.id, title="Audit")
    moved = deals.create(ctx, client_id=client.id, title="Payroll")
    limit(ctx, "New", 5)
    clock.current += timedelta(days=3)
    moved = deals.move_stage(ctx, moved.id, stage["Qualified"].id, expected_version=moved.version)
    clock.current += timedelta(days=1)
    moved = deals.move_stage(ctx, moved.id, stage["New"].id, expected_version=moved.version)  # day 4
    # day 5: "Audit" is 5 days in "New", "Payroll" 1 day since it came back
    clock.current += timedelta(days=1)
    assert follow_ups.run(ctx) == 1
    assert [t[2] for t in stuck_tasks(ctx)] == [told.id]
    rules = follow_ups.settings(ctx)
    follow_ups.update_settings(ctx, expected_version=rules.version, escalation_hours=0)  # only this rule
    assert follow_ups.next_deadline(ctx) == clock.current + timedelta(days=4)
    clock.current += timedelta(days=4)  # day 9: 5 days since "Payroll" came back
    assert follow_ups.run(ctx) == 1
    assert sorted(t[2] for t in stuck_tasks(ctx)) == sorted([told.id, moved.id])
    # "Audit" out and back: a new stay, told again when it is over the limit again, and only then.
    told = deals.get(ctx, told.id)
    told = deals.move_stage(ctx, told.id, stage["Proposal"].id, expected_version=told.version)
    told = deals.move_stage(ctx, told.id, stage["New"].id, expected_version=told.version)
    clock.current += timedelta(days=5) - timedelta(seconds=1)
    assert follow_ups.run(ctx) == 0
    clock.current += timedelta(seconds=1)
    assert follow_ups.run(ctx) == 1
    assert sorted(t[2] for t in stuck_tasks(ctx)) == sorted([told.id, moved.id, told.id])
    with ctx.read() as s:
        origins = list(
            s.scalars(select(Task.origin).where(Task.origin.startswith("stuck_deal:")).order_by(Task.id))
        )
    assert len(set(origins)) == 3 and all(
        o.startswith(f"stuck_deal:{told.id}:") for o in (origins[0], origins[2])
    )


def test_a_stage_without_a_limit_and_a_closed_deal_never_alert(ctx, clock):
    stage = stages(ctx)
    client = clients.create(ctx, name="Toshkent Print LLC", kind="company")
    qualified = deals.create(ctx, client_id=client.id, title="Leaflets", stage_id=stage["Qualified"].id)
    won = deals.create(ctx, client_id=client.id, title="Posters")
    deals.mark_won(ctx, won.id, expected_version=won.version)
    lost = deals.create(ctx, client_id=client.id, title="Banners")
    deals.mark_lost(ctx, lost.id, reason="price", expected_version=lost.version)
    for name in ("New", "Won", "Lost"):  # a limit on a closing stage means nothing: its deals are closed
        limit(ctx, name, 1)
    clock.current += timedelta(days=300)
    assert follow_ups.run(ctx) == 0 and follow_ups.next_deadline(ctx) is None
    assert deals.get(ctx, qualified.id).stage_name == "Qualified"
    limit(ctx, "New", None)  # the limit taken off again
    assert stages(ctx)["New"].time_limit_days is None


def test_a_limit_set_late_tells_once_of_the_deals_already_past_it(ctx, clock):
    client = clients.create(ctx, name="Rashad Aliyev")
    deals.create(ctx, client_id=client.id, title="Old deal")
    clock.current += timedelta(days=400)  # an office that never closed it, then sets a limit
    limit(ctx, "New", 30)
    assert follow_ups.run(ctx) == 1
    assert [t[0] for t in stuck_tasks(ctx)] == [
        "The deal 'Old deal' has been in the stage 'New' for 400 days"
    ]
    clock.current += timedelta(days=30)
    assert follow_ups.run(ctx) == 0


def test_a_stuck_deal_without_an_owner_goes_to_its_clients_owner_else_the_offices(ctx, clock, staff):
    rashad = staff["rashad"]
    his = clients.create(rashad, name="Client of Rashad")
    nobodys = clients.create(ctx, name="Client of nobody", owner_id=None)
    a = deals.create(ctx, client_id=his.id, title="Cleaning")
    b = deals.create(ctx, client_id=nobodys.id, title="Repairs")
    with ctx.write() as s:  # e.g. their owners' accounts were removed
        for deal_id in (a.id, b.id):
            s.get(Deal, deal_id).owner_id = None
        s.flush()
    limit(ctx, "New", 2)
    clock.current += timedelta(days=2)
    assert follow_ups.run(ctx) == 2
    assert {t[2]: t[3] for t in stuck_tasks(ctx)} == {a.id: rashad.actor.user_id, b.id: OWNER.user_id}


@pytest.mark.postgres_only
def test_on_a_server_a_staff_login_runs_the_rule_for_the_deals_it_sees(office, clock):
    owner, dilnoza = office["owner"], office["dilnoza"]
    limit(owner, "New", 3)
    clock.current += timedelta(days=3)
    follow_ups.run(dilnoza)  # her PC (the server's crm_task_rules takes the rule's origin)
    seen = {office["clients"][key][0].id for key in ("dilnoza_private", "public")}
    assert {t[1] for t in stuck_tasks(owner)} == seen
    follow_ups.run(owner)  # the owner's PC: the deals she does not see
    assert len(stuck_tasks(owner)) == 4
