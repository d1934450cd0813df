"""What keeps its own order in an Arabic window: amounts, and names written in a left-to-right script
with marks at their ends; in any other window nothing is added."""

from __future__ import annotations

from decimal import Decimal

from crm_desktop import i18n
from crm_desktop.ui.left_to_right import in_its_own_order, money_text


def test_in_an_arabic_window_latin_and_cyrillic_names_and_amounts_are_embedded_left_to_right():
    i18n.set_language("ar")
    assert in_its_own_order("«Юридическое бюро «Право»»") == "\u202a«Юридическое бюро «Право»»\u202c"
    assert in_its_own_order("Brightside Consulting (UK)") == "\u202aBrightside Consulting (UK)\u202c"
    assert in_its_own_order("خالد الحسن (VIP)") == "خالد الحسن (VIP)"  # an Arabic name reads as it is
    assert money_text(Decimal("1250.5"), "USD") == "\u202a1,250.50 USD\u202c"
    assert in_its_own_order(money_text(Decimal("1"), "USD")) == "\u202a1.00 USD\u202c"  # not twice


def test_in_a_left_to_right_window_nothing_is_added():
    i18n.set_language("ru")
    assert in_its_own_order("«Юридическое бюро «Право»»") == "«Юридическое бюро «Право»»"
    assert money_text(Decimal("1250.5"), "USD") == "1\u00a0250,50 USD"
