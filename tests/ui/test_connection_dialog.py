"""Connecting to the office server: the dialog says in words what is wrong, signing in loops through
it until the server accepts (never falling back to a local file), and a probe tells apart an empty,
older, newer or current schema and who the login is."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog
from sqlalchemy import text
from sqlalchemy.engine import make_url

from crm_desktop.config import Settings
from crm_desktop.db.engine import Database
from crm_desktop.services import users
from crm_desktop.services.logins import probe
from crm_desktop.ui.connection_dialog import ConnectionDialog


def shown(qtbot, url=None, message="") -> ConnectionDialog:
    dialog = ConnectionDialog(url, message=message)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def outcome_of_test(qtbot, dialog: ConnectionDialog) -> str:
    dialog.test()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15_000)
    return dialog.outcome.text()


def test_missing_fields_are_named_before_anything_is_tried(qtbot):
    dialog = shown(qtbot)
    dialog.database.clear()
    assert outcome_of_test(qtbot, dialog) == "Enter the server, the database, the user name."


def test_an_unreachable_server_and_a_missing_database_are_explained(qtbot, unused_port, postgres_url):
    dialog = shown(qtbot, f"postgresql://anna@127.0.0.1:{unused_port}/crm")
    assert (dialog.host.text(), dialog.port.value(), dialog.user.text()) == ("127.0.0.1", unused_port, "anna")
    assert "Cannot reach the database server" in outcome_of_test(qtbot, dialog)
    server = make_url(postgres_url)
    dialog.port.setValue(server.port or 5432)
    dialog.user.setText(server.username)
    dialog.database.setText("no_such_office_db")
    assert "does not exist on the server" in outcome_of_test(qtbot, dialog)
    assert dialog.url is None and dialog.isVisible()


def test_an_empty_database_is_set_up_only_when_the_user_agrees(qtbot, postgres_url):
    server = make_url(postgres_url)
    dialog = shown(qtbot, f"postgresql://{server.username}@{server.host}:{server.port or 5432}/postgres")
    dialog.connect_now()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15_000)
    assert dialog.upgrade.isVisible() and "Tick the box" in dialog.outcome.text()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.url is None


def test_sign_in_asks_again_with_the_reason_until_the_server_accepts(
    qtbot, postgres_url, unused_port, tmp_path
):
    from crm_desktop.app import sign_in

    asked = []

    class Answer:
        def __init__(self, url, *, message):
            asked.append((url, message))
            self.url, self.password = postgres_url, None

        def exec(self):
            return QDialog.DialogCode.Accepted

    settings = Settings(tmp_path / "settings.json")
    opened, actor = sign_in(f"postgresql://anna@127.0.0.1:{unused_port}/crm", settings, ask=Answer)
    try:
        assert len(asked) == 1 and "Cannot reach the database server" in asked[0][1]
        assert (
            actor.is_admin and settings.get("database_url") == postgres_url
        )  # remembered for the next start
    finally:
        opened.db.dispose()

    class GiveUp(Answer):
        def exec(self):
            return QDialog.DialogCode.Rejected

    assert sign_in(f"postgresql://anna@127.0.0.1:{unused_port}/crm", settings, ask=GiveUp) is None


def test_the_probe_tells_schemas_and_logins_apart(pg_ctx, server_login):
    url = pg_ctx.db.engine.url.render_as_string(hide_password=False)
    assert probe(url, None).message == "Connected as the database's owner (administrator)."
    row, as_staff = server_login("anna")
    staff_url = as_staff.db.engine.url.render_as_string(hide_password=False)
    assert probe(staff_url, None).message == f"Connected as {row.username} (Staff)."
    with pg_ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004_credit_notes'"))
    older_as_owner, older_as_staff = probe(url, None), probe(staff_url, None)
    assert older_as_owner.ok and older_as_owner.needs_upgrade
    assert not older_as_staff.ok and "Ask your administrator" in older_as_staff.message
    with pg_ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    assert "newer CRM Desktop" in probe(url, None).message
    with pg_ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0005_shared_mode'"))
    users.disable(pg_ctx, row.id)
    assert "disabled" in probe(staff_url, None).message


@pytest.mark.parametrize(
    "server_says, words",
    [
        ('FATAL:  password authentication failed for user "anna"', "refused the password"),
        ('FATAL:  role "anna" is not permitted to log in', "disabled on the server"),
    ],
)
def test_server_refusals_in_words(server_says, words):
    from crm_desktop.db.migrate import explain_open_error

    db = Database.open("postgresql://anna@office-server/crm")
    try:
        assert words in explain_open_error(Exception(server_says), db).render()
    finally:
        db.dispose()


def test_settings_remember_the_chosen_server_or_the_file_on_this_pc(qtbot, open_window, paths, monkeypatch):
    window = open_window()
    started = []
    monkeypatch.setattr(
        "crm_desktop.ui.main_window.QProcess.startDetached", lambda *args: started.append(args)
    )
    dialog = window.choose_connection()
    assert dialog.host.text() == "" and dialog.local_button.isVisible()  # on the SQLite file now
    dialog.url, dialog.password = "postgresql://anna@office-server:5432/crm", "s3cret"
    dialog.accept()  # as after a successful "Connect"
    assert Settings(paths.settings_file).get("database_url") == "postgresql://anna@office-server:5432/crm"
    box = window.restart_box
    assert "opens postgresql://anna@office-server:5432/crm from its next start" in box.text()
    assert "s3cret" not in paths.settings_file.read_text()
    again = window.choose_connection()
    again.local_button.click()
    assert Settings(paths.settings_file).get("database_url") is None
    window.restart()
    assert started and not window.isVisible()
