"""A person's hours, skills and time off: the hours of each weekday (the office calendar's unless set
for them) and their skills, set by their manager or an administrator; their vacation, sick leave and
training days, entered by them too. Time off is added and removed at once; Save keeps the hours and
skills."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import capacity
from crm_desktop.services.capacity import AbsenceRow
from crm_desktop.services.errors import ServiceError
from crm_desktop.ui.confirm import enter_presses_no_button
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.workload.grid import absence_names

SHOWN_AHEAD = 366  # the time off listed: from a month back to a year on


def tr(text: str) -> str:
    return QCoreApplication.translate("Workload", text)


class PersonDialog(QDialog):
    def __init__(self, ops: Ops, user_id: int, name: str, *, may_plan: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.user_id, self.may_plan = ops, user_id, may_plan
        self.setWindowTitle(
            fill(tr("{name}: hours, skills and time off"), name=name) if name else tr("Time off")
        )
        self.absences: list[AbsenceRow] = []

        hours_box = QGroupBox(tr("Working hours"))
        self.office = QCheckBox(tr("The office's hours"))
        self.office.setToolTip(tr("Settings → Office calendar"))
        self.spins: list[QDoubleSpinBox] = []
        grid = QGridLayout()
        locale = QLocale()
        for n in range(7):
            spin = QDoubleSpinBox(decimals=1, minimum=0, maximum=24, singleStep=0.5)
            spin.setSuffix(" " + tr("h"))
            grid.addWidget(QLabel(locale.dayName(n + 1, QLocale.FormatType.ShortFormat)), 0, n)
            grid.addWidget(spin, 1, n)
            self.spins.append(spin)
        self.office.toggled.connect(lambda on: [s.setEnabled(not on and may_plan) for s in self.spins])
        box = QVBoxLayout(hours_box)
        box.addWidget(self.office)
        box.addLayout(grid)
        self.skills = QLineEdit()
        self.skills.setPlaceholderText(tr("Electrician, designer…"))
        self.skills.setToolTip(tr("Separate skills with commas; a stage of a template may need one"))
        skills_row = QFormLayout()
        skills_row.addRow(tr("Skills:"), self.skills)
        for widget in (self.office, self.skills, *self.spins):
            widget.setEnabled(may_plan)

        off_box = QGroupBox(tr("Time off"))
        self.off_list = QListWidget()
        self.kind = QComboBox()
        for kind, word in absence_names().items():
            self.kind.addItem(word, kind)
        self.starts = DateField(ops.ctx.today())
        self.ends = DateField(ops.ctx.today())
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("Note"))
        self.add_button = QPushButton(tr("Add"))
        self.add_button.clicked.connect(self.add_absence)
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.clicked.connect(self.remove_absence)
        self.remove_button.setEnabled(False)
        self.off_list.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        adding = QHBoxLayout()
        adding.addWidget(self.kind)
        adding.addWidget(QLabel(tr("from")))
        adding.addWidget(self.starts)
        adding.addWidget(QLabel(tr("to")))
        adding.addWidget(self.ends)
        adding.addStretch(1)
        noting = QHBoxLayout()
        noting.addWidget(self.note, 1)
        noting.addWidget(self.add_button)
        noting.addWidget(self.remove_button)
        off = QVBoxLayout(off_box)
        off.addWidget(self.off_list)
        off.addLayout(adding)
        off.addLayout(noting)
        self.problem = error_label("problem")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        if may_plan:
            self.save_button = buttons.addButton(QDialogButtonBox.StandardButton.Save)
            self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if may_plan:
            layout.addWidget(hours_box)
            layout.addLayout(skills_row)
        layout.addWidget(off_box, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        enter_presses_no_button(self)
        self.resize(640, 460)
        self.ops.read(capacity.weeks, on_done=self._weeks_loaded)
        self.ops.read(
            capacity.skills, on_done=lambda all_: self.skills.setText(", ".join(all_.get(user_id, [])))
        )
        self._load_absences()

    def _weeks_loaded(self, weeks: dict[int, list[Decimal]]) -> None:
        self.ops.read(
            capacity.has_own_week, self.user_id, on_done=lambda own: self.office.setChecked(not own)
        )
        for spin, hours in zip(self.spins, weeks.get(self.user_id, []), strict=False):
            spin.setValue(float(hours))

    def _load_absences(self) -> None:
        today = self.ops.ctx.today()
        self.ops.read(
            capacity.absences,
            today - timedelta(days=31),
            today + timedelta(days=SHOWN_AHEAD),
            on_done=self._absences_loaded,
        )

    def _absences_loaded(self, rows: list[AbsenceRow]) -> None:
        self.absences = [a for a in rows if a.user_id == self.user_id]
        self.off_list.clear()
        names = absence_names()
        for a in self.absences:
            span = day_text(a.starts) if a.starts == a.ends else f"{day_text(a.starts)} – {day_text(a.ends)}"
            text = f"{names.get(a.kind, a.kind)}: {span}" + (f" ({a.note})" if a.note else "")
            self.off_list.addItem(QListWidgetItem(text))
        if not self.absences:
            self.off_list.addItem(QListWidgetItem(tr("No time off planned.")))
            self.off_list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)

    def _say(self, error: ServiceError | str) -> None:
        show_error(self.problem, error if isinstance(error, str) else error.message)

    def add_absence(self) -> None:
        problem = self.starts.problem(tr("From")) or self.ends.problem(tr("To"))
        if problem:
            self._say(problem)
            return
        show_error(self.problem, "")
        self.ops.write(
            capacity.add_absence,
            self.user_id,
            self.kind.currentData(),
            self.starts.typed_date(),
            self.ends.typed_date(),
            note=self.note.text(),
            on_done=lambda _row: (self.note.clear(), self._load_absences()),
            on_error=self._say,
        )

    def remove_absence(self) -> None:
        row = self.off_list.currentRow()
        if 0 <= row < len(self.absences):
            self.ops.write(
                capacity.remove_absence,
                self.absences[row].id,
                on_done=lambda _none: self._load_absences(),
                on_error=self._say,
            )

    def save(self) -> None:
        show_error(self.problem, "")
        hours = None if self.office.isChecked() else [Decimal(str(s.value())) for s in self.spins]
        names = [part for part in self.skills.text().split(",") if part.strip()]
        self.ops.write(
            capacity.set_person,
            self.user_id,
            hours,
            names,
            on_done=lambda _none: self.accept(),
            on_error=self._say,
        )
