"""The jobs of one board column, loaded page by page, painted as cards and dragged between columns.

As on the deals board (ui/deals/cards.py), a drop only *asks* for the move (`move_requested`); every
column then reloads from what was stored, so a refused move never leaves a card where it does not belong.
"""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import jobs
from crm_desktop.services.jobs import JobFilter, JobRow
from crm_desktop.ui.dates import moment_day_text
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.left_to_right import in_its_own_order
from crm_desktop.ui.ops import Ops

JOB_MIME = "application/x-crm-desktop-job"
CARD_PAGE = 50
LATE = QColor("#b91c1c")
WARN = QColor("#b45309")


def fetch(ctx, f: JobFilter, sort, descending, offset, limit) -> list[JobRow]:
    return jobs.list_jobs(ctx, f, sort=sort, descending=descending, offset=offset, limit=limit)


def count(ctx, f: JobFilter) -> int:
    return jobs.count_jobs(ctx, f)


def late_text(job: JobRow) -> str:
    """ "3 days late", or "" for a job on time."""
    days = job.days_late
    return fill(ngettext("{n} day late", "{n} days late", days), n=i18n.number_text(days)) if days else ""


def late_days(job: JobRow) -> str:
    """ "+3 days" (a card's short form of late_text), or "" for a job on time."""
    days = job.days_late
    return fill(ngettext("+{n} day", "+{n} days", days), n=i18n.number_text(days)) if days else ""


class ColumnCardsModel(LazyTableModel):
    """The jobs of one column (a status, or a stage of one template), the soonest due first; a drop on
    a status column asks to move the job there (a stage column takes no drops: stages are run)."""

    move_requested = Signal(int, int, str)  # job id, its version, the status it was dropped on

    def __init__(
        self, ops: Ops, f: JobFilter, *, status: str | None = None, stage: str | None = None, parent=None
    ):
        self.status, self.stage = status, stage
        super().__init__(
            ops,
            [Column("", lambda j: j.title)],
            fetch,
            count,
            query=self._column_filter(f),
            sort="due",
            page_size=CARD_PAGE,
            parent=parent,
        )

    def _column_filter(self, f: JobFilter) -> JobFilter:
        if self.status is not None:
            return replace(f, statuses=(self.status,))
        return replace(f, current_stage=self.stage)

    def set_filter(self, f: JobFilter) -> None:
        self.set_query(self._column_filter(f))

    # --- drag and drop ---

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.status else Qt.ItemFlag.NoItemFlags
        draggable = Qt.ItemFlag.ItemIsDragEnabled if self.status else Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | draggable

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [JOB_MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        rows = [self.row(i.row()) for i in indexes if i.isValid() and i.row() < len(self.rows)]
        if rows:
            job = rows[0]
            mime.setData(
                JOB_MIME, json.dumps({"id": job.id, "version": job.version, "status": job.status}).encode()
            )
        return mime

    def canDropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:
        dropped = _dropped(data)
        return self.status is not None and dropped is not None and dropped["status"] != self.status

    def dropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        dropped = _dropped(data)
        assert dropped is not None and self.status is not None
        self.move_requested.emit(dropped["id"], dropped["version"], self.status)
        return False  # the source column must not remove the card itself; the reload does


def _dropped(data: QMimeData) -> dict | None:
    if not data.hasFormat(JOB_MIME):
        return None
    try:
        return json.loads(bytes(data.data(JOB_MIME)).decode())
    except ValueError:
        return None


class JobCardDelegate(QStyledItemDelegate):
    """Title, client, the stage it is at with its progress, its manager (a blocked or stuck job says so),
    and the day it is expected to end — red, with the days it is late."""

    PADDING = 8
    LINES = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(150, self.LINES * line + 2 * self.PADDING + 8)  # as wide as the column lets it be

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        job: JobRow | None = index.data(Qt.ItemDataRole.UserRole)
        if job is None:
            return
        palette = option.palette
        card = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = (
            palette.color(QPalette.ColorRole.Highlight)
            if selected
            else (LATE if job.days_late else QColor("#d0d4da"))
        )
        painter.setPen(QPen(edge, 2 if selected or job.days_late else 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(card, 6, 6)
        inner = card.adjusted(self.PADDING, self.PADDING // 2 + 2, -self.PADDING, -self.PADDING // 2)
        line = QFontMetrics(option.font).lineSpacing()
        rtl = option.direction == Qt.LayoutDirection.RightToLeft
        bold = QFont(option.font)
        bold.setBold(True)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)

        def text(
            row: int,
            value: str,
            font: QFont = option.font,
            color: QColor | None = None,
            align=Qt.AlignmentFlag.AlignLeft,
            leave: int = 0,
        ) -> None:
            painter.setFont(font)
            painter.setPen(color or palette.color(QPalette.ColorRole.Text))
            rect = QRect(
                inner.left() + (leave if rtl else 0), inner.top() + row * line, inner.width() - leave, line
            )
            painter.drawText(
                rect,
                QStyle.visualAlignment(option.direction, align) | Qt.AlignmentFlag.AlignVCenter,
                in_its_own_order(
                    QFontMetrics(font).elidedText(value, Qt.TextElideMode.ElideRight, rect.width())
                ),
            )

        text(0, job.title, bold)
        text(1, job.client_name)
        stage = job.current_stage or (self.tr("All stages done") if job.stage_count else "")
        steps = f"{i18n.number_text(job.stages_done)}/{i18n.number_text(job.stage_count)}"
        steps_width = QFontMetrics(option.font).horizontalAdvance(steps + "  ")
        text(2, stage, leave=steps_width)
        text(2, steps, color=muted, align=Qt.AlignmentFlag.AlignRight)
        self._progress(
            painter,
            QRect(inner.left(), inner.top() + 3 * line + line // 3, inner.width(), line // 3),
            job,
            palette,
            rtl,
        )
        flag = self.tr("Blocked") if job.blocked else self.tr("Stuck") if job.stuck else ""
        text(
            4,
            f"{flag} · {job.responsible_name}" if flag else job.responsible_name,
            color=WARN if flag else muted,
        )
        due = moment_day_text(job.forecast_due)
        late = late_days(job)
        late_width = QFontMetrics(option.font).horizontalAdvance(late + "  ") if late else 0
        text(5, due, color=LATE if late else muted, leave=late_width)
        text(5, late, color=LATE, align=Qt.AlignmentFlag.AlignRight)
        painter.restore()

    @staticmethod
    def _progress(painter: QPainter, rect: QRect, job: JobRow, palette: QPalette, rtl: bool) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Midlight))
        painter.drawRoundedRect(rect, 2, 2)
        done = rect.width() * job.progress // 100
        if done:
            filled = QRect(rect.right() - done + 1 if rtl else rect.left(), rect.top(), done, rect.height())
            painter.setBrush(LATE if job.days_late else QColor("#16a34a"))
            painter.drawRoundedRect(filled, 2, 2)
