"""The jobs board: a column per status (cards dragged between them move the job), or a column per stage
of one template (where each of its jobs is)."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services.jobs import JobFilter
from crm_desktop.ui.card_board import CardColumn, ColumnsRow
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.work.cards import ColumnCardsModel, JobCardDelegate

COLUMN_WIDTH = 190  # at least: five columns fit beside the navigation at 1280 px


class BoardColumn(CardColumn):
    def __init__(
        self,
        ops: Ops,
        title: str,
        f: JobFilter,
        *,
        status: str | None = None,
        stage: str | None = None,
        parent: QWidget | None = None,
    ):
        model = ColumnCardsModel(ops, f, status=status, stage=stage)
        super().__init__(model, JobCardDelegate(), draggable=status is not None, parent=parent)
        self.key = status or stage or ""
        self.setObjectName("job_column")
        self.setMinimumWidth(COLUMN_WIDTH)
        self.setMaximumWidth(COLUMN_WIDTH * 3 // 2)
        self.title = QLabel(f"<b>{html.escape(title)}</b>")
        self.count = QLabel()
        self.add_header(self.title, self.count)
        model.total_changed.connect(self._show_count)

    def _show_count(self, total: int) -> None:
        self.count.setText(fill(ngettext("1 job", "{n} jobs", total), n=i18n.number_text(total)))


class JobBoard(ColumnsRow):
    move_requested = Signal(int, int, str)  # job id, version, status
    columns: list[BoardColumn]

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self._layout_key: tuple = ()
        self.set_stretch(0)  # the columns share the width

    def column(self, key: str) -> BoardColumn:
        return next(c for c in self.columns if c.key == key)

    def show_columns(self, columns: list[tuple[str, str]], f: JobFilter, *, by_status: bool) -> None:
        """Columns of (key, title): statuses, or a template's stages; rebuilt only when they change."""
        key = (by_status, tuple(columns))
        if key == self._layout_key:
            self.set_filter(f)
            return
        self._layout_key = key
        self.clear_columns()
        for value, title in columns:
            status, stage = (value, None) if by_status else (None, value)
            self.add_column(BoardColumn(self.ops, title, f, status=status, stage=stage, parent=self.inner))
