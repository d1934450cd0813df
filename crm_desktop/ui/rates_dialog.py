"""Settings → Rates: what an hour of a person's time, or of a skill's, is billed at, per currency ("Invoice
work done" takes the job's own rate first, then the person's, then the skill the stage needs). Each is
added or removed at once."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services import capacity, users, work_billing
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.work_billing import RateRow
from crm_desktop.ui.confirm import enter_presses_no_button
from crm_desktop.ui.currency_choice import currency_combo
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown

PERSON, SKILL = "user", "skill"  # what a rate in the list is for


def tr(text: str) -> str:
    return QCoreApplication.translate("RatesDialog", text)


def rate_for(rate: RateRow) -> str:
    return rate.user_name if rate.user_id is not None else fill(tr("Skill: {skill}"), skill=rate.skill)


class RatesDialog(QDialog):
    def __init__(self, ops: Ops, parent: QWidget | None = None, *, currency: str | None = None):
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle(tr("Rates"))
        self.rows: list[RateRow] = []
        self.ready = False
        self.list = QTreeWidget()
        self.list.setHeaderLabels([tr("For"), tr("An hour"), tr("Currency")])
        self.list.setRootIsDecorated(False)
        self.who = QComboBox()
        self.who.setToolTip(tr("A person, or a skill a template's stage needs"))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(tr("An hour, e.g. 25"))
        self.currency = currency_combo(currency)
        self.add_button = QPushButton(tr("Set"))
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.clicked.connect(self.remove)
        self.problem = error_label("problem")
        adding = QHBoxLayout()
        adding.addWidget(self.who, 2)
        adding.addWidget(self.amount, 1)
        adding.addWidget(self.currency, 2)
        adding.addWidget(self.add_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        below = QHBoxLayout()
        below.addWidget(self.remove_button)
        below.addStretch(1)
        below.addWidget(buttons)
        hint = QLabel(tr("A job's own rate or fixed price, set in its window (Time and costs), comes first."))
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(adding)
        layout.addWidget(self.problem)
        layout.addLayout(below)
        enter_presses_no_button(self)
        self.resize(560, 420)
        WhenShown(self, ops, {"rates", "users", "user_skills"}, lambda _changes: self.reload())
        ops.read(users.list_users, on_done=self._people_arrived)
        self.reload()

    def _people_arrived(self, people) -> None:
        self.ops.read(capacity.skills, on_done=lambda skills: self._choices(people, skills))

    def _choices(self, people, skills: dict[int, list[str]]) -> None:
        self.who.clear()
        for u in people:
            if u.active:
                self.who.addItem(u.display_name or u.username, (PERSON, u.id))
        for skill in sorted({k for ks in skills.values() for k in ks}, key=str.casefold):
            self.who.addItem(fill(tr("Skill: {skill}"), skill=skill), (SKILL, skill))

    def reload(self) -> None:
        self.ops.read(work_billing.rates, on_done=self._arrived)

    def _arrived(self, rows: list[RateRow]) -> None:
        self.rows = rows
        self.list.clear()
        for r in rows:
            item = QTreeWidgetItem([rate_for(r), i18n.number_text(r.amount.normalize()), r.currency])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
        self.ready = True

    def _say(self, error: ServiceError | str) -> None:
        show_error(self.problem, error if isinstance(error, str) else error.message)

    def add(self) -> None:
        chosen = self.who.currentData()
        if chosen is None:
            return
        kind, value = chosen
        show_error(self.problem, "")
        self.ops.write(
            work_billing.set_rate,
            amount=self.amount.text(),
            currency=self.currency.currentData(),
            user_id=value if kind == PERSON else None,
            skill=value if kind == SKILL else "",
            on_done=lambda _row: self.amount.clear(),
            on_error=self._say,
        )

    def remove(self) -> None:
        row = self.list.indexOfTopLevelItem(self.list.currentItem()) if self.list.currentItem() else -1
        if 0 <= row < len(self.rows):
            self.ops.write(work_billing.remove_rate, self.rows[row].id, on_error=self._say)
