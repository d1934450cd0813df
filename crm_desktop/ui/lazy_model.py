"""A table model that loads rows page by page through Ops, as the view scrolls.

It never holds more than what was scrolled past, so a list of a million clients opens as fast as
a list of ten. A `generation` counter drops pages that arrive after the filter or sort changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from crm_desktop.ui.left_to_right import embedded, in_its_own_order
from crm_desktop.ui.ops import Ops

PAGE_SIZE = 200
_ROOT = QModelIndex()  # the invisible root: the parent of every row of a table


@dataclass(frozen=True)
class Column:
    title: str  # already translated
    text: Callable[[Any], str]
    sort_key: str | None = None  # the service's sort name; None = not sortable
    align_right: bool = False
    width: int = 130  # the starting width; users resize and the window remembers
    # Phone numbers have no letters, so in a right-to-left (Arabic) window the bidi algorithm would
    # reorder their digit groups; embedded left to right (ui/left_to_right.py) "+971 58 557 2404" stays.
    left_to_right: bool = False
    color: Callable[[Any], Any] | None = None  # this cell's text colour (a QColor) or None, by row


# fetch(ctx, query, sort, descending, offset, limit) -> list of rows; for a sort in `key_sorts` also
# `after=` the row just before the page (or None), from which the service reads on by key instead of OFFSET;
# count(ctx, query) -> int;
# first_page(ctx, query, sort, descending, limit) -> (count, first rows), where a service does both at once;
# refresh(ctx, query, ids) -> the rows of `ids` the query still finds, as they are stored now
Fetch = Callable[..., list[Any]]
Count = Callable[..., int]
FirstPage = Callable[..., tuple[int, list[Any]]]
Refresh = Callable[..., list[Any]]


class ServiceTableModel(QAbstractTableModel):
    """What every list model shares: columns over row objects from a service, sorting, the query.

    Subclasses decide how rows are held and how they are loaded: `rowCount()`, `_row_at(row, role)`
    (the row object shown there, or None while it is not loaded), `_loaded()`, `_replace(index, row)`,
    `reload()` and `_failed(generation, error)`.

    `key_sorts` names the sorts whose fetch takes `after=` (and whose descending order is the ascending
    one reversed, ties broken the same way); `refresh` lets `refresh_rows` re-read rows by id (rows are
    then expected to have an `id`).
    """

    loaded = Signal()  # a reload or a further page arrived: tests and status texts wait on it
    total_changed = Signal(int)

    def __init__(
        self,
        ops: Ops,
        columns: list[Column],
        fetch: Fetch,
        count: Count,
        *,
        query: Any,
        sort: str,
        descending: bool = False,
        highlight: Callable[[Any], Any] | None = None,
        page_size: int = PAGE_SIZE,
        first_page: FirstPage | None = None,
        key_sorts: Collection[str] = (),
        refresh: Refresh | None = None,
        parent=None,
    ):
        super().__init__(parent)
        self.ops, self.columns, self._fetch = ops, columns, fetch
        self.key_sorts, self._refresh = frozenset(key_sorts), refresh
        self._first_page = first_page or (
            lambda ctx, query, sort, descending, limit: (
                count(ctx, query),
                fetch(ctx, query, sort, descending, 0, limit),
            )
        )
        self.query, self.sort_by, self.descending = query, sort, descending
        self.highlight = highlight
        self.page_size = page_size
        self.total = 0
        self.ready = False  # the first reload arrived
        self._generation = 0

    def rows_page(self, ctx: Any, offset: int, limit: int) -> list[Any]:
        """Rows of the list as it is queried and sorted now, for work beyond the screen (an export, in its
        job: `ctx` is the one it was given)."""
        return self._fetch(ctx, self.query, self.sort_by, self.descending, offset, limit)

    # --- Qt model interface ---

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        row = self._row_at(index.row(), role) if index.isValid() else None
        if row is None:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = column.text(row)
            # "+998 90 123" and "Brightside Consulting (UK)" keep their order in an Arabic window
            return embedded(text) if column.left_to_right else in_its_own_order(text)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.text(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            return column.color(row) or (self.highlight(row) if self.highlight else None)
        if role == Qt.ItemDataRole.ForegroundRole and self.highlight is not None:
            return self.highlight(row)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:  # type: ignore[override]
        key = self.columns[column].sort_key if 0 <= column < len(self.columns) else None
        if key is not None:
            self.sort_key_changed(key, order == Qt.SortOrder.DescendingOrder)

    # --- ours ---

    @property
    def sort_column(self) -> int:
        """The column the rows are sorted by, or -1 when the order is not one of the columns."""
        return next((i for i, c in enumerate(self.columns) if c.sort_key == self.sort_by), -1)

    def sort_key_changed(self, key: str, descending: bool) -> None:
        if (key, descending) != (self.sort_by, self.descending):
            self.sort_by, self.descending = key, descending
            self.reload()

    def _load_first_page(self, limit: int, arrived: Callable[[int, int, list[Any]], None]) -> int:
        """Start a reload: `arrived(generation, total, rows)` gets the count and the first `limit` rows."""
        self._generation += 1
        generation, first_page = self._generation, self._first_page

        def load(ctx, query, sort, descending):
            if generation != self._generation:
                return None  # typed on meanwhile: nobody will see these rows, so skip the query
            return first_page(ctx, query, sort, descending, limit)

        self.ops.read(
            load,
            self.query,
            self.sort_by,
            self.descending,
            on_done=lambda result: result is not None and arrived(generation, *result),
            on_error=lambda error: self._failed(generation, error),
        )
        return generation

    def set_query(self, query: Any) -> None:
        if query != self.query:
            self.query = query
            self.reload()

    def _fetch_page(
        self,
        offset: int,
        limit: int,
        arrived: Callable[[list[Any]], None],
        *,
        after: Any = None,
        backwards: bool = False,
    ) -> None:
        """One page off the GUI thread: from `after` by key where the sort allows it, else from `offset`.
        `backwards` reads the reversed order (the rows before `after`, or counted from the end) and
        turns the page round, so a page near the end or above a loaded one costs no long OFFSET."""
        generation = self._generation
        descending = not self.descending if backwards else self.descending
        keyed = {"after": after} if self.sort_by in self.key_sorts else {}
        self.ops.read(
            self._fetch,
            self.query,
            self.sort_by,
            descending,
            offset,
            limit,
            **keyed,
            on_done=lambda rows: (
                generation == self._generation and arrived(rows[::-1] if backwards else rows)
            ),
            on_error=lambda error: self._failed(generation, error),
        )

    def refresh_rows(self, ids: set[int]) -> None:
        """Re-read the loaded rows among `ids` (updated elsewhere) in one query and repaint just them:
        no reset, so the selection, the current row and the scroll position stay. A row that left the
        query or moved in the order (its sorted column changed) needs the other rows too: reload().
        Rows created or deleted are reload()'s business, not this."""
        if self._refresh is None:
            self.reload()
            return
        wanted = sorted({row.id for _, row in self._loaded() if row.id in ids})
        if not wanted:
            return  # none of them is on the list or loaded: nothing to show differently
        generation = self._generation
        self.ops.read(
            self._refresh,
            self.query,
            wanted,
            on_done=lambda fresh: self._refreshed(generation, wanted, fresh),
            on_error=lambda error: self._failed(generation, error),
        )

    def refresh_loaded(self) -> None:
        """Re-read every loaded row in place (something shown beside them, not they, changed)."""
        self.refresh_rows({row.id for _, row in self._loaded()})

    def _refreshed(self, generation: int, wanted: list[int], fresh: list[Any]) -> None:
        if generation != self._generation:
            return  # a reload came in between and brought these rows already
        by_id = {row.id: row for row in fresh}
        # Whether a row moved in the order is told by the column it is sorted by; a sort no column
        # shows (by last update, say) may move any updated row.
        sorted_by = self.columns[self.sort_column] if self.sort_column >= 0 else None
        updated = [(index, row, by_id.get(row.id)) for index, row in self._loaded() if row.id in wanted]
        if any(
            new is None or sorted_by is None or sorted_by.text(new) != sorted_by.text(row)
            for _, row, new in updated
        ):
            self.reload()
            return
        changed: list[int] = []
        for index, _, new in updated:
            self._replace(index, new)
            changed.append(index)
        last_column = len(self.columns) - 1
        for index in changed:
            self.dataChanged.emit(self.index(index, 0), self.index(index, last_column))
        self.loaded.emit()


class LazyTableModel(ServiceTableModel):
    """Rows of one list, loaded a page at a time; `reload()` swaps in fresh rows in one reset.

    Until fresh rows arrive the old ones stay on screen, so refreshing after a change or while
    typing a search never flashes an empty table.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows: list[Any] = []
        self._loading = False

    def _row_at(self, row: int, role: int) -> Any:
        return self.rows[row] if row < len(self.rows) else None

    def _loaded(self) -> Iterator[tuple[int, Any]]:
        return enumerate(self.rows)

    def _replace(self, index: int, row: Any) -> None:
        self.rows[index] = row

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> bool:
        # Not before the first reload: views ask as soon as they get the model, before the page starts.
        return not parent.isValid() and self.ready and not self._loading and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation = self._generation
        self._fetch_page(
            len(self.rows),
            self.page_size,
            lambda rows: self._page_arrived(generation, rows),
            after=self.rows[-1] if self.rows else None,
        )

    def reload(self) -> None:
        """Fetch the count and as many rows as are loaded now (at least a page), then swap them in."""
        self._loading = True
        limit = max(self.page_size, len(self.rows))
        self._load_first_page(
            limit, lambda generation, total, rows: self._reloaded(generation, limit, total, rows)
        )

    def row(self, index: int) -> Any:
        return self.rows[index]

    def _reloaded(self, generation: int, limit: int, total: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self.rows = rows
        # The count and the rows are two reads; a save in between must not leave a phantom "more".
        self.total = len(rows) if len(rows) < limit else max(total, len(rows))
        self.ready = True
        self._loading = False
        self.endResetModel()
        self.total_changed.emit(self.total)
        self.loaded.emit()

    def _page_arrived(self, generation: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if len(rows) < self.page_size and self.total != len(self.rows) + len(rows):
            self.total = len(self.rows) + len(rows)  # fewer than asked: rows were deleted meanwhile
            self.total_changed.emit(self.total)
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def _failed(self, generation: int, error) -> None:
        if generation == self._generation:
            self._loading = False
            self.ready = True
            self.ops.show_problem(error.message)
            self.loaded.emit()
