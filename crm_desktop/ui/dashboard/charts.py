"""The dashboard's charts (Qt Charts): the funnel with the conversion from each stage to the next, revenue
by month beside the same months a year before, the pipeline by the month deals are expected to close,
tasks done and overdue per person, and hours spent on each job against its plan. Each is drawn from the
report of the same name, in the office's currency (other currencies are said, never added in), with
numbers as the language writes them; each can be saved as a PNG picture.

Qt Charts (PySide6-Addons) rather than a plotting library: it is Qt's own, draws with the window's fonts
(Arabic shaped, right to left), adds ~3 MB to the bundle where matplotlib or pyqtgraph would bring numpy
and their own text engines."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QLocale, QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services import reports
from crm_desktop.services.periods import months_from
from crm_desktop.services.reports import ReportQuery, ReportTable
from crm_desktop.ui.ops import Ops

LABEL_LENGTH = 16  # a person's or job's name under a bar: longer ones end with "…"
THIS, BEFORE, BAD = QColor("#2563eb"), QColor("#94a3b8"), QColor("#dc2626")


def tr(text: str) -> str:
    return QCoreApplication.translate("Charts", text)


def titles() -> dict[str, str]:
    return {
        "funnel": tr("Sales funnel"),
        "revenue_by_month": tr("Revenue by month"),
        "pipeline_forecast": tr("Pipeline by expected close"),
        "tasks_by_person": tr("Tasks done and overdue"),
        "hours_by_job": tr("Hours spent against the plan"),
    }


def short(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def number(value: Any) -> float:
    return float(value or 0)  # (drawn, not added up: the exact figures are the reports')


class ChartBox(QFrame):
    """One chart with its title and a button to save it as a picture."""

    def __init__(self, name: str, title: str, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.name, self.ops = name, ops
        self.table: ReportTable | None = None
        self.query: ReportQuery | None = None
        self.setObjectName("chart")
        self.setStyleSheet("QFrame#chart { background: palette(base); border: 1px solid palette(mid); }")
        self.title = QLabel(title)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.note = QLabel()
        self.note.setEnabled(False)
        self.note.setWordWrap(True)
        self.save = QToolButton(text=tr("Save as PNG…"))
        self.save.setToolTip(tr("The chart as a picture, for a presentation or a message"))
        self.save.clicked.connect(self.choose_file)
        self.view = QChartView()
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(300)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        if ops.ctx.actor.can_export:  # a picture of the figures takes them out as a file does
            top.addWidget(self.save)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 8, 10, 8)
        column.addLayout(top)
        column.addWidget(self.view, 1)
        column.addWidget(self.note)
        self.note.hide()

    def draw(self, chart: QChart, note: str = "") -> None:
        chart.setLocalizeNumbers(True)
        chart.setLocale(QLocale())
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save the chart"), f"{self.name}.png", tr("PNG picture (*.png)")
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        """The chart as shown into a PNG file (the export right checked, the export logged, first)."""
        if self.table is None or self.query is None:
            return
        picture = self.view.grab()
        self.ops.write(
            reports.exported, self.table, self.query, "png", on_done=lambda _none: picture.save(str(path))
        )


class Charts(QWidget):
    def __init__(self, ops: Ops, currency: Callable[[], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.currency = ops, currency
        self.boxes = {name: ChartBox(name, title, ops) for name, title in titles().items()}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        # Revenue across the whole width (twelve months side by side), then the others two by two.
        grid.addWidget(self.boxes["revenue_by_month"], 0, 0, 1, 2)
        others = [box for name, box in self.boxes.items() if name != "revenue_by_month"]
        for i, box in enumerate(others):
            grid.addWidget(box, 1 + i // 2, i % 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

    def show_tables(self, tables: dict[str, ReportTable], query: ReportQuery) -> None:
        draws = {
            "funnel": self._funnel,
            "revenue_by_month": self._revenue,
            "pipeline_forecast": self._pipeline,
            "tasks_by_person": self._tasks,
            "hours_by_job": self._hours,
        }
        for name, table in tables.items():
            box = self.boxes[name]
            box.table, box.query = table, query
            draws[name](box, table)

    # --- one chart each ---

    def _apart(self, table: ReportTable) -> str:
        others = [c for c in table.currencies if c != self.currency()]
        if not others:
            return ""
        return fill(
            tr("In {currency}; not drawn: {others} (in the report)"),
            currency=self.currency(),
            others=", ".join(others),
        )

    def _bars(
        self, categories: list[str], sets: list[tuple[str, QColor, list[float]]], *, horizontal: bool = False
    ):
        chart = QChart()
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        # Right to left: time runs from the right, bars grow from the right, the scale stands on the right
        # (a category axis cannot be reversed in a bar chart: the categories are given the other way round).
        rtl = i18n.is_right_to_left()
        if rtl and not horizontal:
            categories = categories[::-1]
            sets = [(label, color, values[::-1]) for label, color, values in sets]
        for label, color, values in sets:
            bar = QBarSet(label)
            bar.setColor(color)
            bar.append(values)
            series.append(bar)
        chart.addSeries(series)
        categories_axis = QBarCategoryAxis()
        categories_axis.append(categories or [""])
        values_axis = QValueAxis()
        values_axis.setLabelFormat("%.0f")
        along = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        across = Qt.AlignmentFlag.AlignBottom
        values_axis.setReverse(rtl and horizontal)
        chart.addAxis(categories_axis, along if horizontal else across)
        chart.addAxis(values_axis, across if horizontal else along)
        series.attachAxis(categories_axis)
        series.attachAxis(values_axis)
        top = max([max(values, default=0) for _l, _c, values in sets] or [0])
        # (a scale of at least 0–4: with nothing yet, or a few, its whole-number labels stay distinct)
        values_axis.setRange(0, top * 1.1 if top > 4 else 4)
        values_axis.applyNiceNumbers()
        chart.legend().setVisible(len(sets) > 1)
        return chart, series

    def _funnel(self, box: ChartBox, table: ReportTable) -> None:
        rows = list(reversed(table.rows))  # the first stage on top
        labels = []
        for r in rows:
            conversion = r.get("conversion")
            arrow = "←" if i18n.is_right_to_left() else "→"
            extra = f" {arrow} {i18n.number_text(conversion)} %" if conversion is not None else ""
            labels.append(f"{short(r['stage'])}{extra}")
        chart, series = self._bars(
            labels, [(tr("Deals"), THIS, [number(r["reached"]) for r in rows])], horizontal=True
        )
        series.setLabelsVisible(True)
        box.draw(chart, tr("The deals added in the period, and the share of them going on from each stage"))

    def _revenue(self, box: ChartBox, table: ReportTable) -> None:
        code = self.currency()
        by_month = {r["month"]: r for r in table.rows if r["currency"] == code}
        spans = months_from(table.period.first, 12)  # every month drawn, those with nothing too
        categories = [i18n.month_text(m.first, short=True) for m in spans]
        now = [number(by_month.get(m.first, {}).get("revenue")) for m in spans]
        before = [number(by_month.get(m.first, {}).get("last_year")) for m in spans]
        chart, _ = self._bars(
            categories, [(tr("These 12 months"), THIS, now), (tr("The year before"), BEFORE, before)]
        )
        chart.axes(Qt.Orientation.Horizontal)[0].setLabelsAngle(-45)
        box.draw(chart, self._apart(table))

    def _pipeline(self, box: ChartBox, table: ReportTable) -> None:
        code = self.currency()
        rows = [r for r in table.rows if r["currency"] == code]
        categories = [
            i18n.month_text(r["month"], short=True) if r["month"] else tr("Earlier, later or not set")
            for r in rows
        ]
        chart, _ = self._bars(
            categories,
            [
                (tr("Value"), BEFORE, [number(r["value"]) for r in rows]),
                (tr("Weighted by probability"), THIS, [number(r["weighted"]) for r in rows]),
            ],
        )
        chart.axes(Qt.Orientation.Horizontal)[0].setLabelsAngle(-45)
        box.draw(chart, self._apart(table))

    def _tasks(self, box: ChartBox, table: ReportTable) -> None:
        rows = table.rows[:12]
        chart, _ = self._bars(
            [short(r["person"]) or tr("(nobody)") for r in rows],
            [
                (tr("Done"), THIS, [number(r["done"]) for r in rows]),
                (tr("Overdue"), BAD, [number(r["overdue"]) for r in rows]),
            ],
        )
        box.draw(chart)

    def _hours(self, box: ChartBox, table: ReportTable) -> None:
        rows = sorted(table.rows, key=lambda r: -(r["planned"] or Decimal(0)))[:10]
        chart, _ = self._bars(
            [short(r["job"]) for r in rows],
            [
                (tr("Planned hours"), BEFORE, [number(r["planned"]) for r in rows]),
                (tr("Spent hours"), THIS, [number(r["spent"]) for r in rows]),
            ],
            horizontal=True,
        )
        box.draw(chart, tr("The ten largest jobs under way in the period") if len(table.rows) > 10 else "")
