"""A note or a logged call about a client, or about one of the client's deals: it lands on the client's
timeline (and on the deal's, when it is about one)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services import activities
from crm_desktop.services.deals import DealRow
from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops


def timeline_kinds(tr) -> dict[str, str]:
    """What each kind of timeline entry is called where entries are listed (a client's card, a deal)."""
    return {
        "note": tr("Note"),
        "call": tr("Call"),
        "meeting": tr("Meeting"),
        "email": tr("Email"),
        "status_change": tr("Status change"),
        "document": tr("Invoicing"),
        "deal": tr("Deal"),
        "task": tr("Task"),
        "job": tr("Job"),
    }


class EntryDialog(FormDialog):
    def __init__(
        self,
        ops: Ops,
        *,
        client_id: int,
        client_name: str,
        kind: str = "note",
        deal: tuple[int, str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(ops, parent)
        self.client_id, self.kind = client_id, kind
        self.deal_id = deal[0] if deal else None
        self.setWindowTitle(self.tr("New note") if kind == "note" else self.tr("Log a call"))
        about = self.tr("About {name}") if kind == "note" else self.tr("With {name}")
        about = fill(about, name=client_name)
        if deal:
            about += " · " + fill(self.tr("deal '{title}'"), title=deal[1])
        self.about = QLabel(about)  # in the dialog, not its title: a window manager cuts long titles
        self.about.setWordWrap(True)
        self.about.setStyleSheet("font-weight: 600;")
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)
        self.body.setPlaceholderText(
            self.tr("What was said or agreed") if kind == "call" else self.tr("What to remember")
        )
        self.add_row("body", self.tr("&Text"), self.body)
        self.finish_layout()
        self.layout().insertWidget(0, self.about)
        self.resize(460, 260)
        self.body.setFocus()

    @classmethod
    def about_deal(cls, ops: Ops, deal: DealRow, kind: str, parent: QWidget | None = None) -> EntryDialog:
        return cls(
            ops,
            client_id=deal.client_id,
            client_name=deal.client_name,
            kind=kind,
            deal=(deal.id, deal.title),
            parent=parent,
        )

    def submit(self, on_done, on_error) -> None:
        self.ops.write(
            activities.add,
            self.client_id,
            kind=self.kind,
            body=self.body.toPlainText(),
            deal_id=self.deal_id,
            request_id=self.request_id,
            on_done=on_done,
            on_error=on_error,
            initiator=self,
        )
