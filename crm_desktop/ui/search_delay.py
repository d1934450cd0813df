"""When a search field's text becomes a query: at once after a pause, and then not again until the
typing pauses for a moment.

The first key after a pause searches immediately, so a search never waits on a timer; keys that
follow within `delay_ms` of each other are gathered into one query when the typing stops, so a fast
typist does not queue a query per letter behind the one writer thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit

SEARCH_DELAY_MS = 40  # keys closer together than this come from one burst of typing


class SearchDelay(QObject):
    def __init__(
        self,
        field: QLineEdit,
        search: Callable[[], None],
        delay_ms: int = SEARCH_DELAY_MS,
        *,
        edited_only: bool = False,
    ):
        super().__init__(field)
        self._search = search
        self._pending = False  # keys came while waiting: search when the timer runs out
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._pause)
        # edited_only: text set by the program (e.g. picking a hit) is not a new query.
        (field.textEdited if edited_only else field.textChanged).connect(self._typed)

    def _typed(self, _text: str) -> None:
        if self._timer.isActive():
            self._pending = True
        else:
            self._search()
        self._timer.start()

    def _pause(self) -> None:
        if self._pending:
            self._pending = False
            self._search()

    def flush(self) -> None:
        """Search for what is typed now (Enter, or a filter changed beside the field)."""
        self._timer.stop()
        self._pending = False
        self._search()
