"""The first-run dialog: on an empty database, ask for the company name, the default currency and the
office's language (its documents', its follow-up tasks', its starting pipeline's), which starts as the
language this PC's window speaks (Settings → Language, chosen per PC).

Shown by the main window while company.is_set_up(ctx) is False; saved through company.update with
the version it read, so two PCs setting up the same office at once cannot overwrite each other.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.services import company
from crm_desktop.services.company import CompanyRow
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.ui.currency_choice import currency_combo
from crm_desktop.ui.invoices.editor import error_label, show_error
from crm_desktop.ui.language_choice import language_combo, office_language_tip
from crm_desktop.ui.ops import Ops


class FirstRunDialog(QDialog):
    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.profile: CompanyRow | None = None
        self.setWindowTitle(self.tr("Welcome to CRM Desktop"))
        intro = QLabel(
            self.tr("Tell us about your company. This goes on your invoices; you can change it later.")
        )
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Samarqand Travel LLC"))
        self.currency = currency_combo()
        self.language = language_combo(i18n.current())
        self.language.setToolTip(office_language_tip())
        self.errors = {key: error_label() for key in ("name", "default_currency", "language")}
        form = QFormLayout()
        for key, label, widget in (
            ("name", self.tr("Company name"), self.name),
            ("default_currency", self.tr("Default currency"), self.currency),
            ("language", self.tr("Office language"), self.language),
        ):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(self.errors[key])
            form.addRow(label, box)
        self.message = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        # An office that already has a server connects to it instead of starting a file of its own.
        self.server_button = self.buttons.addButton(
            self.tr("Connect to an office server instead…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the profile (and its version) is read
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)
        self.name.textEdited.connect(lambda _text: show_error(self.errors["name"], ""))
        ops.read(company.get, on_done=self._loaded)

    def _loaded(self, profile: CompanyRow) -> None:
        self.profile = profile
        if not self.name.text():
            self.name.setText(profile.name)
        self.currency.setCurrentIndex(max(self.currency.findData(profile.default_currency), 0))
        self.save_button.setEnabled(True)

    def save(self) -> None:
        if self.profile is None:
            return
        for label in (*self.errors.values(), self.message):
            show_error(label, "")
        if not self.name.text().strip():
            show_error(self.errors["name"], self.tr("Enter the company name: it goes on every invoice."))
            self.name.setFocus()
            return
        self.save_button.setEnabled(False)
        self.ops.write(
            company.update,
            expected_version=self.profile.version,
            name=self.name.text(),
            default_currency=self.currency.currentData(),
            language=self.language.currentData(),
            on_done=self._saved,
            on_error=self._refused,
        )

    def _saved(self, profile: CompanyRow) -> None:
        self.profile = profile
        self.accept()

    def _refused(self, error: ServiceError) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and error.field in self.errors:
            show_error(self.errors[error.field], error.message)
        else:  # e.g. set up meanwhile on another PC: say so, keep what was typed
            show_error(self.message, error.message)
