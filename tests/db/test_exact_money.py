"""Money survives the database exactly: no float on the way in, on the way out, or in SQL sums.

Money columns are ExactDecimal(4): a 64-bit integer of ten-thousandths, so a column holds amounts
up to 922 337 203 685 477.5807 and refuses (never rounds, never wraps) anything beyond or finer.

Spans db/types.py (ExactDecimal), db/models.py and the services that store money.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import upgrade
from crm_desktop.db.models import Deal, Document, DocumentLine
from crm_desktop.services import clients, deals, invoices
from crm_desktop.services.context import FixedClock, ServiceContext
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.invoices import LineValues

D = Decimal
COLUMN_MAX = D("922337203685477.5807")  # (2⁶³ − 1) / 10⁴
_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _deal_rows(client_id: int, amounts, *, title: str, currency: str = "UZS", now) -> list[dict]:
    return [
        {
            "client_id": client_id,
            "pipeline_id": 1,
            "stage_id": 1,
            "title": title,
            "amount": amount,
            "currency": currency,
            "outcome": "open",
            "lost_reason": "",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for amount in amounts
    ]


def test_point_one_plus_point_two_is_exactly_point_three(ctx):
    c = clients.create(ctx, name="Exact")
    d = deals.create(ctx, client_id=c.id, title="Sum", amount=D("0.1") + D("0.2"))
    assert deals.get(ctx, d.id).amount == D("0.3")
    doc = invoices.create_draft(ctx, client_id=c.id, lines=[LineValues("Tea", 1, "", D("0.1") + D("0.2"))])
    with ctx.read() as s:
        price = s.scalar(select(DocumentLine.unit_price).where(DocumentLine.document_id == doc.id))
        total = s.scalar(select(Document.total).where(Document.id == doc.id))
    assert (price, total) == (D("0.3"), D("0.3"))
    assert (str(price), type(price)) == ("0.3000", Decimal)  # always the stored scale, never a float


def test_large_uzs_amounts_and_their_sums_are_exact(ctx):
    c = clients.create(ctx, name="Big")
    big = D("98765432101234.56")  # ~99 trillion soʻm: the largest a service accepts is 10¹⁴
    with ctx.write() as s:
        s.execute(
            insert(Deal),
            _deal_rows(c.id, [big] * 3, title="big", now=ctx.now())
            + _deal_rows(c.id, [D("0.1")] * 1000, title="dime", now=ctx.now()),
        )
    with ctx.read() as s:
        assert set(s.scalars(select(Deal.amount).where(Deal.title == "big"))) == {big}
        assert s.scalar(select(func.sum(Deal.amount)).where(Deal.title == "dime")) == D("100")
        assert s.scalar(select(func.sum(Deal.amount))) == big * 3 + D("100") == D("296296296303803.68")


def test_the_largest_storable_amount_round_trips_and_one_beyond_is_refused(ctx):
    c = clients.create(ctx, name="Edge")
    with ctx.write() as s:
        s.execute(insert(Deal), _deal_rows(c.id, [COLUMN_MAX, -COLUMN_MAX], title="edge", now=ctx.now()))
    with ctx.read() as s:
        assert sorted(s.scalars(select(Deal.amount).where(Deal.title == "edge"))) == [-COLUMN_MAX, COLUMN_MAX]
    # 987 654 321 012 345.67 needs more than 63 bits at 4 decimals: refused, never wrapped around
    with pytest.raises(StatementError, match="too large to store"), ctx.write() as s:
        s.execute(insert(Deal), _deal_rows(c.id, [D("987654321012345.67")], title="over", now=ctx.now()))
    with pytest.raises(ValidationError, match="cannot be more than 100,000,000,000,000") as err:
        deals.create(ctx, client_id=c.id, title="Too big", amount=D("987654321012345.67"))
    assert err.value.field == "amount"


def test_more_decimals_than_stored_are_refused_never_rounded(ctx):
    c = clients.create(ctx, name="Precise")
    with (
        pytest.raises(StatementError, match="0.00001 has more than 4 decimal places") as err,
        ctx.write() as s,
    ):
        s.add(Deal(client_id=c.id, pipeline_id=1, stage_id=1, title="x", amount=D("0.00001"), currency="USD"))
    assert isinstance(err.value.orig, ValueError)
    with pytest.raises(ValidationError) as err:  # through a service the user is told what to type
        invoices.create_draft(ctx, client_id=c.id, lines=[LineValues("Fuel", 1, "l", "1.23456")])
    assert (err.value.field, err.value.message) == (
        "lines[0].unit_price",
        "Unit price can have at most 4 decimal places (got 1.23456).",
    )
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Deal)) == 0
        assert s.scalar(select(func.count()).select_from(Document)) == 0


# --- properties: random amounts through a real database -----------------------------------------
# One database per module (a fresh one per example would take minutes); rows are told apart by a tag.


def _prepared(url: str) -> Iterator[tuple[Database, int]]:
    db = Database.open(url)
    try:
        upgrade(db)
        yield db, clients.create(ServiceContext(db, clock=FixedClock(_NOW)), name="Random").id
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def sqlite_money_db(tmp_path_factory) -> Iterator[tuple[Database, int]]:
    yield from _prepared(f"sqlite:///{tmp_path_factory.mktemp('money') / 'money.sqlite3'}")


@pytest.fixture(scope="module")
def postgres_money_db(request) -> Iterator[tuple[Database, int]]:
    server = os.environ.get("CRM_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    request.getfixturevalue("_postgres_ready")  # pg_trgm, which the migrations need
    server_url = make_url(server).set(drivername="postgresql+psycopg")
    schema = f"t_money_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = server_url.update_query_dict({"options": f"-csearch_path={schema},public"})
        yield from _prepared(url.render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


storable = st.decimals(
    min_value=-COLUMN_MAX, max_value=COLUMN_MAX, places=4, allow_nan=False, allow_infinity=False
)
summable = st.decimals(min_value=-(10**13), max_value=10**13, places=4, allow_nan=False, allow_infinity=False)


def _round_trip(db: Database, client_id: int, amounts: list[Decimal]) -> tuple[list[Decimal], Decimal | None]:
    tag = uuid.uuid4().hex
    with db.write() as s:
        s.execute(insert(Deal), _deal_rows(client_id, amounts, title=tag, now=_NOW))
    with db.read() as s:
        back = list(s.scalars(select(Deal.amount).where(Deal.title == tag).order_by(Deal.id)))
        total = s.scalar(select(func.sum(Deal.amount)).where(Deal.title == tag))
    return back, total


def _check(db: Database, client_id: int, amounts: list[Decimal]) -> None:
    back, total = _round_trip(db, client_id, amounts)
    assert back == amounts and all(type(x) is Decimal for x in back)
    assert total == sum(amounts, D(0))


# one or two amounts anywhere in the column's range, or many smaller ones to add up; every partial sum
# must fit too, whatever order the database adds them in (SQLite's sum() refuses to overflow)
batches = st.lists(storable, min_size=1, max_size=2).filter(
    lambda xs: sum(abs(x) for x in xs) <= COLUMN_MAX
) | st.lists(summable, min_size=1, max_size=20)


@settings(max_examples=50, deadline=None)
@given(amounts=batches)
def test_any_amount_with_up_to_4_places_round_trips_through_sqlite(sqlite_money_db, amounts):
    _check(*sqlite_money_db, amounts)


@settings(max_examples=15, deadline=None)
@given(amounts=batches)
def test_any_amount_with_up_to_4_places_round_trips_through_postgresql(postgres_money_db, amounts):
    _check(*postgres_money_db, amounts)
