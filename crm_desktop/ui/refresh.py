"""Views refresh only when they are seen: a change to a hidden view marks it stale; it reloads when shown.

Every view listens to `Ops.changed` through one `WhenShown`: changes to tables the view does not show
are ignored; while the view is hidden they are gathered (merged), and answered in one refresh the next
time it is shown. So a save on the Clients page runs no query for the hidden Deals board, and every
new view adds nothing to a save elsewhere until someone looks at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from crm_desktop.services.context import Changes
from crm_desktop.ui.ops import Ops


class WhenShown(QObject):
    def __init__(self, view: QWidget, ops: Ops, tables: Iterable[str], refresh: Callable[[Changes], None]):
        super().__init__(view)
        self.view, self.tables, self._refresh = view, frozenset(tables), refresh
        self.missed: Changes | None = None  # what changed while the view was hidden, not yet answered
        view.installEventFilter(self)
        ops.changed.connect(self._changed)

    @property
    def stale(self) -> bool:
        return self.missed is not None

    def _changed(self, changes: Changes) -> None:
        if not changes.tables & self.tables:
            return
        if self.view.isVisible():
            self._refresh(changes)
        else:
            self.missed = changes if self.missed is None else self.missed.merged(changes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Show and self.missed is not None:
            missed, self.missed = self.missed, None
            self._refresh(missed)
        return False
