"""Settings → Tax rates as a table: one rate a row, added, removed and ordered with its buttons; a row that
is no rate is named next to the table and nothing typed is lost; a changed table asks before it closes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop.services import documents
from crm_desktop.ui.invoices.tax_rates import TaxRatesDialog


@pytest.fixture
def dialog(qtbot, ops, sqlite_ctx) -> TaxRatesDialog:
    presets = documents.tax_presets(sqlite_ctx)
    presets = documents.update_tax_presets(sqlite_ctx, ["12", "7.500", "0"], expected_version=presets.version)
    dialog = TaxRatesDialog(ops, presets)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def typed(qtbot, dialog: TaxRatesDialog, text: str) -> None:
    """Keys typed where the focus is (the first one typed on a row opens its cell), then Enter."""
    table = dialog.rates.table
    for key in text:
        qtbot.keyClicks(QApplication.focusWidget(), key)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)  # the delegate commits queued


def type_row(qtbot, dialog: TaxRatesDialog, row: int, text: str) -> None:
    dialog.rates.table.setFocus()
    dialog.rates.table.setCurrentCell(row, 0)
    typed(qtbot, dialog, text)


def add_row(qtbot, dialog: TaxRatesDialog, text: str) -> None:
    qtbot.mouseClick(dialog.rates.add_button, Qt.MouseButton.LeftButton)
    typed(qtbot, dialog, text)


def stored(sqlite_ctx) -> tuple[Decimal, ...]:
    return documents.tax_presets(sqlite_ctx).rates


def test_rates_are_shown_one_a_row_as_a_person_writes_them(dialog):
    assert dialog.rates.value() == ("12", "7.5", "0")  # not 12.000 or 7.500
    assert dialog.rates.table.currentRow() == 0 and dialog.rates.up_button.isEnabled() is False


@pytest.mark.parametrize(
    ("typed_text", "said"),
    [
        ("abc", "must be a number"),
        ("-5", "cannot be negative"),
        ("150", "cannot be more than 100"),
        ("12", "12 % is already in row 1"),
        ("7,5", "7.5 % is already in row 2"),
    ],
)
def test_a_row_that_is_no_rate_is_named_next_to_the_table_and_kept(
    qtbot, dialog, sqlite_ctx, typed_text, said
):
    before = stored(sqlite_ctx)
    add_row(qtbot, dialog, typed_text)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    error = dialog.errors["tax_presets"]
    assert error.isVisible() and error.text().startswith("Row 4: ") and said in error.text()
    assert dialog.rates.value() == ("12", "7.5", "0", typed_text)  # what was typed stays
    assert dialog.rates.table.currentRow() == 3 and dialog.rates.table.hasFocus()  # taken to the row
    assert dialog.isVisible() and not dialog.ops.busy and stored(sqlite_ctx) == before
    type_row(qtbot, dialog, 3, "5")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert stored(sqlite_ctx) == (Decimal(12), Decimal("7.5"), Decimal(0), Decimal(5))


def test_rows_are_ordered_removed_and_an_empty_row_is_left_out(qtbot, dialog, sqlite_ctx):
    rates = dialog.rates
    rates.table.setCurrentCell(2, 0)  # 0
    assert not rates.down_button.isEnabled()
    qtbot.mouseClick(rates.up_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(rates.up_button, Qt.MouseButton.LeftButton)
    assert rates.value() == ("0", "12", "7.5") and rates.table.currentRow() == 0
    assert not rates.up_button.isEnabled()
    qtbot.mouseClick(rates.down_button, Qt.MouseButton.LeftButton)
    assert rates.value() == ("12", "0", "7.5")
    rates.table.setCurrentCell(2, 0)
    qtbot.mouseClick(rates.remove_button, Qt.MouseButton.LeftButton)
    assert rates.value() == ("12", "0") and rates.table.currentRow() == 1
    qtbot.mouseClick(rates.add_button, Qt.MouseButton.LeftButton)  # added, then nothing typed in it
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert rates.value() == ("12", "0", "")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(rates.table, Qt.Key.Key_Return)  # Enter saves
    assert stored(sqlite_ctx) == (Decimal(12), Decimal(0))


def test_enter_on_the_remove_button_saves_and_never_removes(qtbot, dialog, sqlite_ctx):
    rates = dialog.rates
    assert not rates.remove_button.isDefault() and not rates.remove_button.autoDefault()
    rates.table.setCurrentCell(0, 0)
    rates.remove_button.setFocus()
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(rates.remove_button, Qt.Key.Key_Return)
    assert rates.value() == ("12", "7.5", "0")
    assert stored(sqlite_ctx) == (Decimal(12), Decimal("7.5"), Decimal(0))


def test_a_rate_still_being_typed_is_saved_with_the_others(qtbot, dialog, sqlite_ctx):
    qtbot.mouseClick(dialog.rates.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(QApplication.focusWidget(), "20")  # no Enter: Save is clicked at once
    assert dialog.rates.table.state() == dialog.rates.table.State.EditingState
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert stored(sqlite_ctx) == (Decimal(12), Decimal("7.5"), Decimal(0), Decimal(20))


def test_closing_a_changed_table_asks_first(qtbot, dialog, sqlite_ctx):
    type_row(qtbot, dialog, 1, "10")
    qtbot.keyClick(dialog.rates.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.close_question is not None and dialog.close_question.isVisible())
    box = dialog.close_question
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)  # Keep editing
    assert dialog.isVisible() and dialog.rates.value() == ("12", "10", "0")
    dialog.rates.table.setCurrentCell(1, 0)
    qtbot.mouseClick(dialog.rates.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.rates.add_button, Qt.MouseButton.LeftButton)
    typed(qtbot, dialog, "7.5")
    qtbot.mouseClick(dialog.rates.up_button, Qt.MouseButton.LeftButton)
    assert dialog.rates.value() == ("12", "7.5", "0") and not dialog.has_changes()  # back as it was
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog.rates.table, Qt.Key.Key_Escape)
    assert stored(sqlite_ctx) == (Decimal(12), Decimal("7.5"), Decimal(0))
