"""The editable line items of a draft: cells keep exactly what was typed, totals come from the service's rule.

A cell is text until the service's own validation reads it, so "12,5" or "-2" stays on screen as
typed; a cell the rule refuses is shown in red with the reason as its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from crm_desktop.services.invoices import LineRow, LineValues
from crm_desktop.services.money import plain_text
from crm_desktop.ui.left_to_right import money_text

_ROOT = QModelIndex()
KEYS = ("description", "quantity", "unit", "unit_price", "discount_percent", "tax_rate")
NET = len(KEYS)  # the computed column
_NUMERIC = {"quantity", "unit_price", "discount_percent", "tax_rate"}
_ERROR_TEXT = QBrush(QColor("#b91c1c"))
_ERROR_FILL = QBrush(QColor("#fde8e8"))


def tr(text: str, context: str | None = None) -> str:
    return QCoreApplication.translate("InvoiceLines", text, context)


@dataclass
class Line:
    values: dict[str, str] = field(
        default_factory=lambda: {
            "description": "",
            "quantity": "1",
            "unit": "",
            "unit_price": "",
            "discount_percent": "0",
            "tax_rate": "0",
        }
    )

    @classmethod
    def from_row(cls, row: LineRow) -> Line:
        return cls(
            {
                "description": row.description,
                "quantity": plain_text(row.quantity),
                "unit": row.unit,
                "unit_price": plain_text(row.unit_price),
                "discount_percent": plain_text(row.discount_percent),
                "tax_rate": plain_text(row.tax_rate),
            }
        )

    @property
    def blank(self) -> bool:
        """Nothing typed yet (a freshly added line): left out of totals and of the save."""
        return not self.values["description"].strip() and not self.values["unit_price"].strip()

    def to_values(self) -> LineValues:
        return LineValues(**self.values)


class LinesModel(QAbstractTableModel):
    edited = Signal()  # a cell changed, a line was added or removed: totals are recomputed

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines: list[Line] = []
        self.currency = "USD"
        self.nets: dict[int, Decimal] = {}  # row -> net, for rows the rule accepted
        self.errors: dict[tuple[int, str], str] = {}  # (row, key) -> message
        self.read_only = False

    # --- Qt model interface ---

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(KEYS) + 1

    def headers(self) -> list[str]:
        return [
            tr("Description"),
            tr("Quantity"),
            tr("Unit"),
            tr("Unit price"),
            tr("Discount %"),
            tr("Tax %"),
            tr("Net"),
        ]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers()[section] if 0 <= section <= NET else None
        return str(section + 1) if 0 <= section < len(self.lines) else None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() < NET and not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.lines):
            return None
        row, column = index.row(), index.column()
        key = KEYS[column] if column < NET else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if key is not None:
                return self.lines[row].values[key]
            net = self.nets.get(row)
            return money_text(net, self.currency) if net is not None else ""
        error = self.errors.get((row, key)) if key else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return error
        if role == Qt.ItemDataRole.ForegroundRole and error:
            return _ERROR_TEXT
        if role == Qt.ItemDataRole.BackgroundRole and error:
            return _ERROR_FILL
        if role == Qt.ItemDataRole.TextAlignmentRole and (column == NET or key in _NUMERIC):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or index.column() >= NET
            or index.row() >= len(self.lines)
            or self.read_only
        ):
            return False
        key = KEYS[index.column()]
        text = "" if value is None else str(value)
        if self.lines[index.row()].values[key] == text:
            return True
        self.lines[index.row()].values[key] = text
        self.errors.pop((index.row(), key), None)  # a server-side refusal is rechecked by the live rule
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True

    # --- ours ---

    def set_lines(self, lines: list[Line]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.nets, self.errors = {}, {}
        self.endResetModel()
        self.edited.emit()

    def add_line(self) -> int:
        row = len(self.lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self.lines.append(Line())
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove_line(self, row: int) -> None:
        if not 0 <= row < len(self.lines):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.lines[row]
        self.endRemoveRows()
        # Errors and nets are by row: the recompute that `edited` triggers rebuilds them.
        self.errors = {(r - (r > row), k): m for (r, k), m in self.errors.items() if r != row}
        self.edited.emit()

    def show_checked(
        self, nets: dict[int, Decimal], errors: dict[tuple[int, str], str], currency: str
    ) -> None:
        """Nets and errors from a recompute (or a refused save) replace the old ones on screen."""
        self.nets, self.errors, self.currency = nets, errors, currency
        if self.lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.lines) - 1, NET))
