"""A client's recurring visits (service contracts): the series, and a form for a new one or to change
the chosen one from a day on — how often (the task form's Repeat field), from which day, at what time,
for how long, by whom, with what checklist, until a day or for a number of visits. Ending a series
takes its visits after the day away; each visit itself is changed (or skipped) in the calendar."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import recurrence, users, visits, work_billing
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.visits import SeriesRow, SeriesValues
from crm_desktop.ui.calendar.repeat import RepeatEdit, weekday_names
from crm_desktop.ui.confirm import enter_presses_no_button
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.small_form import SmallForm

NO_END, ON_DAY, AFTER = "never", "day", "count"


def tr(text: str) -> str:
    return QCoreApplication.translate("VisitsDialog", text)


def rule_words(rule: str) -> str:
    parsed = recurrence.parse(rule)
    if parsed is None:
        return ""
    if parsed.freq == "DAILY":
        return tr("Every day") if parsed.interval == 1 else fill(tr("Every {n} days"), n=parsed.interval)
    if parsed.freq == "WEEKLY":
        names = weekday_names()
        days = ", ".join(names[d] for d in parsed.weekdays)
        every = tr("Every week") if parsed.interval == 1 else fill(tr("Every {n} weeks"), n=parsed.interval)
        return f"{every}: {days}" if days else every
    return fill(tr("Monthly on the {day}"), day=parsed.month_day or "")


class VisitsDialog(QDialog):
    invoice_draft_made = Signal(object)  # DocumentDetail: the main window opens it

    def __init__(self, ops: Ops, client_id: int, client_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.client_id = ops, client_id
        self.rows: list[SeriesRow] = []
        self.ready = False
        self.setWindowTitle(fill(tr("Recurring visits: {client}"), client=client_name))
        self.list = QTreeWidget()
        self.list.setHeaderLabels([tr("Visit"), tr("Repeats"), tr("At"), tr("From"), tr("Until")])
        self.list.setRootIsDecorated(False)
        self.list.currentItemChanged.connect(lambda _now, _before: self._chosen())

        self.title = QLineEdit()
        self.title.setPlaceholderText(tr("Office cleaning, boiler service…"))
        self.repeat = RepeatEdit()
        self.repeat.set_rule("FREQ=WEEKLY", ops.ctx.today().weekday())
        self.starts = DateField(ops.ctx.today())
        self.at = QTimeEdit(QTime(9, 0))
        self.at.setDisplayFormat("HH:mm")
        self.duration = QSpinBox()
        self.duration.setRange(5, 24 * 60)
        self.duration.setSingleStep(15)
        self.duration.setValue(60)
        self.duration.setSuffix(tr(" min"))
        for narrow in (self.at, self.duration):
            narrow.setMaximumWidth(140)
        self.assignee = QComboBox()
        self.assignee.addItem(tr("Nobody yet"), None)
        self.checklist = QPlainTextEdit()
        self.checklist.setPlaceholderText(tr("One item a line: floors mopped, bins emptied…"))
        self.checklist.setFixedHeight(70)
        self.ends = QComboBox()
        for key, text in (
            (NO_END, tr("No end")),
            (ON_DAY, tr("On a day")),
            (AFTER, tr("After a number of visits")),
        ):
            self.ends.addItem(text, key)
        self.ends_on = DateField(ops.ctx.today())
        self.count = QSpinBox()
        self.count.setRange(1, visits.MAX_VISITS)
        self.count.setValue(10)
        self.count.setSuffix(tr(" visits"))
        self.ends.currentIndexChanged.connect(lambda _i: self._show_end())
        ending = QHBoxLayout()
        for widget in (self.ends, self.ends_on, self.count):
            ending.addWidget(widget)
        ending.addStretch(1)
        form = QFormLayout()
        form.addRow(tr("&Title"), self.title)
        form.addRow(tr("Re&peats"), self.repeat)
        form.addRow(tr("&From"), self.starts)
        form.addRow(tr("At"), self.at)
        form.addRow(tr("&Duration"), self.duration)
        form.addRow(tr("&Who"), self.assignee)
        form.addRow(tr("Checklist"), self.checklist)
        form.addRow(tr("Ends"), ending)
        self.problem = error_label("problem")
        self.new_button = QPushButton(tr("New series"))
        self.new_button.clicked.connect(self.new_series)
        self.save_button = QPushButton(tr("Save"))
        self.save_button.clicked.connect(self.save)
        self.end_button = QPushButton(tr("End on the day"))
        self.end_button.setToolTip(tr("No visits after the day chosen in Ends (the contract ended)"))
        self.end_button.clicked.connect(self.end_series)
        self.invoice_button = QPushButton(tr("Invoice a month…"))
        self.invoice_button.setToolTip(
            tr("A draft invoice of the billable time spent on these visits in a month")
        )
        self.invoice_button.clicked.connect(self.invoice_month)
        self.invoice_button.setVisible(ops.ctx.actor.role in ("admin", "manager"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        below = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.end_button, self.invoice_button):
            below.addWidget(button)
        below.addStretch(1)
        below.addWidget(buttons)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(below)
        enter_presses_no_button(self)
        self.resize(760, 620)
        self._show_end()
        WhenShown(self, ops, {"visit_series", "users"}, lambda _changes: self.reload())
        ops.read(users.list_users, on_done=self._people_arrived)
        self.reload()
        self.new_series()

    def _people_arrived(self, people) -> None:
        for u in people:
            if u.active:
                self.assignee.addItem(u.display_name or u.username, u.id)

    def reload(self) -> None:
        self.ops.read(visits.for_client, self.client_id, on_done=self._arrived)

    def _arrived(self, rows: list[SeriesRow]) -> None:
        self.rows = rows
        chosen = self.chosen().id if self.chosen() else None
        self.list.clear()
        for r in rows:
            x = r.values
            until = (
                day_text(x.ends_on)
                if x.ends_on
                else fill(ngettext("{n} visit", "{n} visits", x.count), n=x.count)
                if x.count
                else "—"
            )
            item = QTreeWidgetItem([x.title, rule_words(x.rule), x.at_time, day_text(x.starts_on), until])
            item.setData(0, Qt.ItemDataRole.UserRole, r.id)
            self.list.addTopLevelItem(item)
            if r.id == chosen:
                self.list.setCurrentItem(item)
        for column in range(self.list.columnCount() - 1):
            self.list.resizeColumnToContents(column)
        self.ready = True

    def chosen(self) -> SeriesRow | None:
        item = self.list.currentItem()
        wanted = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((r for r in self.rows if r.id == wanted), None)

    def _show_end(self) -> None:
        key = self.ends.currentData()
        self.ends_on.setVisible(key == ON_DAY)
        self.count.setVisible(key == AFTER)

    def new_series(self) -> None:
        self.list.setCurrentItem(None)
        self.title.clear()
        self.hint.setText(
            tr("A new series: its visits are made for the four weeks ahead, and on as the days pass.")
        )
        self.end_button.setVisible(False)

    def _chosen(self) -> None:
        row = self.chosen()
        if row is None:
            return
        x = row.values
        self.title.setText(x.title)
        self.repeat.set_rule(x.rule, x.starts_on.weekday())
        self.starts.set_date(max(x.starts_on, self.ops.ctx.today()))
        self.at.setTime(QTime.fromString(x.at_time, "HH:mm"))
        self.duration.setValue(x.duration_minutes)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(x.assignee_id)))
        self.checklist.setPlainText("\n".join(x.checklist))
        self.ends.setCurrentIndex(self.ends.findData(ON_DAY if x.ends_on else AFTER if x.count else NO_END))
        if x.ends_on:
            self.ends_on.set_date(x.ends_on)
        if x.count:
            self.count.setValue(x.count)
        self.hint.setText(
            tr("Saving changes the series from the day in From on; the visits before it stay as they are.")
        )
        self.end_button.setVisible(True)

    def _say(self, error: ServiceError | str) -> None:
        show_error(self.problem, error if isinstance(error, str) else error.message)

    def values(self) -> SeriesValues | None:
        problem = self.starts.problem(tr("From")) or (
            self.ends_on.problem(tr("Ends")) if self.ends.currentData() == ON_DAY else ""
        )
        if problem:
            self._say(problem)
            return None
        starts = self.starts.typed_date()
        assert starts is not None
        key = self.ends.currentData()
        return SeriesValues(
            title=self.title.text(),
            rule=self.repeat.rule(),
            starts_on=starts,
            at_time=self.at.time().toString("HH:mm"),
            duration_minutes=self.duration.value(),
            assignee_id=self.assignee.currentData(),
            checklist=tuple(
                line.strip() for line in self.checklist.toPlainText().splitlines() if line.strip()
            ),
            ends_on=self.ends_on.typed_date() if key == ON_DAY else None,
            count=self.count.value() if key == AFTER else None,
        )

    def save(self) -> None:
        values = self.values()
        if values is None:
            return
        show_error(self.problem, "")
        row = self.chosen()
        if row is None:
            self.ops.write(
                visits.create, self.client_id, values, on_done=lambda _r: self.reload(), on_error=self._say
            )
        else:
            self.ops.write(
                visits.change_from, row.id, values.starts_on, values, expected_version=row.version,
                on_done=lambda _r: self.reload(), on_error=self._say,
            )  # fmt: skip

    def end_series(self) -> None:
        row = self.chosen()
        if row is None:
            return
        if self.ends.currentData() != ON_DAY:  # (the day it ends on is asked for first)
            self.ends.setCurrentIndex(self.ends.findData(ON_DAY))
            self.ends_on.setFocus()
            return
        last: date | None = self.ends_on.typed_date()
        if last is None:
            self._say(self.ends_on.problem(tr("Ends")))
            return
        self.ops.write(visits.end, row.id, last, expected_version=row.version, on_error=self._say)

    def invoice_month(self) -> QDialog:
        dialog = MonthDialog(self.ops, self.client_id, self)
        dialog.invoice_draft_made.connect(self.invoice_draft_made)
        dialog.invoice_draft_made.connect(lambda _draft: self.accept())  # (on to the invoice)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.month_dialog = dialog
        return dialog


class MonthDialog(SmallForm):
    """Which month's visits to invoice (any day of it)."""

    invoice_draft_made = Signal(object)

    def __init__(self, ops: Ops, client_id: int, parent: QWidget | None = None):
        super().__init__(
            tr("Invoice a month of visits"), self.save, parent, action=QDialogButtonBox.StandardButton.Ok
        )
        self.ops, self.client_id = ops, client_id
        today = ops.ctx.today()
        self.day = DateField(today.replace(day=1) - timedelta(days=1))  # (last month's, by default)
        self.form.addRow(tr("A day of the month"), self.day)

    def save(self) -> None:
        if self.refuses_a_day((self.day, tr("A day of the month"))):
            return
        self.ops.write(
            work_billing.invoice_visits,
            self.client_id,
            self.day.typed_date(),
            on_done=self._made,
            on_error=self.say,
        )

    def _made(self, document) -> None:
        self.invoice_draft_made.emit(document)
        self.accept()
