"""Totals exact in Decimal and rounded per currency; the parts always add up to the total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_desktop.services.errors import ValidationError
from crm_desktop.services.money import CURRENCIES, LineInput, compute_totals, currency, format_money, quantize

D = Decimal


def test_three_lines_mixed_tax_and_discount_in_usd():
    totals = compute_totals([
        LineInput(D("3"), D("19.99"), D("10"), D("12")),   # 59.97 − 6.00 = 53.97
        LineInput(D("1.5"), D("40.00"), D("0"), D("12")),  # 60.00
        LineInput(D("2"), D("5.555"), D("0"), D("0")),     # 11.11
    ], "USD")
    assert [line.net for line in totals.lines] == [D("53.97"), D("60.00"), D("11.11")]
    assert (totals.subtotal, totals.discount_total, totals.net_total) == (D("131.08"), D("6.00"), D("125.08"))
    assert [(t.rate, t.base, t.tax) for t in totals.taxes] == [(D("0"), D("11.11"), D("0.00")),
                                                              (D("12"), D("113.97"), D("13.68"))]
    assert (totals.tax_total, totals.total) == (D("13.68"), D("138.76"))


def test_tax_is_rounded_once_per_rate_not_per_line():
    totals = compute_totals([LineInput(D(1), D("0.05"), tax_rate=D(10))] * 10, "USD")
    assert totals.tax_total == D("0.05")  # per line it would be 10 × round(0.005) = 0.10


def test_currencies_with_zero_and_three_minor_digits():
    assert compute_totals([LineInput(D(3), D("333.5"), tax_rate=D(10))], "JPY").total == D("1101")
    kwd = compute_totals([LineInput(D(1), D("1.2345"), D(0), D(5))], "KWD")
    assert (kwd.net_total, kwd.tax_total, kwd.total) == (D("1.235"), D("0.062"), D("1.297"))
    assert compute_totals([LineInput(D(2), D("987654321012.345"))], "UZS").total == D("1975308642024.69")


def test_unknown_currency_is_explained():
    with pytest.raises(ValidationError, match="Unknown currency 'XYZ'"):
        currency("XYZ")
    assert quantize(D("2.675"), "EUR") == D("2.68")  # half-up, not banker's rounding


def test_format_money_groups_digits_and_names_the_currency():
    assert format_money(D("1234567.5"), "UZS") == "1\u202f234\u202f567.50 UZS"
    assert format_money(D("12"), "KWD") == "12.000 KWD"


amounts = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
lines = st.lists(st.builds(LineInput, quantity=st.decimals(min_value=0, max_value=10**4, places=3),
                           unit_price=amounts, discount_percent=percents,
                           tax_rate=st.sampled_from([D(0), D(5), D(12), D(15), D("7.5"), D(20)])),
                 max_size=30)


@settings(max_examples=300, deadline=None)
@given(lines=lines, code=st.sampled_from(sorted(CURRENCIES)))
def test_parts_always_add_up_exactly(lines, code):
    totals = compute_totals(lines, code)
    step = D(1).scaleb(-CURRENCIES[code].minor_units)
    amounts = [totals.subtotal, totals.discount_total, totals.net_total, totals.tax_total, totals.total]
    amounts += [x for line in totals.lines for x in (line.gross, line.discount, line.net)]
    amounts += [x for t in totals.taxes for x in (t.base, t.tax)]
    assert all(isinstance(a, Decimal) and a == a.quantize(step) for a in amounts)
    assert totals.subtotal - totals.discount_total == totals.net_total == sum((x.net for x in totals.lines), D(0))
    assert totals.tax_total == sum((t.tax for t in totals.taxes), D(0))
    assert totals.net_total == sum((t.base for t in totals.taxes), D(0))
    assert totals.total == totals.net_total + totals.tax_total
