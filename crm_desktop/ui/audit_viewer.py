"""Settings → Audit log (administrators): every change, refusal, export, PDF, email and sign-in,
newest first, filtered by user, record type, action and days."""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import N_, Message, fill, ngettext
from crm_desktop.services import audit, users
from crm_desktop.services.audit import AuditFilter, AuditRow
from crm_desktop.services.errors import ValidationError
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import moment_text
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.list_table import ListTable
from crm_desktop.ui.ops import Ops


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# translators: the fields of a record as the audit log's details name them ("Amount: 100 → 150")
FIELD_WORDS = {
    "name": N_("Name"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "phones": N_("Phones"),
    "emails": N_("Emails"),
    "address": N_("Address"),
    "source": N_("Source"),
    "owner_id": N_("Owner"),
    "private": N_("Private"),
    "notes": N_("Notes"),
    "language": N_("Language"),
    "company_id": N_("Company"),
    "title": N_("Title"),
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "pipeline_id": N_("Pipeline"),
    "stage_id": N_("Stage"),
    "expected_close": N_("Expected close"),
    "outcome": N_("Outcome"),
    "lost_reason": N_("Reason lost"),
    "closed_at": N_("Closed"),
    "client_id": N_("Client"),
    "deal_id": N_("Deal"),
    "due_at": N_("Due"),
    "remind_at": N_("Reminder"),
    "completed_at": N_("Done"),
    "priority": N_("Priority"),
    "duration_minutes": N_("Duration (min)"),
    "recurrence": N_("Repeats"),
    "assignee_id": N_("Assignee"),
    "description": N_("Description"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "unit_price": N_("Unit price"),
    "discount_percent": N_("Discount %"),
    "tax_rate": N_("Tax %"),
    "number": N_("Number"),
    "issue_date": N_("Issue date"),
    "due_date": N_("Due date"),
    "paid_on": N_("Paid on"),
    "method": N_("Method"),
    "note": N_("Note"),
    "cancel_reason": N_("Reason cancelled"),
    "subtotal": N_("Subtotal"),
    "tax_total": N_("Tax"),
    "total": N_("Total"),
    "paid_total": N_("Paid"),
    "credited_total": N_("Credited"),
    "terms": N_("Payment terms"),
    "display_name": N_("Display name"),
    "username": N_("User name"),
    "email": N_("Email"),
    "role": N_("Role"),
    "manager_id": N_("Manager"),
    "active": N_("Active"),
    "can_export": N_("May export"),
    "phone": N_("Phone"),
    "tax_id": N_("Tax ID"),
    "bank_details": N_("Bank details"),
    "logo": N_("Logo"),
    "default_currency": N_("Default currency"),
    "amount_words_language": N_("Total in words"),
    "body": N_("Text"),
    "tag": N_("Tag"),
    "probability": N_("Probability"),
    "time_limit_days": N_("Time limit"),
    "position": N_("Position"),
    "merged": N_("Merged clients"),
    "restored": N_("Clients put back"),
    "report": N_("Report"),
    "from": N_("From"),
    "to": N_("To"),
    "rows": N_("Rows"),
    "team_of": N_("Team"),
    "days": N_("Days"),
}


def _field(key: str) -> str:
    """A stored field's name as a person reads it: amount → Amount; one not listed still reads as words
    (due_at → due at, client_id → client)."""
    if key in FIELD_WORDS:
        return Message(FIELD_WORDS[key]).render()
    return key.removesuffix("_id").replace("_", " ")


def _summary(row: AuditRow) -> str:
    """Changed fields as old → new (a new record: its values; a deleted one: what it held)."""
    parts = []
    for key, value in row.changes.items():
        if key == "id" or key.startswith("_"):  # "_undo": what undoing a merge needs, not for reading
            continue
        name = _field(key)
        if isinstance(value, list) and len(value) == 2:
            old, new = value
            parts.append(
                f"{name}: {_text(new)}"
                if old is None
                else fill(
                    QCoreApplication.translate("AuditViewer", "{field}: {old} (gone)"),
                    field=name,
                    old=_text(old),
                )
                if new is None
                else f"{name}: {_text(old)} → {_text(new)}"
            )
        else:
            parts.append(f"{name}: {_text(value)}")
    return "; ".join(parts)


def record_words(tr) -> dict[str, str]:
    return {
        "clients": tr("Client"),
        "deals": tr("Deal"),
        "tasks": tr("Task"),
        "documents": tr("Document"),
        "document_lines": tr("Invoice line"),
        "payments": tr("Payment"),
        "activities": tr("Timeline entry"),
        "users": tr("User"),
        "pipelines": tr("Pipeline"),
        "stages": tr("Stage"),
        "company_profile": tr("Company details"),
        "demo": tr("Demo data"),
        "workflow_templates": tr("Workflow template"),
        "jobs": tr("Job"),
        "job_stages": tr("Job stage"),
        "holidays": tr("Holiday"),
        "report": tr("Report"),
    }


def action_words(tr) -> dict[str, str]:
    return {
        "create": tr("Created"),
        "update": tr("Changed"),
        "delete": tr("Deleted"),
        "issue": tr("Issued"),
        "cancel": tr("Cancelled"),
        "stage_move": tr("Moved to a stage"),
        "won": tr("Marked won"),
        "lost": tr("Marked lost"),
        "payment_removed": tr("Payment removed"),
        "login": tr("Signed in"),
        "export": tr("Exported"),
        "refused": tr("Refused"),
        "email": tr("Emailed"),
        "pdf": tr("PDF made"),
        "password": tr("Password changed"),
        "tags": tr("Tags changed"),
        "generate": tr("Generated"),
        "import": tr("Imported"),
        "merge": tr("Merged"),
        "unmerge": tr("Merge undone"),
    }


def in_words(key: str, words: dict[str, str]) -> str:
    """A record kind or an action as said in `words`; one not listed there still reads as words."""
    return words.get(key, key.replace("_", " ").capitalize())


def record_text(row: AuditRow, words: dict[str, str]) -> str:
    """Task 'Call Rashad', or Task #132 when its name is not known."""
    kind = in_words(row.entity, words)
    if row.record_name:
        return f"{kind} '{row.record_name}'"
    return f"{kind} #{row.entity_id}" if row.entity_id else kind


def _fetch(ctx, query: AuditFilter, _sort, _descending, offset, limit):
    return audit.list_entries(ctx, query, offset=offset, limit=limit)


def _count(ctx, query: AuditFilter) -> int:
    return audit.count_entries(ctx, query)


def _load_choices(ctx):
    return users.list_users(ctx, include_inactive=True), *audit.choices(ctx)


class AuditViewer(QDialog):
    def __init__(self, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle(self.tr("Audit log"))
        self.user, self.entity, self.action = QComboBox(), QComboBox(), QComboBox()
        for combo, everyone in (
            (self.user, self.tr("All users")),
            (self.entity, self.tr("All records")),
            (self.action, self.tr("All actions")),
        ):
            combo.addItem(everyone, None)
            combo.setMinimumContentsLength(12)
        # Empty: no bound. A day typed wrong is said, never moved to another (as a QDateEdit would).
        self.since, self.until = DateField(optional=True), DateField(optional=True)
        self.since.edit.setPlaceholderText(self.tr("any day"))
        self.until.edit.setPlaceholderText(self.tr("today"))
        top = QHBoxLayout()
        for widget in (self.user, self.entity, self.action):
            top.addWidget(widget)
        for label, edit in ((self.tr("From"), self.since), (self.tr("to"), self.until)):
            top.addWidget(QLabel(label))
            top.addWidget(edit)
        top.addStretch(1)

        zone = ops.ctx.zone()
        self.records, self.actions = record_words(self.tr), action_words(self.tr)
        columns = [
            Column(self.tr("When"), lambda r: moment_text(r.at, seconds=True, zone=zone), width=150),
            Column(self.tr("User"), self._who, width=140),
            Column(
                self.tr("Action"),
                lambda r: in_words(r.action, self.actions),
                width=130,
            ),
            Column(self.tr("Record"), lambda r: record_text(r, self.records), width=220),
            Column(self.tr("Details"), _summary, width=400),
        ]
        self.model = LazyTableModel(
            ops, columns, _fetch, _count, query=self.query(), sort="at", descending=True, parent=self
        )
        self.table = ListTable(self.model, settings, "columns/audit_log")
        self.count = QLabel()
        self.model.total_changed.connect(
            lambda n: self.count.setText(fill(ngettext("{n} entry", "{n} entries", n), n=n))
        )
        self.problem = error_label("problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # Enter in a day filter applies it; as the default button Close would take it and shut the log.
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(1000, 600)

        for combo in (self.user, self.entity, self.action):
            combo.currentIndexChanged.connect(self.apply_filter)
        for edit in (self.since, self.until):
            edit.entered.connect(self.apply_filter)
        ops.read(_load_choices, on_done=self._choices_loaded, on_error=self._refused)
        self.model.reload()

    def _choices_loaded(self, loaded) -> None:
        people, entities, actions = loaded
        for combo, items in (
            (self.user, [(u.display_name, u.id) for u in people]),
            (self.entity, [(in_words(e, self.records), e) for e in entities]),
            (self.action, [(in_words(a, self.actions), a) for a in actions]),
        ):
            combo.blockSignals(True)
            for text, data in items:
                combo.addItem(text, data)
            combo.blockSignals(False)

    def _refused(self, error) -> None:
        show_error(self.problem, error.message)

    def _who(self, row: AuditRow) -> str:
        if row.by_rules:
            return self.tr("the follow-up rules")
        if row.user_name:
            return row.user_name
        if row.login:  # a server login that is no CRM user, e.g. the administrator's own psql
            return fill(self.tr("login {login}"), login=row.login)
        return self.tr("(the system)")

    def query(self) -> AuditFilter:
        """The filters as chosen; ValidationError when a day typed is not one."""
        return AuditFilter(
            user_id=self.user.currentData(),
            entity=self.entity.currentData(),
            action=self.action.currentData(),
            since=self.since.typed_date(self.tr("The first day")),
            until=self.until.typed_date(self.tr("The last day")),
        )

    def apply_filter(self) -> None:
        try:
            query = self.query()
        except ValidationError as error:
            show_error(self.problem, error.message)  # the list stays as it was filtered
            return
        show_error(self.problem, "")
        self.model.set_query(query)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
