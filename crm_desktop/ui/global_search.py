"""The main window's search field (Ctrl+K): clients, deals, jobs and invoices as you type; Enter opens
the hit.

The hits list floats under the field without taking the keyboard, so typing goes on while it is
open; Up/Down move through it, Enter opens, Esc closes. A query is sent once typing pauses, and an
answer to an older query than the newest is dropped, so the list never flickers back to stale hits.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QListView, QVBoxLayout, QWidget

from crm_desktop.services import global_search
from crm_desktop.services.global_search import Hit
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.search_delay import SearchDelay

_ROOT = QModelIndex()


class HitsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.hits: list[Hit] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            kind = {
                "client": self.tr("Client"),
                "deal": self.tr("Deal"),
                "job": self.tr("Job"),
                "invoice": self.tr("Invoice"),
            }[hit.kind]
            return f"{kind}: {hit.title}" + (f"  —  {hit.subtitle}" if hit.subtitle else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.subtitle or None
        if role == Qt.ItemDataRole.UserRole:
            return hit
        return None

    def set_hits(self, hits: list[Hit]) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self.endResetModel()


class GlobalSearch(QWidget):
    open_requested = Signal(str, int)  # kind ("client" | "deal" | "job" | "invoice"), id

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("Search clients, deals, jobs, invoices… (Ctrl+K)"))
        self.edit.setClearButtonEnabled(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.model = HitsModel(self)
        # A tool window that never takes focus: the keyboard stays in the field (a Qt.Popup would grab it).
        self.popup = QListView(self)  # a window of its own, owned (and deleted) with the field
        self.popup.setWindowFlags(
            Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.popup.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.popup.setUniformItemSizes(True)
        self.popup.setModel(self.model)
        self.popup.clicked.connect(self._open)
        self._generation = 0
        self._delay = SearchDelay(self.edit, self._search, edited_only=True)
        self.edit.installEventFilter(self)
        self.popup.installEventFilter(self)

    def focus(self) -> None:
        """What Ctrl+K does: into the field, with its text selected to type over."""
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    @property
    def current_hit(self) -> Hit | None:
        index = self.popup.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def close_popup(self) -> None:
        self.popup.hide()

    def _search(self) -> None:
        self._generation += 1
        generation, text = self._generation, self.edit.text()
        if not text.strip():
            self.model.set_hits([])
            self.close_popup()
            return
        self.ops.read(global_search.search, text, on_done=lambda hits: self._found(generation, hits))

    def _found(self, generation: int, hits: list[Hit]) -> None:
        if generation != self._generation:
            return  # typed on since: a newer answer is on its way
        self.model.set_hits(hits)
        if not hits:
            self.close_popup()
            return
        self.popup.setCurrentIndex(self.model.index(0))
        self._place_popup()
        self.popup.show()

    def _place_popup(self) -> None:
        rows = min(self.model.rowCount(), 12)
        height = self.popup.sizeHintForRow(0) * rows + 2 * self.popup.frameWidth()
        self.popup.setGeometry(
            self.edit.mapToGlobal(QPoint(0, self.edit.height())).x(),
            self.edit.mapToGlobal(QPoint(0, self.edit.height())).y(),
            max(self.edit.width(), 420),
            height,
        )

    def _move(self, step: int) -> None:
        if not self.popup.isVisible() or not self.model.rowCount():
            return
        row = (self.popup.currentIndex().row() + step) % self.model.rowCount()
        self.popup.setCurrentIndex(self.model.index(row))

    def _open(self, index: QModelIndex) -> None:
        hit = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        if hit is None:
            return
        self.close_popup()
        self.open_requested.emit(hit.kind, hit.id)

    def _key(self, key: int) -> bool:
        """Up/Down/Enter/Esc act on the list while it is open; True when the key was used."""
        if key == Qt.Key.Key_Down:
            self._move(1)
        elif key == Qt.Key.Key_Up:
            self._move(-1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.popup.isVisible():
            self._open(self.popup.currentIndex())
        elif key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.close_popup()
        else:
            return False
        return True

    def _focus_left(self) -> None:
        # Some platforms activate even a window that asks not to be; that is not leaving the field.
        active = QApplication.activeWindow()
        if active is self.popup:
            return
        if active is not self.window() or not self.edit.hasFocus():
            self.close_popup()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit:
            if event.type() == QEvent.Type.KeyPress and self._key(event.key()):
                return True
            if event.type() == QEvent.Type.FocusOut:
                QTimer.singleShot(0, self, self._focus_left)
        elif watched is self.popup and event.type() == QEvent.Type.KeyPress:
            # Keys that reach the list (where it took the keyboard after all) go on into the field.
            if not self._key(event.key()):
                QApplication.sendEvent(self.edit, event)
            return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event) -> None:
        self.close_popup()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:
        self.close_popup()
        super().closeEvent(event)
