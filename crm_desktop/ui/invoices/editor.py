"""The draft editor: client, currency, dates, line items and totals that follow every keystroke.

Totals are computed here, in pure Python, by the same rule the service stores them with
(invoices.preview_totals), so what the editor shows is what the saved document will say. Saving is
FormDialog's: a request id per editor (a retried save never makes a second draft), retries while the
server is gone, a merge when someone saved the draft meanwhile, refusals next to the field or cell,
and everything typed kept.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import documents, invoices, money
from crm_desktop.services.context import DatabaseUnavailable
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.services.invoices import DEFAULT_PAYMENT_DAYS, DocumentDetail, LineValues
from crm_desktop.services.money import plain_text
from crm_desktop.ui.client_picker import ClientPicker
from crm_desktop.ui.confirm import ask_to_confirm
from crm_desktop.ui.currency_choice import currency_combo
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.form_dialog import FormDialog, error_label, show_error
from crm_desktop.ui.invoices.lines_model import KEYS, Line, LinesModel
from crm_desktop.ui.invoices.payments_panel import PaymentsPanel
from crm_desktop.ui.invoices.tax_delegate import TaxRateDelegate
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops

_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def check_lines(
    lines: list[Line], currency: str
) -> tuple[money.Totals, dict[int, Decimal], dict[tuple[int, str], str]]:
    """Totals of the lines the rule accepts, their nets by row, and the refused cells with the reason.

    Blank lines (just added, nothing typed) are neither counted nor flagged.
    """
    good: list[tuple[int, LineValues]] = []
    errors: dict[tuple[int, str], str] = {}
    for row, line in enumerate(lines):
        if line.blank:
            continue
        values = line.to_values()
        try:
            invoices.preview_totals([values], currency)
        except ValidationError as error:
            match = _LINE_FIELD.match(error.field)
            errors[(row, match.group(2) if match else "description")] = error.message
        else:
            good.append((row, values))
    totals = invoices.preview_totals([values for _, values in good], currency)
    nets = {row: line.net for (row, _), line in zip(good, totals.lines, strict=True)}
    return totals, nets, errors


class InvoiceEditor(FormDialog):
    """Edits a draft (or a new one when `document` is None); issued documents are shown read-only.

    `saved` carries the DocumentDetail as stored."""

    def __init__(
        self,
        ops: Ops,
        document: DocumentDetail | None = None,
        *,
        kind: str = "invoice",
        currency: str = "USD",
        today: date | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(ops, parent)
        self.document = document
        self.base = invoices.editable_values(document) if document else None  # what a merge starts from
        self.kind = document.kind if document else kind
        self.read_only = document is not None and document.status != "draft"
        self._saved_rows: list[int] = []  # the model row of each line sent with the last save
        self.setWindowTitle(self._title())
        self.resize(900, 640)

        # --- header fields, each with its error label right under it ---
        self.client_edit = ClientPicker(
            ops,
            client_id=document.client_id if document else None,
            name=document.client_name if document else "",
        )
        self.completer = self.client_edit.completer
        self.currency_combo = currency_combo()
        self.currency_combo.setCurrentIndex(
            self.currency_combo.findData(document.currency if document else currency)
        )
        today = today or date.today()
        self.issue_date = DateField(document.issue_date if document and document.issue_date else today)
        due = document.due_date if document else today + timedelta(days=DEFAULT_PAYMENT_DAYS)
        self.due_date = DateField(due or today)
        due_label = self.tr("Valid until") if self.kind == "quote" else self.tr("Due date")
        for key, label, widget in (
            (("client_id", self.tr("Client"), self.client_edit)),
            ("currency", self.tr("Currency"), self.currency_combo),
            ("issue_date", self.tr("Issue date"), self.issue_date),
            ("due_date", due_label, self.due_date),
        ):
            self.add_row(key, label, widget)
        self.client_edit.cleared.connect(lambda: show_error(self.errors["client_id"], ""))
        self.client_edit.chosen.connect(lambda *_: show_error(self.errors["client_id"], ""))
        if self.kind == "credit_note":  # it corrects its invoice: same client and currency, nothing falls due
            self.set_row_visible("due_date", False)
            self.form.addRow(
                self.tr("Corrects"),
                QLabel(fill(self.tr("Invoice {number}"), number=document.related_number)),
            )

        # --- lines ---
        self.model = LinesModel(self)
        self.model.read_only = self.read_only
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.tax_delegate = TaxRateDelegate(self.table)
        self.table.setItemDelegateForColumn(KEYS.index("tax_rate"), self.tax_delegate)
        ops.read(documents.tax_presets, on_done=lambda presets: self.tax_delegate.set_presets(presets.rates))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((0, 80, 70, 110, 90, 70, 130)):
            if width:
                self.table.setColumnWidth(column, width)
        self.add_button = QPushButton(self.tr("Add line"))
        self.add_button.setToolTip(self.tr("Ctrl+Enter"))
        self.add_button.clicked.connect(self.add_line)
        self.remove_button = QPushButton(self.tr("Remove line"))
        self.remove_button.setToolTip(self.tr("Ctrl+Del"))
        self.remove_button.clicked.connect(self.remove_line)
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        line_buttons = QHBoxLayout()
        line_buttons.addWidget(self.add_button)
        line_buttons.addWidget(self.remove_button)
        line_buttons.addStretch(1)

        # --- totals, with the lines' problems beside them ---
        self.subtotal_value, self.discount_value, self.tax_value, self.total_value = (
            QLabel() for _ in range(4)
        )
        totals = QGridLayout()
        for row, (label, value) in enumerate(
            (
                (self.tr("Subtotal"), self.subtotal_value),
                (self.tr("Discounts"), self.discount_value),
                (self.tr("Tax"), self.tax_value),
                (self.tr("Total"), self.total_value),
            )
        ):
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            totals.addWidget(QLabel(label), row, 0, Qt.AlignmentFlag.AlignTop)
            totals.addWidget(value, row, 1)
        font = self.total_value.font()
        font.setBold(True)
        self.total_value.setFont(font)
        self.lines_error = error_label()
        below = QHBoxLayout()
        below.addWidget(self.lines_error, 1, Qt.AlignmentFlag.AlignTop)
        below.addLayout(totals)

        # --- notes and terms ---
        self.notes = QPlainTextEdit(document.notes if document else "")
        self.terms = QPlainTextEdit(document.terms if document else "")
        for edit, placeholder in (
            (self.notes, self.tr("Notes shown on the invoice")),
            (self.terms, self.tr("Payment terms")),
        ):
            edit.setPlaceholderText(placeholder)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(56)
        texts = QHBoxLayout()
        texts.addWidget(self.add_field("notes", self.tr("Notes"), self.notes))
        texts.addWidget(self.add_field("terms", self.tr("Payment terms"), self.terms))
        self.labels["lines"] = self.tr("Lines")  # the lines merge as one field (see invoices.update_draft)

        self.issue_button = None
        self.payments: PaymentsPanel | None = None
        self._issue_after_save = False
        self.issue_question: QMessageBox | None = None
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if self.read_only:
            self.buttons.clear()
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
            self.save_button = None
            self.payments = PaymentsPanel(ops, document, self)
        else:
            self.issue_button = self.buttons.addButton(
                self.tr("Save and issue"), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.issue_button.setToolTip(
                self.tr(
                    "Gives the next number; an issued document can no longer be "
                    "edited, only cancelled or corrected"
                )
            )
            self.issue_button.clicked.connect(self.save_and_issue)

        below_fields: list[QWidget | QHBoxLayout] = [self.table]
        if not self.read_only:
            below_fields.append(line_buttons)
        below_fields += [below, texts]
        if self.payments is not None:
            below_fields.append(self.payments)
        self.finish_layout(*below_fields, grow=self.table)
        if self.save_button is not None:
            self.save_button.setDefault(True)  # once in the dialog: Enter anywhere but in a cell saves

        self.model.edited.connect(self.recompute)
        self.currency_combo.currentIndexChanged.connect(self.recompute)
        if document is not None:
            self.model.set_lines([Line.from_row(row) for row in document.lines])
        elif not self.read_only:
            self.model.add_line()
        self.recompute()
        if self.read_only or self.kind == "credit_note":
            self.client_edit.setReadOnly(True)
            self.client_edit.setClearButtonEnabled(False)
            self.currency_combo.setEnabled(False)
        if self.read_only:
            for widget in (self.notes, self.terms):
                widget.setReadOnly(True)
            for widget in (self.issue_date, self.due_date):
                widget.setEnabled(False)
        else:
            for keys in ("Ctrl+Return", "Ctrl+Enter"):
                QShortcut(QKeySequence(keys), self, self.add_line)
            QShortcut(QKeySequence("Ctrl+Delete"), self, self.remove_line)

    def _title(self) -> str:
        if self.document is None:
            return self.tr("New quote") if self.kind == "quote" else self.tr("New invoice")
        if self.document.number:
            names = {"quote": self.tr("Quote {number}"), "credit_note": self.tr("Credit note {number}")}
            return fill(names.get(self.kind, self.tr("Invoice {number}")), number=self.document.number)
        names = {"quote": self.tr("Draft quote #{id}"), "credit_note": self.tr("Draft credit note #{id}")}
        return fill(names.get(self.kind, self.tr("Draft invoice #{id}")), id=self.document.id)

    @property
    def currency(self) -> str:
        return self.currency_combo.currentData()

    @property
    def client_id(self) -> int | None:
        return self.client_edit.client_id

    # --- lines ---

    def _close_cell_editor(self) -> None:
        """Commit what is being typed in a cell before the lines change under it."""
        if self.table.state() != QAbstractItemView.State.EditingState:
            return
        for editor in self.table.viewport().findChildren(QWidget):
            if editor.isVisible() and editor.parent() is self.table.viewport():
                self.table.commitData(editor)
                self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def add_line(self) -> None:
        if self.read_only:
            return
        self._close_cell_editor()
        row = self.model.add_line()
        index = self.model.index(row, 0)
        self.table.setFocus()
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def remove_line(self) -> None:
        if self.read_only:
            return
        self._close_cell_editor()
        row = self.table.currentIndex().row()
        if row < 0:
            return
        self.model.remove_line(row)
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 0))

    def recompute(self) -> None:
        totals, nets, errors = check_lines(self.model.lines, self.currency)
        self.model.show_checked(nets, errors, self.currency)
        self._show_totals(totals)
        self._show_line_errors()

    def _show_totals(self, totals: money.Totals) -> None:
        code = self.currency
        self.subtotal_value.setText(money_text(totals.subtotal, code))
        self.discount_value.setText(
            money_text(-totals.discount_total, code)
            if totals.discount_total
            else money_text(totals.discount_total, code)
        )
        taxes = [
            fill(self.tr("{rate}%: {tax}"), rate=plain_text(t.rate), tax=money_text(t.tax, code))
            for t in totals.taxes
            if t.rate
        ]
        self.tax_value.setText("\n".join(taxes) if taxes else money_text(totals.tax_total, code))
        self.total_value.setText(money_text(totals.total, code))

    def _show_line_errors(self) -> None:
        names = dict(zip(KEYS, self.model.headers(), strict=False))
        messages = [
            fill(self.tr("Line {n}, {column}: {message}"), n=row + 1, column=names[key], message=message)
            for (row, key), message in sorted(self.model.errors.items())
        ]
        show_error(self.lines_error, "\n".join(messages))

    # --- saving (FormDialog's machinery: request id, retry, merge, errors by field) ---

    def save(self) -> None:
        if self.read_only:
            return
        self._close_cell_editor()
        self.recompute()
        super().save()

    def submit(self, on_done, on_error) -> None:
        if self.client_id is None:
            on_error(
                ValidationError(
                    "client_id",
                    self.tr(
                        "Choose a client from the list: type part of the name, phone or email, then pick one."
                    ),
                )
            )
            return
        self._saved_rows = [row for row, line in enumerate(self.model.lines) if not line.blank]
        if self.model.errors:  # the live rule already named the cell: take the user there
            row, key = min(self.model.errors)
            field = f"lines[{self._saved_rows.index(row)}].{key}"
            on_error(ValidationError(field, self.model.errors[(row, key)]))
            return
        lines = [self.model.lines[row].to_values() for row in self._saved_rows]
        values = {
            "client_id": self.client_id,
            "currency": self.currency,
            "issue_date": self.issue_date.typed_date(),
            "due_date": None if self.kind == "credit_note" else self.due_date.typed_date(),
            "notes": self.notes.toPlainText(),
            "terms": self.terms.toPlainText(),
            "lines": lines,
        }
        if self.document is None:
            self.ops.write(
                invoices.create_draft,
                kind=self.kind,
                **values,
                request_id=self.request_id,
                on_done=on_done,
                on_error=on_error,
            )
        else:
            self.ops.write(
                invoices.update_draft,
                self.document.id,
                expected_version=self.document.version,
                base=self.base,
                decided=self.decided,
                **values,
                on_done=on_done,
                on_error=on_error,
            )

    def form_state(self) -> Any:
        lines = tuple(tuple(line.values.items()) for line in self.model.lines if not line.blank)
        return (super().form_state(), lines)

    def save_and_issue(self) -> None:
        """Asks first, naming the number it will take: an issued document is never edited again."""
        if self.saving:
            return
        if self.refuse_bad_date("issue_date"):  # the number depends on its year
            return
        self.ops.read(
            documents.next_number,
            self.kind,
            self.issue_date.typed_date(),
            on_done=self._ask_to_issue,
            on_error=self._failed,
        )

    def _ask_to_issue(self, number: str) -> QMessageBox:
        kind = {
            "invoice": self.tr("invoice"),
            "quote": self.tr("quote"),
            "credit_note": self.tr("credit note"),
        }[self.kind]
        self.issue_question = ask_to_confirm(
            self,
            fill(self.tr("Issue {kind} {number}?"), kind=kind, number=number),
            fill(
                self.tr(
                    "The {kind} is saved and gets the number {number}. Once issued it can no longer be "
                    "edited or deleted: a mistake is put right by cancelling it or with a credit note."
                ),
                kind=kind,
                number=number,
            ),
            fill(self.tr("Issue {number}"), number=number),
            self._issue_now,
            icon=QMessageBox.Icon.Question,
            role=QMessageBox.ButtonRole.AcceptRole,
        )
        return self.issue_question

    def _issue_now(self) -> None:
        self._issue_after_save = True
        self.save()

    def _saved(self, document: DocumentDetail) -> None:
        self.document = document
        if self.base is None or document.status == "draft":
            # A retry after the draft was stored (before it was issued) starts from what is stored.
            self.base = invoices.editable_values(document)
        self.decided = {}
        if self._issue_after_save and document.status == "draft":
            self.ops.write(
                documents.issue,
                document.id,
                expected_version=document.version,
                on_done=self._saved,
                on_error=self._failed,
            )
            return
        self._issue_after_save = False
        super()._saved(document)

    def _failed(self, error: ServiceError) -> None:
        if not isinstance(error, DatabaseUnavailable):  # a retry carries on with what was asked
            self._issue_after_save = False
        field = getattr(error, "field", None)
        match = _LINE_FIELD.match(field or "")
        if isinstance(error, ValidationError) and match and int(match.group(1)) < len(self._saved_rows):
            self.set_saving(False)
            row, key = self._saved_rows[int(match.group(1))], match.group(2)
            errors = dict(self.model.errors)
            errors[(row, key)] = error.message
            self.model.show_checked(self.model.nets, errors, self.currency)
            self._show_line_errors()
            self._focus_cell(row, key)
            return
        super()._failed(error)

    def shown_value(self, field: str, value: Any) -> str:
        if field == "lines" and value:
            return "\n".join(
                fill(
                    self.tr("{description}: {quantity} × {price}"),
                    description=line[0],
                    quantity=plain_text(line[1]),
                    price=money_text(line[3], self.currency),
                )
                for line in value
            )
        if field == "client_id" and value == self.client_id:
            return self.client_edit.text()
        return super().shown_value(field, value)

    def conflict_hint(self) -> str:
        return self.tr(
            "Your input is still here: copy what you need, press Cancel and open the document again."
        )

    def _focus_cell(self, row: int, key: str) -> None:
        self.table.setFocus()
        self.table.setCurrentIndex(self.model.index(row, KEYS.index(key) if key in KEYS else 0))
