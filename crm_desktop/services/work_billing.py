"""Billing the work done: rates (a person's, a skill's or a job's by the hour, or a job's fixed price),
materials and expenses on a job, and "Invoice work done" — a draft invoice from the job's billable time
and materials not invoiced yet, each entry marked with the invoice and the line it went on, so a second
draft never bills it again. An invoice that no longer bills them (its draft deleted, the invoice
cancelled or credited in full) gives them back.

Time is billed per stage and person, at the job's hourly rate, else the person's, else the rate of the
skill the stage needs (in the invoice's currency); the hours of a line are its minutes in hours, to the
hundredth. A job with a fixed price bills that price once and its time not by the hour.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from crm_desktop import i18n
from crm_desktop.db.models import (
    RATE_KINDS,
    Job,
    JobMaterial,
    JobStage,
    Rate,
    Task,
    TimeEntry,
    User,
    VisitSeries,
)
from crm_desktop.i18n import N_, Message
from crm_desktop.services import invoices, jobs, money
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible
from crm_desktop.services.context import ServiceContext, company_profile
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.invoices import DocumentDetail, LineValues

HOUR = Decimal(60)
CENT = Decimal("0.01")
# translators: the unit of a line of hours worked, on an invoice or an act
HOURS_UNIT = N_("h")


@dataclass(frozen=True)
class RateRow:
    id: int
    user_id: int | None
    user_name: str
    skill: str
    job_id: int | None
    kind: str
    amount: Decimal
    currency: str
    invoiced: bool
    version: int


@dataclass(frozen=True)
class MaterialRow:
    id: int
    job_id: int
    day: date
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    billable: bool
    invoice_id: int | None
    version: int

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


def _require_planner(ctx: ServiceContext) -> None:
    if ctx.actor.role not in ("admin", "manager"):
        raise PermissionDenied("Only a manager or an administrator sets rates.")


# --- rates ----------------------------------------------------------------------------------------------


def rates(ctx: ServiceContext, *, job_id: int | None = None) -> list[RateRow]:
    """The rates of people and skills, or (with `job_id`) the job's own."""
    with ctx.read() as s:
        q = select(Rate, User.display_name).outerjoin(User, User.id == Rate.user_id)
        q = q.where(Rate.job_id == job_id) if job_id is not None else q.where(Rate.job_id.is_(None))
        return [
            RateRow(
                r.id,
                r.user_id,
                name or "",
                r.skill,
                r.job_id,
                r.kind,
                r.amount,
                r.currency,
                r.invoice_id is not None,
                r.version,
            )
            for r, name in s.execute(q.order_by(User.display_name, Rate.skill, Rate.currency))
        ]


def set_rate(
    ctx: ServiceContext,
    *,
    amount: Any,
    currency: str,
    user_id: int | None = None,
    skill: str = "",
    job_id: int | None = None,
    kind: str = "hourly",
) -> RateRow:
    """The rate of a person, a skill or a job (one of them) in a currency, replacing the one before."""
    _require_planner(ctx)
    skill = v.text("skill", skill, N_("Skill"), max_length=100)
    if sum(x is not None and x != "" for x in (user_id, skill or None, job_id)) != 1:
        raise ValidationError("rate", "A rate is a person's, a skill's or a job's: choose one of them.")
    kind = v.choice("kind", kind, RATE_KINDS, N_("The kind of rate"))
    if kind == "fixed" and job_id is None:
        raise ValidationError("kind", "Only a job has a fixed price; a person or a skill has an hourly rate.")
    with ctx.write() as s:
        currency = money.currency(currency or company_profile(s).default_currency).code
        value = v.decimal("amount", amount, N_("Rate"), minimum=Decimal(0))
        if value == 0:
            raise ValidationError("amount", "A rate is more than zero.")
        if job_id is not None:
            jobs.load(s, job_id, ctx.actor)
        rate = s.scalar(
            select(Rate).where(
                Rate.user_id.is_(None) if user_id is None else Rate.user_id == user_id,
                Rate.job_id.is_(None) if job_id is None else Rate.job_id == job_id,
                Rate.skill == skill,
                Rate.currency == currency,
            )
        )
        if rate is not None and rate.invoice_id is not None:
            raise ValidationError("amount", "This fixed price is invoiced: it stays as it was billed.")
        if rate is None:
            rate = Rate(
                user_id=user_id, skill=skill, job_id=job_id, currency=currency, kind=kind, amount=value
            )
            s.add(rate)
        else:
            rate.kind, rate.amount = kind, value
        s.flush()
        name = s.scalar(select(User.display_name).where(User.id == user_id)) if user_id else ""
        return RateRow(
            rate.id, user_id, name or "", skill, job_id, kind, value, currency, False, rate.version
        )


def remove_rate(ctx: ServiceContext, rate_id: int) -> None:
    _require_planner(ctx)
    with ctx.write() as s:
        rate = s.get(Rate, rate_id)
        if rate is None:
            raise NotFound("That rate no longer exists.")
        if rate.invoice_id is not None:
            raise ValidationError("amount", "This fixed price is invoiced: it stays as it was billed.")
        s.delete(rate)


# --- materials ------------------------------------------------------------------------------------------


def _material_row(m: JobMaterial) -> MaterialRow:
    return MaterialRow(
        m.id,
        m.job_id,
        m.day,
        m.description,
        m.quantity,
        m.unit,
        m.unit_price,
        m.billable,
        m.invoice_id,
        m.version,
    )


def materials(ctx: ServiceContext, job_id: int) -> list[MaterialRow]:
    with ctx.read() as s:
        jobs.load(s, job_id, ctx.actor)
        found = s.scalars(select(JobMaterial).where(JobMaterial.job_id == job_id).order_by(JobMaterial.id))
        return [_material_row(m) for m in found]


def add_material(
    ctx: ServiceContext,
    job_id: int,
    *,
    description: str,
    quantity: Any = 1,
    unit: str = "",
    unit_price: Any = 0,
    billable: bool = True,
    day: date | None = None,
) -> MaterialRow:
    """A material or an expense on the job (parts, travel), billed at its price when billable."""
    description = v.text("description", description, N_("Description"), required=True, max_length=500)
    unit = v.text("unit", unit, N_("Unit"), max_length=20)
    with ctx.write() as s:
        job = jobs.load(s, job_id, ctx.actor)
        currency = job.currency or company_profile(s).default_currency
        count = v.decimal("quantity", quantity, N_("Quantity"), minimum=Decimal(0))
        if count == 0:
            raise ValidationError("quantity", "The quantity of a material is more than zero.")
        price = v.decimal("unit_price", unit_price, N_("Unit price"), minimum=Decimal(0))
        money.check_fits("unit_price", count * price, currency)
        m = JobMaterial(
            job_id=job.id,
            day=day or ctx.today(),
            description=description,
            quantity=count,
            unit=unit,
            unit_price=price,
            billable=bool(billable),
            added_by=ctx.actor.user_id,
        )
        s.add(m)
        s.flush()
        return _material_row(m)


def remove_material(ctx: ServiceContext, material_id: int) -> None:
    with ctx.write() as s:
        m = s.get(JobMaterial, material_id)
        if m is None:
            raise NotFound("That material no longer exists.")
        jobs.load(s, m.job_id, ctx.actor)
        if m.invoice_id is not None:
            raise ValidationError("invoice", "This material is invoiced: it stays as it was billed.")
        s.delete(m)


# --- invoicing the work done -------------------------------------------------------------------------------


@dataclass
class _Line:
    values: LineValues
    entries: list[int]
    materials: list[int]
    rate: Rate | None = None  # a fixed price billed on it


def _hourly_rate(s: Session, job: Job, currency: str) -> dict[tuple[int | None, str, int | None], Decimal]:
    """The hourly rates that may apply, by (person, skill, job)."""
    found = s.scalars(
        select(Rate).where(
            Rate.currency == currency,
            Rate.kind == "hourly",
            or_(Rate.job_id == job.id, Rate.job_id.is_(None)),
        )
    )
    return {(r.user_id, r.skill, r.job_id): r.amount for r in found}


def work_lines(
    s: Session,
    job: Job,
    currency: str,
    language: str,
    *,
    not_invoiced: bool = True,
    period: tuple[date, date] | None = None,
) -> list[_Line]:
    """The job's billable work as lines, written in `language` (the document's): its time per stage and
    person at its rate, its materials (or its fixed price); not invoiced yet, or (`not_invoiced=False`)
    all of it; only that of `period`."""
    fixed = s.scalar(
        select(Rate).where(Rate.job_id == job.id, Rate.kind == "fixed", Rate.currency == currency)
    )
    out: list[_Line] = []
    entries = [TimeEntry.job_id == job.id, TimeEntry.billable, TimeEntry.running.is_(False)]
    materials = [JobMaterial.job_id == job.id, JobMaterial.billable]
    if not_invoiced:
        entries.append(TimeEntry.invoice_id.is_(None))
        materials.append(JobMaterial.invoice_id.is_(None))
    if period is not None:
        entries.append(TimeEntry.day.between(*period))
        materials.append(JobMaterial.day.between(*period))
    if fixed is not None:
        if fixed.invoice_id is None or not not_invoiced:
            out.append(_Line(LineValues(job.title, Decimal(1), "", fixed.amount), [], [], fixed))
    else:
        hourly = _hourly_rate(s, job, currency)
        person, stage = aliased(User), aliased(JobStage)
        grouped: dict[tuple[str, str, Decimal], list[tuple[int, int]]] = defaultdict(list)
        missing: list[str] = []
        for entry_id, minutes, user_id, name, stage_name, role in s.execute(
            select(
                TimeEntry.id,
                TimeEntry.minutes,
                TimeEntry.user_id,
                person.display_name,
                stage.name,
                stage.role,
            )
            .join(person, person.id == TimeEntry.user_id)
            .outerjoin(stage, stage.id == TimeEntry.stage_id)
            .where(*entries)
            .order_by(stage.position, person.display_name, TimeEntry.day, TimeEntry.id)
        ):
            rate = (
                hourly.get((None, "", job.id))
                or hourly.get((user_id, "", None))
                or (hourly.get((None, role, None)) if role else None)
            )
            if rate is None:
                missing.append(name)
                continue
            grouped[(stage_name or job.title, name, rate)].append((entry_id, minutes))
        _refuse_missing_rates(currency, missing)
        for (what, name, rate), items in grouped.items():
            hours = hours_of_minutes(sum(m for _, m in items))
            unit = i18n.gettext(HOURS_UNIT, language)
            out.append(_Line(LineValues(f"{what} — {name}", hours, unit, rate), [i for i, _ in items], []))
    for m in s.scalars(select(JobMaterial).where(*materials).order_by(JobMaterial.day, JobMaterial.id)):
        out.append(_Line(LineValues(m.description, m.quantity, m.unit, m.unit_price), [], [m.id]))
    return out


def hours_of_minutes(minutes: int) -> Decimal:
    """Minutes in hours, to the hundredth (a line's, a report's)."""
    return (Decimal(minutes) / HOUR).quantize(CENT, ROUND_HALF_UP)


def _refuse_missing_rates(currency: str, people: list[str]) -> None:
    if people:
        raise ValidationError(
            "rate",
            "There is no hourly rate in {currency} for the time of {people}. Set one in Settings → Rates "
            "(or the job's own), or mark that time not billable.",
            currency=currency,
            people=", ".join(sorted(set(people))),
        )


def _mark_billed(s: Session, doc: Any, lines: list[_Line]) -> None:
    """Each entry, material and fixed price of the lines marked with the invoice and its line."""
    s.flush()
    for line, row in zip(lines, doc.lines, strict=True):
        billed: list[Any] = [line.rate] if line.rate is not None else []
        if line.entries:
            billed += s.scalars(select(TimeEntry).where(TimeEntry.id.in_(line.entries)))
        if line.materials:
            billed += s.scalars(select(JobMaterial).where(JobMaterial.id.in_(line.materials)))
        for item in billed:  # (through the unit of work: each mark is in the audit log)
            item.invoice_id, item.invoice_line_id = doc.id, row.id


def invoice_work_done(ctx: ServiceContext, job_id: int) -> DocumentDetail:
    """A draft invoice of the job's billable time and materials not invoiced yet, each marked with it."""
    from crm_desktop.services.documents import document_language  # (documents gives work back: see release)

    with ctx.read() as s:
        client_id = jobs.load(s, job_id, ctx.actor).client_id
    language = document_language(ctx, client_id)
    with ctx.write() as s:
        job = jobs.load(s, job_id, ctx.actor)
        load_visible(s, ctx.actor, job.client_id)
        if not jobs.plans(ctx.actor, job.responsible_id):
            raise PermissionDenied("Only the job's manager, or an office manager, invoices its work.")
        currency = job.currency or company_profile(s).default_currency
        lines = work_lines(s, job, currency, language)
        if not lines:
            raise ValidationError(
                "job",
                "Nothing on {job} is left to invoice: its billable time and materials are invoiced.",
                job=job.title,
            )
        doc = invoices.add_draft(
            s,
            ctx,
            kind="invoice",
            client_id=job.client_id,
            deal_id=job.deal_id,
            currency=currency,
            lines=[line.values for line in lines],
        )
        _mark_billed(s, doc, lines)
        jobs.event(s, ctx, job, Message("Invoice draft of the work done on {job}", job=job.title))
        return invoices.detail(s, doc)


def release(s: Session, invoice_id: int) -> None:
    """The work an invoice billed, to be invoiced again: the invoice was cancelled or credited in full."""
    billed: list[TimeEntry | JobMaterial | Rate] = [
        *s.scalars(select(TimeEntry).where(TimeEntry.invoice_id == invoice_id)),
        *s.scalars(select(JobMaterial).where(JobMaterial.invoice_id == invoice_id)),
        *s.scalars(select(Rate).where(Rate.invoice_id == invoice_id)),
    ]
    for item in billed:
        item.invoice_id, item.invoice_line_id = None, None


def invoice_visits(ctx: ServiceContext, client_id: int, any_day: date) -> DocumentDetail:
    """A draft invoice of the billable time spent on the client's recurring visits in the month of
    `any_day` and not invoiced yet: a line per series and person, at the person's hourly rate (or their
    contract job's), each entry marked with it."""
    from crm_desktop.services.documents import document_language

    first = any_day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    language = document_language(ctx, client_id)
    with ctx.write() as s:
        load_visible(s, ctx.actor, client_id)
        if ctx.actor.role not in ("admin", "manager"):
            raise PermissionDenied("Only a manager or an administrator invoices a month of visits.")
        currency = company_profile(s).default_currency
        person = aliased(User)
        found = s.execute(
            select(
                TimeEntry.id,
                TimeEntry.minutes,
                TimeEntry.user_id,
                person.display_name,
                Task.id,
                VisitSeries.title,
                VisitSeries.job_id,
            )
            .join(Task, Task.id == TimeEntry.task_id)
            .join(VisitSeries, VisitSeries.id == Task.series_id)
            .join(person, person.id == TimeEntry.user_id)
            .where(
                Task.client_id == client_id,
                TimeEntry.day.between(first, last),
                TimeEntry.billable,
                TimeEntry.invoice_id.is_(None),
                TimeEntry.running.is_(False),
            )
            .order_by(VisitSeries.title, person.display_name, TimeEntry.day)
        ).all()
        rates = {
            (r.user_id, r.job_id): r.amount
            for r in s.scalars(
                select(Rate).where(Rate.currency == currency, Rate.kind == "hourly", Rate.skill == "")
            )
        }
        grouped: dict[tuple[str, str, Decimal], list[tuple[int, int, int]]] = defaultdict(list)
        missing: list[str] = []
        for entry_id, minutes, user_id, name, task_id, title, job_id in found:
            rate = rates.get((None, job_id)) if job_id is not None else None
            rate = rate or rates.get((user_id, None))
            if rate is None:
                missing.append(name)
                continue
            grouped[(title, name, rate)].append((entry_id, minutes, task_id))
        _refuse_missing_rates(currency, missing)
        if not grouped:
            raise ValidationError(
                "month",
                "No billable time on visits from {first} to {last} is left to invoice.",
                first=i18n.Day(first),
                last=i18n.Day(last),
            )
        span = f"{i18n.day_text(first, language)} – {i18n.day_text(last, language)}"
        unit = i18n.gettext(HOURS_UNIT, language)
        lines: list[_Line] = []
        for (title, name, rate), items in grouped.items():
            hours = hours_of_minutes(sum(m for _, m, _ in items))
            visits = len({t for _, _, t in items})
            said = Message.counted(
                "{title}, {n} visit, {span} — {person}",
                "{title}, {n} visits, {span} — {person}",
                visits,
                title=title,
                span=span,
                person=name,
            ).render(language)
            lines.append(_Line(LineValues(said, hours, unit, rate), [i for i, _, _ in items], []))
        doc = invoices.add_draft(
            s, ctx, kind="invoice", client_id=client_id, currency=currency, lines=[x.values for x in lines]
        )
        _mark_billed(s, doc, lines)
        return invoices.detail(s, doc)
