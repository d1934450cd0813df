"""Deals moving through a pipeline, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from crm_desktop.services import clients, deals
from crm_desktop.services.deals import DealFilter
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError


@pytest.fixture
def client(ctx):
    return clients.create(ctx, name="Toshkent Print LLC", kind="company")


def stage_id(ctx, name, pipeline=0):
    return next(s.id for s in deals.list_pipelines(ctx)[pipeline].stages if s.name == name)


def test_new_deal_starts_in_the_first_stage_with_history(ctx, client, audit_rows):
    d = deals.create(ctx, client_id=client.id, title="Business cards", amount="1500000.50", currency="UZS",
                     expected_close="2026-12-20")
    assert (d.stage_name, d.outcome, d.amount, d.currency, d.client_name, d.owner_name) == (
        "New", "open", Decimal("1500000.50"), "UZS", "Toshkent Print LLC", "Owner")
    assert [(h.from_stage_name, h.to_stage_name) for h in deals.stage_history(ctx, d.id)] == [("", "New")]
    assert audit_rows("deals", d.id)[0][0] == "create"


def test_currency_defaults_to_the_company_currency(ctx, client):
    assert deals.create(ctx, client_id=client.id, title="Flyers").currency == "USD"


@pytest.mark.parametrize("values, field, words", [
    ({"title": " "}, "title", "cannot be empty"),
    ({"title": "X", "amount": "-5"}, "amount", "cannot be negative"),
    ({"title": "X", "amount": "ten"}, "amount", "must be a number"),
    ({"title": "X", "currency": "XYZ"}, "currency", "Unknown currency"),
    ({"title": "X", "expected_close": "next week"}, "expected_close", "is not a date"),
    ({"title": "X", "amount": "1.001", "currency": "USD"}, "amount", "2 decimal places"),
])
def test_bad_input_is_refused_with_the_field_named(ctx, client, values, field, words):
    with pytest.raises(ValidationError) as err:
        deals.create(ctx, client_id=client.id, **values)
    assert err.value.field == field and words in err.value.message
    assert deals.count_deals(ctx) == 0


def test_moving_through_stages_records_history_and_audit(ctx, client, clock, audit_rows):
    d = deals.create(ctx, client_id=client.id, title="Website", amount=1000)
    clock.current += timedelta(days=2)
    d = deals.move_stage(ctx, d.id, stage_id(ctx, "Proposal"), expected_version=d.version)
    clock.current += timedelta(days=3)
    d = deals.move_stage(ctx, d.id, stage_id(ctx, "Won"), expected_version=d.version)
    assert (d.stage_name, d.outcome, d.probability) == ("Won", "won", 100)
    history = deals.stage_history(ctx, d.id)
    assert [(h.from_stage_name, h.to_stage_name) for h in history] == [("", "New"), ("New", "Proposal"),
                                                                       ("Proposal", "Won")]
    assert history[2].changed_at - history[1].changed_at == timedelta(days=3)
    assert [a for a, _ in audit_rows("deals", d.id)].count("stage_move") == 2


def test_lost_needs_a_reason_and_a_lost_deal_can_be_reopened(ctx, client):
    d = deals.create(ctx, client_id=client.id, title="Logo")
    with pytest.raises(ValidationError, match="Mark the deal as lost"):
        deals.move_stage(ctx, d.id, stage_id(ctx, "Lost"), expected_version=d.version)
    with pytest.raises(ValidationError, match="Say why"):
        deals.mark_lost(ctx, d.id, reason=" ", expected_version=d.version)
    d = deals.mark_lost(ctx, d.id, reason="Price too high", expected_version=d.version)
    assert (d.outcome, d.stage_name, d.lost_reason) == ("lost", "Lost", "Price too high")
    d = deals.reopen(ctx, d.id, expected_version=d.version)
    assert (d.outcome, d.stage_name, d.lost_reason) == ("open", "Negotiation", "")


def test_stale_deal_edit_is_a_conflict(ctx, client):
    d = deals.create(ctx, client_id=client.id, title="Banner")
    deals.update(ctx, d.id, expected_version=d.version, amount="200")
    with pytest.raises(ConflictError):
        deals.move_stage(ctx, d.id, stage_id(ctx, "Qualified"), expected_version=d.version)
    assert deals.get(ctx, d.id).stage_name == "New"


def test_pipeline_summary_counts_totals_and_weighted_amounts_exactly(ctx, client):
    for title, amount, stage in [("A", "0.10", "Proposal"), ("B", "0.20", "Proposal"), ("C", "1000", "New")]:
        d = deals.create(ctx, client_id=client.id, title=title, amount=amount)
        if stage != "New":
            deals.move_stage(ctx, d.id, stage_id(ctx, stage), expected_version=d.version)
    summary = {s.name: s for s in deals.pipeline_summary(ctx, deals.list_pipelines(ctx)[0].id)}
    assert (summary["Proposal"].count, summary["Proposal"].total, summary["Proposal"].weighted) == (
        2, Decimal("0.30"), Decimal("0.15"))
    assert (summary["New"].total, summary["New"].weighted) == (Decimal("1000"), Decimal("100.00"))


def test_list_filters_sort_and_paging(ctx, client):
    other = clients.create(ctx, name="Баку Строй")
    for title, amount, who in [("Alpha", 30, client), ("Beta", 10, other), ("Gamma", 20, client)]:
        deals.create(ctx, client_id=who.id, title=title, amount=amount)
    titles = lambda rows: [r.title for r in rows]  # noqa: E731
    assert titles(deals.list_deals(ctx, sort="amount", descending=False)) == ["Beta", "Gamma", "Alpha"]
    assert titles(deals.list_deals(ctx, DealFilter(client_id=client.id), sort="title", descending=False)) == [
        "Alpha", "Gamma"]
    assert titles(deals.list_deals(ctx, DealFilter(search="баку"))) == ["Beta"]
    assert titles(deals.list_deals(ctx, DealFilter(search="gam"))) == ["Gamma"]
    assert titles(deals.list_deals(ctx, sort="title", descending=False, offset=1, limit=1)) == ["Beta"]
    assert deals.count_deals(ctx, DealFilter(outcome="open")) == 3


def test_pipelines_and_stages_are_editable(ctx, client):
    p = deals.create_pipeline(ctx, "Repairs")
    assert [s.name for s in p.stages] == ["New", "Qualified", "Proposal", "Won", "Lost"]
    with pytest.raises(ValidationError, match="already a pipeline"):
        deals.create_pipeline(ctx, "repairs")
    inspection = deals.add_stage(ctx, p.id, "Inspection", probability=40)
    p = next(x for x in deals.list_pipelines(ctx) if x.id == p.id)
    assert [s.name for s in p.stages] == ["New", "Qualified", "Proposal", "Inspection", "Won", "Lost"]
    order = [s.id for s in p.stages]
    order.insert(0, order.pop(3))
    p = deals.reorder_stages(ctx, p.id, order)
    assert [s.name for s in p.stages][:2] == ["Inspection", "New"]
    deals.update_stage(ctx, inspection.id, expected_version=inspection.version + 1, name="Site visit",
                       probability=35)
    d = deals.create(ctx, client_id=client.id, title="Fix roof", pipeline_id=p.id)
    assert d.stage_name == "Site visit"
    with pytest.raises(ValidationError, match="still has 1 deal"):
        deals.delete_stage(ctx, inspection.id)
    with pytest.raises(ValidationError, match="still has deals"):
        deals.delete_pipeline(ctx, p.id)
    with pytest.raises(ValidationError, match="probability must be between 0 and 100"):
        deals.add_stage(ctx, p.id, "Odd", probability=150)


def test_deals_of_private_clients_are_invisible_to_other_staff(ctx, staff):
    secret = clients.create(staff["dilnoza"], name="Secret", private=True)
    d = deals.create(staff["dilnoza"], client_id=secret.id, title="Hidden deal")
    assert deals.list_deals(staff["rashad"]) == []
    with pytest.raises(NotFound):
        deals.get(staff["rashad"], d.id)
    assert [x.title for x in deals.list_deals(staff["manager"])] == ["Hidden deal"]  # her manager sees it
