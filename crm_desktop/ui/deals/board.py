"""The kanban board: a column per stage, headed by its deal count and totals, cards dragged between them."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services.deals import DealFilter, DealRow, StageSummary
from crm_desktop.services.pipelines import PipelineRow, StageRow
from crm_desktop.ui.deals.cards import CardDelegate, StageCardsModel
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops

COLUMN_WIDTH = 250


class StageColumn(QFrame):
    open_requested = Signal(object)  # DealRow
    menu_requested = Signal(object, QPoint)  # DealRow, global position

    def __init__(self, ops: Ops, stage: StageRow, f: DealFilter, parent: QWidget | None = None):
        super().__init__(parent)
        self.stage = stage
        self.setObjectName("stage_column")
        self.setFixedWidth(COLUMN_WIDTH)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{html.escape(stage.name)}</b> · {stage.probability}%")
        self.title.setToolTip(
            fill(self.tr("Deals in this stage close with a probability of {p}%"), p=stage.probability)
        )
        self.totals = QLabel()
        self.totals.setObjectName("stage_totals")
        self.totals.setWordWrap(True)
        self.totals.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = StageCardsModel(ops, stage.id, f, parent=self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(CardDelegate(ops.ctx, self.view))
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(False)  # the card lands in the column, not at a place in it
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.view.customContextMenuRequested.connect(self._menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.totals)
        layout.addWidget(self.view, 1)

    def show_summary(self, rows: list[StageSummary]) -> None:
        count = sum(r.count for r in rows)
        if count == 0:
            self.totals.setText(self.tr("No deals"))
            return
        deals_text = fill(ngettext("1 deal", "{n} deals", count), n=i18n.number_text(count))
        self.totals.setText(
            "\n".join([deals_text, *(money_text(r.total, r.currency) for r in rows if r.count)])
        )

    def selected_deal(self) -> DealRow | None:
        index = self.view.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        deal = index.data(Qt.ItemDataRole.UserRole)
        if deal is not None:
            self.open_requested.emit(deal)

    def _menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        deal = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        if deal is not None:
            self.view.setCurrentIndex(index)
            self.menu_requested.emit(deal, self.view.viewport().mapToGlobal(pos))


class Board(QScrollArea):
    move_requested = Signal(int, int, int)  # deal id, version, stage id
    open_requested = Signal(object)
    menu_requested = Signal(object, QPoint)

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.columns: list[StageColumn] = []
        self.pipeline: PipelineRow | None = None
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._inner = QWidget()
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addStretch(1)
        self.setWidget(self._inner)

    @property
    def ready(self) -> bool:
        return all(c.model.ready for c in self.columns)

    def column(self, stage_name: str) -> StageColumn:
        return next(c for c in self.columns if c.stage.name == stage_name)

    def set_pipeline(self, pipeline: PipelineRow, f: DealFilter) -> None:
        """Columns for the pipeline's stages; rebuilt only when the stages themselves changed."""
        if self.pipeline is not None and self.pipeline.stages == pipeline.stages:
            self.pipeline = pipeline
            self.set_filter(f)
            return
        self.pipeline = pipeline
        for column in self.columns:
            column.deleteLater()
        self.columns = []
        for stage in pipeline.stages:
            column = StageColumn(self.ops, stage, f, self._inner)
            column.model.move_requested.connect(self.move_requested)
            column.open_requested.connect(self.open_requested)
            column.menu_requested.connect(self.menu_requested)
            self._row.insertWidget(self._row.count() - 1, column)
            self.columns.append(column)
            column.model.reload()

    def set_filter(self, f: DealFilter) -> None:
        for column in self.columns:
            column.model.set_filter(f)

    def reload(self) -> None:
        for column in self.columns:
            column.model.reload()

    def show_summary(self, summary: list[StageSummary]) -> None:
        for column in self.columns:
            column.show_summary([r for r in summary if r.stage_id == column.stage.id])
        # Headers as tall as the tallest, so the cards of every column start on one line.
        height = max((c.totals.sizeHint().height() for c in self.columns), default=0)
        for column in self.columns:
            column.totals.setMinimumHeight(height)
