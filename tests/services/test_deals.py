"""Deals moving through a pipeline, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm_desktop.services import clients, company, deals, pipelines, tasks, users
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.deals import DealFilter
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError


@pytest.fixture
def client(ctx):
    return clients.create(ctx, name="Toshkent Print LLC", kind="company")


def stage_id(ctx, name, pipeline=0):
    return next(s.id for s in pipelines.list_pipelines(ctx)[pipeline].stages if s.name == name)


def test_new_deal_starts_in_the_first_stage_with_history(ctx, client, audit_rows):
    d = deals.create(
        ctx,
        client_id=client.id,
        title="Business cards",
        amount="1500000.50",
        currency="UZS",
        expected_close="2026-12-20",
    )
    assert (d.stage_name, d.outcome, d.amount, d.currency, d.client_name, d.owner_name, d.version) == (
        "New",
        "open",
        Decimal("1500000.50"),
        "UZS",
        "Toshkent Print LLC",
        "Owner",
        1,
    )
    assert [(h.from_stage_name, h.to_stage_name) for h in deals.stage_history(ctx, d.id)] == [("", "New")]
    assert audit_rows("deals", d.id)[0][0] == "create"


def test_currency_defaults_to_the_company_currency(ctx, client):
    assert deals.create(ctx, client_id=client.id, title="Flyers").currency == "USD"


@pytest.mark.parametrize(
    "values, field, words",
    [
        ({"title": " "}, "title", "cannot be empty"),
        ({"title": "X", "amount": "-5"}, "amount", "cannot be negative"),
        ({"title": "X", "amount": "ten"}, "amount", "must be a number"),
        ({"title": "X", "currency": "XYZ"}, "currency", "Unknown currency"),
        ({"title": "X", "expected_close": "next week"}, "expected_close", "is not a date"),
        ({"title": "X", "amount": "1.001", "currency": "USD"}, "amount", "2 decimal places"),
    ],
)
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
    assert [(h.from_stage_name, h.to_stage_name) for h in history] == [
        ("", "New"),
        ("New", "Proposal"),
        ("Proposal", "Won"),
    ]
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
    summary = {s.name: s for s in deals.pipeline_summary(ctx, pipelines.list_pipelines(ctx)[0].id)}
    assert (summary["Proposal"].count, summary["Proposal"].total, summary["Proposal"].weighted) == (
        2,
        Decimal("0.30"),
        Decimal("0.15"),
    )
    assert (summary["New"].total, summary["New"].weighted) == (Decimal("1000"), Decimal("100.00"))


def test_open_pipeline_totals_leave_out_won_and_lost_deals_and_never_mix_currencies(ctx, client):
    pipeline = pipelines.list_pipelines(ctx)[0].id
    for title, amount, currency in [
        ("A", "1000", "USD"),
        ("B", "500", "USD"),
        ("C", "2000000", "UZS"),
        ("D", "999", "USD"),
        ("E", "777", "USD"),
    ]:
        d = deals.create(ctx, client_id=client.id, title=title, amount=amount, currency=currency)
        if title == "B":
            deals.move_stage(ctx, d.id, stage_id(ctx, "Proposal"), expected_version=d.version)
        elif title == "D":
            deals.mark_won(ctx, d.id, expected_version=d.version)
        elif title == "E":
            deals.mark_lost(ctx, d.id, reason="price", expected_version=d.version)
    totals = deals.open_totals(deals.pipeline_summary(ctx, pipeline))
    assert [(t.currency, t.count, t.total, t.weighted) for t in totals] == [
        ("USD", 2, Decimal("1500"), Decimal("350.00")),  # 1000 × 10% + 500 × 50%
        ("UZS", 1, Decimal("2000000"), Decimal("200000.00")),
    ]


def test_list_filters_sort_and_paging(ctx, client):
    other = clients.create(ctx, name="Баку Строй")
    for title, amount, who in [("Alpha", 30, client), ("Beta", 10, other), ("Gamma", 20, client)]:
        deals.create(ctx, client_id=who.id, title=title, amount=amount)
    titles = lambda rows: [r.title for r in rows]  # noqa: E731
    assert titles(deals.list_deals(ctx, sort="amount", descending=False)) == ["Beta", "Gamma", "Alpha"]
    assert titles(deals.list_deals(ctx, DealFilter(client_id=client.id), sort="title", descending=False)) == [
        "Alpha",
        "Gamma",
    ]
    assert titles(deals.list_deals(ctx, DealFilter(search="баку"))) == ["Beta"]
    assert titles(deals.list_deals(ctx, DealFilter(search="gam"))) == ["Gamma"]
    assert titles(deals.list_deals(ctx, sort="title", descending=False, offset=1, limit=1)) == ["Beta"]
    assert deals.count_deals(ctx, DealFilter(outcome="open")) == 3


def test_deals_of_private_clients_are_invisible_to_other_staff(ctx, staff):
    secret = clients.create(staff["dilnoza"], name="Secret", private=True)
    d = deals.create(staff["dilnoza"], client_id=secret.id, title="Hidden deal")
    assert deals.list_deals(staff["rashad"]) == []
    with pytest.raises(NotFound):
        deals.get(staff["rashad"], d.id)
    assert [x.title for x in deals.list_deals(staff["manager"])] == ["Hidden deal"]  # her manager sees it


def test_get_update_and_audit_old_and_new_values(ctx, client, audit_rows):
    d = deals.create(ctx, client_id=client.id, title="Brochure", amount="100")
    d = deals.update(
        ctx,
        d.id,
        expected_version=d.version,
        title="Brochure, 500 copies",
        amount="250.50",
        expected_close=date(2026, 12, 31),
    )
    assert deals.get(ctx, d.id) == d
    assert (d.title, d.amount, d.expected_close, d.version) == (
        "Brochure, 500 copies",
        Decimal("250.50"),
        date(2026, 12, 31),
        2,
    )
    action, changes = audit_rows("deals", d.id)[-1]
    assert action == "update"
    assert changes["title"] == ["Brochure", "Brochure, 500 copies"]
    assert changes["amount"] == ["100", "250.5"]
    assert changes["expected_close"] == [None, "2026-12-31"]


@pytest.mark.parametrize(
    "values, field, words",
    [
        ({"currency": "JPY"}, "amount", "JPY amounts have 0 decimal places"),  # 99.50 cannot be yen
        ({"stage_id": 1}, "stage_id", "no field 'stage_id'"),
        ({"owner_id": 999}, "owner_id", "Choose another owner"),
        ({"title": ""}, "title", "cannot be empty"),
    ],
)
def test_bad_updates_name_the_field_and_change_nothing(ctx, client, values, field, words):
    d = deals.create(ctx, client_id=client.id, title="Sign", amount="99.50")
    with pytest.raises(ValidationError) as err:
        deals.update(ctx, d.id, expected_version=d.version, **values)
    assert err.value.field == field and words in err.value.message
    assert deals.get(ctx, d.id) == d


def test_currency_codes_are_stored_upper_case(ctx, client):
    d = deals.create(ctx, client_id=client.id, title="Sign", amount="99.50", currency="eur")
    assert deals.update(ctx, d.id, expected_version=d.version, currency="azn").currency == "AZN"


def test_a_second_pc_editing_the_same_deal_gets_a_conflict(ctx, client, audit_rows):
    d = deals.create(ctx, client_id=client.id, title="Stand")
    other_pc = ServiceContext(ctx.db, actor=ctx.actor, clock=ctx.clock)
    deals.update(other_pc, d.id, expected_version=d.version, amount="300")
    with pytest.raises(ConflictError, match="changed by someone else"):
        deals.update(ctx, d.id, expected_version=d.version, amount="500")
    assert deals.get(ctx, d.id).amount == Decimal("300")


def test_a_save_that_loses_the_race_is_a_conflict_and_leaves_no_trace(
    ctx, client, audit_rows, another_pc_saves_first
):
    d = deals.create(ctx, client_id=client.id, title="Stand")
    with pytest.raises(ConflictError), another_pc_saves_first(ctx, "deals", d.id):
        deals.move_stage(ctx, d.id, stage_id(ctx, "Proposal"), expected_version=d.version)
    assert deals.get(ctx, d.id).stage_name == "New"
    assert len(deals.stage_history(ctx, d.id)) == 1
    assert [a for a, _ in audit_rows("deals", d.id)] == ["create"]


def test_won_closes_the_deal_and_moving_it_back_reopens_it(ctx, client, clock, audit_rows):
    d = deals.create(ctx, client_id=client.id, title="Shop sign", amount="1200")
    clock.current += timedelta(days=1)
    won = deals.mark_won(ctx, d.id, expected_version=d.version)
    assert (won.stage_name, won.outcome, won.probability, won.closed_at) == ("Won", "won", 100, clock.current)
    assert {"stage_move", "won"} <= {a for a, _ in audit_rows("deals", d.id)}
    with pytest.raises(ValidationError, match="already won"):
        deals.mark_won(ctx, d.id, expected_version=won.version)
    back = deals.move_stage(ctx, d.id, stage_id(ctx, "Proposal"), expected_version=won.version)
    assert (back.outcome, back.closed_at, back.stage_name) == ("open", None, "Proposal")
    assert [(h.from_stage_name, h.to_stage_name, h.user_name) for h in deals.stage_history(ctx, d.id)] == [
        ("", "New", "Owner"),
        ("New", "Won", "Owner"),
        ("Won", "Proposal", "Owner"),
    ]
    with pytest.raises(ValidationError, match="open already"):
        deals.reopen(ctx, d.id, expected_version=back.version)


def test_lost_reason_is_kept_audited_and_can_be_corrected(ctx, client, audit_rows):
    d = deals.create(ctx, client_id=client.id, title="Menu boards")
    lost = deals.mark_lost(ctx, d.id, reason="Went to a competitor", expected_version=d.version)
    assert ("lost", {"reason": "Went to a competitor"}) in audit_rows("deals", d.id)
    fixed = deals.mark_lost(ctx, d.id, reason="Price", expected_version=lost.version)
    assert (fixed.lost_reason, fixed.stage_name) == ("Price", "Lost")
    assert len(deals.stage_history(ctx, d.id)) == 2  # the correction is not another move
    won = deals.mark_won(ctx, d.id, expected_version=fixed.version)
    assert (won.outcome, won.lost_reason) == ("won", "")


def test_stage_of_another_pipeline_is_refused(ctx, client):
    other = pipelines.create_pipeline(ctx, "Repairs")
    d = deals.create(ctx, client_id=client.id, title="Poster")
    with pytest.raises(ValidationError, match="belongs to another pipeline"):
        deals.move_stage(ctx, d.id, other.stages[1].id, expected_version=d.version)
    # a stage alone is enough to place a new deal: its pipeline goes with it
    placed = deals.create(ctx, client_id=client.id, title="Boiler", stage_id=other.stages[1].id)
    assert (placed.pipeline_id, placed.stage_name) == (other.id, "Qualified")


def test_new_deals_start_in_the_first_open_stage_even_after_reordering(ctx, client):
    p = pipelines.list_pipelines(ctx)[0]
    won_first = [s.id for s in p.stages if s.is_won] + [s.id for s in p.stages if not s.is_won]
    pipelines.reorder_stages(ctx, p.id, won_first)
    assert deals.create(ctx, client_id=client.id, title="Flags").stage_name == "New"


def test_delete_removes_the_deal_but_keeps_its_tasks(ctx, client, audit_rows):
    d = deals.create(ctx, client_id=client.id, title="Temporary")
    t = tasks.create(ctx, title="Call about it", deal_id=d.id)
    deals.delete(ctx, d.id)
    with pytest.raises(NotFound):
        deals.get(ctx, d.id)
    assert audit_rows("deals", d.id)[-1][0] == "delete"
    assert (tasks.get(ctx, t.id).deal_id, tasks.get(ctx, t.id).client_id) == (None, client.id)


def test_moving_a_deal_to_another_client_takes_its_tasks_along(ctx, client):
    other = clients.create(ctx, name="Samarkand Tour")
    d = deals.create(ctx, client_id=client.id, title="Catalogue")
    t = tasks.create(ctx, title="Send proof", deal_id=d.id)
    moved = deals.update(ctx, d.id, expected_version=d.version, client_id=other.id)
    assert moved.client_name == "Samarkand Tour"
    assert tasks.get(ctx, t.id).client_name == "Samarkand Tour"


def test_list_by_stage_owner_outcome_and_close_date(ctx, client):
    olga = users.create(ctx, username="olga", display_name="Olga")
    a = deals.create(ctx, client_id=client.id, title="A", expected_close="2026-12-20", owner_id=olga.id)
    b = deals.create(ctx, client_id=client.id, title="B", expected_close="2026-12-01")
    c = deals.create(ctx, client_id=client.id, title="C")
    deals.move_stage(ctx, b.id, stage_id(ctx, "Proposal"), expected_version=b.version)
    deals.mark_won(ctx, c.id, expected_version=c.version)
    titles = lambda rows: [r.title for r in rows]  # noqa: E731
    assert titles(deals.list_deals(ctx, sort="stage", descending=False)) == ["A", "B", "C"]
    assert titles(deals.list_deals(ctx, sort="stage")) == ["C", "B", "A"]
    assert titles(deals.list_deals(ctx, sort="expected_close", descending=False, limit=2)) == ["B", "A"]
    assert titles(deals.list_deals(ctx, sort="created", descending=False)) == ["A", "B", "C"]
    assert titles(deals.list_deals(ctx, DealFilter(owner_id=olga.id))) == ["A"]
    assert titles(deals.list_deals(ctx, DealFilter(stage_id=stage_id(ctx, "Proposal")))) == ["B"]
    assert titles(deals.list_deals(ctx, DealFilter(outcome="won"))) == ["C"]
    assert (
        deals.count_deals(ctx, DealFilter(pipeline_id=pipelines.list_pipelines(ctx)[0].id, outcome="open"))
        == 2
    )
    assert a.owner_name == "Olga"
    with pytest.raises(ValidationError, match="Cannot sort deals by 'colour'"):
        deals.list_deals(ctx, sort="colour")


def test_summary_has_every_stage_and_never_adds_currencies(ctx, client):
    company.update(ctx, expected_version=company.get(ctx).version, default_currency="UZS")
    for amount, cur in [("0.10", "USD"), ("0.20", "USD"), ("1500000.55", "UZS")]:
        d = deals.create(ctx, client_id=client.id, title=cur, amount=amount, currency=cur)
        deals.move_stage(ctx, d.id, stage_id(ctx, "Qualified"), expected_version=d.version)
    rows = deals.pipeline_summary(ctx, pipelines.list_pipelines(ctx)[0].id)
    assert [(r.name, r.currency, r.count, r.total, r.weighted) for r in rows] == [
        ("New", "UZS", 0, Decimal("0.00"), Decimal("0.00")),
        ("Qualified", "USD", 2, Decimal("0.30"), Decimal("0.08")),  # 0.075 rounds half up
        ("Qualified", "UZS", 1, Decimal("1500000.55"), Decimal("375000.14")),
        ("Proposal", "UZS", 0, Decimal("0.00"), Decimal("0.00")),
        ("Negotiation", "UZS", 0, Decimal("0.00"), Decimal("0.00")),
        ("Won", "UZS", 0, Decimal("0.00"), Decimal("0.00")),
        ("Lost", "UZS", 0, Decimal("0.00"), Decimal("0.00")),
    ]


def test_hidden_clients_cannot_be_reached_through_deals(ctx, staff):
    secret = clients.create(staff["dilnoza"], name="Secret", private=True)
    d = deals.create(staff["dilnoza"], client_id=secret.id, title="Hidden", amount="700")
    rashad = staff["rashad"]
    with pytest.raises(NotFound):
        deals.create(rashad, client_id=secret.id, title="Sneaky")
    with pytest.raises(NotFound):
        deals.move_stage(rashad, d.id, stage_id(ctx, "Proposal"), expected_version=d.version)
    with pytest.raises(NotFound):
        deals.stage_history(rashad, d.id)
    assert deals.count_deals(rashad) == 0
    new = next(r for r in deals.pipeline_summary(rashad, d.pipeline_id) if r.name == "New")
    assert (new.count, new.total) == (0, Decimal("0.00"))
    assert next(r for r in deals.pipeline_summary(ctx, d.pipeline_id) if r.name == "New").total == Decimal(
        "700"
    )
