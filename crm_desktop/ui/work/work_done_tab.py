"""A job's time and costs (a tab of its window): per stage the hours planned against spent, the time
entered on it, its materials and expenses, its own rate (by the hour, or a fixed price), and "Invoice
work done" — the draft of what is billable and not invoiced yet."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services import acts, jobs, time_tracking, work_billing
from crm_desktop.services.jobs import JobDetail
from crm_desktop.services.time_tracking import Choice, StageHours, TimeEntryRow
from crm_desktop.services.work_billing import MaterialRow, RateRow
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.small_form import SmallForm
from crm_desktop.ui.time_clock import clock_text
from crm_desktop.ui.time_sheet import TimeEntryDialog
from crm_desktop.ui.work.trees import fit, tree
from crm_desktop.ui.workload.grid import hours_text

TABLES = frozenset({"time_entries", "job_materials", "rates", "documents"})


def tr(text: str) -> str:
    return QCoreApplication.translate("WorkDone", text)


def billed_word(billable: bool, invoice_id: int | None) -> str:
    return tr("Invoiced") if invoice_id else tr("Billable") if billable else tr("Not billed")


class WorkDoneTab(QWidget):
    invoice_draft_made = Signal(object)
    act_made = Signal(int)  # the id of its PDF among the job's files: the window opens it

    def __init__(self, ops: Ops, job_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.job_id = ops, job_id
        self.detail: JobDetail | None = None
        self.materials_rows: list[MaterialRow] = []
        self.job_rates: list[RateRow] = []
        self.dialog: QDialog | None = None
        self.hours = tree(tr("Stage"), tr("Planned, h"), tr("Spent, h"))
        self.entries = tree(tr("Day"), tr("Person"), tr("On"), tr("Time"), tr("Billed"))
        self.materials = tree(tr("Day"), tr("Material or expense"), tr("Quantity"), tr("Price"), tr("Billed"))
        self.rate = QLabel()
        buttons = QHBoxLayout()
        for text, slot in (
            (tr("Add time…"), self.add_time),
            (tr("Add material…"), self.add_material),
            (tr("Remove material"), self.remove_material),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.rate_button = QPushButton(tr("Job's rate…"))
        self.rate_button.clicked.connect(self.edit_rate)
        self.rate_button.setVisible(ops.ctx.actor.role in ("admin", "manager"))
        buttons.addWidget(self.rate_button)
        buttons.addStretch(1)
        buttons.addWidget(self.rate)
        self.invoice_button = QPushButton(tr("Invoice work done"))
        self.invoice_button.setToolTip(
            tr("A draft invoice of the billable time and materials not invoiced yet")
        )
        self.invoice_button.clicked.connect(self.invoice)
        self.act_button = QPushButton(tr("Act of work done…"))
        self.act_button.setToolTip(tr("The completion document of a period's work, for both parties to sign"))
        self.act_button.clicked.connect(self.make_act)
        buttons.addWidget(self.act_button)
        buttons.addWidget(self.invoice_button)
        split = QSplitter()
        split.addWidget(self.hours)
        split.addWidget(self.entries)
        split.addWidget(self.materials)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

    def show_job(self, detail: JobDetail) -> None:
        self.detail = detail
        me = self.ops.ctx.actor
        bills = jobs.plans(me, detail.responsible_id)
        self.invoice_button.setVisible(bills)
        self.act_button.setVisible(bills)
        self.reload()

    def reload(self) -> None:
        quiet = {"on_error": lambda _e: None}  # (the window says once that the job is gone)
        self.ops.read(time_tracking.job_hours, self.job_id, on_done=self._hours_arrived, **quiet)
        self.ops.read(time_tracking.entries, job_id=self.job_id, on_done=self._entries_arrived, **quiet)
        self.ops.read(work_billing.materials, self.job_id, on_done=self._materials_arrived, **quiet)
        self.ops.read(work_billing.rates, job_id=self.job_id, on_done=self._rates_arrived, **quiet)

    def _hours_arrived(self, rows: list[StageHours]) -> None:
        self.hours.clear()
        for h in rows:
            item = QTreeWidgetItem(
                [h.name or tr("(the job as a whole)"), hours_text(h.planned), hours_text(h.actual)]
            )
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.hours.addTopLevelItem(item)
        fit(self.hours)

    def _entries_arrived(self, rows: list[TimeEntryRow]) -> None:
        self.entries.clear()
        for e in rows:
            time = tr("running") if e.running else clock_text(e.minutes)
            item = QTreeWidgetItem(
                [
                    day_text(e.day),
                    e.user_name,
                    e.stage_name or e.task_title,
                    time,
                    billed_word(e.billable, e.invoice_id),
                ]
            )
            self.entries.addTopLevelItem(item)
        fit(self.entries)

    def _materials_arrived(self, rows: list[MaterialRow]) -> None:
        self.materials_rows = rows
        self.materials.clear()
        for m in rows:
            quantity = f"{i18n.number_text(m.quantity.normalize())} {m.unit}".strip()
            item = QTreeWidgetItem(
                [
                    day_text(m.day),
                    m.description,
                    quantity,
                    i18n.number_text(m.unit_price.normalize()),
                    billed_word(m.billable, m.invoice_id),
                ]
            )
            self.materials.addTopLevelItem(item)
        fit(self.materials)

    def _rates_arrived(self, rows: list[RateRow]) -> None:
        self.job_rates = rows
        words = []
        for r in rows:
            amount = i18n.number_text(r.amount.normalize())
            said = (
                tr("Fixed price {amount} {currency}")
                if r.kind == "fixed"
                else tr("{amount} {currency} an hour")
            )
            words.append(fill(said, amount=amount, currency=r.currency))
        self.rate.setText(", ".join(words))

    def add_time(self) -> QDialog:
        choices = [
            Choice(fill(tr("Stage {name}"), name=g.name), self.job_id, g.id)
            for g in (self.detail.stages if self.detail else [])
        ]
        dialog = TimeEntryDialog(
            self.ops,
            self.ops.ctx.actor.user_id,
            None,
            self.ops.ctx.today(),
            self,
            choices=[Choice(tr("The job as a whole"), self.job_id), *choices],
        )
        return self._open(dialog)

    def add_material(self) -> QDialog:
        return self._open(MaterialDialog(self.ops, self.job_id, self))

    def remove_material(self) -> None:
        item = self.materials.currentItem()
        row = self.materials.indexOfTopLevelItem(item) if item is not None else -1
        if 0 <= row < len(self.materials_rows):
            self.ops.write(work_billing.remove_material, self.materials_rows[row].id)

    def edit_rate(self) -> QDialog:
        currency = self.detail.currency if self.detail else ""
        return self._open(JobRateDialog(self.ops, self.job_id, currency, self))

    def make_act(self) -> QDialog:
        started = self.detail.started_at if self.detail and self.detail.started_at else None
        first = started.astimezone(self.ops.ctx.zone()).date() if started else self.ops.ctx.today()
        return self._open(ActDialog(self.ops, self.job_id, first, self))

    def invoice(self) -> None:
        self.ops.write(work_billing.invoice_work_done, self.job_id, on_done=self.invoice_draft_made.emit)

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog


class MaterialDialog(SmallForm):
    def __init__(self, ops: Ops, job_id: int, parent: QWidget | None = None):
        super().__init__(tr("Add a material or an expense"), self.save, parent)
        self.ops, self.job_id = ops, job_id
        self.description = QLineEdit()
        self.quantity = QLineEdit("1")
        self.unit = QLineEdit()
        self.unit.setPlaceholderText(tr("pcs, m, kg…"))
        self.price = QLineEdit()
        self.billable = QCheckBox(tr("Billable"))
        self.billable.setChecked(True)
        self.form.addRow(tr("Description"), self.description)
        self.form.addRow(tr("Quantity"), self.quantity)
        self.form.addRow(tr("Unit"), self.unit)
        self.form.addRow(tr("Unit price"), self.price)
        self.form.addRow("", self.billable)

    def save(self) -> None:
        self.ops.write(
            work_billing.add_material,
            self.job_id,
            description=self.description.text(),
            quantity=self.quantity.text(),
            unit=self.unit.text(),
            unit_price=self.price.text() or "0",
            billable=self.billable.isChecked(),
            on_done=lambda _row: self.accept(),
            on_error=self.say,
        )


class JobRateDialog(SmallForm):
    def __init__(self, ops: Ops, job_id: int, currency: str, parent: QWidget | None = None):
        super().__init__(tr("The job's rate"), self.save, parent)
        self.ops, self.job_id, self.currency = ops, job_id, currency
        self.kind = QComboBox()
        names = {"hourly": tr("By the hour, for everyone's time"), "fixed": tr("A fixed price, billed once")}
        for kind in work_billing.RATE_KINDS:
            self.kind.addItem(names[kind], kind)
        self.amount = QLineEdit()
        self.form.addRow(tr("Billed"), self.kind)
        self.form.addRow(tr("Amount"), self.amount)

    def save(self) -> None:
        self.ops.write(
            work_billing.set_rate,
            job_id=self.job_id,
            kind=self.kind.currentData(),
            amount=self.amount.text(),
            currency=self.currency,
            on_done=lambda _row: self.accept(),
            on_error=self.say,
        )


class ActDialog(SmallForm):
    """The period an act of work done covers; Save issues it (numbered) and opens its PDF."""

    def __init__(self, ops: Ops, job_id: int, first: date, parent: WorkDoneTab):
        super().__init__(tr("Act of work done"), self.save, parent)
        self.ops, self.job_id, self.tab = ops, job_id, parent
        self.first = DateField(first)
        self.last = DateField(ops.ctx.today())
        self.form.addRow(tr("Work from"), self.first)
        self.form.addRow(tr("to"), self.last)
        self.form.addRow(
            "", QLabel(tr("Issued, it is numbered and kept as it is; its PDF goes to the job's files."))
        )

    def save(self) -> None:
        if self.refuses_a_day((self.first, tr("Work from")), (self.last, tr("to"))):
            return
        self.ops.write(
            acts.issue,
            self.job_id,
            self.first.typed_date(),
            self.last.typed_date(),
            on_done=self._issued,
            on_error=self.say,
        )

    def _issued(self, act) -> None:
        if act.file_id is not None:
            self.tab.act_made.emit(act.file_id)
        self.accept()
