"""Settings → Backups…: the folder, Back up now with its proven restore shown, a restore from a chosen
backup that the window shows at once, and the day's backup made in the background."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from crm_desktop.services import clients
from crm_desktop.ui.backups_dialog import DAILY_KEY, FOLDER_KEY, AutoBackup, BackupsDialog


def test_back_up_now_shows_the_backup_and_its_drill(qtbot, open_window, sqlite_ctx, tmp_path):
    window = open_window()
    window.app_settings.set(FOLDER_KEY, str(tmp_path / "usb"))
    dialog = window.manage_backups()
    assert isinstance(dialog, BackupsDialog)
    qtbot.waitUntil(lambda: dialog.last_label.text() == "None yet in this folder.", timeout=10_000)
    assert str(tmp_path / "usb") in dialog.folder_label.text()
    dialog.back_up_now()
    qtbot.waitUntil(lambda: "crm-auto-" in dialog.last_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "held what it should" in dialog.proven_label.text(), timeout=10_000)


def test_a_restore_asks_then_the_window_shows_the_restored_clients(
    qtbot, open_window, sqlite_ctx, tmp_path, monkeypatch
):
    from crm_desktop.services import backups

    clients.create(sqlite_ctx, name="Aziz Karimov")
    made = backups.back_up(sqlite_ctx, tmp_path / "usb").made
    window = open_window()
    window.show_page("clients")
    window.ops.write(clients.create, name="Added after the backup")
    qtbot.waitUntil(lambda: window.clients_view.model.total == 2, timeout=10_000)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    dialog = window.manage_backups()
    dialog.restore(made.path)
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox) is not None, timeout=10_000)
    box = dialog.findChild(QMessageBox)
    assert "Replace the whole database" in box.text()
    next(b for b in box.buttons() if b.text() == "&Restore").click()
    qtbot.waitUntil(lambda: shown != [], timeout=10_000)
    assert "kept at" in shown[0]
    qtbot.waitUntil(lambda: window.clients_view.model.total == 1, timeout=10_000)


def test_the_days_backup_is_made_in_the_background_once(qtbot, open_window, tmp_path):
    window = open_window()
    window.app_settings.set(FOLDER_KEY, str(tmp_path / "daily"))
    window.app_settings.set(DAILY_KEY, True)
    auto = AutoBackup(window.ops, window.app_settings, window)
    auto.check()
    qtbot.waitUntil(lambda: auto.running, timeout=10_000)
    qtbot.waitUntil(lambda: not auto.running, timeout=10_000)
    assert len(list((tmp_path / "daily").glob("crm-auto-*.sqlite3"))) == 1
    auto.check()  # already made today
    assert window.ops.wait_idle()
    QApplication.processEvents()  # the answer of the check is delivered
    assert not auto.running and len(list((tmp_path / "daily").glob("crm-auto-*.sqlite3"))) == 1
