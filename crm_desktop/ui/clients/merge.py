"""Clients → Find duplicates: the groups of clients that are one (services/client_duplicates.py), each
merged after the user chose the client that remains and the value of each field that differs
(services/client_merge.py); and the user's last merge undone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import Message, fill, ngettext
from crm_desktop.services import client_duplicates, client_merge
from crm_desktop.services.client_duplicates import Group
from crm_desktop.services.client_merge import Linked, Plan
from crm_desktop.ui.clients.form import client_status_names, kind_names
from crm_desktop.ui.confirm import enter_presses_no_button
from crm_desktop.ui.jobs import run_job
from crm_desktop.ui.left_to_right import embedded, in_its_own_order
from crm_desktop.ui.ops import Ops

ID_ROLE = Qt.ItemDataRole.UserRole


def brings(linked: Linked) -> str:
    """What a client brings into a merge, in words: "2 deals, 1 task" (or that it has nothing)."""
    parts = [
        fill(said, n=n)
        for n, said in (
            (linked.deals, ngettext("{n} deal", "{n} deals", linked.deals)),
            (linked.jobs, ngettext("{n} job", "{n} jobs", linked.jobs)),
            (linked.tasks, ngettext("{n} task", "{n} tasks", linked.tasks)),
            (linked.documents, ngettext("{n} quote or invoice", "{n} quotes or invoices", linked.documents)),
            (linked.activities, ngettext("{n} timeline entry", "{n} timeline entries", linked.activities)),
        )
        if n
    ]
    return ", ".join(parts) if parts else QCoreApplication.translate("MergeDialog", "nothing else")


class MergeDialog(QDialog):
    """The clients of `plan` into one: the client that remains, and per field that differs its value."""

    def __init__(self, ops: Ops, plan: Plan, on_merged: Callable[[Any], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.plan, self.on_merged = ops, plan, on_merged
        self.setWindowTitle(self.tr("Merge clients"))
        intro = QLabel(
            self.tr(
                "These clients become one. The others are deleted after their deals, tasks, documents "
                "and timeline move to the one that remains; phones, emails and tags of all are kept. "
                "You can undo this merge until your next one (Clients → Undo merge)."
            )
        )
        intro.setWordWrap(True)
        self.survivor = QComboBox()
        for c in plan.clients:
            self.survivor.addItem(f"{c.name} — {brings(plan.linked[c.id])}", c.id)
        self.survivor.setCurrentIndex(self.survivor.findData(plan.survivor_id))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("The client that remains"), self.survivor)
        self.fields: dict[str, QComboBox] = {}
        for field, label in self._labels().items():
            choices = plan.choices(field)
            if len(choices) > 1:
                combo = QComboBox()
                for _client_id, value in choices:
                    combo.addItem(self._shown(field, value), value)
                combo.setCurrentIndex(max(0, combo.findData(plan.values[field])))
                form.addRow(label, combo)
                self.fields[field] = combo
            elif choices:  # the one value any of them has: the merged client has it too
                form.addRow(label, self._said(self._shown(field, choices[0][1])))
        self.notes = QPlainTextEdit(plan.values["notes"])
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        if len(plan.choices("notes")) > 1:  # joined, for the user to edit
            form.addRow(self.tr("Notes"), self.notes)
        elif plan.values["notes"]:
            form.addRow(self.tr("Notes"), self._said(plan.values["notes"]))
        form.addRow(self.tr("Kept from all"), self._said(self._kept()))
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = QPushButton(self.tr("Merge"))
        self.buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        enter_presses_no_button(self)  # a merge is asked for by its button, never by Enter
        self.setMinimumWidth(560)

    def _labels(self) -> dict[str, str]:
        return {
            "name": self.tr("Name"),
            "kind": self.tr("Kind"),
            "status": self.tr("Status"),
            "owner_id": self.tr("Owner"),
            "company_id": self.tr("Company"),
            "source": self.tr("Source"),
            "address": self.tr("Address"),
            "language": self.tr("Documents in"),
            "private": self.tr("Private"),
        }

    def _shown(self, field: str, value: Any) -> str:
        holder = next((c for c in self.plan.clients if getattr(c, field) == value), None)
        if field == "owner_id":
            return holder.owner_name if holder else f"#{value}"
        if field == "company_id":
            return holder.company_name if holder else f"#{value}"
        if field == "kind":
            return kind_names().get(value, value)
        if field == "status":
            return client_status_names().get(value, value)
        if field == "language":
            return i18n.NAMES.get(value, value)
        if field == "private":
            return self.tr("Private") if value else self.tr("Seen by everyone")
        return str(value)

    @staticmethod
    def _said(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _kept(self) -> str:
        parts = [", ".join(values) for values in self.plan.joined.values() if values]
        return embedded("; ".join(parts)) if parts else self.tr("no phones, emails or tags")

    def values(self) -> dict[str, Any]:
        chosen = dict(self.plan.values)
        for field, combo in self.fields.items():
            chosen[field] = combo.currentData()
        chosen["notes"] = self.notes.toPlainText()
        return chosen

    def merge(self) -> None:
        self.merge_button.setEnabled(False)
        self.problem.hide()
        self.ops.write(
            client_merge.merge,
            self.survivor.currentData(),
            [c.id for c in self.plan.clients],
            values=self.values(),
            versions={c.id: c.version for c in self.plan.clients},
            on_done=self._merged,
            on_error=self._refused,
            initiator=self,
        )

    def _merged(self, client) -> None:
        self.accept()
        self.on_merged(client)

    def _refused(self, error) -> None:
        """Said in the dialog, which keeps every choice made (a stale list or an issued invoice)."""
        self.merge_button.setEnabled(True)
        self.problem.setText(error.message)
        self.problem.show()


class DuplicatesDialog(QDialog):
    """The groups of clients that are one, found as a job; the checked clients of a group merged."""

    def __init__(self, ops: Ops, on_merged: Callable[[Any], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.on_merged = ops, on_merged
        self.merge_dialog: MergeDialog | None = None
        self.setWindowTitle(self.tr("Duplicate clients"))
        self.summary = QLabel(self.tr("Looking for clients written more than once…"))
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("groups")
        self.tree.setHeaderLabels([self.tr("Client"), self.tr("Phones"), self.tr("Emails"), self.tr("Why")])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(1, 150)
        self.tree.setColumnWidth(2, 190)
        self.tree.itemDoubleClicked.connect(lambda *_: self.merge_selected())
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        self.tree.itemChanged.connect(lambda *_: self._update())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.merge_button = QPushButton(self.tr("Merge…"))
        self.merge_button.setToolTip(self.tr("Merge the checked clients of the chosen group"))
        self.buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.merge_button.clicked.connect(self.merge_selected)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        enter_presses_no_button(self)
        self.resize(820, 520)
        self._update()

    def find(self):
        """Look again (a job: 100,000 clients take seconds)."""
        return run_job(
            self,
            self.ops,
            client_duplicates.find,
            title=self.tr("Finding duplicate clients"),
            on_done=self.show_groups,
        )

    def show_groups(self, groups: list[Group]) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        for group in groups:
            first = group.clients[0]
            top = QTreeWidgetItem(
                [fill(self.tr("{name} and {n} more"), name=first.name, n=len(group.clients) - 1)]
            )
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # (only once it is in the tree)
            for client in group.clients:
                reason = group.reasons.get(client.id)
                item = QTreeWidgetItem(
                    top,
                    [
                        in_its_own_order(client.name),
                        embedded(", ".join(client.phones)),
                        embedded(", ".join(client.emails)),
                        Message(reason).render() if reason else "",
                    ],
                )
                item.setData(0, ID_ROLE, client.id)
                item.setToolTip(0, client.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Checked)
            top.setExpanded(True)
        self.tree.blockSignals(False)
        if groups:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
            self.summary.setText(
                fill(
                    ngettext(
                        "{n} group of clients that look like one. Check the ones to merge and press Merge.",
                        "{n} groups of clients that look like one. Check the ones to merge and press Merge.",
                        len(groups),
                    ),
                    n=len(groups),
                )
            )
        else:
            self.summary.setText(self.tr("No client is written more than once."))
        self._update()

    def _group(self) -> QTreeWidgetItem | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return item.parent() or item

    def checked_ids(self) -> list[int]:
        group = self._group()
        if group is None:
            return []
        children = (group.child(i) for i in range(group.childCount()))
        return [c.data(0, ID_ROLE) for c in children if c.checkState(0) == Qt.CheckState.Checked]

    def _update(self) -> None:
        self.merge_button.setEnabled(len(self.checked_ids()) >= 2)

    def merge_selected(self) -> None:
        ids = self.checked_ids()
        if len(ids) < 2:
            return
        self.ops.read(client_merge.plan, ids, on_done=self._ask)

    def _ask(self, plan: Plan) -> None:
        self.merge_dialog = MergeDialog(self.ops, plan, self._merged, self)
        self.merge_dialog.open()

    def _merged(self, client) -> None:
        group = self._group()
        if group is not None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(group))
        self.on_merged(client)
        self._update()


def undo_text(last: client_merge.LastMerge | None) -> str:
    """The menu's Undo merge, naming the client the merge made (the user's last merge)."""
    if last is None:
        return QCoreApplication.translate("MergeDialog", "Undo merge")
    return fill(QCoreApplication.translate("MergeDialog", "Undo merge into {name}"), name=last.survivor_name)
