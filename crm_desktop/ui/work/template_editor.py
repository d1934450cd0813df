"""The process wizard: a manager writes down the stages of a kind of work the office does — without any
notation: a table of stages (name, how long in working days or hours, who does it, who approves it,
whether it may start before the one before is done), and for the chosen stage its checklist and the
tasks it makes when it starts. Saving a changed template makes its next version; jobs already running
keep the version they started with."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill
from crm_desktop.services import users, workflows
from crm_desktop.services.workflows import StageSpec, TaskSpec, TemplateRow
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops

NAME, LENGTH, UNIT, WORK, ROLE, DOER, APPROVER, OVERLAP = range(8)
TASK_TITLE, TASK_AFTER, TASK_FOR, TASK_REMIND = range(4)
JOB_MANAGER = 0  # in the person choices: "the job's manager" (no one named)
NO_APPROVAL = -1
DAYS, HOURS = "days", "hours"  # a stage's length in


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplatesDialog", text)


class TemplatesDialog(QDialog):
    def __init__(self, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.people: list[tuple[str, int]] = []
        self.templates: list[TemplateRow] = []
        self.current: TemplateRow | None = None
        self._stage_row: int | None = None  # the stage whose checklist and tasks are shown
        self.setWindowTitle(tr("Workflow templates"))
        self.resize(1120, 660)

        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._template_chosen)
        new = QPushButton(tr("New template"))
        new.clicked.connect(self.new_template)
        self.archive_button = QPushButton(tr("Archive"))
        self.archive_button.setToolTip(tr("No new jobs from it; the jobs started from it keep running"))
        self.archive_button.clicked.connect(self.archive)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(new)
        left_layout.addWidget(self.archive_button)

        self.name = QLineEdit()
        self.description = QLineEdit()
        self.revision = QLabel()
        self.revision.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("&Name"), self.name)
        form.addRow(tr("&Description"), self.description)
        self.stages = QTableWidget(0, 8)
        self.stages.setHorizontalHeaderLabels(
            [
                tr("Stage"),
                tr("Length"),
                tr("In"),
                tr("Work"),
                tr("Role"),
                tr("Done by"),
                tr("Approved by"),
                tr("Overlaps"),
            ]
        )
        self.stages.setToolTip(tr("Overlaps: the stage may start with the one before, not after it"))
        self.stages.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stages.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stages.verticalHeader().setVisible(True)
        header = self.stages.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (LENGTH, 70),
            (UNIT, 80),
            (WORK, 80),
            (ROLE, 100),
            (DOER, 130),
            (APPROVER, 140),
            (OVERLAP, 70),
        ):
            self.stages.setColumnWidth(column, width)
        self.stages.currentCellChanged.connect(lambda row, _c, _pr, _pc: self._stage_chosen(row))
        stage_buttons = QHBoxLayout()
        for text, slot in (
            (tr("Add stage"), self.add_stage),
            (tr("Remove"), self.remove_stage),
            (tr("Move up"), lambda: self.move_stage(-1)),
            (tr("Move down"), lambda: self.move_stage(1)),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            stage_buttons.addWidget(button)
        stage_buttons.addStretch(1)

        self.stage_box = QGroupBox(tr("The chosen stage"))
        self.checklist = QPlainTextEdit()
        self.checklist.setPlaceholderText(tr("One item per line, e.g. “Photos of the site taken”"))
        self.tasks = QTableWidget(0, 4)
        self.tasks.setHorizontalHeaderLabels(
            [tr("Task made when it starts"), tr("Due after (h)"), tr("For"), tr("Remind (min before)")]
        )
        self.tasks.horizontalHeader().setSectionResizeMode(TASK_TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((TASK_AFTER, 90), (TASK_FOR, 130), (TASK_REMIND, 130)):
            self.tasks.setColumnWidth(column, width)
        add_task, remove_task = QPushButton(tr("Add task")), QPushButton(tr("Remove task"))
        add_task.clicked.connect(lambda: self._add_task_row(TaskSpec(tr("New task"))))
        remove_task.clicked.connect(lambda: self.tasks.removeRow(self.tasks.currentRow()))
        task_buttons = QHBoxLayout()
        task_buttons.addWidget(add_task)
        task_buttons.addWidget(remove_task)
        task_buttons.addStretch(1)
        stage_layout = QHBoxLayout(self.stage_box)
        checklist_column = QVBoxLayout()
        checklist_column.addWidget(QLabel(tr("Checklist")))
        checklist_column.addWidget(self.checklist)
        tasks_column = QVBoxLayout()
        tasks_column.addWidget(QLabel(tr("Tasks")))
        tasks_column.addWidget(self.tasks)
        tasks_column.addLayout(task_buttons)
        stage_layout.addLayout(checklist_column, 2)
        stage_layout.addLayout(tasks_column, 3)

        self.problem = error_label("problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save template"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(form)
        right_layout.addWidget(self.revision)
        right_layout.addWidget(self.stages, 3)
        right_layout.addLayout(stage_buttons)
        right_layout.addWidget(self.stage_box, 2)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 900])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.ready = False
        ops.read(users.list_users, on_done=self._users_loaded)

    # --- loading ---

    def _users_loaded(self, rows: list) -> None:
        self.people = [(u.display_name or u.username, u.id) for u in rows if u.active]
        self.ops.read(workflows.list_templates, on_done=self._templates_loaded)

    def _templates_loaded(self, rows: list[TemplateRow], keep: int | None = None) -> None:
        self.templates = rows
        wanted = keep if keep is not None else (self.current.id if self.current else None)
        blocked = self.list.blockSignals(True)
        self.list.clear()
        for t in rows:
            item = QListWidgetItem(t.name)
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.list.addItem(item)
        self.list.blockSignals(blocked)
        row = next((n for n, t in enumerate(rows) if t.id == wanted), 0)
        if rows:
            self.list.setCurrentRow(row)
            self._template_chosen(row)
        else:
            self.new_template()
        self.ready = True

    def _template_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.templates):
            return
        self.show_template(self.templates[row])

    def new_template(self) -> None:
        self.list.clearSelection()
        self.show_template(None)
        self.name.setFocus()

    def show_template(self, t: TemplateRow | None) -> None:
        self.current = t
        show_error(self.problem, "")
        self.name.setText(t.name if t else "")
        self.description.setText(t.description if t else "")
        self.revision.setText(
            fill(
                tr("Version {n}. Saving a change makes the next version; running jobs keep theirs."),
                n=t.revision,
            )
            if t
            else tr("A new template: give it a name and its stages, in order.")
        )
        self.archive_button.setEnabled(t is not None)
        self._stage_row = None
        self.stages.setRowCount(0)
        for spec in t.stages if t else [StageSpec(tr("First stage"), work_days=1)]:
            self._add_stage_row(spec)
        self.stages.setCurrentCell(0, NAME)
        self._stage_chosen(0)

    # --- the stages table ---

    def _people_combo(self, chosen: int | None, first: tuple[str, int]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(*first)
        for name, user_id in self.people:
            combo.addItem(name, user_id)
        combo.setCurrentIndex(max(0, combo.findData(chosen if chosen is not None else first[1])))
        return combo

    def _add_stage_row(self, spec: StageSpec, at: int | None = None) -> None:
        row = self.stages.rowCount() if at is None else at
        self.stages.insertRow(row)
        name = QTableWidgetItem(spec.name)
        name.setData(Qt.ItemDataRole.UserRole, {"checklist": list(spec.checklist), "tasks": list(spec.tasks)})
        self.stages.setItem(row, NAME, name)
        in_hours = spec.work_hours is not None
        length = QDoubleSpinBox()
        length.setRange(0, 9999)
        length.setDecimals(1 if in_hours else 0)
        length.setValue(float(spec.work_hours if in_hours else spec.work_days or 0))
        unit = QComboBox()
        unit.addItem(tr("days"), DAYS)
        unit.addItem(tr("hours"), HOURS)
        unit.setCurrentIndex(1 if in_hours else 0)
        work = QDoubleSpinBox()
        work.setRange(0, 9999)
        work.setDecimals(1)
        work.setSuffix(" " + tr("h"))
        work.setSpecialValueText(tr("all days"))  # (0: the stage takes its whole days)
        work.setToolTip(tr("The hours of work the stage takes over its days, if not all of them"))
        work.setValue(float(spec.effort_hours or 0))
        work.setEnabled(not in_hours)

        def unit_changed(i: int, box=length, effort=work) -> None:
            box.setDecimals(1 if i else 0)
            effort.setEnabled(not i)

        unit.currentIndexChanged.connect(unit_changed)
        self.stages.setCellWidget(row, LENGTH, length)
        self.stages.setCellWidget(row, UNIT, unit)
        self.stages.setCellWidget(row, WORK, work)
        self.stages.setItem(row, ROLE, QTableWidgetItem(spec.role))
        self.stages.setCellWidget(
            row, DOER, self._people_combo(spec.responsible_id, (tr("Job's manager"), JOB_MANAGER))
        )
        approver = self._people_combo(
            (spec.approver_id or JOB_MANAGER) if spec.needs_approval else NO_APPROVAL,
            (tr("No approval"), NO_APPROVAL),
        )
        approver.insertItem(1, tr("Job's manager"), JOB_MANAGER)
        approver.setCurrentIndex(
            max(
                0,
                approver.findData((spec.approver_id or JOB_MANAGER) if spec.needs_approval else NO_APPROVAL),
            )
        )
        self.stages.setCellWidget(row, APPROVER, approver)
        overlap = QCheckBox()
        overlap.setChecked(spec.may_overlap)
        self.stages.setCellWidget(row, OVERLAP, overlap)

    def _spec_of_row(self, row: int) -> StageSpec:
        name = self.stages.item(row, NAME)
        extra = name.data(Qt.ItemDataRole.UserRole) or {}
        length = self.stages.cellWidget(row, LENGTH).value()
        in_hours = self.stages.cellWidget(row, UNIT).currentData() == HOURS
        doer = self.stages.cellWidget(row, DOER).currentData()
        approver = self.stages.cellWidget(row, APPROVER).currentData()
        role = self.stages.item(row, ROLE)
        effort = self.stages.cellWidget(row, WORK).value()
        return StageSpec(
            name=name.text().strip(),
            work_days=None if in_hours else int(length),
            work_hours=Decimal(str(length)) if in_hours else None,
            effort_hours=Decimal(str(effort)) if effort and not in_hours else None,
            role=role.text().strip() if role else "",
            responsible_id=doer or None,
            checklist=tuple(extra.get("checklist", ())),
            tasks=tuple(extra.get("tasks", ())),
            needs_approval=approver != NO_APPROVAL,
            approver_id=approver if approver not in (NO_APPROVAL, JOB_MANAGER) else None,
            may_overlap=self.stages.cellWidget(row, OVERLAP).isChecked(),
        )

    def add_stage(self) -> None:
        self._keep_stage_details()
        row = self.stages.currentRow() + 1 if self.stages.currentRow() >= 0 else self.stages.rowCount()
        self._add_stage_row(StageSpec(tr("New stage"), work_days=1), at=row)
        self._stage_row = None
        self.stages.setCurrentCell(row, NAME)
        self.stages.editItem(self.stages.item(row, NAME))

    def remove_stage(self) -> None:
        row = self.stages.currentRow()
        if row >= 0:
            self._stage_row = None
            self.stages.removeRow(row)
            self._stage_chosen(self.stages.currentRow())

    def move_stage(self, step: int) -> None:
        row = self.stages.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.stages.rowCount():
            return
        self._keep_stage_details()
        spec = self._spec_of_row(row)
        self._stage_row = None
        self.stages.removeRow(row)
        self._add_stage_row(spec, at=target)
        self.stages.setCurrentCell(target, NAME)

    # --- the chosen stage's checklist and tasks ---

    def _stage_chosen(self, row: int) -> None:
        self._keep_stage_details()
        self._stage_row = row if 0 <= row < self.stages.rowCount() else None
        extra = (
            self.stages.item(row, NAME).data(Qt.ItemDataRole.UserRole) if self._stage_row is not None else {}
        )
        self.stage_box.setEnabled(self._stage_row is not None)
        if self._stage_row is not None:
            self.stage_box.setTitle(
                fill(tr("Stage {n}: {name}"), n=row + 1, name=self.stages.item(row, NAME).text())
            )
        self.checklist.setPlainText("\n".join(extra.get("checklist", ())))
        self.tasks.setRowCount(0)
        for task in extra.get("tasks", ()):
            self._add_task_row(task)

    def _add_task_row(self, task: TaskSpec) -> None:
        row = self.tasks.rowCount()
        self.tasks.insertRow(row)
        self.tasks.setItem(row, TASK_TITLE, QTableWidgetItem(task.title))
        after = QSpinBox()
        after.setRange(0, 2000)
        after.setValue(task.after_hours)
        self.tasks.setCellWidget(row, TASK_AFTER, after)
        self.tasks.setCellWidget(
            row, TASK_FOR, self._people_combo(task.assignee_id, (tr("Stage's person"), 0))
        )
        remind = QSpinBox()
        remind.setRange(-1, 10080)
        remind.setSpecialValueText(tr("No reminder"))  # shown for -1
        remind.setValue(-1 if task.remind_minutes is None else task.remind_minutes)
        self.tasks.setCellWidget(row, TASK_REMIND, remind)

    def _keep_stage_details(self) -> None:
        """The checklist and tasks shown, kept with the stage they belong to."""
        row = self._stage_row
        if row is None or row >= self.stages.rowCount():
            return
        tasks = []
        for n in range(self.tasks.rowCount()):
            title = self.tasks.item(n, TASK_TITLE)
            remind = self.tasks.cellWidget(n, TASK_REMIND).value()
            tasks.append(
                TaskSpec(
                    title=title.text().strip() if title else "",
                    after_hours=self.tasks.cellWidget(n, TASK_AFTER).value(),
                    assignee_id=self.tasks.cellWidget(n, TASK_FOR).currentData() or None,
                    remind_minutes=None if remind < 0 else remind,
                )
            )
        items = [line.strip() for line in self.checklist.toPlainText().splitlines() if line.strip()]
        self.stages.item(row, NAME).setData(Qt.ItemDataRole.UserRole, {"checklist": items, "tasks": tasks})

    # --- saving ---

    def stage_specs(self) -> list[StageSpec]:
        self._keep_stage_details()
        return [self._spec_of_row(row) for row in range(self.stages.rowCount())]

    def save(self) -> None:
        show_error(self.problem, "")
        specs = self.stage_specs()
        if self.current is None:
            self.ops.write(
                workflows.create,
                self.name.text(),
                specs,
                description=self.description.text(),
                on_done=self._saved,
                on_error=self._failed,
            )
        else:
            self.ops.write(
                workflows.update,
                self.current.id,
                expected_version=self.current.version,
                name=self.name.text(),
                description=self.description.text(),
                stages=specs,
                on_done=self._saved,
                on_error=self._failed,
            )

    def archive(self) -> None:
        if self.current is not None:
            self.ops.write(
                workflows.update,
                self.current.id,
                expected_version=self.current.version,
                archived=True,
                on_done=lambda _t: self._reload(None),
                on_error=self._failed,
            )

    def _saved(self, t: TemplateRow) -> None:
        self.current = t
        self._reload(t.id)

    def _reload(self, keep: int | None) -> None:
        self.current = None if keep is None else self.current
        self.ops.read(workflows.list_templates, on_done=lambda rows: self._templates_loaded(rows, keep))

    def _failed(self, error) -> None:
        show_error(self.problem, error.message)
