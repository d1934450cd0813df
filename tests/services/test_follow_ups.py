"""Follow-up rules with a fake clock: a lead nobody contacted, an unpaid invoice, an overdue task."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_desktop.db.models import Document
from crm_desktop.services import activities, audit, clients, follow_ups, invoices, reminders, tasks
from crm_desktop.services.audit import AuditFilter
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
