"""Property: a document's lines and totals survive the database exactly, on SQLite and PostgreSQL,
in currencies with 0, 2 and 3 minor digits — whatever the discounts and the mix of tax rates.

Spans services/invoices.py, services/money.py and db/types.py."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_desktop.services import clients, invoices, money
from crm_desktop.services.invoices import DocumentFilter, LineValues

amounts = st.decimals(min_value=0, max_value=10**8, places=4, allow_nan=False, allow_infinity=False)
quantities = st.decimals(
    min_value=Decimal("0.0001"), max_value=10**4, places=4, allow_nan=False, allow_infinity=False
)
percents = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([Decimal(0), Decimal(12), Decimal("7.5"), Decimal(18), Decimal("0.25")])
lines = st.lists(
    st.builds(
        LineValues,
        description=st.just("Work"),
        quantity=quantities,
        unit=st.just(""),
        unit_price=amounts,
        discount_percent=percents,
        tax_rate=rates,
    ),
    min_size=1,
    max_size=12,
)
codes = st.sampled_from(["JPY", "UZS", "USD", "KWD", "BHD"])  # 0, 2, 2, 3, 3 minor digits


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=lines, code=codes)
def test_totals_and_lines_round_trip_exactly(ctx, typed, code):
    client = clients.create(ctx, name="Round Trip")
    expected = money.compute_totals(
        [money.LineInput(x.quantity, x.unit_price, x.discount_percent, x.tax_rate) for x in typed], code
    )
    made = invoices.create_draft(ctx, client_id=client.id, currency=code, lines=typed)
    stored = invoices.get(ctx, made.id)  # read back in a new unit of work
    assert (stored.subtotal, stored.tax_total, stored.total) == (
        expected.subtotal,
        expected.tax_total,
        expected.total,
    )
    assert stored.total == sum((line.net for line in stored.lines), Decimal(0)) + stored.tax_total
    assert [(x.quantity, x.unit_price, x.discount_percent, x.tax_rate) for x in stored.lines] == [
        (x.quantity, x.unit_price, x.discount_percent, x.tax_rate) for x in typed
    ]
    [row] = invoices.list_documents(ctx, DocumentFilter(client_id=client.id))
    assert (row.total, row.balance) == (expected.total, expected.total)
    sums = dict((c, t) for c, t, _ in invoices.totals_by_currency(ctx, DocumentFilter(client_id=client.id)))
    assert sums == {code: expected.total}
