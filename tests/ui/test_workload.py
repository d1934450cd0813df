"""The workload view: a visit of a client's service contract dragged from an overloaded technician to a
free one recolours both days and undo puts it back; an overload is asked about, a day away refused; a
person's hours, skills and time off are edited from their row; the grid exports as a PDF. Spans
ui/workload/view.py, grid.py, cell_panel.py, person_dialog.py and sheet.py."""

from __future__ import annotations

from datetime import datetime, time

import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop.services import capacity, clients, tasks, users, visits, workload
from crm_desktop.ui.confirm import yes_button
from crm_desktop.ui.workload.sheet import write_sheet


def _technicians(ctx):
    rashad = users.create(ctx, username="rashad", display_name="Rashad")
    aziz = users.create(ctx, username="aziz", display_name="Aziz")
    day = workload.load(ctx).days[0]
    tasks.create(
        ctx,
        title="Boiler visit",
        assignee_id=rashad.id,
        due_at=datetime.combine(day, time(9), ctx.zone()),
        duration_minutes=300,
    )
    bakery = clients.create(ctx, name="Bakery Weber")  # and a visit of its service contract
    contract = visits.SeriesValues("Filter visit", "FREQ=DAILY", day, at_time="14:00", duration_minutes=300,
                                   assignee_id=rashad.id, count=1)  # fmt: skip
    visits.create(ctx, bakery.id, contract)
    return rashad.id, aziz.id, day


def _row(view, user_id) -> int:
    return next(n for n, r in enumerate(view.model.rows) if r.user_id == user_id and r.kind == "person")


def _state(view, user_id, column: int = 0) -> str:
    return view.model.rows[_row(view, user_id)].cells[column].state


def _open(open_window, qtbot):
    window = open_window()
    window.show_page("workload")
    view = window.workload_view
    qtbot.waitUntil(lambda: view.ready)
    return window, view


def _choose(qtbot, view, user_id, column: int = 0) -> None:
    rect = view.grid.cell_rect(_row(view, user_id), column)
    qtbot.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: view.panel.model.rowCount() > 0)


def _drag(view, title: str, user_id, column: int = 0) -> None:
    """What Qt does when the panel's item is dropped on that person's day of the grid."""
    items = view.panel.model
    row = next(n for n, i in enumerate(items.items) if i.title == title)
    mime = items.mimeData([items.index(row)])
    at = view.grid.cell_rect(_row(view, user_id), column).center()
    viewport = view.grid.viewport()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, Qt.DropAction.MoveAction, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDragMoveEvent(at, Qt.DropAction.MoveAction, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(at), Qt.DropAction.MoveAction, mime, buttons, mods))


def test_a_visit_dragged_to_a_free_technician_recolours_both_and_undo_puts_it_back(
    open_window, qtbot, sqlite_ctx
):
    rashad, aziz, _day = _technicians(sqlite_ctx)
    _window, view = _open(open_window, qtbot)
    assert (_state(view, rashad), _state(view, aziz)) == ("over", "free")
    assert view.model.index(_row(view, rashad), 0).data() == "10 / 9"
    _choose(qtbot, view, rashad)
    assert [i.title for i in view.panel.model.items] == ["Boiler visit", "Filter visit"]

    _drag(view, "Filter visit", aziz)
    qtbot.waitUntil(lambda: view.ready and _state(view, rashad) == "free")
    assert view.model.index(_row(view, aziz), 0).data() == "5 / 9"
    assert tasks.list_tasks(sqlite_ctx, tasks.TaskFilter(assignee_id=aziz))[0].title == "Filter visit"
    assert view.undo_button.isVisible()

    view.undo_button.click()
    qtbot.waitUntil(lambda: view.ready and _state(view, rashad) == "over")
    assert _state(view, aziz) == "free" and not view.undo_button.isVisible()


def test_an_overload_is_asked_about_and_a_day_away_refused(open_window, qtbot, sqlite_ctx):
    rashad, aziz, day = _technicians(sqlite_ctx)
    capacity.add_absence(sqlite_ctx, aziz, "sick", day, day)
    _window, view = _open(open_window, qtbot)
    assert view.model.index(_row(view, aziz), 0).data() == "Sick leave"
    _choose(qtbot, view, rashad)
    _drag(view, "Filter visit", aziz)
    qtbot.waitUntil(lambda: isinstance(view.dialog, QMessageBox) and view.dialog.isVisible())
    assert "Aziz is away on" in view.dialog.text()
    view.dialog.close()

    capacity.set_week(sqlite_ctx, rashad, [4, 4, 4, 4, 4, 0, 0])  # his own 4-hour days, from now on
    qtbot.waitUntil(lambda: view.ready and view.model.index(_row(view, rashad), 1).data() == "0 / 4")
    _choose(qtbot, view, rashad)
    _drag(view, "Filter visit", rashad, column=1)  # 5 h on a 4-hour day
    qtbot.waitUntil(lambda: isinstance(view.dialog, QMessageBox) and view.dialog.isVisible())
    assert "would have 5 h planned" in view.dialog.text() and "with 4 h to work" in view.dialog.text()
    yes_button(view.dialog).click()
    qtbot.waitUntil(lambda: view.ready and _state(view, rashad, 1) == "over")


def test_a_persons_hours_skills_and_time_off_are_edited_from_their_row(open_window, qtbot, sqlite_ctx):
    rashad, _aziz, day = _technicians(sqlite_ctx)
    _window, view = _open(open_window, qtbot)
    dialog = view.edit_person(rashad)
    qtbot.waitUntil(lambda: dialog.office.isChecked() and dialog.spins[0].value() == 9)
    dialog.office.setChecked(False)
    dialog.spins[0].setValue(6)
    dialog.skills.setText("Electrician, plumber")
    dialog.starts.set_date(day)
    dialog.ends.set_date(day)
    dialog.kind.setCurrentIndex(dialog.kind.findData("training"))
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.off_list.count() == 1 and "Training" in dialog.off_list.item(0).text())
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))  # saved, closed and gone
    assert capacity.weeks(sqlite_ctx)[rashad][0] == 6
    assert capacity.skills(sqlite_ctx)[rashad] == ["Electrician", "plumber"]
    # away that day, with his two visits still planned on it: to be moved
    qtbot.waitUntil(lambda: view.ready and view.model.index(_row(view, rashad), 0).data() == "Training · 10")


def test_the_grid_exports_as_a_pdf_with_its_people_and_days(open_window, qtbot, sqlite_ctx, tmp_path):
    from pypdf import PdfReader

    rashad, _aziz, _day = _technicians(sqlite_ctx)
    _window, view = _open(open_window, qtbot)
    path = tmp_path / "workload.pdf"
    write_sheet(path, view.seen, view.model.rows)
    text = " ".join(PdfReader(path).pages[0].extract_text().split())  # (Qt writes each word on its own)
    assert "Rashad" in text and "Aziz" in text and "10 / 9" in text and "Nobody" in text
