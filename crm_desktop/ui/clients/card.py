"""The client card: contact details, deals, jobs, open tasks, invoices and one timeline, newest first."""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import activities, clients, deals, invoices, jobs, tasks
from crm_desktop.services.activities import ActivityRow
from crm_desktop.services.clients import ClientDetail
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.deals import DealFilter, DealRow
from crm_desktop.services.errors import NotFound, ServiceError
from crm_desktop.services.invoices import DocumentFilter, DocumentRow
from crm_desktop.services.jobs import JobRow
from crm_desktop.services.tasks import TaskFilter, TaskRow
from crm_desktop.ui import next_activity
from crm_desktop.ui.clients.form import client_status_names, kind_names
from crm_desktop.ui.dates import moment_text
from crm_desktop.ui.entry_dialog import timeline_kinds
from crm_desktop.ui.form_dialog import error_label
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.work.cards import late_text
from crm_desktop.ui.work.words import job_status_names

TIMELINE_LIMIT = 200  # the newest entries; older ones are rarely needed on the card
LIST_LIMIT = 20
KIND_COLORS = {
    "note": "#2563eb",
    "call": "#059669",
    "meeting": "#7c3aed",
    "email": "#d97706",
    "status_change": "#6b7280",
    "document": "#0891b2",
    "deal": "#db2777",
    "task": "#16a34a",
    "job": "#ea580c",
}


@dataclass(frozen=True)
class CardData:
    client: ClientDetail
    deals: list[DealRow]
    tasks: list[TaskRow]
    documents: list[DocumentRow]
    jobs: list[JobRow]
    timeline: list[ActivityRow]


def load_card(ctx: ServiceContext, client_id: int) -> CardData:
    """Everything the card shows, in one background call."""
    return CardData(
        client=clients.get(ctx, client_id),
        deals=deals.list_deals(ctx, DealFilter(client_id=client_id), limit=LIST_LIMIT),
        tasks=tasks.list_tasks(ctx, TaskFilter(client_id=client_id), limit=LIST_LIMIT),
        documents=invoices.list_documents(
            ctx, DocumentFilter(kind=None, client_id=client_id), limit=LIST_LIMIT
        ),
        jobs=jobs.for_client(ctx, client_id)[:LIST_LIMIT],
        timeline=activities.timeline(ctx, client_id, limit=TIMELINE_LIMIT),
    )


def local_time(when: datetime | None) -> str:
    return moment_text(when)


class ClientCard(QWidget):
    loaded = Signal()  # a client's data arrived and is shown
    note_saved = Signal(object)  # the ActivityRow just added
    entry_closed = Signal()  # the note/call editor was saved or cancelled: focus can go back to the list
    open_job_requested = Signal(int)  # a job of the client was clicked

    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.data: CardData | None = None
        self.client_id: int | None = None
        self._generation = 0
        self._entry_kind = "note"

        self.placeholder = QLabel(self.tr("Select a client to see their card."))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #6b7280;")

        self.title = QLabel()
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #4b5563;")
        self.details: dict[str, QLabel] = {}
        details = QFormLayout()
        details.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key, label in (
            ("company", self.tr("Company")),
            ("phones", self.tr("Phones")),
            ("emails", self.tr("Emails")),
            ("address", self.tr("Address")),
            ("tags", self.tr("Tags")),
            ("owner", self.tr("Owner")),
            ("notes", self.tr("Notes")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setObjectName(f"detail_{key}")
            self.details[key] = value
            details.addRow(self._caption(label), value)

        self.deals = self._compact_list("deals")
        self.tasks = self._compact_list("tasks")
        self.documents = self._compact_list("documents")
        self.jobs = QLabel()
        self.jobs.setObjectName("jobs")
        self.jobs.setWordWrap(True)
        self.jobs.setTextFormat(Qt.TextFormat.RichText)
        self.jobs.linkActivated.connect(lambda link: self.open_job_requested.emit(int(link.split(":")[1])))

        # The inline editor for a note or a call: Ctrl+Enter saves, Esc closes.
        self.entry_caption = QLabel()
        self.entry = QPlainTextEdit()
        self.entry.setObjectName("entry")
        self.entry.setFixedHeight(70)
        self.entry_error = error_label()
        self.entry_save = QPushButton(self.tr("Save (Ctrl+Enter)"))
        self.entry_cancel = QPushButton(self.tr("Cancel (Esc)"))
        self.entry_save.clicked.connect(self.save_entry)
        self.entry_cancel.clicked.connect(self.close_entry)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.entry)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.save_entry)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.entry)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.close_entry)
        self.entry_box = QWidget()
        entry_layout = QVBoxLayout(self.entry_box)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        entry_layout.addWidget(self.entry_caption)
        entry_layout.addWidget(self.entry)
        entry_layout.addWidget(self.entry_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.entry_cancel)
        buttons.addWidget(self.entry_save)
        entry_layout.addLayout(buttons)
        self.entry_box.hide()

        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setMinimumHeight(160)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(12, 8, 12, 8)
        body.addWidget(self.title)
        body.addWidget(self.subtitle)
        body.addLayout(details)
        for caption, widget in (
            (self.tr("Deals"), self.deals),
            (self.tr("Jobs"), self.jobs),
            (self.tr("Open tasks"), self.tasks),
            (self.tr("Invoices and quotes"), self.documents),
        ):
            body.addWidget(self._heading(caption))
            body.addWidget(widget)
        body.addWidget(self._heading(self.tr("Timeline")))
        body.addWidget(self.entry_box)
        body.addWidget(self.timeline, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(scroll)
        self.scroll = scroll
        self.scroll.hide()

    # --- building blocks ---

    def _caption(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("color: #6b7280;")
        return label

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 8, 0, 0)
        return label

    def _compact_list(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    # --- loading ---

    def show_client(self, client_id: int | None) -> None:
        """Load and show a client (None clears the card)."""
        self._generation += 1
        self.client_id = client_id
        if client_id is None:
            self.data = None
            self.close_entry()
            self.scroll.hide()
            self.placeholder.show()
            return
        generation = self._generation
        self.ops.read(
            load_card,
            client_id,
            on_done=lambda data: self._arrived(generation, data),
            on_error=lambda error: self._failed(generation, error),
        )

    def show_saved(self, client: ClientDetail) -> None:
        """Show the client as the save just made here returned it: nothing else on the card changed,
        so there is nothing to read again (a save that changes more, e.g. a status, reloads)."""
        if self.data is None or self.client_id != client.id:
            self.show_client(client.id)
            return
        self._generation += 1
        self._arrived(self._generation, dataclasses.replace(self.data, client=client))

    def reload(self) -> None:
        if self.client_id is not None:
            generation = self._generation
            self.ops.read(
                load_card,
                self.client_id,
                on_done=lambda data: self._arrived(generation, data),
                on_error=lambda error: self._failed(generation, error),
            )

    def _failed(self, generation: int, error: ServiceError) -> None:
        if generation != self._generation:
            return
        if isinstance(error, NotFound):  # deleted meanwhile (here or on another PC)
            self.show_client(None)
        else:
            self.ops.show_problem(error.message)

    def _arrived(self, generation: int, data: CardData) -> None:
        if generation != self._generation:
            return
        self.data = data
        c = data.client
        self.title.setText(c.name)
        statuses, kinds = client_status_names(), kind_names()
        subtitle = f"{kinds.get(c.kind, c.kind)} · {statuses.get(c.status, c.status)}"
        if c.source:
            subtitle += " · " + fill(self.tr("from {source}"), source=c.source)
        if c.private:
            subtitle += " · " + self.tr("private")
        self.subtitle.setText(subtitle)
        values = {
            "company": c.company_name,
            "phones": "\n".join("\u200e" + p for p in c.phones),
            "emails": "\n".join(c.emails),
            "address": c.address,
            "tags": ", ".join(c.tags),
            "owner": c.owner_name,
            "notes": c.notes,
        }
        for key, label in self.details.items():
            label.setText(values[key] or "—")
        self.deals.setText(
            "\n".join(self._deal_line(d, self.ops.ctx.today()) for d in data.deals) or self.tr("No deals.")
        )
        self.tasks.setText(
            "\n".join(
                (f"{local_time(t.due_at)}  " if t.due_at else "")
                + t.title
                + (" " + self.tr("(overdue)") if t.overdue else "")
                for t in data.tasks
            )
            or self.tr("No open tasks.")
        )
        self.documents.setText(
            "\n".join(
                fill(
                    self.tr("{document} — {total}, balance {balance}"),
                    document=d.number or self.tr("Draft"),
                    total=money_text(d.total, d.currency),
                    balance=money_text(d.balance, d.currency),
                )
                for d in data.documents
            )
            or self.tr("No invoices or quotes.")
        )
        self.jobs.setText(
            "<br>".join(self._job_line(j) for j in data.jobs) or html.escape(self.tr("No jobs."))
        )
        self.timeline.clear()
        for entry in data.timeline:
            self.timeline.addItem(self._timeline_item(entry))
        if not data.timeline:
            empty = QListWidgetItem(self.tr("Nothing on the timeline yet. Ctrl+Shift+N adds a note."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.timeline.addItem(empty)
        self.placeholder.hide()
        self.scroll.show()
        self.loaded.emit()

    def _deal_line(self, deal: DealRow, today: date) -> str:
        line = f"{deal.title} — {deal.stage_name}, {money_text(deal.amount, deal.currency)}"
        if deal.outcome != "open":
            return line
        return (
            line
            + "\n    "
            + fill(
                self.tr("Next: {activity}"),
                activity=next_activity.text(deal.next_activity, today, expected=True),
            )
        )

    def _job_line(self, job: JobRow) -> str:
        """The job as a link to its window: its stage, its progress, late in red."""
        where = job.current_stage if job.status in jobs.OPEN else job_status_names()[job.status]
        line = f"<a href='job:{job.id}'>{html.escape(job.title)}</a> — " + html.escape(
            fill(self.tr("{stage}, {percent}% done"), stage=where or "—", percent=job.progress)
        )
        if job.days_late and job.status in jobs.OPEN:
            line += f" <span style='color:#b91c1c'>{html.escape(late_text(job))}</span>"
        return line

    def _body(self, entry: ActivityRow) -> str:
        if entry.kind != "status_change":
            return entry.text()
        # clients.update writes "old → new" with the stored keys; show them in the user's language.
        names = client_status_names()
        return " → ".join(names.get(part.strip(), part.strip()) for part in entry.body.split("→"))

    def kind_label(self, kind: str) -> str:
        return timeline_kinds(self.tr).get(kind, kind)

    def _timeline_item(self, entry: ActivityRow) -> QListWidgetItem:
        head = f"{self.kind_label(entry.kind)} · {local_time(entry.occurred_at)}"
        if entry.author_name:
            head += f" · {entry.author_name}"
        if entry.deal_title and entry.kind != "deal":  # a deal's own event names it already
            head += " · " + fill(self.tr("deal '{title}'"), title=entry.deal_title)
        item = QListWidgetItem(f"{head}\n{self._body(entry)}")
        item.setForeground(QColor("#111827"))
        item.setData(Qt.ItemDataRole.UserRole, entry)
        item.setData(Qt.ItemDataRole.DecorationRole, QColor(KIND_COLORS.get(entry.kind, "#6b7280")))
        return item

    def timeline_texts(self) -> list[str]:
        return [self.timeline.item(i).text() for i in range(self.timeline.count())]

    # --- adding a note or a call ---

    def open_entry(self, kind: str) -> None:
        if self.data is None:
            return
        self._entry_kind = kind
        self.entry_caption.setText(
            self.tr("New note for {name}") if kind == "note" else self.tr("Log a call with {name}")
        )
        self.entry_caption.setText(fill(self.entry_caption.text(), name=self.data.client.name))
        self.entry_error.hide()
        self.entry_box.show()
        self.entry.setFocus()

    def close_entry(self) -> None:
        was_open = self.entry_box.isVisible()
        self.entry.clear()
        self.entry_error.hide()
        self.entry_box.hide()
        if was_open:
            self.entry_closed.emit()

    def save_entry(self) -> None:
        if self.client_id is None or not self.entry_box.isVisible():
            return
        client_id = self.client_id
        self.entry_save.setEnabled(False)
        self.ops.write(
            activities.add,
            client_id,
            kind=self._entry_kind,
            body=self.entry.toPlainText(),
            on_done=lambda row: self._entry_saved(client_id, row),
            on_error=self._entry_failed,
        )

    def _entry_saved(self, client_id: int, row: ActivityRow) -> None:
        self.entry_save.setEnabled(True)
        if client_id == self.client_id:
            # Shown at once; the refresh that follows the change brings the same list from the database.
            if self.data is not None and not self.data.timeline:
                self.timeline.clear()
            self.timeline.insertItem(0, self._timeline_item(row))
            self.close_entry()
        self.note_saved.emit(row)

    def _entry_failed(self, error: ServiceError) -> None:
        self.entry_save.setEnabled(True)
        self.entry_error.setText(error.message)
        self.entry_error.show()
