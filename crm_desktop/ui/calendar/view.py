"""CalendarView: the tasks of a month, week, day or the coming 30 days, to plan and reschedule by mouse or
keys."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QBrush, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import exports, tasks, users
from crm_desktop.services.context import Changes
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.tasks import TaskFilter, TaskRow
from crm_desktop.ui import list_export
from crm_desktop.ui.calendar.canvas import MonthGrid, TaskCanvas, TimeGrid, about, colours, short_day_name
from crm_desktop.ui.calendar.dialog import TaskDialog
from crm_desktop.ui.calendar.period import MODES, days_of, local_start, step
from crm_desktop.ui.jobs import Job, run_job
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.schedule_next import ScheduleNext

SETTINGS_MODE = "calendar/mode"
SETTINGS_ASSIGNEE = "calendar/assignee"
WORKDAY_STARTS = 8  # the hour grid opens scrolled here


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def accelerator(text: str) -> str:
    """The letter after & in a translated label (what Alt takes), or "" when the language has none."""
    at = text.find("&")
    return text[at + 1].upper() if 0 <= at < len(text) - 1 else ""


class DayHeader(QWidget):
    """Weekday and date above the columns of the hour grid (it does not scroll with the hours)."""

    def __init__(self, grid: TimeGrid, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = grid
        self.setFixedHeight(self.fontMetrics().height() + 8)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        dw = self.grid.day_width()
        for i, day in enumerate(self.grid.days):
            font = QFont(self.font())
            font.setBold(day == self.grid.today)
            painter.setFont(font)
            text = f"{short_day_name(day)} {QLocale().toString(qdate(day), 'd MMM')}"
            # over its column of the grid, wherever that is (mirrored in a right-to-left window)
            column = self.grid.mirrored(QRect(round(self.grid.GUTTER + i * dw), 0, round(dw), self.height()))
            left = self.mapFromGlobal(self.grid.mapToGlobal(column.topLeft())).x()
            painter.drawText(
                QRect(left, 0, column.width(), self.height()), Qt.AlignmentFlag.AlignCenter, text
            )
        painter.end()


class Agenda(QTreeWidget):
    """Overdue first, then each of the coming days with its tasks; the check box completes a task."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderLabels(
            [self.tr("Time"), self.tr("Task"), self.tr("Client / deal"), self.tr("Assignee")]
        )
        self.setRootIsDecorated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.setColumnWidth(1, 320)
        self.setUniformRowHeights(True)
        self.rows: dict[int, TaskRow] = {}

    def show_tasks(self, overdue: list[TaskRow], days: list[date], rows: list[TaskRow]) -> None:
        self.blockSignals(True)
        self.clear()
        self.rows = {t.id: t for t in (*overdue, *rows)}
        late = {t.id for t in overdue}
        rows = [t for t in rows if t.id not in late]  # overdue earlier today: in the Overdue group only
        groups: list[tuple[str, list[TaskRow], bool]] = []
        if overdue:
            groups.append((self.tr("Overdue"), overdue, True))
        for day in days:
            todays = [t for t in rows if t.due_at.astimezone().date() == day]
            if todays:
                groups.append((QLocale().toString(qdate(day), QLocale.FormatType.LongFormat), todays, False))
        for title, items, with_date in groups:
            head = QTreeWidgetItem(self, [title])
            head.setFirstColumnSpanned(True)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = QFont(self.font())
            font.setBold(True)
            head.setFont(0, font)
            for t in items:
                due = t.due_at.astimezone()
                when = (
                    f"{QLocale().toString(qdate(due.date()), 'd MMM')} {due:%H:%M}"
                    if with_date
                    else f"{due:%H:%M}"
                )
                item = QTreeWidgetItem(head, [when, t.title, about(t), t.assignee_name])
                item.setData(0, Qt.ItemDataRole.UserRole, t.id)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
                )
                item.setCheckState(
                    0, Qt.CheckState.Checked if t.status == "done" else Qt.CheckState.Unchecked
                )
                _, _, text = colours(t)
                for col in range(4):
                    if t.overdue or t.status != "open":
                        item.setForeground(col, QBrush(text))
                    if t.status == "done":
                        struck = QFont(self.font())
                        struck.setStrikeOut(True)
                        item.setFont(col, struck)
        if not groups:
            QTreeWidgetItem(self, [self.tr("Nothing due in these days.")]).setFirstColumnSpanned(True)
        self.expandAll()
        self.resizeColumnToContents(0)
        self.blockSignals(False)

    def task_of(self, item: QTreeWidgetItem | None) -> TaskRow | None:
        task_id = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        return self.rows.get(task_id) if task_id is not None else None

    def item_of(self, task_id: int) -> QTreeWidgetItem | None:
        for i in range(self.topLevelItemCount()):
            head = self.topLevelItem(i)
            for j in range(head.childCount()):
                if head.child(j).data(0, Qt.ItemDataRole.UserRole) == task_id:
                    return head.child(j)
        return None


class CalendarView(QWidget):
    def __init__(self, ops: Ops, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.settings = ops, settings
        mode = str(settings.value(SETTINGS_MODE, "week"))
        self.mode = mode if mode in MODES else "week"
        self.anchor = self.today()
        self.rows: list[TaskRow] = []
        self.ready = False  # the visible period's tasks are loaded and shown
        self.dialog: TaskDialog | None = None
        self.schedule_next = ScheduleNext(ops, self)
        self._load_seq = 0
        self._scrolled_to: tuple[str, date] | None = None  # the period the hours were last scrolled for

        today = self.tr("&Today")
        self.today_button = self._tool(
            today, self.go_today, fill(self.tr("Go to today (Alt+{key})"), key=accelerator(today))
        )
        back, ahead = ("▶", "◀") if QApplication.isRightToLeft() else ("◀", "▶")  # time runs with the text
        self.prev_button = self._tool(back, lambda: self.go(-1), self.tr("Previous period (Alt+Left)"))
        self.next_button = self._tool(ahead, lambda: self.go(1), self.tr("Next period (Alt+Right)"))
        self.title = QLabel()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        self.title.setFont(big)
        # The period's name may be cut short rather than make the window wider than a small screen.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.mode_buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self)
        names = {
            "month": self.tr("&Month"),
            "week": self.tr("&Week"),
            "day": self.tr("&Day"),
            "agenda": self.tr("&Agenda"),
        }
        for key in MODES:
            button = self._tool(
                names[key],
                lambda key=key: self.set_mode(key),
                fill(
                    self.tr("Show as {mode} (Alt+{key})"),
                    mode=names[key].replace("&", ""),
                    key=accelerator(names[key]),
                ),
            )
            button.setCheckable(True)
            group.addButton(button)
            self.mode_buttons[key] = button
        self.new_button = QPushButton(self.tr("New task"))
        self.new_button.setToolTip(self.tr("New task (Ctrl+N); or double-click a free time"))
        self.new_button.clicked.connect(self.new_item)
        self.assignee = QComboBox()
        self.assignee.setToolTip(self.tr("Whose tasks to show"))
        self.assignee.addItem(self.tr("Everyone"), None)
        self.assignee.currentIndexChanged.connect(self._assignee_chosen)
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addSpacing(8)
        for w in (self.today_button, self.prev_button, self.next_button):
            bar.addWidget(w)
        self.title.setIndent(8)  # apart from the arrows, within the title's own room (it shrinks to fit)
        bar.addWidget(self.title, 1)
        for button in self.mode_buttons.values():
            bar.addWidget(button)
        bar.addWidget(self.assignee)
        if ops.ctx.actor.can_export:  # export is a right of its own, not everyone's
            # an icon: the bar already holds what a small laptop screen has room for
            export = QToolButton(icon=self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
            export.setAccessibleName(self.tr("Export…"))
            export.setToolTip(
                fill(
                    self.tr("{action}: {what}"),
                    action=self.tr("Export…"),
                    what=self.tr(
                        "The open tasks with a due time (of whoever is shown) as a calendar file for phones "
                        "and Outlook"
                    ),
                )
            )
            export.clicked.connect(self.choose_export_file)
            self.export_button = export
            bar.addWidget(export)

        self.time_grid = TimeGrid()
        self.header = DayHeader(self.time_grid)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.time_grid)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        time_page = QWidget()
        tl = QVBoxLayout(time_page)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(0)
        header_row = QHBoxLayout()
        header_row.addWidget(self.header)
        header_row.addSpacing(self.scroll.verticalScrollBar().sizeHint().width())
        tl.addLayout(header_row)
        tl.addWidget(self.scroll)
        self.month_grid = MonthGrid()
        self.agenda = Agenda()
        self.stack = QStackedWidget()
        for page in (time_page, self.month_grid, self.agenda):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        for canvas in (self.time_grid, self.month_grid):
            canvas.create_requested.connect(self.create_at)
            canvas.edit_requested.connect(self.edit)
            canvas.reschedule_requested.connect(self.reschedule)
            canvas.toggle_requested.connect(self.toggle_done)
            canvas.day_requested.connect(self.show_day)
        self.agenda.itemChanged.connect(self._agenda_checked)
        self.agenda.itemDoubleClicked.connect(lambda item, _col: self._agenda_edit(item))
        self.agenda.itemActivated.connect(lambda item, _col: self._agenda_edit(item))
        self.agenda.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.agenda.customContextMenuRequested.connect(self._agenda_menu)
        for keys, slot, what in (
            ("Alt+Left", lambda: self.go(-1), self.tr("The day, week or month before")),
            ("Alt+Right", lambda: self.go(1), self.tr("The day, week or month after")),
        ):
            QShortcut(
                QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
            ).setWhatsThis(what)
        WhenShown(self, ops, {"users", "tasks"}, self._refresh)
        self._show_mode()

    def _tool(self, text: str, slot, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda *_: slot())  # not the "checked" flag as an argument
        return button

    # -- what is shown -------------------------------------------------------------------------------------
    def today(self) -> date:
        return self.ops.ctx.now().astimezone().date()

    def start(self) -> None:
        self.ops.read(users.list_users, on_done=self._users_loaded)
        self.reload()

    def days(self) -> list[date]:
        return days_of(self.mode, self.anchor, QLocale().firstDayOfWeek().value - 1)  # Qt: Monday is 1

    def canvas(self) -> TaskCanvas | None:
        return {"month": self.month_grid, "week": self.time_grid, "day": self.time_grid}.get(self.mode)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        if mode == "agenda" and self.mode != "agenda":
            self.anchor = self.today()  # the agenda is "from now on"; paging moves it along
        self.mode = mode
        self.settings.setValue(SETTINGS_MODE, mode)
        self._show_mode()
        self.reload()

    def show_day(self, day: date) -> None:
        self.anchor = day
        self.set_mode("day")

    def go(self, direction: int) -> None:
        self.anchor = step(self.mode, self.anchor, direction)
        self._show_mode()
        self.reload()

    def go_today(self) -> None:
        self.anchor = self.today()
        self._show_mode()
        self.reload()

    def _show_mode(self) -> None:
        self.mode_buttons[self.mode].setChecked(True)
        self.stack.setCurrentIndex({"month": 1, "agenda": 2}.get(self.mode, 0))
        self.title.setText(self.period_title())

    def period_title(self) -> str:
        loc, days = QLocale(), self.days()
        if self.mode == "day":
            return loc.toString(qdate(self.anchor), QLocale.FormatType.LongFormat)
        if self.mode == "month":
            return loc.toString(qdate(self.anchor), "MMMM yyyy")
        first, last = days[0], days[-1]
        return f"{loc.toString(qdate(first), 'd MMM')} – {loc.toString(qdate(last), 'd MMM yyyy')}"

    def _users_loaded(self, rows: list[users.UserRow]) -> None:
        if not isValid(self):
            return
        wanted = self.settings.value(SETTINGS_ASSIGNEE)
        before = self.assignee.currentData()
        self.assignee.blockSignals(True)
        while self.assignee.count() > 1:  # keep "Everyone"
            self.assignee.removeItem(1)
        for u in rows:
            self.assignee.addItem(u.display_name or u.username, u.id)
        found = self.assignee.findData(int(wanted)) if wanted not in (None, "") else 0
        self.assignee.setCurrentIndex(max(found, 0))
        self.assignee.blockSignals(False)
        if self.assignee.currentData() != before:
            self.reload()

    def show_overdue(self, *, assignee_id: int | None = None) -> None:
        """The agenda, whose overdue tasks come first, of one person's or everyone's (a dashboard tile's)."""
        self.settings.setValue(SETTINGS_ASSIGNEE, "" if assignee_id is None else assignee_id)
        blocked = self.assignee.blockSignals(True)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(assignee_id)))
        self.assignee.blockSignals(blocked)
        self.set_mode("agenda")

    def _assignee_chosen(self) -> None:
        chosen = self.assignee.currentData()
        self.settings.setValue(SETTINGS_ASSIGNEE, "" if chosen is None else chosen)
        self.reload()

    def choose_export_file(self) -> None:
        path = list_export.choose_file(
            self, self.tr("Export tasks"), "tasks.ics", self.tr("Calendar file (*.ics)")
        )
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> Job:
        """The open tasks with a due time of whoever is shown, as an iCalendar file, as a job."""
        wanted = TaskFilter(status="open", assignee_id=self.assignee.currentData())
        return run_job(
            self,
            self.ops,
            exports.tasks_ics,
            path,
            wanted,
            title=fill(self.tr("Export tasks to {file}"), file=path.name),
            on_done=lambda n: list_export.say(
                self,
                fill(
                    ngettext("1 task exported to {file}.", "{n} tasks exported to {file}.", n), n=n, file=path
                ),
            ),
        )

    # -- loading -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Load only the tasks due in the visible period (and, in the agenda, the overdue ones)."""
        self._load_seq += 1
        seq, mode, days = self._load_seq, self.mode, self.days()
        self.ready = False
        base = TaskFilter(
            status=None,
            assignee_id=self.assignee.currentData(),
            due_after=local_start(days[0]),
            due_before=local_start(days[-1] + timedelta(days=1)),
        )
        overdue = (
            TaskFilter(status="open", assignee_id=base.assignee_id, overdue_only=True)
            if mode == "agenda" and days[0] <= self.today()
            else None
        )
        self.ops.read(
            _load_period, base, overdue, on_done=lambda result: self._loaded(seq, mode, days, *result)
        )

    def _loaded(
        self, seq: int, mode: str, days: list[date], rows: list[TaskRow], overdue: list[TaskRow]
    ) -> None:
        if seq != self._load_seq or not isValid(self):
            return  # the user moved on meanwhile (a newer load is coming), or the view is gone
        rows = [t for t in rows if t.status != "cancelled"]
        self.rows = rows
        self.time_grid.today = self.month_grid.today = self.today()
        self.time_grid.now = self.ops.ctx.now()
        if mode == "agenda":
            self.agenda.show_tasks(overdue, days, rows)
        elif mode == "month":
            self.month_grid.show_tasks(days, rows)
        else:
            self.time_grid.show_tasks(days, rows)
            self.header.update()
            if self._scrolled_to != (mode, days[0]):  # a refresh of the same days leaves the scroll alone
                self._scrolled_to = (mode, days[0])
                self.scroll_to_the_day()
        self.ready = True

    def _refresh(self, changes: Changes) -> None:
        if "users" in changes.tables:  # someone added or renamed: the filter lists them
            self.ops.read(users.list_users, on_done=self._users_loaded)
        if "tasks" in changes.tables:
            self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.mode in ("week", "day"):
            self.scroll_to_the_day()

    def scroll_to_the_day(self) -> None:
        """The hours open at the working day, or earlier at the first task shown: none is hidden above."""
        first = self.time_grid.first_minute()
        start = WORKDAY_STARTS * 60 if first is None else min(first, WORKDAY_STARTS * 60)
        self.scroll.verticalScrollBar().setValue(self.time_grid.y_of(max(0, start - 30)))

    # -- changes ---------------------------------------------------------------------------------------------
    def new_item(self) -> None:
        """Ctrl+N, File → New and the New task button: a task at the next full hour of the day shown
        (today's if today is in view), the form open to change it."""
        now = self.ops.ctx.now().astimezone()
        if self.mode == "agenda" or now.date() in self.days():
            self.create_at(now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        else:
            self.create_at(datetime.combine(self.anchor, time(9)).astimezone())

    def new_item_text(self) -> str:
        return self.new_button.text()

    def _agenda_menu(self, pos: QPoint) -> None:
        task = self.agenda.task_of(self.agenda.itemAt(pos)) if self.agenda.itemAt(pos) else None
        menu = QMenu(self.agenda)
        if task is not None:
            done = task.status != "open"
            menu.addAction(
                self.tr("Reopen") if done else self.tr("Mark done"), lambda: self.toggle_done(task)
            )
            menu.addAction(self.tr("Edit…"), lambda: self.edit(task))
            menu.addSeparator()
        menu.addAction(self.tr("New task…"), self.new_item)
        self.agenda_menu = menu  # tests
        menu.popup(self.agenda.viewport().mapToGlobal(pos))

    def create_at(self, when: datetime) -> None:
        self._open_dialog(
            TaskDialog(self.ops, due=when, assignee_id=self.assignee.currentData(), parent=self)
        )

    def edit(self, task: TaskRow) -> None:
        self._open_dialog(TaskDialog(self.ops, task=task, parent=self))

    def _open_dialog(self, dialog: TaskDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()

    def reschedule(self, task: TaskRow, when: datetime) -> None:
        canvas = self.sender() if isinstance(self.sender(), TaskCanvas) else self.canvas()

        def failed(error: ServiceError) -> None:
            if canvas is not None:
                canvas.forget_move(task.id)
            self.ops.show_problem(error.message)

        self.ops.write(tasks.reschedule, task.id, when, expected_version=task.version, on_error=failed)

    def toggle_done(self, task: TaskRow) -> None:
        completing = task.status != "done"
        self.ops.write(
            tasks.complete if completing else tasks.reopen,
            task.id,
            expected_version=task.version,
            on_done=lambda _row: self.schedule_next.offer(task.id, task.title) if completing else None,
            on_error=lambda error: (self.ops.show_problem(error.message), self.reload()),
        )

    def _agenda_checked(self, item: QTreeWidgetItem, column: int) -> None:
        task = self.agenda.task_of(item)
        if (
            task is not None
            and column == 0
            and (item.checkState(0) == Qt.CheckState.Checked) != (task.status == "done")
        ):
            self.toggle_done(task)

    def _agenda_edit(self, item: QTreeWidgetItem) -> None:
        task = self.agenda.task_of(item)
        if task is not None:
            self.edit(task)


def _load_period(ctx, period: TaskFilter, overdue: TaskFilter | None) -> tuple[list[TaskRow], list[TaskRow]]:
    """One call on the worker thread: the period's tasks and, for the agenda, the overdue ones before it."""
    rows = tasks.list_tasks(ctx, period, limit=None)
    late = tasks.list_tasks(ctx, overdue, limit=None) if overdue is not None else []
    return rows, late
