"""Text that reads left to right whatever the window's direction: amounts, phone numbers, emails.

In an Arabic window a cell or label of "1,500.00 UZS" is laid out right to left and shows "UZS 1,500.00";
embedded left to right (LRE … PDF) it keeps its order. A left-to-right mark before it did not hold in
Qt's item views; an embedding does, in cells and labels alike.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from crm_desktop import i18n
from crm_desktop.services.money import format_money

_DIRECTED = "\u202a\u202b\u2066\u2067\u2068"  # embedded or isolated already (money_text, fill)


def embedded(text: str) -> str:
    return f"\u202a{text}\u202c" if text else text


def in_its_own_order(text: str) -> str:
    """In a right-to-left window, text that starts in a left-to-right script (a Latin or Cyrillic name)
    embedded left to right, so the marks at its ends stay where its writer put them: «Юридическое бюро
    «Право»», not »Юридическое бюро «Право«; Arabic text, or any text in a left-to-right window, as is."""
    if not text or not i18n.is_right_to_left() or text[0] in _DIRECTED:
        return text
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return embedded(text)
        if kind in ("R", "AL"):
            return text
    return text


def money_text(amount: Decimal, code: str) -> str:
    """The amount as format_money writes it, kept in its order in a right-to-left window."""
    text = format_money(amount, code)
    return embedded(text) if i18n.is_right_to_left() else text
