"""Sending a document by email: the message with its PDF attached, sent through the office's SMTP
server or saved as an .eml file that the user's mail program opens as a ready draft.

Either way the client's timeline says so, and the audit log keeps who sent what to whom. The SMTP
password never passes through here on its way to disk: the caller keeps it in the OS keyring.
"""

from __future__ import annotations

import smtplib
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Any

from crm_desktop import i18n
from crm_desktop.db.models import CompanyProfile
from crm_desktop.i18n import N_, Message
from crm_desktop.services import activities, clients, company, documents, invoices, money
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext, company_profile, record
from crm_desktop.services.errors import PermissionDenied, ServiceError, ValidationError
from crm_desktop.services.invoices import KIND_NAMES

SECURITY = ("starttls", "ssl", "none")
TIMEOUT_S = 20


@dataclass(frozen=True)
class SmtpSettings:
    host: str  # empty: no mail server set, documents are saved as .eml files instead
    port: int = 587
    security: str = "starttls"  # STARTTLS on 587, SSL on 465, or none (a LAN relay)
    username: str = ""
    sender: str = ""  # the From address; the company's email when empty

    version: int = 0  # of the company profile, where they are kept

    @property
    def keyring_account(self) -> str:
        return f"smtp:{self.username}@{self.host}:{self.port}"


# What the timeline says of a document sent, one sentence per kind.
EMAILED = {
    "invoice": N_("Invoice {number} emailed to {to}"),
    "quote": N_("Quote {number} emailed to {to}"),
    "credit_note": N_("Credit note {number} emailed to {to}"),
}
PREPARED = {
    "invoice": N_("Invoice {number} prepared as an email to {to} (saved for the mail program)"),
    "quote": N_("Quote {number} prepared as an email to {to} (saved for the mail program)"),
    "credit_note": N_("Credit note {number} prepared as an email to {to} (saved for the mail program)"),
}


def _settings(p: CompanyProfile) -> SmtpSettings:
    return SmtpSettings(p.smtp_host, p.smtp_port, p.smtp_security, p.smtp_username, p.smtp_sender, p.version)


def smtp_settings(ctx: ServiceContext) -> SmtpSettings:
    with ctx.read() as s:
        return _settings(company_profile(s))


def update_smtp_settings(
    ctx: ServiceContext,
    *,
    expected_version: int,
    host: str,
    port: object,
    security: str,
    username: str,
    sender: str,
) -> SmtpSettings:
    """The office's mail server (admins); an empty host means documents are saved as email files."""
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can change the mail server.")
    values: dict[str, Any]
    if not str(host or "").strip():
        values = {"smtp_host": "", "smtp_username": "", "smtp_sender": ""}
    else:
        checked = check_smtp(host, port, security, username, sender)
        values = {
            "smtp_host": checked.host,
            "smtp_port": checked.port,
            "smtp_security": checked.security,
            "smtp_username": checked.username,
            "smtp_sender": checked.sender,
        }
    return company.write_profile(ctx, expected_version, values, _settings)


def check_smtp(host: str, port: object, security: str, username: str, sender: str) -> SmtpSettings:
    host = v.text("host", host, N_("The SMTP server"), required=True, max_length=255)
    try:
        number = int(str(port).strip())
    except ValueError:
        number = 0
    if not 0 < number < 65536:
        raise ValidationError(
            "port",
            "The port is a number from 1 to 65535 (got '{port}'); usually 587, or 465 for SSL.",
            port=port,
        )
    security = v.choice("security", security, SECURITY, N_("The security"))
    sender = v.text("sender", sender, N_("The sender address"), max_length=320)
    return SmtpSettings(
        host,
        number,
        security,
        v.text("username", username, N_("The user name"), max_length=320),
        v.email("sender", sender) if sender else "",
    )


# What the client reads, in the document's language (documents.document_language), as the send dialog
# offers it to be edited.
SUBJECT = N_("{document} from {company}")
BODY = N_("Dear {client},\n\nplease find attached {document} for {total}.\n\nKind regards,\n{company}")
BODY_WITH_DUE_DATE = N_(
    "Dear {client},\n\nplease find attached {document} for {total}, due on {day}.\n\nKind regards,\n{company}"
)


@dataclass(frozen=True)
class Draft:
    """What the send dialog starts with: who the client is, their addresses, and the subject, message and
    file name in the document's language."""

    document_id: int
    label: str  # e.g. "Invoice INV-2026-00012", as the person sending it reads
    client_name: str
    client_emails: tuple[str, ...]
    company_name: str
    company_email: str
    subject: str
    body: str
    file_stem: str  # the label as the client reads it, as a file name: "Счёт-INV-2026-00012"


def draft(ctx: ServiceContext, document_id: int) -> Draft:
    doc = invoices.get(ctx, document_id)
    if doc.number is None:
        raise ValidationError("status", "A draft is not sent: issue it first, so the client gets its number.")
    client, profile = clients.get(ctx, doc.client_id), company.get(ctx)
    language = documents.document_language(ctx, doc.client_id)

    def label(in_language: str | None) -> str:
        return f"{i18n.gettext(KIND_NAMES[doc.kind], in_language)} {doc.number}"

    document, fields = label(language), {"client": client.name, "company": profile.name}
    if doc.due_date and doc.kind == "invoice":
        body = Message(BODY_WITH_DUE_DATE, day=i18n.day_text(doc.due_date, language))
    else:
        body = Message(BODY)
    body.params.update(fields, document=document, total=money.amount_of(doc.total, doc.currency))
    return Draft(
        doc.id,
        label(None),
        client.name,
        tuple(client.emails),
        profile.name,
        profile.email,
        Message(SUBJECT, document=document, company=profile.name).render(language),
        body.render(language),
        document.replace(" ", "-").replace("/", "-"),
    )


def _addresses(to: str) -> list[str]:
    found = [part.strip() for part in to.replace(";", ",").split(",") if part.strip()]
    if not found:
        raise ValidationError("to", "Enter the client's email address.")
    return [v.email("to", address) for address in found]


def compose(
    ctx: ServiceContext,
    document_id: int,
    *,
    to: str,
    subject: str,
    body: str,
    sender: str = "",
    page: str = "A4",
) -> EmailMessage:
    """The message with the document's PDF attached (From: `sender`, else the company's email)."""
    recipients = _addresses(to)
    subject = v.text("subject", subject, N_("The subject"), required=True, max_length=300)
    body = v.text("body", body, N_("The message"), max_length=50_000)
    d = draft(ctx, document_id)
    from_address = sender or d.company_email
    if not from_address:
        raise ValidationError(
            "sender",
            "There is no sender address: enter the company's email in Settings → "
            "Company details, or a sender in Settings → Email.",
        )
    message = EmailMessage()
    message["From"] = formataddr((d.company_name, from_address))
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=from_address.rpartition("@")[2] or None)
    message.set_content(body)
    with tempfile.TemporaryDirectory(prefix="crm-mail-") as folder:
        pdf = documents.write_pdf(ctx, document_id, Path(folder) / "document.pdf", page=page)
        data = pdf.read_bytes()
    message.add_attachment(data, maintype="application", subtype="pdf", filename=f"{d.file_stem}.pdf")
    return message


@contextmanager
def _session(smtp: SmtpSettings, password: str) -> Iterator[smtplib.SMTP]:
    """A logged-in connection; every failure becomes a message that says what to check."""
    try:
        context = ssl.create_default_context()
        server = (
            smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_S, context=context)
            if smtp.security == "ssl"
            else smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S)
        )
        with server:
            if smtp.security == "starttls":
                server.starttls(context=context)
            if smtp.username:
                server.login(smtp.username, password)
            yield server
    except smtplib.SMTPAuthenticationError as exc:
        raise ServiceError(
            "The mail server {host} refused the user name or password. Check them in "
            "Settings → Email. Nothing was sent.",
            host=smtp.host,
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise ValidationError(
            "to",
            "The mail server refused the address {addresses}. Check it; nothing was sent.",
            addresses=", ".join(exc.recipients),
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise ServiceError(
            "The mail server {host} does not offer {security} or login. "
            "Change the security in Settings → Email. Nothing was sent.",
            host=smtp.host,
            security=smtp.security.upper(),
        ) from exc
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise ServiceError(
            "The mail server {host} did not take the message: {reason}. Nothing was sent; "
            "try again, or save it as an email file.",
            host=smtp.host,
            reason=str(exc),
        ) from exc
    except OSError as exc:  # refused, unreachable, timed out
        raise ServiceError(
            "The mail server {host}:{port} cannot be reached ({reason}). Check the "
            "network and Settings → Email, or save the message as an email file.",
            host=smtp.host,
            port=smtp.port,
            reason=str(exc),
        ) from exc


def send(
    ctx: ServiceContext, document_id: int, message: EmailMessage, smtp: SmtpSettings, password: str
) -> None:
    """Hand the message to the SMTP server; the timeline says it was sent only once the server took it."""
    with _session(smtp, password) as server:
        server.send_message(message)
    _log(ctx, document_id, message, "sent")


def check_login(smtp: SmtpSettings, password: str) -> None:
    """Connect and log in without sending anything: the settings dialog's test."""
    with _session(smtp, password) as server:
        server.noop()


def save_eml(ctx: ServiceContext, document_id: int, message: EmailMessage, path: Path) -> Path:
    """The message as an .eml file; X-Unsent makes Outlook and others open it as a draft to send."""
    message["X-Unsent"] = "1"
    path = Path(path)
    try:
        path.write_bytes(bytes(message))
    except OSError as exc:
        raise ValidationError(
            "path",
            "The email file could not be written to {path}: {reason}. Choose a folder you can write to.",
            path=str(path),
            reason=exc.strerror or str(exc),
        ) from exc
    _log(ctx, document_id, message, "saved")
    return path


def send_document(
    ctx: ServiceContext, document_id: int, *, to: str, subject: str, body: str, password: str
) -> None:
    """Compose and send through the office's mail server, in one call for the send dialog's worker."""
    smtp = smtp_settings(ctx)
    if not smtp.host:
        raise ServiceError(
            "No mail server is set up. Set one in Settings → Email, or save the message as an "
            "email file for your mail program."
        )
    send(
        ctx,
        document_id,
        compose(ctx, document_id, to=to, subject=subject, body=body, sender=smtp.sender),
        smtp,
        password,
    )


def save_document_eml(
    ctx: ServiceContext, document_id: int, path: Path, *, to: str, subject: str, body: str
) -> Path:
    message = compose(ctx, document_id, to=to, subject=subject, body=body, sender=smtp_settings(ctx).sender)
    return save_eml(ctx, document_id, message, path)


def _log(ctx: ServiceContext, document_id: int, message: EmailMessage, how: str) -> None:
    with ctx.write() as s:
        doc = invoices.load(s, ctx, document_id)
        record(
            s,
            entity="documents",
            entity_id=doc.id,
            action="email",
            details={"to": message["To"], "subject": message["Subject"], "how": how},
        )
        said = Message(EMAILED[doc.kind]) if how == "sent" else Message(PREPARED[doc.kind])
        said.params.update(number=doc.number, to=message["To"])
        activities.record_event(s, ctx, doc.client_id, said, deal_id=doc.deal_id)
