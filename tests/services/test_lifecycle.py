"""A client's path moves on by itself and says so on the timeline, where each step of the path is.

Spans services/lifecycle.py, services/deals.py, services/activities.py, services/payments.py and
services/tasks.py."""

from __future__ import annotations

from crm_desktop.services import activities, clients, deals, documents, invoices, payments, pipelines, tasks
from crm_desktop.services.invoices import LineValues


def status(ctx, client_id: int) -> str:
    return clients.get(ctx, client_id).status


def timeline(ctx, client_id: int) -> list[tuple[str, str]]:
    return [(a.kind, a.body) for a in reversed(activities.timeline(ctx, client_id))]  # oldest first


def test_a_won_deal_moves_a_lead_on_to_customer_and_every_step_is_on_the_timeline(ctx):
    c = clients.create(ctx, name="Aziz Karimov")
    deal = deals.create(ctx, client_id=c.id, title="Office cleaning", amount="1000", currency="USD")
    assert status(ctx, c.id) == "prospect"
    [pipeline] = pipelines.list_pipelines(ctx)
    stages = {st.name: st.id for st in pipeline.stages}
    deal = deals.move_stage(ctx, deal.id, stages["Proposal"], expected_version=deal.version)
    deal = deals.mark_won(ctx, deal.id, expected_version=deal.version)
    assert status(ctx, c.id) == "customer"
    assert timeline(ctx, c.id) == [
        ("deal", "Deal 'Office cleaning' created in stage 'New'"),
        ("status_change", "lead → prospect"),
        ("deal", "Deal 'Office cleaning' moved from 'New' to 'Proposal'"),
        ("deal", "Deal 'Office cleaning' won: 1,000.00 USD"),
        ("status_change", "prospect → customer"),
    ]
    deal = deals.reopen(ctx, deal.id, expected_version=deal.version)
    deals.mark_lost(ctx, deal.id, reason="Went with a competitor", expected_version=deal.version)
    assert timeline(ctx, c.id)[-2:] == [
        ("deal", "Deal 'Office cleaning' reopened in stage 'Negotiation'"),
        ("deal", "Deal 'Office cleaning' lost: Went with a competitor"),
    ]
    assert status(ctx, c.id) == "customer"  # the path never moves back by itself


def test_a_logged_contact_makes_a_lead_a_prospect_a_note_does_not(ctx):
    c = clients.create(ctx, name="Leyla Əliyeva")
    activities.add(ctx, c.id, kind="note", body="Found us on Instagram")
    assert status(ctx, c.id) == "lead"
    activities.add(ctx, c.id, kind="call", body="Asked for prices")
    assert status(ctx, c.id) == "prospect"


def test_a_paid_invoice_makes_a_customer_and_a_status_set_back_by_hand_stays(ctx):
    c = clients.create(ctx, name="Samarqand Travel", kind="company")
    d = invoices.create_draft(ctx, client_id=c.id, lines=[LineValues("Tour", 1, "", "100")])
    invoice = documents.issue(ctx, d.id, expected_version=d.version)
    payments.record_payment(ctx, invoice.id, amount="40")
    assert status(ctx, c.id) == "lead"  # partly paid: not yet
    payments.record_payment(ctx, invoice.id, amount="60")
    assert status(ctx, c.id) == "customer"
    c = clients.get(ctx, c.id)
    clients.update(ctx, c.id, expected_version=c.version, status="lead")  # set back by hand
    activities.add(ctx, c.id, kind="note", body="Reset after the audit")
    assert status(ctx, c.id) == "lead"


def test_a_done_task_is_on_its_clients_timeline(ctx):
    c = clients.create(ctx, name="Nodira", status="customer")
    task = tasks.create(ctx, title="Send the contract", client_id=c.id)
    tasks.complete(ctx, task.id, expected_version=task.version)
    assert timeline(ctx, c.id) == [("task", "Task 'Send the contract' done")]
