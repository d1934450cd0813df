"""The client picker: hits as you type (name, phone digits), a pick sets the client, typing over unpicks."""

from __future__ import annotations

from PySide6.QtCore import Qt

from crm_desktop.services import clients
from crm_desktop.ui.client_picker import ID_ROLE, ClientPicker


def hits(picker) -> list[str]:
    return [picker.choices.item(i).text() for i in range(picker.choices.rowCount())]


def test_phone_digits_find_the_client_and_picking_sets_it(ops, qtbot, sqlite_ctx):
    aziz = clients.create(sqlite_ctx, name="Aziz Karimov", phones=["+998 91 765 44 33"]).id
    clients.create(sqlite_ctx, name="Zarina Rahimova", phones=["+998 90 123 45 67"])
    picker = ClientPicker(ops)
    qtbot.addWidget(picker)
    picker.show()
    picker.setFocus()
    qtbot.keyClicks(picker, "7654433")
    qtbot.waitUntil(lambda: hits(picker) == ["Aziz Karimov  ·  +998 91 765 44 33"])
    assert picker.client_id is None  # typed text is no choice yet
    popup = picker.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    with qtbot.waitSignal(picker.chosen) as chosen:
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert chosen.args == [aziz, "Aziz Karimov"]
    assert (picker.client_id, picker.text()) == (aziz, "Aziz Karimov")

    with qtbot.waitSignal(picker.cleared):
        qtbot.keyClick(picker, Qt.Key.Key_Backspace)
    assert picker.client_id is None


def test_companies_only_lists_no_people(ops, qtbot, sqlite_ctx):
    clients.create(sqlite_ctx, name="Ipak Yoʻli Logistika", kind="company")
    clients.create(sqlite_ctx, name="Ipakjon Tursunov")
    picker = ClientPicker(ops, companies_only=True)
    qtbot.addWidget(picker)
    picker.setText("ipak")
    picker.search_now()
    qtbot.waitUntil(lambda: picker.choices.rowCount() > 0)
    qtbot.waitUntil(lambda: not ops.busy)
    assert hits(picker) == ["Ipak Yoʻli Logistika"]
    assert picker.choices.item(0).data(ID_ROLE) is not None
