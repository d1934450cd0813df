"""Under an issued document: its status, what was paid and when, the balance, and the actions that
remain for a business record — record a payment, cancel it with a reason, correct it with a credit
note, copy it as a new draft, open or send it as a PDF."""

from __future__ import annotations

import functools
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import documents, invoices, money, payments
from crm_desktop.services.invoices import DocumentDetail
from crm_desktop.services.payments import PaymentRow
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.invoices.send_mail import open_send_dialog
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops


@functools.cache
def pdf_folder() -> Path:
    """Where PDFs opened from the app are written: a temp folder of this user's own, made once per
    run (mkdtemp: nobody else on the PC may read it), not one shared /tmp folder for everyone."""
    return Path(tempfile.mkdtemp(prefix="crm-desktop-pdf-"))


def status_names(tr) -> dict[str, str]:
    return {
        "issued": tr("Issued, unpaid"),
        "partly_paid": tr("Partly paid"),
        "paid": tr("Paid"),
        "credited": tr("Credited"),
        "cancelled": tr("Cancelled"),
        "accepted": tr("Accepted"),
        "rejected": tr("Rejected"),
    }


class PaymentDialog(FormDialog):
    def __init__(self, ops: Ops, document: DocumentDetail, today: date, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.document = document
        self.setWindowTitle(fill(self.tr("Payment for {number}"), number=document.number))
        self.amount = QLineEdit(money.format_amount(document.balance, document.currency))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.paid_on = DateField(today)
        self.method = QComboBox()
        self.method.setEditable(True)
        self.method.addItems([self.tr("bank transfer"), self.tr("cash"), self.tr("card"), self.tr("other")])
        self.note = QLineEdit()
        self.add_row("amount", fill(self.tr("&Amount ({currency})"), currency=document.currency), self.amount)
        self.add_row("paid_on", self.tr("&Paid on"), self.paid_on)
        self.add_row("method", self.tr("&Method"), self.method)
        self.add_row("note", self.tr("&Note"), self.note)
        self.finish_layout(
            QLabel(
                fill(
                    self.tr("Balance due: {balance}"), balance=money_text(document.balance, document.currency)
                )
            )
        )
        self.amount.selectAll()
        self.amount.setFocus()

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            payments.record_payment,
            self.document.id,
            amount=self.amount.text().strip(),
            paid_on=self.paid_on.typed_date(),
            method=self.method.currentText(),
            note=self.note.text(),
            request_id=self.request_id,
            on_done=on_done,
            on_error=on_error,
        )


class CancelDialog(FormDialog):
    def __init__(self, ops: Ops, document: DocumentDetail, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.document = document
        self.setWindowTitle(fill(self.tr("Cancel {number}"), number=document.number))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("e.g. issued to the wrong client"))
        self.add_row("cancel_reason", self.tr("&Reason"), self.reason)
        self.finish_layout(QLabel(self.tr("The number stays used; the document is kept, marked cancelled.")))

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            documents.cancel,
            self.document.id,
            reason=self.reason.text(),
            expected_version=self.document.version,
            on_done=on_done,
            on_error=on_error,
        )


class RemovePaymentDialog(FormDialog):
    """A payment recorded by mistake taken back, with the reason (kept in the log and the timeline)."""

    def __init__(
        self, ops: Ops, document: DocumentDetail, payment: PaymentRow, parent: QWidget | None = None
    ):
        super().__init__(ops, parent)
        self.payment = payment
        self.setWindowTitle(fill(self.tr("Remove a payment from {number}"), number=document.number))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("e.g. entered twice, or for another invoice"))
        self.add_row("reason", self.tr("&Reason"), self.reason)
        remove = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        remove.setText(self.tr("Remove payment"))
        self.finish_layout(
            QLabel(
                fill(
                    self.tr("The payment of {amount} on {day} is removed; the balance due grows by as much."),
                    amount=money_text(payment.amount, document.currency),
                    day=day_text(payment.paid_on),
                )
            )
        )

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            payments.delete_payment,
            self.payment.id,
            reason=self.reason.text(),
            expected_version=self.payment.version,
            on_done=on_done,
            on_error=on_error,
            initiator=self,
        )


class PaymentsPanel(QWidget):
    changed = Signal(object)  # the DocumentDetail after a payment or a cancellation
    draft_made = Signal(object)  # a new draft (copy, or invoice from a quote) to open
    pdf_written = Signal(object)  # Path of the PDF, opened in the system's viewer
    pdf_saved = Signal(object)  # Path the user chose with Save PDF as…

    def __init__(self, ops: Ops, document: DocumentDetail, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.document = ops, document
        self.dialog: FormDialog | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)  # a line of its own above the buttons, wrapped only when it must
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels([self.tr("Paid on"), self.tr("Amount"), self.tr("Method"), self.tr("Note")])
        self.list.setMaximumHeight(110)
        self.can_remove = False  # told by the service: a server keeps payments for good
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(
            lambda pos: self.payment_menu(self.list.itemAt(pos)).popup(self.list.viewport().mapToGlobal(pos))
        )
        self.pay_button = QPushButton(self.tr("Record payment…"))
        self.pay_button.clicked.connect(self.record_payment)
        self.cancel_button = QPushButton(self.tr("Cancel…"))
        self.cancel_button.setToolTip(self.tr("Cancel it with a reason; the number stays used"))
        self.cancel_button.clicked.connect(self.cancel_document)
        self.credit_button = QPushButton(self.tr("Credit note"))
        self.credit_button.setToolTip(
            self.tr("Correct this invoice: a credit note lowers what the client owes")
        )
        self.credit_button.clicked.connect(self.make_credit_note)
        self.copy_button = QPushButton(
            self.tr("Make invoice") if document.kind == "quote" else self.tr("Duplicate")
        )
        self.copy_button.clicked.connect(self.copy)
        self.accept_button = QPushButton(self.tr("Accepted"))
        self.accept_button.setToolTip(self.tr("The client accepted this quote"))
        self.accept_button.clicked.connect(lambda: self.answer(accepted=True))
        self.reject_button = QPushButton(self.tr("Rejected"))
        self.reject_button.setToolTip(self.tr("The client turned this quote down"))
        self.reject_button.clicked.connect(lambda: self.answer(accepted=False))
        self.pdf_button = QPushButton(self.tr("Open PDF"))
        self.pdf_button.setToolTip(self.tr("Opens the PDF in your PDF viewer, to print or send"))
        self.pdf_button.clicked.connect(self.open_pdf)
        self.save_pdf_button = QPushButton(self.tr("Save PDF as…"))
        self.save_pdf_button.clicked.connect(self.save_pdf_as)
        self.pdf_message: QMessageBox | None = None
        self.save_dialog: QFileDialog | None = None
        self.send_button = QPushButton(self.tr("Send by email…"))
        self.send_button.setToolTip(self.tr("The PDF attached to an email to the client"))
        self.send_button.clicked.connect(self.send_by_email)
        buttons = QHBoxLayout()
        for button in (
            self.pdf_button,
            self.save_pdf_button,
            self.send_button,
            self.pay_button,
            self.credit_button,
            self.cancel_button,
            self.accept_button,
            self.reject_button,
            self.copy_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        self.pdf_written.connect(self._show_pdf)
        self.show_document(document)

    def show_document(self, document: DocumentDetail) -> None:
        self.document = document
        invoice = document.kind == "invoice"
        self.summary.setText(self._summary(document))
        self.pay_button.setVisible(invoice and document.status in payments.PAYABLE)
        self.credit_button.setVisible(invoice and document.status in invoices.CREDITABLE)
        self.cancel_button.setVisible(document.status == "issued")
        self.send_button.setVisible(document.status != "cancelled")
        open_quote = document.kind == "quote" and document.status == "issued"
        self.accept_button.setVisible(open_quote)
        self.reject_button.setVisible(open_quote)
        # An invoice is copied; a quote the client did not turn down becomes an invoice.
        self.copy_button.setVisible(
            invoice or document.kind == "quote" and document.status in ("issued", "accepted")
        )
        self.list.setVisible(invoice)
        if invoice:
            self.ops.read(payments.list_payments, document.id, on_done=self._payments_loaded)
            self.ops.read(payments.removable, on_done=lambda can: setattr(self, "can_remove", can))

    def _summary(self, document: DocumentDetail) -> str:
        parts = [status_names(self.tr).get(document.status, document.status)]

        def amount(value) -> str:
            return money_text(value, document.currency)

        if document.kind == "credit_note":
            parts.append(fill(self.tr("corrects invoice {number}"), number=document.related_number))
        elif document.kind == "invoice":
            parts.append(fill(self.tr("paid {paid}"), paid=amount(document.paid_total)))
            if document.credited_total:
                parts.append(fill(self.tr("credited {credited}"), credited=amount(document.credited_total)))
            if document.balance < 0:
                parts.append(
                    fill(self.tr("due back to the client {refund}"), refund=amount(-document.balance))
                )
            else:
                parts.append(fill(self.tr("balance due {balance}"), balance=amount(document.balance)))
            if (
                document.status in payments.PAYABLE
                and document.due_date is not None
                and document.due_date < self.ops.ctx.today()
            ):
                parts.append(fill(self.tr("overdue since {day}"), day=day_text(document.due_date)))
        return " · ".join(parts)

    def _payments_loaded(self, rows) -> None:
        self.list.clear()
        for p in rows:
            item = QTreeWidgetItem(
                [day_text(p.paid_on), money_text(p.amount, self.document.currency), p.method, p.note]
            )
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, Qt.ItemDataRole.UserRole, p)
            self.list.addTopLevelItem(item)
        for column in range(3):
            self.list.resizeColumnToContents(column)

    def payment_menu(self, item: QTreeWidgetItem | None) -> QMenu:
        menu = QMenu(self)
        payment = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if payment is not None and self.can_remove and self.document.status != "cancelled":
            menu.addAction(self.tr("Remove payment…"), lambda: self.remove_payment(payment))
        if menu.isEmpty():
            menu.addAction(self.tr("Payments are kept for good; correct one with a credit note.")).setEnabled(
                False
            )
        return menu

    def remove_payment(self, payment: PaymentRow) -> FormDialog:
        return self._open(RemovePaymentDialog(self.ops, self.document, payment, self))

    def _pdf_name(self) -> str:
        return f"{self.document.number or self.document.id}.pdf".replace("/", "-")

    def open_pdf(self) -> None:
        target = pdf_folder() / self._pdf_name()
        self.ops.read(documents.write_pdf, self.document.id, target, on_done=self.pdf_written.emit)

    def _show_pdf(self, path: Path) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._no_viewer(path)

    def _no_viewer(self, path: Path) -> QMessageBox:
        """Without a PDF viewer the file is still there: say where, and offer to keep a copy elsewhere."""
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("No program opened the PDF"),
            fill(
                self.tr(
                    "This PC has no program that opens PDF files, or it did not start. The PDF is saved "
                    "here:\n{path}\nSave a copy where you keep documents, or open its folder."
                ),
                path=path,
            ),
            QMessageBox.StandardButton.Close,
            self,
        )
        save = box.addButton(self.tr("Save as…"), QMessageBox.ButtonRole.ActionRole)
        folder = box.addButton(self.tr("Show in folder"), QMessageBox.ButtonRole.ActionRole)
        save.clicked.connect(self.save_pdf_as)
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
        self.pdf_message = box
        box.open()
        return box

    def save_pdf_as(self) -> QFileDialog:
        """The PDF written where the user chooses (to keep it, or to send it some other way)."""
        dialog = QFileDialog(self, self.tr("Save PDF as"), str(Path.home() / self._pdf_name()))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("PDF documents (*.pdf)"))
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(
            lambda chosen: self.ops.read(
                documents.write_pdf, self.document.id, Path(chosen), on_done=self.pdf_saved.emit
            )
        )
        self.save_dialog = dialog
        dialog.open()
        return dialog

    def send_by_email(self) -> None:
        open_send_dialog(self.ops, self.document.id, self, lambda dialog: setattr(self, "dialog", dialog))

    def answer(self, *, accepted: bool) -> None:
        self.ops.write(
            documents.answer_quote,
            self.document.id,
            accepted=accepted,
            expected_version=self.document.version,
            on_done=self._reloaded,
        )

    def record_payment(self) -> PaymentDialog:
        return self._open(PaymentDialog(self.ops, self.document, self.ops.ctx.today(), self))

    def cancel_document(self) -> CancelDialog:
        return self._open(CancelDialog(self.ops, self.document, self))

    def make_credit_note(self) -> None:
        self.ops.write(documents.credit_note_for, self.document.id, on_done=self.draft_made.emit)

    def copy(self) -> None:
        make = documents.invoice_from_quote if self.document.kind == "quote" else documents.duplicate
        self.ops.write(make, self.document.id, on_done=self.draft_made.emit)

    def _open(self, dialog: FormDialog) -> FormDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(
            lambda _result: self.ops.read(invoices.get, self.document.id, on_done=self._reloaded)
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    def _reloaded(self, document: DocumentDetail) -> None:
        self.show_document(document)
        self.changed.emit(document)
