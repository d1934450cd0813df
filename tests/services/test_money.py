"""Totals exact in Decimal and rounded per currency; the parts always add up to the total."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_desktop import i18n
from crm_desktop.i18n import Message
from crm_desktop.services import validation as v
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.money import (
    CURRENCIES,
    LineInput,
    amount_of,
    compute_totals,
    currency,
    format_amount,
    format_money,
    quantize,
)

D = Decimal


def test_three_lines_mixed_tax_and_discount_in_usd():
    totals = compute_totals(
        [
            LineInput(D("3"), D("19.99"), D("10"), D("12")),  # 59.97 − 6.00 (5.997) = 53.97
            LineInput(D("1.5"), D("40.00"), D("0"), D("12")),  # 60.00
            LineInput(D("2"), D("5.555"), D("0"), D("0")),  # 11.11
        ],
        "USD",
    )
    assert [(x.gross, x.discount, x.net) for x in totals.lines] == [
        (D("59.97"), D("6.00"), D("53.97")),
        (D("60.00"), D("0.00"), D("60.00")),
        (D("11.11"), D("0.00"), D("11.11")),
    ]
    assert (totals.subtotal, totals.discount_total, totals.net_total) == (D("131.08"), D("6.00"), D("125.08"))
    # 12% of 113.97 = 13.6764 -> 13.68, once for the rate
    assert [(t.rate, t.base, t.tax) for t in totals.taxes] == [
        (D("0"), D("11.11"), D("0.00")),
        (D("12"), D("113.97"), D("13.68")),
    ]
    assert (totals.tax_total, totals.total) == (D("13.68"), D("138.76"))


def test_tax_is_rounded_once_per_rate_not_per_line():
    totals = compute_totals([LineInput(D(1), D("0.05"), tax_rate=D(10))] * 10, "USD")
    assert totals.tax_total == D("0.05")  # per line it would be 10 × round(0.005) = 0.10


def test_each_line_is_rounded_before_it_is_summed():
    # each line is written on the invoice with its own rounded amount, so the total is their sum
    totals = compute_totals([LineInput(D(1), D("0.005"))] * 2, "USD")
    assert [x.gross for x in totals.lines] == [D("0.01"), D("0.01")]
    assert totals.total == D("0.02")  # rounding only the sum (0.010) would give 0.01


def test_rounding_is_half_up_not_bankers():
    assert quantize(D("2.675"), "EUR") == D("2.68")
    assert quantize(D("2.665"), "EUR") == D("2.67")  # banker's rounding would give 2.66
    assert quantize(D("0.5"), "JPY") == D("1")
    assert quantize(D("1.0005"), "KWD") == D("1.001")


def test_currencies_with_zero_and_three_minor_digits():
    jpy = compute_totals([LineInput(D(3), D("333.5"), tax_rate=D(10))], "JPY")
    assert (jpy.net_total, jpy.tax_total, jpy.total) == (D("1001"), D("100"), D("1101"))
    kwd = compute_totals([LineInput(D(1), D("1.2345"), D(0), D(5))], "KWD")
    assert (kwd.net_total, kwd.tax_total, kwd.total) == (D("1.235"), D("0.062"), D("1.297"))
    assert compute_totals([LineInput(D(2), D("987654321012.345"))], "UZS").total == D("1975308642024.69")


def test_huge_products_are_rounded_once_exactly():
    # 28 significant digits (Decimal's default) would round this product before the cents are decided
    q, p = D("917648565.6030"), D("19796743777630.6252")  # exactly ...744.104999... : 28 digits say .105
    totals = compute_totals([LineInput(q, p)], "USD")
    assert totals.total == _half_up(Fraction(q) * Fraction(p), 2) == D("18166453531152858812744.10")


def test_equal_tax_rates_written_differently_are_one_tax_line():
    totals = compute_totals(
        [LineInput(D(1), D(100), tax_rate=D("10")), LineInput(D(1), D(100), tax_rate=D("10.0000"))], "USD"
    )
    assert [(str(t.rate), t.base, t.tax) for t in totals.taxes] == [("10", D("200.00"), D("20.00"))]


def test_an_empty_document_totals_zero_in_the_currency():
    totals = compute_totals([], "KWD")
    assert (totals.total, totals.taxes, str(totals.total)) == (D(0), (), "0.000")


def test_float_is_refused():
    with pytest.raises(TypeError, match="not float"):
        compute_totals([LineInput(D(1), 0.1)], "USD")  # type: ignore[arg-type]


def test_unknown_currency_is_explained():
    with pytest.raises(ValidationError) as err:
        currency("XYZ")
    assert err.value.field == "currency"
    assert err.value.message == "Unknown currency 'XYZ'. Use a 3-letter code such as USD, EUR, UZS."
    assert currency(" uzs ").code == "UZS"
    with pytest.raises(ValidationError, match="Unknown currency"):
        compute_totals([], "SOM")


def test_currency_table_has_the_offices_currencies():
    for code in ("UZS", "AZN", "USD", "EUR", "RUB", "KZT", "TRY", "SAR", "AED", "GBP"):
        assert CURRENCIES[code].minor_units == 2
    assert {c: CURRENCIES[c].minor_units for c in ("KWD", "BHD", "OMR", "JPY")} == {
        "KWD": 3,
        "BHD": 3,
        "OMR": 3,
        "JPY": 0,
    }
    assert (CURRENCIES["AZN"].symbol, CURRENCIES["EUR"].name) == ("₼", "Euro")


def test_format_money_groups_digits_and_names_the_currency():
    assert format_money(D("1234567.5"), "UZS") == "1,234,567.50 UZS"
    assert format_money(D("12"), "KWD") == "12.000 KWD"
    assert format_money(D("1500.5"), "JPY") == "1,501 JPY"
    assert format_money(D("-0.5"), "USD") == "-0.50 USD"


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "1,234,567.50 UZS"),
        ("ru", "1\u00a0234\u00a0567,50 UZS"),
        ("uz", "1\u00a0234\u00a0567,50 UZS"),
        ("az", "1.234.567,50 UZS"),
        ("ar", "1,234,567.50 UZS"),
    ],
)
def test_money_is_written_as_the_language_writes_numbers_and_read_back_from_it(language, written):
    assert format_money(D("1234567.5"), "UZS", language) == written
    i18n.set_language(language)
    assert format_money(D("1234567.5"), "UZS") == written  # the language in force, by default
    typed = format_amount(D("1234567.5"), "UZS")
    assert v.decimal("amount", typed, "The amount") == D("1234567.50")  # what a form shows reads back
    assert v.decimal("amount", format_amount(D("1234"), "JPY"), "The amount") == D("1234")  # 1.234 in az


def test_a_message_writes_its_amounts_and_numbers_in_the_readers_language_from_one_stored_entry():
    stored = Message("Payment of {amount} at {rate}%", amount=amount_of(D("1500"), "UZS"), rate=D("12.5"))
    entry = Message.from_json(json.loads(json.dumps(stored.to_json())))
    assert entry == stored
    assert entry.render("en") == "Payment of 1,500.00 UZS at 12.5%"
    # (the sentence is no catalogue's, so it stays English; its fields are each reader's)
    assert entry.render("ru") == "Payment of 1\u00a0500,00 UZS at 12,5%"
    assert entry.render("az") == "Payment of 1.500,00 UZS at 12,5%"


# --- properties ---------------------------------------------------------------------------------


def _half_up(value: Fraction, places: int) -> Decimal:
    """The reference rounding, in exact fractions: what a careful accountant would write down."""
    scaled = value * 10**places
    whole = int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2))
    return D(whole).scaleb(-places).quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


amounts = st.decimals(min_value=0, max_value=10**12, places=4, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([D(0), D(5), D(12), D("12.0"), D(15), D("7.5"), D(20), D("18.0000")])
line_inputs = st.lists(
    st.builds(LineInput, quantity=quantities, unit_price=amounts, discount_percent=percents, tax_rate=rates),
    max_size=25,
)
codes = st.sampled_from(["USD", "UZS", "KWD", "BHD", "JPY"])  # 2, 3 and 0 minor digits


@settings(max_examples=300, deadline=None)
@given(lines=line_inputs, code=codes)
def test_parts_always_add_up_exactly(lines, code):
    totals = compute_totals(lines, code)
    step = D(1).scaleb(-CURRENCIES[code].minor_units)
    amounts = [totals.subtotal, totals.discount_total, totals.net_total, totals.tax_total, totals.total]
    amounts += [x for line in totals.lines for x in (line.gross, line.discount, line.net)]
    amounts += [x for t in totals.taxes for x in (t.base, t.tax)]
    assert all(type(a) is Decimal and a.as_tuple().exponent == step.as_tuple().exponent for a in amounts)
    assert (
        totals.subtotal - totals.discount_total
        == totals.net_total
        == sum((x.net for x in totals.lines), D(0))
    )
    assert totals.tax_total == sum((t.tax for t in totals.taxes), D(0))
    assert totals.net_total == sum((t.base for t in totals.taxes), D(0))
    assert totals.total == totals.net_total + totals.tax_total
    assert [t.rate for t in totals.taxes] == sorted({line.tax_rate for line in lines})


@settings(max_examples=300, deadline=None)
@given(lines=line_inputs, code=codes)
def test_every_amount_matches_the_rule_computed_with_exact_fractions(lines, code):
    places = CURRENCIES[code].minor_units
    totals = compute_totals(lines, code)
    nets: dict[Fraction, Fraction] = {}
    for line, got in zip(lines, totals.lines, strict=True):
        gross = _half_up(Fraction(line.quantity) * Fraction(line.unit_price), places)
        discount = _half_up(Fraction(gross) * Fraction(line.discount_percent) / 100, places)
        assert (got.gross, got.discount, got.net) == (gross, discount, gross - discount)
        nets[Fraction(line.tax_rate)] = nets.get(Fraction(line.tax_rate), Fraction(0)) + Fraction(
            gross - discount
        )
    assert [t.tax for t in totals.taxes] == [
        _half_up(base * rate / 100, places) for rate, base in sorted(nets.items())
    ]
