"""What the deals board and the jobs board share: a column's list of cards (opened by a double click or
Enter, a menu on a right click, dragged to another column), the drag's data, the horizontal row of
columns, and the lines of text a card is painted with.

A drop only *asks* for the move (the model's `dropped` signal): the board sends it to the service and
every column reloads from what was stored, so a refused or conflicting move never leaves a card where it
does not belong.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QListView,
    QScrollArea,
    QStyle,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.ui.lazy_model import LazyTableModel
from crm_desktop.ui.left_to_right import in_its_own_order


class CardList(QListView):
    """One column's cards; a card's row object is its UserRole data."""

    open_requested = Signal(object)
    menu_requested = Signal(object, QPoint)  # the row, the global position

    def __init__(self, model: LazyTableModel, delegate, *, draggable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(delegate)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        if draggable:
            self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
            self.setDefaultDropAction(Qt.DropAction.MoveAction)
            self.setDragEnabled(True)
            self.setAcceptDrops(True)
            self.setDropIndicatorShown(False)  # the card lands in the column, not at a place in it
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.activated.connect(self._activated)
        self.doubleClicked.connect(self._activated)
        self.customContextMenuRequested.connect(self._menu)

    def selected_row(self) -> Any:
        index = self.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        row = index.data(Qt.ItemDataRole.UserRole)
        if row is not None:
            self.open_requested.emit(row)

    def _menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        row = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        if row is not None:
            self.setCurrentIndex(index)
            self.menu_requested.emit(row, self.viewport().mapToGlobal(pos))


class CardColumn(QFrame):
    """A board column: its heading lines (`add_header`) over its cards; a card opened or its menu asked
    for is said with the card's row."""

    open_requested = Signal(object)
    menu_requested = Signal(object, QPoint)

    def __init__(self, model: LazyTableModel, delegate, *, draggable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        model.setParent(self)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.view = CardList(model, delegate, draggable=draggable)
        self.view.open_requested.connect(self.open_requested)
        self.view.menu_requested.connect(self.menu_requested)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 6, 6, 6)
        self._layout.setSpacing(4)
        self._layout.addWidget(self.view, 1)

    def add_header(self, *widgets: QWidget) -> None:
        for widget in widgets:
            self._layout.insertWidget(self._layout.count() - 1, widget)


class DraggedCards(LazyTableModel):
    """A column's cards that can be dragged to another column: a drag carries `payload(row)` as JSON
    under `MIME`; a drop that `accepts` it emits `dropped` with it (and removes nothing itself)."""

    MIME = "application/x-crm-desktop-card"
    dropped = Signal(dict)

    def __init__(
        self,
        *args: Any,
        payload: Callable[[Any], dict[str, Any]],
        accepts: Callable[[dict[str, Any]], bool],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.payload, self.accepts = payload, accepts

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # the empty space of the column takes drops
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [self.MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        rows = [self.row(i.row()) for i in indexes if i.isValid() and i.row() < len(self.rows)]
        if rows:
            mime.setData(self.MIME, json.dumps(self.payload(rows[0])).encode())
        return mime

    def _payload_of(self, data: QMimeData) -> dict[str, Any] | None:
        if not data.hasFormat(self.MIME):
            return None
        try:
            return json.loads(bytes(data.data(self.MIME)).decode())
        except ValueError:
            return None

    def canDropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:
        payload = self._payload_of(data)
        return payload is not None and self.accepts(payload)

    def dropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:
        payload = self._payload_of(data)
        if payload is None or not self.accepts(payload):
            return False
        self.dropped.emit(payload)
        return False  # the source column must not delete the card itself; the reload after the move does


class ColumnsRow(QScrollArea):
    """Board columns side by side, scrolled sideways when they do not fit. Each column's `model` asks to
    move a card (`move_requested`, which the board declares with its own key types), its cards open and
    have menus; the board says so for all of them."""

    open_requested = Signal(object)
    menu_requested = Signal(object, QPoint)
    move_requested: Signal

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.columns: list[Any] = []
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._inner = QWidget()
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addStretch(1)
        self.setWidget(self._inner)

    @property
    def inner(self) -> QWidget:
        return self._inner

    @property
    def ready(self) -> bool:
        return all(c.model.ready for c in self.columns)

    def add_column(self, column: CardColumn) -> None:
        """The column at the end, its cards loading."""
        column.model.move_requested.connect(self.move_requested)
        column.open_requested.connect(self.open_requested)
        column.menu_requested.connect(self.menu_requested)
        self._row.insertWidget(self._row.count() - 1, column)
        self.columns.append(column)
        column.model.reload()

    def clear_columns(self) -> None:
        for column in self.columns:
            column.deleteLater()
        self.columns = []

    def set_stretch(self, stretch: int) -> None:
        """0: the columns share the width; 1: they keep theirs, the room left at the end."""
        self._row.setStretch(self._row.count() - 1, stretch)

    def set_filter(self, f: Any) -> None:
        for column in self.columns:
            column.model.set_filter(f)

    def reload(self) -> None:
        for column in self.columns:
            column.model.reload()


class CardPainter:
    """Paints a card of `lines` lines of text in `option.rect`: its rounded frame, then line by line."""

    PADDING = 8

    def __init__(
        self, painter: QPainter, option: QStyleOptionViewItem, edge: QColor | None = None, width: int = 1
    ):
        self.painter, self.option = painter, option
        self.palette = option.palette
        self.muted = self.palette.color(QPalette.ColorRole.PlaceholderText)
        self.bold = QFont(option.font)
        self.bold.setBold(True)
        self.line = QFontMetrics(option.font).lineSpacing()
        self.rtl = option.direction == Qt.LayoutDirection.RightToLeft
        card = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(
            QPen(
                self.palette.color(QPalette.ColorRole.Highlight) if selected else edge or QColor("#d0d4da"),
                2 if selected else width,
            )
        )
        painter.setBrush(self.palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(card, 6, 6)
        self.inner = card.adjusted(self.PADDING, self.PADDING // 2 + 2, -self.PADDING, -self.PADDING // 2)

    @classmethod
    def height(cls, font: QFont, lines: int) -> int:
        return lines * QFontMetrics(font).lineSpacing() + 2 * cls.PADDING + 8

    def text(
        self,
        row: int,
        value: str,
        font: QFont | None = None,
        color: QColor | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        leave: int = 0,
    ) -> None:
        """`value` on line `row`, cut to fit; `leave` pixels kept free at the line's end (its right, or its
        left right to left) for what another call writes there."""
        font = font or self.option.font
        self.painter.setFont(font)
        self.painter.setPen(color or self.palette.color(QPalette.ColorRole.Text))
        inner = self.inner
        rect = QRect(
            inner.left() + (leave if self.rtl else 0),
            inner.top() + row * self.line,
            inner.width() - leave,
            self.line,
        )
        self.painter.drawText(
            rect,
            QStyle.visualAlignment(self.option.direction, align) | Qt.AlignmentFlag.AlignVCenter,
            in_its_own_order(QFontMetrics(font).elidedText(value, Qt.TextElideMode.ElideRight, rect.width())),
        )

    def width_of(self, value: str) -> int:
        """What `value` takes on a line, with a gap before what comes next to it."""
        return QFontMetrics(self.option.font).horizontalAdvance(value + "  ") if value else 0
