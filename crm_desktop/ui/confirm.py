"""The one way a step that cannot be undone is asked about: what goes with it is said, the button names
the step, and the safe answer is the default, so Enter or Esc never deletes anything."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton, QWidget


def ask_to_confirm(
    parent: QWidget,
    title: str,
    question: str,
    action: str,
    on_yes: Callable[[], object],
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
    role: QMessageBox.ButtonRole = QMessageBox.ButtonRole.DestructiveRole,
) -> QMessageBox:
    """Shown at once (window-modal); `on_yes` runs only when the `action` button is clicked."""
    box = QMessageBox(icon, title, question, QMessageBox.StandardButton.Cancel, parent)
    yes = box.addButton(action, role)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.finished.connect(lambda _result: box.clickedButton() is yes and on_yes())
    box.open()
    return box


def yes_button(box: QMessageBox):
    """The button that carries the step out (tests click it)."""
    return next(b for b in box.buttons() if b is not box.button(QMessageBox.StandardButton.Cancel))


def enter_presses_no_button(dialog: QDialog) -> None:
    """For a dialog whose buttons each act at once (no Save): Qt makes its first push button the one
    Enter presses, whatever it does; here Enter presses none (a list's Enter opens its row instead)."""
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)
