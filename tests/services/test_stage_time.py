"""When a deal entered its stage, read through the SQL expression itself, on SQLite and PostgreSQL: the
last move into the stage it is in (A → B → A: the second move into A), else the moment it was made."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from crm_desktop.db.models import Deal, DealStageChange
from crm_desktop.services import clients, deals, pipelines
from crm_desktop.services.stage_time import entered_stage_at


def entries(ctx, deal_alias=None) -> dict[int, tuple]:
    deal = deal_alias if deal_alias is not None else Deal
    entry = entered_stage_at(deal)
    with ctx.read() as s:
        rows = s.execute(select(deal.id, entry.at.label("entered_at"), entry.change_id.label("change")))
        return {deal_id: (at, change) for deal_id, at, change in rows}


def moves_into(ctx, deal_id: int) -> list[int]:
    with ctx.read() as s:
        return list(
            s.scalars(
                select(DealStageChange.id)
                .where(DealStageChange.deal_id == deal_id)
                .order_by(DealStageChange.id)
            )
        )


def test_a_deal_entered_its_stage_at_the_last_move_into_it(ctx, clock):
    stage = {st.name: st.id for st in pipelines.list_pipelines(ctx)[0].stages}
    client = clients.create(ctx, name="Aziz Karimov")
    made_at = clock.current
    deal = deals.create(ctx, client_id=client.id, title="Office cleaning")  # in "New", its first change
    resting = deals.create(ctx, client_id=client.id, title="Windows")
    assert entries(ctx)[deal.id] == (made_at, moves_into(ctx, deal.id)[0])
    clock.current += timedelta(days=3)
    deal = deals.move_stage(ctx, deal.id, stage["Qualified"], expected_version=deal.version)  # A → B
    clock.current += timedelta(days=2)
    back_at = clock.current
    deals.move_stage(ctx, deal.id, stage["New"], expected_version=deal.version)  # B → A: a new stay in A
    found = entries(ctx)
    assert found[deal.id] == (back_at, moves_into(ctx, deal.id)[-1])
    assert found[resting.id] == (made_at, moves_into(ctx, resting.id)[0])
    # the same through an alias of Deal, as a report joining deals twice would use it
    assert entries(ctx, aliased(Deal))[deal.id] == (back_at, moves_into(ctx, deal.id)[-1])


def test_a_deal_without_a_move_into_its_stage_is_there_since_it_was_created(ctx, clock):
    client = clients.create(ctx, name="Leyla Əliyeva")
    made_at = clock.current
    deal = deals.create(ctx, client_id=client.id, title="Audit")
    with ctx.write() as s:  # as an import or the demo office loads it: no history
        for change in s.scalars(select(DealStageChange).where(DealStageChange.deal_id == deal.id)):
            s.delete(change)
    clock.current += timedelta(days=10)
    assert entries(ctx)[deal.id] == (made_at, None)
