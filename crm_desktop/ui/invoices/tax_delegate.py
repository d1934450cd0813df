"""The tax cell of an invoice line: the office's tax rates to choose from, any other to type."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QWidget

from crm_desktop.services.money import plain_text


class TaxRateDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.presets: list[str] = []

    def set_presets(self, rates: tuple[Decimal, ...]) -> None:
        self.presets = [plain_text(rate) for rate in rates]

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.setEditable(True)  # a preset, or whatever rate this line needs
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItems(self.presets)
        # No inline completion: with 12 offered, a typed 1 would be completed to 12 and Enter take that.
        combo.setCompleter(None)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        # Selected, so that what is typed replaces it (as in the other cells, whose line edit the view
        # selects itself): the 0 of a new line was kept and 12 typed over it showed as 012.
        editor.lineEdit().selectAll()

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        model.setData(index, editor.currentText().strip(), Qt.ItemDataRole.EditRole)
