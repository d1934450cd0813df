"""What is in the chosen cell of the workload: its tasks and the stages' work, each with its hours that
day; drag one onto another person or day to move it, double-click it to open it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services.workload import WorkItem
from crm_desktop.ui.workload.grid import MIME, hours_text

WRAP = 220  # px: the panel's narrowest text width, what an item's lines are counted at


def tr(text: str) -> str:
    return QCoreApplication.translate("Workload", text)


def key_of(item: WorkItem) -> str:
    return f"{item.kind}:{item.id}"


def item_text(item: WorkItem) -> str:
    about = " · ".join(part for part in (item.job_title, item.client_name) if part)
    if item.kind == "stage":
        title = fill(tr("Stage {name}"), name=item.title)
        hours = fill(
            tr("{hours} h of {whole} h"),
            hours=hours_text(item.hours),
            whole=hours_text(sum(item.spread.values(), Decimal(0))),
        )
    else:
        title, hours = item.title, fill(tr("{hours} h"), hours=hours_text(item.hours))
    return f"{title} — {hours}\n{about}" if about else f"{title} — {hours}"


class ItemsModel(QAbstractListModel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.items: list[WorkItem] = []

    def show(self, items: list[WorkItem]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item_text(item)
        if role == Qt.ItemDataRole.SizeHintRole:  # (its lines, as wrapped in the panel: Qt counts one in RTL)
            metrics = QFontMetrics(QFont())
            lines = sum(-(-metrics.horizontalAdvance(line) // WRAP) for line in item_text(item).split("\n"))
            return QSize(WRAP, metrics.lineSpacing() * max(lines, 1) + 8)
        if role == Qt.ItemDataRole.ToolTipRole:  # (whole, should the panel be too narrow for it)
            needs = fill(tr("Needs the skill “{skill}”"), skill=item.skill) if item.skill else ""
            return "\n".join(x for x in (item_text(item), needs) if x)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        rows = [i.row() for i in indexes if i.isValid()]
        if rows:
            mime.setData(MIME, json.dumps({"key": key_of(self.items[rows[0]])}).encode())
        return mime

    def find(self, key: str) -> WorkItem | None:
        return next((i for i in self.items if key_of(i) == key), None)


class CellPanel(QWidget):
    open_requested = Signal(object)  # the WorkItem double-clicked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(tr("Click a day of someone's row to see its work."))
        self.title.setWordWrap(True)
        self.hint = QLabel(tr("Drag an item onto another person or day to move it."))
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)  # (greyed: a hint, not a field)
        self.model = ItemsModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)  # (rows wrapped again to a new width)
        self.list.setSpacing(2)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.doubleClicked.connect(lambda index: self.open_requested.emit(self.model.items[index.row()]))
        self.setMinimumWidth(240)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)

    def show_items(self, heading: str, items: list[WorkItem]) -> None:
        self.title.setText(heading)
        self.model.show(items)
        self.hint.setVisible(bool(items))
