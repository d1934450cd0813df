"""Money survives the database exactly: no float on the way in, out, or in SQL sums."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from crm_desktop.db.models import Deal
from crm_desktop.services import clients, deals

D = Decimal


def test_point_one_plus_point_two_is_exactly_point_three(ctx):
    c = clients.create(ctx, name="Exact")
    d = deals.create(ctx, client_id=c.id, title="Sum", amount=D("0.1") + D("0.2"))
    assert deals.get(ctx, d.id).amount == D("0.3")
    assert str(deals.get(ctx, d.id).amount) == "0.3000"


def test_large_uzs_amounts_and_their_sums_are_exact(ctx):
    c = clients.create(ctx, name="Big")
    big = D("98765432101234.56")  # ~98 trillion soʻm: far beyond any invoice
    with ctx.write() as s:  # beyond what a service allows for one deal, but a column must still hold it
        s.execute(insert(Deal), [
            {"client_id": c.id, "pipeline_id": 1, "stage_id": 1, "title": f"d{i}", "amount": big, "currency": "UZS",
             "outcome": "open", "lost_reason": "", "created_at": ctx.now(), "updated_at": ctx.now(), "version": 1}
            for i in range(3)
        ] + [{"client_id": c.id, "pipeline_id": 1, "stage_id": 1, "title": f"t{i}", "amount": D("0.1"),
              "currency": "UZS", "outcome": "open", "lost_reason": "", "created_at": ctx.now(),
              "updated_at": ctx.now(), "version": 1} for i in range(10)])
    with ctx.read() as s:
        assert set(s.scalars(select(Deal.amount).where(Deal.title.like("d%")))) == {big}
        assert s.scalar(select(func.sum(Deal.amount))) == big * 3 + D("1.0")


def test_more_decimals_than_stored_are_refused_never_rounded(ctx):
    c = clients.create(ctx, name="Precise")
    with pytest.raises(Exception, match="more than 4 decimal places"), ctx.write() as s:
        s.add(Deal(client_id=c.id, pipeline_id=1, stage_id=1, title="x", amount=D("0.00001"), currency="USD"))
