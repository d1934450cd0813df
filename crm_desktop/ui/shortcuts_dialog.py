"""Help → Keyboard shortcuts: every key the window answers to, read from its actions and shortcuts
themselves (never a list kept by hand that drifts from what the keys do)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget


def shortcuts_of(root: QWidget, places: dict[QWidget, str], everywhere: str) -> list[tuple[str, str, str]]:
    """(where, keys, what it does) for each action with a shortcut and each QShortcut that says what it
    does (its whatsThis) under `root`; `where` is the title of the place (`places`) it belongs to."""

    def place(obj) -> str:
        widget = obj.parent()
        while widget is not None and widget not in places:
            widget = widget.parent()
        return places.get(widget, everywhere)

    found: set[tuple[str, str, str]] = set()
    for action in root.findChildren(QAction):
        for keys in action.shortcuts():
            if not keys.isEmpty() and action.text():
                what = action.text().replace("&", "").rstrip("…").strip()
                found.add((place(action), keys.toString(QKeySequence.SequenceFormat.NativeText), what))
    for shortcut in root.findChildren(QShortcut):
        if shortcut.whatsThis() and not shortcut.key().isEmpty():
            keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
            found.add((place(shortcut), keys, shortcut.whatsThis()))
    return sorted(found, key=lambda row: (row[0] != everywhere, row[0], row[2]))


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels([self.tr("Where"), self.tr("Keys"), self.tr("What it does")])
        for row in rows:
            self.list.addTopLevelItem(QTreeWidgetItem(list(row)))
        for column in range(2):
            self.list.resizeColumnToContents(column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(620, 520)
