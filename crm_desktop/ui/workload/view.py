"""The workload (Ctrl+6): people × working days, three weeks at a time (a week back or on with the
arrows), each day the hours planned against the hours the person has; a team's row adds its people
up, the work nobody is given has its own row. Click a day to see its work, drag an item onto another
person or day to move it (refused onto a day away or to someone without the skill; an overload is
asked about), undo the last move. Filter by team, skill, client and job; export the grid as a PDF
for the weekly meeting; right-click a person for their hours, skills and time off."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QModelIndex, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import capacity, jobs, rebalance, workload
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.rebalance import Moved, Overloaded
from crm_desktop.services.workload import WorkFilter, WorkItem, Workload
from crm_desktop.ui.client_picker import ClientPicker
from crm_desktop.ui.confirm import ask_to_confirm
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.workload.cell_panel import CellPanel
from crm_desktop.ui.workload.grid import GridRow, LoadGrid, LoadModel, hours_text

WORK_TABLES = frozenset(
    {
        "tasks",
        "jobs",
        "job_stages",
        "users",
        "person_hours",
        "absences",
        "user_skills",
        "holidays",
        "company_profile",
    }
)
WEEK = 5  # working days the arrows move by


def tr(text: str) -> str:
    return QCoreApplication.translate("Workload", text)


class WorkloadView(QWidget):
    open_record_requested = Signal(str, int)  # "task" or "job", its id: the main window opens it

    def __init__(self, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        self.first: date | None = None  # the first day shown (None: today)
        self.seen: Workload | None = None
        self.chosen: tuple[int, int] | None = None  # the cell whose work the panel shows (row, column)
        self.last_move: Moved | None = None
        self.plans_for: set[int] = set()
        self.dialog: QWidget | None = None
        self._generation = self._answered = 0

        self.back = QToolButton(text="◀")
        self.back.setToolTip(tr("A week back"))
        self.back.clicked.connect(lambda: self.shift(-WEEK))
        self.today = QPushButton(tr("Today"))
        self.today.clicked.connect(lambda: self.show_from(None))
        self.on = QToolButton(text="▶")
        self.on.setToolTip(tr("A week on"))
        self.on.clicked.connect(lambda: self.shift(WEEK))
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            self.back.setText("▶")
            self.on.setText("◀")
        self.period = QLabel()
        self.team = QComboBox()
        self.team.setToolTip(tr("Whose team to show"))
        self.team.addItem(tr("All teams"), None)
        self.skill = QComboBox()
        self.skill.setToolTip(tr("Only the people with this skill"))
        self.skill.addItem(tr("Any skill"), "")
        self.client = ClientPicker(ops)
        self.client.setPlaceholderText(tr("Any client"))
        self.client.setClearButtonEnabled(True)
        self.client.setMinimumWidth(120)
        self.job = QComboBox()
        self.job.setToolTip(tr("Only this job's work"))
        self.job.addItem(tr("All the client's jobs"), None)
        self.job.hide()  # (a client's jobs, once a client is chosen)
        for combo in (self.team, self.skill, self.job):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.undo_button = QPushButton(tr("Undo move"))
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.hide()
        self.time_off = QPushButton(tr("My time off…"))
        self.time_off.setToolTip(tr("Your vacation, sick leave and training days"))
        self.time_off.clicked.connect(lambda: self.edit_person(ops.ctx.actor.user_id))
        self.pdf = QPushButton(tr("Export PDF…"))
        self.pdf.setToolTip(tr("The grid as shown, for the weekly meeting"))
        self.pdf.clicked.connect(self.export_pdf)

        self.model = LoadModel(self)
        self.model.dropped.connect(self._dropped)
        self.grid = LoadGrid(self.model)
        self.grid.clicked.connect(self._cell_clicked)
        self.grid.verticalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.verticalHeader().customContextMenuRequested.connect(self._person_menu)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(
            lambda pos: self._person_menu(pos, row=self.grid.indexAt(pos).row(), on=self.grid.viewport())
        )
        self.panel = CellPanel()
        self.panel.open_requested.connect(self._open_item)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.legend = QLabel(tr("Green: free · Yellow: full · Red: over · Grey: away"))
        self.legend.setEnabled(False)

        top = QHBoxLayout()
        for widget in (self.back, self.today, self.on, self.period):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.undo_button)
        top.addWidget(self.time_off)
        top.addWidget(self.pdf)
        filters = QHBoxLayout()
        if ops.ctx.actor.is_admin:
            filters.addWidget(self.team)
        filters.addWidget(self.skill)
        filters.addWidget(self.client, 1)
        filters.addWidget(self.job)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.legend)

        for combo in (self.team, self.skill, self.job):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.client.chosen.connect(lambda _id, _name: self._client_changed())
        self.client.cleared.connect(self._client_changed)
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo).setContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        WhenShown(self, ops, WORK_TABLES, lambda _changes: self.reload())
        WhenShown(self, ops, {"user_skills"}, lambda _changes: self._load_choices())

    # --- loading ---

    def start(self) -> None:
        self._load_choices()
        self.reload()

    @property
    def ready(self) -> bool:
        """The grid shows the answer to the last reload (tests, screenshots)."""
        return self.seen is not None and self._answered == self._generation

    def work_filter(self) -> WorkFilter:
        return WorkFilter(
            team_of=self.team.currentData(),
            skill=self.skill.currentData() or "",
            client_id=self.client.client_id,
            job_id=self.job.currentData() if self.client.client_id is not None else None,
        )

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        self.ops.read(
            workload.load,
            self.first,
            f=self.work_filter(),
            on_done=lambda seen: self._loaded(generation, seen),
        )

    def _loaded(self, generation: int, seen: Workload) -> None:
        if generation != self._generation:
            return  # overtaken by a later reload
        self.seen = seen
        self.model.show(seen)
        self.period.setText(f"{day_text(seen.days[0])} – {day_text(seen.days[-1])}")
        self._fill_teams(seen)
        self._show_chosen()
        self._answered = generation

    def _load_choices(self) -> None:
        self.ops.read(capacity.skills, on_done=self._skills_loaded)
        self.ops.read(capacity.plans_for, on_done=lambda ids: setattr(self, "plans_for", ids))

    def _skills_loaded(self, skills: dict[int, list[str]]) -> None:
        names = sorted({k for ks in skills.values() for k in ks}, key=str.casefold)
        before = self.skill.currentData()
        blocked = self.skill.blockSignals(True)
        while self.skill.count() > 1:
            self.skill.removeItem(1)
        for name in names:
            self.skill.addItem(name, name)
        self.skill.setCurrentIndex(max(0, self.skill.findData(before)))
        self.skill.blockSignals(blocked)
        self.skill.setVisible(bool(names))

    def _fill_teams(self, seen: Workload) -> None:
        if self.team.currentData() is not None:
            return  # (a team chosen: the list stays as it was, with the others in it)
        blocked = self.team.blockSignals(True)
        while self.team.count() > 1:
            self.team.removeItem(1)
        for team in seen.teams:
            self.team.addItem(team.name, team.lead_id)
        self.team.blockSignals(blocked)

    def _client_changed(self) -> None:
        blocked = self.job.blockSignals(True)
        while self.job.count() > 1:
            self.job.removeItem(1)
        self.job.setCurrentIndex(0)
        self.job.blockSignals(blocked)
        self.job.setVisible(self.client.client_id is not None)
        if self.client.client_id is not None:
            self.ops.read(jobs.for_client, self.client.client_id, on_done=self._jobs_loaded)
        self.reload()

    def _jobs_loaded(self, rows) -> None:
        blocked = self.job.blockSignals(True)
        for row in rows:
            if row.status in jobs.OPEN:
                self.job.addItem(row.title, row.id)
        self.job.blockSignals(blocked)

    # --- the days shown ---

    def show_from(self, first: date | None) -> None:
        self.first = first
        self.chosen = None
        self.reload()

    def shift(self, working_days: int) -> None:
        """A week back or on: from the day `working_days` columns away from the first one shown."""
        if self.seen is None:
            return
        days = self.seen.days
        if 0 <= working_days < len(days):
            self.show_from(days[working_days])
        else:
            self.show_from(days[0] + timedelta(days=7 * (1 if working_days > 0 else -1)))

    # --- a cell's work ---

    def _cell_clicked(self, index: QModelIndex) -> None:
        self.chosen = (index.row(), index.column())
        self._show_chosen()

    def _row_people(self, row: GridRow) -> list[int | None]:
        if row.kind == "team" and self.seen is not None:
            team = next((t for t in self.seen.teams if t.lead_id == row.user_id), None)
            return list(team.member_ids) if team else []
        return [row.user_id]

    def _show_chosen(self) -> None:
        if (
            self.chosen is None
            or self.chosen[0] >= len(self.model.rows)
            or self.chosen[1] >= len(self.model.days)
        ):
            self.chosen = None
            self.panel.show_items(tr("Click a day of someone's row to see its work."), [])
            return
        row = self.model.rows[self.chosen[0]]
        cell = row.cells[self.chosen[1]]
        heading = fill(
            tr("{name}, {day}: {planned} h planned of {hours} h"),
            name=row.name,
            day=day_text(cell.day),
            planned=hours_text(cell.planned),
            hours=hours_text(cell.capacity),
        )
        self.ops.read(
            workload.cell_items,
            cell.day,
            self._row_people(row),
            self.work_filter(),
            on_done=lambda items: self.panel.show_items(heading, items),
        )

    def _open_item(self, item: WorkItem) -> None:
        if item.kind == "task":
            self.open_record_requested.emit("task", item.id)
        elif item.job_id is not None:
            self.open_record_requested.emit("job", item.job_id)

    # --- moving work ---

    def _dropped(self, row: int, column: int, key: str) -> None:
        item = self.panel.model.find(key)
        if item is None:
            return
        target = self.model.rows[row]
        self.move(item, target.user_id, self.model.days[column])

    def move(self, item: WorkItem, user_id: int | None, day: date, *, overload: bool = False) -> None:
        if (user_id, day) == (item.user_id, item.day):
            return
        self.ops.write(
            rebalance.move,
            item,
            user_id,
            day,
            overload=overload,
            on_done=self._moved,
            on_error=lambda error: self._refused(error, item, user_id, day),
        )

    def _refused(self, error: ServiceError, item: WorkItem, user_id: int | None, day: date) -> None:
        if isinstance(error, Overloaded):
            self.dialog = ask_to_confirm(
                self,
                tr("More work than hours"),
                error.message + "\n\n" + tr("Move it anyway?"),
                tr("Move anyway"),
                lambda: self.move(item, user_id, day, overload=True),
                role=QMessageBox.ButtonRole.AcceptRole,
            )
        else:
            self.dialog = self.ops.show_problem(error.message)

    def _moved(self, moved: Moved) -> None:
        self.last_move = moved
        self.undo_button.setToolTip(fill(tr("Put “{title}” back where it was (Ctrl+Z)"), title=moved.title))
        self.undo_button.show()
        self.chosen = None  # (the item left the cell shown)
        self._show_chosen()

    def undo(self) -> None:
        if self.last_move is None:
            return
        moved, self.last_move = self.last_move, None
        self.undo_button.hide()
        self.ops.write(rebalance.undo, moved)

    # --- people ---

    def _person_menu(self, pos: QPoint, *, row: int | None = None, on: QWidget | None = None) -> None:
        header = self.grid.verticalHeader()
        row = header.logicalIndexAt(pos) if row is None else row
        if row is None or not 0 <= row < len(self.model.rows):
            return
        person = self.model.rows[row]
        if person.kind != "person" or person.user_id is None:
            return
        menu = QMenu(self)
        menu.addAction(tr("Hours, skills and time off…"), lambda: self.edit_person(person.user_id))
        menu.popup((on or header).mapToGlobal(pos))
        self.dialog = menu

    def edit_person(self, user_id: int | None) -> QWidget | None:
        from crm_desktop.ui.workload.person_dialog import PersonDialog

        if user_id is None:
            return None
        row = next((r for r in self.model.rows if r.user_id == user_id and r.kind == "person"), None)
        dialog = PersonDialog(
            self.ops, user_id, row.name if row else "", may_plan=user_id in self.plans_for, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def export_pdf(self) -> None:
        from crm_desktop.ui.workload.sheet import export_sheet

        if self.seen is not None:
            export_sheet(self, self.ops, self.seen, self.model.rows)

    def focus_search(self) -> None:
        self.client.setFocus()
        self.client.selectAll()

    def new_item(self) -> None:
        self.edit_person(self.ops.ctx.actor.user_id)

    def new_item_text(self) -> str:
        return tr("Time off")
