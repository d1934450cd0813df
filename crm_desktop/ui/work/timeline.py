"""A job's stages on a time line: per stage its planned bar (thin, grey) over its actual or expected one
(done green, under way blue, late red, blocked amber, waiting pale), and today's line. Time runs with the
reading direction: right to left in Arabic. A click picks a stage."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QStyle, QToolTip, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services.jobs import StageRow
from crm_desktop.ui.dates import day_text, moment_day_text
from crm_desktop.ui.left_to_right import in_its_own_order

ROW = 30
AXIS = 24
NAMES = 170
COLORS = {
    "done": QColor("#16a34a"),
    "in_progress": QColor("#2563eb"),
    "awaiting_approval": QColor("#7c3aed"),
    "blocked": QColor("#d97706"),
    "waiting": QColor("#93c5fd"),
}
LATE = QColor("#dc2626")
PLANNED = QColor("#9ca3af")


class StageTimeline(QWidget):
    stage_chosen = Signal(int)  # stage id

    def __init__(self, now: datetime, parent: QWidget | None = None):
        super().__init__(parent)
        self.now = now
        self.stages: list[StageRow] = []
        self.chosen: int | None = None
        self.setMouseTracking(True)
        self.setMinimumWidth(420)

    def show_stages(self, stages: list[StageRow], now: datetime) -> None:
        self.stages, self.now = stages, now
        if self.chosen not in {g.id for g in stages}:
            self.chosen = next((g.id for g in stages if g.status != "done"), stages[0].id if stages else None)
        self.updateGeometry()
        self.update()

    def choose(self, stage_id: int) -> None:
        self.chosen = stage_id
        self.update()
        self.stage_chosen.emit(stage_id)

    def sizeHint(self) -> QSize:
        return QSize(600, AXIS + ROW * max(len(self.stages), 1) + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(420, AXIS + ROW * max(len(self.stages), 1) + 8)

    # --- geometry ---

    def _span(self) -> tuple[datetime, datetime]:
        moments = [self.now]
        for g in self.stages:
            moments += [g.planned_start, g.planned_due, g.forecast_start, g.forecast_due]
        first, last = min(moments), max(moments)
        pad = max((last - first) / 20, timedelta(hours=4))
        return first - pad, last + pad

    def _x(self, moment: datetime, area: QRect, span: tuple[datetime, datetime]) -> int:
        first, last = span
        share = (moment - first) / (last - first)
        x = area.left() + round(share * area.width())
        return area.right() - (x - area.left()) if self.isRightToLeft() else x

    def _bars_area(self) -> QRect:
        width = self.width() - NAMES - 8
        left = 4 if self.isRightToLeft() else NAMES + 4
        return QRect(left, AXIS, width, ROW * len(self.stages))

    def _row_at(self, y: int) -> int | None:
        row = (y - AXIS) // ROW
        return row if 0 <= row < len(self.stages) and y >= AXIS else None

    # --- painting ---

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        if not self.stages:
            return
        area, span = self._bars_area(), self._span()
        metrics = QFontMetrics(self.font())
        self._axis(painter, area, span, metrics, palette)
        for n, g in enumerate(self.stages):
            top = AXIS + n * ROW
            if g.id == self.chosen:
                painter.fillRect(
                    QRect(0, top, self.width(), ROW), palette.color(QPalette.ColorRole.AlternateBase)
                )
            names = QRect(self.width() - NAMES if self.isRightToLeft() else 4, top, NAMES - 8, ROW)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            label = in_its_own_order(
                metrics.elidedText(f"{g.position}. {g.name}", Qt.TextElideMode.ElideRight, names.width())
            )
            leading = QStyle.visualAlignment(self.layoutDirection(), Qt.AlignmentFlag.AlignLeft)
            painter.drawText(names, leading | Qt.AlignmentFlag.AlignVCenter, label)
            self._bar(painter, g.planned_start, g.planned_due, top + 5, 5, PLANNED, area, span)
            late = g.status != "done" and g.forecast_due > g.planned_due
            color = (
                LATE
                if late or (g.status == "done" and g.done_at and g.done_at > g.planned_due)
                else COLORS[g.status]
            )
            self._bar(painter, g.forecast_start, g.forecast_due, top + 13, 11, color, area, span)
        today = self._x(self.now, area, span)
        painter.setPen(QPen(LATE, 1, Qt.PenStyle.DashLine))
        painter.drawLine(today, AXIS - 4, today, area.bottom())

    def _bar(
        self,
        painter: QPainter,
        start: datetime,
        end: datetime,
        y: int,
        height: int,
        color: QColor,
        area: QRect,
        span: tuple[datetime, datetime],
    ) -> None:
        a, b = sorted((self._x(start, area, span), self._x(end, area, span)))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRect(a, y, max(b - a, 3), height), 2, 2)

    def _axis(
        self,
        painter: QPainter,
        area: QRect,
        span: tuple[datetime, datetime],
        metrics: QFontMetrics,
        palette: QPalette,
    ) -> None:
        first, last = span
        days = max((last - first).days, 1)
        step = next(s for s in (1, 2, 7, 14, 30, 60, 90, 365) if days / s <= max(area.width() // 90, 1))
        day = first.astimezone().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        while day < last:
            x = self._x(day, area, span)
            painter.drawLine(x, AXIS - 4, x, area.bottom())
            text = day_text(day.date())
            painter.drawText(QRect(x - 60, 2, 120, AXIS - 6), Qt.AlignmentFlag.AlignCenter, text)
            day += timedelta(days=step)

    # --- mouse ---

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(int(event.position().y()))
        if row is not None:
            self.choose(self.stages[row].id)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(int(event.position().y()))
        if row is None:
            QToolTip.hideText()
            return
        g = self.stages[row]
        planned = fill(
            self.tr("Planned: {start} – {end}"),
            start=moment_day_text(g.planned_start),
            end=moment_day_text(g.planned_due),
        )
        actual = fill(
            self.tr("Done: {end}") if g.status == "done" else self.tr("Expected: {start} – {end}"),
            start=moment_day_text(g.forecast_start),
            end=moment_day_text(g.forecast_due),
        )
        tip = "\n".join([g.name, planned, actual])
        QToolTip.showText(event.globalPosition().toPoint() + QPoint(12, 12), tip, self)
