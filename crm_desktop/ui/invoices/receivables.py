"""Who owes what, for how long: unpaid invoices per client and currency, in ageing buckets."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import payments
from crm_desktop.services.payments import AGEING, Receivable
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops


class ReceivablesDialog(QDialog):
    client_chosen = Signal(str)  # a client's name: the list shows their invoices

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.rows: list[Receivable] = []
        self.setWindowTitle(self.tr("Receivables"))
        self.resize(980, 460)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setSortingEnabled(False)
        self.table.setHeaderLabels(
            [
                self.tr("Client"),
                self.tr("Invoices"),
                self.tr("Current"),
                self.tr("1–30 days"),
                self.tr("31–60 days"),
                self.tr("61–90 days"),
                self.tr("Over 90 days"),
                self.tr("Total due"),
            ]
        )
        self.table.setColumnWidth(0, 220)
        for column in range(1, self.table.columnCount()):  # amounts line up on the right, headers with them
            self.table.headerItem().setTextAlignment(
                column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        self.table.itemActivated.connect(self._activated)
        self.note = QLabel(
            self.tr(
                "Days past the due date. Clients in red owe money more than 60 days overdue. Amounts "
                "in different currencies are listed and totalled apart. Double-click a client to see "
                "their invoices."
            )
        )
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        ops.read(payments.receivables, on_done=self._loaded)

    def _loaded(self, rows: list[Receivable]) -> None:
        self.rows = rows
        self.table.clear()
        for r in rows:
            cells = [
                r.client_name,
                str(r.invoices),
                *(money_text(r.buckets[b], r.currency) if r.buckets[b] else "" for b in AGEING),
                money_text(r.total, r.currency),
            ]
            item = QTreeWidgetItem(cells)
            for column in range(1, len(cells)):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if r.buckets["61-90"] or r.buckets["90+"]:
                item.setForeground(0, Qt.GlobalColor.darkRed)
            self.table.addTopLevelItem(item)
        for total in _totals(rows):  # one line per currency: amounts in two currencies never add up
            self.table.addTopLevelItem(total)
        for column in range(1, self.table.columnCount()):
            self.table.resizeColumnToContents(column)
        if not rows:
            self.note.setText(self.tr("Nobody owes anything: every issued invoice is paid."))

    def _activated(self, item: QTreeWidgetItem) -> None:
        if item.data(0, Qt.ItemDataRole.UserRole) == "total":
            return
        self.client_chosen.emit(item.text(0))
        self.accept()


def _totals(rows: list[Receivable]) -> list[QTreeWidgetItem]:
    by_currency: dict[str, list[Receivable]] = {}
    for r in rows:
        by_currency.setdefault(r.currency, []).append(r)
    items = []
    for code, group in sorted(by_currency.items()):
        buckets = {b: sum((r.buckets[b] for r in group), Decimal(0)) for b in AGEING}
        cells = [
            fill(QCoreApplication.translate("ReceivablesDialog", "Total {currency}"), currency=code),
            str(sum(r.invoices for r in group)),
            *(money_text(buckets[b], code) if buckets[b] else "" for b in AGEING),
            money_text(sum((r.total for r in group), Decimal(0)), code),
        ]
        item = QTreeWidgetItem(cells)
        item.setData(0, Qt.ItemDataRole.UserRole, "total")
        bold = item.font(0)
        bold.setBold(True)
        for column in range(len(cells)):
            item.setFont(column, bold)
            if column:
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        items.append(item)
    return items
