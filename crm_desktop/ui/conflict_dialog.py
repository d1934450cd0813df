"""Someone saved the same fields while you were editing: per field, the value you started from, yours
and the one stored now, and a choice for each — keep yours or take theirs. Fields only one of you
changed were merged already and are not asked about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.merge import MergeConflict


class ConflictDialog(QDialog):
    """`chosen` carries {field: value} for every conflicting field: mine or the stored one."""

    chosen = Signal(dict)

    def __init__(
        self,
        conflict: MergeConflict,
        labels: dict[str, str],
        show: Callable[[str, Any], str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.conflict = conflict
        self.setWindowTitle(self.tr("Changed by someone else"))
        intro = QLabel(
            self.tr(
                "While you were editing, someone else saved different values in the same fields. "
                "Choose, for each field, which value to keep. Their changes to other fields "
                "are kept with yours."
            )
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        for column, title in enumerate(
            (self.tr("Field"), self.tr("When you opened it"), self.tr("Yours"), self.tr("Stored now"))
        ):
            header = QLabel(f"<b>{title}</b>")
            grid.addWidget(header, 0, column)
        self.groups: dict[str, QButtonGroup] = {}
        self.mine_buttons: dict[str, QRadioButton] = {}
        self.stored_buttons: dict[str, QRadioButton] = {}
        for row, (field, clash) in enumerate(conflict.conflicts.items(), start=1):
            grid.addWidget(QLabel(labels.get(field, field)), row, 0, Qt.AlignmentFlag.AlignTop)
            base = QLabel(show(field, clash.base))
            base.setStyleSheet("color: palette(mid);")
            grid.addWidget(base, row, 1, Qt.AlignmentFlag.AlignTop)
            mine, stored = QRadioButton(show(field, clash.mine)), QRadioButton(show(field, clash.stored))
            mine.setChecked(True)
            group = QButtonGroup(self)
            group.addButton(mine)
            group.addButton(stored)
            grid.addWidget(mine, row, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(stored, row, 3, Qt.AlignmentFlag.AlignTop)
            self.groups[field], self.mine_buttons[field], self.stored_buttons[field] = group, mine, stored
        buttons = QDialogButtonBox()
        self.keep_mine = buttons.addButton(self.tr("Keep all mine"), QDialogButtonBox.ButtonRole.ActionRole)
        self.take_stored = buttons.addButton(
            self.tr("Take all theirs"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.merge = buttons.addButton(self.tr("Save as chosen"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.merge.setDefault(True)
        self.keep_mine.clicked.connect(lambda: self._choose_all(self.mine_buttons))
        self.take_stored.clicked.connect(lambda: self._choose_all(self.stored_buttons))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)

    def _choose_all(self, buttons: dict[str, QRadioButton]) -> None:
        for button in buttons.values():
            button.setChecked(True)
        self.accept()

    def choice(self) -> dict[str, Any]:
        return {
            field: clash.mine if self.mine_buttons[field].isChecked() else clash.stored
            for field, clash in self.conflict.conflicts.items()
        }

    def accept(self) -> None:
        self.chosen.emit(self.choice())
        super().accept()
