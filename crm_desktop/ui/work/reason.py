"""A reason asked before a step that needs one (a job put on hold or cancelled, a stage blocked, a
stage done with unticked items, an approval rejected): the step is taken only with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPlainTextEdit, QWidget

from crm_desktop.ui.form_dialog import FormDialog
from crm_desktop.ui.ops import Ops

# write(reason, on_done, on_error): the call the reason is for
Write = Callable[[str, Callable[[Any], None], Callable[[Any], None]], None]


class ReasonDialog(FormDialog):
    def __init__(
        self,
        ops: Ops,
        title: str,
        question: str,
        action: str,
        write: Write,
        parent: QWidget | None = None,
        *,
        field: str = "reason",
        extra: tuple[tuple[str, str, QWidget], ...] = (),
    ):
        super().__init__(ops, parent)
        self._write = write
        self.setWindowTitle(title)
        self.question = QLabel(question)
        self.question.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 12)
        self.add_row(field, self.tr("&Reason"), self.reason)
        for key, label, widget in extra:  # what else the step asks (who may unblock a stage)
            self.add_row(key, label, widget)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(action)
        self.finish_layout()
        self.layout().insertWidget(0, self.question)
        self.resize(440, self.sizeHint().height())
        self.reason.setFocus()

    def submit(self, on_done, on_error) -> None:
        self._write(self.reason.toPlainText().strip(), on_done, on_error)
