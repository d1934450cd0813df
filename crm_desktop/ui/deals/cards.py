"""The deals of one board column, loaded page by page, painted as cards and dragged between columns.

A drag carries the deal's id and version; dropping it on another column only *asks* for the move
(`move_requested`): the board sends it to the service and every column reloads from what was stored,
so a refused or conflicting move never leaves a card where it does not belong.
"""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from crm_desktop.services import deals
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.deals import DealFilter, DealRow
from crm_desktop.ui import next_activity
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.left_to_right import in_its_own_order, money_text
from crm_desktop.ui.ops import Ops

DEAL_MIME = "application/x-crm-desktop-deal"
CARD_PAGE = 50


def _fetch(ctx, f: DealFilter, sort, descending, offset, limit):
    return deals.list_deals(ctx, f, sort=sort, descending=descending, offset=offset, limit=limit)


def _count(ctx, f: DealFilter) -> int:
    return deals.count_deals(ctx, f)


class StageCardsModel(LazyTableModel):
    """One stage's deals, most recently changed first; column 0 holds the DealRow for the delegate."""

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
            parent=parent,
        )

    def _stage_filter(self, f: DealFilter) -> DealFilter:
        return replace(f, stage_id=self.stage_id)

    def set_filter(self, f: DealFilter) -> None:
        self.set_query(self._stage_filter(f))

    # --- drag and drop ---

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # the empty space of the column takes drops
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [DEAL_MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        rows = [self.row(i.row()) for i in indexes if i.isValid() and i.row() < len(self.rows)]
        if rows:
            mime.setData(
                DEAL_MIME,
                json.dumps(
                    {"id": rows[0].id, "version": rows[0].version, "stage_id": rows[0].stage_id}
                ).encode(),
            )
        return mime

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        dropped = _dropped(data)
        return dropped is not None and dropped["stage_id"] != self.stage_id

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        dropped = _dropped(data)
        self.move_requested.emit(dropped["id"], dropped["version"], self.stage_id)
        # False: the source column must not delete the card itself; the reload after the move does.
        return False


def _dropped(data: QMimeData) -> dict | None:
    if not data.hasFormat(DEAL_MIME):
        return None
    try:
        return json.loads(bytes(data.data(DEAL_MIME)).decode())
    except ValueError:
        return None


class CardDelegate(QStyledItemDelegate):
    """Title, client, amount, owner, expected close and the next activity on a rounded card; a close
    date or an activity already past on an open deal shows in red, since that deal needs a call, and
    an open deal with nothing planned says so."""

    PADDING = 8
    LINES = 5

    def __init__(self, ctx: ServiceContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(200, self.LINES * line + 2 * self.PADDING + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        deal: DealRow | None = index.data(Qt.ItemDataRole.UserRole)
        if deal is None:
            return
        palette = option.palette
        card = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(
            QPen(
                palette.color(QPalette.ColorRole.Highlight) if selected else QColor("#d0d4da"),
                2 if selected else 1,
            )
        )
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(card, 6, 6)
        inner = card.adjusted(self.PADDING, self.PADDING // 2 + 2, -self.PADDING, -self.PADDING // 2)
        line = QFontMetrics(option.font).lineSpacing()
        bold = QFont(option.font)
        bold.setBold(True)

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
            # `leave` is kept free at the line's end: its right, or its left right to left (Arabic)
            rtl = option.direction == Qt.LayoutDirection.RightToLeft
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

        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        text(0, deal.title, bold)
        text(1, deal.client_name)
        text(2, money_text(deal.amount, deal.currency), bold)
        today, is_open = self.ctx.today(), deal.outcome == "open"
        late = is_open and deal.expected_close is not None and deal.expected_close < today
        close = day_text(deal.expected_close)
        close_width = QFontMetrics(option.font).horizontalAdvance(close + "  ") if close else 0
        text(3, deal.owner_name, color=muted, leave=close_width)
        text(3, close, color=QColor("#b91c1c") if late else muted, align=Qt.AlignmentFlag.AlignRight)
        planned = deal.next_activity
        text(
            4,
            next_activity.text(planned, today, expected=is_open),
            color=next_activity.color(planned, self.ctx.now(), expected=is_open) or muted,
        )
        painter.restore()
