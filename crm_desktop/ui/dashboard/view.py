"""The dashboard (Ctrl+0), the view the window opens on: new leads and how soon they were answered, the
share of deals won, deals won and lost, revenue against the same period last year (and the plan), the
weighted pipeline, what clients owe and how much of it is late, late work, the team's load this week and
the overdue tasks — for the period chosen, and for a manager or an administrator, for a team or a person.
Each tile opens the list or report behind it. After a save only the figures it may change are counted
again (services/dashboard.affected), off the window's thread."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import dashboard, reports
from crm_desktop.services.context import Changes
from crm_desktop.services.reports import ReportQuery, ratio
from crm_desktop.ui.company_watch import CompanyWatch
from crm_desktop.ui.dashboard.period_bar import PeriodBar
from crm_desktop.ui.dashboard.tiles import Tile, amounts_text, count_text, percent_text
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown

if TYPE_CHECKING:
    from crm_desktop.ui.dashboard.charts import Charts

TILE_WIDTH = 220  # a tile's room: the columns are as many as the window's width holds
ALL_TABLES = frozenset().union(
    *(tables for _, tables in dashboard.FIGURES.values()),
    *(reports.REPORTS[name].tables for name in dashboard.CHARTS),
)


LEADS, FUNNEL, REVENUE = "report:lead_sources", "report:funnel", "report:revenue_by_month"
OPEN_DEALS, UNPAID, LATE = "deals:open", "invoices:unpaid", "jobs:late"


def tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


def tiles() -> list[tuple[str, str, str, str]]:
    """(key, title, what it counts and opens, where a click goes) of each tile, in reading order."""
    return [
        ("leads", tr("New leads"), tr("Clients added in the period. Opens where leads came from."), LEADS),
        (
            "conversion",
            tr("Conversion"),
            tr("Deals won of those closed in the period. Opens the funnel."),
            FUNNEL,
        ),
        ("won", tr("Deals won"), tr("Opens the deals won."), "deals:won"),
        ("lost", tr("Deals lost"), tr("Opens why deals were lost."), "report:lost_reasons"),
        (
            "revenue",
            tr("Revenue"),
            tr("Invoiced before tax less credit notes. Opens the revenue by month."),
            REVENUE,
        ),
        (
            "pipeline",
            tr("Weighted pipeline"),
            tr("Open deals times their stage's probability. Opens them."),
            OPEN_DEALS,
        ),
        (
            "receivables",
            tr("Receivables"),
            tr("What clients owe on issued invoices. Opens the unpaid ones."),
            UNPAID,
        ),
        (
            "late",
            tr("Late work"),
            tr("Jobs and stages expected to end after their planned day. Opens them."),
            LATE,
        ),
        (
            "load",
            tr("Team load this week"),
            tr("Hours planned this week against the people's hours."),
            "workload",
        ),
        ("overdue", tr("Overdue tasks"), tr("Open tasks past their time. Opens the tasks."), "tasks:overdue"),
    ]


class DashboardView(QWidget):
    open_requested = Signal(str, object)  # where (tiles()' last field), the ReportQuery shown
    figures_shown = Signal()  # figures arrived and are on the tiles

    def __init__(
        self,
        ops: Ops,
        settings: QSettings,
        company: CompanyWatch | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.company = company or CompanyWatch(ops, self)
        self.seen: dict[str, Any] = {}
        self.shown_query: ReportQuery | None = None
        self._generation = 0
        self._asked: dict[str, int] = {}  # the reload each figure was last asked in
        self._answered: dict[str, int] = {}  # the reload each figure shown answers
        self.answers = 0  # how many times every tile was up to date (benchmarks)
        self._charts_for: ReportQuery | None = None
        self._charts_wanted: set[str] = set()  # charts a change made out of date, drawn after the tiles
        self._chart_generation = self._charts_answered = 0
        self.bar = PeriodBar(ops, settings, "dashboard")
        self.bar.changed.connect(self.reload)
        self.tiles: dict[str, Tile] = {}
        self.targets: dict[str, str] = {}
        for key, title, tip, target in tiles():
            tile = self.tiles[key] = Tile(title, tip)
            self.targets[key] = target
            tile.clicked.connect(lambda key=key: self._open(key))
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        self._columns = 0
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.grid)
        column.addSpacing(12)
        self.charts: Charts | None = None  # made once the tiles are shown (Qt Charts takes a moment to load)
        self._content = column
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addWidget(self.bar)
        layout.addWidget(self.scroll, 1)
        self._flow(4)
        WhenShown(self, ops, ALL_TABLES, self._changed)
        self.company.arrived.connect(lambda _profile: self._show(self.seen))

    # --- the page's contract with the window ---

    def start(self) -> None:
        self.bar.start()
        self.company.start()
        self.reload()

    @property
    def ready(self) -> bool:
        """Every tile shows the answer to the last reload (tests, screenshots, benchmarks)."""
        return len(self.seen) == len(dashboard.FIGURES) and all(
            self._answered.get(key) == asked for key, asked in self._asked.items()
        )

    @property
    def charts_ready(self) -> bool:
        return self.charts is not None and self._charts_answered == self._chart_generation

    def new_item(self) -> None:
        self.open_requested.emit("clients:new", self.shown_query)  # a lead came in: the commonest

    def new_item_text(self) -> str:
        return tr("New client")

    # --- loading ---

    def reload(self, only: set[str] | None = None) -> None:
        """The figures (`only` these) counted again; the two halves of them side by side on the two read
        threads, each tile shown as its half arrives."""
        query = self.bar.query()
        if query is None:
            return  # the custom days are not right yet: what is wrong is said beside them
        if query != self.shown_query:
            only = None  # another period or person: every figure
        keys = [key for key in dashboard.FIGURES if only is None or key in only]
        self._generation += 1
        generation = self._generation
        for key in keys:
            self._asked[key] = generation
        for half in dashboard.halves(keys):
            self.ops.read(
                dashboard.figures, query, half, on_done=lambda found: self._arrived(generation, query, found)
            )

    def _arrived(self, generation: int, query: ReportQuery, found: dict[str, Any]) -> None:
        fresh = {key: figure for key, figure in found.items() if self._asked.get(key) == generation}
        if not fresh:
            return  # overtaken by a later reload of the same figures
        for key in fresh:
            self._answered[key] = generation
        self.seen.update(fresh)
        self.shown_query = query
        self._show(fresh)
        if self.ready:
            self.answers += 1
            self.figures_shown.emit()
            if self._charts_for != query:
                self._charts_for, self._charts_wanted = query, set()
                self._load_charts(query, None)
            elif self._charts_wanted:
                self._load_charts(query, self._charts_wanted)
                self._charts_wanted = set()

    def _load_charts(self, query: ReportQuery, only: set[str] | None) -> None:
        self._chart_generation += 1
        generation = self._chart_generation
        self.ops.read(
            dashboard.charts,
            query,
            only,
            on_done=lambda tables: self._charts_arrived(generation, query, tables),
        )

    def _charts_arrived(self, generation: int, query: ReportQuery, tables: dict) -> None:
        if generation != self._chart_generation:
            return
        if self.charts is None:
            from crm_desktop.ui.dashboard.charts import Charts

            self.charts = Charts(self.ops, lambda: self.currency)
            self._content.insertWidget(self._content.count() - 1, self.charts)
        self.charts.show_tables(tables, query)
        self._charts_answered = generation

    def _changed(self, changes: Changes) -> None:
        keys = dashboard.affected(changes.tables)
        if keys:
            self.reload(keys)
        if self.charts is not None:  # drawn again once the tiles are (both would share the read threads)
            self._charts_wanted |= dashboard.charts_affected(changes.tables)

    def _open(self, key: str) -> None:
        if self.shown_query is not None:
            self.open_requested.emit(self.targets[key], self.shown_query)

    # --- showing ---

    def _show(self, found: dict[str, Any]) -> None:
        shows: dict[str, Callable[[Any], None]] = {
            "leads": self._leads,
            "closed": self._closed,
            "revenue": self._revenue,
            "pipeline": self._pipeline,
            "receivables": self._receivables,
            "late_work": self._late,
            "team_load": self._load,
            "overdue_tasks": self._overdue,
        }
        for key, figure in found.items():
            shows[key](figure)

    @property
    def currency(self) -> str:
        return self.company.default_currency

    def _leads(self, f: dashboard.Leads) -> None:
        if f.response_hours is None:
            detail = tr("Nobody answered yet") if f.count else ""
        else:
            detail = fill(
                ngettext(
                    "{n} answered, in {hours} h on average",
                    "{n} answered, in {hours} h on average",
                    f.answered,
                ),
                n=count_text(f.answered),
                hours=count_text(f.response_hours),
            )
        self.tiles["leads"].show_figure(count_text(f.count), detail, self._last_year(count_text(f.last_year)))

    def _closed(self, f: dashboard.Closed) -> None:
        self.tiles["conversion"].show_figure(
            percent_text(f.conversion),
            fill(tr("{won} won · {lost} lost"), won=count_text(f.won), lost=count_text(f.lost)),
            self._last_year(percent_text(f.last_year_conversion)),
        )
        self.tiles["won"].show_figure(
            count_text(f.won),
            amounts_text(f.won_value, self.currency),
            self._last_year(count_text(f.last_year_won)),
        )
        self.tiles["lost"].show_figure(count_text(f.lost), amounts_text(f.lost_value, self.currency))

    def _revenue(self, f: dashboard.Revenue) -> None:
        planned = [
            fill(
                tr("Plan {plan}: {share} reached"),
                plan=money_text(plan, code),
                share=percent_text(ratio(f.amounts.get(code, Decimal(0)), plan)),
            )
            for code, plan in f.plan.items()
        ]
        self.tiles["revenue"].show_figure(
            amounts_text(f.amounts, self.currency),
            "\n".join(planned),
            self._last_year(amounts_text(f.last_year, self.currency)),
        )

    def _pipeline(self, f: dashboard.Pipeline) -> None:
        self.tiles["pipeline"].show_figure(
            amounts_text(f.weighted, self.currency),
            fill(ngettext("{n} open deal", "{n} open deals", f.open_deals), n=count_text(f.open_deals)),
        )

    def _receivables(self, f: dashboard.Receivables) -> None:
        overdue = (
            fill(tr("Overdue: {amounts}"), amounts=amounts_text(f.overdue, self.currency).replace("\n", ", "))
            if f.overdue
            else tr("Nothing overdue")
        )
        self.tiles["receivables"].show_figure(
            amounts_text(f.owed, self.currency), overdue, warning=bool(f.overdue)
        )

    def _late(self, f: dashboard.LateWork) -> None:
        self.tiles["late"].show_figure(
            fill(ngettext("{n} job", "{n} jobs", f.jobs), n=count_text(f.jobs)),
            fill(ngettext("{n} stage late", "{n} stages late", f.stages), n=count_text(f.stages)),
            warning=bool(f.jobs or f.stages),
        )

    def _load(self, f: dashboard.TeamLoad) -> None:
        self.tiles["load"].show_figure(
            percent_text(f.percent),
            fill(
                tr("{planned} of {hours} h planned"),
                planned=count_text(f.planned),
                hours=count_text(f.capacity),
            ),
            warning=f.percent is not None and f.percent > 100,
        )

    def _overdue(self, f: dashboard.OverdueTasks) -> None:
        self.tiles["overdue"].show_figure(count_text(f.count), warning=bool(f.count))

    def _last_year(self, text: str) -> str:
        return fill(tr("Same period last year: {figure}"), figure=text.replace("\n", ", "))

    # --- the tiles' columns follow the width ---

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._flow(
            max(2, min(5, (self.width() - 24 - 20 + 12) // (TILE_WIDTH + 12)))
        )  # (margins, a scroll bar)

    def _flow(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for i, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, i // columns, i % columns)
        for c in range(5):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
