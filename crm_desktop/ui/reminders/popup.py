"""The reminder window: every due reminder in one list, each with Done, Snooze and Open.

It appears without taking the keyboard (someone may be typing a note) and stays on top until the
reminders in it are handled; reminders coming due while it is open join the list instead of
stacking dialogs. Reminders handled on another PC (or in the calendar) leave it by themselves.

It is a top-level window of its own, not a child of the main window: a dialog open over the main
window (window-modal, as every dialog of the app is) blocks only the main window's hierarchy, so
Done and Snooze work while an invoice is being edited. It sits in a corner of the screen's free area,
the one that leaves the active dialog uncovered; with many reminders each takes one line.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import approvals, reminders
from crm_desktop.services.context import Changes
from crm_desktop.services.reminders import Reminder
from crm_desktop.ui.date_field import DateTimeField
from crm_desktop.ui.dates import moment_text
from crm_desktop.ui.elided_label import ElidedLabel
from crm_desktop.ui.form_dialog import error_label, show_error
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.work.reason import ReasonDialog

COMPACT_FROM = 4  # reminders in the window from which each takes one line
# Rows at most: a week away from the office can leave thousands due, and a row is ~20 widgets. The rest
# wait (counted in the window) and move up as rows are handled; Snooze all takes them all.
MAX_SHOWN = 25
WIDTH = 440
MARGIN = 12  # from the screen's edges


def _local(moment: datetime | None) -> str:
    return moment_text(moment)


def snooze_menu(parent: QWidget, snooze) -> QMenu:
    """The quick snooze choices, calling `snooze(choice)`: one menu for a reminder and for all of them."""
    menu = QMenu(parent)
    menu.addAction(parent.tr("10 minutes"), lambda: snooze("10min"))
    menu.addAction(parent.tr("1 hour"), lambda: snooze("1h"))
    menu.addAction(parent.tr("Tomorrow morning"), lambda: snooze("tomorrow"))
    return menu


class ReminderRow(QFrame):
    handled = Signal(int)  # task id: done, snoozed or dismissed
    completed = Signal(int, str)  # task id and title: marked done here
    open_requested = Signal(object)  # Reminder

    def __init__(self, ops: Ops, reminder: Reminder, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.reminder = ops, reminder
        self.setObjectName("reminder")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{html.escape(reminder.title)}</b>")
        self.title.setWordWrap(True)
        about = " · ".join(x for x in (reminder.client_name, reminder.deal_title) if x)
        when = fill(self.tr("Due {when}"), when=_local(reminder.due_at)) if reminder.due_at else ""
        self.details = QLabel(" — ".join(x for x in (about, when) if x))
        self.details.setWordWrap(True)
        # The compact row's title: one line beside the buttons, cut to fit, the details in its tooltip.
        self.line = ElidedLabel(
            reminder.title, tooltip="\n".join(x for x in (reminder.title, self.details.text()) if x)
        )
        bold = self.line.font()
        bold.setBold(True)
        self.line.setFont(bold)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.done_button = QPushButton(self.tr("Done"))
        self.done_button.clicked.connect(self.done)
        self.reject_button: QPushButton | None = None
        if reminder.approval_id is not None:  # a stage waiting for this user's approval: answered here
            self.done_button.setText(self.tr("Approve"))
            self.done_button.clicked.disconnect()
            self.done_button.clicked.connect(self.approve)
            self.reject_button = QPushButton(self.tr("Reject…"))
            self.reject_button.clicked.connect(self.reject)
        # Push buttons with a menu keep room for its arrow (a tool button draws it over the text).
        self.snooze_button = QPushButton(self.tr("Snooze"))
        menu = snooze_menu(self.snooze_button, self.snooze)
        menu.addAction(self.tr("Pick a time…"), self.pick_time)
        self.snooze_button.setMenu(menu)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(lambda: self.open_requested.emit(self.reminder))
        self.dismiss_button = QToolButton(text="✕")
        self.dismiss_button.setToolTip(
            self.tr("Dismiss: the task stays open, the reminder does not come back")
        )
        self.dismiss_button.clicked.connect(self.dismiss)
        self.buttons = QWidget()
        buttons = QHBoxLayout(self.buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.done_button)
        if self.reject_button is not None:
            buttons.addWidget(self.reject_button)
        buttons.addWidget(self.snooze_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        self._grid = QGridLayout(self)
        self.busy = False  # handled here, the answer still on its way
        self.compact = True
        self.set_compact(False)

    def set_compact(self, compact: bool) -> None:
        """One line (the title, its details as a tooltip, the buttons) or the title over its details
        over the buttons."""
        if compact == self.compact:
            return
        self.compact = compact
        for widget in (self.title, self.line, self.details, self.problem, self.buttons):
            self._grid.removeWidget(widget)
        self.title.setVisible(not compact)
        self.details.setVisible(not compact)
        self.line.setVisible(compact)
        if compact:
            self._grid.addWidget(self.line, 0, 0)
            self._grid.addWidget(self.buttons, 0, 1)
            self._grid.addWidget(self.problem, 1, 0, 1, 2)
            self._grid.setColumnStretch(0, 1)
        else:
            self._grid.addWidget(self.title, 0, 0, 1, 2)
            self._grid.addWidget(self.details, 1, 0, 1, 2)
            self._grid.addWidget(self.problem, 2, 0, 1, 2)
            self._grid.addWidget(self.buttons, 3, 0, 1, 2)

    @property
    def task_id(self) -> int:
        return self.reminder.task_id

    def done(self) -> None:
        self._handle(
            reminders.done,
            self.task_id,
            expected_version=self.reminder.version,
            then=lambda: self.completed.emit(self.task_id, self.reminder.title),
        )

    def approve(self) -> None:
        assert self.reminder.approval_id is not None
        self._handle(approvals.decide, self.reminder.approval_id, True)

    def reject(self) -> ReasonDialog:
        """Rejected with a comment (what is to be redone goes back with the stage)."""
        approval = self.reminder.approval_id
        dialog = ReasonDialog(
            self.ops,
            self.reminder.title,
            self.tr("What is to be redone? The comment goes back to whoever sent it."),
            self.tr("Reject"),
            lambda comment, ok, failed: self.ops.write(
                approvals.decide, approval, False, comment=comment, on_done=ok, on_error=failed
            ),
            self,
            field="comment",
        )
        dialog.saved.connect(lambda _job: self.handled.emit(self.task_id))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.reject_dialog = dialog
        return dialog

    def snooze(self, choice: str) -> None:
        ctx = self.ops.ctx
        self.snooze_until(reminders.snooze_choices(ctx.now(), ctx.zone())[choice])

    def snooze_until(self, when: datetime) -> None:
        self._handle(reminders.snooze, self.task_id, when)

    def dismiss(self) -> None:
        self._handle(reminders.dismiss, self.task_id)

    def pick_time(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Snooze until"))
        edit = DateTimeField(self.ops.ctx.now() + timedelta(hours=1))
        problem = error_label("problem")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )

        def snooze() -> None:
            if message := edit.problem(self.tr("The time to remind again")):
                show_error(problem, message)
                edit.setFocus()
                return
            dialog.accept()
            self.snooze_until(edit.typed_datetime())

        buttons.accepted.connect(snooze)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(edit)
        layout.addWidget(problem)
        layout.addWidget(buttons)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.time_dialog = dialog
        return dialog

    def _handle(self, fn, *args, then: Callable[[], None] | None = None, **kwargs) -> None:
        def handled(_row) -> None:
            self.busy = False
            if then is not None:
                then()
            self.handled.emit(self.task_id)

        self.problem.hide()
        self.busy = True  # the window leaves the row to this answer (see ReminderWindow._changed)
        self.ops.write(fn, *args, **kwargs, on_done=handled, on_error=self._failed)

    def _failed(self, error) -> None:
        self.busy = False
        self.problem.setText(error.message)
        self.problem.show()


class ReminderWindow(QWidget):
    open_requested = Signal(object)  # Reminder: show its client or task
    handled = Signal(int)  # a task's reminder was handled here: the scheduler re-arms
    completed = Signal(int, str)  # a task was marked done here (id, title)

    def __init__(self, ops: Ops, main_window: QWidget | None = None):
        # No parent (see the module's docstring): `main_window` only says which screen to use.
        # Shown without taking the keyboard: whoever is typing keeps typing (a click still works).
        super().__init__(
            None,
            Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.ops, self.main_window = ops, main_window
        self.setObjectName("reminders")
        self.setWindowTitle(self.tr("Reminders"))
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # closing the main window quits
        self.missed_label = QLabel()
        self.missed_label.setWordWrap(True)
        self.missed_label.hide()
        self.snooze_all_button = QPushButton(self.tr("Snooze all"))
        self.snooze_all_button.setMenu(snooze_menu(self.snooze_all_button, self.snooze_all))
        self.snooze_all_button.hide()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        top = QHBoxLayout()
        top.addWidget(self.missed_label, 1)
        top.addWidget(self.snooze_all_button, 0, Qt.AlignmentFlag.AlignTop)
        self.rows: dict[int, ReminderRow] = {}
        self.compact = False  # each reminder on one line
        self.waiting: dict[int, Reminder] = {}  # due, beyond MAX_SHOWN: not drawn yet
        self.more_label = QLabel()
        self.more_label.hide()
        self._list = QVBoxLayout()
        self._list.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._list)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(inner)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.more_label)
        ops.changed.connect(self._changed)
        QGuiApplication.instance().focusWindowChanged.connect(self._focus_moved)

    def add(self, found: list[Reminder]) -> None:
        missed = [r for r in found if r.missed]
        if missed:
            text = fill(
                ngettext(
                    "1 reminder was due while CRM Desktop was closed.",
                    "{n} reminders were due while CRM Desktop was closed.",
                    len(missed),
                ),
                n=len(missed),
            )
            self.missed_label.setText(text)
            self.missed_label.show()
        for reminder in found:
            if reminder.task_id not in self.rows:
                self.waiting.setdefault(reminder.task_id, reminder)
        self._fill()
        self._rows_changed()
        self._show_keeping_focus()

    def due(self) -> list[int]:
        """Every reminder in the window, drawn or waiting."""
        return [*self.rows, *self.waiting]

    def _fill(self) -> None:
        while self.waiting and len(self.rows) < MAX_SHOWN:
            task_id = next(iter(self.waiting))
            row = ReminderRow(self.ops, self.waiting.pop(task_id), self)
            row.handled.connect(self._remove)
            row.handled.connect(self.handled)
            row.completed.connect(self.completed)
            row.open_requested.connect(self.open_requested)
            self._list.insertWidget(self._list.count() - 1, row)
            self.rows[task_id] = row

    def snooze_all(self, choice: str) -> None:
        ctx = self.ops.ctx
        until = reminders.snooze_choices(ctx.now(), ctx.zone())[choice]
        shown = self.due()
        self.problem.hide()

        def snoozed(task_ids: list[int]) -> None:
            self._remove_all(shown)
            self.handled.emit(shown[-1])  # one re-arm of the timer serves them all

        self.ops.write(reminders.snooze_many, shown, until, on_done=snoozed, on_error=self._failed)

    def _failed(self, error) -> None:
        self.problem.setText(error.message)
        self.problem.show()

    def _show_keeping_focus(self) -> None:
        typing_in = QApplication.focusWidget()
        self.place()
        self.show()
        self.raise_()
        # Some window systems activate a new window whatever it asks for: hand the keyboard back.
        if typing_in is not None and typing_in.window() is not self:
            QTimer.singleShot(0, lambda: _give_back(typing_in, self))

    def place(self) -> None:
        """Into a corner of the screen's free area (bottom right first; mirrored right to left), the
        first that does not cover the active dialog — or the one covering the least of it."""
        anchor = self.main_window if self.main_window is not None else self
        screen = anchor.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry()
        size = QSize(
            min(WIDTH, free.width() - 2 * MARGIN),
            min(self._wanted_height(), free.height() * 3 // 5),
        )
        self.resize(size)
        frame = self.frameGeometry().size() - self.geometry().size()  # the title bar and borders
        outer = size + frame
        area = free.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        right, left = area.right() - outer.width() + 1, area.left()
        bottom, top = area.bottom() - outer.height() + 1, area.top()
        near, far = (left, right) if self.isRightToLeft() else (right, left)
        corners = [QPoint(near, bottom), QPoint(near, top), QPoint(far, bottom), QPoint(far, top)]
        avoid = _active_dialog()
        buttons = _button_areas(avoid) if avoid is not None else []

        def covered(corner: QPoint) -> tuple[int, int]:
            """How much of the dialog's buttons, then of the dialog, the window would cover there."""
            placed = QRect(corner, outer)
            dialog = [avoid.frameGeometry()] if avoid is not None else []
            return tuple(sum(_area(placed.intersected(r)) for r in rects) for rects in (buttons, dialog))

        self.move(min(corners, key=covered))  # min keeps the first of equals: the preferred corner

    def _wanted_height(self) -> int:
        inner = self.scroll.widget()
        inner.adjustSize()
        chrome = self.sizeHint().height() - self.scroll.sizeHint().height()
        return chrome + inner.sizeHint().height() + 2 * self.scroll.frameWidth()

    def _focus_moved(self, window: QWindow | None) -> None:
        """A dialog opened or came to the front: move out of its way if the window covers it."""
        if not self.isVisible():
            return
        was_compact = self.compact
        self._rows_changed()  # compact while a dialog is in front, in full again once it closed
        dialog = _active_dialog()
        if self.compact != was_compact or (
            dialog is not None and dialog.frameGeometry().intersects(self.frameGeometry())
        ):
            self.place()

    def _remove(self, task_id: int) -> None:
        self._remove_all([task_id])

    def _remove_all(self, task_ids: Iterable[int]) -> None:
        """Those reminders out of the window; then waiting ones move up once (removed one at a time,
        each removal would first draw a waiting row only for the next to remove it)."""
        for task_id in task_ids:
            self.waiting.pop(task_id, None)
            row = self.rows.pop(task_id, None)
            if row is not None:
                row.hide()
                row.deleteLater()
        self._fill()
        self._rows_changed()
        if not self.rows:
            self.missed_label.hide()
            self.problem.hide()
            self.hide()

    def _rows_changed(self) -> None:
        n = len(self.rows) + len(self.waiting)
        self.setWindowTitle(
            self.tr("Reminder") if n == 1 else fill(ngettext("{n} reminder", "{n} reminders", n), n=n)
        )
        # One line each when many, or while a dialog is in front: the window then covers less of it.
        self.compact = n >= COMPACT_FROM or _active_dialog() is not None
        for row in self.rows.values():
            row.set_compact(self.compact)
        self.snooze_all_button.setVisible(n > 1)
        self.more_label.setText(
            fill(
                ngettext(
                    "{n} more will show here as you handle these.",
                    "{n} more will show here as you handle these.",
                    len(self.waiting),
                ),
                n=len(self.waiting),
            )
        )
        self.more_label.setVisible(bool(self.waiting))

    def _changed(self, changes: Changes) -> None:
        if self.rows and "tasks" in changes.tables:
            shown = self.due()
            self.ops.read(
                reminders.still_pending,
                shown,
                # A row handled here waits for its own answer (it then says it was done, and what
                # follows is offered); the change it made must not take it away first.
                on_done=lambda pending: self._remove_all(
                    i for i in shown if i not in pending and not (i in self.rows and self.rows[i].busy)
                ),
            )


def _button_areas(dialog: QWidget) -> list[QRect]:
    """Where on the screen the dialog's button rows are (what a user must reach to finish it)."""
    return [
        QRect(box.mapToGlobal(QPoint(0, 0)), box.size())
        for box in dialog.findChildren(QDialogButtonBox)
        if box.isVisible()
    ]


def _area(rect: QRect) -> int:
    return rect.width() * rect.height() if rect.isValid() else 0


def _active_dialog() -> QWidget | None:
    """The dialog in front (a modal one first), or another window of ours being read (Help): what the
    reminder window must leave uncovered. The main window is not one: the reminders sit over it."""
    modal = QApplication.activeModalWidget()
    if modal is not None:
        return modal
    active = QApplication.activeWindow()
    if active is None or isinstance(active, QMainWindow) or active.objectName() == "reminders":
        return None
    return active


def _give_back(widget: QWidget, popup: QWidget) -> None:
    if isValid(widget) and QApplication.activeWindow() in (popup, None) and widget.isVisible():
        widget.window().activateWindow()
        widget.setFocus()
