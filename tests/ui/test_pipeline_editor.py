"""The pipeline editor: stages added, renamed, re-weighted, given a time limit, reordered and deleted,
each stored at once; what the services refuse is said in the dialog and changes nothing.

Spans ui/deals/pipelines.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from crm_desktop.services import clients, deals, pipelines
from crm_desktop.ui.confirm import yes_button
from crm_desktop.ui.deals.pipelines import NAME, PROBABILITY, TIME_LIMIT, PipelineEditor


@pytest.fixture
def editor(ops, qtbot):
    dialog = PipelineEditor(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.stages.rowCount() > 0)
    return dialog


def stored(ctx, name: str = "Sales") -> list[tuple[str, int]]:
    pipeline = next(p for p in pipelines.list_pipelines(ctx) if p.name == name)
    return [(st.name, st.probability) for st in pipeline.stages]


def shown(editor) -> list[str]:
    return [editor.stages.item(row, NAME).text() for row in range(editor.stages.rowCount())]


def settle(editor, qtbot) -> None:
    qtbot.waitUntil(lambda: not editor.ops.busy)


def select(editor, name: str) -> None:
    editor.stages.setCurrentCell(shown(editor).index(name), NAME)


def test_a_new_stage_goes_before_won_and_is_named_in_place(editor, qtbot, sqlite_ctx):
    qtbot.mouseClick(editor.add_stage_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "New stage" in shown(editor))
    settle(editor, qtbot)
    assert shown(editor) == ["New", "Qualified", "Proposal", "Negotiation", "New stage", "Won", "Lost"]
    assert editor.stages.currentRow() == 4  # selected, its name open for typing
    editor.stages.item(4, NAME).setText("Contract sent")
    qtbot.waitUntil(lambda: ("Contract sent", 50) in stored(sqlite_ctx))
    assert stored(sqlite_ctx)[4:] == [("Contract sent", 50), ("Won", 100), ("Lost", 0)]


def test_probability_and_order_are_saved_at_once(editor, qtbot, sqlite_ctx):
    spin = editor.stages.cellWidget(shown(editor).index("Proposal"), PROBABILITY)
    spin.setValue(60)
    qtbot.waitUntil(lambda: ("Proposal", 60) in stored(sqlite_ctx))
    settle(editor, qtbot)
    select(editor, "Negotiation")
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [n for n, _ in stored(sqlite_ctx)][2] == "Negotiation")
    settle(editor, qtbot)
    assert shown(editor)[1:4] == ["Qualified", "Negotiation", "Proposal"]
    assert editor.stages.currentRow() == 2  # the moved stage stays selected, ready to move again


def limits(ctx) -> dict[str, int | None]:
    return {st.name: st.time_limit_days for st in pipelines.list_pipelines(ctx)[0].stages}


def test_a_time_limit_is_saved_at_once_and_no_limit_is_the_lowest_step(editor, qtbot, sqlite_ctx):
    assert set(limits(sqlite_ctx).values()) == {None}
    row = shown(editor).index("Proposal")
    spin = editor.stages.cellWidget(row, TIME_LIMIT)
    assert spin.text() == "No limit" and spin.minimum() == 0
    spin.setValue(14)
    qtbot.waitUntil(lambda: limits(sqlite_ctx)["Proposal"] == 14)
    settle(editor, qtbot)
    spin = editor.stages.cellWidget(row, TIME_LIMIT)  # the table was drawn again from what is stored
    assert spin.value() == 14 and spin.text() == "14 days"
    spin.setValue(0)
    qtbot.waitUntil(lambda: limits(sqlite_ctx)["Proposal"] is None)
    settle(editor, qtbot)
    assert editor.stages.cellWidget(row, TIME_LIMIT).text() == "No limit"
    won, lost = shown(editor).index("Won"), shown(editor).index("Lost")
    assert editor.stages.cellWidget(won, TIME_LIMIT) is None is editor.stages.cellWidget(lost, TIME_LIMIT)
    # none of the table's texts is cut: each spin box column is as wide as its widest text
    for column in (PROBABILITY, TIME_LIMIT):
        box = editor.stages.cellWidget(row, column)
        assert editor.stages.columnWidth(column) >= box.sizeHint().width()


def test_an_empty_name_is_refused_and_the_stored_one_comes_back(editor, qtbot, sqlite_ctx):
    row = shown(editor).index("Qualified")
    editor.stages.item(row, NAME).setText("   ")
    qtbot.waitUntil(lambda: editor.problem.isVisible())
    assert "stage name" in editor.problem.text().lower()
    qtbot.waitUntil(lambda: shown(editor)[row] == "Qualified")
    assert ("Qualified", 25) in stored(sqlite_ctx)


def test_a_stage_with_deals_cannot_be_deleted_an_empty_one_can(editor, qtbot, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Aziz Karimov")
    deals.create(sqlite_ctx, client_id=client.id, title="Office cleaning")  # lands in "New"
    select(editor, "New")
    qtbot.mouseClick(editor.delete_stage_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(yes_button(editor.confirm), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.problem.isVisible())
    assert "still has 1 deal" in editor.problem.text()
    settle(editor, qtbot)
    select(editor, "Qualified")
    qtbot.mouseClick(editor.delete_stage_button, Qt.MouseButton.LeftButton)
    assert "Delete the stage 'Qualified'?" in editor.confirm.text()
    qtbot.mouseClick(yes_button(editor.confirm), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Qualified" not in shown(editor))
    assert not editor.problem.isVisible()
    assert [n for n, _ in stored(sqlite_ctx)] == ["New", "Proposal", "Negotiation", "Won", "Lost"]


def test_pipelines_are_created_renamed_and_need_a_unique_name(editor, qtbot, sqlite_ctx):
    editor.name_edit.setText("Repairs")
    qtbot.mouseClick(editor.new_pipeline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.pipeline_combo.currentText() == "Repairs")
    assert shown(editor) == ["New", "Qualified", "Proposal", "Won", "Lost"]
    editor.name_edit.setText("Repairs and service")
    qtbot.mouseClick(editor.rename_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.pipeline_combo.currentText() == "Repairs and service")
    editor.name_edit.setText("sales")
    qtbot.mouseClick(editor.rename_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.problem.isVisible())
    assert "already a pipeline called 'sales'" in editor.problem.text()
    assert sorted(p.name for p in pipelines.list_pipelines(sqlite_ctx)) == ["Repairs and service", "Sales"]


def test_enter_deletes_nothing_it_renames_and_a_delete_asks_with_cancel_the_default(
    editor, qtbot, sqlite_ctx
):
    editor.activateWindow()
    editor.name_edit.setFocus()
    editor.name_edit.setText("Sales and service")
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [p.name for p in pipelines.list_pipelines(sqlite_ctx)] == ["Sales and service"])
    settle(editor, qtbot)
    assert not any(b.isDefault() or b.autoDefault() for b in editor.findChildren(QPushButton))
    qtbot.mouseClick(editor.delete_pipeline_button, Qt.MouseButton.LeftButton)
    assert "and its 6 stages" in editor.confirm.text()
    qtbot.keyClick(editor.confirm, Qt.Key.Key_Return)  # the default: Cancel
    settle(editor, qtbot)
    assert (
        len(pipelines.list_pipelines(sqlite_ctx)) == 1 and len(stored(sqlite_ctx, "Sales and service")) == 6
    )
