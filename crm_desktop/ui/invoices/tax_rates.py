"""Settings → Tax rates: the rates offered in the tax cell of every invoice line, one a row, in their order.

A row that is no rate (text, below 0, above 100, the same as another row) is named next to the table and
nothing is saved; what was typed stays. The rule is the service's (documents.update_tax_presets), read
row by row here only so that the row can be named.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import documents
from crm_desktop.services import validation as v
from crm_desktop.services.documents import TaxPresets
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.money import plain_text
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops

VISIBLE_ROWS = 6


def shown_rate(rate: Decimal) -> str:
    """12 -> '12', 7.500 -> '7.5' (7,5 in Russian): as a person writes a rate."""
    return plain_text(rate)


class RatesTable(QWidget):
    """The rates, one a row, with buttons to add, remove and order them; `value()` is what is typed."""

    changed = Signal()

    def __init__(self, rates: tuple[Decimal, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 1)
        self.table.setHorizontalHeaderLabels([self.tr("Rate, %")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for its buttons, as in any form
        self.table.setAccessibleName(self.tr("Tax rates"))
        header = self.table.verticalHeader()
        self.table.setMinimumHeight(
            self.table.horizontalHeader().sizeHint().height()
            + VISIBLE_ROWS * header.defaultSectionSize()
            + 2 * self.table.frameWidth()
        )
        for rate in rates:
            self._append(shown_rate(rate))
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.table.currentCellChanged.connect(lambda *_: self._enable())
        self.setFocusProxy(self.table)

        self.add_button = QPushButton(self.tr("&Add rate"))
        self.add_button.clicked.connect(self.add_rate)
        self.remove_button = QPushButton(self.tr("Re&move"))
        self.remove_button.clicked.connect(self.remove_rate)
        self.up_button = QPushButton(self.tr("Move &up"))
        self.up_button.clicked.connect(lambda: self.move_rate(-1))
        self.down_button = QPushButton(self.tr("Move &down"))
        self.down_button.clicked.connect(lambda: self.move_rate(1))
        buttons = QVBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            button.setAutoDefault(False)  # Enter saves the form: it never adds, removes or moves a row
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.table, 1)
        row.addLayout(buttons)
        if rates:
            self.table.setCurrentCell(0, 0)
        self._enable()

    def _append(self, text: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(row, 0, item)
        return row

    def _enable(self) -> None:
        row, count = self.table.currentRow(), self.table.rowCount()
        self.remove_button.setEnabled(0 <= row < count)
        self.up_button.setEnabled(0 < row < count)
        self.down_button.setEnabled(0 <= row < count - 1)

    def add_rate(self) -> None:
        """A new row at the end, its cell open for typing."""
        self.commit_editing()
        row = self._append("")
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()
        self.table.editItem(self.table.item(row, 0))
        self.changed.emit()

    def remove_rate(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < self.table.rowCount():
            return
        self.table.removeRow(row)
        if self.table.rowCount():
            self.table.setCurrentCell(min(row, self.table.rowCount() - 1), 0)
        self.table.setFocus()
        self._enable()
        self.changed.emit()

    def move_rate(self, step: int) -> None:
        self.commit_editing()
        row = self.table.currentRow()
        to = row + step
        if not (0 <= row < self.table.rowCount() and 0 <= to < self.table.rowCount()):
            return
        item = self.table.takeItem(row, 0)
        self.table.setItem(row, 0, self.table.takeItem(to, 0))
        self.table.setItem(to, 0, item)
        self.table.setCurrentCell(to, 0)
        self.table.setFocus()
        self.changed.emit()

    def commit_editing(self) -> None:
        """A cell still being typed in counts: its text goes into the table first."""
        index = self.table.currentIndex()
        editor = self.table.indexWidget(index) if index.isValid() else None
        if editor is not None:
            self.table.commitData(editor)

    def texts(self) -> list[str]:
        self.commit_editing()
        return [self.table.item(row, 0).text() for row in range(self.table.rowCount())]

    def value(self) -> tuple[str, ...]:
        """What is typed, row by row (FormDialog compares it to know the form changed)."""
        return tuple(self.texts())

    def select_row(self, row: int) -> None:
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()


class TaxRatesDialog(FormDialog):
    def __init__(self, ops: Ops, presets: TaxPresets, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.presets = presets
        self.setWindowTitle(self.tr("Tax rates"))
        self.rates = RatesTable(presets.rates)
        self.add_row("tax_presets", self.tr("&Rates"), self.rates)
        self.boxes["tax_presets"].setFocusProxy(self.rates)  # the row's shortcut goes to the table
        note = QLabel(
            self.tr(
                "Offered in the tax cell of invoice lines, in this order. "
                "Any other rate can still be typed on a line."
            )
        )
        note.setWordWrap(True)
        self.finish_layout(note)

    def refused_row(self) -> tuple[int, str] | None:
        """The first row that is no rate, with what is wrong with it (rows left empty are left out)."""
        seen: dict[Decimal, int] = {}
        for row, text in enumerate(self.rates.texts()):
            typed = text.replace("%", "").strip()
            if not typed:
                continue
            try:
                rate = v.decimal("tax_presets", typed, "A tax rate", minimum=Decimal(0), maximum=Decimal(100))
            except ValidationError as refused:
                return row, fill(self.tr("Row {row}: {message}"), row=row + 1, message=refused.message)
            if rate in seen:
                return row, fill(
                    self.tr("Row {row}: {rate} % is already in row {first}; remove one of them."),
                    row=row + 1,
                    rate=shown_rate(rate),
                    first=seen[rate] + 1,
                )
            seen[rate] = row
        return None

    def submit(self, on_done, on_error) -> None:
        if (problem := self.refused_row()) is not None:
            row, message = problem
            on_error(ValidationError("tax_presets", message))  # said under the table, which gets the focus
            self.rates.select_row(row)
            return
        rates = [t.replace("%", "").strip() for t in self.rates.texts() if t.replace("%", "").strip()]
        self.ops.write(
            documents.update_tax_presets,
            rates,
            expected_version=self.presets.version,
            on_done=on_done,
            on_error=on_error,
        )
