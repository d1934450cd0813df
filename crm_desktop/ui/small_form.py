"""A dialog of a few fields whose button writes at once (a material, a rate, a period, time spent): what
is wrong is said above its buttons in the forms' error line, and what was typed stays for another try."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from crm_desktop.services.errors import ServiceError
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.form_dialog import error_label, show_error


class SmallForm(QDialog):
    def __init__(
        self,
        title: str,
        on_save: Callable[[], None],
        parent: QWidget | None = None,
        *,
        action: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Save,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.problem = error_label("problem")
        self.buttons = QDialogButtonBox(action | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(420, 0)

    def say(self, problem: ServiceError | str) -> None:
        show_error(self.problem, problem if isinstance(problem, str) else problem.message)

    def refuses_a_day(self, *fields: tuple[DateField, str]) -> bool:
        """True, having said why, when one of these (field, its label) holds no day."""
        for field, label in fields:
            if message := field.problem(label):
                self.say(message)
                return True
        return False
