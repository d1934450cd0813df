"""The invoices workspace: invoices, quotes or credit notes, a status filter and a search over a lazily
loaded list, with totals per currency.

Drafts open in the editor (where they are issued); issued documents open read-only, with their
payments, and can be paid, credited, cancelled, copied, opened as a PDF or sent there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QModelIndex, QSettings, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import exports, invoices
from crm_desktop.services.context import Changes
from crm_desktop.services.invoices import OVERDUE, OWING, DocumentDetail, DocumentFilter, DocumentRow
from crm_desktop.ui import list_export
from crm_desktop.ui.company_watch import CompanyWatch
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.invoices.editor import InvoiceEditor
from crm_desktop.ui.invoices.receivables import ReceivablesDialog
from crm_desktop.ui.jobs import Job, run_job
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.list_footer import ListFooter
from crm_desktop.ui.list_table import ListTable
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.search_delay import SearchDelay

TABLES = frozenset({"documents", "document_lines", "clients", "payments", "company_profile"})
_OVERDUE = QBrush(QColor("#b91c1c"))


def tr(text: str, context: str | None = None) -> str:
    return QCoreApplication.translate("InvoicesView", text, context)


def kinds() -> list[tuple[str, str]]:
    return [(tr("Invoices"), "invoice"), (tr("Quotes"), "quote"), (tr("Credit notes"), "credit_note")]


def statuses() -> list[tuple[str, str | None]]:
    return [
        (tr("All"), None),
        (tr("Draft"), "draft"),
        (tr("Issued"), "issued"),
        (tr("Partly paid"), "partly_paid"),
        (tr("Paid"), "paid"),
        (tr("Unpaid"), OWING),
        (tr("Overdue"), OVERDUE),
        (tr("Credited"), "credited"),
        (tr("Accepted"), "accepted"),
        (tr("Rejected"), "rejected"),
        (tr("Cancelled"), "cancelled"),
    ]


def is_overdue(row: DocumentRow, today: date) -> bool:
    return (
        row.status in ("issued", "partly_paid")
        and row.due_date is not None
        and row.due_date < today
        and row.balance > 0
    )


def columns() -> list[Column]:
    names = {key: name for name, key in statuses() if key}

    def day(d) -> str:
        return day_text(d)

    return [
        Column(tr("Number"), lambda d: d.number or fill(tr("Draft #{id}"), id=d.id), "number", width=130),
        Column(tr("Client"), lambda d: d.client_name, "client", width=200),
        Column(tr("Issued"), lambda d: day(d.issue_date), "issue_date", width=100),
        Column(tr("Due"), lambda d: day(d.due_date), "due_date", width=100),
        Column(tr("Total"), lambda d: money_text(d.total, d.currency), "total", align_right=True, width=150),
        Column(
            tr("Balance"),
            lambda d: money_text(d.balance, d.currency) if d.kind == "invoice" else "",
            align_right=True,
            width=150,
        ),
        Column(tr("Status"), lambda d: names.get(d.status, d.status), "status", width=100),
    ]


def _filter(query: tuple[str, str | None, str]) -> DocumentFilter:
    kind, status, search = query
    return DocumentFilter(kind=kind, status=status, search=search)


def _fetch(ctx, query, sort, descending, offset, limit):
    return invoices.list_documents(
        ctx, _filter(query), sort=sort, descending=descending, offset=offset, limit=limit
    )


def _count(ctx, query) -> int:
    return invoices.count_documents(ctx, _filter(query))


class InvoicesView(QWidget):
    def __init__(
        self,
        ops: Ops,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        company: CompanyWatch | None = None,
    ):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.today = ops.ctx.today()
        self.editor: InvoiceEditor | None = None
        # The default currency of new documents: the window's watch when there is one (read once for all).
        self.company = company or CompanyWatch(ops, self)
        self._totals_generation = 0

        self.kind = QComboBox()
        for name, key in kinds():
            self.kind.addItem(name, key)
        self.kind.setCurrentIndex(max(self.kind.findData(settings.value("invoices/kind")), 0))
        self.status = QComboBox()
        for name, key in statuses():
            self.status.addItem(name, key)
        remembered = self.status.findData(settings.value("invoices/status"))
        self.status.setCurrentIndex(max(remembered, 0))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by invoice number or client…"))
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton(tr("New invoice"))
        self.new_button.setToolTip(tr("Ctrl+N"))
        self.new_button.clicked.connect(self.new_invoice)
        top = QHBoxLayout()
        self.kind.setToolTip(tr("Which documents are listed"))
        self.status.setToolTip(tr("Status"))
        top.addWidget(self.kind)
        top.addWidget(self.status)
        self.export_button = QPushButton(tr("Export"))
        export_menu = QMenu(self.export_button)
        export_menu.addAction(tr("The list as a table (Excel, CSV)…"), self.choose_export_file)
        pdfs = export_menu.addAction(tr("PDFs to a folder…"), self.choose_export_folder)
        pdfs.setToolTip(tr("The selected invoices (or all listed) as PDF files in a folder"))
        export_menu.setToolTipsVisible(True)
        self.export_button.setMenu(export_menu)
        self.receivables_button = QPushButton(tr("Receivables…"))
        self.receivables_button.setToolTip(tr("Who owes what, and for how long"))
        self.receivables_button.clicked.connect(self.show_receivables)
        top.addWidget(self.search, 1)
        top.addWidget(self.receivables_button)
        if ops.ctx.actor.can_export:  # export is a right of its own, not everyone's
            top.addWidget(self.export_button)
        else:
            self.export_button.hide()
        top.addWidget(self.new_button)

        self.columns = columns()
        self.model = LazyTableModel(
            ops,
            self.columns,
            _fetch,
            _count,
            query=self._query(),
            sort="issue_date",
            descending=True,
            highlight=lambda d: _OVERDUE if is_overdue(d, self.today) else None,
            parent=self,
        )
        self.table = ListTable(self.model, settings, "columns/invoices_view", several=True)
        self.table.activated.connect(self.open_row)

        self.footer = ListFooter()
        self.summary, self.totals = self.footer.count, self.footer.totals

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.footer)

        SearchDelay(self.search, self._apply_filter)
        self.status.currentIndexChanged.connect(self._status_changed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._show_new_button()
        self.model.modelReset.connect(self._load_totals)
        self.model.total_changed.connect(self._show_count)
        WhenShown(self, ops, TABLES, self._refresh)

    def start(self) -> None:
        self.model.reload()
        self.company.start()

    # --- filter and totals ---

    def _query(self) -> tuple[str, str | None, str]:
        return self.kind.currentData(), self.status.currentData(), self.search.text().strip()

    def _status_changed(self) -> None:
        self.settings.setValue("invoices/status", self.status.currentData() or "")
        self._apply_filter()

    def _kind_changed(self) -> None:
        self.settings.setValue("invoices/kind", self.kind.currentData())
        self._show_new_button()
        self._apply_filter()

    def _show_new_button(self) -> None:
        kind = self.kind.currentData()
        # A credit note is made from the invoice it corrects, not from scratch.
        self.new_button.setVisible(kind != "credit_note")
        self.new_button.setText(self.new_item_text())

    def _apply_filter(self) -> None:
        self.model.set_query(self._query())

    def _load_totals(self) -> None:
        self._totals_generation += 1
        generation, query = self._totals_generation, self.model.query
        self.ops.read(
            invoices.totals_by_currency,
            _filter(query),
            on_done=lambda sums: self._show_totals(generation, sums),
        )

    def _show_totals(self, generation: int, sums: list) -> None:
        if generation != self._totals_generation:
            return
        if self.kind.currentData() == "invoice":
            lines = [
                fill(
                    tr("Total {total}   Balance {balance}"),
                    total=money_text(total, code),
                    balance=money_text(balance, code),
                )
                for code, total, balance in sums
            ]
        else:
            lines = [fill(tr("Total {total}"), total=money_text(total, code)) for code, total, _ in sums]
        self.totals.setText("\n".join(lines))

    def _show_count(self, total: int) -> None:
        filtered = self.status.currentData() is not None or bool(self.search.text().strip())
        if total == 0:
            self.summary.setText(tr("Nothing matches.") if filtered else tr("None yet."))
        else:
            grouped = i18n.number_text(total)
            self.summary.setText(
                fill(tr("{total} found") if filtered else tr("{total} in all"), total=grouped)
            )

    def _refresh(self, _changes: Changes) -> None:
        self.today = self.ops.ctx.today()
        self.model.reload()

    # --- opening ---

    def new_item(self) -> None:
        """Ctrl+N and File → New on this page: a document of the kind shown (an invoice from the credit
        notes, which are made from their invoice)."""
        if self.kind.currentData() == "credit_note":
            self.kind.setCurrentIndex(self.kind.findData("invoice"))
        self.new_invoice()

    def new_item_text(self) -> str:
        return tr("New quote") if self.kind.currentData() == "quote" else tr("New invoice")

    def new_invoice(self) -> None:
        if self.kind.currentData() != "credit_note":
            self._show_editor(None)

    def open_row(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_document(self.model.row(index.row()).id)

    def show_receivables(self) -> ReceivablesDialog:
        self.receivables = ReceivablesDialog(self.ops, self)
        self.receivables.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.receivables.client_chosen.connect(self._show_client_invoices)
        self.receivables.open()
        return self.receivables

    def show_unpaid(self) -> None:
        """The invoices clients still owe money on (the dashboard's receivables)."""
        self.kind.setCurrentIndex(max(0, self.kind.findData("invoice")))
        self.search.clear()
        self.status.setCurrentIndex(self.status.findData(OWING))

    def _show_client_invoices(self, client_name: str) -> None:
        self.kind.setCurrentIndex(0)
        self.status.setCurrentIndex(0)  # all statuses: paid ones too, for the whole story
        self.search.setText(client_name)

    # --- export ---

    def selected_rows(self) -> list[DocumentRow]:
        """The chosen rows in list order, or every loaded row when none is chosen."""
        chosen = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row(r) for r in (chosen or range(self.model.rowCount()))]

    def choose_export_file(self) -> None:
        list_export.choose_and_export(
            self,
            self.ops,
            self.model,
            self.table,
            "documents",
            "invoices",
            lambda said: list_export.say(self, said),
        )

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Export PDFs to"), str(Path.home()))
        if folder:
            self.export_pdfs(Path(folder))

    def export_pdfs(self, folder: Path) -> Job:
        """PDFs of the chosen invoices into `folder` as a job with progress and Cancel (exports.invoice_pdfs:
        Cancel keeps the PDFs already written, each whole, and says how many)."""
        rows = self.selected_rows()
        self.export = run_job(
            self,
            self.ops,
            exports.invoice_pdfs,
            [row.id for row in rows],
            folder,
            title=tr("Export PDFs"),
            on_done=lambda written: self._exported(written, folder, cancelled=False),
            on_cancelled=lambda stop: self._exported(stop.partial or [], folder, cancelled=True),
        )
        return self.export

    def _exported(self, written: list[Path], folder: Path, *, cancelled: bool) -> None:
        text = fill(
            ngettext("1 PDF written to {folder}.", "{n} PDFs written to {folder}.", len(written)),
            n=len(written),
            folder=folder,
        )
        self.summary.setText(text + (" " + tr("Stopped before the rest.") if cancelled else ""))

    def edit_document(self, document: DocumentDetail) -> None:
        """Open a document already loaded (e.g. the invoice draft a won deal offered)."""
        self._show_editor(document)

    def open_document(self, document_id: int) -> None:
        """Open a document in the editor (read-only unless it is a draft); global search uses this."""
        self.ops.read(invoices.get, document_id, on_done=self._show_editor)

    def _show_editor(self, document: DocumentDetail | None) -> None:
        if self.editor is not None and self.editor.isVisible():
            self.editor.raise_()
            return
        editor = InvoiceEditor(
            self.ops,
            document,
            kind=self.kind.currentData(),
            currency=self.company.default_currency,
            today=self.ops.ctx.today(),
            parent=self,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Only this editor's own end clears the reference: the next one may already be open.
        editor.destroyed.connect(lambda *_: setattr(self, "editor", None) if self.editor is editor else None)
        if editor.payments is not None:  # a copy or an invoice made from this quote opens at once
            editor.payments.draft_made.connect(lambda draft: (editor.accept(), self._show_editor(draft)))
        self.editor = editor
        editor.open()
