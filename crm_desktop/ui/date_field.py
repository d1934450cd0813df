"""A date typed as the office writes it (31.12.2026, 31/12/2026, 2026-12-31) or picked on a calendar.

What is typed stays as typed until the form is saved: a date that cannot be read or does not exist
(2026-02-30) is refused next to the field with what to type instead, never moved to another day (a
QDateEdit turns 2026-02-30 into 2026-02-03 and drops 31/12/2026 without a word).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from crm_desktop.services import validation
from crm_desktop.services.errors import ValidationError


class DateField(QWidget):
    date_changed = Signal()  # typed or picked

    def __init__(self, value: date | None = None, *, optional: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.optional = optional
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("not set") if optional else "31.12.2026")
        self.edit.setToolTip(self.tr("Type it as 31.12.2026 or 2026-12-31, or choose on the calendar"))
        self.edit.textEdited.connect(lambda _text: self.date_changed.emit())
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.popup = QMenu(self)
        holder = QWidgetAction(self.popup)
        holder.setDefaultWidget(self.calendar)
        self.popup.addAction(holder)
        self.pick_button = QToolButton()
        self.pick_button.setText("▾")
        self.pick_button.setToolTip(self.tr("Choose on a calendar"))
        self.pick_button.setMenu(self.popup)
        self.pick_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.popup.aboutToShow.connect(self._show_calendar_at_value)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit)
        row.addWidget(self.pick_button)
        row.addStretch(1)
        # Wide enough for a date as typed, not the whole row: the calendar button stays beside it.
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("0000-00-00") + 24)
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("0000-00-00 (not set)") + 24)
        self.setFocusProxy(self.edit)
        self.set_date(value)

    def set_date(self, value: date | None) -> None:
        self.edit.setText(value.isoformat() if value else "")

    def typed_date(self, label: str = "The date") -> date | None:
        """The date typed; ValidationError (field "", message naming `label`) when it is not one, or
        when it is empty and the field is not optional."""
        value = validation.a_date("", self.edit.text(), label)
        if value is None and not self.optional:
            raise ValidationError("", f"{label} is needed. Type it as 31.12.2026 or 2026-12-31.")
        return value

    def problem(self, label: str) -> str:
        """What is wrong with what is typed, or "" when it is a date (or empty where allowed)."""
        try:
            self.typed_date(label)
        except ValidationError as error:
            return error.message
        return ""

    def value(self) -> str:
        return self.edit.text()  # what closing the form would lose (FormDialog.field_value)

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - as Qt's fields spell it
        self.edit.setReadOnly(read_only)
        self.pick_button.setEnabled(not read_only)

    def _show_calendar_at_value(self) -> None:
        try:
            current = self.typed_date() or date.today()
        except ValidationError:
            current = date.today()
        self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))

    def _picked(self, day: QDate) -> None:
        self.set_date(day.toPython())
        self.popup.close()
        self.date_changed.emit()
