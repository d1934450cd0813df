"""The jobs workspace (Ctrl+5): a board by status (drag a card to move the job) or by the stages of one
template, or a list; the same filters for all — responsible, template, late, blocked, stuck, due this
week. A late job is red, with the days it is late."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtCore import QCoreApplication, QModelIndex, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import jobs, users, workflows
from crm_desktop.services.jobs import JobFilter, JobRow
from crm_desktop.ui.dates import moment_day_text
from crm_desktop.ui.lazy_model import Column, LazyTableModel
from crm_desktop.ui.list_footer import ListFooter
from crm_desktop.ui.list_table import ListTable
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.search_delay import SearchDelay
from crm_desktop.ui.work import steps
from crm_desktop.ui.work.board import JobBoard
from crm_desktop.ui.work.cards import LATE, count, fetch, late_text
from crm_desktop.ui.work.words import job_status_names

MODES = ("board", "stages", "list")
JOB_TABLES = frozenset({"jobs", "job_stages", "stage_approvals", "clients", "users", "workflow_templates"})


def tr(text: str, context: str | None = None) -> str:
    return QCoreApplication.translate("JobsView", text, context)


def shown_statuses() -> list[tuple[str, tuple[str, ...]]]:
    return [
        (tr("Open jobs"), jobs.OPEN),
        (tr("Done"), ("done",)),
        (tr("Cancelled"), ("cancelled",)),
        (tr("All jobs"), jobs.STATUSES),
    ]


def _late_color(job: JobRow) -> QColor | None:
    return LATE if job.days_late else None


def columns() -> list[Column]:
    names = job_status_names()
    return [
        Column(tr("Job"), lambda j: j.title, "title", width=220),
        Column(tr("Client"), lambda j: j.client_name, width=170),
        Column(tr("Template"), lambda j: j.template_name, width=140),
        Column(tr("Stage"), lambda j: j.current_stage or "—", width=130),
        Column(
            tr("Done"),
            lambda j: f"{i18n.number_text(j.stages_done)}/{i18n.number_text(j.stage_count)}",
            align_right=True,
            width=60,
        ),
        Column(
            tr("Status"),
            lambda j: names[j.status] + (" · " + tr("Blocked") if j.blocked else ""),
            "status",
            width=110,
        ),
        Column(tr("Responsible"), lambda j: j.responsible_name, width=120),
        Column(tr("Planned finish"), lambda j: moment_day_text(j.planned_due), "planned", width=110),
        Column(
            tr("Expected finish"),
            lambda j: moment_day_text(j.forecast_due),
            "due",
            width=110,
            color=_late_color,
        ),
        Column(tr("Late"), late_text, width=110, color=_late_color),
    ]


class JobsView(QWidget):
    invoice_draft_made = Signal(object)  # DocumentDetail: the main window opens it
    open_client_requested = Signal(int)

    def __init__(self, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.templates: list[workflows.TemplateRow] = []
        self.windows: dict[int, QWidget] = {}  # the job windows open, by job id
        self.dialog: QWidget | None = None

        self.status_button = QToolButton(text=tr("Board"), checkable=True)
        self.status_button.setToolTip(tr("A column per status: drag a card to move the job"))
        self.stages_button = QToolButton(text=tr("Stages"), checkable=True)
        self.stages_button.setToolTip(tr("A column per stage of one template: where each job is"))
        self.list_button = QToolButton(text=tr("List"), checkable=True)
        self.modes = QButtonGroup(self)
        for n, button in enumerate((self.status_button, self.stages_button, self.list_button)):
            self.modes.addButton(button, n)
        self.template = QComboBox()
        self.template.setToolTip(tr("Workflow template"))
        self.template.addItem(tr("All templates"), None)
        self.templates_button = QPushButton(tr("Templates…"))
        self.templates_button.setToolTip(tr("The stages of each kind of work the office does"))
        self.templates_button.clicked.connect(self.edit_templates)
        self.new_button = QPushButton(tr("New job"))
        self.new_button.setToolTip(tr("Ctrl+N"))
        self.new_button.clicked.connect(lambda: self.new_item())
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by job title or client…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.responsible = QComboBox()
        self.responsible.setToolTip(tr("Whose work to show: responsible for the job or given a stage of it"))
        self.responsible.addItem(tr("Everyone"), None)
        self.statuses = QComboBox()
        for name, value in shown_statuses():
            self.statuses.addItem(name, value)
        # The narrowing choices in one menu: as checkboxes they would widen the window past a small screen.
        self.only = QToolButton()
        self.only.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        only = QMenu(self.only)
        self.late = only.addAction(tr("Late"))
        self.blocked = only.addAction(tr("Blocked"))
        self.stuck = only.addAction(tr("Stuck"))
        self.stuck.setToolTip(tr("In progress, with nothing moved for the office's number of days"))
        self.this_week = only.addAction(tr("Due this week"))
        only.setToolTipsVisible(True)
        for action in (self.late, self.blocked, self.stuck, self.this_week):
            action.setCheckable(True)
        self.only.setMenu(only)
        self._name_only()
        for combo in (self.template, self.responsible, self.statuses):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
        top = QHBoxLayout()
        for button in (self.status_button, self.stages_button, self.list_button):
            top.addWidget(button)
        top.addWidget(self.template)
        top.addStretch(1)
        if ops.ctx.actor.role in ("admin", "manager"):
            top.addWidget(self.templates_button)
        top.addWidget(self.new_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.responsible)
        filters.addWidget(self.statuses)
        filters.addWidget(self.only)

        self.board = JobBoard(ops)
        self.board.move_requested.connect(self.move)
        self.board.open_requested.connect(self.open_job_row)
        self.board.menu_requested.connect(self.show_menu)
        self.list_model = LazyTableModel(
            ops, columns(), fetch, count, query=JobFilter(), sort="due", parent=self
        )
        self.table = ListTable(self.list_model, settings, "columns/jobs")
        self.table.activated.connect(self._row_activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.board)
        self.stack.addWidget(self.table)
        self.footer = ListFooter()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.footer)

        mode = str(settings.value("jobs/mode", "board"))
        self.modes.button(MODES.index(mode) if mode in MODES else 0).setChecked(True)
        self.modes.idToggled.connect(self._mode_toggled)
        SearchDelay(self.search, self._apply_filter)
        for combo in (self.template, self.responsible, self.statuses):
            combo.currentIndexChanged.connect(self._apply_filter)
        for action in (self.late, self.blocked, self.stuck, self.this_week):
            action.toggled.connect(lambda _on: (self._name_only(), self._apply_filter()))
        self.list_model.total_changed.connect(self._show_count)
        WhenShown(self, ops, {"workflow_templates"}, lambda _changes: self._load_templates())
        WhenShown(
            self.board, ops, JOB_TABLES, lambda _changes: (self.board.reload(), self._show_count_of_board())
        )
        WhenShown(self.table, ops, JOB_TABLES, lambda _changes: self.list_model.reload())
        self._templates_loaded_once = False
        self.wanted_responsible: int | None = None  # asked for before the people were read (a dashboard tile)

    # --- loading ---

    def start(self) -> None:
        self._load_templates()
        self.ops.read(users.list_users, on_done=self._users_loaded)

    @property
    def ready(self) -> bool:
        """The board or the list shown has the current filter's jobs (tests, screenshots)."""
        shown = self.list_model if self.mode() == "list" else self.board
        return self._templates_loaded_once and shown.ready

    def mode(self) -> str:
        return MODES[self.modes.checkedId()]

    def _name_only(self) -> None:
        chosen = [a.text() for a in (self.late, self.blocked, self.stuck, self.this_week) if a.isChecked()]
        self.only.setText(fill(tr("Only: {what}"), what=", ".join(chosen)) if chosen else tr("All jobs"))

    def job_filter(self) -> JobFilter:
        due_before = None
        if self.this_week.isChecked():
            ctx = self.ops.ctx
            today = ctx.today()
            monday_next = today + timedelta(days=7 - today.weekday())
            due_before = datetime.combine(monday_next, time()).replace(tzinfo=ctx.zone())
        return JobFilter(
            statuses=self.statuses.currentData() if self.mode() == "list" else jobs.STATUSES,
            responsible_id=self.responsible.currentData(),
            template_id=self.template.currentData(),
            late=self.late.isChecked(),
            blocked=self.blocked.isChecked(),
            stuck=self.stuck.isChecked(),
            due_before=due_before,
            search=self.search.text().strip(),
        )

    def _load_templates(self) -> None:
        self.ops.read(workflows.list_templates, on_done=self._templates_loaded)

    def _templates_loaded(self, rows: list[workflows.TemplateRow]) -> None:
        self.templates = rows
        wanted = self.template.currentData() or self.settings.value("jobs/template")
        blocked = self.template.blockSignals(True)
        while self.template.count() > 1:
            self.template.removeItem(1)
        for t in rows:
            self.template.addItem(t.name, t.id)
        found = self.template.findData(int(wanted)) if wanted not in (None, "") else -1
        self.template.setCurrentIndex(max(found, 0))
        self.template.blockSignals(blocked)
        self._templates_loaded_once = True
        self._apply_filter()

    def _users_loaded(self, rows: list) -> None:
        before = (
            self.wanted_responsible if self.wanted_responsible is not None else self.responsible.currentData()
        )
        self.wanted_responsible = None
        blocked = self.responsible.blockSignals(True)
        while self.responsible.count() > 1:
            self.responsible.removeItem(1)
        for u in rows:
            if u.active:
                self.responsible.addItem(u.display_name or u.username, u.id)
        self.responsible.setCurrentIndex(max(0, self.responsible.findData(before)))
        self.responsible.blockSignals(blocked)

    def show_late(self, *, responsible_id: int | None = None) -> None:
        """The open jobs running late, as a list, of one person's or everyone's (a dashboard tile's)."""
        for action in (self.blocked, self.stuck, self.this_week):
            action.setChecked(False)
        self.late.setChecked(True)
        for combo, value in (
            (self.template, None),
            (self.responsible, responsible_id),
            (self.statuses, None),
        ):
            blocked = combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(blocked)
        if responsible_id is not None and self.responsible.currentData() != responsible_id:
            self.wanted_responsible = responsible_id
        self.search.clear()
        self.list_button.setChecked(True)
        self._apply_filter()

    def _mode_toggled(self, mode: int, checked: bool) -> None:
        if checked:
            self.settings.setValue("jobs/mode", MODES[mode])
            if mode == 1 and self.template.currentData() is None and self.templates:
                self.template.setCurrentIndex(1)  # a board of stages is one template's
            self._apply_filter()

    def _apply_filter(self) -> None:
        if not self._templates_loaded_once:
            return
        mode, f = self.mode(), self.job_filter()
        self.settings.setValue("jobs/template", self.template.currentData() or "")
        self.statuses.setVisible(mode == "list")
        self.stack.setCurrentIndex(1 if mode == "list" else 0)
        if mode == "list":
            if self.list_model.ready:
                self.list_model.set_query(f)
            else:  # its first load (the query it was made with may be this one)
                self.list_model.query = f
                self.list_model.reload()
            return
        if mode == "board":
            names = job_status_names()
            self.board.show_columns([(s, names[s]) for s in jobs.STATUSES], f, by_status=True)
        else:
            template = next((t for t in self.templates if t.id == f.template_id), None)
            stages = [(g.name, g.name) for g in template.stages] if template else []
            self.board.show_columns(stages, f, by_status=False)
        self._show_count_of_board()

    def _show_count_of_board(self) -> None:
        self.ops.read(jobs.count_jobs, self.job_filter(), on_done=self._show_count)

    def _show_count(self, total: int) -> None:
        self.footer.count.setText(fill(ngettext("1 job", "{n} jobs", total), n=i18n.number_text(total)))

    # --- acting ---

    def new_item(self, client_id: int | None = None, deal=None) -> QWidget:
        from crm_desktop.ui.work.start_dialog import StartJobDialog

        dialog = StartJobDialog(self.ops, self.templates, self, client_id=client_id, deal=deal)
        dialog.saved.connect(self.open_job)
        return self._open(dialog)

    def new_item_text(self) -> str:
        return tr("New job")

    def edit_templates(self) -> QWidget:
        from crm_desktop.ui.work.template_editor import TemplatesDialog

        return self._open(TemplatesDialog(self.ops, self))

    def _open(self, dialog: QWidget) -> QWidget:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_job_row(self, job: JobRow) -> QWidget:
        return self.open_job_id(job.id)

    def open_job(self, detail) -> QWidget:
        return self.open_job_id(detail.id)

    def open_job_id(self, job_id: int) -> QWidget:
        """The job's window (one per job: opening it again brings it forward)."""
        from crm_desktop.ui.work.job_window import JobWindow

        window = self.windows.get(job_id)
        if window is None:
            window = JobWindow(self.ops, job_id, self)
            window.invoice_draft_made.connect(self.invoice_draft_made)
            window.destroyed.connect(lambda _=None, key=job_id: self.windows.pop(key, None))
            self.windows[job_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def move(self, job_id: int, version: int, status: str) -> None:
        steps.move_job(self, self.ops, job_id, version, status, on_finished=self._finished)

    def _finished(self, detail) -> None:
        steps.offer_after_finish(self, self.ops, detail, self.invoice_draft_made.emit)

    def show_menu(self, job: JobRow, where: QPoint) -> QMenu:
        menu = QMenu(self)
        menu.addAction(tr("Open"), lambda: self.open_job_row(job))
        menu.addAction(tr("Open the client"), lambda: self.open_client_requested.emit(job.client_id))
        menu.addSeparator()
        names = job_status_names()
        for status in jobs.STATUSES:
            if status != job.status:
                menu.addAction(
                    fill(tr("Move to {status}"), status=names[status]),
                    lambda s=status: self.move(job.id, job.version, s),
                )
        menu.popup(where)
        return menu

    def _row_activated(self, index: QModelIndex) -> None:
        job = self.list_model.row(index.row())
        if job is not None:
            self.open_job_row(job)

    def _table_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        job = self.list_model.row(index.row()) if index.isValid() else None
        if job is not None:
            self.show_menu(job, self.table.viewport().mapToGlobal(pos))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
