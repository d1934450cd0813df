"""The task form's "Repeat" field: never, every day, every N days, every week or every N weeks on chosen
days, monthly.
It writes and reads the rule text the services store (services/recurrence.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QSpinBox, QWidget

from crm_desktop.services import recurrence

NEVER, DAILY, EVERY_N_DAYS, WEEKLY, MONTHLY = "never", "daily", "days", "weekly", "monthly"


def weekday_names() -> tuple[str, ...]:
    """The weekdays in two letters, Monday first."""
    return (
        QCoreApplication.translate("RepeatEdit", "Mo"),
        QCoreApplication.translate("RepeatEdit", "Tu"),
        QCoreApplication.translate("RepeatEdit", "We"),
        QCoreApplication.translate("RepeatEdit", "Th"),
        QCoreApplication.translate("RepeatEdit", "Fr"),
        QCoreApplication.translate("RepeatEdit", "Sa"),
        QCoreApplication.translate("RepeatEdit", "Su"),
    )


class RepeatEdit(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = QComboBox()
        for key, text in (
            (NEVER, self.tr("Does not repeat")),
            (DAILY, self.tr("Every day")),
            (EVERY_N_DAYS, self.tr("Every few days")),
            (WEEKLY, self.tr("Every week on")),
            (MONTHLY, self.tr("Every month on this day")),
        ):
            self.kind.addItem(text, key)
        self.every = QSpinBox()
        self.every.setRange(2, 365)
        self.every.setPrefix(self.tr("every "))
        self.every.setSuffix(self.tr(" days"))
        self.weeks = QSpinBox()
        self.weeks.setRange(1, 52)
        self.weeks.setSpecialValueText(self.tr("every week"))  # (1)
        self.weeks.setPrefix(self.tr("every "))
        self.weeks.setSuffix(self.tr(" weeks"))
        self.weeks.valueChanged.connect(lambda _n: self.changed.emit())
        self.days = [QCheckBox(name) for name in weekday_names()]
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.kind)
        row.addWidget(self.every)
        row.addWidget(self.weeks)
        for box in self.days:
            row.addWidget(box)
            box.toggled.connect(lambda _on: self.changed.emit())
        row.addStretch(1)
        self._monthly = "FREQ=MONTHLY"
        self.kind.currentIndexChanged.connect(lambda _i: self._show_parts())
        self.kind.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self._show_parts()

    def set_rule(self, rule: str, weekday: int) -> None:
        """Show `rule`; a weekly rule without chosen days starts from `weekday` (the due date's)."""
        parsed = recurrence.parse(rule)
        # A monthly rule keeps the day it was anchored to (the 31st stays the 31st after a short month).
        self._monthly = rule if parsed is not None and parsed.freq == "MONTHLY" else "FREQ=MONTHLY"
        key = NEVER
        if parsed is not None:
            if parsed.freq == "DAILY":
                key = DAILY if parsed.interval == 1 else EVERY_N_DAYS
                self.every.setValue(max(parsed.interval, 2))
            elif parsed.freq == "WEEKLY":
                key = WEEKLY
                self.weeks.setValue(parsed.interval)
            else:
                key = MONTHLY
        chosen = set(parsed.weekdays) if parsed is not None and parsed.weekdays else {weekday}
        for day, box in enumerate(self.days):
            box.setChecked(day in chosen)
        self.kind.setCurrentIndex(self.kind.findData(key))

    def rule(self) -> str:
        key = self.kind.currentData()
        if key == DAILY:
            return "FREQ=DAILY"
        if key == EVERY_N_DAYS:
            return f"FREQ=DAILY;INTERVAL={self.every.value()}"
        if key == WEEKLY:
            chosen = [recurrence.WEEKDAYS[d] for d, box in enumerate(self.days) if box.isChecked()]
            every = f";INTERVAL={self.weeks.value()}" if self.weeks.value() > 1 else ""
            return "FREQ=WEEKLY" + every + (f";BYDAY={','.join(chosen)}" if chosen else "")
        if key == MONTHLY:
            return self._monthly
        return ""

    def _show_parts(self) -> None:
        key = self.kind.currentData()
        self.every.setVisible(key == EVERY_N_DAYS)
        self.weeks.setVisible(key == WEEKLY)
        for box in self.days:
            box.setVisible(key == WEEKLY)
