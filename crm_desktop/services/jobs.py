"""Jobs: the work done for a client after the sale, in the stages of a workflow template.

Starting a job copies the stages of the template's latest version and plans them in the office's working
time (services/work_calendar.py): each stage starts when the one before is planned to end (or with it, if
it may overlap) and lasts its working days or hours. As the work goes, the forecast follows it: a stage
not done cannot end before now, and the stages after a late one move with it — planned stays as it was,
so the two can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from crm_desktop.db.models import Client, Job, JobPerson, JobStage, TemplateVersion, User
from crm_desktop.i18n import N_, Message
from crm_desktop.services import clients, users, workflows
from crm_desktop.services import validation as v
from crm_desktop.services.context import Actor, ServiceContext, check_version
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.work_calendar import OfficeCalendar
from crm_desktop.services.work_calendar import of as office_calendar
from crm_desktop.services.workflows import StageSpec


@dataclass(frozen=True)
class StageRow:
    id: int
    position: int
    name: str
    status: str
    responsible_id: int | None
    work_days: int | None
    work_hours: Decimal | None
    may_overlap: bool
    needs_approval: bool
    checklist: list[dict[str, Any]]
    planned_start: datetime
    planned_due: datetime
    forecast_start: datetime
    forecast_due: datetime
    started_at: datetime | None
    done_at: datetime | None
    version: int

    @property
    def late(self) -> bool:
        return self.forecast_due > self.planned_due


@dataclass(frozen=True)
class JobDetail:
    id: int
    client_id: int
    title: str
    status: str
    responsible_id: int | None
    template_version_id: int | None
    planned_start: datetime
    planned_due: datetime
    forecast_due: datetime
    version: int
    stages: list[StageRow]


def _stage_row(g: JobStage) -> StageRow:
    return StageRow(
        g.id, g.position, g.name, g.status, g.responsible_id, g.work_days, g.work_hours, g.may_overlap,
        g.needs_approval, list(g.checklist), g.planned_start, g.planned_due, g.forecast_start, g.forecast_due,
        g.started_at, g.done_at, g.version,
    )  # fmt: skip


def _detail(s: Session, job: Job) -> JobDetail:
    stages = s.scalars(select(JobStage).where(JobStage.job_id == job.id).order_by(JobStage.position))
    return JobDetail(
        job.id, job.client_id, job.title, job.status, job.responsible_id, job.template_version_id,
        job.planned_start, job.planned_due, job.forecast_due, job.version, [_stage_row(g) for g in stages],
    )  # fmt: skip


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

    @property
    def days_late(self) -> int:
        """Calendar days the forecast is past the plan (0: on time)."""
        return max((self.forecast_due - self.planned_due).days, 0)


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """Administrators see every job; others the jobs of the clients they see and the jobs they work on
    (responsible, in its team, given a stage to do or approve) — as the server's policy says (0012)."""
    if actor.is_admin:
        return true()
    works = or_(
        Job.responsible_id == actor.user_id,
        exists().where(JobPerson.job_id == Job.id, JobPerson.user_id == actor.user_id),
        exists().where(
            JobStage.job_id == Job.id,
            or_(JobStage.responsible_id == actor.user_id, JobStage.approver_id == actor.user_id),
        ),
    )
    seen_client = exists().where(Client.id == Job.client_id, clients.visible_to(actor))
    return or_(seen_client, works)


OPEN = ("planned", "in_progress", "on_hold")


def list_jobs(ctx: ServiceContext, *, late: bool = False, open_only: bool = True) -> list[JobRow]:
    """The jobs this user sees, the soonest expected first; `late`: only those behind their plan."""
    manager = aliased(User)
    q = (
        select(Job, Client.name, manager.display_name, TemplateVersion.name)
        .join(Client, Client.id == Job.client_id)
        .outerjoin(manager, manager.id == Job.responsible_id)
        .outerjoin(TemplateVersion, TemplateVersion.id == Job.template_version_id)
        .where(visible_to(ctx.actor))
        .order_by(Job.forecast_due, Job.id)
    )
    if open_only:
        q = q.where(Job.status.in_(OPEN))
    if late:
        q = q.where(Job.forecast_due > Job.planned_due)
    with ctx.read() as s:
        return [
            JobRow(
                j.id,
                j.title,
                j.client_id,
                client,
                j.status,
                who or "",
                template or "",
                j.planned_due,
                j.forecast_due,
            )
            for j, client, who, template in s.execute(q)
        ]


def _ends(calendar: OfficeCalendar, start: datetime, days: int | None, hours: Decimal | None) -> datetime:
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
        out.append((begins, _ends(calendar, begins, stage.work_days, stage.work_hours)))
    return out


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
    """A job for the client from the template's latest version, its stages planned in working time."""
    calendar = office_calendar(ctx)
    with ctx.write() as s:
        client = clients.load_visible(s, ctx.actor, client_id)
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
            template_version_id=version.id,
            title=v.text("title", title or f"{version.name} — {client.name}", N_("Title"), required=True),
            responsible_id=manager,
            status="planned",
            planned_start=begins,
            planned_due=finish,
            forecast_due=finish,
            site_address=client.address,
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
                may_overlap=spec.may_overlap,
                needs_approval=spec.needs_approval,
                approver_id=spec.approver_id,
                checklist=[{"text": item, "done_at": None, "done_by": None} for item in spec.checklist],
                tasks=[t.__dict__ for t in spec.tasks],
                planned_start=stage_start,
                planned_due=stage_due,
                forecast_start=stage_start,
                forecast_due=stage_due,
            )
            for n, (spec, (stage_start, stage_due)) in enumerate(zip(specs, planned, strict=True), start=1)
        )
        s.flush()
        return _detail(s, job)


def get(ctx: ServiceContext, job_id: int) -> JobDetail:
    with ctx.read() as s:
        return _detail(s, _load(s, job_id, ctx.actor))


def _load(s: Session, job_id: int, actor: Actor | None = None) -> Job:
    job = s.scalar(select(Job).where(Job.id == job_id, visible_to(actor) if actor is not None else true()))
    if job is None:
        raise NotFound("Job #{id} does not exist (it may have been deleted).", id=job_id)
    return job


def _stage(s: Session, ctx: ServiceContext, stage_id: int) -> tuple[Job, JobStage]:
    stage = s.get(JobStage, stage_id)
    if stage is None:
        raise NotFound("That stage no longer exists: its job may have been deleted.")
    return _load(s, stage.job_id, ctx.actor), stage


def reforecast(calendar: OfficeCalendar, job: Job, stages: list[JobStage], now: datetime) -> None:
    """The stages' forecast from what is done and from now: a stage not done ends no sooner than now,
    and each one after it starts when it ends (or with it, if it may overlap)."""
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
            stage.forecast_due = max(_ends(calendar, begins, stage.work_days, stage.work_hours), now)
        previous = stage
    job.forecast_due = max((g.forecast_due for g in stages), default=job.planned_due)


def _refresh(ctx: ServiceContext, s: Session, job: Job) -> None:
    stages = list(s.scalars(select(JobStage).where(JobStage.job_id == job.id).order_by(JobStage.position)))
    reforecast(office_calendar(ctx), job, stages, s.info["now"])


def refresh_forecast(ctx: ServiceContext, job_id: int) -> JobDetail:
    """The job's forecast brought up to now (the scheduler does it as time passes)."""
    with ctx.write() as s:
        job = _load(s, job_id, ctx.actor)
        _refresh(ctx, s, job)
        s.flush()
        return _detail(s, job)


def start_stage(ctx: ServiceContext, stage_id: int, *, expected_version: int | None = None) -> JobDetail:
    with ctx.write() as s:
        job, stage = _stage(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        if stage.status != "waiting":
            raise ValidationError("status", "{stage} has started already.", stage=stage.name)
        stage.status, stage.started_at = "in_progress", s.info["now"]
        if job.status == "planned":
            job.status, job.started_at = "in_progress", s.info["now"]
        _refresh(ctx, s, job)
        s.flush()
        return _detail(s, job)


def tick(ctx: ServiceContext, stage_id: int, item: int, done: bool) -> JobDetail:
    """A checklist item of the stage ticked (or unticked)."""
    with ctx.write() as s:
        job, stage = _stage(s, ctx, stage_id)
        if not 0 <= item < len(stage.checklist):
            raise NotFound("That checklist item no longer exists.")
        checklist = [dict(x) for x in stage.checklist]
        checklist[item].update(
            {"done_at": s.info["now"].isoformat(), "done_by": ctx.actor.user_id}
            if done
            else {"done_at": None, "done_by": None}
        )
        stage.checklist = checklist
        s.flush()
        return _detail(s, job)


def complete_stage(
    ctx: ServiceContext, stage_id: int, *, override_reason: str = "", expected_version: int | None = None
) -> JobDetail:
    """The stage done: every checklist item ticked, or a reason given for what is not."""
    with ctx.write() as s:
        job, stage = _stage(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        if stage.status == "done":
            raise ValidationError("status", "{stage} is done already.", stage=stage.name)
        open_items = [x["text"] for x in stage.checklist if not x.get("done_at")]
        if open_items and not override_reason.strip():
            raise ValidationError(
                "checklist",
                Message.counted(
                    "{stage} still has {n} unticked checklist item ({first}). Tick it, or say why the stage "
                    "is done without it.",
                    "{stage} still has {n} unticked checklist items ({first}…). Tick them, or say why the "
                    "stage is done without them.",
                    len(open_items),
                    stage=stage.name,
                    first=open_items[0],
                ),
            )
        now = s.info["now"]
        stage.status, stage.done_at = "done", now
        stage.started_at = stage.started_at or now
        stage.override_reason = override_reason.strip()
        if job.status == "planned":
            job.status, job.started_at = "in_progress", now
        _refresh(ctx, s, job)
        s.flush()
        return _detail(s, job)
