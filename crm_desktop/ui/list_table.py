"""The table every list in the app is shown in: whole-row selection, read-only, sortable by the
service, column widths remembered."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from crm_desktop.ui.lazy_model import ServiceTableModel

MIN_COLUMN_WIDTH = 60


class ListTable(QTableView):
    def __init__(
        self,
        model: ServiceTableModel,
        settings: QSettings,
        widths_key: str,
        parent: QWidget | None = None,
        *,
        several: bool = False,
    ):
        super().__init__(parent)
        self.settings, self.widths_key = settings, widths_key
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # several: Shift/Ctrl-click chooses more rows, for actions on a selection (e.g. export)
        self.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if several
            else QAbstractItemView.SelectionMode.SingleSelection
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(28)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicatorShown(True)
        self.show_sort_indicator()  # first: enabling sorting sorts by the indicator
        self.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(lambda *_: self.show_sort_indicator())
        self._fitting = False
        self._widths_chosen = self._restore_widths()
        header.sectionResized.connect(lambda *_: self._save_widths())

    def show_sort_indicator(self) -> None:
        """The arrow follows the model: a click on a column the service cannot sort by leaves the order
        (and the arrow) alone, and a default order that is no column (deals: last changed) shows none."""
        model: ServiceTableModel = self.model()  # type: ignore[assignment]
        header = self.horizontalHeader()
        order = Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (model.sort_column, order):
            blocked = header.blockSignals(True)
            header.setSortIndicator(model.sort_column, order)
            header.blockSignals(blocked)
            header.viewport().update()

    def _restore_widths(self) -> bool:
        """The widths the user left (True), or the columns' own."""
        columns = self.model().columns  # type: ignore[attr-defined]
        widths = self.settings.value(self.widths_key)
        remembered = isinstance(widths, list) and len(widths) == len(columns)
        for i, column in enumerate(columns):
            self.setColumnWidth(i, int(widths[i]) if remembered else column.width)
        return remembered

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self._widths_chosen:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Until the user sizes a column, the columns' widths shrink together to fit the table's width, so
        the last ones (Source, Owner) are not cut off on a small screen."""
        columns = self.model().columns  # type: ignore[attr-defined]
        self._fitting = True
        for i, width in enumerate(fitted([c.width for c in columns], self.viewport().width())):
            self.setColumnWidth(i, width)
        self._fitting = False

    def _save_widths(self) -> None:
        if self._fitting:
            return
        self._widths_chosen = True
        self.settings.setValue(
            self.widths_key, [self.columnWidth(i) for i in range(self.model().columnCount())]
        )


def fitted(widths: list[int], room: int) -> list[int]:
    """`widths` shrunk in proportion to fit `room`, none below MIN_COLUMN_WIDTH: the columns held at the
    minimum take their share first and the others share what is left."""
    if room <= 0 or sum(widths) <= room:
        return widths
    held: set[int] = set()
    while True:
        free = [w for i, w in enumerate(widths) if i not in held]
        factor = max(0.0, room - MIN_COLUMN_WIDTH * len(held)) / sum(free) if free else 1.0
        newly = {i for i, w in enumerate(widths) if i not in held and w * factor < MIN_COLUMN_WIDTH}
        if not newly:
            return [MIN_COLUMN_WIDTH if i in held else int(w * factor) for i, w in enumerate(widths)]
        held |= newly
