"""Currencies and document totals, exact in Decimal and rounded the way each currency is written.

Rounding rule (one rule everywhere, tested in tests/services/test_money.py):
1. each line: gross = quantity × unit price, rounded half-up to the currency's minor unit;
   discount = gross × discount % / 100, rounded the same way; net = gross − discount;
2. tax is computed once per tax rate on the sum of the nets at that rate, rounded half-up
   (so ten lines at 12% never drift from the 12% of their sum by a tiny coin per line);
3. total = net total + tax total.
Every stored amount therefore has at most the currency's minor digits, and the parts always add
up exactly to the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from crm_desktop.services.errors import ValidationError


@dataclass(frozen=True)
class Currency:
    code: str
    minor_units: int
    symbol: str
    name: str


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("UZS", 2, "soʻm", "Uzbek soʻm"),
        Currency("AZN", 2, "₼", "Azerbaijani manat"),
        Currency("USD", 2, "$", "US dollar"),
        Currency("EUR", 2, "€", "Euro"),
        Currency("RUB", 2, "₽", "Russian ruble"),
        Currency("KZT", 2, "₸", "Kazakhstani tenge"),
        Currency("TRY", 2, "₺", "Turkish lira"),
        Currency("SAR", 2, "﷼", "Saudi riyal"),
        Currency("AED", 2, "د.إ", "UAE dirham"),
        Currency("GBP", 2, "£", "Pound sterling"),
        Currency("KGS", 2, "сом", "Kyrgyz som"),
        Currency("TJS", 2, "SM", "Tajik somoni"),
        Currency("GEL", 2, "₾", "Georgian lari"),
        Currency("KWD", 3, "KD", "Kuwaiti dinar"),
        Currency("BHD", 3, "BD", "Bahraini dinar"),
        Currency("OMR", 3, "OMR", "Omani rial"),
        Currency("JPY", 0, "¥", "Japanese yen"),
    )
}


def currency(code: str | None, field: str = "currency") -> Currency:
    found = CURRENCIES.get((code or "").strip().upper())
    if found is None:
        raise ValidationError(field, f"Unknown currency '{code}'. Use a 3-letter code such as USD, EUR or UZS.")
    return found


def quantize(amount: Decimal, code: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-currency(code).minor_units), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class LineTotals:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineTotals, ...]
    subtotal: Decimal  # sum of gross amounts, before discounts
    discount_total: Decimal
    net_total: Decimal
    taxes: tuple[TaxLine, ...]  # one per rate, lowest rate first
    tax_total: Decimal
    total: Decimal


def compute_totals(lines: Iterable[LineInput], currency_code: str) -> Totals:
    zero = quantize(Decimal(0), currency_code)
    computed = []
    for line in lines:
        gross = quantize(line.quantity * line.unit_price, currency_code)
        discount = quantize(gross * line.discount_percent / 100, currency_code)
        computed.append(LineTotals(gross, discount, gross - discount, line.tax_rate.normalize()))
    bases: dict[Decimal, Decimal] = {}
    for line in computed:
        bases[line.tax_rate] = bases.get(line.tax_rate, zero) + line.net
    taxes = tuple(
        TaxLine(rate, base, quantize(base * rate / 100, currency_code)) for rate, base in sorted(bases.items())
    )
    net_total = sum((line.net for line in computed), zero)
    tax_total = sum((t.tax for t in taxes), zero)
    return Totals(
        lines=tuple(computed),
        subtotal=sum((line.gross for line in computed), zero),
        discount_total=sum((line.discount for line in computed), zero),
        net_total=net_total,
        taxes=taxes,
        tax_total=tax_total,
        total=net_total + tax_total,
    )


def format_money(amount: Decimal, code: str) -> str:
    """'1 234 567.50 UZS': digits grouped by thin spaces, the code after (clear in every script)."""
    cur = CURRENCIES.get(code)
    places = cur.minor_units if cur else 2
    value = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{value:,.{places}f}".replace(",", "\u202f")
    return f"{text} {code}"
