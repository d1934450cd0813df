"""File → Import…: the file read as found, the columns guessed and saved by name, every row checked before
anything is written (a wrong cell red and correctable, duplicates shown, ambiguous dates asked), then one
import and its summary beside the file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from crm_desktop.services import clients
from crm_desktop.services.importing import MERGE, NEW, SKIP
from crm_desktop.ui.import_wizard import PROBLEM_BACKGROUND, ImportWizard

DATA = Path(__file__).resolve().parents[1] / "data"


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    target.write_bytes((DATA / name).read_bytes())
    return target


def _wizard(qtbot, window, path: Path) -> ImportWizard:
    wizard = window.open_import(path)
    assert isinstance(wizard, ImportWizard)
    qtbot.waitUntil(lambda: wizard.sheet is not None and wizard.next_button.isEnabled(), timeout=10_000)
    return wizard


def _to_check(qtbot, wizard: ImportWizard) -> None:
    wizard.next()  # to the columns
    wizard.next()  # to the check
    qtbot.waitUntil(lambda: wizard.steps.currentIndex() == 2, timeout=10_000)


def _field_of(wizard: ImportWizard, header: str) -> str | None:
    row = wizard.sheet.headers.index(header)
    return wizard.columns_table.cellWidget(row, 2).currentData()


def test_a_file_is_checked_corrected_and_imported_with_its_summary_beside_it(
    qtbot, open_window, sqlite_ctx, tmp_path
):
    window = open_window()
    path = _copy(tmp_path, "clients_excel_bom.csv")
    wizard = _wizard(qtbot, window, path)
    assert wizard.encoding_combo.currentData() == "utf-8-sig" and wizard.delimiter_combo.currentData() == ","
    assert "9 rows" in wizard.found_label.text()
    wizard.country_combo.setCurrentIndex(wizard.country_combo.findData("UZ"))
    wizard.next()
    assert [_field_of(wizard, h) for h in ("Name", "Phone", "E-mail")] == ["name", "phones", "emails"]
    wizard.next()
    qtbot.waitUntil(lambda: wizard.steps.currentIndex() == 2, timeout=10_000)

    model = wizard.model
    bad = next(
        r for r in range(model.rowCount()) if model.row_at(model.index(r, 0)).values.get("name") == "No Phone"
    )
    phone = model.index(bad, 2 + model.columns.index(wizard.sheet.headers.index("Phone")))
    assert model.data(phone, Qt.ItemDataRole.BackgroundRole) == PROBLEM_BACKGROUND
    assert "is not a phone number" in model.data(phone, Qt.ItemDataRole.ToolTipRole)
    model.setData(phone, "93 111 22 33")
    email = model.index(bad, 2 + model.columns.index(wizard.sheet.headers.index("E-mail")))
    model.setData(email, "nophone@example.com")
    assert model.row_at(phone).action == NEW and model.data(phone, Qt.ItemDataRole.BackgroundRole) is None

    wizard.show_combo.setCurrentIndex(wizard.show_combo.findData("duplicates"))
    assert all(model.row_at(model.index(r, 0)).duplicate is not None for r in range(model.rowCount()))
    assert "same phone" in model.data(model.index(0, 1))
    assert "7 to import as new, 2 to merge, 0 to skip." in wizard.counts_label.text()

    wizard.next()  # Import
    qtbot.waitUntil(lambda: wizard.steps.currentIndex() == 3, timeout=10_000)
    assert "7 imported, 2 merged" in wizard.done_label.text()
    assert wizard.summary_path is not None and wizard.summary_path.parent == tmp_path
    assert clients.count(sqlite_ctx) == 7


def test_rows_chosen_to_be_skipped_are_not_imported(qtbot, open_window, sqlite_ctx, tmp_path):
    window = open_window()
    wizard = _wizard(qtbot, window, _copy(tmp_path, "clients_utf16.txt"))
    _to_check(qtbot, wizard)
    wizard.table.selectRow(0)
    wizard.choose_for_selected(SKIP)
    wizard.choose_for_selected(MERGE)  # not a client that is there: refused in words, the row stays skipped
    assert "cannot be imported that way" in wizard.error.text()
    assert "1 to import as new, 0 to merge, 1 to skip." in wizard.counts_label.text()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.steps.currentIndex() == 3, timeout=10_000)
    assert clients.count(sqlite_ctx) == 1


def test_dates_that_could_be_either_way_are_asked_before_import(qtbot, open_window, sqlite_ctx, tmp_path):
    window = open_window()
    wizard = _wizard(qtbot, window, _copy(tmp_path, "tasks_ambiguous_dates.csv"))
    wizard.kind_combo.setCurrentIndex(wizard.kind_combo.findData("tasks"))
    _to_check(qtbot, wizard)
    assert not wizard.next_button.isEnabled()  # nothing is imported while the order is not chosen
    [combo] = wizard.order_combos.values()
    combo.setCurrentIndex(combo.findData("dmy"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: not wizard.preview.questions, timeout=10_000)
    assert wizard.next_button.isEnabled()
    assert wizard.preview.rows[0].values["due_at"].month == 4  # 03/04: the 3rd of April


def test_a_mapping_saved_by_name_is_offered_for_the_next_file(qtbot, open_window, tmp_path, monkeypatch):
    window = open_window()
    path = tmp_path / "odd.csv"
    path.write_text("Who,Where\nAziz Karimov,Toshkent\n", encoding="utf-8")
    wizard = _wizard(qtbot, window, path)
    wizard.next()
    assert _field_of(wizard, "Who") is None  # not a header the guess knows
    for row, key in ((0, "name"), (1, "address")):
        combo = wizard.columns_table.cellWidget(row, 2)
        combo.setCurrentIndex(combo.findData(key))
    monkeypatch.setattr(
        "crm_desktop.ui.import_wizard.QInputDialog.getText", lambda *a, **k: ("Old CRM", True)
    )
    wizard.save_mapping()
    wizard.close()

    again = _wizard(qtbot, window, path)
    again.next()
    again.saved_combo.setCurrentIndex(again.saved_combo.findData("Old CRM"))
    again.saved_combo.activated.emit(again.saved_combo.currentIndex())
    assert [_field_of(again, h) for h in ("Who", "Where")] == ["name", "address"]


def test_a_file_that_cannot_be_read_says_so_in_the_wizard(qtbot, open_window, tmp_path):
    window = open_window()
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    wizard = window.open_import(path)
    qtbot.waitUntil(lambda: "holds no table" in wizard.error.text(), timeout=10_000)
    assert not wizard.next_button.isEnabled()


def test_a_big_files_first_rows_show_before_the_rest_is_checked(qtbot, open_window, tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
    import client_files

    path = client_files.write_csv(tmp_path / "clients.csv", 1500)
    window = open_window()
    wizard = _wizard(qtbot, window, path)
    seen: list[tuple[bool, int, bool]] = []
    checked = wizard._checked
    wizard._checked = lambda preview, orders: (  # what the check step showed, each time
        checked(preview, orders),
        seen.append((preview.complete, wizard.model.rowCount(), wizard.next_button.isEnabled())),
    )
    _to_check(qtbot, wizard)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=20_000)
    assert seen == [(False, 200, False), (True, 1500, True)]
    assert wizard.preview.counts()[NEW] == 1500
