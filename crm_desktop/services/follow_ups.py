"""Follow-up rules: tasks for what an office forgets most — the new lead nobody called, the invoice
still unpaid after its due date, the deal stuck in its stage, the task left overdue (its assignee's
manager is told once).

Each rule creates at most one task per record, ever: the task's `origin` ("lead:42", "invoice:7",
"escalation:311") is unique in the database, so running the rules on several PCs at once, or again
after a restart, never doubles a task. A task a rule created pops up at once (its reminder is now).
Rules look back a week at most, so switching a rule on (or upgrading an old database) does not
bury the office in tasks about last year's leads; unpaid invoices and stuck deals have no such limit.

A stuck deal is an open deal in a stage with a time limit (`Stage.time_limit_days`) that entered the
stage (services/stage_time.py) that many days ago or more: its owner (else its client's owner, else the
office's owner) gets a task about it, once per stay in the stage ("stuck_deal:{deal}:{stage change}"; a
deal moved out and back in is stuck anew). The manager hears of it as of any task: a stuck-deal task is an
ordinary open task due when it was made, so when it is still open `escalation_hours` later its assignee's
manager gets "Overdue: …" from `_escalations`, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from crm_desktop import i18n
from crm_desktop.db.models import (
    Activity,
    Client,
    CompanyProfile,
    Deal,
    Document,
    Job,
    JobStage,
    Stage,
    StageApproval,
    Task,
    User,
)
from crm_desktop.i18n import N_, Message
from crm_desktop.services import company, jobs, stage_time, visits
from crm_desktop.services import validation as v
from crm_desktop.services.context import OWNER, ServiceContext, company_profile
from crm_desktop.services.errors import PermissionDenied, ServiceError
from crm_desktop.services.invoices import OWED, UNPAID

LOOK_BACK = timedelta(days=7)
LIMITS = {
    "lead_follow_up_hours": (N_("Hours before a new lead gets a follow-up task"), 24 * 30),
    "invoice_follow_up_days": (N_("Days after an invoice's due date"), 365),
    "escalation_hours": (N_("Hours a task may be overdue before the manager is told"), 24 * 30),
    "stuck_job_days": (N_("Days without progress before a job is flagged as stuck"), 365),
}


@dataclass(frozen=True)
class RuleSettings:
    lead_follow_up_hours: int  # 0: the rule is off
    invoice_follow_up_days: int
    escalation_hours: int
    stuck_job_days: int
    version: int  # of the company profile, where they are kept


def settings(ctx: ServiceContext) -> RuleSettings:
    with ctx.read() as s:
        return _settings(company_profile(s))


def _settings(p: CompanyProfile) -> RuleSettings:
    return RuleSettings(
        p.lead_follow_up_hours, p.invoice_follow_up_days, p.escalation_hours, p.stuck_job_days, p.version
    )


def update_settings(ctx: ServiceContext, *, expected_version: int, **values: Any) -> RuleSettings:
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can change the follow-up rules.")
    v.known_fields(values, tuple(LIMITS), N_("The follow-up rules"))
    clean = {
        key: v.positive_int(key, value, LIMITS[key][0], maximum=LIMITS[key][1])
        for key, value in values.items()
    }
    return company.write_profile(ctx, expected_version, clean, _settings)


def run(ctx: ServiceContext) -> int:
    """Apply the rules now; returns how many tasks they created. The jobs' forecasts that time overtook
    are brought up to now first (a stage past its end pushes the ones after it), and the recurring
    visits of the weeks ahead are made (as the days pass, the next ones)."""
    jobs.refresh_stale(ctx)
    visits.make_ahead(ctx)
    try:
        return _run(ctx)
    except ServiceError:
        # Another PC applied the same rule to the same record a moment earlier (its origin is taken):
        # once more, and the records it handled are no longer candidates.
        return _run(ctx)


def _run(ctx: ServiceContext) -> int:
    now = ctx.now()
    with ctx.write() as s:
        profile = company_profile(s)
        rules = _settings(profile)
        # A task's title is what its assignee reads and edits: written once, in the office's language.
        language = profile.language or i18n.current()
        created = [
            *_new_leads(s, now, rules.lead_follow_up_hours, language),
            *_unpaid_invoices(s, ctx, rules.invoice_follow_up_days, language),
            *_stuck_deals(s, now, language),
            *_escalations(s, now, rules.escalation_hours, language),
            *_late_work(s, now, rules.escalation_hours, language),
        ]
        taken = set(s.scalars(select(Task.origin).where(Task.origin.in_([t.origin for t in created]))))
        fresh = [t for t in created if t.origin not in taken]
        for task in fresh:
            task.due_at = task.remind_at = task.alert_at = now
            s.add(task)
        return len(fresh)


def _new_leads(s: Session, now: datetime, hours: int, language: str) -> list[Task]:
    if not hours:
        return []
    deadline = now - timedelta(hours=hours)
    untouched = ~exists().where(Activity.client_id == Client.id)
    rows = s.execute(
        select(Client.id, Client.name, Client.owner_id).where(
            Client.status == "lead",
            Client.created_at <= deadline,
            Client.created_at > deadline - LOOK_BACK,
            untouched,
        )
    )
    return [
        Task(
            title=Message("Contact the new lead {name}", name=name).render(language),
            client_id=cid,
            assignee_id=owner or OWNER.user_id,
            priority="high",
            origin=f"lead:{cid}",
        )
        for cid, name, owner in rows
    ]


def _unpaid_invoices(s: Session, ctx: ServiceContext, days: int, language: str) -> list[Task]:
    if not days:
        return []
    last_due = ctx.today() - timedelta(days=days)
    rows = s.execute(
        select(Document.id, Document.number, Document.client_id, Client.name, Client.owner_id)
        .join(Client, Client.id == Document.client_id)
        .where(Document.kind == "invoice", Document.status.in_(UNPAID), Document.due_date <= last_due, OWED)
    )
    return [
        Task(
            title=Message(
                "Follow up unpaid invoice {number} ({name})", number=number or "#" + str(doc_id), name=name
            ).render(language),
            client_id=cid,
            assignee_id=owner or OWNER.user_id,
            priority="high",
            origin=f"invoice:{doc_id}",
        )
        for doc_id, number, cid, name, owner in rows
    ]


TITLE_LENGTH = 300  # Task.title's: a long deal title in a long stage name is cut, not refused


def _limited_stages(s: Session) -> list[tuple[int, str, int]]:
    """(id, name, days) of the open stages with a time limit: a handful, read first so that the deals'
    query is one indexed condition per stage (`Deal.stage_id`) with its own bound cutoff."""
    rows = s.execute(
        select(Stage.id, Stage.name, Stage.time_limit_days).where(
            Stage.time_limit_days.is_not(None), ~Stage.is_won, ~Stage.is_lost
        )
    )
    return [(sid, name, days) for sid, name, days in rows if days is not None]


def _stuck_deals(s: Session, now: datetime, language: str) -> list[Task]:
    # No look-back here, unlike leads: a stay longer than the limit is told once, however long ago it
    # began — so setting a limit tells of the open deals already past it, one task each. They are few (one
    # per open deal, never again for the same stay), and each is still to act on (move it, close it as
    # lost), where last year's lead is not; a look-back would make a new limit look as if it did nothing.
    stages = _limited_stages(s)
    if not stages:
        return []
    names = {sid: name for sid, name, _ in stages}
    entry = stage_time.entered_stage_at()
    rows = s.execute(
        select(
            Deal.id,
            Deal.title,
            Deal.client_id,
            Deal.stage_id,
            func.coalesce(Deal.owner_id, Client.owner_id),
            entry.at,
            entry.change_id,
        )
        .join(Client, Client.id == Deal.client_id)  # (on a server: a deal this PC's user sees)
        .where(Deal.outcome == "open", stage_time.stayed_longer({sid: days for sid, _, days in stages}, now))
        .order_by(Deal.id)
    )
    return [
        Task(
            title=Message.counted(
                "The deal '{title}' has been in the stage '{stage}' for {n} day",
                "The deal '{title}' has been in the stage '{stage}' for {n} days",
                (now - entered).days,
                title=title,
                stage=names[stage_id],
            ).render(language)[:TITLE_LENGTH],
            client_id=cid,
            deal_id=deal_id,
            assignee_id=owner or OWNER.user_id,
            priority="high",
            origin=f"stuck_deal:{deal_id}:{change_id or 0}",  # one per stay in the stage
        )
        for deal_id, title, cid, stage_id, owner, entered, change_id in rows
    ]


def _escalations(s: Session, now: datetime, hours: int, language: str) -> list[Task]:
    if not hours:
        return []
    deadline = now - timedelta(hours=hours)
    assignee = aliased(User)
    rows = s.execute(
        select(Task.id, Task.title, Task.client_id, assignee.display_name, assignee.manager_id)
        .join(assignee, assignee.id == Task.assignee_id)
        .where(
            Task.status == "open",
            Task.due_at <= deadline,
            Task.due_at > deadline - LOOK_BACK,
            Task.escalated_at.is_(None),
            assignee.manager_id.is_not(None),
            (Task.origin.is_(None)) | ~Task.origin.startswith("escalation:"),
        )
    ).all()
    # Marked without a new version: telling the manager is no edit of the assignee's task.
    _mark_handled(s, Task.escalated_at, [r[0] for r in rows], now)
    return [
        Task(
            title=Message("Overdue: {title} ({who})", title=title, who=who).render(language),
            client_id=cid,
            assignee_id=manager,
            priority="high",
            origin=f"escalation:{task_id}",
        )
        for task_id, title, cid, who, manager in rows
    ]


@dataclass(frozen=True)
class _LateWork:
    """A kind of job work that can be late — a stage past its due time, an approval unanswered past its
    own: its person is told at once, the job's manager when the office's grace period is over too. Each
    once, ever (the row is marked and the task's origin names it), whichever PC gets there first."""

    origin: str  # "{origin}:{id}" names the task for its person,
    manager_origin: str  # "{manager_origin}:{id}" the one for the job's manager
    rows: Select  # labelled: id, stage, person, job, client_id, manager, job_id
    due: Any
    person_told: Any
    manager_told: Any
    tells_person: Callable[[str, str], Message]
    tells_manager: Callable[[str, str, Decimal], Message]


def _late_kinds() -> tuple[_LateWork, ...]:
    job = (
        Job.title.label("job"),
        Job.client_id,
        Job.responsible_id.label("manager"),
        Job.id.label("job_id"),
    )
    return (
        _LateWork(
            "stage",
            "stage-manager",
            select(JobStage.id, JobStage.name.label("stage"), JobStage.responsible_id.label("person"), *job)
            .join(Job, Job.id == JobStage.job_id)
            .where(JobStage.status != "done", Job.status.in_(("planned", "in_progress"))),
            JobStage.planned_due,
            JobStage.escalated_at,
            JobStage.manager_escalated_at,
            lambda stage, job: Message("Late: {stage} of {job}", stage=stage, job=job),
            lambda stage, job, hours: Message(
                "Late for {hours} h: {stage} of {job}", stage=stage, job=job, hours=hours
            ),
        ),
        _LateWork(
            "approval-late",
            "approval-manager",
            select(StageApproval.id, JobStage.name.label("stage"), JobStage.approver_id.label("person"), *job)
            .join(JobStage, JobStage.id == StageApproval.stage_id)
            .join(Job, Job.id == JobStage.job_id)
            .where(StageApproval.decision.is_(None)),
            StageApproval.due_at,
            StageApproval.escalated_at,
            StageApproval.manager_escalated_at,
            lambda stage, job: Message("Waiting for your approval: {stage} of {job}", stage=stage, job=job),
            lambda stage, job, hours: Message(
                "Approval late for {hours} h: {stage} of {job}", stage=stage, job=job, hours=hours
            ),
        ),
    )


def _late_work(s: Session, now: datetime, hours: int, language: str) -> list[Task]:
    out: list[Task] = []
    for kind in _late_kinds():
        for r in _newly_late(s, kind, kind.person_told, now, now):
            said = kind.tells_person(r.stage, r.job)
            out.append(_late_task(r, r.person, f"{kind.origin}:{r.id}", said, language))
        if hours:
            for r in _newly_late(s, kind, kind.manager_told, now - timedelta(hours=hours), now):
                said = kind.tells_manager(r.stage, r.job, Decimal(hours))
                out.append(_late_task(r, r.manager, f"{kind.manager_origin}:{r.id}", said, language))
    return out


def _newly_late(s: Session, kind: _LateWork, marked: Any, due_by: datetime, now: datetime) -> Sequence[Any]:
    """The rows of `kind` due by `due_by` that `marked` does not say were handled, marked now."""
    rows = s.execute(
        kind.rows.join(Client, Client.id == Job.client_id).where(
            kind.due <= due_by, marked.is_(None)
        )  # (on a server: a client this PC's user sees)
    ).all()
    _mark_handled(s, marked, [r.id for r in rows], now)
    return rows


def _first_due(s: Session, kind: _LateWork, marked: Any, after: datetime) -> datetime | None:
    """When the first row of `kind` due after `after` that `marked` does not say was handled is due."""
    return s.scalar(kind.rows.with_only_columns(func.min(kind.due)).where(marked.is_(None), kind.due > after))


def _late_task(r: Any, person: int | None, origin: str, said: Message, language: str) -> Task:
    return Task(
        title=said.render(language),
        client_id=r.client_id,
        assignee_id=person or OWNER.user_id,
        priority="high",
        origin=origin,
        job_id=r.job_id,
    )


def _mark_handled(s: Session, column: Any, ids: list[int], now: datetime) -> None:
    """`column` (a `…_at` saying a rule handled the record) set to now on the records `ids`, in one
    statement and without a new version, so that nobody's open form of the record goes stale."""
    if ids:
        table = column.class_
        s.execute(
            update(table)
            .where(table.id.in_(ids))
            .values({column.key: now})
            .execution_options(synchronize_session=False)
        )


def next_deadline(ctx: ServiceContext) -> datetime | None:
    """When a rule will next have something to do (the scheduler's timer covers this too)."""
    now = ctx.now()
    with ctx.read() as s:
        rules = _settings(company_profile(s))
        moments = []
        if rules.lead_follow_up_hours:
            span = timedelta(hours=rules.lead_follow_up_hours)
            first = s.scalar(
                select(func.min(Client.created_at)).where(
                    Client.status == "lead", Client.created_at > now - span
                )
            )
            moments.append(first and first + span)
        if rules.invoice_follow_up_days:
            span = timedelta(days=rules.invoice_follow_up_days)
            first_due = s.scalar(
                select(func.min(Document.due_date)).where(
                    Document.kind == "invoice",
                    Document.status.in_(UNPAID),
                    Document.due_date > ctx.today() - span,
                )
            )
            # Due on day D means followed up at the start of day D + span, in the office's zone.
            moments.append(
                datetime.combine(first_due + span, time()).replace(tzinfo=ctx.zone()) if first_due else None
            )
        if rules.escalation_hours:
            span = timedelta(hours=rules.escalation_hours)
            first = s.scalar(
                select(func.min(Task.due_at)).where(
                    Task.status == "open", Task.escalated_at.is_(None), Task.due_at > now - span
                )
            )
            moments.append(first and first + span)
            for kind in _late_kinds():
                first = _first_due(s, kind, kind.manager_told, now - span)
                moments.append(first and first + span)
        moments += [_first_due(s, kind, kind.person_told, now) for kind in _late_kinds()]
        moments.append(_first_stuck(s, now))
    found = [m for m in moments if m is not None]
    return min(found) if found else None


def _first_stuck(s: Session, now: datetime) -> datetime | None:
    """When the next open deal will have been in its stage as long as the stage's limit (those already past
    it are the rules' now). One grouped query over the open deals of the limited stages; a limit set or
    changed is seen at the scheduler's next look (within minutes), as every rule's records are."""
    stages = _limited_stages(s)
    if not stages:
        return None
    limits = {sid: days for sid, _, days in stages}
    entry = stage_time.entered_stage_at()
    not_yet = or_(
        *(and_(Deal.stage_id == sid, entry.at > now - timedelta(days=days)) for sid, days in limits.items())
    )
    firsts = s.execute(
        select(Deal.stage_id, func.min(entry.at))
        .where(Deal.outcome == "open", not_yet)
        .group_by(Deal.stage_id)
    )
    moments = [first + timedelta(days=limits[sid]) for sid, first in firsts if first is not None]
    return min(moments) if moments else None
