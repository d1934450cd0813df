"""Settings → Follow-up rules: how long before the app creates a follow-up task (0 = off)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSpinBox, QWidget

from crm_desktop.services import follow_ups
from crm_desktop.services.follow_ups import LIMITS, RuleSettings
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops


class FollowUpRulesDialog(FormDialog):
    def __init__(self, ops: Ops, rules: RuleSettings, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.rules = rules
        self.setWindowTitle(self.tr("Follow-up rules"))
        self.spins: dict[str, QSpinBox] = {}
        texts = {
            "lead_follow_up_hours": (
                self.tr("A new &lead nobody contacted gets a task after"),
                self.tr(" hours"),
            ),
            "invoice_follow_up_days": (
                self.tr("An &unpaid invoice gets a task after its due date +"),
                self.tr(" days"),
            ),
            "escalation_hours": (
                self.tr("The &manager is told when a task, a job's stage or an approval is late by"),
                self.tr(" hours"),
            ),
            "stuck_job_days": (
                self.tr("A job is flagged as &stuck when nothing moved for"),
                self.tr(" days"),
            ),
        }
        for key, (label, suffix) in texts.items():
            spin = QSpinBox()
            spin.setRange(0, LIMITS[key][1])
            spin.setSuffix(suffix)
            spin.setSpecialValueText(self.tr("Off"))  # shown for 0
            spin.setValue(getattr(rules, key))
            self.spins[key] = spin
            self.add_row(key, label, spin)
        note = QLabel(
            self.tr(
                "Each rule creates one task per lead, invoice, task, stage or approval, for its owner "
                "or manager, and its reminder pops up at once. Set a rule to 0 to switch it off."
            )
        )
        note.setWordWrap(True)
        self.finish_layout(note)

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            follow_ups.update_settings,
            expected_version=self.rules.version,
            **{key: spin.value() for key, spin in self.spins.items()},
            on_done=on_done,
            on_error=on_error,
        )

    def conflict_hint(self) -> str:
        return self.tr("Someone changed the settings meanwhile: press Cancel and open them again.")
