"""Painted calendar surfaces: the hour grid (Week, Day) and the month grid.

Both share the mouse and keyboard handling of `TaskCanvas`: click the tick to complete, double-click a task to
edit it or an empty slot to create one, drag a task to reschedule it, Space/Enter/context menu on the selected
task. They only emit requests; the view talks to the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services.tasks import TaskRow
from crm_desktop.ui.calendar.period import snap


def tr(text: str, context: str | None = None) -> str:
    return QCoreApplication.translate("Calendar", text, context)


# Overdue is the one thing that must jump out; done tasks step back.
OPEN_FILL, OPEN_EDGE, OPEN_TEXT = QColor("#dbe9fb"), QColor("#2f6fb6"), QColor("#12305a")
OVERDUE_FILL, OVERDUE_EDGE, OVERDUE_TEXT = QColor("#f9d0d0"), QColor("#c62828"), QColor("#8b1010")
DONE_FILL, DONE_EDGE, DONE_TEXT = QColor("#eeeeee"), QColor("#b0b0b0"), QColor("#8a8a8a")
TICK = 14


def colours(task: TaskRow) -> tuple[QColor, QColor, QColor]:
    if task.status != "open":
        return DONE_FILL, DONE_EDGE, DONE_TEXT
    if task.overdue:
        return OVERDUE_FILL, OVERDUE_EDGE, OVERDUE_TEXT
    return OPEN_FILL, OPEN_EDGE, OPEN_TEXT


def about(task: TaskRow) -> str:
    """The client and deal a task is about, for the second line and tooltips."""
    return " · ".join(part for part in (task.client_name, task.deal_title) if part)


@dataclass
class Placed:
    task: TaskRow
    rect: QRect


class TaskCanvas(QWidget):
    """Mouse, keyboard and painting shared by the surfaces that lay tasks out.

    A surface (TimeGrid, MonthGrid) says where things are: `placed()` -> the visible tasks with their
    rectangles, `slot_time(pos)` -> the time of an empty slot, `drop_time(task, pos, grab)` -> where a
    dragged task lands.
    """

    create_requested = Signal(object)  # local aware datetime of the slot
    edit_requested = Signal(object)  # TaskRow
    reschedule_requested = Signal(object, object)  # TaskRow, new local aware due time
    toggle_requested = Signal(object)  # TaskRow: complete an open task, reopen a done one
    day_requested = Signal(object)  # date: "show me this day" (month "+k more")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.days: list[date] = []
        self.tasks: list[TaskRow] = []
        self.moved: dict[int, datetime] = {}  # dropped but not saved yet: shown at the new place meanwhile
        self.selected_id: int | None = None
        self.today = date.today()  # the view sets both from the service clock
        self.now: datetime | None = None
        self._press: tuple[TaskRow, QPoint, QPoint] | None = (
            None  # task, press point, grab offset in the block
        )
        self._drag_at: QPoint | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)

    # -- data ------------------------------------------------------------------------------------------
    def show_tasks(self, days: list[date], tasks: list[TaskRow]) -> None:
        self.days, self.tasks, self.moved = days, [t for t in tasks if t.due_at is not None], {}
        if self.selected_id not in {t.id for t in self.tasks}:
            self.selected_id = None
        self.updateGeometry()
        self.update()

    def start_of(self, task: TaskRow) -> datetime:
        return self.moved.get(task.id) or task.due_at.astimezone()

    def forget_move(self, task_id: int) -> None:
        """A reschedule failed: the task goes back where it was."""
        self.moved.pop(task_id, None)
        self.update()

    def selected(self) -> TaskRow | None:
        return next((t for t in self.tasks if t.id == self.selected_id), None)

    # -- geometry, per surface: TimeGrid and MonthGrid each give placed(), slot_time() and drop_time() --
    # Both lay out left to right; in a right-to-left window (Arabic) what they place is mirrored on the
    # way out and a mouse position on the way in, so days, lanes and ticks run from the right.
    def mirrored(self, rect: QRect) -> QRect:
        if not self.isRightToLeft():
            return rect
        return QRect(self.width() - rect.x() - rect.width(), rect.y(), rect.width(), rect.height())

    def logical(self, pos: QPoint) -> QPoint:
        return QPoint(self.width() - 1 - pos.x(), pos.y()) if self.isRightToLeft() else pos

    def _tick_in(self, block: QRect) -> QRect:
        """The tick box at the start of a block: its left, or its right in a right-to-left window."""
        left = block.right() - 2 - TICK if self.isRightToLeft() else block.left() + 3
        return QRect(left, block.top() + 3, TICK, TICK)

    def tick_rect(self, task_id: int) -> QRect:
        return self._tick_in(self.task_rect(task_id))

    def task_rect(self, task_id: int) -> QRect:
        """Where a task is drawn (empty if it is not in view); tests and tooltips use it."""
        return next((p.rect for p in self.placed() if p.task.id == task_id), QRect())

    def hit(self, pos: QPoint) -> Placed | None:
        for p in reversed(self.placed()):  # the last drawn is on top
            if p.rect.contains(pos):
                return p
        return None

    # -- mouse and keys ------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        self._press, self._drag_at = None, None
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        found = self.hit(pos)
        self.selected_id = found.task.id if found else None
        if found and self.tick_rect(found.task.id).contains(pos):
            self.toggle_requested.emit(found.task)
        elif found:
            self._press = (found.task, pos, pos - found.rect.topLeft())
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._press and (
            self._drag_at or (pos - self._press[1]).manhattanLength() >= QApplication.startDragDistance()
        ):
            self._drag_at = pos
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, drag_at = self._press, self._drag_at
        self._press, self._drag_at = None, None
        if press and drag_at is not None:
            task, _, grab = press
            when = self.drop_time(task, event.position().toPoint(), grab)
            if when is not None and when != self.start_of(task):
                self.moved[task.id] = when
                self.reschedule_requested.emit(task, when)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        found = self.hit(pos)
        if found and not self.tick_rect(found.task.id).contains(pos):
            self.edit_requested.emit(found.task)
        elif not found:
            when = self.slot_time(pos)
            if when is not None:
                self.create_requested.emit(when)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        task = self.selected()
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Left) and self.tasks:
            # Arrows walk through the tasks in time order, so everything works without a mouse.
            ordered = sorted(self.tasks, key=lambda t: (self.start_of(t), t.id))
            ids = [t.id for t in ordered]
            forward = key in (Qt.Key.Key_Down, Qt.Key.Key_Right)
            if self.selected_id in ids:
                i = max(0, min(len(ids) - 1, ids.index(self.selected_id) + (1 if forward else -1)))
            else:
                i = 0 if forward else len(ids) - 1
            self.selected_id = ids[i]
            self.update()
        elif key == Qt.Key.Key_Insert and self.days:
            self.create_requested.emit(
                datetime.combine(
                    self.days[0] if self.today not in self.days else self.today, time(9)
                ).astimezone()
            )
        elif task and key == Qt.Key.Key_Space:
            self.toggle_requested.emit(task)
        elif task and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.edit_requested.emit(task)
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu = self.menu_at(event.pos())  # tests
        if not self.context_menu.isEmpty():
            self.context_menu.popup(event.globalPos())

    def menu_at(self, pos: QPoint) -> QMenu:
        """A task's actions on a task; "New task here…" on a free time."""
        menu = QMenu(self)
        found = self.hit(pos)
        if found:
            self.selected_id = found.task.id
            self.update()
            done = found.task.status != "open"
            menu.addAction(
                tr("Reopen") if done else tr("Mark done"), lambda: self.toggle_requested.emit(found.task)
            )
            menu.addAction(tr("Edit…"), lambda: self.edit_requested.emit(found.task))
        elif (when := self.slot_time(pos)) is not None:
            menu.addAction(tr("New task here…"), lambda: self.create_requested.emit(when))
        return menu

    # -- painting helpers ------------------------------------------------------------------------------------
    def paint_block(self, painter: QPainter, task: TaskRow, rect: QRect, *, lines: int = 2) -> None:
        fill, edge, text = colours(task)
        painter.setPen(QPen(edge, 2 if task.id == self.selected_id else 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 3, 3)
        box = self._tick_in(rect)
        painter.setBrush(QColor("white"))
        painter.setPen(QPen(edge, 1))
        painter.drawRect(box)
        if task.status == "done":
            painter.drawLine(box.left() + 3, box.center().y(), box.center().x(), box.bottom() - 3)
            painter.drawLine(box.center().x(), box.bottom() - 3, box.right() - 2, box.top() + 3)
        font = QFont(self.font())
        font.setStrikeOut(task.status == "done")
        font.setBold(task.priority == "high" and task.status == "open")
        painter.setFont(font)
        painter.setPen(text)
        area = (
            rect.adjusted(3, 2, -TICK - 7, -2) if self.isRightToLeft() else rect.adjusted(TICK + 7, 2, -3, -2)
        )
        line_h = painter.fontMetrics().height()
        first = f"{self.start_of(task):%H:%M} {task.title}"
        if about(task) and lines > 1 and area.height() >= 2 * line_h - 2:
            shown = [first, about(task)]
        else:  # one line: the client still shows, after the title
            shown = [f"{first}  ·  {about(task)}" if about(task) else first]
        for i, line in enumerate(shown):
            line_rect = QRect(area.left(), area.top() + i * line_h, area.width(), line_h)
            painter.drawText(
                line_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                painter.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, area.width()),
            )

    def paint_drag(self, painter: QPainter) -> None:
        if not (self._press and self._drag_at):
            return
        task, _, grab = self._press
        when = self.drop_time(task, self._drag_at, grab)
        if when is None:
            return
        saved = self.moved.get(task.id)
        self.moved[task.id] = when
        rect = self.task_rect(task.id)
        if saved is None:
            del self.moved[task.id]
        else:
            self.moved[task.id] = saved
        painter.setOpacity(0.6)
        self.paint_block(painter, task, rect)
        painter.setOpacity(1.0)

    def event(self, event) -> bool:  # tooltips: the full title, time and client of the task under the mouse
        if event.type() == event.Type.ToolTip:
            found = self.hit(event.pos())
            if found:
                t = found.task
                start = self.start_of(t)
                when = QLocale().toString(QDate(start.year, start.month, start.day), "ddd d MMM")
                self.setToolTip(
                    fill(
                        tr("{day} {time}, {minutes} min"),
                        day=when,
                        time=f"{start:%H:%M}",
                        minutes=t.duration_minutes,
                    )
                    + f"\n{t.title}"
                    + (f"\n{about(t)}" if about(t) else "")
                    + f"\n{t.assignee_name}"
                )
            else:
                self.setToolTip("")
        return super().event(event)


class TimeGrid(TaskCanvas):
    """Days side by side, 0–24 h top to bottom; a task is a block as tall as its duration."""

    GUTTER = 52
    HOUR = 48
    MIN_LANE = 56  # narrower blocks would show nothing readable

    def sizeHint(self) -> QSize:
        return QSize(self.GUTTER + 120 * max(1, len(self.days)), 24 * self.HOUR)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.GUTTER + 60 * max(1, len(self.days)), 24 * self.HOUR)

    def day_width(self) -> float:
        return (self.width() - self.GUTTER) / max(1, len(self.days))

    def y_of(self, minutes: float) -> int:
        return round(minutes * self.HOUR / 60)

    def first_minute(self) -> int | None:
        """The minute of the day the earliest task shown starts at (local time); None with none."""
        starts = [self.start_of(t) for t in self.tasks if self.start_of(t).date() in self.days]
        return min(start.hour * 60 + start.minute for start in starts) if starts else None

    def slot_rect(self, when: datetime) -> QRect:
        """The 15-minute slot `when` (any timezone) falls in; empty if its day is not shown."""
        local = when.astimezone()
        if local.date() not in self.days:
            return QRect()
        i = self.days.index(local.date())
        minutes = snap(local).hour * 60 + snap(local).minute
        x = round(self.GUTTER + i * self.day_width())
        return self.mirrored(QRect(x, self.y_of(minutes), round(self.day_width()), self.y_of(15)))

    def slot_time(self, pos: QPoint) -> datetime | None:
        return self._slot_at(self.logical(pos))

    def _slot_at(self, pos: QPoint) -> datetime | None:
        if pos.x() < self.GUTTER or not self.days:
            return None
        i = min(int((pos.x() - self.GUTTER) / self.day_width()), len(self.days) - 1)
        minutes = max(0, min(24 * 60 - 15, int(pos.y() * 60 / self.HOUR)))
        start = datetime.combine(self.days[i], time()).astimezone()
        return snap(start + timedelta(minutes=minutes))

    def drop_time(self, task: TaskRow, pos: QPoint, grab: QPoint) -> datetime | None:
        at = self.logical(pos)
        return self._slot_at(QPoint(max(at.x(), self.GUTTER), at.y() - grab.y() + self.y_of(7)))

    def _layout(self) -> tuple[list[Placed], list[tuple[QRect, date, int]]]:
        """Blocks side by side where tasks overlap, as many lanes as fit the day's width; the tasks
        beyond them become one "+k" link at the last lane, which opens the day (where more fit)."""
        out: list[Placed] = []
        more: list[tuple[QRect, date, int]] = []
        dw = self.day_width()
        room = max(2, int(dw // self.MIN_LANE))
        for i, day in enumerate(self.days):
            todays = sorted((t for t in self.tasks if self.start_of(t).date() == day), key=self.start_of)
            # Overlapping tasks share the day's width side by side; a cluster ends when nothing overlaps it.
            lane_of: dict[int, int] = {}
            lanes_in: dict[int, int] = {}
            cluster_of: dict[int, int] = {}
            lanes: list[datetime] = []  # end time of the last task in each lane of the current cluster
            cluster: list[int] = []
            for t in todays + [None]:
                start = self.start_of(t) if t else None
                if cluster and (t is None or start >= max(lanes)):
                    lanes_in.update({task_id: len(lanes) for task_id in cluster})
                    lanes, cluster = [], []
                if t is None:
                    break
                end = start + timedelta(minutes=max(t.duration_minutes, 15))
                lane = next((n for n, busy_until in enumerate(lanes) if busy_until <= start), len(lanes))
                lanes[lane : lane + 1] = [end]
                lane_of[t.id] = lane
                cluster_of[t.id] = len(lanes_in)  # tasks placed before this cluster: a number per cluster
                cluster.append(t.id)
            hidden: dict[int, list[TaskRow]] = {}  # crowded cluster -> its tasks not shown, in time order
            for t in todays:
                lanes_here = lanes_in[t.id]
                shown_lanes = lanes_here if lanes_here <= room else room - 1
                start = self.start_of(t)
                top = self.y_of(start.hour * 60 + start.minute)
                width = dw / (lanes_here if lanes_here <= room else room)
                if lane_of[t.id] >= shown_lanes:
                    hidden.setdefault(cluster_of[t.id], []).append(t)
                    continue
                height = max(self.y_of(t.duration_minutes), TICK + 8)
                height = min(height, self.height() - top)  # a long task stops at midnight
                x = self.GUTTER + i * dw + lane_of[t.id] * width
                out.append(Placed(t, QRect(round(x) + 2, top + 1, max(round(width) - 4, 10), height - 2)))
            for tasks in hidden.values():
                start = self.start_of(tasks[0])
                top = self.y_of(start.hour * 60 + start.minute)
                width = dw / room
                x = self.GUTTER + i * dw + (room - 1) * width
                more.append(
                    (QRect(round(x) + 2, top + 1, max(round(width) - 4, 10), TICK + 6), day, len(tasks))
                )
        return [Placed(p.task, self.mirrored(p.rect)) for p in out], [
            (self.mirrored(r), d, n) for r, d, n in more
        ]

    def placed(self) -> list[Placed]:
        return self._layout()[0]

    def more_links(self) -> list[tuple[QRect, date, int]]:
        return self._layout()[1]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        for rect, day, _count in self.more_links():
            if rect.contains(pos) and event.button() == Qt.MouseButton.LeftButton:
                self.day_requested.emit(day)
                return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.base())
        dw = self.day_width()
        grid = QColor(pal.mid().color())
        today = self.today
        for i, day in enumerate(self.days):
            if day.weekday() >= 5 or day == today:
                colour = QColor("#fff8e1") if day == today else QColor(pal.alternateBase().color())
                painter.fillRect(
                    self.mirrored(QRect(round(self.GUTTER + i * dw), 0, round(dw), self.height())), colour
                )
        painter.setPen(pal.text().color())
        for hour in range(24):
            y = self.y_of(hour * 60)
            hours = self.mirrored(QRect(self.GUTTER, y, self.width() - self.GUTTER, self.HOUR // 2))
            painter.setPen(grid)
            painter.drawLine(hours.left(), y, hours.right(), y)
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            painter.drawLine(hours.left(), y + self.HOUR // 2, hours.right(), y + self.HOUR // 2)
            painter.setPen(pal.text().color())
            # AlignRight is the side toward the grid: Qt turns it to the left in a right-to-left window
            label = self.mirrored(QRect(0, y, self.GUTTER - 6, 16))
            painter.drawText(label, Qt.AlignmentFlag.AlignRight, f"{hour:02d}:00")
        painter.setPen(grid)
        for i in range(len(self.days) + 1):
            x = self.mirrored(QRect(round(self.GUTTER + i * dw), 0, 0, 0)).x()
            painter.drawLine(x, 0, x, self.height())
        placed, more = self._layout()
        for p in placed:
            if not (self._drag_at and self._press and self._press[0].id == p.task.id):
                self.paint_block(painter, p.task, p.rect)
        for rect, _day, count in more:
            painter.setPen(pal.link().color())
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, fill(tr("+{0}"), count))
        if self.now is not None and self.now.astimezone().date() in self.days:
            now = self.now.astimezone()
            line = self.mirrored(
                QRect(round(self.GUTTER + self.days.index(now.date()) * dw), 0, round(dw), 1)
            )
            y = self.y_of(now.hour * 60 + now.minute)
            painter.setPen(QPen(OVERDUE_EDGE, 2))
            painter.drawLine(
                line.left(), y, line.right(), y
            )  # everything above this line and still open is late
        self.paint_drag(painter)
        painter.end()


class MonthGrid(TaskCanvas):
    """Six weeks of days; each day lists its first tasks and how many more there are."""

    HEADER = 22
    LINE = 18

    def sizeHint(self) -> QSize:
        return QSize(7 * 130, self.HEADER + 6 * 100)

    def minimumSizeHint(self) -> QSize:
        return QSize(7 * 70, self.HEADER + 6 * 60)

    def cell(self, i: int) -> QRect:
        w, h = self.width() / 7, (self.height() - self.HEADER) / 6
        row, col = divmod(i, 7)
        return self.mirrored(QRect(round(col * w), round(self.HEADER + row * h), round(w), round(h)))

    def slot_rect(self, when: date | datetime) -> QRect:
        """The cell of a day (a datetime counts by its local date); empty if not shown."""
        day = when.astimezone().date() if isinstance(when, datetime) else when
        return self.cell(self.days.index(day)) if day in self.days else QRect()

    def _index_at(self, pos: QPoint) -> int | None:
        return next((i for i in range(len(self.days)) if self.cell(i).contains(pos)), None)

    def slot_time(self, pos: QPoint) -> datetime | None:
        i = self._index_at(pos)
        return None if i is None else datetime.combine(self.days[i], time(9)).astimezone()

    def drop_time(self, task: TaskRow, pos: QPoint, grab: QPoint) -> datetime | None:
        i = self._index_at(pos)
        if i is None:
            return None
        start = self.start_of(task)
        return datetime.combine(self.days[i], start.time().replace(tzinfo=None)).astimezone()

    def _layout(self) -> tuple[list[Placed], dict[int, tuple[QRect, int]]]:
        placed: list[Placed] = []
        more: dict[int, tuple[QRect, int]] = {}
        for i, day in enumerate(self.days):
            cell = self.cell(i)
            todays = sorted((t for t in self.tasks if self.start_of(t).date() == day), key=self.start_of)
            room = max(1, (cell.height() - self.LINE - 4) // self.LINE)
            shown = todays if len(todays) <= room else todays[: room - 1]
            for n, t in enumerate(shown):
                placed.append(
                    Placed(
                        t,
                        QRect(
                            cell.left() + 2,
                            cell.top() + self.LINE + 2 + n * self.LINE,
                            cell.width() - 4,
                            self.LINE - 1,
                        ),
                    )
                )
            if len(shown) < len(todays):
                more[i] = (
                    QRect(
                        cell.left() + 4,
                        cell.top() + self.LINE + 2 + len(shown) * self.LINE,
                        cell.width() - 8,
                        self.LINE - 1,
                    ),
                    len(todays) - len(shown),
                )
        return placed, more

    def placed(self) -> list[Placed]:
        return self._layout()[0]

    def more_rect(self, day: date) -> QRect:
        """The "+k more" link of a day (empty if all its tasks fit)."""
        more = self._layout()[1]
        return more[self.days.index(day)][0] if day in self.days and self.days.index(day) in more else QRect()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        for i, (rect, _) in self._layout()[1].items():
            if rect.contains(pos) and event.button() == Qt.MouseButton.LeftButton:
                self.day_requested.emit(self.days[i])
                return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.base())
        w = self.width() / 7
        first = self.days[0] if self.days else date.today()
        for col in range(7):
            name = short_day_name(first + timedelta(days=col))
            painter.drawText(
                self.mirrored(QRect(round(col * w), 0, round(w), self.HEADER)),
                Qt.AlignmentFlag.AlignCenter,
                name,
            )
        middle = self.days[len(self.days) // 2].month if self.days else 0
        today = self.today
        placed, more = self._layout()
        for i, day in enumerate(self.days):
            cell = self.cell(i)
            if day == today:
                painter.fillRect(cell, QColor("#fff8e1"))
            elif day.month != middle:
                painter.fillRect(cell, pal.alternateBase())
            painter.setPen(pal.mid().color())
            painter.drawRect(cell.adjusted(0, 0, -1, -1))
            painter.setPen(pal.text().color() if day.month == middle else pal.placeholderText().color())
            font = QFont(self.font())
            font.setBold(day == today)
            painter.setFont(font)
            painter.drawText(
                cell.adjusted(4, 1, -4, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                str(day.day),
            )
            if i in more:
                rect, count = more[i]
                painter.setFont(self.font())
                painter.setPen(pal.link().color())
                painter.drawText(
                    rect,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    fill(tr("+{0} more"), count),
                )
        for p in placed:
            if not (self._drag_at and self._press and self._press[0].id == p.task.id):
                self.paint_block(painter, p.task, p.rect, lines=1)
        self.paint_drag(painter)
        painter.end()


def short_day_name(day: date) -> str:
    """Weekday name in the user's language."""
    return QLocale().dayName(QDate(day.year, day.month, day.day).dayOfWeek(), QLocale.FormatType.ShortFormat)
