"""A dashboard tile: what it counts, its figure, a line about it, and the same period last year (or the
plan); clicked (or Enter pressed on it) it opens the list or report behind it."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from crm_desktop import i18n
from crm_desktop.ui.left_to_right import money_text

STYLE = """
QFrame#tile { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }
QFrame#tile:hover, QFrame#tile:focus { border: 1px solid palette(highlight); }
QFrame#tile[warning="true"] { border-left: 4px solid #dc2626; }
"""


class Tile(QFrame):
    clicked = Signal()

    def __init__(self, title: str, tip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tile")
        self.setStyleSheet(STYLE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(tip)
        self.setAccessibleName(title)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.title = QLabel(title)
        self.title.setEnabled(False)  # grey: the name of the figure, not the figure
        self.figure = QLabel("…")
        font = self.figure.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.figure.setFont(font)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.compared = QLabel()
        self.compared.setWordWrap(True)
        self.compared.setEnabled(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 10, 14, 10)
        column.setSpacing(4)
        for label in (self.title, self.figure, self.detail, self.compared):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            column.addWidget(label)
        column.addStretch(1)
        self.setMinimumHeight(104)

    def show_figure(
        self, figure: str, detail: str = "", compared: str = "", *, warning: bool = False
    ) -> None:
        self.figure.setText(figure)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.compared.setText(compared)
        self.compared.setVisible(bool(compared))
        if self.property("warning") != warning:
            self.setProperty("warning", warning)
            self.setStyleSheet(STYLE)  # the property is read when the style sheet is applied
        self.setAccessibleDescription(" ".join(t for t in (figure, detail, compared) if t))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


def count_text(n: int) -> str:
    return i18n.number_text(n)


def amounts_text(amounts: dict[str, Decimal], default_currency: str) -> str:
    """One line per currency, never added together; nothing yet is zero in the office's currency."""
    if not amounts:
        return money_text(Decimal(0), default_currency)
    return "\n".join(money_text(amount, code) for code, amount in amounts.items())


def percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{i18n.number_text(value)} %"
