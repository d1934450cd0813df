"""SQL pieces the figures are summed with, the same on SQLite and PostgreSQL.

Money columns hold integers of ten-thousandths (db/types.py): a sum or a difference of them comes back as
that integer, so every money aggregate is read through `exact` to become the Decimal amount it is.
Months and other spans are grouped by a CASE over their boundaries (services/periods.py), computed in the
office's zone beforehand: no dialect's date functions, and no conversion of each stored time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, extract, func, literal, type_coerce
from sqlalchemy.orm import Session

from crm_desktop.db.models import Money
from crm_desktop.db.types import ExactDecimal

PERCENT_OF = ExactDecimal(6)  # an amount (4 places) times a whole percent, read as the amount's share


def exact(expr: Any, scale_type: ExactDecimal = Money) -> ColumnElement[Decimal]:
    """`expr` (raw money integers, or an aggregate of them) read back as an exact amount."""
    return type_coerce(expr, scale_type)


def money_sum(expr: Any) -> ColumnElement[Decimal]:
    """The exact sum of a money expression; 0 over no rows."""
    return exact(func.coalesce(func.sum(expr), 0))


def weighted_sum(amount: Any, percent: Any) -> ColumnElement[Decimal]:
    """The sum of each amount times its percent (a deal's value weighted by its stage's probability)."""
    return exact(func.coalesce(func.sum(amount * percent), 0), PERCENT_OF)


def bucket(column: Any, edges: Sequence[date] | Sequence[datetime]) -> ColumnElement[int]:
    """Which of the spans between consecutive `edges` the value is in (0 for the first); None outside."""
    whens = [(column < edge, literal(i)) for i, edge in enumerate(edges[1:])]
    return case((column < edges[0], None), *whens, else_=None)


def seconds_between(s: Session, earlier: Any, later: Any) -> ColumnElement[float]:
    """How many seconds from one stored UTC time to another."""
    if s.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return cast(extract("epoch", later - earlier), Float)


def amounts(rows: Sequence[Sequence[Any]]) -> dict[str, Decimal]:
    """(currency, amount) rows as one amount per currency, the currencies in order; zeros left out."""
    out: dict[str, Decimal] = {}
    for currency, amount in sorted(rows, key=lambda r: r[0]):
        if amount:
            out[currency] = out.get(currency, Decimal(0)) + amount
    return out
