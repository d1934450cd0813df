"""File → Import…: a table of clients, deals, tasks or invoices brought in, in three steps the user sees
before anything is written (services/importing.py does the work; each step that reads runs as a job).

1. The file: what it holds (its encoding and delimiter as found, both changeable), what to import, and
   the country of phone numbers written without a code.
2. The columns: per column of the file, its first values and the field it fills — guessed from the
   headers, changed in a combo, saved by name and used again for the next file from the same program.
3. The check: every row as it will be imported, a cell that is wrong in red (its problem on hover;
   double-click to correct it), what becomes of each row (import as new, merge into the client it
   already is, skip: changed for the selected rows), how columns were read, and the dates' order asked
   where the values do not decide it. Import writes it all in one transaction; the summary is saved
   as a CSV beside the file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.config import Settings
from crm_desktop.i18n import Message, fill
from crm_desktop.services import cell_values, import_fields, importing, sheets
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.import_fields import KIND_NAMES, KINDS, Mapping
from crm_desktop.services.importing import MERGE, NEW, SKIP, Preview
from crm_desktop.services.sheets import Sheet
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.jobs import run_job
from crm_desktop.ui.left_to_right import embedded, in_its_own_order
from crm_desktop.ui.ops import Ops

SAMPLE_ROWS = 5  # values shown beside each column on the columns step
FIRST_ROWS = 200  # checked and shown at once, while the rest of the file is checked
COUNTRIES = ("UZ", "AZ", "RU", "KZ", "KG", "TJ", "TR", "AE", "SA", "GB", "US", "DE")
PROBLEM = QColor("#b91c1c")
PROBLEM_BACKGROUND = QColor("#fee2e2")
SETTINGS_KEY = "import_mappings"
# Cells read left to right in an Arabic window too: phone numbers, emails, amounts, dates.
_LEFT_TO_RIGHT = frozenset({"phones", "emails", "number", "percent", "date", "datetime"})


def _read(ctx: Any, path: Path, *, encoding: str | None, delimiter: str | None, progress: Any) -> Sheet:
    return sheets.read(path, encoding=encoding, delimiter=delimiter)


def _preview(
    ctx: Any, sheet: Sheet, mapping: Mapping, *, orders: dict, region: str, first: int | None, progress: Any
) -> Preview:
    return importing.preview(
        ctx, sheet, mapping, date_orders=orders, region=region, first=first, progress=progress
    )


def _import(
    ctx: Any, preview: Preview, source: Path, *, progress: Any
) -> tuple[importing.Summary, Path | None, str]:
    """The import, then its summary beside the file (100,000 lines: not on the window's thread); a
    summary that could not be written is said, the import stays."""
    summary = importing.run(ctx, preview, progress=progress)
    try:
        path = importing.summary_path(source, datetime.now())
        return summary, importing.write_summary(summary, path, progress=progress), ""
    except ServiceError as exc:
        return summary, None, exc.message


class PreviewModel(QAbstractTableModel):
    """The rows of a preview: line, what becomes of it, and the cells of the chosen columns as written;
    a cell with a problem in red, the problem on hover. Only the rows `shown` (a filter) are listed."""

    def __init__(self, preview: Preview, parent: QWidget | None = None):
        super().__init__(parent)
        self.preview = preview
        self.columns = sorted(preview.mapping.columns)
        self.shown = list(range(len(preview.rows)))

    def show_only(self, which: str) -> None:
        self.beginResetModel()
        rows = self.preview.rows
        if which == "problems":
            self.shown = [r.index for r in rows if r.problems]
        elif which == "duplicates":
            self.shown = [r.index for r in rows if r.duplicate is not None]
        else:
            self.shown = list(range(len(rows)))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns) + 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return self.tr("Line")
        if section == 1:
            return self.tr("Action")
        column = self.columns[section - 2]
        field = import_fields.field_label(self.preview.kind, self.preview.mapping.columns[column]).render()
        header = self.preview.sheet.headers[column]
        return field if header.casefold() == field.casefold() else f"{field}\n{header}"

    def row_at(self, index: QModelIndex) -> importing.PlannedRow:
        return self.preview.rows[self.shown[index.row()]]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.preview.rows[self.shown[index.row()]]
        if index.column() == 0:
            return str(row.line) if role == Qt.ItemDataRole.DisplayRole else None
        if index.column() == 1:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._fate(row)
            if role == Qt.ItemDataRole.ForegroundRole and row.action == SKIP:
                return PROBLEM
            return None
        column = self.columns[index.column() - 2]
        header = self.preview.sheet.headers[column]
        problems = [p for p in row.problems if p.column == header]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            text = cell_values.plain(self.preview.sheet.rows[row.index][column])
            shown = text if len(text) <= 200 else text[:199] + "…"
            if role == Qt.ItemDataRole.EditRole:
                return text
            kind = import_fields.field_of(self.preview.kind, self.preview.mapping.columns[column]).value
            return embedded(shown) if kind in _LEFT_TO_RIGHT else in_its_own_order(shown)
        if role == Qt.ItemDataRole.ToolTipRole and problems:
            return "\n".join(p.said.render() for p in problems)
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return PROBLEM_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and problems:
            return PROBLEM
        return None

    def _fate(self, row: importing.PlannedRow) -> str:
        if row.problems:
            return self.tr("Skipped: correct it to import it")
        action = {NEW: self.tr("Add as new"), MERGE: self.tr("Merge"), SKIP: self.tr("Skip")}[row.action]
        dup = row.duplicate
        if dup is None:
            return action
        reason = Message(dup.reason).render()
        line = self.preview.rows[dup.row].line if dup.row is not None else None
        if line is not None and dup.sure:
            why = fill(self.tr("{reason} as line {line}"), reason=reason, line=line)
        elif line is not None:
            why = fill(self.tr("perhaps line {line}: {reason}"), line=line, reason=reason)
        elif dup.sure:
            why = fill(self.tr("{reason} as {name}"), reason=reason, name=dup.name)
        else:
            why = fill(self.tr("perhaps {name}: {reason}"), name=dup.name, reason=reason)
        return fill(self.tr("{action} — {why}"), action=action, why=why)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        # fixed in place once the whole file is checked (a fix to the first rows' check would be lost)
        editable = index.column() >= 2 and self.preview.complete
        return flags | Qt.ItemFlag.ItemIsEditable if editable else flags

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ):
        if role != Qt.ItemDataRole.EditRole or index.column() < 2:
            return False
        row = self.preview.rows[self.shown[index.row()]]
        self.preview.fix(row.index, self.columns[index.column() - 2], str(value))
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.columnCount() - 1))
        return True

    def choose(self, rows: list[int], action: str) -> int:
        """`action` for the listed rows (indexes of this model) where it may be done; how many took it."""
        taken = 0
        for r in rows:
            row = self.preview.rows[self.shown[r]]
            if action in row.choices:
                self.preview.choose(row.index, action)
                taken += 1
        if rows:
            self.dataChanged.emit(self.index(min(rows), 1), self.index(max(rows), 1))
        return taken


class ImportWizard(QDialog):
    """The import of one file, from its reading to the summary."""

    def __init__(self, ops: Ops, path: Path, app_settings: Settings | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.path, self.app_settings = ops, Path(path), app_settings
        self.sheet: Sheet | None = None
        self.preview: Preview | None = None
        self.model: PreviewModel | None = None
        self.setWindowTitle(fill(self.tr("Import {file}"), file=self.path.name))
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.steps = QStackedWidget()
        self.steps.addWidget(self._file_step())
        self.steps.addWidget(self._columns_step())
        self.steps.addWidget(self._check_step())
        self.steps.addWidget(self._done_step())
        self.error = error_label("import_error")
        self.back_button = QPushButton(self.tr("&Back"), clicked=self.back)
        self.next_button = QPushButton(self.tr("&Next"), clicked=self.next)
        self.next_button.setDefault(True)
        self.close_button = QPushButton(self.tr("Cancel"), clicked=self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.back_button, self.next_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(1100, 680)
        self._show_step(0)
        self.read_file()

    # --- the steps ---

    def _file_step(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.file_label = QLabel(embedded(str(self.path)))
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind_combo = QComboBox()
        for kind in KINDS:
            self.kind_combo.addItem(Message(KIND_NAMES[kind]).render(), kind)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.encoding_combo = QComboBox()
        for encoding in sheets.ENCODINGS:
            self.encoding_combo.addItem(encoding, encoding)
        self.encoding_combo.activated.connect(lambda _: self.read_file(chosen=True))
        self.delimiter_combo = QComboBox()
        for delimiter in sheets.DELIMITERS:
            self.delimiter_combo.addItem(sheets.delimiter_name(delimiter).render(), delimiter)
        self.delimiter_combo.activated.connect(lambda _: self.read_file(chosen=True))
        self.country_combo = QComboBox()
        for code in COUNTRIES:
            self.country_combo.addItem(code, code)
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        form.addRow(self.tr("File:"), self.file_label)
        form.addRow(self.tr("&Import:"), self.kind_combo)
        form.addRow(self.tr("&Encoding:"), self.encoding_combo)
        form.addRow(self.tr("Cells &separated by:"), self.delimiter_combo)
        form.addRow(self.tr("Phones without a code are &from:"), self.country_combo)
        form.addRow("", self.found_label)
        return page

    def _columns_step(self) -> QWidget:
        page = QWidget()
        self.columns_table = QTableWidget(0, 3)
        self.columns_table.setHorizontalHeaderLabels(
            [self.tr("Column of the file"), self.tr("First values"), self.tr("Goes into")]
        )
        self.columns_table.verticalHeader().hide()
        self.columns_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.columns_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.saved_combo = QComboBox()
        self.saved_combo.activated.connect(self._use_saved)
        save = QPushButton(self.tr("Save mapping &as…"), clicked=self.save_mapping)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Saved &mapping:")))
        top.itemAt(0).widget().setBuddy(self.saved_combo)  # type: ignore[union-attr]
        top.addWidget(self.saved_combo, 1)
        top.addWidget(save)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.app_settings is not None:  # a window of this run only keeps no mappings
            layout.addLayout(top)
        layout.addWidget(self.columns_table, 1)
        return page

    def _check_step(self) -> QWidget:
        page = QWidget()
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.questions = QFormLayout()
        self.show_combo = QComboBox()
        for key, text in (
            ("all", self.tr("All rows")),
            ("problems", self.tr("Rows with problems")),
            ("duplicates", self.tr("Rows already in the CRM or earlier in the file")),
        ):
            self.show_combo.addItem(text, key)
        self.show_combo.currentIndexChanged.connect(self._filter)
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        actions = QHBoxLayout()
        actions.addWidget(QLabel(self.tr("&Show:")))
        actions.itemAt(0).widget().setBuddy(self.show_combo)  # type: ignore[union-attr]
        actions.addWidget(self.show_combo)
        actions.addStretch(1)
        actions.addWidget(QLabel(self.tr("Selected rows:")))
        self.row_actions: list[QWidget] = []
        for action, text in (
            (NEW, self.tr("Import as &new")),
            (MERGE, self.tr("Me&rge")),
            (SKIP, self.tr("S&kip")),
        ):
            button = QPushButton(text, clicked=lambda _=False, a=action: self.choose_for_selected(a))
            actions.addWidget(button)
            self.row_actions.append(button)
        self.counts_label = QLabel()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notes_label)
        layout.addLayout(self.questions)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts_label)
        return page

    def _done_step(self) -> QWidget:
        page = QWidget()
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_summary = QPushButton(self.tr("&Open the summary"), clicked=self._open_summary)
        self.summary_path: Path | None = None
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.done_label)
        layout.addWidget(self.open_summary, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    def _show_step(self, step: int) -> None:
        self.steps.setCurrentIndex(step)
        self.heading.setText(
            (
                self.tr("Step 1 of 3: the file"),
                self.tr("Step 2 of 3: which column is which"),
                self.tr("Step 3 of 3: check the rows, then import"),
                self.tr("Imported"),
            )[step]
        )
        self.back_button.setVisible(0 < step < 3)
        self.next_button.setVisible(step < 3)
        self.next_button.setText(self.tr("&Import") if step == 2 else self.tr("&Next"))
        self.close_button.setText(self.tr("Close") if step == 3 else self.tr("Cancel"))
        show_error(self.error, "")

    # --- step 1: the file ---

    def read_file(self, *, chosen: bool = False) -> None:
        encoding = self.encoding_combo.currentData() if chosen else None
        delimiter = self.delimiter_combo.currentData() if chosen else None
        self.next_button.setEnabled(False)
        run_job(
            self,
            self.ops,
            _read,
            self.path,
            encoding=encoding,
            delimiter=delimiter,
            title=fill(self.tr("Reading {file}"), file=self.path.name),
            on_done=self._read,
            on_error=lambda e: show_error(self.error, e.message),
        )

    def _read(self, sheet: Sheet) -> None:
        self.sheet = sheet
        for combo, value in ((self.encoding_combo, sheet.encoding), (self.delimiter_combo, sheet.delimiter)):
            combo.setEnabled(not sheet.is_workbook)
            if value is not None:
                combo.setCurrentIndex(max(combo.findData(value), 0))
        rows = fill(
            i18n.ngettext("{n} row", "{n} rows", len(sheet.rows)), n=i18n.number_text(len(sheet.rows))
        )
        if sheet.is_workbook:
            said = fill(self.tr("A workbook: its first sheet, {rows}."), rows=rows)
        else:
            said = fill(
                self.tr(
                    "Found: {encoding}, cells separated by {delimiter}, {rows}. If the names look wrong on "
                    "the next step, choose another encoding."
                ),
                encoding=sheet.encoding,
                delimiter=sheets.delimiter_name(sheet.delimiter).render(),
                rows=rows,
            )
        self.found_label.setText(said)
        self._fill_columns(import_fields.guess(self.kind, sheet.headers))
        self.next_button.setEnabled(True)

    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def _kind_changed(self) -> None:
        if self.sheet is not None:
            self._fill_columns(import_fields.guess(self.kind, self.sheet.headers))

    # --- step 2: the columns ---

    def _fill_columns(self, mapping: Mapping) -> None:
        assert self.sheet is not None
        sheet = self.sheet
        table = self.columns_table
        table.setRowCount(len(sheet.headers))
        fields = import_fields.fields_of(self.kind)
        for n, header in enumerate(sheet.headers):
            table.setItem(n, 0, QTableWidgetItem(header))
            sample = [cell_values.plain(r[n]) for r in sheet.rows[:SAMPLE_ROWS]]
            table.setItem(n, 1, QTableWidgetItem(in_its_own_order(" · ".join(s for s in sample if s))))
            combo = QComboBox()
            combo.addItem(self.tr("(not imported)"), None)
            for f in fields:
                combo.addItem(Message(f.label).render(), f.key)
            combo.setCurrentIndex(max(combo.findData(mapping.columns.get(n)), 0))
            table.setCellWidget(n, 2, combo)
        self._fill_saved()

    def mapping(self) -> Mapping:
        columns = {}
        for n in range(self.columns_table.rowCount()):
            combo = self.columns_table.cellWidget(n, 2)
            if isinstance(combo, QComboBox) and combo.currentData():
                columns[n] = combo.currentData()
        return Mapping(self.kind, columns)

    def _saved(self) -> dict[str, Any]:
        return dict(self.app_settings.get(SETTINGS_KEY) or {}) if self.app_settings is not None else {}

    def _fill_saved(self) -> None:
        self.saved_combo.clear()
        self.saved_combo.addItem(self.tr("(as guessed from the headers)"), None)
        for name, data in sorted(self._saved().items()):
            if data.get("kind") == self.kind:
                self.saved_combo.addItem(name, name)

    def _use_saved(self) -> None:
        name = self.saved_combo.currentData()
        assert self.sheet is not None
        if name is None:
            mapping = import_fields.guess(self.kind, self.sheet.headers)
        else:
            mapping = Mapping.from_json(self._saved()[name], self.sheet.headers)
        current = self.saved_combo.currentIndex()
        self._fill_columns(mapping)
        self.saved_combo.setCurrentIndex(current)

    def save_mapping(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save mapping"), self.tr("Name of the mapping:"))
        if ok and name.strip():
            assert self.sheet is not None
            saved = self._saved()
            saved[name.strip()] = self.mapping().to_json(self.sheet.headers)
            assert self.app_settings is not None
            self.app_settings.set(SETTINGS_KEY, saved)
            self._fill_saved()
            self.saved_combo.setCurrentIndex(self.saved_combo.findData(name.strip()))

    # --- step 3: the check ---

    def check(self, orders: dict[int, str] | None = None) -> None:
        """The file's first rows checked and shown at once, then all of it (a job the user may cancel)."""
        self._check(orders or {}, FIRST_ROWS)

    def _check(self, orders: dict[int, str], first: int | None) -> None:
        assert self.sheet is not None
        self.next_button.setEnabled(False)
        run_job(
            self,
            self.ops,
            _preview,
            self.sheet,
            self.mapping(),
            orders=orders,
            region=self.country_combo.currentData(),
            first=first,
            title=fill(self.tr("Checking {file}"), file=self.path.name),
            on_done=lambda preview: self._checked(preview, orders),
            on_error=self._check_failed,
            on_cancelled=lambda _: self._show_step(1),
        )

    def _check_failed(self, error: ServiceError) -> None:
        self._show_step(1)
        show_error(self.error, error.message)

    def _checked(self, preview: Preview, orders: dict[int, str]) -> None:
        self.preview = preview
        self.model = PreviewModel(preview, self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # of the rows in sight (100,000 would hold the window): a long note does not take it all
        self.table.horizontalHeader().setResizeContentsPrecision(0)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(
                column, min(self.table.columnWidth(column), 360 if column == 1 else 220)
            )
        self.model.dataChanged.connect(self._count)
        notes = [n.said.render() for n in preview.notes]
        self.notes_label.setText("\n".join(notes) or self.tr("Every column was read as its header says."))
        while self.questions.rowCount():
            self.questions.removeRow(0)
        self.order_combos: dict[int, QComboBox] = {}
        for q in preview.questions:
            combo = QComboBox()
            combo.addItem(self.tr("(choose)"), None)
            for order in q.choices:
                combo.addItem(Message(cell_values.ORDER_NAMES[order]).render(), order)
            combo.activated.connect(self._order_chosen)
            self.order_combos[q.column] = combo
            self.questions.addRow(fill(self.tr("Dates in '{column}' are written:"), column=q.header), combo)
        self._show_step(2)
        self._count()
        if not preview.complete and not preview.questions:  # (answered first: the rest asks the same)
            self._check(orders, None)

    def _order_chosen(self) -> None:
        if all(c.currentData() for c in self.order_combos.values()):
            assert self.preview is not None
            orders = {
                **self.preview.date_orders,
                **{k: c.currentData() for k, c in self.order_combos.items()},
            }
            self.check(orders)

    def _filter(self) -> None:
        if self.model is not None:
            self.model.show_only(self.show_combo.currentData())

    def choose_for_selected(self, action: str) -> None:
        if self.model is None:
            return
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        taken = self.model.choose(rows, action)
        if taken < len(rows):
            show_error(
                self.error,
                self.tr(
                    "Some selected rows cannot be imported that way (a row with a problem is skipped "
                    "until it is corrected; only a client that is there can be merged into)."
                ),
            )
        self._count()

    def _count(self) -> None:
        if self.preview is None:
            return
        complete = self.preview.complete  # the first rows only: what is done to them waits for the rest
        for widget in self.row_actions:
            widget.setEnabled(complete)
        if not complete:
            said = (
                self.tr(
                    "The first {n} rows are shown. Say how the dates are written, and the whole file is "
                    "checked."
                )
                if self.preview.questions
                else self.tr("The first {n} rows are shown while the rest of the file is checked.")
            )
            self.counts_label.setText(fill(said, n=i18n.number_text(len(self.preview.rows))))
            self.next_button.setEnabled(False)
            return
        c = self.preview.counts()
        self.counts_label.setText(
            fill(
                self.tr("{new} to import as new, {merge} to merge, {skip} to skip."),
                new=i18n.number_text(c[NEW]),
                merge=i18n.number_text(c[MERGE]),
                skip=i18n.number_text(c[SKIP]),
            )
        )
        self.next_button.setEnabled(not self.preview.questions and (c[NEW] or c[MERGE]) > 0)

    # --- writing ---

    def start_import(self) -> None:
        assert self.preview is not None
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)
        run_job(
            self,
            self.ops,
            _import,
            self.preview,
            self.path,
            title=fill(self.tr("Importing {file}"), file=self.path.name),
            on_done=self._imported,
            on_error=lambda e: self._import_failed(e.message),
            on_cancelled=lambda _: self._import_failed(
                self.tr("The import was cancelled; nothing was written.")
            ),
        )

    def _import_failed(self, message: str) -> None:
        self.next_button.setEnabled(True)
        self.back_button.setEnabled(True)
        show_error(self.error, message)

    def _imported(self, done: tuple[importing.Summary, Path | None, str]) -> None:
        summary, self.summary_path, problem = done
        said = [summary.message().render()]
        if self.summary_path is not None:
            said.append(fill(self.tr("The summary, row by row, is in {path}."), path=self.summary_path))
        else:
            said.append(problem)
        self.done_label.setText("\n\n".join(said))
        self.open_summary.setVisible(self.summary_path is not None)
        self._show_step(3)

    def _open_summary(self) -> None:
        if self.summary_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.summary_path)))

    # --- moving between the steps ---

    def next(self) -> None:
        step = self.steps.currentIndex()
        if step == 0:
            self._show_step(1)
        elif step == 1:
            self.check()
        elif step == 2:
            self.start_import()

    def back(self) -> None:
        self._show_step(max(self.steps.currentIndex() - 1, 0))
