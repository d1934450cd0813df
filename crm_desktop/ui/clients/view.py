"""The Clients workspace: search and filters over a lazily loaded table, the selected client's card
beside it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import clients, exports, users
from crm_desktop.services.clients import ClientFilter, DeletionImpact
from crm_desktop.services.context import Changes
from crm_desktop.services.errors import ServiceError
from crm_desktop.ui import next_activity
from crm_desktop.ui.clients.callback import CallBackDialog
from crm_desktop.ui.clients.card import ClientCard
from crm_desktop.ui.clients.form import ClientForm, client_status_names
from crm_desktop.ui.confirm import ask_to_confirm
from crm_desktop.ui.jobs import Job, run_job
from crm_desktop.ui.lazy_model import Column
from crm_desktop.ui.list_export import choose_file
from crm_desktop.ui.list_table import ListTable
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.search_delay import SearchDelay
from crm_desktop.ui.windowed_model import WindowedTableModel

CARD_DELAY_MS = 60  # holding an arrow key down loads the card of the row it stops on, not of every row
LIST_TABLES = frozenset({"clients", "users", "client_tags"})
PLANNED_TABLES = frozenset({"tasks"})  # the next activity column
CARD_TABLES = frozenset(
    {
        "clients",
        "users",
        "client_tags",
        "activities",
        "deals",
        "tasks",
        "documents",
        "payments",
        "jobs",
        "job_stages",
    }
)
SETTINGS = "clients_view"


def fetch_clients(ctx, f: ClientFilter, sort: str, descending: bool, offset: int, limit: int, after=None):
    return clients.list_clients(
        ctx, f, sort=sort, descending=descending, offset=offset, limit=limit, after=after
    )


def refresh_clients(ctx, f: ClientFilter, ids: list[int]):
    return clients.rows(ctx, ids, f)


def load_choices(ctx) -> tuple[list, list[str], list[str]]:
    return users.list_users(ctx), clients.tags_in_use(ctx), clients.sources_in_use(ctx)


class ClientsView(QWidget):
    start_job_requested = Signal(int, str)  # client id, name: the main window asks which workflow
    invoice_draft_made = Signal(object)  # a month of visits invoiced: the main window opens the draft
    open_job_requested = Signal(int)  # a job on the card was clicked

    def __init__(self, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.users: list = []
        self.sources: list[str] = []
        self.form: ClientForm | None = None
        self.callback: CallBackDialog | None = None
        self.confirm: QMessageBox | None = None
        self._wanted_id: int | None = None  # open_client() before its row is on screen

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search by name, phone digits or email…"))
        self.search.setClearButtonEnabled(True)
        self.status = self._combo("status", self.tr("Any status"))
        for key, label in client_status_names().items():
            self.status.addItem(label, key)
        self.owner = self._combo("owner", self.tr("Any owner"))
        self.tag = self._combo("tag", self.tr("Any tag"))
        self.source = self._combo("source", self.tr("Any source"))
        self.unplanned = QCheckBox(self.tr("No next activity"))
        self.unplanned.setObjectName("unplanned")
        self.unplanned.setToolTip(self.tr("Only clients still worked with that have no open task planned"))

        statuses = client_status_names()
        columns = [
            Column(self.tr("Name"), lambda c: c.name, "name", width=220),
            Column(self.tr("Status"), lambda c: statuses.get(c.status, c.status), "status", width=90),
            Column(self.tr("Phones"), lambda c: ", ".join(c.phones), width=150, left_to_right=True),
            Column(self.tr("Emails"), lambda c: ", ".join(c.emails), width=200, left_to_right=True),
            Column(self.tr("Source"), lambda c: c.source, "source", width=100),
            Column(self.tr("Owner"), lambda c: c.owner_name, width=110),
            Column(
                self.tr("Next activity"),
                lambda c: next_activity.text(c.next_activity, ops.ctx.today(), expected=False),
                width=200,
                color=lambda c: next_activity.color(c.next_activity, ops.ctx.now(), expected=False),
            ),
        ]
        # The windowed model counts all rows and loads only the pages in sight: a million clients open at
        # once.
        self.model = WindowedTableModel(
            ops,
            columns,
            fetch_clients,
            lambda ctx, f: clients.count(ctx, f),
            query=ClientFilter(),
            sort="name",
            first_page=lambda ctx, f, sort, descending, limit: clients.first_page(
                ctx, f, sort=sort, descending=descending, limit=limit
            ),
            key_sorts=clients.KEY_SORTS,
            refresh=refresh_clients,
            parent=self,
        )
        self.table = ListTable(self.model, settings, f"{SETTINGS}/columns")
        self.table.setObjectName("clients")
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _index: self.edit_client())

        self.card = ClientCard(ops)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.card)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        sizes = settings.value(f"{SETTINGS}/splitter")
        if isinstance(sizes, list) and len(sizes) == 2:
            self.splitter.setSizes([int(s) for s in sizes])
        self.splitter.splitterMoved.connect(
            lambda *_: self.settings.setValue(f"{SETTINGS}/splitter", self.splitter.sizes())
        )

        self.summary = QLabel()
        self.summary.setObjectName("summary")

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # Ctrl+N is the main window's (wherever the focus is); the button says so.
        self.act_new = self._action(self.tr("New client"), None, self.new_client, shown_keys="Ctrl+N")
        self.act_edit = self._action(self.tr("Edit"), "F2", self.edit_client)
        self.act_delete = self._action(self.tr("Delete"), QKeySequence.StandardKey.Delete, self.delete_client)
        self.toolbar.addSeparator()
        self.act_note = self._action(
            self.tr("Add note"), "Ctrl+Shift+N", lambda: self.card.open_entry("note")
        )
        self.act_call = self._action(
            self.tr("Log call"), "Ctrl+Shift+L", lambda: self.card.open_entry("call")
        )
        self.act_callback = self._action(self.tr("Call back at…"), "Ctrl+Shift+B", self.call_back)
        self.act_job = self._action(self.tr("Start a job…"), None, self.start_job)
        self.act_visits = self._action(self.tr("Recurring visits…"), None, self.show_visits)
        if ops.ctx.actor.can_export:  # export is a right of its own, not everyone's
            self.toolbar.addSeparator()
            self.act_export = QAction(self.tr("Export…"), self)
            self.act_export.setToolTip(
                self.tr(
                    "The clients listed (with the filters) as an Excel or CSV table, or as contacts (vCard)"
                )
            )
            self.act_export.triggered.connect(self.choose_export_file)
            self.toolbar.addAction(self.act_export)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        for combo in (self.status, self.owner, self.tag, self.source):
            filters.addWidget(combo, 1)
        # Beside the actions rather than the filters: the filters' row already fills a small laptop screen.
        actions = QHBoxLayout()
        actions.addWidget(self.toolbar, 1)
        actions.addWidget(self.unplanned)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.summary)

        SearchDelay(self.search, self._apply_filter)
        for combo in (self.status, self.owner, self.tag, self.source):
            combo.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.unplanned.toggled.connect(lambda _on: self._apply_filter())
        self.model.total_changed.connect(self._show_total)
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.modelReset.connect(self._restore_current)
        self.model.loaded.connect(self._select_wanted)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._row_changed(current)
        )
        self._current_id: int | None = None
        self._own_save_only_client = False  # the form's last save changed the client alone (see _changed)
        self._card_timer = QTimer(self, singleShot=True, interval=CARD_DELAY_MS)
        self._card_timer.timeout.connect(self._show_current_card)
        self.card.entry_closed.connect(lambda: self.table.setFocus())
        self.card.open_job_requested.connect(self.open_job_requested)
        self.refresh = WhenShown(self, ops, LIST_TABLES | CARD_TABLES | PLANNED_TABLES, self._changed)
        self.card.loaded.connect(self._update_actions)
        self._update_actions()

    # --- construction helpers ---

    def _combo(self, name: str, any_text: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(any_text, None)
        # Long owner or tag names must not push the window wider than a small laptop screen.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _action(self, text: str, keys, slot, *, shown_keys: str | None = None) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = QKeySequence(keys if keys is not None else shown_keys)
        action.setToolTip(f"{text} ({shown.toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.addAction(action)
        self.toolbar.addAction(action)
        return action

    # --- public ---

    def choose_export_file(self) -> None:
        path = choose_file(
            self,
            self.tr("Export clients"),
            "clients.xlsx",
            self.tr("Excel workbook (*.xlsx);;CSV, for any spreadsheet (*.csv);;Contacts, vCard (*.vcf)"),
        )
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> Job:
        """The listed clients into `path` as a job: a progress dialog with Cancel, saves go on meanwhile."""
        self.summary.setText(self.tr("Exporting…"))
        return run_job(
            self,
            self.ops,
            exports.clients_file,
            path,
            self.current_filter(),
            title=fill(self.tr("Export clients to {file}"), file=path.name),
            on_done=lambda n: self.summary.setText(
                fill(
                    ngettext("1 client exported to {file}.", "{n} clients exported to {file}.", n),
                    n=n,
                    file=path,
                )
            ),
            on_error=lambda error: self._export_failed(error.message),
            on_cancelled=lambda _: self.summary.setText(self.tr("Export cancelled; no file was written.")),
        )

    def _export_failed(self, message: str) -> None:
        self.summary.setText(self.tr("The export failed; no file was written."))
        self.ops.show_problem(message)

    def start(self) -> None:
        self.model.reload()
        self._load_choices()

    def open_client(self, client_id: int) -> None:
        """Show this client's card, and select its row when it is in the list."""
        self._wanted_id = client_id
        self.card.show_client(client_id)
        self._update_actions()
        self._select_wanted()

    def current_client_id(self) -> int | None:
        return self.card.client_id

    # --- list ---

    def current_filter(self) -> ClientFilter:
        return ClientFilter(
            search=self.search.text().strip(),
            status=self.status.currentData(),
            owner_id=self.owner.currentData(),
            tag=self.tag.currentData(),
            source=self.source.currentData(),
            no_next_activity=self.unplanned.isChecked(),
        )

    def _apply_filter(self) -> None:
        self.model.set_query(self.current_filter())

    def _show_total(self, total: int) -> None:
        narrowed = self.current_filter() != ClientFilter()
        if total == 0:
            self.summary.setText(
                self.tr("No client matches.") if narrowed else self.tr("No clients yet. Ctrl+N adds one.")
            )
        else:
            grouped = i18n.number_text(total)
            text = self.tr("{total} found") if narrowed else self.tr("{total} in all")
            self.summary.setText(fill(text, total=grouped))

    def _remember_current(self) -> None:
        index = self.table.currentIndex()
        row = self.model.row(index.row()) if index.isValid() else None
        self._current_id = row.id if row is not None else None

    def _restore_current(self) -> None:
        # A refresh after a save must not throw away the row the user was on.
        wanted = self._wanted_id or self._current_id
        if wanted is not None:
            self._select_id(wanted)

    def _select_wanted(self) -> None:
        if self._wanted_id is not None and self._select_id(self._wanted_id):
            self._wanted_id = None

    def _select_id(self, client_id: int) -> bool:
        for i, row in enumerate(self.model.rows):
            if row.id == client_id:
                self.table.selectRow(i)
                self.table.scrollTo(self.model.index(i, 0))
                return True
        return False

    def _row_changed(self, current) -> None:
        self._card_timer.start()

    def _show_current_card(self) -> None:
        index = self.table.currentIndex()
        row = self.model.row(index.row()) if index.isValid() else None
        if row is not None and row.id != self.card.client_id:
            self.card.show_client(row.id)
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.card.client_id is not None
        for action in (
            self.act_edit,
            self.act_delete,
            self.act_note,
            self.act_call,
            self.act_callback,
            self.act_job,
        ):
            action.setEnabled(has)

    def _load_choices(self) -> None:
        self.ops.read(load_choices, on_done=self._choices_arrived)

    def _choices_arrived(self, result) -> None:
        self.users, tags, self.sources = result
        self._fill(self.owner, [(u.display_name, u.id) for u in self.users if u.active])
        self._fill(self.tag, [(t, t) for t in tags])
        self._fill(self.source, [(s, s) for s in self.sources])

    def _fill(self, combo: QComboBox, items: list) -> None:
        chosen = combo.currentData()
        blocked = combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for text, data in items:
            combo.addItem(text, data)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(blocked)
        if chosen is not None and index < 0:  # the chosen tag or source is gone: show everyone again
            self._apply_filter()

    def _changed(self, changes: Changes) -> None:
        own_save = changes.initiator is not None and changes.initiator is self.form
        if changes.tables & LIST_TABLES:
            updated = changes.updated.get("clients", set())
            if changes.rows_came_or_went(LIST_TABLES) or "users" in changes.tables:
                self.model.reload()
                self._load_choices()
            else:  # only edits: the rows in place, the list keeps its rows, selection and scroll position
                self.model.refresh_rows(updated)
                if not own_save:  # our own form's record says whether a new source came (_form_saved)
                    self._load_choices()
        elif changes.tables & PLANNED_TABLES:
            # A task planned or done changes the next activity beside the rows, or (filtered by it) the rows.
            if self.unplanned.isChecked():
                self.model.reload()
            else:
                self.model.refresh_loaded()
        card_id = self.card.client_id
        if card_id is None or not changes.tables & CARD_TABLES:
            return
        if card_id in changes.deleted.get("clients", set()):
            self.card.show_client(None)
            self._update_actions()
        elif own_save:  # _form_saved shows the form's answer (or reloads once when the save did more)
            self._own_save_only_client = changes.tables <= {"clients", "client_tags"}
        elif changes.tables <= {"clients", "client_tags"} and not self._card_touched_by(changes):
            pass  # other clients were edited: nothing on this card changed
        else:
            self.card.reload()

    def _card_touched_by(self, changes: Changes) -> bool:
        shown = self.card.data.client if self.card.data is not None else None
        ids = {self.card.client_id, shown.company_id if shown is not None else None}
        return any(
            ids & getattr(changes, kind).get(table, set())
            for kind in ("created", "updated", "deleted")
            for table in ("clients", "client_tags")
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers()
        ):
            self.edit_client()
            return True
        return super().eventFilter(watched, event)

    # --- actions ---

    def new_item(self) -> None:
        """Ctrl+N and File → New on this page."""
        self.new_client()

    def new_item_text(self) -> str:
        return self.act_new.text()

    def new_client(self) -> None:
        self._open_form(None)

    def edit_client(self) -> None:
        if self.card.data is not None and self.card.data.client.id == self.card.client_id:
            self._open_form(self.card.data.client)

    def _open_form(self, client) -> None:
        if self.form is not None and self.form.isVisible():
            self.form.raise_()
            return
        self.form = ClientForm(self.ops, [u for u in self.users if u.active], client, self.sources, self)
        self.form.accepted.connect(lambda form=self.form: self._form_saved(form))
        self.form.open()

    def _form_saved(self, form: ClientForm) -> None:
        saved = form.result_record
        if saved is None:
            return
        if saved.source and saved.source not in self.sources:
            self._load_choices()
        self._wanted_id = saved.id
        if self._own_save_only_client:
            self.card.show_saved(saved)
        else:  # e.g. a status change also wrote to the timeline
            self.card.show_client(saved.id)
        self._own_save_only_client = False
        self._update_actions()
        self._select_wanted()

    def delete_client(self) -> None:
        if self.card.data is None:
            return
        client = self.card.data.client
        self.ops.read(
            clients.deletion_impact, client.id, on_done=lambda impact: self._confirm_delete(client, impact)
        )

    def _confirm_delete(self, client, impact: DeletionImpact) -> None:
        if impact.documents:
            # Quotes and invoices are kept: the service refuses and says what to do instead.
            self.ops.write(clients.delete, client.id, expected_version=client.version)
            return
        goes = [
            fill(said, n=n)
            for n, said in (
                (
                    impact.activities,
                    ngettext("{n} timeline entry", "{n} timeline entries", impact.activities),
                ),
                (impact.deals, ngettext("{n} deal", "{n} deals", impact.deals)),
                (impact.jobs, ngettext("{n} job", "{n} jobs", impact.jobs)),
                (impact.tasks, ngettext("{n} task", "{n} tasks", impact.tasks)),
            )
            if n
        ]
        question = fill(self.tr("Delete {name}?"), name=client.name)
        if goes:
            question += "\n" + fill(self.tr("This also deletes {what}."), what=", ".join(goes))
        question += "\n" + self.tr("This cannot be undone.")
        self.confirm = ask_to_confirm(
            self, self.tr("Delete client"), question, self.tr("Delete"), lambda: self._delete(client)
        )

    def _delete(self, client) -> None:
        self.ops.write(
            clients.delete,
            client.id,
            expected_version=client.version,
            on_error=lambda error: self.ops.show_problem(self._delete_failed(error)),
        )

    def _delete_failed(self, error: ServiceError) -> str:
        return fill(self.tr("{message}\nThe client was not deleted."), message=error.message)

    def start_job(self) -> None:
        if self.card.data is not None:
            client = self.card.data.client
            self.start_job_requested.emit(client.id, client.name)

    def show_visits(self) -> QWidget | None:
        """The client's recurring visits (service contracts)."""
        from crm_desktop.ui.clients.visits_dialog import VisitsDialog

        if self.card.data is None:
            return None
        client = self.card.data.client
        self.visits_dialog = VisitsDialog(self.ops, client.id, client.name, self)
        self.visits_dialog.invoice_draft_made.connect(self.invoice_draft_made)
        self.visits_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.visits_dialog.open()
        return self.visits_dialog

    def call_back(self) -> None:
        if self.card.data is None:
            return
        client = self.card.data.client
        self.callback = CallBackDialog(self.ops, client.id, client.name, self)
        self.callback.open()
