"""What the shared checks take from what people type, and what they refuse."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from crm_desktop.services import clients, deals
from crm_desktop.services import validation as v
from crm_desktop.services.errors import ValidationError


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("42 300 000", "42300000"),
        ("42,300,000.50", "42300000.50"),
        ("1 355,90", "1355.90"),
        ("1.355,90", "1355.90"),
        ("12,5", "12.5"),
        ("42.300.000", "42300000"),
        ("1'000", "1000"),
        ("1\u202f234\u202f567.50", "1234567.50"),  # as the app itself shows amounts
        ("1\u00a0234,5", "1234.5"),  # a no-break space, as spreadsheets copy it
    ],
)
def test_amounts_are_read_as_people_type_them(typed, meant):
    assert v.decimal("amount", typed, "The amount", places=2) == Decimal(meant)


@pytest.mark.parametrize("typed", ["12,3,4.5", "1.2.3,4,5", "twelve", "1e3x"])
def test_what_is_not_a_number_is_refused_not_guessed(typed):
    with pytest.raises(ValidationError, match="must be a number"):
        v.decimal("amount", typed, "The amount")


def test_a_deal_amount_typed_with_groups_is_stored_exactly(ctx):
    client = clients.create(ctx, name="Aziz Karimov")
    deal = deals.create(
        ctx, client_id=client.id, title="Office cleaning", amount="42 300 000", currency="UZS"
    )
    assert deals.get(ctx, deal.id).amount == Decimal("42300000")


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("14:30", time(14, 30)),
        ("9:05", time(9, 5)),
        ("9.30", time(9, 30)),
        ("14", time(14, 0)),
        (" 00:00 ", time(0, 0)),
        ("", None),
    ],
)
def test_a_time_of_day_is_read_as_people_type_it(typed, meant):
    assert v.a_time("due_at", typed, "The time") == meant


@pytest.mark.parametrize("typed", ["25:00", "14:75", "24:00", "2pm", "14:3", "1430"])
def test_a_time_that_does_not_exist_or_cannot_be_read_is_refused_not_guessed(typed):
    with pytest.raises(ValidationError) as refused:
        v.a_time("due_at", typed, "The time")
    assert refused.value.field == "due_at" and typed in refused.value.message
