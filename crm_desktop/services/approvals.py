"""Approvals ("visa"): the person doing a stage that needs one sends it for approval when the work is
ready; its approver gets a task that pops up at once and answers — approved (the stage is done) or
rejected with a comment (the stage goes back to work). Each request and answer is kept with the stage,
on the client's timeline and in the audit log. Only the stage's approver or an administrator answers
(on a server the database refuses anyone else, migration 0013).

An unanswered request is due a working day after it was sent; past that the follow-up rules remind the
approver, and after the office's grace period the job's manager (services/follow_ups.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from crm_desktop.db.models import Job, JobStage, StageApproval, Task, User
from crm_desktop.i18n import N_, Message
from crm_desktop.services import job_stages, jobs
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext, check_version, company_profile
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.jobs import JobDetail
from crm_desktop.services.work_calendar import of as office_calendar


@dataclass(frozen=True)
class Pending:
    """An approval waiting for this user's answer."""

    id: int
    stage_id: int
    stage_name: str
    job_id: int
    job_title: str
    requested_by: str
    requested_at: datetime
    due_at: datetime
    note: str


def request(
    ctx: ServiceContext,
    stage_id: int,
    *,
    note: str = "",
    override_reason: str = "",
    expected_version: int | None = None,
) -> JobDetail:
    """The stage's work is ready: its approver is asked (a task that pops up now)."""
    with ctx.write() as s:
        job, stage = job_stages.load(s, ctx, stage_id)
        check_version(stage, expected_version, N_("stage"))
        if not stage.needs_approval:
            raise ValidationError("status", "{stage} needs no approval: mark it done.", stage=stage.name)
        if stage.status not in ("waiting", "in_progress"):
            raise ValidationError(
                "status",
                "{stage} is {status}.",
                stage=stage.name,
                status=jobs.stage_status_word(stage.status),
            )
        job_stages.refuse_closed(job)
        job_stages.unticked_refusal(stage, override_reason)
        if stage.status == "waiting":  # (sending it is doing it: its tasks are made, the job is under way)
            job_stages.begin(s, ctx, job, stage)
        now = s.info["now"]
        calendar = office_calendar(ctx)
        approval = StageApproval(
            stage_id=stage.id,
            requested_by=ctx.actor.user_id,
            requested_at=now,
            due_at=calendar.after_working_hours(now, calendar.hours_a_day),
            note=v.text("note", note, N_("Note"), max_length=2000),
            comment="",
        )
        s.add(approval)
        stage.status = "awaiting_approval"
        stage.override_reason = override_reason.strip()
        s.flush()
        language = company_profile(s).language or None
        s.add(
            Task(
                title=Message("Approve: {stage} of {job}", stage=stage.name, job=job.title).render(language),
                description=approval.note,
                client_id=job.client_id,
                job_id=job.id,
                assignee_id=stage.approver_id,
                priority="high",
                due_at=now,
                remind_at=now,
                alert_at=now,
                origin=f"approval:{approval.id}",
            )
        )
        jobs.refresh(ctx, s, job)
        jobs.event(
            s, ctx, job, Message("Sent for approval: {stage} of {job}", stage=stage.name, job=job.title)
        )
        s.flush()
        return jobs.detail(s, job)


def decide(ctx: ServiceContext, approval_id: int, approved: bool, *, comment: str = "") -> JobDetail:
    """The approver's answer: approved, the stage is done; rejected (say why), it goes back to work."""
    with ctx.write() as s:
        approval = s.get(StageApproval, approval_id)
        if approval is None:
            raise NotFound("That approval request no longer exists: its job may have been deleted.")
        job, stage = job_stages.load(s, ctx, approval.stage_id)
        if not job_stages.may_approve(ctx, stage):
            raise PermissionDenied("Only the stage's approver or an administrator answers this approval.")
        if approval.decision is not None:
            raise ValidationError("decision", "This approval was answered already.")
        why = v.text("comment", comment, N_("Comment"), required=not approved, max_length=2000)
        now = s.info["now"]
        approval.decision = "approved" if approved else "rejected"
        approval.decided_by, approval.decided_at, approval.comment = ctx.actor.user_id, now, why
        s.execute(
            update(Task)
            .where(Task.origin == f"approval:{approval.id}", Task.status == "open")
            .values(status="done", completed_at=now)
        )
        words = {"stage": stage.name, "job": job.title}
        if approved:
            job_stages.finish(s, ctx, job, stage, stage.override_reason)
            said = (
                Message("Approved: {stage} of {job} ({comment})", comment=why, **words)
                if why
                else Message("Approved: {stage} of {job}", **words)
            )
        else:
            stage.status = "in_progress"
            jobs.refresh(ctx, s, job)
            said = Message("Rejected: {stage} of {job} ({comment})", comment=why, **words)
        jobs.event(s, ctx, job, said)
        s.flush()
        return jobs.detail(s, job)


def pending(ctx: ServiceContext) -> list[Pending]:
    """The approvals waiting for this user's answer, the oldest first."""
    asker = aliased(User)
    with ctx.read() as s:
        rows = s.execute(
            select(StageApproval, JobStage.name, Job.id, Job.title, asker.display_name)
            .join(JobStage, JobStage.id == StageApproval.stage_id)
            .join(Job, Job.id == JobStage.job_id)
            .outerjoin(asker, asker.id == StageApproval.requested_by)
            .where(StageApproval.decision.is_(None), JobStage.approver_id == ctx.actor.user_id)
            .order_by(StageApproval.requested_at, StageApproval.id)
        )
        return [
            Pending(a.id, a.stage_id, stage, job_id, title, who or "", a.requested_at, a.due_at, a.note)
            for a, stage, job_id, title, who in rows
        ]
