"""The jobs of one board column, loaded page by page, painted as cards and dragged between status
columns (ui/card_board.py): a drag carries the job's id, version and status; a drop asks for the move."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import jobs
from crm_desktop.services.jobs import JobFilter, JobRow
from crm_desktop.ui.card_board import CardPainter, DraggedCards
from crm_desktop.ui.dates import moment_day_text
from crm_desktop.ui.lazy_model import Column
from crm_desktop.ui.ops import Ops

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


class ColumnCardsModel(DraggedCards):
    """The jobs of one column (a status, or a stage of one template), the soonest due first; a drop on
    a status column asks to move the job there (a stage column takes no drops: stages are run)."""

    MIME = "application/x-crm-desktop-job"
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
            payload=lambda j: {"id": j.id, "version": j.version, "status": j.status},
            accepts=lambda dragged: self.status is not None and dragged["status"] != self.status,
            parent=parent,
        )
        self.dropped.connect(lambda d: self.move_requested.emit(d["id"], d["version"], self.status))

    def _column_filter(self, f: JobFilter) -> JobFilter:
        if self.status is not None:
            return replace(f, statuses=(self.status,))
        return replace(f, current_stage=self.stage)

    def set_filter(self, f: JobFilter) -> None:
        self.set_query(self._column_filter(f))

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if self.status is not None:
            return super().flags(index)
        # where each job is in its stages: read, not moved
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if index.isValid()
            else Qt.ItemFlag.NoItemFlags
        )


class JobCardDelegate(QStyledItemDelegate):
    """Title, client, the stage it is at with its progress, its manager (a blocked or stuck job says so),
    and the day it is expected to end — red, with the days it is late."""

    LINES = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(150, CardPainter.height(option.font, self.LINES))  # as wide as the column lets it be

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        job: JobRow | None = index.data(Qt.ItemDataRole.UserRole)
        if job is None:
            return
        painter.save()
        card = CardPainter(painter, option, LATE if job.days_late else None, 2 if job.days_late else 1)
        card.text(0, job.title, card.bold)
        card.text(1, job.client_name)
        stage = job.current_stage or (self.tr("All stages done") if job.stage_count else "")
        steps = f"{i18n.number_text(job.stages_done)}/{i18n.number_text(job.stage_count)}"
        card.text(2, stage, leave=card.width_of(steps))
        card.text(2, steps, color=card.muted, align=Qt.AlignmentFlag.AlignRight)
        inner, line = card.inner, card.line
        bar = QRect(inner.left(), inner.top() + 3 * line + line // 3, inner.width(), line // 3)
        self._progress(painter, bar, job, option.palette, card.rtl)
        flag = self.tr("Blocked") if job.blocked else self.tr("Stuck") if job.stuck else ""
        card.text(
            4,
            f"{flag} · {job.responsible_name}" if flag else job.responsible_name,
            color=WARN if flag else card.muted,
        )
        late = late_days(job)
        card.text(
            5,
            moment_day_text(job.forecast_due),
            color=LATE if late else card.muted,
            leave=card.width_of(late),
        )
        card.text(5, late, color=LATE, align=Qt.AlignmentFlag.AlignRight)
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
