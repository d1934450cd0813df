"""Sending an issued invoice by email from its window, and Settings → Email, against a real local
SMTP server; the keyring in tests keeps nothing, so the password lives in memory for the session.

Spans ui/invoices/send_mail.py and services/mail.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from crm_desktop.services import activities, clients, company, documents, invoices, mail
from crm_desktop.services.invoices import LineValues
from crm_desktop.ui.invoices import send_mail


@pytest.fixture(autouse=True)
def forget_passwords():
    yield
    send_mail._memory.clear()


@pytest.fixture
def invoice(sqlite_ctx):
    profile = company.get(sqlite_ctx)
    company.update(
        sqlite_ctx, expected_version=profile.version, name="Ipak Yoʻli Services", email="office@ipakyoli.uz"
    )
    client = clients.create(sqlite_ctx, name="Zarina Rahimova", emails=["zarina@example.uz"])
    d = invoices.create_draft(sqlite_ctx, client_id=client.id, lines=[LineValues("Audit", 1, "", "500")])
    return documents.issue(sqlite_ctx, d.id, expected_version=d.version)


def configure(ctx, server, password="secret"):
    stored = mail.update_smtp_settings(
        ctx,
        expected_version=mail.smtp_settings(ctx).version,
        host=server.host,
        port=server.port,
        security="none",
        username="office",
        sender="",
    )
    send_mail.keep_password(stored, password)


def open_send_dialog(qtbot, open_window, invoice):
    window = open_window()
    view = window.pages["invoices"]
    window.show_page("invoices")
    view.open_document(invoice.id)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())
    panel = view.editor.payments
    assert panel.send_button.isVisible()
    qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, send_mail.SendDialog) and panel.dialog.isVisible())
    return panel.dialog


def test_an_issued_invoice_is_sent_to_the_client_with_its_pdf(
    qtbot, open_window, sqlite_ctx, invoice, smtp_server
):
    inbox, server = smtp_server
    configure(sqlite_ctx, server)
    dialog = open_send_dialog(qtbot, open_window, invoice)
    assert dialog.to.text() == "zarina@example.uz"
    assert dialog.subject.text() == f"Invoice {invoice.number} from Ipak Yoʻli Services"
    assert "500.00 USD, due on" in dialog.body.toPlainText()
    dialog.to.setText("zarina@")  # a typo first
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["to"].isVisible())
    assert dialog.isVisible() and dialog.to.text() == "zarina@" and inbox.messages == []
    dialog.to.setText("zarina@example.uz")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    [message] = inbox.messages
    assert message["Subject"] == f"Invoice {invoice.number} from Ipak Yoʻli Services"
    assert next(message.iter_attachments()).get_content().startswith(b"%PDF")
    assert f"Invoice {invoice.number} emailed to zarina@example.uz" in [
        e.body for e in activities.timeline(sqlite_ctx, invoice.client_id)
    ]


def test_a_refused_password_keeps_the_message_open(qtbot, open_window, sqlite_ctx, invoice, smtp_server):
    inbox, server = smtp_server
    configure(sqlite_ctx, server, password="wrong")
    dialog = open_send_dialog(qtbot, open_window, invoice)
    dialog.body.setPlainText("A message typed with care")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=10_000)
    assert "refused the user name or password" in dialog.problem.text()
    assert dialog.isVisible() and dialog.body.toPlainText() == "A message typed with care"


def test_without_a_mail_server_the_message_is_saved_for_the_mail_program(
    qtbot, open_window, sqlite_ctx, invoice, tmp_path, monkeypatch
):
    opened = []
    monkeypatch.setattr(send_mail.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    dialog = open_send_dialog(qtbot, open_window, invoice)
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Save).isVisible()  # no "Send" to press
    target = tmp_path / "invoice.eml"
    with qtbot.waitSignal(dialog.saved):
        dialog.save_eml(target)
    assert opened == [str(target)] and b"X-Unsent: 1" in Path(target).read_bytes()


def test_email_settings_test_the_login_and_keep_the_server(qtbot, open_window, sqlite_ctx, smtp_server):
    _, server = smtp_server
    window = open_window()
    window.edit_email()
    qtbot.waitUntil(
        lambda: getattr(window, "email_dialog", None) is not None and window.email_dialog.isVisible()
    )
    dialog = window.email_dialog
    dialog.host.setText(server.host)
    dialog.port.setText("port")
    dialog.test_connection()
    assert dialog.errors["port"].isVisible()  # checked before connecting
    dialog.port.setText(str(server.port))
    dialog.security.setCurrentIndex(dialog.security.findData("none"))
    dialog.username.setText("office")
    dialog.password.setText("wrong")
    dialog.test_connection()
    qtbot.waitUntil(lambda: "refused" in dialog.outcome.text(), timeout=10_000)
    dialog.password.setText("secret")
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.outcome.text() == "The server accepted the login.", timeout=10_000)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    stored = mail.smtp_settings(sqlite_ctx)
    assert (stored.host, stored.port, stored.username) == (server.host, server.port, "office")
    assert send_mail.stored_password(stored) == "secret"  # in memory: the test keyring keeps nothing
    assert "no working keyring" in window.statusBar().currentMessage()


def test_with_a_working_keyring_the_password_is_kept_there():
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1
        values: dict = {}

        def get_password(self, service, username):
            return self.values.get((service, username))

        def set_password(self, service, username, password):
            self.values[(service, username)] = password

        def delete_password(self, service, username):
            self.values.pop((service, username), None)

    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        settings = mail.SmtpSettings("smtp.example.uz", 587, "starttls", "office")
        assert send_mail.keep_password(settings, "s3cret") is True
        assert MemoryKeyring.values == {("crm-desktop", "smtp:office@smtp.example.uz:587"): "s3cret"}
        assert send_mail._memory == {} and send_mail.stored_password(settings) == "s3cret"
    finally:
        keyring.set_keyring(before)
