"""The plain lists of a job's window (its tasks, approvals, files, time, materials): made and fitted alike."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeWidget

WIDEST = 260  # a column wider than this shortens (its text shows whole in the tooltip or the next one)


def tree(*headers: str) -> QTreeWidget:
    made = QTreeWidget()
    made.setRootIsDecorated(False)
    made.setHeaderLabels(list(headers))
    made.setAlternatingRowColors(True)
    return made


def fit(shown: QTreeWidget) -> None:
    """Each column as wide as its text (at most WIDEST); the last takes the room left."""
    for column in range(shown.columnCount() - 1):
        shown.resizeColumnToContents(column)
        shown.setColumnWidth(column, min(shown.columnWidth(column), WIDEST))
