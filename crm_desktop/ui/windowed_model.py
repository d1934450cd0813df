"""A table model for very long lists: it knows how many rows there are, and loads only what is seen.

`rowCount()` is the full count, so the scroll bar stands for the whole list and can be dragged to
its end at once; rows are fetched a page at a time (through Ops, off the GUI thread) when the view
asks for them, and only the most recently used pages are kept. A row not loaded yet shows empty for
the moment it takes its page to arrive.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from crm_desktop.ui.lazy_model import ServiceTableModel

_ROOT = QModelIndex()
KEPT_PAGES = 40  # 8,000 rows: far more than a screen, far less than a million
# A page asked for this many requests ago has scrolled out of sight (a screen shows one to three pages):
# while the scroll bar is dragged over a million rows, it is dropped instead of read.
STALE_REQUESTS = 8


class WindowedTableModel(ServiceTableModel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        # One page read at a time per list: two at once would hold the interpreter lock from both
        # readers while the GUI thread paints (the scroll stalls). The others wait here, latest last.
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._reading: int | None = None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self.total

    def _row_at(self, row: int, role: int) -> Any:
        # Only painting asks for a page; tooltips and colours of rows not loaded wait for it.
        return self.row(row, request=role == Qt.ItemDataRole.DisplayRole) if 0 <= row < self.total else None

    @property
    def rows(self) -> list[Any]:
        """The loaded rows of the first pages, in order (what a refresh may re-select among)."""
        out: list[Any] = []
        page = 0
        while page in self._pages:
            out.extend(self._pages[page])
            page += 1
        return out

    def _loaded(self) -> Iterator[tuple[int, Any]]:
        for page, rows in list(self._pages.items()):
            for offset, row in enumerate(rows):
                yield page * self.page_size + offset, row

    def _replace(self, index: int, row: Any) -> None:
        page, offset = divmod(index, self.page_size)
        self._pages[page][offset] = row

    def row(self, index: int, *, request: bool = False) -> Any:
        page, offset = divmod(index, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            if request:
                self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[offset] if offset < len(rows) else None

    def reload(self) -> None:
        """Count and the first page in one background call, swapped in together (no empty flash)."""
        self._load_first_page(self.page_size, self._reloaded)

    def _reloaded(self, generation: int, total: int, first: list[Any]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self.total = len(first) if len(first) < self.page_size else max(total, len(first))
        self._pages = OrderedDict({0: first})
        self._wanted.clear()
        self._reading = None
        self.ready = True
        self.endResetModel()
        self.total_changed.emit(self.total)
        self.loaded.emit()

    def _request(self, page: int) -> None:
        if not self.ready or page == self._reading:
            return
        self._wanted[page] = None
        self._wanted.move_to_end(page)
        self._read_next()

    def _read_next(self) -> None:
        """Read the page asked for last that can go by key from a loaded neighbour, else the last one.
        Pages asked for more than STALE_REQUESTS requests ago are dropped and repainted: one still in
        sight after all is asked for again by the paint."""
        if self._reading is not None or not self._wanted:
            return
        while len(self._wanted) > STALE_REQUESTS:
            dropped, _ = self._wanted.popitem(last=False)
            self._repaint_page(dropped)
        keyed = self.sort_by in self.key_sorts
        page = next(
            (p for p in reversed(self._wanted) if keyed and (p - 1 in self._pages or p + 1 in self._pages)),
            next(reversed(self._wanted)),
        )
        del self._wanted[page]
        self._reading = page
        generation = self._generation

        def arrived(rows: list[Any]) -> None:
            self._page_arrived(generation, page, rows)

        first, size = page * self.page_size, self.page_size
        before, following = self._pages.get(page - 1), self._pages.get(page + 1)
        if keyed and page > 0 and before is not None and len(before) == size:
            self._fetch_page(first, size, arrived, after=before[-1])  # scrolling down: on from above
        elif keyed and following:
            # Up: back from the page below. The offset counted from the end is for a fetch that cannot
            # go by key (a PostgreSQL search by name).
            from_end = max(0, self.total - first - size)
            self._fetch_page(from_end, size, arrived, after=following[0], backwards=True)
        elif keyed and first > self.total // 2:
            # A jump into the second half (the scroll bar dragged to the end): counted from the end,
            # the last page is read with no OFFSET at all. The pages around it then follow by key.
            last = min(first + size, self.total)
            self._fetch_page(self.total - last, last - first, arrived, backwards=True)
        else:
            self._fetch_page(first, size, arrived)

    def _page_arrived(self, generation: int, page: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._reading = None
        self._pages[page] = rows
        while len(self._pages) > KEPT_PAGES:
            self._pages.popitem(last=False)
        self._repaint_page(page)
        self.loaded.emit()
        self._read_next()

    def _repaint_page(self, page: int) -> None:
        first = page * self.page_size
        last = min(first + self.page_size, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def _failed(self, generation: int, error) -> None:
        if generation == self._generation:
            self.ready = True
            self._wanted.clear()
            self._reading = None
            self.ops.show_problem(error.message)
            self.loaded.emit()
