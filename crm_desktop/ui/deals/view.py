"""The deals workspace: one pipeline as a kanban board or as a list, the same filters for both,
and what the pipeline is worth (total and weighted by stage probability) under it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import activities, deals, documents, pipelines, users
from crm_desktop.services.context import Changes, ServiceContext
from crm_desktop.services.deals import DealFilter, DealRow
from crm_desktop.services.pipelines import PipelineRow
from crm_desktop.ui import list_export, next_activity
from crm_desktop.ui.company_watch import CompanyWatch
from crm_desktop.ui.confirm import ask_to_confirm
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.deals.board import Board
from crm_desktop.ui.deals.form import DealDialog, LostReasonDialog
from crm_desktop.ui.deals.pipelines import PipelineEditor
from crm_desktop.ui.entry_dialog import EntryDialog
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.left_to_right import money_text
from crm_desktop.ui.list_footer import ListFooter
from crm_desktop.ui.list_table import ListTable
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.search_delay import SearchDelay

DEAL_TABLES = frozenset(
    {"deals", "clients", "users", "tasks"}
)  # what the cards, the list and the totals show


def tr(text: str, context: str | None = None) -> str:
    return QCoreApplication.translate("DealsView", text, context)


def outcomes() -> list[tuple[str, str | None]]:
    return [
        (tr("All deals"), None),
        (tr("Open", "deal outcome"), "open"),
        (tr("Won", "deal outcome"), "won"),
        (tr("Lost", "deal outcome"), "lost"),
    ]


def columns(ctx: ServiceContext) -> list[Column]:
    names = {key: name for name, key in outcomes() if key}
    return [
        Column(tr("Deal"), lambda d: d.title, "title", width=190),
        Column(tr("Client"), lambda d: d.client_name, width=170),
        Column(tr("Stage"), lambda d: d.stage_name, "stage", width=100),
        Column(
            tr("Amount"), lambda d: money_text(d.amount, d.currency), "amount", align_right=True, width=150
        ),
        Column(
            tr("Expected close"),
            lambda d: day_text(d.expected_close),
            "expected_close",
            width=110,
        ),
        Column(tr("Outcome"), lambda d: names.get(d.outcome, d.outcome), width=80),
        Column(tr("Owner"), lambda d: d.owner_name),
        Column(
            tr("Next activity"),
            lambda d: next_activity.text(d.next_activity, ctx.today(), expected=d.outcome == "open"),
            width=200,
            color=lambda d: next_activity.color(d.next_activity, ctx.now(), expected=d.outcome == "open"),
        ),
    ]


def _fetch(ctx, f: DealFilter, sort, descending, offset, limit):
    return deals.list_deals(ctx, f, sort=sort, descending=descending, offset=offset, limit=limit)


class DealsView(QWidget):
    invoice_draft_made = Signal(object)  # DocumentDetail: the main window opens it in the invoices
    start_job_requested = Signal(object)  # DealRow: the work of a won deal, from a workflow template

    def __init__(
        self,
        ops: Ops,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        company: CompanyWatch | None = None,
    ):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.pipelines: list[PipelineRow] = []
        self.users: list = []
        # The default currency of new deals: the window's watch when there is one (read once for all).
        self.company = company or CompanyWatch(ops, self)
        self.dialog: QWidget | None = None
        self.wanted_owner: int | None = None  # asked for before the people were read (a dashboard tile)
        self._summary_generation = 0
        self.summary_ready = False

        self.pipeline = QComboBox()
        self.pipeline.setToolTip(tr("Pipeline"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by deal title or client…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.owner = QComboBox()
        self.owner.setToolTip(tr("Whose deals to show"))
        self.owner.addItem(tr("All owners"), None)
        self.outcome = QComboBox()
        for name, key in outcomes():
            self.outcome.addItem(name, key)
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(settings.value("deals/outcome"))))
        self.unplanned = QCheckBox(tr("No next activity"))
        self.unplanned.setToolTip(tr("Only open deals with no task planned to move them on"))
        self.board_button = QToolButton(text=tr("Board"), checkable=True)
        self.list_button = QToolButton(text=tr("List"), checkable=True)
        modes = QButtonGroup(self)
        modes.addButton(self.board_button, 0)
        modes.addButton(self.list_button, 1)
        self.edit_pipelines_button = QPushButton(tr("Pipelines…"))
        self.edit_pipelines_button.setToolTip(tr("Add, rename and reorder pipelines and stages"))
        self.edit_pipelines_button.clicked.connect(self.edit_pipelines)
        self.new_button = QPushButton(tr("New deal"))
        self.new_button.setToolTip(tr("Ctrl+N"))
        self.new_button.clicked.connect(lambda: self.new_deal())
        for combo in (self.pipeline, self.owner, self.outcome):
            # Sized for a short name, not the longest one a colleague or pipeline may have.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
        # Two rows so the bar fits a small laptop screen: what is shown, then how it is filtered.
        top = QHBoxLayout()
        top.addWidget(self.pipeline)
        top.addWidget(self.board_button)
        top.addWidget(self.list_button)
        top.addStretch(1)
        if ops.ctx.actor.can_export:  # export is a right of its own, not everyone's
            export = QPushButton(tr("Export…"))
            export.setToolTip(tr("The deals listed (with the filters and columns) as an Excel or CSV table"))
            export.clicked.connect(self.choose_export_file)
            top.addWidget(export)
        if ops.ctx.actor.is_admin:  # the stages weigh in everyone's figures: an administrator's to change
            top.addWidget(self.edit_pipelines_button)
        top.addWidget(self.new_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.owner)
        filters.addWidget(self.outcome)
        filters.addWidget(self.unplanned)

        self.board = Board(ops)
        self.board.move_requested.connect(self.move)
        self.board.open_requested.connect(self.edit)
        self.board.menu_requested.connect(self.show_menu)
        self.model = LazyTableModel(
            ops,
            columns(ops.ctx),
            _fetch,
            lambda ctx, f: deals.count_deals(ctx, f),
            query=DealFilter(),
            sort="updated",
            descending=True,
            parent=self,
        )
        self.table = ListTable(self.model, settings, "columns/deals")
        self.table.activated.connect(self._row_activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.board)
        self.stack.addWidget(self.table)
        list_mode = settings.value("deals/mode") == "list"
        (self.list_button if list_mode else self.board_button).setChecked(True)
        self.stack.setCurrentIndex(int(list_mode))
        modes.idToggled.connect(self._mode_toggled)

        self.footer = ListFooter()
        self.count_label, self.totals = self.footer.count, self.footer.totals
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.footer)

        SearchDelay(self.search, self._apply_filter)
        self.pipeline.currentIndexChanged.connect(self._pipeline_chosen)
        self.owner.currentIndexChanged.connect(self._apply_filter)
        self.outcome.currentIndexChanged.connect(self._outcome_chosen)
        self.unplanned.toggled.connect(lambda _on: self._apply_filter())
        self.model.total_changed.connect(self._show_count)
        # The board and the list each reload when they are the one shown (the other only goes stale).
        WhenShown(self, ops, {"pipelines", "stages"}, self._pipelines_changed)
        WhenShown(self, ops, DEAL_TABLES, lambda _changes: self._load_summary())
        WhenShown(self.board, ops, DEAL_TABLES, lambda _changes: self.board.reload())
        WhenShown(self.table, ops, DEAL_TABLES, lambda _changes: self.model.reload())

    # --- loading ---

    def start(self) -> None:
        self.ops.read(pipelines.list_pipelines, on_done=self._pipelines_loaded)
        self.ops.read(users.list_users, on_done=self._users_loaded)
        self.company.start()

    @property
    def ready(self) -> bool:
        """The board, the list and the totals show the current filter (tests, screenshots)."""
        return bool(self.pipelines) and self.board.ready and self.model.ready and self.summary_ready

    def current_pipeline(self) -> PipelineRow | None:
        wanted = self.pipeline.currentData()
        return next((p for p in self.pipelines if p.id == wanted), None)

    def deal_filter(self) -> DealFilter:
        return DealFilter(
            search=self.search.text().strip(),
            pipeline_id=self.pipeline.currentData(),
            owner_id=self.owner.currentData(),
            outcome=self.outcome.currentData(),
            no_next_activity=self.unplanned.isChecked(),
        )

    def _pipelines_loaded(self, pipelines: list[PipelineRow]) -> None:
        self.pipelines = pipelines
        wanted = self.pipeline.currentData() or self.settings.value("deals/pipeline")
        blocked = self.pipeline.blockSignals(True)
        self.pipeline.clear()
        for p in pipelines:
            self.pipeline.addItem(p.name, p.id)
        found = self.pipeline.findData(int(wanted)) if wanted not in (None, "") else -1
        self.pipeline.setCurrentIndex(max(found, 0))
        self.pipeline.blockSignals(blocked)
        self._pipeline_chosen()

    def _users_loaded(self, rows: list) -> None:
        self.users = rows
        before = self.wanted_owner if self.wanted_owner is not None else self.owner.currentData()
        self.wanted_owner = None
        blocked = self.owner.blockSignals(True)
        while self.owner.count() > 1:  # keep "All owners"
            self.owner.removeItem(1)
        for u in rows:
            self.owner.addItem(u.display_name or u.username, u.id)
        self.owner.setCurrentIndex(max(0, self.owner.findData(before)))
        self.owner.blockSignals(blocked)
        if self.owner.currentData() != before:
            self._apply_filter()

    def show_only(self, *, outcome: str | None, owner_id: int | None = None) -> None:
        """The deals of one outcome ("open", "won", "lost"), of one owner or everyone's, as a list (what a
        dashboard tile counts)."""
        for combo, value in ((self.outcome, outcome), (self.owner, owner_id)):
            blocked = combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(blocked)
        if owner_id is not None and self.owner.currentData() != owner_id:
            self.wanted_owner = owner_id  # the people are not read yet: chosen once they are
        self.search.clear()
        self.unplanned.setChecked(False)
        self.list_button.setChecked(True)
        self._apply_filter()

    def _pipeline_chosen(self) -> None:
        pipeline = self.current_pipeline()
        if pipeline is None:
            return
        self.settings.setValue("deals/pipeline", pipeline.id)
        self.board.set_pipeline(pipeline, self.deal_filter())
        self.model.set_query(self.deal_filter())
        self._load_summary()

    def _outcome_chosen(self) -> None:
        self.settings.setValue("deals/outcome", self.outcome.currentData() or "")
        self._apply_filter()

    def _apply_filter(self) -> None:
        if self.current_pipeline() is None:
            return
        f = self.deal_filter()
        self.board.set_filter(f)
        self.model.set_query(f)
        self._load_summary()

    def _load_summary(self) -> None:
        self._summary_generation += 1
        generation, f = self._summary_generation, self.deal_filter()
        self.summary_ready = False
        self.ops.read(
            deals.pipeline_summary,
            f.pipeline_id,
            f,
            on_done=lambda summary: self._summary_arrived(generation, summary),
        )

    def _summary_arrived(self, generation: int, summary: list) -> None:
        if generation != self._summary_generation:
            return
        self.board.show_summary(summary)
        lines = [
            fill(
                tr("Open: {count}   {total}   weighted {weighted}"),
                count=i18n.number_text(t.count),
                total=money_text(t.total, t.currency),
                weighted=money_text(t.weighted, t.currency),
            )
            for t in deals.open_totals(summary)
        ]
        self.totals.setText("\n".join(lines) or tr("No open deals in this pipeline."))
        self.totals.setToolTip(tr("Weighted: each open deal's amount × its stage's probability."))
        self.summary_ready = True

    def _show_count(self, total: int) -> None:
        self.count_label.setText(fill(ngettext("1 deal", "{n} deals", total), n=i18n.number_text(total)))

    def _pipelines_changed(self, _changes: Changes) -> None:
        self.ops.read(pipelines.list_pipelines, on_done=self._pipelines_loaded)

    def _mode_toggled(self, mode: int, checked: bool) -> None:
        if checked:
            self.stack.setCurrentIndex(mode)
            self.settings.setValue("deals/mode", "list" if mode else "board")

    # --- acting on deals ---

    def move(self, deal_id: int, version: int, stage_id: int) -> None:
        """A card dropped on a column: the won column wins it, the lost one asks why, others move it."""
        stage = next((st for st in self.current_pipeline().stages if st.id == stage_id), None)
        if stage is None:
            return
        if stage.is_won:
            self.win(deal_id, version)
        elif stage.is_lost:
            self.ops.read(deals.get, deal_id, on_done=self.ask_lost_reason)
        else:
            self.ops.write(deals.move_stage, deal_id, stage_id, expected_version=version)

    def show_menu(self, deal: DealRow, where: QPoint) -> QMenu:
        menu = QMenu(self)
        menu.addAction(tr("Open…"), lambda: self.edit(deal))
        menu.addAction(tr("Add note…"), lambda: self.add_entry(deal, "note"))
        menu.addAction(tr("Log call…"), lambda: self.add_entry(deal, "call"))
        move_to = menu.addMenu(tr("Move to"))
        for stage in self.current_pipeline().stages:
            if not stage.is_lost and stage.id != deal.stage_id:
                move_to.addAction(stage.name, lambda st=stage.id: self.move(deal.id, deal.version, st))
        menu.addSeparator()
        if deal.outcome != "won":
            menu.addAction(tr("Mark won"), lambda: self.win(deal.id, deal.version))
        menu.addAction(
            tr("Mark lost…") if deal.outcome != "lost" else tr("Change lost reason…"),
            lambda: self.ask_lost_reason(deal),
        )
        if deal.outcome != "open":
            menu.addAction(
                tr("Reopen"), lambda: self.ops.write(deals.reopen, deal.id, expected_version=deal.version)
            )
        menu.addSeparator()
        menu.addAction(QAction(tr("Delete…"), menu, triggered=lambda: self.confirm_delete(deal)))
        menu.popup(where)
        return menu

    def add_entry(self, deal: DealRow, kind: str) -> EntryDialog:
        return self._open(EntryDialog.about_deal(self.ops, deal, kind, self))

    def win(self, deal_id: int, version: int) -> None:
        self.ops.write(deals.mark_won, deal_id, expected_version=version, on_done=self.offer_invoice)

    def offer_invoice(self, deal: DealRow) -> QMessageBox:
        """A won deal is work to do and money to ask for: offer to start the job and the invoice draft."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Deal won"),
            fill(
                tr(
                    "'{title}' is won. Start the job for {client} now, or make an invoice draft with its "
                    "amount ({amount})?"
                ),
                title=deal.title,
                client=deal.client_name,
                amount=money_text(deal.amount, deal.currency),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(tr("Make invoice draft"))
        box.button(QMessageBox.StandardButton.No).setText(tr("Not now"))
        start = box.addButton(tr("Start the job…"), QMessageBox.ButtonRole.ActionRole)
        start.clicked.connect(lambda: self.start_job_requested.emit(deal))
        box.accepted.connect(
            lambda: self.ops.write(documents.invoice_for_deal, deal.id, on_done=self.invoice_draft_made.emit)
        )
        box.open()
        self.won_box = box
        return box

    def ask_lost_reason(self, deal: DealRow) -> LostReasonDialog:
        return self._open(LostReasonDialog(self.ops, deal, self))

    def confirm_delete(self, deal: DealRow) -> QMessageBox:
        return ask_to_confirm(
            self,
            tr("Delete deal"),
            fill(
                tr(
                    "Delete the deal '{title}' of {client}? Its stage history goes with it; tasks about "
                    "it stay with the client. This cannot be undone."
                ),
                title=deal.title,
                client=deal.client_name,
            ),
            tr("Delete deal"),
            lambda: self.ops.write(deals.delete, deal.id),
        )

    def new_item(self) -> None:
        """Ctrl+N and File → New on this page."""
        self.new_deal()

    def new_item_text(self) -> str:
        return self.new_button.text()

    def new_deal(self, client: tuple[int, str] | None = None) -> None:
        pipeline = self.current_pipeline()
        if pipeline is not None:
            self._open(
                DealDialog(
                    self.ops,
                    pipeline=pipeline,
                    users=self.users,
                    currency=self.company.default_currency,
                    client=client,
                    parent=self,
                )
            )

    def edit(self, deal: DealRow) -> None:
        self.open_deal(deal.id)

    def open_deal(self, deal_id: int) -> None:
        """The deal's form with its stage history (global search and the board use this)."""
        self.ops.read(
            lambda ctx: (
                deals.get(ctx, deal_id),
                deals.stage_history(ctx, deal_id),
                activities.for_deal(ctx, deal_id),
            ),
            on_done=lambda result: self._show_deal(*result),
        )

    def _show_deal(self, deal: DealRow, history: list, notes: list) -> None:
        pipeline = next((p for p in self.pipelines if p.id == deal.pipeline_id), self.current_pipeline())
        self._open(
            DealDialog(
                self.ops,
                pipeline=pipeline,
                users=self.users,
                currency=self.company.default_currency,
                deal=deal,
                history=history,
                notes=notes,
                parent=self,
            )
        )

    def choose_export_file(self) -> None:
        list_export.choose_and_export(
            self, self.ops, self.model, self.table, "deals", "deals", lambda said: list_export.say(self, said)
        )

    def edit_pipelines(self) -> PipelineEditor:
        return self._open(PipelineEditor(self.ops, self.pipeline.currentData(), self))

    def _open(self, dialog):
        if self.dialog is not None and isValid(self.dialog) and self.dialog.isVisible():
            self.dialog.close()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit(self.model.row(index.row()))

    def _table_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.show_menu(self.model.row(index.row()), self.table.viewport().mapToGlobal(pos))
