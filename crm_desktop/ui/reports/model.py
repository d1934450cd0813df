"""A report's rows as a table model: each value written as its column's kind says (money in its row's
currency, left to right in an Arabic window), sorted by a click on a heading, narrowed by a filter text —
and its totals (per currency) after the rows, counted again for the rows the filter leaves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from crm_desktop import i18n
from crm_desktop.i18n import Message
from crm_desktop.services import reports
from crm_desktop.services.money import format_amount
from crm_desktop.services.reports import NUMERIC, Column, ReportTable
from crm_desktop.ui.left_to_right import embedded, in_its_own_order

Index = QModelIndex | QPersistentModelIndex


def amount_text(amount: Decimal, code: str) -> str:
    """An amount in a row that names its currency in a column of its own: the number alone, to the
    currency's minor unit, kept left to right in a right-to-left window."""
    text = format_amount(amount, code)
    return embedded(text) if i18n.is_right_to_left() else text


def cell_text(column: Column, value: Any, currency: str) -> str:
    """A value as the reader reads it (names kept in their own order in a right-to-left window)."""
    text = reports.written(column, value, currency, amount_text)
    return in_its_own_order(text) if column.kind == "text" else text


class ReportModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.table: ReportTable | None = None
        self.columns: tuple[Column, ...] = ()
        self.rows: list[dict[str, Any]] = []  # those the filter leaves, in the order asked
        self.totals: list[dict[str, Any]] = []
        self.filter = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def show(self, table: ReportTable) -> None:
        self.beginResetModel()
        self.table, self.columns = table, table.shown
        self._select()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self.filter = text.strip().casefold()
        self._select()
        self.endResetModel()

    def _select(self) -> None:
        assert self.table is not None
        rows = self.table.rows
        if self.filter:
            texts = [c for c in self.table.columns if c.kind == "text"]
            rows = [r for r in rows if any(self.filter in str(r.get(c.key) or "").casefold() for c in texts)]
        if self._sort is not None:
            rows = self._sorted(rows, *self._sort)
        self.rows = rows
        # Totals of what is shown: the same sums, and ratios worked out of them (services/reports.totals).
        self.totals = reports.totals(self.table.columns, rows) if self.filter else self.table.totals

    def _sorted(self, rows: list[dict[str, Any]], column: int, order: Qt.SortOrder) -> list[dict[str, Any]]:
        c = self.columns[column]

        def key(row: dict[str, Any]) -> tuple:
            value = row.get(c.key)
            if value is None or value == "":
                return (1, "")  # the empty ones last either way
            return (0, value.casefold() if isinstance(value, str) else value)

        filled = [r for r in rows if key(r)[0] == 0]
        empty = [r for r in rows if key(r)[0] == 1]
        return sorted(filled, key=key, reverse=order == Qt.SortOrder.DescendingOrder) + empty

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self.rows = self._sorted(self.rows, column, order)
        self.layoutChanged.emit()

    def is_total(self, row: int) -> bool:
        return row >= len(self.rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows) + len(self.totals)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        total = self.is_total(index.row())
        row = self.totals[index.row() - len(self.rows)] if total else self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if total and index.column() == 0:
                return i18n.gettext("Total")
            if total and not (column.total or column.ratio or column.key == "currency"):
                return ""
            return cell_text(column, row.get(column.key), row.get("currency", ""))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and total:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return Message(self.columns[section].title).render()
        return None
