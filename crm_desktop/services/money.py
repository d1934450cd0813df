"""Currencies and document totals, exact in Decimal and rounded the way each currency is written.

Rounding rule (one rule everywhere; tests/services/test_money.py checks it):
1. each line: gross = quantity × unit price, rounded half-up to the currency's minor unit;
   discount = gross × discount % / 100, rounded the same way; net = gross − discount;
2. tax is computed once per tax rate, on the sum of the nets at that rate, rounded half-up
   (so ten lines at 12% never drift from 12% of their sum by a coin per line);
3. total = net total + tax total.
Every amount therefore has at most the currency's minor digits, and the parts always add up
exactly: subtotal − discount total = net total = Σ line nets = Σ tax bases; tax total = Σ taxes.

Arithmetic runs in a wide Decimal context so that a product is rounded only once, by the rule
above (the default 28 digits would round 10⁹ × 10¹⁴ with 8 decimals before we do). Floats are
refused: 0.1 as a float is not 0.1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from crm_desktop import i18n
from crm_desktop.i18n import Message
from crm_desktop.services.errors import ValidationError

_WIDE = Context(prec=80, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Currency:
    code: str
    minor_units: int  # digits after the decimal point (ISO 4217)
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
        Currency("KGS", 2, "сом", "Kyrgyz som"),
        Currency("TJS", 2, "SM", "Tajik somoni"),
        Currency("GEL", 2, "₾", "Georgian lari"),
        Currency("TRY", 2, "₺", "Turkish lira"),
        Currency("SAR", 2, "﷼", "Saudi riyal"),
        Currency("AED", 2, "د.إ", "UAE dirham"),
        Currency("QAR", 2, "ر.ق", "Qatari riyal"),
        Currency("EGP", 2, "E£", "Egyptian pound"),
        Currency("GBP", 2, "£", "Pound sterling"),
        Currency("KWD", 3, "KD", "Kuwaiti dinar"),
        Currency("BHD", 3, "BD", "Bahraini dinar"),
        Currency("OMR", 3, "OMR", "Omani rial"),
        Currency("JPY", 0, "¥", "Japanese yen"),
    )
}


def currency(code: str | None, field: str = "currency") -> Currency:
    """The currency for a code typed in any case; unknown codes are a ValidationError on `field`."""
    found = CURRENCIES.get(code.strip().upper()) if isinstance(code, str) else None
    if found is None:
        raise ValidationError(
            field, "Unknown currency '{code}'. Use a 3-letter code such as USD, EUR, UZS.", code=code
        )
    return found


def step(code: str) -> Decimal:
    """The smallest coin: Decimal('0.01') for USD, Decimal('0.001') for KWD, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-currency(code).minor_units)


def quantize(amount: Decimal, code: str) -> Decimal:
    """`amount` rounded half-up to the currency's minor unit (2.675 EUR -> 2.68, not banker's 2.67)."""
    return _exact(amount).quantize(step(code), rounding=ROUND_HALF_UP, context=_WIDE)


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
    base: Decimal  # sum of the nets taxed at this rate
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
    """Totals of a document by the rounding rule in the module docstring."""
    code = currency(currency_code).code
    zero = quantize(Decimal(0), code)
    with localcontext(_WIDE):
        computed = []
        for line in lines:
            gross = quantize(_exact(line.quantity) * _exact(line.unit_price), code)
            discount = quantize(gross * _exact(line.discount_percent) / 100, code)
            computed.append(LineTotals(gross, discount, gross - discount, plain(_exact(line.tax_rate))))
        bases: dict[Decimal, Decimal] = {}
        for lt in computed:
            bases[lt.tax_rate] = bases.get(lt.tax_rate, zero) + lt.net
        taxes = tuple(
            TaxLine(rate, base, quantize(base * rate / 100, code)) for rate, base in sorted(bases.items())
        )
        net_total = sum((lt.net for lt in computed), zero)
        tax_total = sum((t.tax for t in taxes), zero)
        return Totals(
            lines=tuple(computed),
            subtotal=sum((lt.gross for lt in computed), zero),
            discount_total=sum((lt.discount for lt in computed), zero),
            net_total=net_total,
            taxes=taxes,
            tax_total=tax_total,
            total=net_total + tax_total,
        )


def format_money(amount: Decimal, code: str, language: str | None = None) -> str:
    """'1,234,567.50 UZS' in English, '1 234 567,50 UZS' in Russian: the amount as `language` (default the
    current one) writes numbers, then the ISO code, which reads the same in every script."""
    return amount_of(amount, code).render(language)


def format_amount(amount: Decimal, code: str, language: str | None = None) -> str:
    """'1 234 567,50': the amount as format_money shows it, without the code (for a field to edit;
    validation.decimal reads it back)."""
    return i18n.number_text(amount_of(amount, code).value, language)


def check_fits(field: str, amount: Decimal, code: str) -> None:
    """Refuses an amount with more decimal places than its currency has (12.345 UZS), naming `field`."""
    minor = currency(code).minor_units
    if amount != amount.quantize(Decimal(1).scaleb(-minor)):
        raise ValidationError(
            field,
            Message.counted(
                "{code} amounts have {n} decimal place at most (got {amount}).",
                "{code} amounts have {n} decimal places at most (got {amount}).",
                minor,
                code=code,
                amount=amount,
            ),
        )


def amount_of(amount: Decimal, code: str) -> i18n.Amount:
    """`amount` in `code` as a field of a Message, with the currency's decimal places (2 for an unknown
    code rather than failing a view), written out in each reader's way."""
    cur = CURRENCIES.get(code)
    places = cur.minor_units if cur else 2
    value = _exact(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)
    return i18n.Amount(value, code)


def _exact(value: Decimal | int) -> Decimal:
    if isinstance(value, float) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"money arithmetic takes Decimal or int, not {type(value).__name__} ({value!r})")
    return Decimal(value)


def plain_text(value: Decimal, language: str | None = None) -> str:
    """12.5000 → 12.5 (12,5 in Russian), 1500000 → 1,500,000: a quantity, price or rate as a person writes
    it, in `language` (default the current one); validation.decimal reads it back."""
    return i18n.number_text(plain(value), language)


def plain(rate: Decimal) -> Decimal:
    """12.0000 -> 12 and 10 -> 10 (not 1E+1), so equal rates group together and print plainly."""
    rate = rate.normalize()
    exponent = rate.as_tuple().exponent  # a letter only for NaN/Infinity, which never reach a rate
    return rate.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else rate
