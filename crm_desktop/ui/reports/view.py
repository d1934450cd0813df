"""Reports (Ctrl+7): the list of reports on one side, the chosen one's table on the other — for the period
and the people chosen, sortable by its headings, narrowed by a filter text, with its totals per currency —
exported as CSV, XLSX or PDF, or printed. Choosing a report (or other filters) is written to the audit
log; a change to what it counts brings it up to date while it is shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import Message, fill
from crm_desktop.services import reports
from crm_desktop.services.context import Changes
from crm_desktop.services.reports import ReportQuery, ReportTable
from crm_desktop.ui.dashboard.period_bar import PeriodBar, span_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.reports import printout
from crm_desktop.ui.reports.model import ReportModel

GROUPS = (
    ("funnel", "stuck_deals", "lost_reasons", "lead_sources", "pipeline_forecast", "activity_by_person"),
    ("revenue_by_month", "revenue_by_client", "revenue_by_manager", "revenue_by_source", "revenue_by_service",
     "receivables_ageing", "payments", "plan_vs_actual"),
    ("tasks_by_person", "jobs_by_template", "jobs_by_person", "hours_by_job"),
)  # fmt: skip
FIRST = "revenue_by_month"
ALL_TABLES = frozenset().union(*(spec.tables for spec in reports.REPORTS.values()))


def tr(text: str) -> str:
    return QCoreApplication.translate("Reports", text)


def group_names() -> tuple[str, ...]:
    return (tr("Sales"), tr("Money"), tr("Work and time"))


class ReportsView(QWidget):
    new_client_requested = Signal()  # Ctrl+N here: a lead that calls while the figures are read

    def __init__(self, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.table: ReportTable | None = None
        self.query: ReportQuery | None = None
        self._generation = self._answered = 0
        self.choice = QListWidget()
        self.choice.setObjectName("report_list")
        for title, names in zip(group_names(), GROUPS, strict=True):
            heading = QListWidgetItem(title)
            heading.setFlags(Qt.ItemFlag.NoItemFlags)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setSizeHint(QSize(0, 30))
            self.choice.addItem(heading)
            for name in names:
                if name not in reports.REPORTS:
                    continue
                spec = reports.REPORTS[name]
                item = QListWidgetItem(Message(spec.title).render())
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setToolTip(Message(spec.about).render())
                item.setSizeHint(QSize(0, 26))
                self.choice.addItem(item)
        self.bar = PeriodBar(ops, settings, "reports")
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setEnabled(False)
        self.days = QSpinBox()
        self.days.setRange(1, 3650)
        self.days.setValue(reports.STUCK_DAYS)
        self.days.setSuffix(tr(" days"))
        self.days.setToolTip(
            tr("A deal longer than this in one stage is stuck (unless its stage has its own limit)")
        )
        self.days_label = QLabel(tr("Stuck after"))
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(tr("Filter the rows…"))
        self.filter.setClearButtonEnabled(True)
        self.export_button = QPushButton(tr("Export…"))
        self.export_button.setToolTip(tr("The report as shown, as a CSV, XLSX or PDF file"))
        self.print_button = QPushButton(tr("Print…"))
        self.model = ReportModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(tr("Nothing to count for this period."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.empty.hide()
        self.currencies = QLabel(
            tr("Amounts in different currencies are totalled apart, never added together.")
        )
        self.currencies.setEnabled(False)
        self.currencies.hide()
        self.more = QLabel()
        self.more.setEnabled(False)
        self.more.hide()

        tools = QHBoxLayout()
        tools.addWidget(self.days_label)
        tools.addWidget(self.days)
        tools.addWidget(self.filter, 1)
        if ops.ctx.actor.can_export:  # taking figures out is a right of its own
            tools.addWidget(self.export_button)
            tools.addWidget(self.print_button)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.bar)
        column.addWidget(self.about)
        column.addLayout(tools)
        column.addWidget(self.view, 1)
        column.addWidget(self.empty, 1)
        column.addWidget(self.more)
        column.addWidget(self.currencies)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.choice)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([250, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addWidget(self.splitter)

        wanted = settings.value("reports/report", FIRST)
        self._select(wanted if wanted in reports.REPORTS else FIRST)
        self.choice.currentItemChanged.connect(lambda _now, _before: self.generate())
        self.bar.changed.connect(self.generate)
        self.days.editingFinished.connect(self.generate)
        self.filter.textChanged.connect(self._filter)
        self.export_button.clicked.connect(self.choose_export_file)
        self.print_button.clicked.connect(self.print_report)
        WhenShown(self, ops, ALL_TABLES, self._changed)

    # --- the page's contract with the window ---

    def start(self) -> None:
        self.bar.start()
        if self.isVisible():
            self.generate()

    def showEvent(self, event: QShowEvent) -> None:
        # Made by the window's start or looked for by a test, it computes nothing until someone looks at it:
        # a report is generated (and that is audited) when it is seen.
        super().showEvent(event)
        if self.table is None and self._generation == 0:
            self.generate()

    @property
    def ready(self) -> bool:
        return self._answered == self._generation

    def new_item(self) -> None:
        self.new_client_requested.emit()

    def new_item_text(self) -> str:
        return tr("New client")

    @property
    def search(self) -> QLineEdit:
        return self.filter  # Ctrl+F

    # --- choosing and computing ---

    def name(self) -> str:
        item = self.choice.currentItem()
        return (item.data(Qt.ItemDataRole.UserRole) if item is not None else None) or FIRST

    def _select(self, name: str) -> None:
        for row in range(self.choice.count()):
            if self.choice.item(row).data(Qt.ItemDataRole.UserRole) == name:
                blocked = self.choice.blockSignals(True)
                self.choice.setCurrentRow(row)
                self.choice.blockSignals(blocked)

    def show_report(self, name: str, query: ReportQuery) -> None:
        """Open `name` for the period and people `query` counts (a dashboard tile's report)."""
        self._select(name)
        self.bar.show_query(query)
        self.generate()

    def _query(self) -> ReportQuery | None:
        query = self.bar.query()
        if query is None:
            return None
        if "days" in reports.REPORTS[self.name()].options:
            return ReportQuery(query.period, query.user_id, query.team_of, days=self.days.value())
        return query

    def generate(self) -> None:
        """The report as asked: computed and written to the audit log (who, which, with which filters)."""
        self._ask(reports.run, write=True)

    def _changed(self, changes: Changes) -> None:
        if self.table is not None and changes.tables & reports.REPORTS[self.name()].tables:
            self._ask(reports.compute, write=False)  # the same report brought up to date: not asked again

    def _ask(self, how, *, write: bool) -> None:
        name, query = self.name(), self._query()
        self.settings.setValue("reports/report", name)
        spec = reports.REPORTS[name]
        self.about.setText(Message(spec.about).render())
        shows_days = "days" in spec.options
        self.days.setVisible(shows_days)
        self.days_label.setVisible(shows_days)
        if query is None:
            return
        self._generation += 1
        generation = self._generation
        call = self.ops.write if write else self.ops.read
        call(how, name, query, on_done=lambda table: self._arrived(generation, query, table))

    def _arrived(self, generation: int, query: ReportQuery, table: ReportTable) -> None:
        if generation != self._generation:
            return
        self.table, self.query = table, query
        self.model.show(table)
        self.view.resizeColumnsToContents()
        for c in range(self.model.columnCount()):
            self.view.setColumnWidth(c, min(self.view.columnWidth(c), 320))
        self.view.setVisible(bool(table.rows))
        self.empty.setVisible(not table.rows)
        self.currencies.setVisible(len(table.currencies) > 1)
        self.more.setText(
            fill(
                tr("The first {listed} are listed, of {all}; the totals count them all."),
                listed=i18n.number_text(len(table.rows)),
                all=i18n.number_text(len(table.rows) + table.left_out),
            )
        )
        self.more.setVisible(bool(table.left_out))
        self._answered = generation

    def _filter(self, text: str) -> None:
        if self.table is not None:
            self.model.set_filter(text)

    # --- taking it out ---

    def title(self) -> str:
        return Message(reports.REPORTS[self.name()].title).render()

    def subtitle(self) -> str:
        assert self.query is not None
        whose = self.bar.whose.currentText() if self.bar.whose.isVisible() else ""
        parts = [span_text(self.query.period), whose]
        if self.model.filter:
            parts.append(fill(tr("rows with “{text}”"), text=self.filter.text().strip()))
        return " · ".join(p for p in parts if p)

    def choose_export_file(self) -> None:
        if self.table is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr("Export the report"),
            f"{self.name()}.xlsx",
            tr("Excel workbook (*.xlsx);;CSV table (*.csv);;PDF document (*.pdf)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """The report as shown (the filter's rows and their totals) into `path`: .csv, .xlsx or .pdf."""
        assert self.table is not None and self.query is not None
        shown = ReportTable(
            self.table.name, self.table.columns, self.model.rows, self.model.totals, self.table.period
        )

        def done(_result: object = None) -> None:
            said = fill(tr("The report was saved to {path}."), path=str(path))
            self.window().statusBar().showMessage(said, 10_000)

        if path.suffix.lower() == ".pdf":
            # The export right is checked and the export logged before the file is made.
            self.ops.write(
                reports.exported,
                shown,
                self.query,
                "pdf",
                on_done=lambda _none: (
                    printout.write_pdf(self.model, self.title(), self.subtitle(), path),
                    done(None),
                ),
            )
        else:
            self.ops.write(reports.table_file, shown, self.query, path, on_done=done)

    def print_report(self) -> None:
        if self.table is None or self.query is None:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printout.landscape(printer)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        shown = ReportTable(
            self.table.name, self.table.columns, self.model.rows, self.model.totals, self.table.period
        )
        self.ops.write(
            reports.exported,
            shown,
            self.query,
            "print",
            on_done=lambda _none: printout.document(self.model, self.title(), self.subtitle()).print_(
                printer
            ),
        )
