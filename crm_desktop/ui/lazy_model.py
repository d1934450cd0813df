"""A table model that loads rows page by page through Ops, as the view scrolls.

It never holds more than what was scrolled past, so a list of a million clients opens as fast as
a list of ten. A `generation` counter drops pages that arrive after the filter or sort changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from crm_desktop.ui.ops import Ops

PAGE_SIZE = 200


@dataclass(frozen=True)
class Column:
    title: str  # already translated
    text: Callable[[Any], str]
    sort_key: str | None = None  # the service's sort name; None = not sortable
    align_right: bool = False
    width: int = 130  # the starting width; users resize and the window remembers


# fetch(ctx, query, sort, descending, offset, limit) -> list of rows; count(ctx, query) -> int
Fetch = Callable[..., list[Any]]
Count = Callable[..., int]


class LazyTableModel(QAbstractTableModel):
    loaded = Signal()  # a page (or the count) arrived: tests and status texts wait on it
    total_changed = Signal(int)

    def __init__(self, ops: Ops, columns: list[Column], fetch: Fetch, count: Count, *, query: Any,
                 sort: str, descending: bool = False, highlight: Callable[[Any], Any] | None = None,
                 parent=None):
        super().__init__(parent)
        self.ops, self.columns, self._fetch, self._count = ops, columns, fetch, count
        self.query, self.sort_by, self.descending = query, sort, descending
        self.highlight = highlight
        self.rows: list[Any] = []
        self.total = 0
        self._complete = False
        self._loading = False
        self._generation = 0

    # --- Qt model interface ---

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.text(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self.highlight is not None:
            return self.highlight(row)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._complete and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation = self._generation
        self.ops.run(self._fetch, self.query, self.sort_by, self.descending, len(self.rows), PAGE_SIZE,
                     on_done=lambda rows: self._page_arrived(generation, rows),
                     on_error=lambda error: self._page_failed(generation, error))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:  # type: ignore[override]
        key = self.columns[column].sort_key if 0 <= column < len(self.columns) else None
        if key is None:
            return
        self.sort_key_changed(key, order == Qt.SortOrder.DescendingOrder)

    # --- ours ---

    def sort_key_changed(self, key: str, descending: bool) -> None:
        if (key, descending) != (self.sort_by, self.descending):
            self.sort_by, self.descending = key, descending
            self.reload()

    def set_query(self, query: Any) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.rows = []
        self._complete = False
        self._loading = False
        self.endResetModel()
        generation = self._generation
        self.ops.run(self._count, self.query,
                     on_done=lambda n: self._count_arrived(generation, n),
                     on_error=lambda error: self._page_failed(generation, error))
        self.fetchMore()

    def row(self, index: int) -> Any:
        return self.rows[index]

    def _count_arrived(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total
            self.total_changed.emit(total)

    def _page_arrived(self, generation: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if len(rows) < PAGE_SIZE:
            self._complete = True
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def _page_failed(self, generation: int, error) -> None:
        if generation == self._generation:
            self._loading = False
            self._complete = True  # stop asking; the error was shown and a refresh tries again
            self.ops.show_problem(error.message)
            self.loaded.emit()
