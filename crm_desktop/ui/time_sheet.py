"""A person's week of time: a row per thing worked on, a column per day and the totals; a week back or on;
the entries of the chosen cell below, to change or remove (while not invoiced); time added by hand.
A manager chooses someone of their team, an administrator anyone."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services import time_tracking, users
from crm_desktop.services.time_tracking import Choice, TimeEntryRow, WeekSheet
from crm_desktop.ui.confirm import enter_presses_no_button
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.small_form import SmallForm
from crm_desktop.ui.time_clock import clock_text

TOTAL = 7  # the column of a row's total


def tr(text: str) -> str:
    return QCoreApplication.translate("TimeSheet", text)


def _bold(item: QTableWidgetItem) -> QTableWidgetItem:
    font = QFont()
    font.setBold(True)
    item.setFont(font)
    return item


class TimeSheetDialog(QDialog):
    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle(tr("Time sheet"))
        self.monday = ops.ctx.today() - timedelta(days=ops.ctx.today().weekday())
        self.sheet: WeekSheet | None = None
        self.ready = False
        self.dialog: QDialog | None = None

        self.person = QComboBox()
        self.person.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.person.addItem(ops.ctx.actor.username, ops.ctx.actor.user_id)
        self.person.setVisible(ops.ctx.actor.role in ("admin", "manager"))
        back, on = QToolButton(text="◀"), QToolButton(text="▶")
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            back.setText("▶")
            on.setText("◀")
        back.setToolTip(tr("The week before"))
        on.setToolTip(tr("The week after"))
        back.clicked.connect(lambda: self.show_week(self.monday - timedelta(days=7)))
        on.clicked.connect(lambda: self.show_week(self.monday + timedelta(days=7)))
        self.week_label = QLabel()
        self.add_button = QPushButton(tr("Add time…"))
        self.add_button.clicked.connect(lambda: self.edit_entry(None))
        top = QHBoxLayout()
        for widget in (back, on, self.week_label):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.person)
        top.addWidget(self.add_button)

        self.grid = QTableWidget(0, 8)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.grid.horizontalHeader().setDefaultSectionSize(72)
        self.grid.verticalHeader().setMinimumWidth(200)
        self.grid.currentCellChanged.connect(lambda row, column, _r, _c: self._cell_chosen(row, column))
        self.entries = QTreeWidget()
        self.entries.setHeaderLabels([tr("Day"), tr("On"), tr("Time"), tr("Note"), tr("Billed")])
        self.entries.setRootIsDecorated(False)
        self.entries.itemDoubleClicked.connect(
            lambda item, _c: self.edit_entry(item.data(0, Qt.ItemDataRole.UserRole))
        )
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.clicked.connect(self.remove_entry)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        below = QHBoxLayout()
        below.addWidget(self.remove_button)
        below.addStretch(1)
        below.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid, 2)
        layout.addSpacing(4)
        layout.addWidget(QLabel(tr("Entries of the chosen day (double-click one to change it):")))
        layout.addWidget(self.entries, 1)
        layout.addLayout(below)
        enter_presses_no_button(self)
        self.resize(900, 560)
        self.person.currentIndexChanged.connect(lambda _i: self.reload())
        WhenShown(self, ops, {"time_entries", "users"}, lambda _changes: self.reload())
        if ops.ctx.actor.role in ("admin", "manager"):
            ops.read(users.list_users, on_done=self._people_arrived)
        self.show_week(self.monday)

    def _people_arrived(self, rows) -> None:
        me = self.ops.ctx.actor
        blocked = self.person.blockSignals(True)
        self.person.clear()
        for u in rows:
            if u.active and (me.is_admin or u.id == me.user_id or u.manager_id == me.user_id):
                self.person.addItem(u.display_name or u.username, u.id)
        self.person.setCurrentIndex(max(0, self.person.findData(me.user_id)))
        self.person.blockSignals(blocked)

    def user_id(self) -> int:
        return self.person.currentData() or self.ops.ctx.actor.user_id

    def show_week(self, monday: date) -> None:
        self.monday = monday
        self.week_label.setText(f"{day_text(monday)} – {day_text(monday + timedelta(days=6))}")
        self.reload()

    def reload(self) -> None:
        self.ready = False
        self.ops.read(time_tracking.week, self.user_id(), self.monday, on_done=self._arrived)

    def _arrived(self, sheet: WeekSheet) -> None:
        if sheet.monday != self.monday or sheet.user_id != self.user_id():
            return  # overtaken by another week or person
        self.sheet = sheet
        locale = QLocale()
        heads = [
            f"{locale.dayName(d.isoweekday(), QLocale.FormatType.ShortFormat)}\n{d.day}" for d in sheet.days
        ]
        self.grid.setColumnCount(8)
        self.grid.setHorizontalHeaderLabels([*heads, tr("Total")])
        self.grid.setRowCount(len(sheet.rows) + 1)
        labels = [r.what or tr("(nothing named)") for r in sheet.rows] + [tr("Total")]
        self.grid.setVerticalHeaderLabels(labels)
        for n, row in enumerate(sheet.rows):
            for day, minutes in enumerate(row.minutes):
                self._put(n, day, minutes)
            self._put(n, TOTAL, row.total, bold=True)
        last = len(sheet.rows)
        for day, minutes in enumerate(sheet.totals):
            self._put(last, day, minutes, bold=True)
        self._put(last, TOTAL, sheet.total, bold=True)
        self._cell_chosen(self.grid.currentRow(), self.grid.currentColumn())
        self.ready = True

    def _put(self, row: int, column: int, minutes: int, *, bold: bool = False) -> None:
        item = QTableWidgetItem(clock_text(minutes) if minutes else "")
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.setItem(row, column, _bold(item) if bold else item)

    def chosen_entries(self, row: int, column: int) -> list[TimeEntryRow]:
        if self.sheet is None or row < 0:
            return []
        rows = self.sheet.rows if row >= len(self.sheet.rows) else [self.sheet.rows[row]]
        found = [e for r in rows for e in r.entries]
        if 0 <= column < TOTAL:
            found = [e for e in found if e.day == self.sheet.days[column]]
        return found

    def _cell_chosen(self, row: int, column: int) -> None:
        self.entries.clear()
        for e in self.chosen_entries(row, column):
            billed = tr("Invoiced") if e.invoice_id else tr("Yes") if e.billable else tr("No")
            time = tr("running") if e.running else clock_text(e.minutes)
            item = QTreeWidgetItem([day_text(e.day), e.what, time, e.note, billed])
            item.setData(0, Qt.ItemDataRole.UserRole, e)
            self.entries.addTopLevelItem(item)
        self.remove_button.setEnabled(self.entries.topLevelItemCount() > 0)

    def _entry(self) -> TimeEntryRow | None:
        item = self.entries.currentItem() or self.entries.topLevelItem(0)
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def remove_entry(self) -> None:
        entry = self._entry()
        if entry is not None:
            self.ops.write(time_tracking.delete_entry, entry.id)

    def edit_entry(self, entry: TimeEntryRow | None) -> QDialog:
        day = self.monday + timedelta(days=max(0, min(self.grid.currentColumn(), 6)))
        dialog = TimeEntryDialog(self.ops, self.user_id(), entry, day if entry is None else entry.day, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog


class TimeEntryDialog(SmallForm):
    """Time typed by hand ("1:30", "1.5", "90m"), or an entry changed; what it was on, when it is new."""

    def __init__(
        self,
        ops: Ops,
        user_id: int,
        entry: TimeEntryRow | None,
        day: date,
        parent: QWidget | None = None,
        *,
        choices: list[Choice] | None = None,
    ):
        super().__init__(tr("Change the time") if entry else tr("Add time"), self.save, parent)
        self.ops, self.user_id, self.entry = ops, user_id, entry
        self.day = DateField(day)
        self.spent = QLineEdit(clock_text(entry.minutes) if entry else "")
        self.spent.setPlaceholderText(tr("1:30, 1.5 or 90m"))
        self.what = QComboBox()
        self.note = QLineEdit(entry.note if entry else "")
        self.billable = QCheckBox(tr("Billable"))
        self.billable.setChecked(entry.billable if entry else True)
        form = self.form
        form.addRow(tr("Day"), self.day)
        form.addRow(tr("Time spent"), self.spent)
        if entry is None:
            form.addRow(tr("On"), self.what)
            if choices is None:  # (what the person works on now)
                self.what.addItem(tr("(nothing in particular)"), Choice(""))
                ops.read(time_tracking.choices, on_done=self._choices_arrived)
            else:
                self._choices_arrived(choices)
        else:
            form.addRow(tr("On"), QLabel(entry.what))
        form.addRow(tr("Note"), self.note)
        form.addRow("", self.billable)
        self.resize(460, 0)

    def _choices_arrived(self, found: list[Choice]) -> None:
        for choice in found:
            self.what.addItem(choice.label, choice)

    def save(self) -> None:
        if self.refuses_a_day((self.day, tr("Day"))):
            return
        values = {
            "day": self.day.typed_date(),
            "minutes": self.spent.text(),
            "note": self.note.text(),
            "billable": self.billable.isChecked(),
        }
        if self.entry is not None:
            self.ops.write(
                time_tracking.update_entry,
                self.entry.id,
                expected_version=self.entry.version,
                **values,
                on_done=lambda _row: self.accept(),
                on_error=self.say,
            )
            return
        choice: Choice = self.what.currentData()
        self.ops.write(
            time_tracking.add_entry,
            **values,
            job_id=choice.job_id,
            stage_id=choice.stage_id,
            task_id=choice.task_id,
            user_id=self.user_id,
            on_done=lambda _row: self.accept(),
            on_error=self.say,
        )
