"""The four lists of the main window: clients, deals, open tasks and invoices.

Each page is the same widget — a search field over a lazily loaded table — configured with its
columns and the service calls that fill it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services import clients, deals, invoices, tasks
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.context import Changes
from crm_desktop.services.deals import DealFilter
from crm_desktop.services.invoices import DocumentFilter
from crm_desktop.services.money import format_money
from crm_desktop.services.tasks import TaskFilter
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.windowed_model import WindowedTableModel

SEARCH_DELAY_MS = 150  # typing pauses shorter than this do not start a query


def tr(text: str) -> str:
    return QCoreApplication.translate("Pages", text)


def local_time(when: datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else ""


def a_date(day: date | None) -> str:
    return day.isoformat() if day else ""


def status_names() -> dict[str, str]:
    return {
        "lead": tr("Lead"), "prospect": tr("Prospect"), "customer": tr("Customer"), "inactive": tr("Inactive"),
        "open": tr("Open"), "won": tr("Won"), "lost": tr("Lost"), "done": tr("Done"), "cancelled": tr("Cancelled"),
        "draft": tr("Draft"), "issued": tr("Issued"), "partly_paid": tr("Partly paid"), "paid": tr("Paid"),
        "accepted": tr("Accepted"), "rejected": tr("Rejected"), "low": tr("Low"), "normal": tr("Normal"),
        "high": tr("High"),
    }


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    placeholder: str
    tables: frozenset[str]  # refresh when a service changed one of these
    columns: list[Column]
    fetch: Callable[..., list[Any]]
    count: Callable[..., int]
    sort: str
    descending: bool = False
    highlight: Callable[[Any], Any] | None = None
    empty_text: str = ""
    # Lists that can hold a million rows load only what is seen (the scroll bar spans them all).
    windowed: bool = False


def page_specs() -> list[PageSpec]:
    names = status_names()
    label = lambda key: names.get(key, key)
    overdue = QBrush(QColor("#b91c1c"))
    return [
        PageSpec(
            "clients", tr("Clients"), tr("Search by name, phone digits or email…"),
            frozenset({"clients", "users"}),
            [Column(tr("Name"), lambda c: c.name, "name", width=230),
             Column(tr("Status"), lambda c: label(c.status), "status", width=90),
             Column(tr("Phones"), lambda c: ", ".join(c.phones), width=160, left_to_right=True),
             Column(tr("Emails"), lambda c: ", ".join(c.emails), width=220, left_to_right=True),
             Column(tr("Source"), lambda c: c.source, "source", width=100),
             Column(tr("Owner"), lambda c: c.owner_name)],
            lambda ctx, q, sort, desc, offset, limit: clients.list_clients(
                ctx, ClientFilter(search=q), sort=sort, descending=desc, offset=offset, limit=limit),
            lambda ctx, q: clients.count(ctx, ClientFilter(search=q)),
            sort="name", empty_text=tr("No clients yet."), windowed=True,
        ),
        PageSpec(
            "deals", tr("Deals"), tr("Search by deal title or client…"),
            frozenset({"deals", "clients", "stages", "users"}),
            [Column(tr("Deal"), lambda d: d.title, "title", width=190),
             Column(tr("Client"), lambda d: d.client_name, width=170),
             Column(tr("Stage"), lambda d: d.stage_name, "stage", width=100),
             Column(tr("Amount"), lambda d: format_money(d.amount, d.currency), "amount", align_right=True, width=150),
             Column(tr("Expected close"), lambda d: a_date(d.expected_close), "expected_close", width=110),
             Column(tr("Outcome"), lambda d: label(d.outcome), width=80),
             Column(tr("Owner"), lambda d: d.owner_name)],
            lambda ctx, q, sort, desc, offset, limit: deals.list_deals(
                ctx, DealFilter(search=q), sort=sort, descending=desc, offset=offset, limit=limit),
            lambda ctx, q: deals.count_deals(ctx, DealFilter(search=q)),
            sort="updated", descending=True, empty_text=tr("No deals yet."),
        ),
        PageSpec(
            "tasks", tr("Tasks"), tr("Search open tasks by title or client…"),
            frozenset({"tasks", "clients", "deals", "users"}),
            [Column(tr("Due"), lambda t: local_time(t.due_at), "due", width=130),
             Column(tr("Task"), lambda t: t.title, "title", width=220),
             Column(tr("Client"), lambda t: t.client_name, width=180),
             Column(tr("Deal"), lambda t: t.deal_title, width=170),
             Column(tr("Assignee"), lambda t: t.assignee_name),
             Column(tr("Priority"), lambda t: label(t.priority), "priority", width=80)],
            lambda ctx, q, sort, desc, offset, limit: tasks.list_tasks(
                ctx, TaskFilter(search=q), sort=sort, descending=desc, offset=offset, limit=limit),
            lambda ctx, q: tasks.count_tasks(ctx, TaskFilter(search=q)),
            sort="due", highlight=lambda t: overdue if t.overdue else None, empty_text=tr("No open tasks."),
        ),
        PageSpec(
            "invoices", tr("Invoices"), tr("Search by invoice number or client…"),
            frozenset({"documents", "clients", "payments"}),
            [Column(tr("Number"), lambda d: d.number or tr("Draft"), "number", width=130),
             Column(tr("Client"), lambda d: d.client_name, width=180),
             Column(tr("Issued"), lambda d: a_date(d.issue_date), "issue_date", width=100),
             Column(tr("Due"), lambda d: a_date(d.due_date), "due_date", width=100),
             Column(tr("Total"), lambda d: format_money(d.total, d.currency), "total", align_right=True, width=150),
             Column(tr("Balance"), lambda d: format_money(d.balance, d.currency), align_right=True, width=150),
             Column(tr("Status"), lambda d: label(d.status), "status", width=90)],
            lambda ctx, q, sort, desc, offset, limit: invoices.list_documents(
                ctx, DocumentFilter(search=q), sort=sort, descending=desc, offset=offset, limit=limit),
            lambda ctx, q: invoices.count_documents(ctx, DocumentFilter(search=q)),
            sort="issue_date", descending=True, empty_text=tr("No invoices yet."),
        ),
    ]


class ListPage(QWidget):
    def __init__(self, spec: PageSpec, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec, self.ops, self.settings = spec, ops, settings
        self.search = QLineEdit()
        self.search.setPlaceholderText(spec.placeholder)
        self.search.setClearButtonEnabled(True)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        model_class = WindowedTableModel if spec.windowed else LazyTableModel
        self.model = model_class(ops, spec.columns, spec.fetch, spec.count, query="", sort=spec.sort,
                                    descending=spec.descending, highlight=spec.highlight, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicatorShown(True)
        self._show_sort_indicator()
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(lambda *_: self._show_sort_indicator())
        self._restore_widths()
        header.sectionResized.connect(lambda *_: self._save_widths())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._debounce.timeout.connect(lambda: self.model.set_query(self.search.text()))
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.model.total_changed.connect(self._show_total)
        self._current_id: int | None = None
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.modelReset.connect(self._restore_current)
        ops.changed.connect(self._maybe_refresh)

    def start(self) -> None:
        self.model.reload()

    def _show_sort_indicator(self) -> None:
        # The arrow follows the model: a click on a column the service cannot sort by leaves the order
        # (and the arrow) alone, and a default order that is no column (deals: last changed) shows none.
        header = self.table.horizontalHeader()
        order = Qt.SortOrder.DescendingOrder if self.model.descending else Qt.SortOrder.AscendingOrder
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (self.model.sort_column, order):
            blocked = header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, order)
            header.blockSignals(blocked)
            header.viewport().update()

    def _remember_current(self) -> None:
        index = self.table.currentIndex()
        self._current_id = self.model.row(index.row()).id if index.isValid() else None

    def _restore_current(self) -> None:
        # A refresh after someone saved must not throw away the row the user was on.
        if self._current_id is None:
            return
        for i, row in enumerate(self.model.rows):
            if row.id == self._current_id:
                self.table.selectRow(i)
                return

    def _show_total(self, total: int) -> None:
        searching = bool(self.search.text().strip())
        if total == 0:
            self.summary.setText(tr("Nothing matches the search.") if searching else self.spec.empty_text)
        else:
            grouped = f"{total:,}".replace(",", "\u202f")
            self.summary.setText((tr("{total} found") if searching else tr("{total} in all")).format(total=grouped))

    def _maybe_refresh(self, changes: Changes) -> None:
        if changes.tables & self.spec.tables:
            self.model.reload()

    def _widths_key(self) -> str:
        return f"columns/{self.spec.key}"

    def _restore_widths(self) -> None:
        widths = self.settings.value(self._widths_key())
        if isinstance(widths, list) and len(widths) == len(self.spec.columns):
            for i, w in enumerate(widths):
                self.table.setColumnWidth(i, int(w))
        else:
            for i, column in enumerate(self.spec.columns):
                self.table.setColumnWidth(i, column.width)

    def _save_widths(self) -> None:
        self.settings.setValue(self._widths_key(), [self.table.columnWidth(i) for i in range(len(self.spec.columns))])
