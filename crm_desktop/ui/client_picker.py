"""Pick a client by typing part of a name, phone digits or an email: the field every form links a
client with. Hits come from the same search as the clients list, off the GUI thread, as you type.

The field's text alone is never taken for a choice: `client_id` is set only when a hit is picked
(or given by the program), and typing over a picked client unpicks it, so a form cannot save a
client the user did not mean.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from crm_desktop.services import clients
from crm_desktop.services.clients import ClientFilter, ClientRow
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.search_delay import SearchDelay

CHOICES = 12
ID_ROLE, NAME_ROLE = Qt.ItemDataRole.UserRole, Qt.ItemDataRole.UserRole + 1


class ClientPicker(QLineEdit):
    chosen = Signal(int, str)  # a client was picked from the list (id, name)
    cleared = Signal()  # typing over a picked client unpicked it

    def __init__(
        self,
        ops: Ops,
        *,
        client_id: int | None = None,
        name: str = "",
        companies_only: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(name, parent)
        self.ops, self.companies_only = ops, companies_only
        self.client_id = client_id
        self._generation = 0
        self.setPlaceholderText(self.tr("Type a name, phone digits or email…"))
        self.setClearButtonEnabled(True)
        self.choices = QStandardItemModel(self)
        self.completer = QCompleter(self.choices, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(10)
        self.completer.setCompletionRole(NAME_ROLE)  # the list shows name · phone, the field gets the name
        self.setCompleter(self.completer)
        self.completer.activated[QModelIndex].connect(self._picked)
        self.textEdited.connect(self._typed)
        self._delay = SearchDelay(self, self.search_now, edited_only=True)

    def choose(self, client_id: int, name: str) -> None:
        self.client_id = client_id
        self.setText(name)

    def search_now(self) -> None:
        self._generation += 1
        generation, text = self._generation, self.text().strip()
        if not text:
            self.choices.clear()
            return
        f = ClientFilter(search=text, kind="company" if self.companies_only else None)
        self.ops.read(
            clients.list_clients, f, limit=CHOICES, on_done=lambda rows: self._found(generation, rows)
        )

    def _typed(self, _text: str) -> None:
        if self.client_id is not None:
            self.client_id = None
            self.cleared.emit()

    def _found(self, generation: int, rows: list[ClientRow]) -> None:
        if generation != self._generation:
            return  # an older query: the user typed on since
        self.choices.clear()
        for row in rows:
            details = ", ".join([*row.phones[:1], *row.emails[:1]])
            item = QStandardItem(f"{row.name}  ·  {details}" if details else row.name)
            item.setData(row.id, ID_ROLE)
            item.setData(row.name, NAME_ROLE)
            self.choices.appendRow(item)
        if rows and self.hasFocus():
            self.completer.complete()

    def _picked(self, index: QModelIndex) -> None:
        self.choose(index.data(ID_ROLE), index.data(NAME_ROLE))
        self.chosen.emit(self.client_id, self.text())
