"""The task calendar on a real database: create by double-click, drag to reschedule, tick to complete,
modes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox

from crm_desktop.services import clients, tasks, users
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.tasks import TaskFilter
from crm_desktop.ui.calendar import CalendarView
from crm_desktop.ui.calendar.canvas import DONE_FILL, OPEN_FILL, OVERDUE_FILL, TaskCanvas
from crm_desktop.ui.calendar.period import days_of, snap, step
from crm_desktop.ui.ops import Ops


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time on the test machine, as the calendar shows it."""
    return datetime.combine(day, time(hour, minute)).astimezone()


@pytest.fixture
def bugs() -> list[BaseException]:
    found: list[BaseException] = []
    yield found
    assert not found, found


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_view(qtbot, sqlite_ctx, settings, bugs) -> Callable[..., CalendarView]:
    ops = Ops(sqlite_ctx, report_bug=bugs.append)
    views: list[CalendarView] = []

    def open_(mode: str | None = None, day: date | None = None) -> CalendarView:
        view = CalendarView(ops, settings)
        qtbot.addWidget(view)
        view.resize(1100, 700)
        view.show()
        view.start()
        if mode:
            view.set_mode(mode)
        if day:
            view.anchor = day
            view.reload()
        settle(qtbot, view)
        views.append(view)
        return view

    yield open_
    qtbot.waitUntil(lambda: not ops.busy)  # no answer may arrive after the views are gone
    for box in ops._boxes:
        box.close()


def settle(qtbot, view: CalendarView) -> None:
    qtbot.waitUntil(lambda: view.ready and not view.ops.busy)


def today(ctx: ServiceContext) -> date:
    return ctx.now().astimezone().date()


def stored(ctx: ServiceContext, task_id: int) -> tasks.TaskRow:
    return tasks.get(ctx, task_id)


def drag(qtbot, canvas: TaskCanvas, start: QPoint, end: QPoint) -> None:
    """A real press, moves in steps, release: as a hand does it."""
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 5):
        qtbot.mouseMove(canvas, start + (end - start) * (i / 4))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)


def grab_point(rect: QRect) -> QPoint:
    """A point on a block's title, right of its tick box."""
    return rect.topLeft() + QPoint(40, 5)


def fill_of(canvas: TaskCanvas, task_id: int) -> QColor:
    """The colour a user sees inside a task block (bottom right, away from text and tick)."""
    rect = canvas.task_rect(task_id)
    assert not rect.isEmpty()
    image = canvas.grab().toImage()
    ratio = image.devicePixelRatio()
    point = rect.bottomRight() - QPoint(6, 6)
    return image.pixelColor(round(point.x() * ratio), round(point.y() * ratio))


def shown(canvas: TaskCanvas) -> dict[str, str]:
    return {t.title: t.status for t in canvas.tasks if not canvas.task_rect(t.id).isEmpty()}


def test_double_click_a_slot_type_a_title_and_enter_creates_the_task_there(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    view = open_view("day")
    grid = view.time_grid
    at = local(day, 14, 30)
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.slot_rect(at).center())
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    assert dialog.due.typed_datetime() == at  # prefilled from the slot

    qtbot.keyClick(dialog.title, Qt.Key.Key_Return)  # no title yet: the message is next to the field
    qtbot.waitUntil(lambda: dialog.errors["title"].isVisible())
    assert "title" in dialog.errors["title"].text().lower()
    assert dialog.isVisible()

    qtbot.keyClicks(dialog.title, "Call Zarina about the offer")
    qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.dialog is None)
    [row] = tasks.list_tasks(sqlite_ctx)
    assert (row.title, row.due_at, row.duration_minutes) == ("Call Zarina about the offer", at, 30)
    qtbot.waitUntil(lambda: shown(grid) == {"Call Zarina about the offer": "open"})
    assert grid.task_rect(row.id).top() == grid.slot_rect(at).top() + 1


def open_new_task_form(qtbot, view: CalendarView, when: datetime):
    """Double-click the slot, as a user creates a task there; the form that opens."""
    grid = view.time_grid
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.slot_rect(when).center())
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    return view.dialog


def test_a_new_task_is_linked_to_the_client_picked_in_its_form(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    zarina = clients.create(sqlite_ctx, name="Zarina Rahimova", phones=["+998 90 123 45 67"])
    view = open_view("day")
    dialog = open_new_task_form(qtbot, view, local(day, 16))
    qtbot.keyClicks(dialog.title, "Bring the contract")
    dialog.client.setFocus()
    qtbot.keyClicks(dialog.client, "1234567")
    popup = dialog.client.completer.popup()
    qtbot.waitUntil(lambda: popup.isVisible() and dialog.client.choices.rowCount() == 1)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.client.client_id == zarina.id
    dialog.save()
    qtbot.waitUntil(lambda: view.dialog is None)
    [row] = tasks.list_tasks(sqlite_ctx)
    assert (row.title, row.client_id, row.client_name) == ("Bring the contract", zarina.id, "Zarina Rahimova")


def test_a_task_repeats_on_chosen_weekdays_and_the_form_shows_its_rule(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    view = open_view("day")
    dialog = open_new_task_form(qtbot, view, local(day, 9))
    qtbot.keyClicks(dialog.title, "Team call")
    repeat = dialog.repeat
    assert repeat.kind.currentText() == "Does not repeat" and not repeat.days[0].isVisible()
    repeat.kind.setCurrentIndex(repeat.kind.findData("weekly"))
    assert repeat.days[day.weekday()].isChecked()  # starts from the due date's weekday
    for d in range(7):
        repeat.days[d].setChecked(d in (0, 3))  # Mondays and Thursdays
    dialog.save()
    qtbot.waitUntil(lambda: view.dialog is None)
    [row] = tasks.list_tasks(sqlite_ctx)
    assert row.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH"

    monthly = tasks.create(sqlite_ctx, title="Rent", due_at=local(day, 10), recurrence="FREQ=MONTHLY")
    view.reload()
    settle(qtbot, view)
    view.edit(stored(sqlite_ctx, monthly.id))
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    assert view.dialog.repeat.kind.currentData() == "monthly"
    assert view.dialog.repeat.rule() == f"FREQ=MONTHLY;BYMONTHDAY={day.day}"  # its day is kept
    view.dialog.reject()


def test_escape_on_a_typed_task_form_asks_and_keeps_or_drops_the_input_as_told(open_view, sqlite_ctx, qtbot):
    view = open_view("week")
    grid = view.time_grid
    qtbot.mouseDClick(
        grid, Qt.MouseButton.LeftButton, pos=grid.slot_rect(local(today(sqlite_ctx), 9)).center()
    )
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    qtbot.keyClicks(dialog.title, "Never mind")
    qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)
    question = dialog.close_question
    assert question is not None and question.isVisible()  # nothing typed is thrown away silently
    qtbot.keyClick(question, Qt.Key.Key_Escape)  # Esc on the question: keep editing
    assert dialog.isVisible() and dialog.title.text() == "Never mind"
    qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)
    qtbot.mouseClick(
        dialog.close_question.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: view.dialog is None)
    assert tasks.list_tasks(sqlite_ctx) == []


def test_escape_on_an_untouched_form_closes_it_at_once(open_view, qtbot):
    view = open_view("week")
    view.new_item()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    qtbot.keyClick(view.dialog.title, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.dialog is None)


def test_save_on_the_close_question_saves_the_task(open_view, sqlite_ctx, qtbot):
    view = open_view("week")
    view.new_item()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    qtbot.keyClicks(dialog.title, "Call Aziz back")
    dialog.reject()  # the window's close button
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.close_question, Qt.Key.Key_Return)  # Enter saves: the default keeps the input
    assert [t.title for t in tasks.list_tasks(sqlite_ctx)] == ["Call Aziz back"]


def test_dragging_a_block_reschedules_the_task_and_its_reminder(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    task = tasks.create(
        sqlite_ctx,
        title="Send the contract",
        due_at=local(day, 14),
        duration_minutes=60,
        remind_at=local(day, 13, 45),
    )
    view = open_view("day")
    grid = view.time_grid
    start = grab_point(grid.task_rect(task.id))
    drag(qtbot, grid, start, grab_point(grid.slot_rect(local(day, 16, 30))))
    qtbot.waitUntil(lambda: stored(sqlite_ctx, task.id).due_at == local(day, 16, 30))
    assert stored(sqlite_ctx, task.id).remind_at == local(day, 16, 15)  # still 15 minutes before
    settle(qtbot, view)
    assert grid.task_rect(task.id).top() == grid.slot_rect(local(day, 16, 30)).top() + 1
    assert (
        grid.task_rect(task.id).height() == 2 * grid.slot_rect(local(day, 16, 30)).height() * 2 - 2
    )  # 1 h tall


def test_dragging_to_another_day_in_the_week_moves_it_there(open_view, sqlite_ctx, qtbot):
    week = days_of("week", today(sqlite_ctx))
    task = tasks.create(sqlite_ctx, title="Visit the site", due_at=local(week[1], 11))
    view = open_view("week")
    grid = view.time_grid
    drag(qtbot, grid, grab_point(grid.task_rect(task.id)), grab_point(grid.slot_rect(local(week[3], 9, 15))))
    qtbot.waitUntil(lambda: stored(sqlite_ctx, task.id).due_at == local(week[3], 9, 15))


def test_a_failed_reschedule_puts_the_block_back_and_says_why(open_view, sqlite_ctx, sqlite_db, clock, qtbot):
    day = today(sqlite_ctx)
    task = tasks.create(sqlite_ctx, title="Prepare the quote", due_at=local(day, 11))
    view = open_view("day")
    grid = view.time_grid
    before = grid.task_rect(task.id)
    # Another computer changes the task; this view still holds the old version.
    other_pc = ServiceContext(sqlite_db, sqlite_ctx.actor, clock)
    tasks.update(other_pc, task.id, expected_version=task.version, title="Prepare the quote (v2)")
    drag(qtbot, grid, grab_point(before), grab_point(grid.slot_rect(local(day, 15))))
    qtbot.waitUntil(lambda: any(box.isVisible() for box in view.ops._boxes))
    box = next(box for box in view.ops._boxes if box.isVisible())
    assert "changed by someone else" in box.text()
    assert box.icon() == QMessageBox.Icon.Warning
    assert grid.task_rect(task.id) == before
    assert stored(sqlite_ctx, task.id).due_at == local(day, 11)


def test_ticking_a_block_completes_the_task_and_it_is_no_longer_shown_open(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    task = tasks.create(sqlite_ctx, title="Follow up on payment", due_at=local(day, 15), duration_minutes=60)
    view = open_view("day")
    grid = view.time_grid
    assert fill_of(grid, task.id) == OPEN_FILL
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.tick_rect(task.id).center())
    qtbot.waitUntil(lambda: stored(sqlite_ctx, task.id).status == "done")
    qtbot.waitUntil(lambda: shown(grid) == {"Follow up on payment": "done"})
    assert fill_of(grid, task.id) == DONE_FILL  # greyed out, title struck through
    assert tasks.list_tasks(sqlite_ctx, TaskFilter(status="open")) == []
    qtbot.mouseClick(
        grid, Qt.MouseButton.LeftButton, pos=grid.tick_rect(task.id).center()
    )  # untick: open again
    qtbot.waitUntil(lambda: stored(sqlite_ctx, task.id).status == "open")


def test_space_completes_the_selected_task_in_the_month(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    task = tasks.create(sqlite_ctx, title="Collect documents", due_at=local(day, 12))
    view = open_view("month")
    grid = view.month_grid
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grab_point(grid.task_rect(task.id)))
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: stored(sqlite_ctx, task.id).status == "done")


def test_overdue_open_tasks_are_red_in_the_grid_and_first_in_the_agenda(open_view, sqlite_ctx, qtbot):
    now = sqlite_ctx.now()
    late = tasks.create(
        sqlite_ctx,
        title="Call back about the offer",
        due_at=snap(now - timedelta(hours=3)),
        duration_minutes=60,
    )
    coming = tasks.create(
        sqlite_ctx,
        title="Confirm the appointment",
        due_at=snap(now + timedelta(hours=2)),
        duration_minutes=60,
    )
    view = open_view("week")
    assert fill_of(view.time_grid, late.id) == OVERDUE_FILL
    assert fill_of(view.time_grid, coming.id) == OPEN_FILL

    view.set_mode("agenda")
    settle(qtbot, view)
    groups = [view.agenda.topLevelItem(i) for i in range(view.agenda.topLevelItemCount())]
    assert groups[0].text(0) == "Overdue"
    assert [groups[0].child(i).text(1) for i in range(groups[0].childCount())] == [
        "Call back about the offer"
    ]
    red = view.agenda.item_of(late.id).foreground(1).color()
    assert red.red() > 2 * red.green()
    assert view.agenda.item_of(coming.id).parent() is not groups[0]


def test_a_task_shows_its_client_and_double_click_edits_it(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    client = clients.create(sqlite_ctx, name="Aziz Karimov")
    task = tasks.create(
        sqlite_ctx, title="Visit the site", due_at=local(day, 11), duration_minutes=90, client_id=client.id
    )
    view = open_view("day")
    grid = view.time_grid
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grab_point(grid.task_rect(task.id)))
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    assert (dialog.client.text(), dialog.client.client_id) == ("Aziz Karimov", client.id)
    assert dialog.title.text() == "Visit the site"
    dialog.title.selectAll()
    qtbot.keyClicks(dialog.title, "Visit the new office")
    qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.dialog is None)
    assert stored(sqlite_ctx, task.id).title == "Visit the new office"
    assert stored(sqlite_ctx, task.id).due_at == local(day, 11)


def test_agenda_checkbox_completes_a_task(open_view, sqlite_ctx, qtbot):
    task = tasks.create(sqlite_ctx, title="Send the invoice", due_at=sqlite_ctx.now() + timedelta(days=2))
    view = open_view("agenda")
    item = view.agenda.item_of(task.id)
    view.agenda.setCurrentItem(item)
    view.agenda.setFocus()
    qtbot.keyClick(view.agenda.viewport(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: stored(sqlite_ctx, task.id).status == "done")
    qtbot.waitUntil(
        lambda: (
            view.agenda.item_of(task.id) is not None
            and view.agenda.item_of(task.id).checkState(0) == Qt.CheckState.Checked
        )
    )


def test_modes_and_paging_show_their_period_and_the_mode_is_remembered(
    open_view, sqlite_ctx, qtbot, settings
):
    day = today(sqlite_ctx)
    next_week = days_of("week", step("week", day, 1))
    later = tasks.create(sqlite_ctx, title="Next week's call", due_at=local(next_week[2], 10))
    view = open_view()
    assert view.mode == "week" and view.time_grid.days == days_of("week", day)
    assert "Next week's call" not in shown(view.time_grid)  # only the visible period is loaded
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view)
    assert view.time_grid.days == next_week
    assert shown(view.time_grid) == {"Next week's call": "open"}
    qtbot.mouseClick(view.today_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view)
    assert view.time_grid.days == days_of("week", day)

    qtbot.mouseClick(view.mode_buttons["month"], Qt.MouseButton.LeftButton)
    settle(qtbot, view)
    assert view.stack.currentWidget() is view.month_grid
    assert view.month_grid.days[0] <= date(day.year, day.month, 1) and len(view.month_grid.days) == 42
    assert str(day.year) in view.title.text()
    assert not view.month_grid.task_rect(later.id).isEmpty() or next_week[2] not in view.month_grid.days

    view.activateWindow()
    qtbot.waitActive(view)
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # the button's mnemonic
    qtbot.waitUntil(lambda: view.mode == "day")  # a mnemonic "animates" the click: it lands a moment later
    settle(qtbot, view)
    assert view.time_grid.days == [day] and view.mode_buttons["day"].isChecked()
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, view)
    assert view.time_grid.days == [day + timedelta(days=1)]

    assert open_view().mode == "day"  # reopened: the chosen mode is back


def test_month_shows_a_few_titles_per_day_and_more_opens_the_day(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    for n in range(12):
        tasks.create(sqlite_ctx, title=f"Call {n}", due_at=local(day, 8, 0) + timedelta(minutes=15 * n))
    view = open_view("month")
    grid = view.month_grid
    visible = len(shown(grid))
    assert 1 <= visible < 12
    more = grid.more_rect(day)
    assert not more.isEmpty()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=more.center())
    settle(qtbot, view)
    assert view.mode == "day" and view.time_grid.days == [day]
    assert len(shown(view.time_grid)) == 12


def test_assignee_filter_shows_only_that_persons_tasks(open_view, sqlite_ctx, qtbot, settings):
    day = today(sqlite_ctx)
    olga = users.create(sqlite_ctx, username="olga", display_name="Olga Petrova")
    tasks.create(sqlite_ctx, title="Owner's task", due_at=local(day, 9))
    tasks.create(sqlite_ctx, title="Olga's task", due_at=local(day, 11), assignee_id=olga.id)
    view = open_view("day")
    qtbot.waitUntil(lambda: view.assignee.count() == 3)
    assert view.assignee.itemText(0) == "Everyone"
    assert shown(view.time_grid) == {"Owner's task": "open", "Olga's task": "open"}
    view.assignee.setCurrentIndex(view.assignee.findText("Olga Petrova"))
    settle(qtbot, view)
    assert shown(view.time_grid) == {"Olga's task": "open"}
    # A task created while Olga is chosen is hers.
    grid = view.time_grid
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.slot_rect(local(day, 15)).center())
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    qtbot.keyClicks(view.dialog.title, "For Olga")
    qtbot.keyClick(view.dialog.title, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "For Olga" in shown(grid))
    assert {t.title: t.assignee_id for t in tasks.list_tasks(sqlite_ctx)}["For Olga"] == olga.id
    assert open_view("day").assignee.currentText() == "Olga Petrova"  # remembered
    users.create(sqlite_ctx, username="aziz", display_name="Aziz Karimov")
    qtbot.waitUntil(lambda: view.assignee.findText("Aziz Karimov") > 0)  # a new colleague joins the filter
    assert view.assignee.currentText() == "Olga Petrova"


def test_overlapping_tasks_stand_side_by_side_and_a_lone_one_takes_the_whole_day(open_view, sqlite_ctx):
    day = today(sqlite_ctx)
    a = tasks.create(sqlite_ctx, title="Meeting", due_at=local(day, 9), duration_minutes=90)
    b = tasks.create(sqlite_ctx, title="Call during it", due_at=local(day, 10), duration_minutes=30)
    alone = tasks.create(sqlite_ctx, title="Afternoon visit", due_at=local(day, 15), duration_minutes=30)
    grid = open_view("day").time_grid
    ra, rb, rc = (grid.task_rect(t.id) for t in (a, b, alone))
    assert not ra.intersects(rb)
    assert ra.height() == 3 * rb.height() + 4  # 90 against 30 minutes (each block keeps a 2 px gap)
    assert rc.width() > ra.width() + rb.width()


def test_a_crowded_hour_of_the_week_shows_what_fits_and_a_link_to_the_day(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    for n in range(12):  # e.g. the follow-up rules created a dozen calls at once
        tasks.create(sqlite_ctx, title=f"Follow up {n}", due_at=local(day, 14))
    view = open_view("week")
    grid = view.time_grid
    blocks = [grid.task_rect(t.id) for t in grid.tasks if not grid.task_rect(t.id).isEmpty()]
    assert 1 <= len(blocks) < 12
    assert min(b.width() for b in blocks) >= grid.MIN_LANE - 4  # each block stays readable
    [(link, link_day, hidden)] = grid.more_links()
    assert (link_day, hidden) == (day, 12 - len(blocks))
    assert not any(link.intersects(b) for b in blocks)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=link.center())
    settle(qtbot, view)
    assert view.mode == "day" and len(shown(view.time_grid)) == 12


def test_arrows_select_tasks_and_enter_opens_the_selected_one(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    tasks.create(sqlite_ctx, title="First", due_at=local(day, 9))
    tasks.create(sqlite_ctx, title="Second", due_at=local(day, 11))
    view = open_view("day")
    grid = view.time_grid
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    assert view.dialog.title.text() == "Second"
    qtbot.keyClick(view.dialog.title, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.dialog is None)


def test_an_edit_that_lost_a_race_asks_which_title_to_keep(open_view, sqlite_ctx, sqlite_db, clock, qtbot):
    task = tasks.create(sqlite_ctx, title="Prepare the quote", due_at=local(today(sqlite_ctx), 11))
    view = open_view("day")
    grid = view.time_grid
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grab_point(grid.task_rect(task.id)))
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    tasks.update(
        ServiceContext(sqlite_db, sqlite_ctx.actor, clock),
        task.id,
        expected_version=task.version,
        title="Changed on another PC",
    )
    dialog.title.selectAll()
    qtbot.keyClicks(dialog.title, "My better title")
    qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.conflict is not None and dialog.conflict.isVisible())
    assert dialog.conflict.stored_buttons["title"].text() == "Changed on another PC"
    assert dialog.isVisible() and dialog.title.text() == "My better title"  # nothing typed is lost
    with qtbot.waitSignal(dialog.saved):
        dialog.conflict.keep_mine.click()
    assert stored(sqlite_ctx, task.id).title == "My better title"


def test_dragging_a_title_to_another_day_of_the_month_keeps_its_time(open_view, sqlite_ctx, qtbot):
    day = today(sqlite_ctx)
    task = tasks.create(sqlite_ctx, title="Send the contract", due_at=local(day, 14, 15))
    view = open_view("month")
    grid = view.month_grid
    target = grid.days[grid.days.index(day) + 8]  # next week, the day after
    drag(qtbot, grid, grab_point(grid.task_rect(task.id)), grid.slot_rect(target).center())
    qtbot.waitUntil(lambda: stored(sqlite_ctx, task.id).due_at == local(target, 14, 15))


def test_a_free_time_offers_a_new_task_there_and_a_task_its_actions(open_window, qtbot):
    window = open_window()
    window.nav.setCurrentRow(2)
    view = window.calendar_view
    view.set_mode("week")
    grid = view.time_grid
    free = QPoint(grid.GUTTER + 5, grid.height() // 2)
    menu = grid.menu_at(free)
    [new_here] = [a for a in menu.actions() if a.text() == "New task here…"]
    new_here.trigger()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    assert view.dialog.windowTitle() == "New task"
    view.dialog.reject()


def test_reminder_choices_read_as_real_words_not_hour_s(open_view, qtbot):
    view = open_view("week")
    view.new_item()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    combo = view.dialog.reminder
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert "1 hour before" in offered and "1 day before" in offered
    assert not any("(s)" in text for text in offered)
    assert view.dialog._reminder_text(120) == "2 hours before"
    view.dialog.reject()


def test_the_hours_open_at_the_working_day_or_at_an_earlier_task_so_none_is_hidden_above(
    open_view, sqlite_ctx, qtbot
):
    day = today(sqlite_ctx)
    view = open_view("week")
    bar = view.scroll.verticalScrollBar()
    assert bar.value() == view.time_grid.y_of(7 * 60 + 30)  # nothing early: the working day, 08:00

    early = tasks.create(sqlite_ctx, title="Open the office for the cleaners", due_at=local(day, 6, 15))
    view.go(1)
    settle(qtbot, view)
    view.go(-1)  # back to this week, where the early task is
    settle(qtbot, view)
    assert 0 < bar.value() <= view.time_grid.task_rect(early.id).top()  # its block is in sight


def _columns_with(image, colour: QColor) -> list[int]:
    """The pixel columns of a rendered canvas where `colour` shows."""
    return [
        x
        for x in range(image.width())
        if any(image.pixelColor(x, y) == colour for y in range(0, image.height(), 4))
    ]


def test_in_a_right_to_left_window_the_week_runs_from_the_right_and_a_slot_there_is_its_first_day(
    open_view, sqlite_ctx, qtbot
):
    view = open_view("week")
    first = view.days()[0]
    task = tasks.create(sqlite_ctx, title="Call Zarina", due_at=local(first, 10))
    view.reload()
    settle(qtbot, view)
    grid = view.time_grid
    fill = fill_of(grid, task.id)  # open or already late: the block's own colour
    left_to_right = _columns_with(grid.grab().toImage(), fill)

    view.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    settle(qtbot, view)
    right_to_left = _columns_with(grid.grab().toImage(), fill)
    assert left_to_right and max(left_to_right) < grid.width() / 3  # the first day is on the left…
    assert min(right_to_left) > grid.width() * 2 / 3  # …and on the right in Arabic
    block = grid.task_rect(task.id)
    assert grid.tick_rect(task.id).right() > block.center().x()  # the tick starts the block, on its right
    assert grid.slot_time(block.center()).date() == first  # a double-click there is on the first day
    assert grid.slot_time(QPoint(grid.width() - 5, 100)) is None  # the hours' gutter is on the right
