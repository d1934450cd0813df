"""Pipelines and their ordered stages: a deal moves through the stages of its pipeline (services/deals.py).

Every pipeline keeps a won and a lost stage, which close deals, and at least one open stage, where new
deals start; a stage or pipeline that still holds deals is not deleted. A stage may have a time limit: the
days an open deal may stay in it before its owner is told it is stuck (services/follow_ups.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import EllipsisType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop import i18n
from crm_desktop.db.models import Deal, Pipeline, Stage
from crm_desktop.i18n import N_, Message
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext, check_version, company_profile
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError

# The names an office starts with, in English (the catalogue's ids): the pipeline and stages migration 0001
# ships (the migration keeps its own copy, as history does), and a new pipeline's stages. They are put into
# the office's language when it is chosen (starting_names_in), as long as nobody has renamed them.
# translators: the pipeline of deals every office starts with
SALES = N_("Sales")
STARTING_STAGES = (  # (name, probability, is_won, is_lost) in order, as migration 0001 ships them
    # translators: the stages a deal goes through, in the pipeline every office starts with
    (N_("New"), 10, False, False),
    (N_("Qualified"), 25, False, False),
    (N_("Proposal"), 50, False, False),
    (N_("Negotiation"), 75, False, False),
    (N_("Won"), 100, True, False),
    (N_("Lost"), 0, False, True),
)
DEFAULT_STAGES = STARTING_STAGES[:3] + STARTING_STAGES[4:]  # a new pipeline's: all but Negotiation
MAX_TIME_LIMIT_DAYS = 365  # a stage's time limit: 1 to this many days, or none


@dataclass(frozen=True)
class StageRow:
    id: int
    pipeline_id: int
    name: str
    position: int
    probability: int
    is_won: bool
    is_lost: bool
    version: int
    time_limit_days: int | None  # days an open deal may stay in it; None: no limit


@dataclass(frozen=True)
class PipelineRow:
    id: int
    name: str
    position: int
    stages: tuple[StageRow, ...]
    version: int


def stage_row(st: Stage) -> StageRow:
    return StageRow(
        st.id,
        st.pipeline_id,
        st.name,
        st.position,
        st.probability,
        st.is_won,
        st.is_lost,
        st.version,
        st.time_limit_days,
    )


def pipeline_row(p: Pipeline) -> PipelineRow:
    return PipelineRow(p.id, p.name, p.position, tuple(stage_row(st) for st in p.stages), p.version)


def list_pipelines(ctx: ServiceContext) -> list[PipelineRow]:
    with ctx.read() as s:
        return [pipeline_row(p) for p in s.scalars(select(Pipeline).order_by(Pipeline.position, Pipeline.id))]


def load(s: Session, pipeline_id: int) -> Pipeline:
    p = s.get(Pipeline, pipeline_id)
    if p is None:
        raise NotFound(
            "Pipeline #{pipeline_id} does not exist (it may have been deleted).", pipeline_id=pipeline_id
        )
    return p


def load_stage(s: Session, stage_id: int) -> Stage:
    st = s.get(Stage, stage_id)
    if st is None:
        raise NotFound("Stage #{stage_id} does not exist (it may have been deleted).", stage_id=stage_id)
    return st


def _require_admin(ctx: ServiceContext) -> None:
    """The pipelines are the office's: what a stage is called and how likely it wins weigh in everyone's
    figures (the weighted pipeline, the funnel), so only an administrator changes them."""
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator changes the pipelines and their stages.")


def _unique_pipeline_name(s: Session, name: str, self_id: int | None = None) -> str:
    name = v.text("name", name, N_("The pipeline name"), required=True, max_length=200)
    other = s.scalar(select(Pipeline.id).where(func.lower(Pipeline.name) == name.lower()))
    if other is not None and other != self_id:
        raise ValidationError(
            "name", "There is already a pipeline called '{name}'. Choose another name.", name=name
        )
    return name


def create_pipeline(ctx: ServiceContext, name: str) -> PipelineRow:
    _require_admin(ctx)
    with ctx.write() as s:
        position = (s.scalar(select(func.max(Pipeline.position))) or 0) + 1
        p = Pipeline(name=_unique_pipeline_name(s, name), position=position)
        language = company_profile(s).language or i18n.current()  # the office's, as its starting ones
        p.stages = [
            Stage(name=i18n.gettext(n, language), position=i, probability=pr, is_won=won, is_lost=lost)
            for i, (n, pr, won, lost) in enumerate(DEFAULT_STAGES)
        ]
        s.add(p)
        s.flush()
        return pipeline_row(p)


def rename_pipeline(
    ctx: ServiceContext, pipeline_id: int, name: str, *, expected_version: int
) -> PipelineRow:
    _require_admin(ctx)
    with ctx.write() as s:
        p = load(s, pipeline_id)
        check_version(p, expected_version, N_("pipeline"))
        p.name = _unique_pipeline_name(s, name, pipeline_id)
        s.flush()
        return pipeline_row(p)


def delete_pipeline(ctx: ServiceContext, pipeline_id: int) -> None:
    _require_admin(ctx)
    with ctx.write() as s:
        p = load(s, pipeline_id)
        if s.scalar(select(func.count()).select_from(Pipeline)) == 1:
            raise ValidationError("pipeline", "This is the only pipeline; deals need at least one.")
        if s.scalar(select(func.count()).select_from(Deal).where(Deal.pipeline_id == pipeline_id)):
            raise ValidationError(
                "pipeline", "Pipeline '{name}' still has deals. Move or delete them first.", name=p.name
            )
        for st in p.stages:
            s.delete(st)
        s.delete(p)


def _probability(value: object) -> int:
    return v.positive_int("probability", value, N_("The probability"), maximum=100)


def _time_limit(value: object) -> int | None:
    """None (no limit) or a whole number of days from 1 to MAX_TIME_LIMIT_DAYS."""
    if value is None:
        return None
    label = N_("The stage's time limit")
    try:
        days = int(value)  # type: ignore[call-overload]  # any object: what int() refuses is caught
    except (TypeError, ValueError):
        raise ValidationError(
            "time_limit_days",
            "{label} must be a whole number (got '{value}').",
            label=v.label_of(label),
            value=value,
        ) from None
    if not 1 <= days <= MAX_TIME_LIMIT_DAYS:
        raise ValidationError(
            "time_limit_days",
            "{label} must be between 1 and {maximum} days, or no limit (got {number}).",
            label=v.label_of(label),
            maximum=MAX_TIME_LIMIT_DAYS,
            number=days,
        )
    return days


def add_stage(
    ctx: ServiceContext,
    pipeline_id: int,
    name: str,
    *,
    probability: int = 0,
    position: int | None = None,
    time_limit_days: int | None = None,
) -> StageRow:
    """A new open stage, by default just before the won/lost stages; `time_limit_days`: see update_stage."""
    _require_admin(ctx)
    with ctx.write() as s:
        p = load(s, pipeline_id)
        stage = Stage(
            name=v.text("name", name, N_("The stage name"), required=True, max_length=200),
            probability=_probability(probability),
            time_limit_days=_time_limit(time_limit_days),
        )
        stages = list(p.stages)
        if position is None:
            position = next((i for i, st in enumerate(stages) if st.is_won or st.is_lost), len(stages))
        stages.insert(max(0, min(position, len(stages))), stage)
        p.stages = stages
        _renumber(stages)
        s.flush()
        return stage_row(stage)


def _renumber(stages: Sequence[Stage]) -> None:
    for i, st in enumerate(stages):
        if st.position != i:
            st.position = i


def update_stage(
    ctx: ServiceContext,
    stage_id: int,
    *,
    expected_version: int,
    name: str | None = None,
    probability: int | None = None,
    time_limit_days: int | None | EllipsisType = ...,
) -> StageRow:
    """Change what is given: the name, the probability, the time limit (the days an open deal may stay in
    the stage before its owner gets a task about it; None: no limit; not given: as it was)."""
    _require_admin(ctx)
    with ctx.write() as s:
        st = load_stage(s, stage_id)
        check_version(st, expected_version, N_("stage"))
        if name is not None:
            st.name = v.text("name", name, N_("The stage name"), required=True, max_length=200)
        if probability is not None:
            st.probability = _probability(probability)
        if not isinstance(time_limit_days, EllipsisType):
            st.time_limit_days = _time_limit(time_limit_days)
        s.flush()
        return stage_row(st)


def reorder_stages(ctx: ServiceContext, pipeline_id: int, stage_ids: Sequence[int]) -> PipelineRow:
    _require_admin(ctx)
    with ctx.write() as s:
        p = load(s, pipeline_id)
        by_id = {st.id: st for st in p.stages}
        if sorted(stage_ids) != sorted(by_id):
            raise ValidationError(
                "stages", "The new order must list every stage of the pipeline exactly once."
            )
        _renumber([by_id[i] for i in stage_ids])
        s.flush()
        s.refresh(p, ["stages"])
        return pipeline_row(p)


def delete_stage(ctx: ServiceContext, stage_id: int) -> None:
    _require_admin(ctx)
    with ctx.write() as s:
        st = load_stage(s, stage_id)
        n = s.scalar(select(func.count()).select_from(Deal).where(Deal.stage_id == stage_id))
        if n:
            raise ValidationError(
                "stage",
                Message.counted(
                    "Stage '{name}' still has {n} deal. Move it to another stage first.",
                    "Stage '{name}' still has {n} deals. Move them to another stage first.",
                    n,
                    name=st.name,
                ),
            )
        if st.is_won or st.is_lost:
            raise ValidationError("stage", "The won and lost stages close deals; a pipeline keeps them.")
        pipeline = st.pipeline
        if sum(1 for x in pipeline.stages if not (x.is_won or x.is_lost)) == 1:
            raise ValidationError(
                "stage",
                "'{name}' is the only open stage, where new deals start. "
                "Add another stage before deleting this one.",
                name=st.name,
            )
        s.delete(st)
        s.flush()
        _renumber([x for x in pipeline.stages if x.id != stage_id])


def starting_names_in(s: Session, language: str, previous: Iterable[str]) -> list[tuple[str, int]]:
    """Put the starting names nobody has renamed into `language`, in the caller's unit of work (each
    rename is logged as any change is): a pipeline or stage still called as shipped in English or as in
    one of the `previous` languages the office spoke. A name someone typed stays as it is, and so does
    one another pipeline already has. Returns the (table, id) renamed."""
    sources = dict.fromkeys((i18n.SOURCE_LANGUAGE, *previous))
    stage_names = [name for name, *_ in STARTING_STAGES]
    renamed: list[tuple[str, int]] = []
    taken = {name.lower() for name in s.scalars(select(Pipeline.name))}
    as_shipped = _as_shipped([SALES], sources)
    for p in s.scalars(select(Pipeline).where(Pipeline.name.in_(as_shipped)).order_by(Pipeline.id)):
        wanted = i18n.gettext(as_shipped[p.name], language)
        if wanted != p.name and wanted.lower() not in taken:
            taken.discard(p.name.lower())
            taken.add(wanted.lower())
            p.name = wanted
            renamed.append((Pipeline.__tablename__, p.id))
    as_shipped = _as_shipped(stage_names, sources)
    for st in s.scalars(select(Stage).where(Stage.name.in_(as_shipped)).order_by(Stage.id)):
        wanted = i18n.gettext(as_shipped[st.name], language)
        if wanted != st.name:
            st.name = wanted
            renamed.append((Stage.__tablename__, st.id))
    s.flush()
    return renamed


def _as_shipped(names: Sequence[str], languages: Iterable[str]) -> dict[str, str]:
    """Each of `names` as the catalogue puts it in each of `languages` -> its English; a word two
    languages share is read as the first language's."""
    out: dict[str, str] = {}
    for language in languages:
        for name in names:
            out.setdefault(i18n.gettext(name, language), name)
    return out
