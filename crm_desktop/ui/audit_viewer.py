"""Settings → Audit log (administrators): every change, refusal, export, PDF, email and sign-in,
newest first, filtered by user, record type, action and days."""

from __future__ import annotations

import json
from datetime import date

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services import audit, users
from crm_desktop.services.audit import AuditFilter, AuditRow
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.list_table import ListTable
from crm_desktop.ui.ops import Ops


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _summary(row: AuditRow) -> str:
    """Changed fields as old → new (a new record: its values; a deleted one: what it held)."""
    parts = []
    for key, value in row.changes.items():
        if key == "id":
            continue
        if isinstance(value, list) and len(value) == 2:
            old, new = value
            parts.append(
                f"{key}: {_text(new)}"
                if old is None
                else f"{key}: {_text(old)} (gone)"
                if new is None
                else f"{key}: {_text(old)} → {_text(new)}"
            )
        else:
            parts.append(f"{key}: {_text(value)}")
    return "; ".join(parts)


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
        today = ops.ctx.today()
        self.use_since, self.use_until = QCheckBox(self.tr("From")), QCheckBox(self.tr("to"))
        self.since, self.until = (
            QDateEdit(QDate(today.year, today.month, 1)),
            QDateEdit(QDate(today.year, today.month, today.day)),
        )
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        top = QHBoxLayout()
        for widget in (
            self.user,
            self.entity,
            self.action,
            self.use_since,
            self.since,
            self.use_until,
            self.until,
        ):
            top.addWidget(widget)
        top.addStretch(1)

        zone = ops.ctx.zone()
        columns = [
            Column(self.tr("When"), lambda r: r.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), width=150),
            Column(self.tr("User"), self._who, width=140),
            Column(self.tr("Action"), lambda r: r.action, width=110),
            Column(
                self.tr("Record"),
                lambda r: f"{r.entity} #{r.entity_id}" if r.entity_id else r.entity,
                width=150,
            ),
            Column(self.tr("Details"), _summary, width=400),
        ]
        self.model = LazyTableModel(
            ops, columns, _fetch, _count, query=self.query(), sort="at", descending=True, parent=self
        )
        self.table = ListTable(self.model, settings, "columns/audit_log")
        self.count = QLabel()
        self.model.total_changed.connect(lambda n: self.count.setText(self.tr("{n} entries").format(n=n)))
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
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
        for box in (self.use_since, self.use_until):
            box.toggled.connect(self.apply_filter)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.apply_filter)
        ops.read(_load_choices, on_done=self._choices_loaded, on_error=self._refused)
        self.model.reload()

    def _choices_loaded(self, loaded) -> None:
        people, entities, actions = loaded
        for combo, items in (
            (self.user, [(u.display_name, u.id) for u in people]),
            (self.entity, [(e, e) for e in entities]),
            (self.action, [(a, a) for a in actions]),
        ):
            combo.blockSignals(True)
            for text, data in items:
                combo.addItem(text, data)
            combo.blockSignals(False)

    def _refused(self, error) -> None:
        self.problem.setText(error.message)
        self.problem.show()

    def _who(self, row: AuditRow) -> str:
        if row.user_name:
            return row.user_name
        if row.login:  # a server login that is no CRM user, e.g. the administrator's own psql
            return self.tr("login {login}").format(login=row.login)
        return self.tr("(the system)")

    def query(self) -> AuditFilter:
        def day(box: QCheckBox, edit: QDateEdit) -> date | None:
            return edit.date().toPython() if box.isChecked() else None

        return AuditFilter(
            user_id=self.user.currentData(),
            entity=self.entity.currentData(),
            action=self.action.currentData(),
            since=day(self.use_since, self.since),
            until=day(self.use_until, self.until),
        )

    def apply_filter(self) -> None:
        self.model.set_query(self.query())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
