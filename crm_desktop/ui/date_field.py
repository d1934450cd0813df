"""A date typed as the office writes it (31.12.2026, 31/12/2026, 2026-12-31) or picked on a calendar, and a
date with a time of day (a due time, a call back, a snooze) made of one and a time typed as 14:30.

What is typed stays as typed until the form is saved: a date that cannot be read or does not exist
(2026-02-30) is refused next to the field with what to type instead, never moved to another day (a
QDateEdit turns 2026-02-30 into 2026-02-03 and drops 31/12/2026 without a word).
"""

from __future__ import annotations

from datetime import date, datetime

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
from crm_desktop.ui.dates import day_text


class DateField(QWidget):
    date_changed = Signal()  # typed or picked
    entered = Signal()  # Enter pressed or the field left after typing, or a day picked

    def __init__(self, value: date | None = None, *, optional: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.optional = optional
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("not set") if optional else "31.12.2026")
        self.edit.setToolTip(self.tr("Type it as 31.12.2026 or 2026-12-31, or choose on the calendar"))
        self.edit.textEdited.connect(lambda _text: self.date_changed.emit())
        self.edit.editingFinished.connect(self.entered)
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
        # Opened by hand, not as the button's menu: a menu button draws its own arrow beside the ▾.
        self.pick_button.clicked.connect(
            lambda: self.popup.popup(self.pick_button.mapToGlobal(self.pick_button.rect().bottomLeft()))
        )
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
        self.edit.setText(day_text(value))  # as the window writes days elsewhere; read back by a_date

    def typed_date(self, label: str | None = None) -> date | None:
        """The date typed; ValidationError (field "", message naming `label`) when it is not one, or
        when it is empty and the field is not optional."""
        label = label or self.tr("The date")
        value = validation.a_date("", self.edit.text(), label)
        if value is None and not self.optional:
            raise ValidationError("", "{label} is needed. Type it as 31.12.2026 or 2026-12-31.", label=label)
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
        self.entered.emit()


class DateTimeField(QWidget):
    """A day and a time of day, in local time: the day a DateField, the time typed (14:30, 9.30, 14)."""

    date_changed = Signal()  # the day or the time, typed or picked

    def __init__(
        self, value: datetime | None = None, *, optional: bool = False, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.day = DateField(optional=optional)
        self.day.date_changed.connect(self.date_changed)
        self.time = QLineEdit()
        self.time.setPlaceholderText("14:30")
        self.time.setToolTip(self.tr("The time of day, as 14:30"))
        self.time.setAccessibleName(self.tr("Time"))
        self.time.setMaximumWidth(self.time.fontMetrics().horizontalAdvance("00:00") + 24)
        self.time.textEdited.connect(lambda _text: self.date_changed.emit())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.day)
        row.addWidget(self.time)
        row.addStretch(1)
        self.setFocusProxy(self.day)
        self.set_datetime(value)

    def set_datetime(self, value: datetime | None) -> None:
        local = value.astimezone() if value is not None and value.tzinfo else value
        self.day.set_date(local.date() if local else None)
        self.time.setText(local.strftime("%H:%M") if local else "")

    def typed_datetime(self, label: str | None = None) -> datetime | None:
        """The moment typed (aware, local time); ValidationError naming `label` when the day or the time
        is not one, or one of them is missing."""
        label = label or self.tr("The time")
        day = self.day.typed_date(label)
        at = validation.a_time("", self.time.text(), label)
        if day is None and at is None:
            return None
        if day is None:
            raise ValidationError(
                "", "{label} needs a date as well as the time. Type it as 31.12.2026.", label=label
            )
        if at is None:
            raise ValidationError(
                "", "{label} needs a time as well as the date. Type it as 14:30.", label=label
            )
        return datetime.combine(day, at).astimezone()

    def problem(self, label: str) -> str:
        """What is wrong with what is typed, or "" when it is a moment (or empty where allowed). The focus
        proxy becomes the part at fault, so that focusing the field after a refusal goes there."""
        if message := self.day.problem(label):
            self.setFocusProxy(self.day)
            return message
        try:
            self.typed_datetime(label)
        except ValidationError as error:
            self.setFocusProxy(self.time)
            return error.message
        return ""

    def value(self) -> tuple[str, str]:
        return self.day.value(), self.time.text()  # what closing the form would lose

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - as Qt's fields spell it
        self.day.setReadOnly(read_only)
        self.time.setReadOnly(read_only)
