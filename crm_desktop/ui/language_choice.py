"""The languages a form offers, each named in its own language ("Русский", "Oʻzbekcha")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QWidget

from crm_desktop import i18n


def office_language_tip() -> str:
    return QCoreApplication.translate(
        "LanguageChoice",
        "The office's documents are written in it (a client's own language comes first), and so are the "
        "titles of follow-up tasks and the starting pipeline's names",
    )


def language_combo(
    chosen: str, *, first: tuple[str, str] | None = None, parent: QWidget | None = None
) -> QComboBox:
    """The five languages, `chosen` selected; `first` an extra choice before them (its label, its code)."""
    combo = QComboBox(parent)
    if first is not None:
        combo.addItem(*first)
    for code in i18n.LANGUAGES:
        combo.addItem(i18n.NAMES[code], code)
    combo.setCurrentIndex(max(0, combo.findData(chosen)))
    return combo
