"""The workload's grid: a row per person (under a row per team with its totals, and a row for the work
nobody is given), a column per working day; each cell the hours planned against the hours the person
has, coloured free, full or over, or the kind of absence on a day away. Work dropped on a cell asks
to be moved there."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QLocale,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services.workload import Cell, Workload
from crm_desktop.ui.dates import day_text

MIME = "application/x-crm-work-item"
COLOURS = {
    "free": QColor("#d8f0dc"),
    "full": QColor("#fdeeb5"),
    "over": QColor("#f6c6c0"),
    "away": QColor("#e2e2e2"),
}
TEAM = QColor("#eef1f5")


def tr(text: str) -> str:
    return QCoreApplication.translate("Workload", text)


def absence_names() -> dict[str, str]:
    return {
        "vacation": tr("Vacation"),
        "sick": tr("Sick leave"),
        "training": tr("Training"),
        "other": tr("Away"),
    }


def state_names() -> dict[str, str]:
    return {"free": tr("free"), "full": tr("full"), "over": tr("over"), "away": tr("away")}


@dataclass(frozen=True)
class GridRow:
    kind: str  # "team" (its members' totals), "person" or "nobody" (the work nobody is given)
    user_id: int | None
    name: str
    cells: list[Cell]


def grid_rows(seen: Workload) -> list[GridRow]:
    """Each team's row and then its people, the people in no team, the work nobody is given."""
    out: list[GridRow] = []
    placed: set[int | None] = set()
    for team in seen.teams:
        out.append(GridRow("team", team.lead_id, fill(tr("Team of {name}"), name=team.name), team.cells))
        for person in seen.people:
            if person.team_of == team.lead_id:
                out.append(GridRow("person", person.user_id, person.name, person.cells))
                placed.add(person.user_id)
    out += [GridRow("person", p.user_id, p.name, p.cells) for p in seen.people if p.user_id not in placed]
    out.append(GridRow("nobody", None, tr("Nobody"), seen.unassigned.cells))
    return out


def hours_text(hours: Decimal) -> str:
    return i18n.number_text(hours.quantize(Decimal("0.1")).normalize())


def cell_text(row: GridRow, cell: Cell) -> str:
    if cell.absence is not None:  # (with the work planned on it anyway: to be moved)
        away = absence_names().get(cell.absence, cell.absence)
        return f"{away} · {hours_text(cell.planned)}" if cell.planned else away
    if row.kind == "nobody":
        return hours_text(cell.planned) if cell.planned else ""
    return f"{hours_text(cell.planned)} / {hours_text(cell.capacity)}"


def day_head(day: date) -> str:
    locale = QLocale()
    weekday = locale.dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)
    return f"{weekday}\n{locale.toString(QDate(day.year, day.month, day.day), 'd MMM')}"


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class LoadModel(QAbstractTableModel):
    dropped = Signal(int, int, str)  # row, column, the dropped work's key

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.days: list[date] = []
        self.rows: list[GridRow] = []

    def show(self, seen: Workload) -> None:
        self.beginResetModel()
        self.days, self.rows = seen.days, grid_rows(seen)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.days)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        cell = row.cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, cell)
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.kind == "team":
                return QBrush(TEAM)
            if row.kind == "nobody":
                return None
            return QBrush(COLOURS[cell.state])
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#1d1d1d")) if row.kind != "nobody" else None
        if role == Qt.ItemDataRole.FontRole and row.kind == "team":
            return _bold()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, cell)
        return None

    def _tip(self, row: GridRow, cell: Cell) -> str:
        day = day_text(cell.day)
        if cell.absence is not None:
            return fill(tr("{name}, {day}: {absence}"), name=row.name, day=day, absence=cell_text(row, cell))
        if row.kind == "nobody":
            return fill(
                tr("{day}: {planned} h of work nobody is given"), day=day, planned=hours_text(cell.planned)
            )
        return fill(
            tr("{name}, {day}: {planned} h planned of {hours} h ({state})"),
            name=row.name,
            day=day,
            planned=hours_text(cell.planned),
            hours=hours_text(cell.capacity),
            state=state_names()[cell.state],
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return day_head(self.days[section])
            return self.rows[section].name
        vertical = orientation == Qt.Orientation.Vertical
        if role == Qt.ItemDataRole.FontRole and vertical and self.rows[section].kind == "team":
            return _bold()
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.rows[index.row()].kind != "team":
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def canDropMimeData(self, data: QMimeData, action, row: int, column: int, parent) -> bool:
        return data.hasFormat(MIME) and parent.isValid() and self.rows[parent.row()].kind != "team"

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        self.dropped.emit(parent.row(), parent.column(), json.loads(bytes(data.data(MIME).data()))["key"])
        return False  # (nothing to remove from where it came: the grid is read again)


class LoadGrid(QTableView):
    def __init__(self, model: LoadModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultSectionSize(90)  # ("Vacation · 4.5" whole)
        self.horizontalHeader().setMinimumSectionSize(60)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(30)
        self.verticalHeader().setMinimumWidth(150)
        self.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
        )

    def cell_rect(self, row: int, column: int):
        """Where a cell is drawn (tests drop work on it)."""
        return self.visualRect(self.model().index(row, column))
