"""Settings → Office calendar (administrators): the working weekdays and hours, and the days off of the
office's country — its public holidays added a year at a time, and any other day off — in which the
stages of jobs are planned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from babel import Locale, UnknownLocaleError
from PySide6.QtCore import QLocale, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services import company, work_calendar
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.work_calendar import COUNTRIES, HolidayRow, OfficeCalendar
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops


@dataclass(frozen=True)
class Shown:
    calendar: OfficeCalendar
    version: int  # of the company profile, where the calendar is kept
    holidays: list[HolidayRow]


def load(ctx: ServiceContext, country: str | None = None) -> Shown:
    calendar = work_calendar.of(ctx)
    chosen = calendar.country if country is None else country
    return Shown(calendar, company.get(ctx).version, work_calendar.holidays(ctx, chosen) if chosen else [])


def country_name(code: str) -> str:
    try:
        return Locale.parse(i18n.current()).territories.get(code, code)
    except (UnknownLocaleError, ValueError):
        return code


class OfficeCalendarDialog(QDialog):
    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.shown: Shown | None = None
        self.ready = False
        self.setWindowTitle(self.tr("Office calendar"))
        self.resize(560, 600)
        locale = QLocale()
        self.days = [QCheckBox(locale.dayName(n, QLocale.FormatType.ShortFormat)) for n in range(1, 8)]
        week = QHBoxLayout()
        for box in self.days:
            week.addWidget(box)
        week.addStretch(1)
        self.starts, self.ends = QTimeEdit(), QTimeEdit()
        for edit in (self.starts, self.ends):
            edit.setDisplayFormat("HH:mm")
        hours = QHBoxLayout()
        hours.addWidget(self.starts)
        hours.addWidget(QLabel("–"))
        hours.addWidget(self.ends)
        hours.addStretch(1)
        self.country = QComboBox()
        self.country.addItem(self.tr("No public holidays"), "")
        for code in COUNTRIES:
            self.country.addItem(country_name(code), code)
        form = QFormLayout()
        form.addRow(self.tr("Working days"), week)
        form.addRow(self.tr("Working hours"), hours)
        form.addRow(self.tr("Public holidays of"), self.country)

        self.holidays = QTreeWidget()
        self.holidays.setRootIsDecorated(False)
        self.holidays.setHeaderLabels([self.tr("Day off"), self.tr("Name")])
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(ops.ctx.today().year)
        self.add_public = QPushButton(self.tr("Add the public holidays of"))
        self.add_public.clicked.connect(self.add_public_holidays)
        self.new_day = DateField(ops.ctx.today())
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(self.tr("e.g. Office move"))
        add_day = QPushButton(self.tr("Add the day off"))
        add_day.clicked.connect(self.add_day)
        remove = QPushButton(self.tr("Remove the chosen day"))
        remove.clicked.connect(self.remove_day)
        public = QHBoxLayout()
        public.addWidget(self.add_public)
        public.addWidget(self.year)
        public.addStretch(1)
        public.addWidget(remove)
        one = QHBoxLayout()
        one.addWidget(self.new_day)
        one.addWidget(self.new_name, 1)
        one.addWidget(add_day)
        self.problem = error_label("problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        note = QLabel(
            self.tr(
                "Jobs' stages are planned in working time: a stage of two working days started on a Friday "
                "afternoon ends on Tuesday, past the weekend and the days off listed here."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.holidays, 1)
        layout.addLayout(public)
        layout.addLayout(one)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.country.currentIndexChanged.connect(lambda _i: self.reload(self.country.currentData()))
        self.reload()

    def reload(self, country: str | None = None) -> None:
        self.ready = False
        self.ops.read(load, country, on_done=self._arrived)

    def _arrived(self, shown: Shown) -> None:
        first = self.shown is None
        self.shown = shown
        c = shown.calendar
        if first:
            for box, flag in zip(self.days, c.work_days, strict=True):
                box.setChecked(flag == "1")
            self.starts.setTime(QTime(c.starts.hour, c.starts.minute))
            self.ends.setTime(QTime(c.ends.hour, c.ends.minute))
            blocked = self.country.blockSignals(True)
            self.country.setCurrentIndex(max(0, self.country.findData(c.country)))
            self.country.blockSignals(blocked)
        self.holidays.clear()
        for h in shown.holidays:
            item = QTreeWidgetItem([day_text(h.day), h.name])
            item.setData(0, Qt.ItemDataRole.UserRole, h.id)
            self.holidays.addTopLevelItem(item)
        self.holidays.resizeColumnToContents(0)
        code = self.country.currentData()
        self.add_public.setEnabled(bool(code))
        self.add_public.setText(
            fill(self.tr("Add the public holidays of {country} for"), country=country_name(code))
            if code
            else self.tr("Add the public holidays of")
        )
        self.ready = True

    def _failed(self, error) -> None:
        show_error(self.problem, error.message)

    def add_public_holidays(self) -> None:
        show_error(self.problem, "")
        self.ops.write(
            work_calendar.add_public_holidays, self.country.currentData(), self.year.value(),
            on_done=lambda _n: self.reload(self.country.currentData()), on_error=self._failed,
        )  # fmt: skip

    def add_day(self) -> None:
        show_error(self.problem, "")
        day: date | None = self.new_day.typed_date()
        if message := self.new_day.problem(self.tr("The day off")):
            show_error(self.problem, message)
            return
        assert day is not None
        self.ops.write(
            work_calendar.add_holiday, self.country.currentData() or "", day, self.new_name.text(),
            on_done=lambda _h: (self.new_name.clear(), self.reload(self.country.currentData())),
            on_error=self._failed,
        )  # fmt: skip

    def remove_day(self) -> None:
        item = self.holidays.currentItem()
        if item is not None:
            self.ops.write(
                work_calendar.remove_holiday, item.data(0, Qt.ItemDataRole.UserRole),
                on_done=lambda _none: self.reload(self.country.currentData()), on_error=self._failed,
            )  # fmt: skip

    def save(self) -> None:
        if self.shown is None:
            return
        show_error(self.problem, "")
        clock = lambda edit: time(edit.time().hour(), edit.time().minute()).strftime("%H:%M")  # noqa: E731
        self.ops.write(
            work_calendar.update,
            expected_version=self.shown.version,
            work_days="".join("1" if box.isChecked() else "0" for box in self.days),
            starts=clock(self.starts),
            ends=clock(self.ends),
            country=self.country.currentData(),
            on_done=lambda _c: self.accept(),
            on_error=self._failed,
        )
