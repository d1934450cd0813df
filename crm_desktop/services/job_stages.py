"""The stages of a running job: started (making the tasks its template names), checklist items ticked,
done (every item ticked, or a reason for those that are not), blocked with a reason and the person who
may unblock it. A stage that needs an approval is done by its approver (services/approvals.py).

Each change moves the job's forecast (services/jobs.py) and goes on its client's timeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from crm_desktop.db.models import Job, JobStage, Task
from crm_desktop.i18n import N_, Day, Message
from crm_desktop.services import jobs, users
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext, check_version
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.jobs import JobDetail
from crm_desktop.services.work_calendar import of as office_calendar


def load(s: Session, ctx: ServiceContext, stage_id: int) -> tuple[Job, JobStage]:
    stage = s.get(JobStage, stage_id)
    if stage is None:
        raise NotFound("That stage no longer exists: its job may have been deleted.")
    return jobs.load(s, stage.job_id, ctx.actor), stage


def refuse_closed(job: Job) -> None:
    if job.status in ("done", "cancelled"):
        raise ValidationError(
            "status", "The job is {status}: reopen it first.", status=jobs.status_word(job.status)
        )


def begin(s: Session, ctx: ServiceContext, job: Job, stage: JobStage) -> None:
    """The stage under way, with the tasks its template makes, due in working time from now."""
    now = s.info["now"]
    stage.status, stage.started_at = "in_progress", now
    if job.status == "planned":
        job.status, job.started_at = "in_progress", now
    calendar = office_calendar(ctx)
    for n, spec in enumerate(stage.tasks):
        due = calendar.after_working_hours(now, spec.get("after_hours") or 0)
        minutes = spec.get("remind_minutes")
        s.add(
            Task(
                title=spec["title"],
                client_id=job.client_id,
                job_id=job.id,
                assignee_id=spec.get("assignee_id") or stage.responsible_id,
                due_at=due,
                remind_at=due - timedelta(minutes=minutes) if minutes is not None else None,
                origin=f"stage-task:{stage.id}:{n}",
            )
        )


def start_stage(ctx: ServiceContext, stage_id: int, *, expected_version: int | None = None) -> JobDetail:
    with ctx.write() as s:
        job, stage = load(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        refuse_closed(job)
        if stage.status != "waiting":
            raise ValidationError("status", "{stage} has started already.", stage=stage.name)
        begin(s, ctx, job, stage)
        jobs.refresh(ctx, s, job)
        jobs.event(s, ctx, job, Message("Stage started: {stage} of {job}", stage=stage.name, job=job.title))
        s.flush()
        return jobs.detail(s, job)


def tick(ctx: ServiceContext, stage_id: int, item: int, done: bool) -> JobDetail:
    """A checklist item of the stage ticked (or unticked)."""
    with ctx.write() as s:
        job, stage = load(s, ctx, stage_id)
        refuse_closed(job)
        if not 0 <= item < len(stage.checklist):
            raise NotFound("That checklist item no longer exists.")
        checklist = [dict(x) for x in stage.checklist]
        checklist[item].update(
            {"done_at": s.info["now"].isoformat(), "done_by": ctx.actor.user_id}
            if done
            else {"done_at": None, "done_by": None}
        )
        stage.checklist = checklist
        if stage.status == "waiting" and done:
            begin(s, ctx, job, stage)  # (ticking an item is starting the work)
        jobs.refresh(ctx, s, job)
        s.flush()
        return jobs.detail(s, job)


def unticked_refusal(stage: JobStage, override_reason: str) -> None:
    """Refuse to close the stage with unticked items unless a reason is given."""
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


def may_approve(ctx: ServiceContext, stage: JobStage) -> bool:
    return ctx.actor.is_admin or stage.approver_id == ctx.actor.user_id


def finish(s: Session, ctx: ServiceContext, job: Job, stage: JobStage, override_reason: str) -> None:
    """The stage done now (the caller says so on the timeline)."""
    now = s.info["now"]
    stage.status, stage.done_at = "done", now
    stage.started_at = stage.started_at or now
    stage.block_reason, stage.unblocker_id = "", None
    stage.override_reason = override_reason.strip()
    if job.status == "planned":
        job.status, job.started_at = "in_progress", now
    jobs.refresh(ctx, s, job)


def complete_stage(
    ctx: ServiceContext, stage_id: int, *, override_reason: str = "", expected_version: int | None = None
) -> JobDetail:
    """The stage done: every checklist item ticked, or a reason given for what is not. A stage that
    needs an approval is sent for it instead (services/approvals.py), unless its approver closes it."""
    with ctx.write() as s:
        job, stage = load(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        refuse_closed(job)
        if stage.status == "done":
            raise ValidationError("status", "{stage} is done already.", stage=stage.name)
        if stage.needs_approval and not may_approve(ctx, stage):
            raise ValidationError(
                "status",
                "{stage} needs an approval: send it for approval when the work is ready.",
                stage=stage.name,
            )
        unticked_refusal(stage, override_reason)
        finish(s, ctx, job, stage, override_reason)
        jobs.event(s, ctx, job, Message("Stage done: {stage} of {job}", stage=stage.name, job=job.title))
        s.flush()
        return jobs.detail(s, job)


def block(
    ctx: ServiceContext,
    stage_id: int,
    reason: str,
    *,
    unblocker_id: int | None = None,
    expected_version: int | None = None,
) -> JobDetail:
    """The stage cannot go on (waiting for the client's materials…): why, and who may unblock it (the
    job's manager if nobody is named)."""
    with ctx.write() as s:
        job, stage = load(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        refuse_closed(job)
        if stage.status in ("done", "blocked"):
            raise ValidationError(
                "status",
                "{stage} is {status}.",
                stage=stage.name,
                status=jobs.stage_status_word(stage.status),
            )
        why = v.text("reason", reason, N_("Reason"), required=True, max_length=1000)
        stage.unblocker_id = users.require_active(
            s, "unblocker_id", unblocker_id or job.responsible_id, N_("unblocker")
        )
        stage.status, stage.block_reason = "blocked", why
        jobs.refresh(ctx, s, job)
        jobs.event(
            s,
            ctx,
            job,
            Message(
                "Stage blocked: {stage} of {job} ({reason})", stage=stage.name, job=job.title, reason=why
            ),
        )
        s.flush()
        return jobs.detail(s, job)


def unblock(ctx: ServiceContext, stage_id: int, *, expected_version: int | None = None) -> JobDetail:
    """Work on the stage goes on; by the person named when it was blocked, the job's manager, or an
    office manager or administrator."""
    with ctx.write() as s:
        job, stage = load(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        if stage.status != "blocked":
            raise ValidationError("status", "{stage} is not blocked.", stage=stage.name)
        me = ctx.actor.user_id
        if me not in (stage.unblocker_id, job.responsible_id) and ctx.actor.role not in ("admin", "manager"):
            raise PermissionDenied(
                "Only the person named when {stage} was blocked, or a manager, unblocks it.", stage=stage.name
            )
        stage.status = "in_progress" if stage.started_at else "waiting"
        stage.block_reason, stage.unblocker_id = "", None
        jobs.refresh(ctx, s, job)
        jobs.event(s, ctx, job, Message("Stage unblocked: {stage} of {job}", stage=stage.name, job=job.title))
        s.flush()
        return jobs.detail(s, job)


def replan(
    ctx: ServiceContext,
    stage_id: int,
    *,
    responsible_id: int | None,
    planned: tuple[datetime, datetime] | None = None,
    expected_version: int,
) -> int:
    """The stage given to another person, or (not started yet) planned to start and end at other
    moments: by the job's manager, an office manager or an administrator. A stage cannot be planned to
    start before the work it waits for is expected to end."""
    with ctx.write() as s:
        job, stage = load(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        refuse_closed(job)
        if stage.status == "done":
            raise ValidationError("status", "{stage} is done.", stage=stage.name)
        if not jobs.plans(ctx.actor, job.responsible_id):
            raise PermissionDenied("Only the job's manager, or an office manager, plans its stages.")
        stage.responsible_id = users.require_active(s, "responsible_id", responsible_id, N_("responsible"))
        if planned is not None and planned != (stage.planned_start, stage.planned_due):
            if stage.started_at is not None:
                raise ValidationError(
                    "day", "{stage} is under way: its days follow the work done.", stage=stage.name
                )
            stage.planned_start, stage.planned_due = planned
        jobs.refresh(ctx, s, job, progressed=False)
        zone = office_calendar(ctx).zone
        wanted = stage.planned_start.astimezone(zone).date()
        begins = stage.forecast_start.astimezone(zone).date()
        if planned is not None and begins != wanted:
            raise ValidationError(
                "day",
                "{stage} can start on {day} at the soonest, when the work before it is expected to end.",
                stage=stage.name,
                day=Day(begins),
            )
        jobs.event(
            s, ctx, job, Message("Stage planned again: {stage} of {job}", stage=stage.name, job=job.title)
        )
        s.flush()
        return stage.version  # (its new one)
