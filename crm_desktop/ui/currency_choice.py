"""The currency list every form offers: "UZS — Uzbek so'm", each named in the reader's language."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from crm_desktop import i18n
from crm_desktop.services import money


def currency_name(code: str) -> str:
    """Our own English names (the office's words: "Uzbek so'm"), CLDR's in the other languages (Babel)."""
    if i18n.current() == i18n.SOURCE_LANGUAGE or code not in money.CURRENCIES:
        return money.CURRENCIES[code].name if code in money.CURRENCIES else code
    from babel.numbers import get_currency_name

    return get_currency_name(code, locale=i18n.current())


def currency_combo(chosen: str | None = None, parent: QWidget | None = None) -> QComboBox:
    combo = QComboBox(parent)
    for code in money.CURRENCIES:
        combo.addItem(f"{code} — {currency_name(code)}", code)
    if chosen is not None:
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
    return combo
