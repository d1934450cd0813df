"""Start a job: for a client (or a won deal, whose quote becomes its scope) from a workflow template,
with its manager and the day the work starts; its stages are planned in the office's working time."""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services import jobs, users, workflows
from crm_desktop.services.errors import ValidationError
from crm_desktop.ui.client_picker import ClientPicker
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops


class StartJobDialog(FormDialog):
    def __init__(
        self,
        ops: Ops,
        templates: list[workflows.TemplateRow],
        parent: QWidget | None = None,
        *,
        client_id: int | None = None,
        client_name: str = "",
        deal=None,  # a DealRow: the job is its work
    ):
        super().__init__(ops, parent)
        self.deal = deal
        self.setWindowTitle(self.tr("Start a job"))
        self.client = ClientPicker(ops)
        if deal is not None:
            self.client.choose(deal.client_id, deal.client_name)
        elif client_id is not None:
            self.client.choose(client_id, client_name)
        self.client.setReadOnly(deal is not None or client_id is not None)
        self.template = QComboBox()
        self.title = QLineEdit(deal.title if deal is not None else "")
        self.responsible = QComboBox()
        self.starts = DateField(ops.ctx.today())
        self.add_row("client_id", self.tr("&Client"), self.client)
        self.add_row("template_id", self.tr("&Workflow"), self.template)
        self.add_row("title", self.tr("&Title"), self.title)
        self.add_row("responsible_id", self.tr("&Responsible"), self.responsible)
        self.add_row("starts", self.tr("&Starts"), self.starts)
        below = []
        if deal is not None:
            scope = QLabel(
                fill(
                    self.tr(
                        "From the deal “{title}”: its quote's lines (or the deal's amount) become the "
                        "job's scope."
                    ),
                    title=deal.title,
                )
            )
            scope.setWordWrap(True)
            below.append(scope)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Start the job"))
        self.finish_layout(*below)
        self.resize(480, self.sizeHint().height())
        self.template.currentIndexChanged.connect(self._suggest_title)
        self._templates_loaded(templates)
        if not templates:
            ops.read(workflows.list_templates, on_done=self._templates_loaded)
        ops.read(users.list_users, on_done=self._users_loaded)
        (self.template if self.client.client_id else self.client).setFocus()

    def _templates_loaded(self, templates: list[workflows.TemplateRow]) -> None:
        self.template.clear()
        for t in templates:
            self.template.addItem(fill(self.tr("{name} ({n} stages)"), name=t.name, n=t.stage_count), t.id)
        self._suggest_title()
        self.mark_unchanged()

    def _users_loaded(self, rows: list) -> None:
        for u in rows:
            if u.active:
                self.responsible.addItem(u.display_name or u.username, u.id)
        self.responsible.setCurrentIndex(max(0, self.responsible.findData(self.ops.ctx.actor.user_id)))
        self.mark_unchanged()

    def _suggest_title(self) -> None:
        """Without a title of its own the job is called after the deal, or else its workflow."""
        self.title.setPlaceholderText(
            self.deal.title if self.deal is not None else self.template.currentText().rsplit(" (", 1)[0]
        )

    def submit(self, on_done, on_error) -> None:
        client_id, template_id = self.client.client_id, self.template.currentData()
        if client_id is None:
            on_error(ValidationError("client_id", self.tr("Choose the client the work is for.")))
            return
        if template_id is None:
            on_error(
                ValidationError("template_id", self.tr("Choose the workflow: it gives the job its stages."))
            )
            return
        day = self.starts.typed_date()
        ctx = self.ops.ctx
        starts = (
            None
            if day is None or day == ctx.today()
            else datetime.combine(day, time()).replace(tzinfo=ctx.zone())
        )
        self.ops.write(
            jobs.start,
            client_id,
            template_id,
            title=self.title.text().strip() or None,
            deal_id=self.deal.id if self.deal is not None else None,
            responsible_id=self.responsible.currentData(),
            starts=starts,
            request_id=self.request_id,
            on_done=on_done,
            on_error=on_error,
            initiator=self,
        )
