"""A one-line label that fits any width: its text cut with "…" where the room ends, whole in the tooltip.

A plain QLabel without word wrap is as wide as its text and pushes whatever stands beside it (a row's
buttons) out of sight."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MIN_CHARACTERS = 6  # the least it shrinks to, in average characters


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, *, tooltip: str | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full_text = ""
        self.set_full_text(text, tooltip=tooltip)

    def set_full_text(self, text: str, *, tooltip: str | None = None) -> None:
        self.full_text = text
        self.setToolTip(text if tooltip is None else tooltip)
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text) + 2, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(
            self.fontMetrics().averageCharWidth() * MIN_CHARACTERS, super().minimumSizeHint().height()
        )

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, self.width()))
