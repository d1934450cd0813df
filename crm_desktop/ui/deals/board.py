"""The kanban board: a column per stage, headed by its deal count and totals, cards dragged between them."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services.deals import DealFilter, StageSummary
from crm_desktop.services.pipelines import PipelineRow, StageRow
from crm_desktop.ui.card_board import CardColumn, ColumnsRow
from crm_desktop.ui.deals.cards import CardDelegate, StageCardsModel
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops

COLUMN_WIDTH = 250


class StageColumn(CardColumn):
    def __init__(self, ops: Ops, stage: StageRow, f: DealFilter, parent: QWidget | None = None):
        super().__init__(
            StageCardsModel(ops, stage.id, f), CardDelegate(ops.ctx), draggable=True, parent=parent
        )
        self.stage = stage
        self.setObjectName("stage_column")
        self.setFixedWidth(COLUMN_WIDTH)
        self.title = QLabel(f"<b>{html.escape(stage.name)}</b> · {stage.probability}%")
        self.title.setToolTip(
            fill(self.tr("Deals in this stage close with a probability of {p}%"), p=stage.probability)
        )
        self.totals = QLabel()
        self.totals.setObjectName("stage_totals")
        self.totals.setWordWrap(True)
        self.totals.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_header(self.title, self.totals)

    def show_summary(self, rows: list[StageSummary]) -> None:
        count = sum(r.count for r in rows)
        if count == 0:
            self.totals.setText(self.tr("No deals"))
            return
        deals_text = fill(ngettext("1 deal", "{n} deals", count), n=i18n.number_text(count))
        self.totals.setText(
            "\n".join([deals_text, *(money_text(r.total, r.currency) for r in rows if r.count)])
        )


class Board(ColumnsRow):
    move_requested = Signal(int, int, int)  # deal id, version, stage id
    columns: list[StageColumn]

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.pipeline: PipelineRow | None = None

    def column(self, stage_name: str) -> StageColumn:
        return next(c for c in self.columns if c.stage.name == stage_name)

    def set_pipeline(self, pipeline: PipelineRow, f: DealFilter) -> None:
        """Columns for the pipeline's stages; rebuilt only when the stages themselves changed."""
        if self.pipeline is not None and self.pipeline.stages == pipeline.stages:
            self.pipeline = pipeline
            self.set_filter(f)
            return
        self.pipeline = pipeline
        self.clear_columns()
        for stage in pipeline.stages:
            self.add_column(StageColumn(self.ops, stage, f, self.inner))

    def show_summary(self, summary: list[StageSummary]) -> None:
        for column in self.columns:
            column.show_summary([r for r in summary if r.stage_id == column.stage.id])
        # Headers as tall as the tallest, so the cards of every column start on one line.
        height = max((c.totals.sizeHint().height() for c in self.columns), default=0)
        for column in self.columns:
            column.totals.setMinimumHeight(height)
