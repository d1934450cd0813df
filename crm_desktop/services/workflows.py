"""Workflow templates: the ordered stages of a kind of work the office does again and again, defined
without any notation — each with its planned length in working days or hours, who does it (a person or a
role), a checklist, tasks made when it starts, whether it needs an approval and by whom, and whether it
may start before the stage before it is done.

Each saved definition is a new version; a job keeps the version it started from, so editing a template
never changes a job already running. Administrators and managers define templates (the server too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import TemplateVersion, WorkflowTemplate
from crm_desktop.i18n import N_, gettext
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext, check_version
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError

MAX_STAGES = 50


@dataclass(frozen=True)
class TaskSpec:
    """A task a stage makes when it starts, due `after_hours` working hours later."""

    title: str
    after_hours: int = 8
    assignee_id: int | None = None  # None: the stage's responsible person
    remind_minutes: int | None = None  # before it is due


@dataclass(frozen=True)
class StageSpec:
    name: str
    work_days: int | None = None
    work_hours: Decimal | None = None
    role: str = ""
    responsible_id: int | None = None
    checklist: tuple[str, ...] = ()
    tasks: tuple[TaskSpec, ...] = ()
    needs_approval: bool = False
    approver_id: int | None = None  # None with an approval: the job's manager approves
    may_overlap: bool = False
    # The hours of work a stage planned in days takes over them (None: its whole days): a stage of 20
    # days of hearings is a few hours of work, not twenty full days.
    effort_hours: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "work_days": self.work_days,
            "work_hours": str(self.work_hours) if self.work_hours is not None else None,
            "role": self.role,
            "responsible_id": self.responsible_id,
            "checklist": list(self.checklist),
            "tasks": [t.__dict__ for t in self.tasks],
            "needs_approval": self.needs_approval,
            "approver_id": self.approver_id,
            "may_overlap": self.may_overlap,
            "effort_hours": str(self.effort_hours) if self.effort_hours is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StageSpec:
        hours, effort = data.get("work_hours"), data.get("effort_hours")
        return cls(
            name=data["name"],
            work_days=data.get("work_days"),
            work_hours=Decimal(hours) if hours is not None else None,
            role=data.get("role", ""),
            responsible_id=data.get("responsible_id"),
            checklist=tuple(data.get("checklist", ())),
            tasks=tuple(TaskSpec(**t) for t in data.get("tasks", ())),
            needs_approval=bool(data.get("needs_approval")),
            approver_id=data.get("approver_id"),
            may_overlap=bool(data.get("may_overlap")),
            effort_hours=Decimal(effort) if effort is not None else None,
        )


@dataclass(frozen=True)
class TemplateRow:
    id: int
    name: str
    description: str
    stages: list[StageSpec]
    revision: int
    archived: bool
    version: int
    stage_count: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stage_count", len(self.stages))


def _row(t: WorkflowTemplate) -> TemplateRow:
    stages = [StageSpec.from_json(s) for s in t.stages]
    return TemplateRow(t.id, t.name, t.description, stages, t.revision, t.archived, t.version)


def _require_planner(ctx: ServiceContext) -> None:
    if ctx.actor.role not in ("admin", "manager"):
        raise PermissionDenied("Only a manager or an administrator can change workflow templates.")


def _checked_stages(stages: list[StageSpec]) -> list[dict[str, Any]]:
    if not stages:
        raise ValidationError("stages", "A workflow needs at least one stage.")
    if len(stages) > MAX_STAGES:
        raise ValidationError("stages", "A workflow has at most {n} stages.", n=MAX_STAGES)
    out = []
    for n, stage in enumerate(stages, start=1):
        name = v.text("stages", stage.name, N_("Stage name"), required=True, max_length=200)
        days, hours = stage.work_days, stage.work_hours
        if (
            (days is None) == (hours is None)
            or (days is not None and days < 0)
            or (hours is not None and hours <= 0)
        ):
            raise ValidationError(
                "stages",
                "Stage {n} ({name}): give its length in working days or in working hours.",
                n=n,
                name=name,
            )
        if stage.effort_hours is not None and (
            days is None or not 0 < stage.effort_hours <= 24 * max(days, 1)
        ):
            raise ValidationError(
                "stages",
                "Stage {n} ({name}): the work planned over its days is between 0 and 24 hours a day.",
                n=n,
                name=name,
            )
        if any(not task.title.strip() or task.after_hours < 0 for task in stage.tasks):
            raise ValidationError(
                "stages", "Stage {n} ({name}): give each of its tasks a title and a due time.", n=n, name=name
            )
        out.append({**stage.to_json(), "name": name})
    return out


def list_templates(ctx: ServiceContext, *, archived: bool = False) -> list[TemplateRow]:
    with ctx.read() as s:
        q = select(WorkflowTemplate).order_by(WorkflowTemplate.name)
        if not archived:
            q = q.where(WorkflowTemplate.archived.is_(False))
        return [_row(t) for t in s.scalars(q)]


def get(ctx: ServiceContext, template_id: int) -> TemplateRow:
    with ctx.read() as s:
        return _row(_load(s, template_id))


def _load(s: Session, template_id: int) -> WorkflowTemplate:
    if (t := s.get(WorkflowTemplate, template_id)) is None:
        raise NotFound("Workflow template #{id} does not exist (it may have been deleted).", id=template_id)
    return t


def by_name(ctx: ServiceContext, name: str) -> TemplateRow:
    with ctx.read() as s:
        found = s.scalar(
            select(WorkflowTemplate).where(func.lower(WorkflowTemplate.name) == name.strip().lower())
        )
        if found is None:
            raise NotFound("There is no workflow template named '{name}'.", name=name)
        return _row(found)


def create(ctx: ServiceContext, name: str, stages: list[StageSpec], *, description: str = "") -> TemplateRow:
    _require_planner(ctx)
    name = v.text("name", name, N_("Name"), required=True, max_length=200)
    checked = _checked_stages(stages)
    with ctx.write() as s:
        _refuse_taken(s, name)
        t = WorkflowTemplate(name=name, description=description.strip(), stages=checked, revision=1)
        s.add(t)
        s.flush()
        s.add(
            TemplateVersion(template_id=t.id, number=1, name=name, stages=checked, created_at=s.info["now"])
        )
        s.flush()
        return _row(t)


def _refuse_taken(s: Session, name: str, self_id: int | None = None) -> None:
    taken = s.scalar(
        select(WorkflowTemplate.id).where(
            func.lower(WorkflowTemplate.name) == name.lower(), WorkflowTemplate.id != (self_id or 0)
        )
    )
    if taken is not None:
        raise ValidationError("name", "There is a workflow template named '{name}' already.", name=name)


def update(
    ctx: ServiceContext,
    template_id: int,
    *,
    expected_version: int,
    name: str | None = None,
    description: str | None = None,
    stages: list[StageSpec] | None = None,
    archived: bool | None = None,
) -> TemplateRow:
    """Changed stages are saved as the template's next version (jobs running keep theirs)."""
    _require_planner(ctx)
    with ctx.write() as s:
        t = _load(s, template_id)
        check_version(t, expected_version, N_("workflow template"))
        if name is not None:
            t.name = v.text("name", name, N_("Name"), required=True, max_length=200)
            _refuse_taken(s, t.name, t.id)
        if description is not None:
            t.description = description.strip()
        if archived is not None:
            t.archived = archived
        if stages is not None and (checked := _checked_stages(stages)) != t.stages:
            t.stages = checked
            t.revision += 1
            s.add(
                TemplateVersion(
                    template_id=t.id, number=t.revision, name=t.name, stages=checked, created_at=s.info["now"]
                )
            )
        s.flush()
        return _row(t)


def latest_version(s: Session, template_id: int) -> TemplateVersion:
    """The version a job started now runs on: the template's latest."""
    t = _load(s, template_id)
    version = s.scalar(
        select(TemplateVersion).where(
            TemplateVersion.template_id == t.id, TemplateVersion.number == t.revision
        )
    )
    assert version is not None, "every revision of a template is saved as a version"
    return version


# --- the starter templates ---------------------------------------------------------------------------

# A starter stage: its name, working days or hours, checklist, whether it needs an approval and whether it
# may overlap the stage before (the words marked for the catalogue, put in the office's language); the
# hours of work a stage of days takes, when it is not its whole days.
StarterStage = tuple[str, int | None, str | None, tuple[str, ...], bool, bool, str | None]
STARTERS: tuple[tuple[str, str, tuple[StarterStage, ...]], ...] = (
    (
        N_("Agency order"),
        N_("Creative work from the brief to the act and the invoice."),
        (
            (
                N_("Brief"),
                1,
                None,
                (N_("Goals and audience agreed"), N_("Deadline and budget confirmed")),
                False,
                False,
                None,
            ),
            (N_("Concept"), 3, None, (N_("Two directions prepared"),), False, False, "16"),
            (N_("Client approval"), 2, None, (N_("Concept sent to the client"),), True, False, "2"),
            (
                N_("Production"),
                5,
                None,
                (N_("Materials made"), N_("Internal review done")),
                False,
                False,
                "30",
            ),
            (N_("Delivery"), 1, None, (N_("Files handed over"),), False, False, "3"),
            (
                N_("Act and invoice"),
                1,
                None,
                (N_("Act of work done signed"), N_("Invoice issued")),
                False,
                False,
                "1",
            ),
        ),
    ),
    (
        N_("Repair or service visit"),
        N_("A visit to the client's site, the repair and the check that it works."),
        (
            (N_("Diagnosis"), None, "2", (N_("Fault described"), N_("Parts listed")), False, False, None),
            (N_("Quote approval"), 1, None, (N_("Quote sent"),), True, False, "1"),
            (N_("Repair"), None, "4", (N_("Parts replaced"), N_("Site left clean")), False, False, None),
            (
                N_("Check and hand-over"),
                None,
                "1",
                (N_("Works as it should"), N_("Client signed off")),
                False,
                False,
                None,
            ),
        ),
    ),
    (
        N_("Legal case"),
        N_("A client's case from the first consultation to the decision."),
        (
            (
                N_("Consultation"),
                1,
                None,
                (N_("Agreement signed"), N_("Power of attorney received")),
                False,
                False,
                "2",
            ),
            (
                N_("Documents gathered"),
                5,
                None,
                (N_("Evidence listed"), N_("Copies certified")),
                False,
                True,
                "10",
            ),
            (N_("Claim drafted"), 3, None, (N_("Claim reviewed by a partner"),), True, False, "12"),
            (N_("Filed with the court"), 1, None, (N_("Filing receipt kept"),), False, False, "2"),
            (N_("Hearings"), 20, None, (N_("Hearing dates in the calendar"),), False, False, "16"),
            (
                N_("Decision and closing"),
                2,
                None,
                (N_("Decision sent to the client"), N_("Invoice issued")),
                False,
                False,
                "4",
            ),
        ),
    ),
)


def starter_stages(stages: tuple[StarterStage, ...], language: str) -> list[StageSpec]:
    return [
        StageSpec(
            name=gettext(name, language),
            work_days=days,
            work_hours=Decimal(hours) if hours is not None else None,
            checklist=tuple(gettext(item, language) for item in checklist),
            needs_approval=approval,
            may_overlap=overlap,
            effort_hours=Decimal(effort) if effort is not None else None,
        )
        for name, days, hours, checklist, approval, overlap, effort in stages
    ]


def add_starters(ctx: ServiceContext, language: str) -> int:
    """The three starter templates, named in `language`, those of the same name already there left alone;
    how many were added."""
    known = {t.name.lower() for t in list_templates(ctx, archived=True)}
    added = 0
    for name, description, stages in STARTERS:
        if gettext(name, language).lower() not in known:
            create(
                ctx,
                gettext(name, language),
                starter_stages(stages, language),
                description=gettext(description, language),
            )
            added += 1
    return added
