"""Jobs: the work done for a client after the sale, in the stages of a workflow template.

Starting a job copies the stages of the template's latest version and plans them in the office's working
time (services/work_calendar.py): each stage starts when the one before is planned to end (or with it, if
it may overlap) and lasts its working days or hours. As the work goes, the forecast follows it: a stage
not done cannot end before now, and the stages after a late one move with it — planned stays as it was,
so the two can be compared. What is done to the stages is in services/job_stages.py and
services/approvals.py; what happens to a job goes on its client's timeline (kind "job").

A job is seen by whoever sees its client and by the people working on it (responsible for it, in its
team, given a stage to do or approve), who read its client's name, address and phones only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, exists, false, func, or_, select, text, true
from sqlalchemy.orm import Session, aliased

from crm_desktop.db.models import (
    Activity,
    Client,
    Deal,
    Document,
    Job,
    JobPerson,
    JobStage,
    StageApproval,
    Task,
    TemplateVersion,
    User,
)
from crm_desktop.i18n import N_, Message
from crm_desktop.services import activities, clients, users, workflows
from crm_desktop.services import validation as v
from crm_desktop.services.context import Actor, ServiceContext, check_version, company_profile
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.invoices import LineValues
from crm_desktop.services.work_calendar import OfficeCalendar
from crm_desktop.services.work_calendar import of as office_calendar
from crm_desktop.services.workflows import StageSpec

STATUSES = ("planned", "in_progress", "on_hold", "done", "cancelled")
OPEN = ("planned", "in_progress", "on_hold")
STATUS_WORDS = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "on_hold": N_("On hold"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}


def status_word(status: str) -> Message:
    """A job's status as a word in a sentence, in the reader's language."""
    return Message(STATUS_WORDS[status])


STAGE_STATUS_WORDS = {
    "waiting": N_("Waiting"),
    "in_progress": N_("In progress"),
    "blocked": N_("Blocked"),
    "awaiting_approval": N_("Awaiting approval"),
    "done": N_("Done"),
}


def stage_status_word(status: str) -> Message:
    """A stage's status as a word in a sentence, in the reader's language."""
    return Message(STAGE_STATUS_WORDS[status])


@dataclass(frozen=True)
class StageRow:
    id: int
    position: int
    name: str
    status: str
    responsible_id: int | None
    responsible_name: str
    role: str
    work_days: int | None
    work_hours: Decimal | None
    may_overlap: bool
    needs_approval: bool
    approver_id: int | None
    checklist: list[dict[str, Any]]
    planned_start: datetime
    planned_due: datetime
    forecast_start: datetime
    forecast_due: datetime
    started_at: datetime | None
    done_at: datetime | None
    block_reason: str
    unblocker_id: int | None
    override_reason: str
    version: int

    @property
    def late(self) -> bool:
        return self.forecast_due > self.planned_due

    @property
    def ticked(self) -> int:
        return sum(1 for x in self.checklist if x.get("done_at"))


@dataclass(frozen=True)
class ApprovalRow:
    id: int
    stage_id: int
    requested_by: str
    requested_at: datetime
    due_at: datetime
    note: str
    decision: str | None
    decided_by: str
    decided_at: datetime | None
    comment: str


@dataclass(frozen=True)
class JobTask:
    id: int
    stage_id: int
    title: str
    due_at: datetime | None
    status: str
    assignee_name: str


@dataclass(frozen=True)
class JobDetail:
    id: int
    client_id: int
    client_name: str
    client_address: str
    client_phones: list[str]
    deal_id: int | None
    quote_id: int | None
    title: str
    status: str
    hold_reason: str
    priority: str
    site_address: str
    notes: str
    responsible_id: int | None
    responsible_name: str
    template_name: str
    template_version_id: int | None
    planned_start: datetime
    planned_due: datetime
    forecast_due: datetime
    started_at: datetime | None
    finished_at: datetime | None
    scope: list[LineValues]
    currency: str
    version: int
    stages: list[StageRow]
    approvals: list[ApprovalRow] = field(default_factory=list)
    tasks: list[JobTask] = field(default_factory=list)

    @property
    def stages_done(self) -> int:
        return sum(1 for g in self.stages if g.status == "done")


@dataclass(frozen=True)
class JobRow:
    id: int
    title: str
    client_id: int
    client_name: str
    status: str
    responsible_name: str
    template_name: str
    planned_due: datetime
    forecast_due: datetime
    stage_count: int
    stages_done: int
    current_stage: str
    blocked: bool
    stuck: bool
    version: int

    @property
    def days_late(self) -> int:
        """Calendar days the forecast is past the plan (0: on time)."""
        return max((self.forecast_due - self.planned_due).days, 0)

    @property
    def progress(self) -> int:
        """Percent of its stages done."""
        return round(100 * self.stages_done / self.stage_count) if self.stage_count else 0


LATE = Job.forecast_due > Job.planned_due  # expected to end after its planned day


@dataclass(frozen=True)
class JobFilter:
    statuses: tuple[str, ...] = OPEN
    responsible_id: int | None = None
    client_id: int | None = None
    template_id: int | None = None
    late: bool = False
    blocked: bool = False
    stuck: bool = False
    due_before: datetime | None = None  # e.g. the end of this week
    current_stage: str | None = None  # the stage a job is at (the board of one template's stages)
    search: str = ""


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """Administrators see every job; others the jobs of the clients they see and the jobs they work on
    (responsible, in its team, given a stage to do or approve) — as the server's policy says (0012)."""
    if actor.is_admin:
        return true()
    return or_(exists().where(Client.id == Job.client_id, clients.visible_to(actor)), works_on(actor.user_id))


def plans(actor: Actor, responsible_id: int | None) -> bool:
    """The job (whose manager is `responsible_id`) is this user's to plan and bill: its manager's, an
    office manager's or an administrator's."""
    return actor.user_id == responsible_id or actor.role in ("admin", "manager")


def works_on(user_id: int | None) -> ColumnElement[bool]:
    """The jobs `user_id` works on. (Its own names for the team and the stages: a query of stages may use
    it without its stage standing for theirs.)"""
    team, stage = aliased(JobPerson), aliased(JobStage)
    return or_(
        Job.responsible_id == user_id,
        exists().where(team.job_id == Job.id, team.user_id == user_id),
        exists().where(
            stage.job_id == Job.id, or_(stage.responsible_id == user_id, stage.approver_id == user_id)
        ),
    )


def _stuck_since(s: Session, now: datetime) -> datetime | None:
    days = company_profile(s).stuck_job_days
    return now - timedelta(days=days) if days else None


SORTS: dict[str, Any] = {
    "due": Job.forecast_due,
    "planned": Job.planned_due,
    "title": Job.title,
    "status": Job.status,
    "started": Job.planned_start,
}


def _query(ctx: ServiceContext, s: Session, f: JobFilter, *columns: Any) -> Select:
    """`columns` of the jobs `f` finds among those this user sees; the client's name as `named`."""
    since = _stuck_since(s, ctx.now())
    stuck = and_(Job.status == "in_progress", Job.progressed_at < since) if since else false()
    named = aliased(Client, name="named")  # (visible_to's own Client must not be this one)
    q = (
        select(*columns, named.name, stuck)
        .select_from(Job)
        .outerjoin(named, named.id == Job.client_id)  # (on a server: absent for its workers only)
        .outerjoin(TemplateVersion, TemplateVersion.id == Job.template_version_id)
        .where(visible_to(ctx.actor), Job.status.in_(f.statuses))
    )
    if f.responsible_id is not None:
        q = q.where(works_on(f.responsible_id))
    if f.client_id is not None:
        q = q.where(Job.client_id == f.client_id)
    if f.template_id is not None:
        q = q.where(TemplateVersion.template_id == f.template_id)
    if f.current_stage is not None:
        q = q.where(Job.current_stage == f.current_stage)
    if f.late:
        q = q.where(LATE)
    if f.blocked:
        q = q.where(Job.blocked.is_(True))
    if f.stuck:
        q = q.where(stuck)
    if f.due_before is not None:
        q = q.where(Job.forecast_due < f.due_before)
    if f.search.strip():
        typed = f"%{f.search.strip().lower()}%"
        q = q.where(or_(func.lower(Job.title).like(typed), func.lower(named.name).like(typed)))
    return q


def list_jobs(
    ctx: ServiceContext,
    f: JobFilter = JobFilter(),
    *,
    sort: str = "due",
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[JobRow]:
    """The jobs this user sees that `f` finds, the soonest expected first."""
    manager = aliased(User)
    order = SORTS.get(sort, Job.forecast_due)
    with ctx.read() as s:
        q = (
            _query(ctx, s, f, Job, manager.display_name, TemplateVersion.name)
            .outerjoin(manager, manager.id == Job.responsible_id)
            .order_by(order.desc() if descending else order, Job.id.desc() if descending else Job.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            JobRow(
                j.id,
                j.title,
                j.client_id,
                client or _contact(s, j).name,
                j.status,
                who or "",
                template or "",
                j.planned_due,
                j.forecast_due,
                j.stage_count,
                j.stages_done,
                j.current_stage,
                j.blocked,
                bool(is_stuck),
                j.version,
            )
            for j, who, template, client, is_stuck in s.execute(q)
        ]


def count_jobs(ctx: ServiceContext, f: JobFilter = JobFilter()) -> int:
    with ctx.read() as s:
        return s.execute(select(func.count()).select_from(_query(ctx, s, f, Job.id).subquery())).scalar_one()


@dataclass(frozen=True)
class Contact:
    name: str
    address: str
    phones: list[str]


def _contact(s: Session, job: Job) -> Contact:
    """The job's client as the people working on it read it. On a server through crm_job_client: past
    row-level security, the name, address and phones only, to those who see the client or the job."""
    if s.get_bind().dialect.name == "postgresql":
        row = s.execute(
            text("SELECT name, address, phones FROM crm_job_client(:job)"), {"job": job.id}
        ).first()
        return Contact(row[0], row[1], list(row[2] or [])) if row else Contact("", "", [])
    client = s.get(Client, job.client_id)
    assert client is not None
    return Contact(client.name, client.address, list(client.phones))


def _stage_rows(s: Session, job_id: int) -> list[StageRow]:
    doer = aliased(User)
    rows = s.execute(
        select(JobStage, doer.display_name)
        .outerjoin(doer, doer.id == JobStage.responsible_id)
        .where(JobStage.job_id == job_id)
        .order_by(JobStage.position)
    )
    return [
        StageRow(
            g.id,
            g.position,
            g.name,
            g.status,
            g.responsible_id,
            who or "",
            g.role,
            g.work_days,
            g.work_hours,
            g.may_overlap,
            g.needs_approval,
            g.approver_id,
            list(g.checklist),
            g.planned_start,
            g.planned_due,
            g.forecast_start,
            g.forecast_due,
            g.started_at,
            g.done_at,
            g.block_reason,
            g.unblocker_id,
            g.override_reason,
            g.version,
        )  # fmt: skip
        for g, who in rows
    ]


def _approvals(s: Session, job_id: int) -> list[ApprovalRow]:
    asker, answerer = aliased(User), aliased(User)
    rows = s.execute(
        select(StageApproval, asker.display_name, answerer.display_name)
        .join(JobStage, JobStage.id == StageApproval.stage_id)
        .outerjoin(asker, asker.id == StageApproval.requested_by)
        .outerjoin(answerer, answerer.id == StageApproval.decided_by)
        .where(JobStage.job_id == job_id)
        .order_by(StageApproval.requested_at, StageApproval.id)
    )
    return [
        ApprovalRow(
            a.id,
            a.stage_id,
            who or "",
            a.requested_at,
            a.due_at,
            a.note,
            a.decision,
            answered or "",
            a.decided_at,
            a.comment,
        )  # fmt: skip
        for a, who, answered in rows
    ]


def _tasks(s: Session, job_id: int) -> list[JobTask]:
    rows = s.execute(
        select(Task, User.display_name)
        .outerjoin(User, User.id == Task.assignee_id)
        .where(Task.job_id == job_id, Task.origin.like("stage-task:%"))
        .order_by(Task.due_at, Task.id)
    )
    return [
        JobTask(t.id, int(t.origin.split(":")[1]), t.title, t.due_at, t.status, who or "")  # type: ignore[union-attr]
        for t, who in rows
    ]


def detail(s: Session, job: Job) -> JobDetail:
    stages = _stage_rows(s, job.id)
    contact = _contact(s, job)
    manager = s.get(User, job.responsible_id) if job.responsible_id else None
    version = s.get(TemplateVersion, job.template_version_id) if job.template_version_id else None
    return JobDetail(
        job.id, job.client_id, contact.name, contact.address, contact.phones, job.deal_id, job.quote_id,
        job.title, job.status, job.hold_reason, job.priority, job.site_address, job.notes, job.responsible_id,
        manager.display_name if manager else "", version.name if version else "", job.template_version_id,
        job.planned_start, job.planned_due, job.forecast_due, job.started_at, job.finished_at,
        [line_of(x) for x in job.scope], job.currency, job.version, stages, _approvals(s, job.id),
        _tasks(s, job.id),
    )  # fmt: skip


def line_of(data: dict[str, Any]) -> LineValues:
    return LineValues(
        data["description"],
        Decimal(data.get("quantity", "1")),
        data.get("unit", ""),
        Decimal(data.get("unit_price", "0")),
        Decimal(data.get("discount_percent", "0")),
        Decimal(data.get("tax_rate", "0")),
    )


def _line_json(line: LineValues) -> dict[str, str]:
    return {
        "description": line.description,
        "quantity": str(line.quantity),
        "unit": line.unit,
        "unit_price": str(line.unit_price),
        "discount_percent": str(line.discount_percent),
        "tax_rate": str(line.tax_rate),
    }


def get(ctx: ServiceContext, job_id: int) -> JobDetail:
    with ctx.read() as s:
        return detail(s, load(s, job_id, ctx.actor))


def for_client(ctx: ServiceContext, client_id: int) -> list[JobRow]:
    """The client's jobs, every status, for its card."""
    return list_jobs(ctx, JobFilter(statuses=STATUSES, client_id=client_id))


def history(ctx: ServiceContext, job_id: int) -> list[activities.ActivityRow]:
    """What happened to the job, newest first (its entries on the client's timeline)."""
    with ctx.read() as s:
        load(s, job_id, ctx.actor)
        ids = s.scalars(
            select(Activity.id)
            .where(Activity.job_id == job_id)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        ).all()
        return [activities.reload_row(s, i) for i in ids]


def load(s: Session, job_id: int, actor: Actor | None = None) -> Job:
    job = s.scalar(select(Job).where(Job.id == job_id, visible_to(actor) if actor is not None else true()))
    if job is None:
        raise NotFound("Job #{id} does not exist (it may have been deleted).", id=job_id)
    return job


def event(s: Session, ctx: ServiceContext, job: Job, said: Message) -> None:
    """What just happened to the job, on its client's timeline (and in the job's history)."""
    s.add(
        Activity(
            **activities.event_values(ctx, job.client_id, said, deal_id=job.deal_id, kind="job"),
            job_id=job.id,
        )
    )


# --- planning --------------------------------------------------------------------------------------------


def ends_after(
    calendar: OfficeCalendar, start: datetime, days: int | None, hours: Decimal | None
) -> datetime:
    if days is not None:
        return calendar.after_working_days(start, days)
    assert hours is not None
    return calendar.after_working_hours(start, hours)


def plan(
    calendar: OfficeCalendar, stages: list[StageSpec], start: datetime
) -> list[tuple[datetime, datetime]]:
    """When each stage starts and ends if all goes as planned, from `start`."""
    out: list[tuple[datetime, datetime]] = []
    for stage in stages:
        begins = start if not out else (out[-1][0] if stage.may_overlap else out[-1][1])
        out.append((begins, ends_after(calendar, begins, stage.work_days, stage.work_hours)))
    return out


def reforecast(calendar: OfficeCalendar, job: Job, stages: list[JobStage], now: datetime) -> None:
    """The stages' forecast from what is done and from now: a stage not done ends no sooner than now,
    and each one after it starts when it ends (or with it, if it may overlap). The job's summary of its
    stages (done, current, blocked) is kept with it."""
    previous: JobStage | None = None
    for stage in stages:
        if stage.status == "done" and stage.done_at is not None:
            stage.forecast_start = stage.started_at or stage.planned_start
            stage.forecast_due = stage.done_at
        else:
            if stage.started_at is not None:
                begins = stage.started_at
            elif previous is None:
                begins = max(stage.planned_start, now) if job.status == "planned" else stage.planned_start
            else:
                begins = previous.forecast_start if stage.may_overlap else previous.forecast_due
                begins = max(begins, stage.planned_start)
            stage.forecast_start = begins
            stage.forecast_due = max(ends_after(calendar, begins, stage.work_days, stage.work_hours), now)
        previous = stage
    job.forecast_due = max((g.forecast_due for g in stages), default=job.planned_due)
    job.stage_count = len(stages)
    job.stages_done = sum(1 for g in stages if g.status == "done")
    job.current_stage = next((g.name for g in stages if g.status != "done"), "")
    job.blocked = any(g.status == "blocked" for g in stages)


def refresh(ctx: ServiceContext, s: Session, job: Job, *, progressed: bool = True) -> None:
    """The job's forecast and summary after a change of its stages; `progressed`: the work moved."""
    stages = list(s.scalars(select(JobStage).where(JobStage.job_id == job.id).order_by(JobStage.position)))
    reforecast(office_calendar(ctx), job, stages, s.info["now"])
    if progressed:
        job.progressed_at = s.info["now"]


def refresh_forecast(ctx: ServiceContext, job_id: int) -> JobDetail:
    """The job's forecast brought up to now (the scheduler does it as time passes)."""
    with ctx.write() as s:
        job = load(s, job_id, ctx.actor)
        refresh(ctx, s, job, progressed=False)
        s.flush()
        return detail(s, job)


STALE_AFTER = timedelta(minutes=15)


def refresh_stale(ctx: ServiceContext, *, limit: int = 200) -> int:
    """The forecasts that time has overtaken — a stage not done whose expected end has passed — brought up
    to now, the most overdue first, at most `limit` jobs (the follow-up rules' timer calls this as it
    wakes, so a job turns late when its stage does); how many were refreshed."""
    with ctx.write() as s:
        now = s.info["now"]
        stale = (
            select(JobStage.job_id)
            .join(Job, Job.id == JobStage.job_id)
            .where(
                Job.status.in_(("planned", "in_progress")),
                JobStage.status != "done",
                JobStage.forecast_due < now - STALE_AFTER,
            )
            .group_by(JobStage.job_id)
            .order_by(func.min(JobStage.forecast_due))
            .limit(limit)
        )
        found = list(s.scalars(select(Job).where(Job.id.in_(stale))))
        for job in found:
            refresh(ctx, s, job, progressed=False)
        return len(found)


# --- starting --------------------------------------------------------------------------------------------


def scope_of_deal(s: Session, deal: Deal) -> tuple[list[LineValues], str, int | None]:
    """What a won deal asks to be done: the lines of its latest quote (not cancelled), else the deal
    itself as one line; with their currency and the quote's id."""
    quote = s.scalar(
        select(Document)
        .where(
            Document.deal_id == deal.id, Document.kind == "quote", Document.status.in_(("issued", "accepted"))
        )
        .order_by(Document.issue_date.desc(), Document.id.desc())
    )
    if quote is not None and quote.lines:
        lines = [
            LineValues(x.description, x.quantity, x.unit, x.unit_price, x.discount_percent, x.tax_rate)
            for x in quote.lines
        ]
        return lines, quote.currency, quote.id
    return [LineValues(deal.title, Decimal(1), "", deal.amount)], deal.currency, None


def start(
    ctx: ServiceContext,
    client_id: int,
    template_id: int,
    *,
    title: str | None = None,
    deal_id: int | None = None,
    responsible_id: int | None = None,
    starts: datetime | None = None,
    request_id: str | None = None,
) -> JobDetail:
    """A job for the client from the template's latest version, its stages planned in working time; from
    a deal, the deal's quote (or the deal) is its scope."""
    calendar = office_calendar(ctx)
    with ctx.write() as s:
        client = clients.load_visible(s, ctx.actor, client_id)
        scope: list[LineValues] = []
        currency, quote_id, deal = "", None, None
        if deal_id is not None:
            deal = s.get(Deal, deal_id)
            if deal is None or deal.client_id != client.id:
                raise NotFound("Deal #{deal_id} does not exist (it may have been deleted).", deal_id=deal_id)
            scope, currency, quote_id = scope_of_deal(s, deal)
        version = workflows.latest_version(s, template_id)
        specs = [StageSpec.from_json(x) for x in version.stages]
        manager = users.require_active(
            s, "responsible_id", responsible_id or ctx.actor.user_id, N_("responsible")
        )
        begins = starts or s.info["now"]
        planned = plan(calendar, specs, begins)
        finish = max(due for _, due in planned)  # (an overlapping stage may end before the one it overlaps)
        job = Job(
            client_id=client.id,
            deal_id=deal_id,
            quote_id=quote_id,
            template_version_id=version.id,
            title=v.text(
                "title", title or (deal.title if deal else version.name), N_("Title"), required=True
            ),
            responsible_id=manager,
            status="planned",
            planned_start=begins,
            planned_due=finish,
            forecast_due=finish,
            site_address=client.address,
            scope=[_line_json(x) for x in scope],
            currency=currency,
            stage_count=len(specs),
            current_stage=specs[0].name if specs else "",
            progressed_at=s.info["now"],
            request_id=request_id,
        )
        s.add(job)
        s.flush()
        s.add_all(
            JobStage(
                job_id=job.id,
                position=n,
                name=spec.name,
                responsible_id=spec.responsible_id or manager,
                role=spec.role,
                work_days=spec.work_days,
                work_hours=spec.work_hours,
                effort_hours=spec.effort_hours,
                may_overlap=spec.may_overlap,
                needs_approval=spec.needs_approval,
                # (with no one named, the job's manager approves)
                approver_id=(spec.approver_id or manager) if spec.needs_approval else None,
                checklist=[{"text": item, "done_at": None, "done_by": None} for item in spec.checklist],
                tasks=[t.__dict__ for t in spec.tasks],
                planned_start=stage_start,
                planned_due=stage_due,
                forecast_start=stage_start,
                forecast_due=stage_due,
            )
            for n, (spec, (stage_start, stage_due)) in enumerate(zip(specs, planned, strict=True), start=1)
        )
        event(
            s, ctx, job, Message("Job started: {title} ({template})", title=job.title, template=version.name)
        )
        s.flush()
        return detail(s, job)


# --- the job as a whole ----------------------------------------------------------------------------------


PRIORITIES = ("low", "normal", "high")
EDITABLE = {"title": N_("Title"), "site_address": N_("Site address"), "notes": N_("Notes")}


def update(ctx: ServiceContext, job_id: int, *, expected_version: int, **values: Any) -> JobDetail:
    """The job's title, manager, team, priority, site address and notes."""
    v.known_fields(values, (*EDITABLE, "responsible_id", "priority", "team"), N_("A job"))
    with ctx.write() as s:
        job = load(s, job_id, ctx.actor)
        check_version(job, expected_version, N_("job record"))
        for name, label in EDITABLE.items():
            if name in values:
                text = v.text(name, values[name], label, required=name == "title", max_length=5000)
                setattr(job, name, text)
        if "responsible_id" in values:
            job.responsible_id = users.require_active(
                s, "responsible_id", values["responsible_id"], N_("responsible")
            )
        if "priority" in values:
            job.priority = v.choice("priority", values["priority"], PRIORITIES, N_("Priority"))
        if "team" in values:
            for user_id in values["team"]:
                users.require_active(s, "team", user_id, N_("team member"))
            s.execute(delete(JobPerson).where(JobPerson.job_id == job.id))
            s.add_all(JobPerson(job_id=job.id, user_id=user_id) for user_id in sorted(set(values["team"])))
        s.flush()
        return detail(s, job)


def team(ctx: ServiceContext, job_id: int) -> list[int]:
    """Who else works on the job."""
    with ctx.read() as s:
        load(s, job_id, ctx.actor)
        return list(
            s.scalars(select(JobPerson.user_id).where(JobPerson.job_id == job_id).order_by(JobPerson.user_id))
        )


def set_status(
    ctx: ServiceContext, job_id: int, status: str, *, reason: str = "", expected_version: int | None = None
) -> JobDetail:
    """The job moved on the board: started, put on hold (why), back in progress, finished (every stage
    done, or a reason for those that are not), cancelled (why), or reopened."""
    if status not in STATUSES:
        raise ValidationError(
            "status", "A job's status is one of planned, in progress, on hold, done, cancelled."
        )
    reason = reason.strip()
    with ctx.write() as s:
        job = load(s, job_id, ctx.actor)
        check_version(job, expected_version, N_("job record"))
        if status == job.status:
            return detail(s, job)
        now = s.info["now"]
        if status == "on_hold" and not reason:
            raise ValidationError(
                "reason", "Say why the job is on hold: the client and your colleagues will ask."
            )
        if status == "cancelled" and not reason:
            raise ValidationError("reason", "Say why the job is cancelled: it stays in the client's history.")
        stages = list(
            s.scalars(select(JobStage).where(JobStage.job_id == job.id).order_by(JobStage.position))
        )
        if status == "planned" and any(g.started_at for g in stages):
            raise ValidationError(
                "status", "Work on this job has started: it can be put on hold, not back to planned."
            )
        open_stages = [g for g in stages if g.status != "done"]
        if status == "done" and open_stages and not reason:
            raise ValidationError(
                "stages",
                Message.counted(
                    "{n} stage is not done ({first}). Finish it, or say why the job is done without it.",
                    "{n} stages are not done ({first}…). Finish them, or say why the job is done without "
                    "them.",
                    len(open_stages),
                    first=open_stages[0].name,
                ),
            )
        was = job.status
        job.status = status
        job.hold_reason = reason if status == "on_hold" else ""
        if status == "in_progress" and job.started_at is None:
            job.started_at = now
        job.finished_at = now if status in ("done", "cancelled") else None
        if status == "done":
            for g in open_stages:  # (the reason given covers them)
                g.status, g.done_at, g.override_reason = "done", now, reason
                g.started_at = g.started_at or now
        refresh(ctx, s, job)
        words = {"title": job.title, "before": status_word(was), "after": status_word(status)}
        said = (
            Message("Job {title}: {before} → {after} ({reason})", reason=reason, **words)
            if reason
            else Message("Job {title}: {before} → {after}", **words)
        )
        event(s, ctx, job, said)
        s.flush()
        return detail(s, job)
