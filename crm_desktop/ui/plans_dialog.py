"""Settings → Plans… (managers and administrators): a month's plans — the office's and each person's
revenue, new deals, deals won, calls and billable hours — against what was reached so far, with the share
of each plan; set, changed or removed while the month is open; closed by an administrator once it is over,
after which it keeps its figures."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services import plans, report_scope
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.periods import month_of
from crm_desktop.services.plans import PlanRow
from crm_desktop.services.report_scope import Whose
from crm_desktop.ui.confirm import ask_to_confirm
from crm_desktop.ui.currency_choice import currency_combo
from crm_desktop.ui.dashboard.tiles import percent_text
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.small_form import SmallForm

OFFICE = -1  # the office's plan in the person combo (no person)


def tr(text: str) -> str:
    return QCoreApplication.translate("PlansDialog", text)


def figure_text(row: PlanRow, value) -> str:
    return money_text(value, row.currency) if row.currency else i18n.number_text(value.normalize())


class PlansDialog(QDialog):
    def __init__(self, ops: Ops, currency: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.currency = ops, currency  # (the office's: a new revenue plan's)
        self.month = month_of(ops.ctx.today()).first
        self.rows: list[PlanRow] = []
        self.people: list[Whose] = []
        self.form: PlanForm | None = None
        self.setWindowTitle(tr("Plans"))
        self.back = QToolButton(text="◀")
        self.back.setToolTip(tr("The month before"))
        self.on = QToolButton(text="▶")
        self.on.setToolTip(tr("The month after"))
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            self.back.setText("▶")
            self.on.setText("◀")
        self.back.clicked.connect(lambda: self.show_month(month_of(self.month - timedelta(days=1)).first))
        self.on.clicked.connect(lambda: self.show_month(month_of(self.month + timedelta(days=31)).first))
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.state = QLabel()
        self.state.setEnabled(False)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [tr("Whose"), tr("Figure"), tr("Plan"), tr("Reached"), tr("Of plan")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.problem = error_label("plans_problem")
        self.add_button = QPushButton(tr("Set a plan…"))
        self.add_button.clicked.connect(lambda: self.edit(new=True))
        self.edit_button = QPushButton(tr("Change…"))
        self.edit_button.clicked.connect(lambda: self.edit())
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.clicked.connect(self.remove)
        self.close_month_button = QPushButton(tr("Close the month"))
        self.close_month_button.setToolTip(
            tr("Its plans keep the figures they reached; nothing changes them after")
        )
        self.close_month_button.clicked.connect(self.close_month)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        for widget in (self.back, self.title, self.on):
            top.addWidget(widget)
        top.addWidget(self.state, 1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        if ops.ctx.actor.is_admin:
            buttons.addWidget(self.close_month_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.resize(760, 460)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        ops.read(report_scope.choices, on_done=lambda found: setattr(self, "people", found))
        self.show_month(self.month)

    @property
    def closed(self) -> bool:
        return any(r.closed for r in self.rows)

    def show_month(self, month: date) -> None:
        self.month = month
        self.title.setText(i18n.month_text(month))
        show_error(self.problem, "")
        self.ops.read(plans.month_plans, month, on_done=lambda rows, month=month: self._arrived(month, rows))

    def _arrived(self, month: date, rows: list[PlanRow]) -> None:
        if month != self.month:
            return
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = (
                row.person or tr("The office"),
                plans.metric_name(row.metric).render(),
                figure_text(row, row.target),
                figure_text(row, row.actual),
                percent_text(row.percent),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        over = month_of(month).last < self.ops.ctx.today()
        self.state.setText(
            tr("Closed: the figures as they were when it closed")
            if self.closed
            else tr("Over: an administrator may close it")
            if over and rows
            else ""
        )
        self._update_buttons()

    def selected(self) -> PlanRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        open_month = not self.closed
        self.add_button.setEnabled(open_month)
        self.edit_button.setEnabled(open_month and self.selected() is not None)
        self.remove_button.setEnabled(open_month and self.selected() is not None)
        over = month_of(self.month).last < self.ops.ctx.today()
        self.close_month_button.setEnabled(over and open_month and bool(self.rows))

    def edit(self, *, new: bool = False) -> None:
        if self.closed:
            return
        row = None if new else self.selected()
        if not new and row is None:
            return
        self.form = PlanForm(self.ops, self.month, self.people, row, self.currency, self)
        self.form.accepted.connect(lambda: self.show_month(self.month))
        self.form.open()

    def remove(self) -> None:
        row = self.selected()
        if row is None:
            return
        question = fill(
            tr("Remove the plan of {figure} for {whose}?"),
            figure=plans.metric_name(row.metric).render(),
            whose=row.person or tr("the office"),
        )

        def removed() -> None:
            self.ops.write(
                plans.remove_plan,
                row.id,
                expected_version=row.version,
                on_done=lambda _none: self.show_month(self.month),
                on_error=lambda error: show_error(self.problem, error.message),
            )

        ask_to_confirm(self, tr("Remove the plan"), question, tr("Remove"), removed)

    def close_month(self) -> None:
        question = fill(
            tr("Close {month}? Its plans keep the figures reached now; they cannot be changed afterwards."),
            month=i18n.month_text(self.month),
        )

        def closed() -> None:
            self.ops.write(
                plans.close_month,
                self.month,
                on_done=lambda _n: self.show_month(self.month),
                on_error=lambda error: show_error(self.problem, error.message),
            )

        ask_to_confirm(self, tr("Close the month"), question, tr("Close the month"), closed)


class PlanForm(SmallForm):
    """A plan set or changed: whose (the office's or a person's), which figure, how much."""

    def __init__(
        self,
        ops: Ops,
        month: date,
        people: list[Whose],
        row: PlanRow | None,
        currency: str,
        parent: QWidget | None = None,
    ):
        super().__init__(fill(tr("Plan for {month}"), month=i18n.month_text(month)), self.save, parent)
        self.ops, self.month = ops, month
        self.whose = QComboBox()
        self.whose.addItem(tr("The office"), OFFICE)
        for person in people:
            if person.user_id is not None:
                self.whose.addItem(person.name, person.user_id)
        self.figure = QComboBox()
        for metric in plans.METRICS:
            self.figure.addItem(plans.metric_name(metric).render(), metric)
        self.target = QLineEdit()
        self.target.setPlaceholderText(tr("How much, in the month"))
        self.currency = currency_combo(row.currency if row is not None and row.currency else currency)
        self.form.addRow(tr("Whose"), self.whose)
        self.form.addRow(tr("Figure"), self.figure)
        self.form.addRow(tr("Plan"), self.target)
        self.form.addRow(tr("Currency"), self.currency)
        if row is not None:
            self.whose.setCurrentIndex(max(0, self.whose.findData(row.user_id if row.user_id else OFFICE)))
            self.figure.setCurrentIndex(max(0, self.figure.findData(row.metric)))
            self.target.setText(i18n.number_text(row.target.normalize()))
            self.whose.setEnabled(False)
            self.figure.setEnabled(False)
        self.figure.currentIndexChanged.connect(self._show_currency)
        self._show_currency()

    def _show_currency(self) -> None:
        self.form.setRowVisible(self.currency, self.figure.currentData() == "revenue")

    def save(self) -> None:
        whose = self.whose.currentData()
        self.ops.write(
            plans.set_plan,
            month=self.month,
            metric=self.figure.currentData(),
            target=self.target.text(),
            user_id=None if whose == OFFICE else whose,
            currency=self.currency.currentData(),
            on_done=lambda _row: self.accept(),
            on_error=self._refused,
        )

    def _refused(self, error: ServiceError) -> None:
        self.say(error)
