"""A list page — a search field over a lazily loaded, sortable table — and the Deals list built on it.

A page is configured with its columns and the service calls that fill it (a PageSpec).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services import deals
from crm_desktop.services.context import Changes
from crm_desktop.services.deals import DealFilter
from crm_desktop.services.money import format_money
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.list_table import ListTable
from crm_desktop.ui.ops import Ops

SEARCH_DELAY_MS = 150  # typing pauses shorter than this do not start a query


def tr(text: str) -> str:
    return QCoreApplication.translate("Pages", text)



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


def deals_spec() -> PageSpec:
    names = status_names()
    label = lambda key: names.get(key, key)  # noqa: E731
    return PageSpec(
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
    )


class ListPage(QWidget):
    def __init__(self, spec: PageSpec, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec, self.ops, self.settings = spec, ops, settings
        self.search = QLineEdit()
        self.search.setPlaceholderText(spec.placeholder)
        self.search.setClearButtonEnabled(True)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.model = LazyTableModel(ops, spec.columns, spec.fetch, spec.count, query="", sort=spec.sort,
                                    descending=spec.descending, highlight=spec.highlight, parent=self)
        self.table = ListTable(self.model, settings, f"columns/{spec.key}")
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
