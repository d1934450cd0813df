"""A report on paper or in a PDF: its title, period and whose figures, the rows as the table shows them and
the totals — laid out by Qt's text engine, so Arabic reads right to left and every script is shaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, Qt
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from crm_desktop import i18n
from crm_desktop.i18n import Message
from crm_desktop.services.reports import NUMERIC
from crm_desktop.ui.reports.model import ReportModel


def html_of(model: ReportModel, title: str, subtitle: str) -> str:
    direction = "rtl" if i18n.is_right_to_left() else "ltr"
    start, end = ("right", "left") if direction == "rtl" else ("left", "right")
    head = "".join(
        f'<th align="{end if c.kind in NUMERIC else start}">{escape(Message(c.title).render())}</th>'
        for c in model.columns
    )
    body = []
    for r in range(model.rowCount()):
        cells = []
        for c, column in enumerate(model.columns):
            text = escape(str(model.data(model.index(r, c)) or ""))
            if model.is_total(r):
                text = f"<b>{text}</b>"
            cells.append(f'<td align="{end if column.kind in NUMERIC else start}">{text}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<html dir="{direction}"><body style="font-size: 9pt">'
        f"<h2>{escape(title)}</h2><p>{escape(subtitle)}</p>"
        '<table width="100%" cellspacing="0" cellpadding="3" border="1" style="border-collapse: collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>"
    )


def document(model: ReportModel, title: str, subtitle: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    if i18n.is_right_to_left():
        option = doc.defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.RightToLeft)
        doc.setDefaultTextOption(option)
    doc.setHtml(html_of(model, title, subtitle))
    return doc


def landscape(device: QPagedPaintDevice) -> None:
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )


def write_pdf(model: ReportModel, title: str, subtitle: str, path: Path) -> None:
    """The report into a PDF at `path`, whole or not at all (written beside it, then moved into place)."""
    partial = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(partial))
    writer.setTitle(title)
    writer.setResolution(300)
    landscape(writer)
    doc = document(model, title, subtitle)
    doc.setPageSize(QSizeF(writer.pageLayout().paintRectPixels(writer.resolution()).size()))
    doc.print_(writer)
    del writer  # the file is finished when the writer goes
    partial.replace(path)
