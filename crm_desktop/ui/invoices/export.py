"""PDFs of the chosen invoices into a folder, one after another off the GUI thread, with progress and
Cancel. Cancel stops before the next file: the PDFs already written stay, none is left half-written
(each is written whole by reportlab before the next starts)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from crm_desktop.services import documents
from crm_desktop.services.invoices import DocumentRow
from crm_desktop.ui.ops import Ops


def file_name(doc: DocumentRow) -> str:
    name = doc.number or f"draft-{doc.id}"
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name) + ".pdf"


class PdfExport(QObject):
    finished = Signal(list, bool)  # the files written, and whether it was cancelled

    def __init__(self, ops: Ops, rows: list[DocumentRow], folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.rows, self.folder = ops, rows, Path(folder)
        self.written: list[Path] = []
        self.progress = QProgressDialog(self.tr("Writing PDFs…"), self.tr("Cancel"), 0, len(rows), parent)
        self.progress.setWindowTitle(self.tr("Export PDFs"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(lambda: self._stop(cancelled=True))
        self._next = 0
        self._done = False

    def start(self) -> None:
        self.progress.setValue(0)
        self._write_next()

    def _write_next(self) -> None:
        if self._done:
            return
        if self._next >= len(self.rows):
            self._stop(cancelled=False)
            return
        doc = self.rows[self._next]
        self.progress.setLabelText(self.tr("Writing {name} ({n} of {total})…").format(
            name=file_name(doc), n=self._next + 1, total=len(self.rows)))
        self.ops.run(documents.write_pdf, doc.id, self.folder / file_name(doc), on_done=self._written,
                     on_error=self._failed)

    def _written(self, path: Path) -> None:
        self.written.append(path)
        self._next += 1
        if not self._done:
            self.progress.setValue(self._next)
        self._write_next()

    def _failed(self, error) -> None:
        self._stop(cancelled=True)
        self.ops.show_problem(self.tr("{message}\n{n} PDF(s) were written before this one.").format(
            message=error.message, n=len(self.written)))

    def _stop(self, *, cancelled: bool) -> None:
        if self._done:
            return
        self._done = True
        self.progress.reset()
        self.finished.emit(self.written, cancelled)
