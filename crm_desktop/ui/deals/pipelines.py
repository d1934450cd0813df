"""Pipelines and their stages: add, rename, reorder, set the probability and the time limit (the days an
open deal may stay in a stage before its owner is told it is stuck). Every change is saved at once through
the services, which refuse what would strand deals (a stage or pipeline still holding them, the last open
stage); the refusal is shown here and nothing changes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import pipelines
from crm_desktop.services.pipelines import PipelineRow, StageRow
from crm_desktop.ui.confirm import ask_to_confirm, enter_presses_no_button
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops

NAME, PROBABILITY, TIME_LIMIT, CLOSES = range(4)


class PipelineEditor(QDialog):
    changed = Signal()

    def __init__(self, ops: Ops, pipeline_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.pipelines: list[PipelineRow] = []
        self._wanted_pipeline = pipeline_id
        self._wanted_stage: int | None = None
        self._filling = False
        self._rename_new_stage = False
        self.setWindowTitle(self.tr("Pipelines and stages"))
        self.resize(680, 460)

        self.pipeline_combo = QComboBox()
        self.pipeline_combo.currentIndexChanged.connect(lambda _i: self._show_stages())
        self.name_edit = QLineEdit()  # the name of a new pipeline, or the new name of this one
        self.name_edit.setPlaceholderText(self.tr("Pipeline name"))
        self.new_pipeline_button = QPushButton(self.tr("New pipeline"))
        self.new_pipeline_button.setToolTip(self.tr("A new pipeline with the usual stages, named as typed"))
        self.new_pipeline_button.clicked.connect(self.new_pipeline)
        self.rename_button = QPushButton(self.tr("Rename"))
        self.rename_button.clicked.connect(self.rename_pipeline)
        self.delete_pipeline_button = QPushButton(self.tr("Delete pipeline"))
        self.delete_pipeline_button.clicked.connect(self.delete_pipeline)
        top = QHBoxLayout()
        top.addWidget(self.pipeline_combo, 1)
        top.addWidget(self.delete_pipeline_button)
        naming = QHBoxLayout()
        naming.addWidget(self.name_edit, 1)
        naming.addWidget(self.rename_button)
        naming.addWidget(self.new_pipeline_button)

        self.stages = QTableWidget(0, 4)
        self.stages.setHorizontalHeaderLabels(
            [self.tr("Stage"), self.tr("Probability"), self.tr("Time limit"), self.tr("Closes the deal as")]
        )
        self.stages.horizontalHeaderItem(TIME_LIMIT).setToolTip(
            self.tr("Days an open deal may stay in the stage before its owner gets a task about it")
        )
        self.stages.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stages.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.stages.verticalHeader().hide()
        self.stages.horizontalHeader().setStretchLastSection(True)
        self.stages.setColumnWidth(NAME, 220)
        self.stages.itemChanged.connect(self._name_edited)
        self.add_stage_button = QPushButton(self.tr("Add stage"))
        self.add_stage_button.clicked.connect(self.add_stage)
        self.delete_stage_button = QPushButton(self.tr("Delete stage"))
        self.delete_stage_button.clicked.connect(self.delete_stage)
        self.up_button = QPushButton(self.tr("Move up"))
        self.up_button.clicked.connect(lambda: self.move_stage(-1))
        self.down_button = QPushButton(self.tr("Move down"))
        self.down_button.clicked.connect(lambda: self.move_stage(1))
        stage_buttons = QHBoxLayout()
        for button in (self.add_stage_button, self.delete_stage_button, self.up_button, self.down_button):
            stage_buttons.addWidget(button)
        stage_buttons.addStretch(1)
        self.problem = error_label("problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.name_edit.returnPressed.connect(self.rename_pipeline)
        self.confirm: QMessageBox | None = None

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(naming)
        layout.addWidget(self.stages, 1)
        layout.addLayout(stage_buttons)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        # Each change is stored at once, so no button is what Enter presses (a dialog's first push button
        # would be, and here that was "Delete pipeline"): Enter in the name renames, in a cell it edits.
        enter_presses_no_button(self)
        self.reload()

    # --- loading ---

    def reload(self) -> None:
        self.ops.read(pipelines.list_pipelines, on_done=self._loaded)

    def _loaded(self, pipelines: list[PipelineRow]) -> None:
        self.pipelines = pipelines
        wanted = (
            self._wanted_pipeline if self._wanted_pipeline is not None else self.pipeline_combo.currentData()
        )
        blocked = self.pipeline_combo.blockSignals(True)
        self.pipeline_combo.clear()
        for p in pipelines:
            self.pipeline_combo.addItem(p.name, p.id)
        self.pipeline_combo.setCurrentIndex(max(0, self.pipeline_combo.findData(wanted)))
        self.pipeline_combo.blockSignals(blocked)
        self._wanted_pipeline = None
        self._show_stages()

    def current_pipeline(self) -> PipelineRow | None:
        return next((p for p in self.pipelines if p.id == self.pipeline_combo.currentData()), None)

    def current_stage(self) -> StageRow | None:
        pipeline, row = self.current_pipeline(), self.stages.currentRow()
        return pipeline.stages[row] if pipeline is not None and 0 <= row < len(pipeline.stages) else None

    def _show_stages(self) -> None:
        pipeline = self.current_pipeline()
        self._filling = True
        self.stages.setRowCount(0)
        if pipeline is not None:
            self.name_edit.setText(pipeline.name)
            for row, stage in enumerate(pipeline.stages):
                self.stages.insertRow(row)
                self.stages.setItem(row, NAME, QTableWidgetItem(stage.name))
                spin = QSpinBox()
                spin.setRange(0, 100)
                spin.setSuffix(" %")
                spin.setValue(stage.probability)
                spin.setKeyboardTracking(False)  # saved when the value is done, not per digit typed
                spin.valueChanged.connect(lambda value, st=stage: self._save_stage(st, probability=value))
                self.stages.setCellWidget(row, PROBABILITY, spin)
                if not (stage.is_won or stage.is_lost):  # a closed deal is never stuck
                    self.stages.setCellWidget(row, TIME_LIMIT, self._time_limit_box(stage))
                closing = QTableWidgetItem(
                    self.tr("Won") if stage.is_won else self.tr("Lost") if stage.is_lost else ""
                )
                closing.setFlags(closing.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.stages.setItem(row, CLOSES, closing)
                if stage.id == self._wanted_stage:
                    self.stages.setCurrentCell(row, NAME)
        for column in (PROBABILITY, TIME_LIMIT):
            self.stages.resizeColumnToContents(column)  # the spin boxes' widest text, or their heading's
        self._filling = False
        self._wanted_stage = None
        if self._rename_new_stage:
            self._rename_new_stage = False
            self.stages.editItem(self.stages.currentItem())  # a new stage is named right away

    def _time_limit_box(self, stage: StageRow) -> QSpinBox:
        """1 to MAX days; its lowest step, 0, reads "No limit" and stores none."""
        spin = QSpinBox()
        spin.setRange(0, pipelines.MAX_TIME_LIMIT_DAYS)
        spin.setSpecialValueText(self.tr("No limit"))
        spin.setValue(stage.time_limit_days or 0)
        spin.setSuffix(self.tr(" days"))  # as the follow-up rules' days read
        spin.setKeyboardTracking(False)  # saved when the value is done, not per digit typed
        spin.valueChanged.connect(lambda value, st=stage: self._save_stage(st, time_limit_days=value or None))
        return spin

    # --- changes ---

    def _run(self, fn, *args, keep_stage: int | None = None, **kwargs) -> None:
        show_error(self.problem, "")
        self._wanted_stage = (
            keep_stage if keep_stage is not None else getattr(self.current_stage(), "id", None)
        )

        def done(result) -> None:
            if isinstance(result, StageRow) and fn is pipelines.add_stage:
                self._wanted_stage, self._rename_new_stage = result.id, True
            self.changed.emit()
            self.reload()

        def failed(error) -> None:
            show_error(self.problem, error.message)
            self.reload()  # puts back what is stored

        self.ops.write(fn, *args, on_done=done, on_error=failed, **kwargs)

    def _name_edited(self, item: QTableWidgetItem) -> None:
        pipeline = self.current_pipeline()
        if self._filling or item.column() != NAME or pipeline is None:
            return
        self._save_stage(pipeline.stages[item.row()], name=item.text())

    def _save_stage(self, stage: StageRow, **values) -> None:
        self._run(
            pipelines.update_stage, stage.id, expected_version=stage.version, keep_stage=stage.id, **values
        )

    def add_stage(self) -> None:
        pipeline = self.current_pipeline()
        if pipeline is not None:
            self._run(pipelines.add_stage, pipeline.id, self.tr("New stage"), probability=50)

    def delete_stage(self) -> None:
        stage = self.current_stage()
        if stage is not None:
            self.confirm = ask_to_confirm(
                self,
                self.tr("Delete stage"),
                fill(
                    self.tr(
                        "Delete the stage '{name}'? Deals in it must be moved to another stage first. "
                        "This cannot be undone."
                    ),
                    name=stage.name,
                ),
                self.tr("Delete stage"),
                lambda: self._run(pipelines.delete_stage, stage.id),
            )

    def move_stage(self, step: int) -> None:
        pipeline, stage = self.current_pipeline(), self.current_stage()
        if pipeline is None or stage is None:
            return
        ids = [st.id for st in pipeline.stages]
        row = ids.index(stage.id)
        if 0 <= row + step < len(ids):
            ids[row], ids[row + step] = ids[row + step], ids[row]
            self._run(pipelines.reorder_stages, pipeline.id, ids, keep_stage=stage.id)

    def new_pipeline(self) -> None:
        def created(pipeline: PipelineRow) -> None:
            self._wanted_pipeline = pipeline.id
            self.changed.emit()
            self.reload()

        show_error(self.problem, "")
        self.ops.write(
            pipelines.create_pipeline,
            self.name_edit.text(),
            on_done=created,
            on_error=lambda error: show_error(self.problem, error.message),
        )

    def rename_pipeline(self) -> None:
        pipeline = self.current_pipeline()
        if pipeline is not None:
            self._run(
                pipelines.rename_pipeline,
                pipeline.id,
                self.name_edit.text(),
                expected_version=pipeline.version,
            )

    def delete_pipeline(self) -> None:
        pipeline = self.current_pipeline()
        if pipeline is not None:
            n = len(pipeline.stages)
            self.confirm = ask_to_confirm(
                self,
                self.tr("Delete pipeline"),
                fill(
                    ngettext(
                        "Delete the pipeline '{name}' and its stage?",
                        "Delete the pipeline '{name}' and its {n} stages?",
                        n,
                    ),
                    name=pipeline.name,
                    n=n,
                )
                + " "
                + self.tr("A pipeline that still holds deals is not deleted. This cannot be undone."),
                self.tr("Delete pipeline"),
                lambda: self._run(pipelines.delete_pipeline, pipeline.id),
            )
