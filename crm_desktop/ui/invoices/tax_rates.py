"""Settings → Tax rates: the rates offered in the tax cell of every invoice line."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from crm_desktop.services import documents
from crm_desktop.services.documents import TaxPresets
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops


class TaxRatesDialog(FormDialog):
    def __init__(self, ops: Ops, presets: TaxPresets, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.presets = presets
        self.setWindowTitle(self.tr("Tax rates"))
        self.rates = QLineEdit("; ".join(f"{r.normalize():f}" for r in presets.rates))
        self.rates.setPlaceholderText(self.tr("e.g. 12; 0"))
        self.add_row("tax_presets", self.tr("&Rates (%)"), self.rates)
        note = QLabel(
            self.tr(
                "Offered in the tax cell of invoice lines, in this order, separated by ';'. "
                "Any other rate can still be typed on a line."
            )
        )
        note.setWordWrap(True)
        self.finish_layout(note)

    def submit(self, on_done, on_error) -> None:
        rates = [part for part in re.split(r"[;\s]+", self.rates.text().replace("%", "")) if part]
        self.ops.write(
            documents.update_tax_presets,
            rates,
            expected_version=self.presets.version,
            on_done=on_done,
            on_error=on_error,
        )
