"""The workload grid as a PDF for the weekly meeting: A4 landscape, the days across, a row per team and
person as on screen with the same colours, the day heads repeated on every page; right to left in
Arabic. Exporting it needs the export right and is in the audit log (workload.sheet_exported)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen
from PySide6.QtWidgets import QWidget

from crm_desktop.i18n import fill, is_right_to_left
from crm_desktop.services import workload
from crm_desktop.services.workload import Workload
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.list_export import choose_file, say
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.workload.grid import COLOURS, TEAM, GridRow, cell_text, day_head

NAME_WIDTH, ROW_HEIGHT, HEAD_HEIGHT = 150.0, 18.0, 28.0  # points


def tr(text: str) -> str:
    return QCoreApplication.translate("Workload", text)


def export_sheet(parent: QWidget, ops: Ops, seen: Workload, rows: list[GridRow]) -> None:
    path = choose_file(
        parent, tr("Export the workload"), f"workload-{seen.days[0].isoformat()}.pdf", "PDF (*.pdf)"
    )
    if path is None:
        return
    ops.write(
        workload.sheet_exported,
        seen.days[0],
        len(rows),
        on_done=lambda _none: (
            write_sheet(path, seen, rows),
            say(parent, fill(tr("Saved {path}"), path=str(path))),
        ),
    )


def write_sheet(path: Path, seen: Workload, rows: list[GridRow]) -> None:
    writer = QPdfWriter(str(path))
    margins = QMarginsF(28, 28, 28, 28)
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape, margins)
    )
    writer.setResolution(72)  # (a unit is a point)
    writer.setTitle(tr("Workload"))
    painter = QPainter(writer)
    try:
        _Sheet(painter, writer.width(), is_right_to_left()).paint(writer, writer.height(), seen, rows)
    finally:
        painter.end()


class _Sheet:
    def __init__(self, painter: QPainter, width: float, rtl: bool):
        self.painter, self.width, self.rtl = painter, width, rtl
        self.plain, self.bold, self.title = (
            QFont("DejaVu Sans", 7),
            QFont("DejaVu Sans", 7),
            QFont("DejaVu Sans", 11),
        )
        self.bold.setBold(True)
        self.title.setBold(True)

    def box(self, left: float, top: float, span: float, tall: float, text: str, colour: QColor | None,
            font: QFont, *, name: bool = False) -> None:  # fmt: skip
        x = self.width - left - span if self.rtl else left
        rect = QRectF(x, top, span, tall)
        if colour is not None:
            self.painter.fillRect(rect, colour)
        self.painter.setPen(QPen(QColor("#9a9a9a"), 0.5))
        self.painter.drawRect(rect)
        self.painter.setPen(QColor("#1d1d1d"))
        self.painter.setFont(font)
        across = Qt.AlignmentFlag.AlignLeading if name else Qt.AlignmentFlag.AlignHCenter
        self.painter.drawText(rect.adjusted(3, 0, -3, 0), int(across | Qt.AlignmentFlag.AlignVCenter), text)

    def paint(self, writer: QPdfWriter, height: float, seen: Workload, rows: list[GridRow]) -> None:
        column = (self.width - NAME_WIDTH) / max(len(seen.days), 1)
        per_page = int((height - HEAD_HEIGHT - 24) // ROW_HEIGHT)
        heading = fill(
            tr("Workload {first} – {last}"), first=day_text(seen.days[0]), last=day_text(seen.days[-1])
        )
        for page, start in enumerate(range(0, max(len(rows), 1), per_page)):
            if page:
                writer.newPage()
            self.painter.setFont(self.title)
            align = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
            self.painter.drawText(QRectF(0, 0, self.width, 20), int(align), heading)
            top = 24.0
            self.box(0, top, NAME_WIDTH, HEAD_HEIGHT, "", None, self.bold)
            for n, day in enumerate(seen.days):
                self.box(NAME_WIDTH + n * column, top, column, HEAD_HEIGHT, day_head(day), None, self.bold)
            top += HEAD_HEIGHT
            for row in rows[start : start + per_page]:
                font = self.bold if row.kind == "team" else self.plain
                shade = TEAM if row.kind == "team" else None
                self.box(0, top, NAME_WIDTH, ROW_HEIGHT, row.name, shade, font, name=True)
                for n, cell in enumerate(row.cells):
                    colour = shade if row.kind != "person" else COLOURS[cell.state]
                    self.box(
                        NAME_WIDTH + n * column, top, column, ROW_HEIGHT, cell_text(row, cell), colour, font
                    )
                top += ROW_HEIGHT
