"""One PC with a password: set in Settings, asked for at the next start, wrong answers said plainly.

Spans ui/local_password_dialogs.py, services/local_password.py and app.py."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from crm_desktop.config import Settings
from crm_desktop.services import local_password
from crm_desktop.ui.local_password_dialogs import LoginDialog


def test_a_password_set_in_settings_is_asked_for_at_the_next_start(qtbot, open_window, sqlite_ctx, tmp_path):
    from crm_desktop.app import sign_in

    window = open_window()
    window.change_local_password()
    qtbot.waitUntil(
        lambda: (
            getattr(window, "local_password_dialog", None) is not None
            and window.local_password_dialog.isVisible()
        )
    )
    dialog = window.local_password_dialog
    assert "current" not in dialog.fields  # none set yet
    assert any("not encrypted" in label.text() for label in dialog.findChildren(type(dialog.problem)))
    dialog.new.setText("Toshkent-2026")
    dialog.again.setText("Toshkent-2062")
    dialog.save()
    assert dialog.errors["password_again"].isVisible() and not local_password.is_set(sqlite_ctx.db)
    dialog.again.setText("Toshkent-2026")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert "asks for the password" in window.statusBar().currentMessage()

    url = sqlite_ctx.db.engine.url.render_as_string()
    answers = []

    class Unlock(LoginDialog):
        def exec(self):
            self.show()
            for typed in ("toshkent-2026", "Toshkent-2026"):
                self.password.setText(typed)
                self.try_password()
                answers.append(self.error.text() if self.error.isVisible() else "")
            return self.result()

    opened, actor = sign_in(url, Settings(tmp_path / "s.json"), unlock=Unlock)
    try:
        assert answers[0].startswith("That is not the password") and actor.is_admin
    finally:
        opened.db.dispose()

    class Cancel(LoginDialog):
        def exec(self):
            return QDialog.DialogCode.Rejected

    assert sign_in(url, Settings(tmp_path / "s.json"), unlock=Cancel) is None
