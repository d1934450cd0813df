"""Export… of a list as it is shown: its filters, its sort, the columns shown in their order, each cell as
the list writes it, into an XLSX workbook or a CSV file (services/exports.list_file writes the file,
checks the export right and logs it). The rows are read a page at a time in the job, as the list reads
them, so 100,000 rows never sit in memory or stall the window."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QMainWindow, QTableView, QWidget

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import exports
from crm_desktop.ui.jobs import Job, run_job
from crm_desktop.ui.lazy_model import Column, ServiceTableModel
from crm_desktop.ui.ops import Ops

PAGE = 1000


def tr(text: str) -> str:
    return QCoreApplication.translate("ListExport", text)


def say(widget: QWidget, text: str) -> None:
    """`text` in the status bar of the window `widget` is in (where a finished job says what it did)."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 15_000)


def choose_file(parent: QWidget, title: str, name: str, filters: str) -> Path | None:
    """The file the user chose in a save dialog, with the suffix of the chosen kind if they typed none."""
    chosen, kind = QFileDialog.getSaveFileName(parent, title, str(Path.home() / name), filters)
    if not chosen:
        return None
    path = Path(chosen)
    if not path.suffix and "*." in kind:
        path = path.with_suffix("." + kind.split("*.")[1].split(")")[0].split()[0])
    return path


def choose_and_export(
    parent: QWidget,
    ops: Ops,
    model: ServiceTableModel,
    table: QTableView,
    entity: str,
    name: str,
    on_done: Callable[[str], None],
) -> Job | None:
    """Export… : the file asked for, then the list into it; `on_done` is given what to say after."""
    path = choose_file(
        parent,
        tr("Export the list"),
        f"{name}.xlsx",
        tr("Excel workbook (*.xlsx);;CSV, for any spreadsheet (*.csv)"),
    )
    return export_to(parent, ops, model, table, entity, path, on_done) if path is not None else None


def shown_columns(model: ServiceTableModel, table: QTableView) -> list[Column]:
    header = table.horizontalHeader()
    logical = [header.logicalIndex(v) for v in range(header.count())]
    return [model.columns[i] for i in logical if not header.isSectionHidden(i)]


def export_to(
    parent: QWidget,
    ops: Ops,
    model: ServiceTableModel,
    table: QTableView,
    entity: str,
    path: Path,
    on_done: Callable[[str], None],
) -> Job:
    columns = shown_columns(model, table)
    details = {"query": repr(model.query), "sort": model.sort_by, "descending": model.descending}
    return run_job(
        parent,
        ops,
        _export,
        path,
        entity,
        columns,
        model,
        details,
        title=fill(tr("Export to {file}"), file=path.name),
        on_done=lambda n: on_done(
            fill(ngettext("1 row exported to {file}.", "{n} rows exported to {file}.", n), n=n, file=path)
        ),
    )


def _export(
    ctx: Any,
    path: Path,
    entity: str,
    columns: Sequence[Column],
    model: ServiceTableModel,
    details: dict[str, object],
    *,
    progress: Any,
) -> int:
    headings = [c.title for c in columns]
    return exports.list_file(
        ctx, path, entity, headings, _rows(ctx, model, columns), model.total, details, progress=progress
    )


def _rows(ctx: Any, model: ServiceTableModel, columns: Sequence[Column]) -> Iterator[list[str]]:
    offset = 0
    while True:
        page = model.rows_page(ctx, offset, PAGE)
        for row in page:
            yield [c.text(row) for c in columns]
        if len(page) < PAGE:
            return
        offset += PAGE
