"""What the board, the list and the job window do alike: move a job to a status (asking the reason a
step needs), and, when it is done, offer the invoice and a follow-up task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import documents, jobs, tasks
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.jobs import JobDetail
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.work.reason import ReasonDialog

FEEDBACK_DAYS = 7


def tr(text: str) -> str:
    return QCoreApplication.translate("JobSteps", text)


def move_job(
    parent: QWidget,
    ops: Ops,
    job_id: int,
    version: int | None,
    status: str,
    *,
    on_finished: Callable[[JobDetail], None],
    on_done: Callable[[JobDetail], None] | None = None,
) -> QWidget | None:
    """Ask for the move; on hold and cancelled ask why first; done with stages left asks why for them."""

    def done(detail: JobDetail) -> None:
        if on_done is not None:
            on_done(detail)
        if detail.status == "done":
            on_finished(detail)

    def ask(question: str) -> ReasonDialog:
        titles = {
            "on_hold": tr("Put the job on hold"),
            "cancelled": tr("Cancel the job"),
            "done": tr("Finish the job"),
        }
        actions = {"on_hold": tr("Put on hold"), "cancelled": tr("Cancel the job"), "done": tr("Finish")}
        dialog = ReasonDialog(
            ops,
            titles[status],
            question,
            actions[status],
            lambda reason, ok, failed: ops.write(
                jobs.set_status,
                job_id,
                status,
                reason=reason,
                expected_version=version,
                on_done=ok,
                on_error=failed,
            ),
            parent,
        )
        dialog.saved.connect(done)
        dialog.open()
        parent.reason_dialog = dialog  # type: ignore[attr-defined]
        return dialog

    if status == "on_hold":
        return ask(tr("Why is the job on hold? The client and your colleagues will ask."))
    if status == "cancelled":
        return ask(tr("Why is the job cancelled? It stays in the client's history."))

    def refused(error) -> None:
        if isinstance(error, ValidationError) and error.field == "stages":
            ask(error.message)
        else:
            ops.show_problem(error.message)

    ops.write(jobs.set_status, job_id, status, expected_version=version, on_done=done, on_error=refused)
    return None


class FinishedDialog(QDialog):
    """The job is done: the invoice draft (from its deal's quote or its scope) and a task to ask the
    client for feedback, each ticked by default."""

    def __init__(self, ops: Ops, detail: JobDetail, on_invoice: Callable[[object], None], parent: QWidget):
        super().__init__(parent)
        self.ops, self.detail, self.on_invoice = ops, detail, on_invoice
        self.setWindowTitle(tr("Job done"))
        said = QLabel(fill(tr("“{title}” is done. What next?"), title=detail.title))
        said.setWordWrap(True)
        self.invoice = QCheckBox(tr("Make the invoice draft from the job's scope"))
        self.invoice.setChecked(True)
        self.feedback = QCheckBox(tr("Ask the client for feedback in"))
        self.feedback.setChecked(True)
        self.days = QSpinBox()
        self.days.setRange(1, 90)
        self.days.setValue(FEEDBACK_DAYS)
        self.days.setSuffix(tr(" days"))
        self.feedback.toggled.connect(self.days.setEnabled)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Do it"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Not now"))
        self.buttons.accepted.connect(self.go)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.feedback)
        row.addWidget(self.days)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(said)
        layout.addWidget(self.invoice)
        layout.addLayout(row)
        layout.addWidget(self.buttons)

    def go(self) -> None:
        ctx, d = self.ops.ctx, self.detail
        if self.feedback.isChecked():
            day = ctx.today() + timedelta(days=self.days.value())
            self.ops.write(
                tasks.create,
                title=fill(tr("Ask {client} for feedback on {job}"), client=d.client_name, job=d.title),
                client_id=d.client_id,
                assignee_id=d.responsible_id,
                due_at=datetime.combine(day, time(10)).replace(tzinfo=ctx.zone()),
            )
        if self.invoice.isChecked():
            self.ops.write(documents.invoice_for_job, d.id, on_done=self.on_invoice)
        self.accept()


def offer_after_finish(
    parent: QWidget, ops: Ops, detail: JobDetail, on_invoice: Callable[[object], None]
) -> QDialog:
    dialog = FinishedDialog(ops, detail, on_invoice, parent)
    dialog.open()
    parent.finished_dialog = dialog  # type: ignore[attr-defined]
    return dialog
