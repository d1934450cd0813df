"""Acts of work done: the completion document offices in Uzbekistan, Azerbaijan and Russia exchange ("акт
выполненных работ") — the work performed on a job in a period (its billable time per stage and person at
its rate, its materials, or its fixed price; as work_billing counts them, invoiced or not) with its
amounts and total, in words when the office prints them, and both parties' signature blocks; in the
client's language. Numbered in a series of its own without gaps (the number is taken in the act's own
unit of work; on a server the database gives it, migration 0018), kept as issued, its PDF attached to
the job, and on the client's timeline.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from crm_desktop import i18n
from crm_desktop.db.models import Act, JobFile
from crm_desktop.i18n import N_, Message
from crm_desktop.services import clients, company, jobs, money, numbering, work_billing
from crm_desktop.services.amount_words import amount_in_words
from crm_desktop.services.clients import load_visible
from crm_desktop.services.context import ServiceContext, company_profile
from crm_desktop.services.documents import document_language
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.money import format_money, plain_text

PATTERN = "ACT-{year}-{seq:05d}"  # as migration 0018 numbers them on a server
HEADER = (N_("#"), N_("Work performed"), N_("Qty"), N_("Unit"), N_("Unit price"), "", "", N_("Amount"))
HIDDEN = (5, 6)  # an act has no discount or tax column
ACCEPTED = N_(
    "The work above was done in full and on time. "
    "The Customer has no claims as to its scope, quality and timing."
)


@dataclass(frozen=True)
class ActRow:
    id: int
    number: str
    job_id: int
    issued_on: date
    period_from: date
    period_to: date
    currency: str
    total: Decimal
    file_id: int | None


def _row(a: Act) -> ActRow:
    return ActRow(
        a.id, a.number, a.job_id, a.issued_on, a.period_from, a.period_to, a.currency, a.total, a.file_id
    )


def for_job(ctx: ServiceContext, job_id: int) -> list[ActRow]:
    with ctx.read() as s:
        jobs.load(s, job_id, ctx.actor)
        return [_row(a) for a in s.scalars(select(Act).where(Act.job_id == job_id).order_by(Act.id))]


def issue(ctx: ServiceContext, job_id: int, first: date, last: date) -> ActRow:
    """The act of the job's work from `first` to `last`, numbered, its PDF attached to the job."""
    if last < first:
        raise ValidationError("period_to", "The period ends on or after the day it starts.")
    with ctx.read() as s:
        client_id = jobs.load(s, job_id, ctx.actor).client_id
    language = document_language(ctx, client_id)
    client, profile = clients.get(ctx, client_id), company.get(ctx, logo=True)
    with ctx.write() as s:
        job = jobs.load(s, job_id, ctx.actor)
        load_visible(s, ctx.actor, job.client_id)
        if not jobs.plans(ctx.actor, job.responsible_id):
            raise PermissionDenied("Only the job's manager, or an office manager, issues its acts.")
        currency = job.currency or company_profile(s).default_currency
        lines = [
            x.values
            for x in work_billing.work_lines(
                s, job, currency, language, not_invoiced=False, period=(first, last)
            )
        ]
        if not lines:
            raise ValidationError(
                "period_from",
                "There is no billable work on {job} from {first} to {last}.",
                job=job.title,
                first=i18n.Day(first),
                last=i18n.Day(last),
            )
        amounts = [money.quantize(Decimal(x.quantity) * Decimal(x.unit_price), currency) for x in lines]
        today = ctx.today()
        act = Act(
            number=_number(s, today),
            job_id=job.id,
            client_id=job.client_id,
            issued_on=today,
            period_from=first,
            period_to=last,
            language=language,
            currency=currency,
            total=sum(amounts, Decimal(0)),
            lines=[
                {
                    "description": x.description,
                    "quantity": str(x.quantity),
                    "unit": x.unit,
                    "unit_price": str(x.unit_price),
                    "amount": str(a),
                }
                for x, a in zip(lines, amounts, strict=True)
            ],
            created_by=ctx.actor.user_id,
            created_at=s.info["now"],
        )
        s.add(act)
        s.flush()
        s.refresh(act, ["number"])  # (on a server the database gave it)
        pdf = _pdf(act, profile, client, language)
        attached = JobFile(
            job_id=job.id,
            name=f"{act.number}.pdf",
            size=len(pdf),
            content=pdf,
            added_by=ctx.actor.user_id,
            added_at=s.info["now"],
        )
        s.add(attached)
        s.flush()
        act.file_id = attached.id
        jobs.event(s, ctx, job, Message("Act of work done {number}: {job}", number=act.number, job=job.title))
        s.flush()
        return _row(act)


def _number(s, day: date) -> str:
    if s.get_bind().dialect.name == "postgresql":
        return ""  # the database's trigger gives it
    return numbering.format_number(PATTERN, day.year, numbering.take(s, "act", day.year))


def _pdf(act: Act, profile, client, language: str) -> bytes:
    from crm_desktop.pdf.invoice import Party, PrintedDocument, PrintedLine, render
    from crm_desktop.services.printing import lines_of_company

    def say(template: str, **fields: object) -> str:
        return Message(template, **fields).render(language)

    def amount(value: Decimal) -> str:
        return format_money(value, act.currency, language)

    title = say(N_("Act of work done No. {number}"), number=act.number)
    period = say(
        N_("Period: {first} – {last}"), first=i18n.Day(act.period_from), last=i18n.Day(act.period_to)
    )
    words = (
        say(N_("Amount in words: {words}"), words=amount_in_words(act.total, act.currency, language))
        if profile.amount_words_language
        else ""
    )
    signature = "______________________"
    printed = PrintedDocument(
        title=title,
        side_lines=(title, say(N_("Date: {date}"), date=i18n.Day(act.issued_on)), period),
        company_name=profile.name,
        company_lines=lines_of_company(profile, language),
        logo=profile.logo,
        client=Party(client.name, tuple(x for x in (client.address, ", ".join(client.phones)) if x)),
        bill_to=say(N_("Customer:")),
        header=tuple(say(h) if h else "" for h in HEADER),
        lines=tuple(
            PrintedLine(
                x["description"],
                plain_text(Decimal(x["quantity"]), language),
                x["unit"],
                plain_text(Decimal(x["unit_price"]), language),
                "",
                "",
                amount(Decimal(x["amount"])),
            )
            for x in act.lines
        ),
        summary=((say(N_("Total")), amount(act.total)),),
        total_row=0,
        amount_in_words=words,
        sections=(("", say(ACCEPTED)),),
        footer=say(N_("{title} · page {page}"), title=title, page="{page}"),
        right_to_left=i18n.is_right_to_left(language),
        hidden_columns=HIDDEN,
        signatures=(
            (say(N_("Contractor:")), profile.name, "", signature),
            (say(N_("Customer:")), client.name, "", signature),
        ),
    )
    with tempfile.TemporaryDirectory(prefix="crm-act-") as folder:
        path = Path(folder) / "act.pdf"
        render(path, printed)
        return path.read_bytes()
