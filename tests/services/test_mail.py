"""Sending a document by email through a real (local) SMTP server, or saving it as an .eml file;
both end up on the client's timeline and in the audit log, failures say what to check."""

from __future__ import annotations

import email
from email import policy

import pytest

from crm_desktop import i18n
from crm_desktop.services import activities, clients, company, documents, invoices, mail
from crm_desktop.services.errors import PermissionDenied, ServiceError, ValidationError
from crm_desktop.services.invoices import LineValues


@pytest.fixture
def invoice(ctx):
    profile = company.get(ctx)
    company.update(
        ctx, expected_version=profile.version, name="Ipak Yoʻli Services", email="office@ipakyoli.uz"
    )
    client = clients.create(ctx, name="Zarina Rahimova", emails=["zarina@example.uz"])
    d = invoices.create_draft(ctx, client_id=client.id, lines=[LineValues("Audit", 1, "", "500")])
    return documents.issue(ctx, d.id, expected_version=d.version)


def bodies(ctx, client_id):
    return [e.body for e in activities.timeline(ctx, client_id)]


def test_the_invoice_reaches_the_mail_server_with_its_pdf_and_is_logged(
    ctx, invoice, smtp_server, audit_rows
):
    inbox, settings = smtp_server
    start = mail.draft(ctx, invoice.id)
    assert (start.label, start.client_emails, start.subject) == (
        f"Invoice {invoice.number}",
        ("zarina@example.uz",),
        f"Invoice {invoice.number} from Ipak Yoʻli Services",
    )
    assert start.body.startswith("Dear Zarina Rahimova,") and "for 500.00 USD, due on " in start.body
    message = mail.compose(
        ctx,
        invoice.id,
        to="zarina@example.uz",
        subject=f"Invoice {invoice.number}",
        body="Dear Zarina,\nplease find the invoice attached.",
    )
    mail.send(ctx, invoice.id, message, settings, "secret")
    [received] = inbox.messages
    assert received["To"] == "zarina@example.uz" and "office@ipakyoli.uz" in received["From"]
    assert "please find the invoice attached" in received.get_body(("plain",)).get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == f"Invoice-{invoice.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert f"Invoice {invoice.number} emailed to zarina@example.uz" in bodies(ctx, invoice.client_id)
    actions = [a for a, _ in audit_rows("documents", invoice.id)]
    assert actions[-2:] == ["pdf", "email"]


def test_a_client_who_reads_russian_gets_the_message_and_file_in_russian_whatever_the_sender_reads(
    ctx, invoice
):
    olga = clients.create(ctx, name="Ольга Соколова", emails=["olga@example.ru"], language="ru")
    d = invoices.create_draft(ctx, client_id=olga.id, lines=[LineValues("Аудит", 1, "", "1500")])
    doc = documents.issue(ctx, d.id, expected_version=d.version)
    start = mail.draft(ctx, doc.id)
    russian_kind = i18n.gettext("Invoice", "ru")
    assert russian_kind != "Invoice" and start.label == f"Invoice {doc.number}"  # the sender reads English
    assert start.subject == i18n.gettext("{document} from {company}", "ru").format(
        document=f"{russian_kind} {doc.number}", company="Ipak Yoʻli Services"
    )
    assert start.file_stem == f"{russian_kind}-{doc.number}".replace(" ", "-")
    assert "1\u00a0500,00 USD" in start.body and "Dear" not in start.body
    assert doc.due_date.strftime("%d.%m.%Y") in start.body  # the due day as Russian writes it


def test_a_wrong_password_or_no_server_sends_nothing_and_says_what_to_check(
    ctx, invoice, smtp_server, unused_port
):
    inbox, settings = smtp_server
    message = mail.compose(ctx, invoice.id, to="zarina@example.uz", subject="Invoice", body="")
    with pytest.raises(ServiceError, match="refused the user name or password"):
        mail.send(ctx, invoice.id, message, settings, "wrong")
    nowhere = mail.SmtpSettings("127.0.0.1", unused_port, "none", "office")
    with pytest.raises(ServiceError, match="cannot be reached"):
        mail.send(ctx, invoice.id, message, nowhere, "secret")
    with pytest.raises(ServiceError, match="refused the user name or password"):
        mail.check_login(settings, "wrong")
    mail.check_login(settings, "secret")
    assert inbox.messages == []
    assert not [b for b in bodies(ctx, invoice.client_id) if "emailed" in b]


def test_saved_as_an_eml_file_that_opens_as_a_draft_in_the_mail_program(ctx, invoice, tmp_path):
    message = mail.compose(
        ctx, invoice.id, to="zarina@example.uz, accounts@example.uz", subject="Invoice", body="Hello"
    )
    path = mail.save_eml(ctx, invoice.id, message, tmp_path / "invoice.eml")
    saved = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert saved["X-Unsent"] == "1" and saved["To"] == "zarina@example.uz, accounts@example.uz"
    assert next(saved.iter_attachments()).get_content().startswith(b"%PDF")
    assert any("prepared as an email to zarina@example.uz" in b for b in bodies(ctx, invoice.client_id))


def test_bad_addresses_drafts_and_missing_senders_are_refused(ctx, invoice):
    for to, words in (("", "Enter the client's email"), ("zarina@", "email")):
        with pytest.raises(ValidationError) as refused:
            mail.compose(ctx, invoice.id, to=to, subject="Invoice", body="")
        assert refused.value.field == "to" and words in refused.value.message
    with pytest.raises(ValidationError, match="subject"):
        mail.compose(ctx, invoice.id, to="a@example.uz", subject=" ", body="")
    draft = invoices.create_draft(ctx, client_id=invoice.client_id, lines=[LineValues("More", 1, "", "5")])
    with pytest.raises(ValidationError, match="issue it first"):
        mail.draft(ctx, draft.id)
    profile = company.get(ctx)
    company.update(ctx, expected_version=profile.version, email="")
    with pytest.raises(ValidationError, match="no sender address"):
        mail.compose(ctx, invoice.id, to="a@example.uz", subject="Invoice", body="")
    assert mail.compose(
        ctx, invoice.id, to="a@example.uz", subject="Invoice", body="", sender="me@example.uz"
    )["From"].endswith("<me@example.uz>")


@pytest.mark.parametrize(
    "values, field",
    [
        (("", 587, "starttls", "", ""), "host"),
        (("smtp.example.uz", "abc", "starttls", "", ""), "port"),
        (("smtp.example.uz", 70000, "starttls", "", ""), "port"),
        (("smtp.example.uz", 587, "tls13", "", ""), "security"),
        (("smtp.example.uz", 587, "ssl", "", "not-an-address"), "sender"),
    ],
)
def test_smtp_settings_are_checked(values, field):
    with pytest.raises(ValidationError) as refused:
        mail.check_smtp(*values)
    assert refused.value.field == field
    assert mail.check_smtp("smtp.example.uz", "465", "ssl", "office", "").port == 465


def test_the_offices_mail_server_is_kept_by_admins_and_used_to_send(ctx, invoice, smtp_server, staff):
    inbox, server = smtp_server
    start = mail.smtp_settings(ctx)
    assert start.host == ""
    with pytest.raises(ServiceError, match="No mail server is set up"):
        mail.send_document(ctx, invoice.id, to="zarina@example.uz", subject="Invoice", body="", password="")
    with pytest.raises(PermissionDenied):
        mail.update_smtp_settings(
            staff["dilnoza"],
            expected_version=start.version,
            host="smtp.example.uz",
            port=587,
            security="starttls",
            username="",
            sender="",
        )
    stored = mail.update_smtp_settings(
        ctx,
        expected_version=start.version,
        host=server.host,
        port=server.port,
        security="none",
        username="office",
        sender="billing@ipakyoli.uz",
    )
    assert (stored.host, stored.port, stored.sender) == (server.host, server.port, "billing@ipakyoli.uz")
    assert stored.keyring_account == f"smtp:office@127.0.0.1:{server.port}"
    mail.send_document(
        ctx, invoice.id, to="zarina@example.uz", subject="Invoice", body="Hi", password="secret"
    )
    assert "<billing@ipakyoli.uz>" in inbox.messages[0]["From"]
    off = mail.update_smtp_settings(
        ctx, expected_version=stored.version, host=" ", port="", security="", username="", sender=""
    )
    assert off.host == ""
