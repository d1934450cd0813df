"""The deal form (new or edit, with the deal's stage history) and the question "why was it lost?"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import deals, money
from crm_desktop.services.activities import ActivityRow
from crm_desktop.services.deals import DealRow, StageChangeRow
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.pipelines import PipelineRow
from crm_desktop.services.users import UserRow
from crm_desktop.ui.client_picker import ClientPicker
from crm_desktop.ui.currency_choice import currency_combo
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import moment_text
from crm_desktop.ui.entry_dialog import EntryDialog, timeline_kinds
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops


def local_time(moment) -> str:
    return moment_text(moment)


class DealDialog(FormDialog):
    """New deal (in a chosen pipeline, optionally for a known client) or edit of an existing one.

    The stage of an existing deal is changed on the board or with Won/Lost, where it is recorded in
    the stage history shown here; the form edits what the deal is.
    """

    def __init__(
        self,
        ops: Ops,
        *,
        pipeline: PipelineRow,
        users: list[UserRow],
        currency: str,
        deal: DealRow | None = None,
        history: list[StageChangeRow] = (),
        notes: list[ActivityRow] = (),
        client: tuple[int, str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(ops, parent)
        self.deal, self.pipeline = deal, pipeline
        self.setWindowTitle(fill(self.tr("Deal: {title}"), title=deal.title) if deal else self.tr("New deal"))
        self.resize(560, 640 if deal else 420)  # fits a 1280×720 screen
        self.title = QLineEdit(deal.title if deal else "")
        self.client = ClientPicker(
            ops, client_id=deal.client_id if deal else None, name=deal.client_name if deal else ""
        )
        if client is not None:
            self.client.choose(*client)
        self.amount = QLineEdit(money.format_amount(deal.amount, deal.currency) if deal else "")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setPlaceholderText("0.00")
        self.currency = currency_combo(deal.currency if deal else currency)
        self.expected_close = DateField(deal.expected_close if deal else None, optional=True)
        self.owner = QComboBox()
        for user in users:
            self.owner.addItem(user.display_name or user.username, user.id)
        owner_id = deal.owner_id if deal else ops.ctx.actor.user_id
        if self.owner.findData(owner_id) < 0 and deal is not None and owner_id is not None:
            self.owner.addItem(deal.owner_name, owner_id)  # an inactive owner stays as it is
        self.owner.setCurrentIndex(max(0, self.owner.findData(owner_id)))

        self.add_row("title", self.tr("&Title"), self.title)
        self.add_row("client_id", self.tr("&Client"), self.client)
        self.add_row("amount", self.tr("&Amount"), self.amount)
        self.add_row("currency", self.tr("C&urrency"), self.currency)
        self.add_row("expected_close", self.tr("&Expected close"), self.expected_close)
        self.add_row("owner_id", self.tr("&Owner"), self.owner)
        if deal is None:
            self.stage = QComboBox()
            for st in pipeline.stages:
                if not st.is_lost:  # a deal does not start lost
                    self.stage.addItem(f"{st.name} ({st.probability}%)", st.id)
            self.add_row("stage_id", self.tr("&Stage"), self.stage)
        else:
            self.history = QTreeWidget()
            self.history.setRootIsDecorated(False)
            self.history.setHeaderLabels([self.tr("When"), self.tr("From"), self.tr("To"), self.tr("By")])
            for change in history:
                self.history.addTopLevelItem(
                    QTreeWidgetItem(
                        [
                            local_time(change.changed_at),
                            change.from_stage_name or self.tr("(created)"),
                            change.to_stage_name,
                            change.user_name,
                        ]
                    )
                )
            self.history.setColumnWidth(0, 130)
            self.form.addRow(self.tr("Stage history"), self.history)
            self.form.addRow(self.tr("Notes and calls"), self._notes_box(deal, notes))
        self.finish_layout()
        self.title.setFocus()

    def _notes_box(self, deal: DealRow, notes: list[ActivityRow]) -> QWidget:
        self.notes = QTreeWidget()
        self.notes.setRootIsDecorated(False)
        self.notes.setHeaderLabels([self.tr("When"), self.tr("What"), self.tr("By"), self.tr("Text")])
        self.notes.setColumnWidth(0, 130)
        for entry in notes:
            self._add_note_item(entry, at_top=False)
        self.add_note_button = QPushButton(self.tr("Add note…"))
        self.add_note_button.clicked.connect(lambda: self.add_entry("note"))
        self.log_call_button = QPushButton(self.tr("Log call…"))
        self.log_call_button.clicked.connect(lambda: self.add_entry("call"))
        for button in (self.add_note_button, self.log_call_button):
            button.setAutoDefault(False)  # Enter saves the deal
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_note_button)
        buttons.addWidget(self.log_call_button)
        buttons.addStretch(1)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.notes)
        column.addLayout(buttons)
        return box

    def _add_note_item(self, entry: ActivityRow, *, at_top: bool = True) -> None:
        kinds = {**timeline_kinds(self.tr), "deal": self.tr("Stage")}  # on the deal, its own are stage moves
        item = QTreeWidgetItem(
            [
                local_time(entry.occurred_at),
                kinds.get(entry.kind, self.tr("Event")),
                entry.author_name,
                entry.text().replace("\n", " "),
            ]
        )
        item.setToolTip(3, entry.text())
        if at_top:
            self.notes.insertTopLevelItem(0, item)
        else:
            self.notes.addTopLevelItem(item)

    def add_entry(self, kind: str) -> EntryDialog:
        """A note or a call about this deal, stored at once (the deal's own fields wait for Save)."""
        assert self.deal is not None
        dialog = EntryDialog.about_deal(self.ops, self.deal, kind, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._add_note_item)
        self.entry_dialog = dialog
        dialog.open()
        return dialog

    def values(self) -> dict:
        return {
            "title": self.title.text(),
            "client_id": self.client.client_id,
            "amount": self.amount.text().strip() or "0",
            "currency": self.currency.currentData(),
            "owner_id": self.owner.currentData(),
            "expected_close": self.expected_close.typed_date(),
        }

    def submit(self, on_done, on_error) -> None:
        values = self.values()
        if values["client_id"] is None:
            on_error(
                ValidationError(
                    "client_id", self.tr("Choose the client from the list that opens as you type.")
                )
            )
            return
        if self.deal is None:
            self.ops.write(
                deals.create,
                **values,
                pipeline_id=self.pipeline.id,
                stage_id=self.stage.currentData(),
                request_id=self.request_id,
                on_done=on_done,
                on_error=on_error,
            )
        else:
            self.ops.write(
                deals.update,
                self.deal.id,
                expected_version=self.deal.version,
                base=deals.editable_values(self.deal),
                decided=self.decided,
                **values,
                on_done=on_done,
                on_error=on_error,
            )

    def conflict_hint(self) -> str:
        return self.tr("Your input is still here: copy what you need, press Cancel and open the deal again.")


class LostReasonDialog(FormDialog):
    """Marks a deal lost; the reason is what the team learns from, so it is asked every time."""

    def __init__(self, ops: Ops, deal: DealRow, parent: QWidget | None = None):
        super().__init__(ops, parent)
        self.deal = deal
        self.setWindowTitle(fill(self.tr("Deal lost: {title}"), title=deal.title))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(
            [
                "",
                self.tr("Price"),
                self.tr("Timing"),
                self.tr("Competitor"),
                self.tr("No budget"),
                self.tr("No response"),
            ]
        )
        self.reason.setCurrentText(deal.lost_reason)
        self.reason.lineEdit().setPlaceholderText(self.tr("Why was it lost? Choose or type"))
        self.add_row("lost_reason", self.tr("&Reason"), self.reason)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Mark lost"))
        self.finish_layout()
        self.reason.setFocus()

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            deals.mark_lost,
            self.deal.id,
            reason=self.reason.currentText(),
            expected_version=self.deal.version,
            on_done=on_done,
            on_error=on_error,
        )

    def conflict_hint(self) -> str:
        return self.tr("Press Cancel; the board shows the deal as it is now.")
