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
# while the scroll bar is dragged over a million rows, the worker skips it instead of reading it.
STALE_REQUESTS = 8


class WindowedTableModel(ServiceTableModel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._pending: set[int] = set()
        self._asked = 0  # page requests so far, to tell the stale ones

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
        self._pending = set()
        self.ready = True
        self.endResetModel()
        self.total_changed.emit(self.total)
        self.loaded.emit()

    def _request(self, page: int) -> None:
        if page in self._pending or not self.ready:
            return
        self._pending.add(page)
        generation = self._generation
        self._asked += 1
        ticket = self._asked
        first, size = page * self.page_size, self.page_size

        def arrived(rows: list[Any] | None) -> None:
            self._page_arrived(generation, page, rows)

        def fetch(offset: int, limit: int, **how: Any) -> None:
            self._fetch_page(
                offset, limit, arrived, **how, still_wanted=lambda: self._asked - ticket < STALE_REQUESTS
            )

        before, following = self._pages.get(page - 1), self._pages.get(page + 1)
        keyed = self.sort_by in self.key_sorts
        if keyed and page > 0 and before is not None and len(before) == size:
            fetch(first, size, after=before[-1])  # scrolling down: on from the page above
        elif keyed and following:
            # Up: back from the page below. The offset counted from the end is for a fetch that cannot
            # go by key (a PostgreSQL search by name).
            from_end = max(0, self.total - first - size)
            fetch(from_end, size, after=following[0], backwards=True)
        elif keyed and first > self.total // 2:
            # A jump into the second half (the scroll bar dragged to the end): counted from the end,
            # the last page is read with no OFFSET at all. The pages around it then follow by key.
            last = min(first + size, self.total)
            fetch(self.total - last, last - first, backwards=True)
        else:
            fetch(first, size)

    def _page_arrived(self, generation: int, page: int, rows: list[Any] | None) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        if rows is not None:
            self._pages[page] = rows
            while len(self._pages) > KEPT_PAGES:
                self._pages.popitem(last=False)
        # A skipped page (scrolled past before its turn came) is repainted too: if it is in sight
        # after all, painting asks for it again.
        first = page * self.page_size
        last = min(first + self.page_size, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self.loaded.emit()

    def _failed(self, generation: int, error) -> None:
        if generation == self._generation:
            self.ready = True
            self._pending.clear()
            self.ops.show_problem(error.message)
            self.loaded.emit()
