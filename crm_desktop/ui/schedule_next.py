"""After a task is marked done: when it leaves its open deal (or its client) with nothing planned, offer
to schedule the next activity, with the task form opened about the same deal and client."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services import tasks
from crm_desktop.services.reminders import tomorrow_morning
from crm_desktop.services.tasks import ToPlan
from crm_desktop.ui.ops import Ops


def tr(text: str, context: str | None = None) -> str:
    return QCoreApplication.translate("ScheduleNext", text, context)


class ScheduleNext:
    """One per window that completes tasks; `offer(task_id)` after each completion."""

    def __init__(self, ops: Ops, parent: QWidget):
        self.ops, self.parent = ops, parent
        self.question: QMessageBox | None = None  # tests
        self.dialog: QWidget | None = None

    def offer(self, task_id: int, title: str) -> None:
        self.ops.read(tasks.left_unplanned, task_id, on_done=lambda plan: self._ask(plan, title))

    def _ask(self, plan: ToPlan | None, title: str) -> None:
        if plan is None:
            return
        about = (
            fill(
                tr("Nothing else is planned for the deal '{deal}' ({client})."),
                deal=plan.deal_title,
                client=plan.client_name,
            )
            if plan.deal_id is not None
            else fill(tr("Nothing else is planned with {client}."), client=plan.client_name)
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Schedule the next activity"),
            fill(tr("'{title}' is done."), title=title) + "\n" + about,
            parent=self.parent,
        )
        schedule = box.addButton(tr("Schedule next…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(schedule)
        box.finished.connect(lambda _result: self._answered(box.clickedButton() is schedule, plan))
        self.question = box
        box.open()

    def _answered(self, schedule: bool, plan: ToPlan) -> None:
        self.question = None
        if schedule:
            # Imported when first wanted: the main window makes one of these at start (the lean start).
            from crm_desktop.ui.calendar.dialog import TaskDialog

            when = tomorrow_morning(self.ops.ctx.now(), self.ops.ctx.zone()).astimezone()
            dialog = TaskDialog(self.ops, due=when, about=plan, parent=self.parent)
            self.dialog = dialog
            dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
            dialog.open()
