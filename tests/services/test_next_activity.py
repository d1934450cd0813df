"""Every open deal and every client carries its next planned activity: the earliest open task about it,
read for a whole page at once; the filter "no next activity" finds the open deals and the clients still
worked with that have nothing planned; completing a task says when it left its deal or client with
nothing planned (so the next one is offered)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_desktop.services import clients, deals, tasks
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.deals import DealFilter

SOON = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def titles(rows) -> list[str]:
    return sorted(r.title if hasattr(r, "title") else r.name for r in rows)


def test_the_next_activity_is_the_earliest_open_task_with_undated_ones_last(ctx):
    c = clients.create(ctx, name="Rashad Aliyev")
    deal = deals.create(ctx, client_id=c.id, title="Website", amount="100", currency="USD")
    tasks.create(ctx, title="Someday: ask for a referral", client_id=c.id, deal_id=deal.id)
    later = tasks.create(ctx, title="Send the draft", due_at=SOON + timedelta(days=2), deal_id=deal.id)
    first = tasks.create(ctx, title="Call Rashad", due_at=SOON, deal_id=deal.id, client_id=c.id)
    done = tasks.create(ctx, title="Already done", due_at=SOON - timedelta(days=1), deal_id=deal.id)
    tasks.complete(ctx, done.id, expected_version=done.version)

    [row] = deals.list_deals(ctx, DealFilter(client_id=c.id))
    assert row.next_activity is not None
    assert (row.next_activity.title, row.next_activity.due_at) == ("Call Rashad", SOON)
    assert deals.get(ctx, deal.id).next_activity == row.next_activity
    [client_row] = clients.list_clients(ctx, ClientFilter(search="Rashad"))
    assert client_row.next_activity is not None and client_row.next_activity.title == "Call Rashad"

    tasks.complete(ctx, first.id, expected_version=first.version)
    assert deals.get(ctx, deal.id).next_activity.title == later.title
    assert deals.get(ctx, deal.id).next_activity.overdue(SOON + timedelta(days=3))


def test_no_next_activity_finds_open_deals_and_active_clients_with_nothing_planned(ctx):
    planned = clients.create(ctx, name="Planned Client")
    idle = clients.create(ctx, name="Idle Client")
    gone = clients.create(ctx, name="Gone Client")
    gone = clients.update(ctx, gone.id, expected_version=gone.version, status="inactive")
    tasks.create(ctx, title="Visit", due_at=SOON, client_id=planned.id)
    open_idle = deals.create(ctx, client_id=idle.id, title="Idle deal", amount="1", currency="USD")
    busy = deals.create(ctx, client_id=planned.id, title="Busy deal", amount="1", currency="USD")
    tasks.create(ctx, title="Quote", due_at=SOON, deal_id=busy.id)
    won = deals.create(ctx, client_id=idle.id, title="Won deal", amount="1", currency="USD")
    deals.mark_won(ctx, won.id, expected_version=won.version)

    assert titles(deals.list_deals(ctx, DealFilter(no_next_activity=True))) == [open_idle.title]
    assert deals.count_deals(ctx, DealFilter(no_next_activity=True)) == 1
    # The idle client's deal is planned for nothing; the client itself has no task either.
    assert titles(clients.list_clients(ctx, ClientFilter(no_next_activity=True))) == ["Idle Client"]
    assert clients.count(ctx, ClientFilter(no_next_activity=True)) == 1


def test_completing_the_last_planned_task_of_an_open_deal_says_there_is_nothing_planned(ctx):
    c = clients.create(ctx, name="Nodira Yusupova")
    deal = deals.create(ctx, client_id=c.id, title="Audit", amount="5", currency="USD")
    one = tasks.create(ctx, title="Call", due_at=SOON, deal_id=deal.id)
    two = tasks.create(ctx, title="Send contract", due_at=SOON + timedelta(hours=4), deal_id=deal.id)

    tasks.complete(ctx, one.id, expected_version=one.version)
    assert tasks.left_unplanned(ctx, one.id) is None  # the contract is still planned
    tasks.complete(ctx, two.id, expected_version=two.version)
    to_plan = tasks.left_unplanned(ctx, two.id)
    assert to_plan is not None
    assert (to_plan.client_id, to_plan.client_name, to_plan.deal_id, to_plan.deal_title) == (
        c.id,
        "Nodira Yusupova",
        deal.id,
        "Audit",
    )

    about_client = tasks.create(ctx, title="Birthday card", due_at=SOON, client_id=c.id)
    tasks.complete(ctx, about_client.id, expected_version=about_client.version)
    assert tasks.left_unplanned(ctx, about_client.id) == tasks.ToPlan(c.id, "Nodira Yusupova", None, "")

    won = deals.create(ctx, client_id=c.id, title="Won", amount="5", currency="USD")
    last = tasks.create(ctx, title="Thank them", due_at=SOON, deal_id=won.id)
    won = deals.mark_won(ctx, won.id, expected_version=won.version)
    tasks.complete(ctx, last.id, expected_version=last.version)
    assert tasks.left_unplanned(ctx, last.id) is None  # a closed deal needs nothing next
    mine = tasks.create(ctx, title="Buy paper", due_at=SOON)
    tasks.complete(ctx, mine.id, expected_version=mine.version)
    assert tasks.left_unplanned(ctx, mine.id) is None  # about no one


def test_a_repeating_task_plans_its_own_next_occurrence(ctx):
    c = clients.create(ctx, name="Weekly Cleaning Client")
    weekly = tasks.create(ctx, title="Cleaning", due_at=SOON, client_id=c.id, recurrence="FREQ=WEEKLY")
    tasks.complete(ctx, weekly.id, expected_version=weekly.version)
    assert tasks.left_unplanned(ctx, weekly.id) is None
    [row] = clients.list_clients(ctx, ClientFilter(search="Weekly"))
    assert row.next_activity is not None and row.next_activity.due_at > SOON
