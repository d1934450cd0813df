"""Settings → Company details: what goes at the top of every document, the logo, the total in words,
and how quotes, invoices and credit notes are numbered (admins; saved with the version it read).

The numbering is chosen from parts (ui/number_pattern.py), each kind with the next number it gives;
the counts it starts from are read when the dialog opens (documents.running_numbers)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services import amount_words, company, documents, numbering
from crm_desktop.services.company import CompanyRow
from crm_desktop.services.documents import RunningNumbers
from crm_desktop.services.errors import ValidationError
from crm_desktop.ui.currency_choice import currency_combo
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.language_choice import language_combo, office_language_tip
from crm_desktop.ui.number_pattern import NumberPatternEdit
from crm_desktop.ui.ops import Ops

LOGO_PREVIEW = (180, 60)


class CompanyDialog(FormDialog):
    def __init__(self, ops: Ops, profile: CompanyRow, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.profile = profile
        self.logo_data = profile.logo
        self.setWindowTitle(self.tr("Company details"))
        self.name = QLineEdit(profile.name)
        self.address = QPlainTextEdit(profile.address)
        self.bank_details = QPlainTextEdit(profile.bank_details)
        for edit in (self.address, self.bank_details):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(54)
        self.phone = QLineEdit(profile.phone)
        self.email = QLineEdit(profile.email)
        self.tax_id = QLineEdit(profile.tax_id)
        self.currency = currency_combo(profile.default_currency)

        self.logo_preview = QLabel()
        self.logo_preview.setFixedSize(*LOGO_PREVIEW)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.logo_button = QPushButton(self.tr("Choose…"))
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(self.tr("Remove"))
        self.remove_logo_button.clicked.connect(lambda: self.set_logo(None))
        logo_row = QWidget()
        row = QHBoxLayout(logo_row)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.logo_preview, self.logo_button, self.remove_logo_button):
            row.addWidget(widget)
        row.addStretch(1)
        self.set_logo(profile.logo)

        self.words = QComboBox()
        self.words.addItem(self.tr("Not shown"), "")
        for code in amount_words.LANGUAGES:
            self.words.addItem(i18n.NAMES[code], code)
        self.words.setCurrentIndex(max(self.words.findData(profile.amount_words_language), 0))
        self.language = language_combo(profile.language or i18n.current())
        self.language.setToolTip(office_language_tip())
        self.patterns = {key: NumberPatternEdit(getattr(profile, key)) for key in numbering.PATTERN_FIELDS}

        for key, label, widget in (
            ("name", self.tr("Company &name"), self.name),
            ("address", self.tr("&Address"), self.address),
            ("phone", self.tr("&Phone"), self.phone),
            ("email", self.tr("&Email"), self.email),
            ("tax_id", self.tr("&Tax ID"), self.tax_id),
            ("bank_details", self.tr("&Bank details"), self.bank_details),
            ("logo", self.tr("Logo"), logo_row),
            ("default_currency", self.tr("Default &currency"), self.currency),
            ("language", self.tr("Office &language"), self.language),
            ("amount_words_language", self.tr("Total in &words"), self.words),
        ):
            self.add_row(key, label, widget)

        numbers = QGroupBox(self.tr("Document numbers"))
        numbers_form = QFormLayout(numbers)
        for key, label, name in (
            ("invoice_number_pattern", self.tr("&Invoices"), self.tr("Invoice numbers")),
            ("quote_number_pattern", self.tr("&Quotes"), self.tr("Quote numbers")),
            ("credit_note_number_pattern", self.tr("C&redit notes"), self.tr("Credit note numbers")),
        ):
            box = self.add_field(key, label, self.patterns[key])
            box.setFocusProxy(self.patterns[key])  # the row's shortcut goes to its first part
            self.labels[key] = name  # as a save that crossed another PC's names it
            numbers_form.addRow(label, box)
        self.finish_layout(numbers)
        self.ops.read(documents.running_numbers, on_done=self.show_next_numbers)
        hint = self.sizeHint()
        self.resize(max(560, hint.width()), hint.height())

    def show_next_numbers(self, counts: RunningNumbers) -> None:
        for key, edit in self.patterns.items():
            edit.set_next(counts.year, counts.next_seq[key.removesuffix("_number_pattern")])

    def shown_value(self, field: str, value) -> str:
        if field in self.patterns and isinstance(value, str):  # a pattern is shown as the number it gives
            edit = self.patterns[field]
            if edit.year is not None:
                return fill(self.tr("like {number}"), number=numbering.format_number(value, edit.year, 1))
        return super().shown_value(field, value)

    def set_logo(self, data: bytes | None) -> None:
        self.logo_data = data
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    *LOGO_PREVIEW,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("No logo") if not data else self.tr("Not a picture"))
        self.remove_logo_button.setVisible(bool(data))

    def choose_logo(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the logo"), str(Path.home()), self.tr("Pictures (*.png *.jpg *.jpeg)")
        )
        if name:
            self.load_logo(Path(name))

    def load_logo(self, path: Path) -> None:
        try:
            self.set_logo(path.read_bytes())
        except OSError as exc:
            self.errors["logo"].setText(
                fill(
                    self.tr("{file} could not be read: {reason}"), file=path.name, reason=exc.strerror or exc
                )
            )
            self.errors["logo"].show()

    def submit(self, on_done, on_error) -> None:
        for key, edit in self.patterns.items():
            if problem := edit.problem():  # parts too long together: said in words, not as the pattern
                on_error(ValidationError(key, problem))
                return
        values = {
            "name": self.name.text(),
            "address": self.address.toPlainText(),
            "phone": self.phone.text(),
            "email": self.email.text(),
            "tax_id": self.tax_id.text(),
            "bank_details": self.bank_details.toPlainText(),
            "default_currency": self.currency.currentData(),
            "amount_words_language": self.words.currentData(),
            "language": self.language.currentData(),
            **{key: edit.value() for key, edit in self.patterns.items()},
        }
        if self.logo_data != self.profile.logo:
            values["logo"] = self.logo_data
        self.ops.write(
            company.update,
            expected_version=self.profile.version,
            **values,
            on_done=on_done,
            on_error=on_error,
        )
