"""A job's own details: its title, manager, team (who else works on it: they see it and its client's
contact details), priority, where the work is done and notes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services import jobs, users
from crm_desktop.services.jobs import JobDetail
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops


def load_choices(ctx, job_id: int) -> tuple[list, list[int]]:
    return users.list_users(ctx), jobs.team(ctx, job_id)


class JobForm(FormDialog):
    def __init__(self, ops: Ops, job: JobDetail, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.job = job
        self.setWindowTitle(fill(self.tr("Job: {title}"), title=job.title))
        self.resize(480, 520)
        self.title = QLineEdit(job.title)
        self.responsible = QComboBox()
        self.team = QListWidget()
        self.team.setToolTip(self.tr("They see the job and its client's name, address and phones"))
        self.priority = QComboBox()
        for key, name in (("low", self.tr("Low")), ("normal", self.tr("Normal")), ("high", self.tr("High"))):
            self.priority.addItem(name, key)
        self.priority.setCurrentIndex(max(0, self.priority.findData(job.priority)))
        self.site_address = QLineEdit(job.site_address)
        self.notes = QPlainTextEdit(job.notes)
        self.notes.setTabChangesFocus(True)
        self.add_row("title", self.tr("&Title"), self.title)
        self.add_row("responsible_id", self.tr("&Responsible"), self.responsible)
        self.add_row("team", self.tr("T&eam"), self.team)
        self.add_row("priority", self.tr("&Priority"), self.priority)
        self.add_row("site_address", self.tr("&Site address"), self.site_address)
        self.add_row("notes", self.tr("&Notes"), self.notes)
        self.finish_layout()
        self.ready = False
        ops.read(load_choices, job.id, on_done=self._choices_arrived)
        self.title.setFocus()

    def _choices_arrived(self, choices: tuple[list, list[int]]) -> None:
        people, team = choices
        for u in people:
            if u.active or u.id == self.job.responsible_id or u.id in team:
                name = u.display_name or u.username
                self.responsible.addItem(name, u.id)
                member = QListWidgetItem(name)
                member.setData(Qt.ItemDataRole.UserRole, u.id)
                member.setFlags(member.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                member.setCheckState(Qt.CheckState.Checked if u.id in team else Qt.CheckState.Unchecked)
                self.team.addItem(member)
        self.responsible.setCurrentIndex(max(0, self.responsible.findData(self.job.responsible_id)))
        self.mark_unchanged()
        self.ready = True

    def chosen_team(self) -> list[int]:
        return [
            self.team.item(n).data(Qt.ItemDataRole.UserRole)
            for n in range(self.team.count())
            if self.team.item(n).checkState() == Qt.CheckState.Checked
        ]

    def form_state(self):
        return (*super().form_state(), tuple(self.chosen_team()))

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            jobs.update,
            self.job.id,
            expected_version=self.job.version,
            title=self.title.text(),
            responsible_id=self.responsible.currentData(),
            team=self.chosen_team(),
            priority=self.priority.currentData(),
            site_address=self.site_address.text(),
            notes=self.notes.toPlainText(),
            on_done=on_done,
            on_error=on_error,
            initiator=self,
        )

    def conflict_hint(self) -> str:
        return self.tr("Someone changed the job meanwhile: press Cancel; its window shows it as it is now.")
