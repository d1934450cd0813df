"""The line under a list: how many rows on the left, totals per currency on the right (amounts in
different currencies are never added: there is no honest exchange rate to do it with)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget


class ListFooter(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.count = QLabel()
        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.totals.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.count, 1, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.totals)
