"""The deals of one board column, loaded page by page, painted as cards and dragged between columns
(ui/card_board.py): a drag carries the deal's id, version and stage; a drop asks for the move."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from crm_desktop.services import deals
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.deals import DealFilter, DealRow
from crm_desktop.ui import next_activity
from crm_desktop.ui.card_board import CardPainter, DraggedCards
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.lazy_model import Column
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops

DEAL_MIME = "application/x-crm-desktop-deal"
CARD_PAGE = 50


def _fetch(ctx, f: DealFilter, sort, descending, offset, limit):
    return deals.list_deals(ctx, f, sort=sort, descending=descending, offset=offset, limit=limit)


def _count(ctx, f: DealFilter) -> int:
    return deals.count_deals(ctx, f)


class StageCardsModel(DraggedCards):
    """One stage's deals, most recently changed first; column 0 holds the DealRow for the delegate."""

    MIME = DEAL_MIME
    move_requested = Signal(int, int, int)  # deal id, its version, the stage it was dropped on

    def __init__(self, ops: Ops, stage_id: int, f: DealFilter, parent=None):
        self.stage_id = stage_id
        super().__init__(
            ops,
            [Column("", lambda d: d.title)],
            _fetch,
            _count,
            query=self._stage_filter(f),
            sort="updated",
            descending=True,
            page_size=CARD_PAGE,
            payload=lambda d: {"id": d.id, "version": d.version, "stage_id": d.stage_id},
            accepts=lambda dragged: dragged["stage_id"] != self.stage_id,
            parent=parent,
        )
        self.dropped.connect(lambda d: self.move_requested.emit(d["id"], d["version"], self.stage_id))

    def _stage_filter(self, f: DealFilter) -> DealFilter:
        return replace(f, stage_id=self.stage_id)

    def set_filter(self, f: DealFilter) -> None:
        self.set_query(self._stage_filter(f))


class CardDelegate(QStyledItemDelegate):
    """Title, client, amount, owner, expected close and the next activity on a rounded card; a close
    date or an activity already past on an open deal shows in red, since that deal needs a call, and
    an open deal with nothing planned says so."""

    LINES = 5

    def __init__(self, ctx: ServiceContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(200, CardPainter.height(option.font, self.LINES))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        deal: DealRow | None = index.data(Qt.ItemDataRole.UserRole)
        if deal is None:
            return
        painter.save()
        card = CardPainter(painter, option)
        card.text(0, deal.title, card.bold)
        card.text(1, deal.client_name)
        card.text(2, money_text(deal.amount, deal.currency), card.bold)
        today, is_open = self.ctx.today(), deal.outcome == "open"
        late = is_open and deal.expected_close is not None and deal.expected_close < today
        close = day_text(deal.expected_close)
        card.text(3, deal.owner_name, color=card.muted, leave=card.width_of(close))
        card.text(
            3, close, color=QColor("#b91c1c") if late else card.muted, align=Qt.AlignmentFlag.AlignRight
        )
        planned = deal.next_activity
        card.text(
            4,
            next_activity.text(planned, today, expected=is_open),
            color=next_activity.color(planned, self.ctx.now(), expected=is_open) or card.muted,
        )
        painter.restore()
