"""Deals moving through the stages of their pipeline (services/pipelines.py), with the history of every
move."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from crm_desktop.db.models import Client, Deal, DealStageChange, Pipeline, Stage, Task, User
from crm_desktop.i18n import N_, Message
from crm_desktop.services import activities, lifecycle, merge, money, next_activity, pipelines, users
from crm_desktop.services import validation as v
from crm_desktop.services.clients import load_visible, visible_to
from crm_desktop.services.context import (
    ServiceContext,
    check_version,
    company_profile,
    count_rows,
    made_before,
    record,
)
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.next_activity import NextActivity
from crm_desktop.services.search import client_filter


@dataclass(frozen=True)
class DealRow:
    id: int
    title: str
    client_id: int
    client_name: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    amount: Decimal
    currency: str
    expected_close: date | None
    owner_id: int | None
    owner_name: str
    outcome: str  # open | won | lost
    lost_reason: str
    probability: int
    version: int
    closed_at: datetime | None = None  # when it was won or lost
    next_activity: NextActivity | None = None  # the earliest open task about it


@dataclass(frozen=True)
class DealFilter:
    search: str = ""  # the deal's title, or its client found like in the client search
    pipeline_id: int | None = None
    stage_id: int | None = None
    owner_id: int | None = None
    client_id: int | None = None
    outcome: str | None = None
    no_next_activity: bool = False  # open deals with no open task: nothing planned to move them on


SORT_COLUMNS = {
    "title": Deal.title,
    "amount": Deal.amount,
    "expected_close": Deal.expected_close,
    "stage": Stage.position,
    "updated": Deal.updated_at,
    "created": Deal.created_at,
}


def _select_rows() -> Select:
    return (
        select(Deal, Client.name, Stage.name, Stage.probability, User.display_name)
        .join(Client, Client.id == Deal.client_id)
        .join(Stage, Stage.id == Deal.stage_id)
        .outerjoin(User, User.id == Deal.owner_id)
    )


def _row(
    deal: Deal,
    client_name: str,
    stage_name: str,
    probability: int,
    owner: str | None,
    next_: NextActivity | None = None,
) -> DealRow:
    return DealRow(
        deal.id,
        deal.title,
        deal.client_id,
        client_name,
        deal.pipeline_id,
        deal.stage_id,
        stage_name,
        deal.amount,
        deal.currency,
        deal.expected_close,
        deal.owner_id,
        owner or "",
        deal.outcome,
        deal.lost_reason,
        probability,
        deal.version,
        deal.closed_at,
        next_,
    )


def _rows(s: Session, q: Select) -> list[DealRow]:
    found = s.execute(q).all()
    planned = next_activity.of(s, Task.deal_id, [deal.id for deal, *_ in found])
    return [
        _row(deal, client, stage, probability, owner, planned.get(deal.id))
        for deal, client, stage, probability, owner in found
    ]


def _filtered(ctx: ServiceContext, q: Select, f: DealFilter) -> Select:
    q = q.where(visible_to(ctx.actor))
    if f.search.strip():
        title_match = func.lower(Deal.title).contains(f.search.strip().lower(), autoescape=True)
        by_client = client_filter(ctx.db.dialect, f.search)
        q = q.where(title_match | by_client if by_client is not None else title_match)
    for column, value in (
        (Deal.pipeline_id, f.pipeline_id),
        (Deal.stage_id, f.stage_id),
        (Deal.owner_id, f.owner_id),
        (Deal.client_id, f.client_id),
        (Deal.outcome, f.outcome),
    ):
        if value is not None:
            q = q.where(column == value)
    if f.no_next_activity:
        q = q.where(Deal.outcome == "open", next_activity.deal_has_none())
    return q


def list_deals(
    ctx: ServiceContext,
    f: DealFilter = DealFilter(),
    *,
    sort: str = "updated",
    descending: bool = True,
    offset: int = 0,
    limit: int | None = 50,
) -> list[DealRow]:
    if sort not in SORT_COLUMNS:
        raise ValidationError(
            "sort",
            "Cannot sort deals by '{sort}'; use one of {columns}.",
            sort=sort,
            columns=", ".join(SORT_COLUMNS),
        )
    col = SORT_COLUMNS[sort]
    # Deals without an expected close come last either way (the databases disagree on where NULL goes).
    order = (col.is_(None), col.desc(), Deal.id.desc()) if descending else (col.is_(None), col, Deal.id)
    q = _filtered(ctx, _select_rows(), f).order_by(*order).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with ctx.read() as s:
        return _rows(s, q)


def count_deals(ctx: ServiceContext, f: DealFilter = DealFilter()) -> int:
    q = _filtered(ctx, select(Deal.id).join(Client, Client.id == Deal.client_id), f)
    with ctx.read() as s:
        return count_rows(s, q)


def _load(s: Session, ctx: ServiceContext, deal_id: int) -> Deal:
    deal = s.scalar(
        select(Deal)
        .join(Client, Client.id == Deal.client_id)
        .where(Deal.id == deal_id, visible_to(ctx.actor))
    )
    if deal is None:
        raise NotFound("Deal #{deal_id} does not exist (it may have been deleted).", deal_id=deal_id)
    return deal


def _reload_row(s: Session, deal_id: int) -> DealRow:
    s.flush()
    return _rows(s, _select_rows().where(Deal.id == deal_id))[0]


def get(ctx: ServiceContext, deal_id: int) -> DealRow:
    with ctx.read() as s:
        _load(s, ctx, deal_id)
        return _reload_row(s, deal_id)


_FIELDS = ("title", "amount", "currency", "expected_close", "owner_id", "client_id")


def _clean(s: Session, ctx: ServiceContext, values: dict[str, Any]) -> dict[str, Any]:
    v.known_fields(values, _FIELDS, N_("Deals"))
    out: dict[str, Any] = {}
    if "title" in values:
        out["title"] = v.text("title", values["title"], N_("The deal title"), required=True)
    if "amount" in values:
        out["amount"] = v.decimal(
            "amount",
            values["amount"],
            N_("The amount"),
            minimum=Decimal(0),
            maximum=Decimal("100000000000000"),
        )
    if "currency" in values:
        out["currency"] = money.currency(values["currency"]).code
    if "expected_close" in values:
        out["expected_close"] = v.a_date(
            "expected_close", values["expected_close"], N_("The expected close date")
        )
    if "owner_id" in values:
        out["owner_id"] = users.require_active(s, "owner_id", values["owner_id"], N_("owner"))
    if "client_id" in values:
        load_visible(s, ctx.actor, values["client_id"])
        out["client_id"] = values["client_id"]
    return out


def _outcome(stage: Stage, now: datetime) -> dict[str, Any]:
    """What entering `stage` means: the won/lost stages close a deal, any other stage (re)opens it."""
    if stage.is_won:
        return {"outcome": "won", "closed_at": now, "lost_reason": ""}
    if stage.is_lost:
        return {"outcome": "lost", "closed_at": now}  # the reason is set by mark_lost
    return {"outcome": "open", "closed_at": None, "lost_reason": ""}


def _history(
    s: Session, ctx: ServiceContext, deal: Deal, from_stage_id: int | None, to_stage_id: int, why: str = ""
) -> None:
    """The stage change in the deal's history, said on its client's timeline; the client's path
    moves on with it (a first deal makes a lead a prospect, a won one a customer)."""
    if from_stage_id is not None:  # (a new deal is made entering its stage)
        deal.stage_entered_at = ctx.now()
    s.add(
        DealStageChange(
            deal_id=deal.id,
            from_stage_id=from_stage_id,
            to_stage_id=to_stage_id,
            changed_at=ctx.now(),
            user_id=ctx.actor.user_id,
        )
    )
    to = s.get(Stage, to_stage_id)
    before = s.get(Stage, from_stage_id) if from_stage_id is not None else None
    assert to is not None
    path_to = None
    if before is None:
        what = Message("Deal '{deal}' created in stage '{stage}'", deal=deal.title, stage=to.name)
        path_to = "prospect"
    elif to.is_won:
        what = Message(
            "Deal '{deal}' won: {amount}",
            deal=deal.title,
            amount=money.amount_of(deal.amount, deal.currency),
        )
        path_to = "customer"
    elif to.is_lost:
        what = Message("Deal '{deal}' lost: {reason}", deal=deal.title, reason=why)
    elif before.is_won or before.is_lost:
        what = Message("Deal '{deal}' reopened in stage '{stage}'", deal=deal.title, stage=to.name)
    else:
        what = Message(
            "Deal '{deal}' moved from '{before}' to '{after}'",
            deal=deal.title,
            before=before.name,
            after=to.name,
        )
    activities.record_event(s, ctx, deal.client_id, what, deal_id=deal.id, kind="deal")
    if path_to is not None:  # said after what moved it
        lifecycle.advance(s, ctx, deal.client_id, path_to)


def _move(s: Session, ctx: ServiceContext, deal: Deal, stage: Stage, why: str = "") -> None:
    _history(s, ctx, deal, deal.stage_id, stage.id, why)
    record(
        s,
        entity="deals",
        entity_id=deal.id,
        action="stage_move",
        details={"stage_id": [deal.stage_id, stage.id]},
    )
    deal.stage_id = stage.id
    for key, value in _outcome(stage, ctx.now()).items():
        setattr(deal, key, value)


def create(ctx: ServiceContext, *, request_id: str | None = None, **values: Any) -> DealRow:
    """A new deal (the values of `add`); a retried save with the same `request_id` returns the one made."""
    with ctx.write() as s:
        if (earlier := made_before(s, Deal, request_id)) is not None:
            return _reload_row(s, earlier.id)
        return _reload_row(s, add(s, ctx, request_id=request_id, **values).id)


def add(
    s: Session,
    ctx: ServiceContext,
    *,
    client_id: int,
    title: str,
    amount: Any = 0,
    currency: str | None = None,
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    expected_close: Any = None,
    owner_id: int | None = None,
    request_id: str | None = None,
) -> Deal:
    """A new deal in the caller's unit of work (an import writes many in one)."""
    if currency is None:
        currency = company_profile(s).default_currency
    clean = _clean(
        s,
        ctx,
        {
            "client_id": client_id,
            "title": title,
            "amount": amount,
            "currency": currency,
            "expected_close": expected_close,
            "owner_id": ctx.actor.user_id if owner_id is None else owner_id,
        },
    )
    money.check_fits("amount", clean["amount"], clean["currency"])
    stage = pipelines.load_stage(s, stage_id) if stage_id is not None else None
    if pipeline_id is None:
        # the first pipeline: there is always one (delete_pipeline keeps the last)
        pipeline_id = (
            stage.pipeline_id
            if stage
            else s.scalars(select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1)).one()
        )
    pipeline = pipelines.load(s, pipeline_id)
    if stage is None:
        stage = next(st for st in pipeline.stages if not (st.is_won or st.is_lost))
    if stage.pipeline_id != pipeline.id:
        raise ValidationError("stage_id", "Stage '{stage}' belongs to another pipeline.", stage=stage.name)
    if stage.is_lost:
        raise ValidationError("stage_id", "A new deal cannot start as lost. Choose an open stage.")
    state = {"lost_reason": "", **_outcome(stage, ctx.now())}
    deal = Deal(
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        request_id=request_id,
        stage_entered_at=ctx.now(),
        **state,
        **clean,
    )
    s.add(deal)
    s.flush()
    _history(s, ctx, deal, None, stage.id)
    return deal


def _for_change(s: Session, ctx: ServiceContext, deal_id: int, expected_version: int) -> Deal:
    deal = _load(s, ctx, deal_id)
    check_version(deal, expected_version, N_("deal"))
    return deal


def editable_values(row: DealRow) -> dict[str, Any]:
    """What a form edits, as read: the `base` of its save (see clients.update for the merge)."""
    return merge.fields_of(row, _FIELDS)


def update(
    ctx: ServiceContext,
    deal_id: int,
    *,
    expected_version: int,
    base: dict[str, Any] | None = None,
    decided: dict[str, Any] | None = None,
    **values: Any,
) -> DealRow:
    """Change title, amount, currency, expected_close, owner_id or client_id (stages: move_stage).

    A save that finds the deal changed meanwhile merges with `base`, as clients.update does.
    """
    with ctx.write() as s:
        deal = _load(s, ctx, deal_id)
        clean = merge.resolve(
            N_("deal"),
            deal_id,
            deal.version,
            expected_version,
            base,
            _clean(s, ctx, values),
            lambda: merge.fields_of(deal, _FIELDS),
            decided,
        )
        money.check_fits("amount", clean.get("amount", deal.amount), clean.get("currency", deal.currency))
        if clean.get("client_id", deal.client_id) != deal.client_id:
            # Tasks about the deal go with it; timeline entries stay where they happened.
            for task in s.scalars(select(Task).where(Task.deal_id == deal_id)):
                task.client_id = clean["client_id"]
        for key, value in clean.items():
            setattr(deal, key, value)
        return _reload_row(s, deal_id)


def move_stage(ctx: ServiceContext, deal_id: int, stage_id: int, *, expected_version: int) -> DealRow:
    with ctx.write() as s:
        deal = _for_change(s, ctx, deal_id, expected_version)
        stage = pipelines.load_stage(s, stage_id)
        if stage.pipeline_id != deal.pipeline_id:
            raise ValidationError(
                "stage_id", "Stage '{stage}' belongs to another pipeline.", stage=stage.name
            )
        if stage.is_lost:
            raise ValidationError(
                "stage_id", "Mark the deal as lost with a reason instead of moving it there."
            )
        if stage.id != deal.stage_id:
            _move(s, ctx, deal, stage)
        return _reload_row(s, deal_id)


def _closing_stage(s: Session, deal: Deal, *, won: bool) -> Stage:
    column = Stage.is_won if won else Stage.is_lost
    stage = s.scalar(select(Stage).where(Stage.pipeline_id == deal.pipeline_id, column.is_(True)).limit(1))
    if stage is None:
        if won:
            raise ValidationError(
                "stage_id", "This pipeline has no won stage. Add one in the pipeline settings."
            )
        raise ValidationError(
            "stage_id", "This pipeline has no lost stage. Add one in the pipeline settings."
        )
    return stage


def mark_won(ctx: ServiceContext, deal_id: int, *, expected_version: int) -> DealRow:
    with ctx.write() as s:
        deal = _for_change(s, ctx, deal_id, expected_version)
        if deal.outcome == "won":
            raise ValidationError("outcome", "This deal is already won.")
        _move(s, ctx, deal, _closing_stage(s, deal, won=True))
        record(s, entity="deals", entity_id=deal_id, action="won")
        return _reload_row(s, deal_id)


def mark_lost(ctx: ServiceContext, deal_id: int, *, reason: str, expected_version: int) -> DealRow:
    reason = v.text("lost_reason", reason, N_("The reason"), max_length=2000)
    if not reason:
        raise ValidationError(
            "lost_reason", "Say why the deal was lost (for example: price, timing, competitor)."
        )
    with ctx.write() as s:
        deal = _for_change(s, ctx, deal_id, expected_version)
        if deal.outcome != "lost":  # a lost deal only gets its reason corrected
            _move(s, ctx, deal, _closing_stage(s, deal, won=False), reason)
        deal.lost_reason = reason
        record(s, entity="deals", entity_id=deal_id, action="lost", details={"reason": reason})
        return _reload_row(s, deal_id)


def reopen(
    ctx: ServiceContext, deal_id: int, *, expected_version: int, stage_id: int | None = None
) -> DealRow:
    """Back to an open stage (the last open one unless given)."""
    with ctx.write() as s:
        deal = _for_change(s, ctx, deal_id, expected_version)
        if deal.outcome == "open":
            raise ValidationError("outcome", "This deal is open already; move it to another stage instead.")
        open_stages = [
            st for st in pipelines.load(s, deal.pipeline_id).stages if not (st.is_won or st.is_lost)
        ]
        stage = pipelines.load_stage(s, stage_id) if stage_id is not None else open_stages[-1]
        if stage not in open_stages:
            raise ValidationError("stage_id", "Reopen the deal into an open stage of its pipeline.")
        _move(s, ctx, deal, stage)
        return _reload_row(s, deal_id)


def delete(ctx: ServiceContext, deal_id: int) -> None:
    with ctx.write() as s:
        s.delete(_load(s, ctx, deal_id))


@dataclass(frozen=True)
class StageChangeRow:
    changed_at: datetime
    from_stage_name: str
    to_stage_name: str
    user_name: str


def stage_history(ctx: ServiceContext, deal_id: int) -> list[StageChangeRow]:
    before, after = aliased(Stage), aliased(Stage)
    with ctx.read() as s:
        _load(s, ctx, deal_id)
        result = s.execute(
            select(DealStageChange.changed_at, before.name, after.name, User.display_name)
            .outerjoin(before, before.id == DealStageChange.from_stage_id)
            .outerjoin(after, after.id == DealStageChange.to_stage_id)
            .outerjoin(User, User.id == DealStageChange.user_id)
            .where(DealStageChange.deal_id == deal_id)
            .order_by(DealStageChange.id)
        )
        return [StageChangeRow(at, a or "", b or "", u or "") for at, a, b, u in result]


@dataclass(frozen=True)
class StageSummary:
    stage_id: int
    name: str
    currency: str
    count: int
    total: Decimal
    weighted: Decimal  # total × stage probability / 100: what the stage is likely to bring
    closed: bool = False  # the won or lost stage: its deals are no longer in the pipeline


def pipeline_summary(
    ctx: ServiceContext, pipeline_id: int, f: DealFilter = DealFilter()
) -> list[StageSummary]:
    """The board's column headers: per stage in pipeline order, one row per currency its deals use.

    Amounts in different currencies are never added together (there is no exchange rate to do it
    honestly), so a stage holding USD and UZS deals gives two rows, currencies in alphabetical order.
    A stage without deals still gets one row of zeros in the company currency, so every column shows.
    Weighted amounts are rounded half-up to the currency's minor unit once per stage, not per deal.
    """
    q = _filtered(
        ctx,
        select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount)).join(
            Client, Client.id == Deal.client_id
        ),
        f,
    )
    q = q.where(Deal.pipeline_id == pipeline_id).group_by(Deal.stage_id, Deal.currency)
    with ctx.read() as s:
        stages = [pipelines.stage_row(st) for st in pipelines.load(s, pipeline_id).stages]
        default_currency = company_profile(s).default_currency
        sums: dict[int, list[tuple[str, int, Decimal]]] = {}
        for stage_id, cur, n, total in s.execute(q):
            sums.setdefault(stage_id, []).append((cur, n, total))
    out = []
    for st in stages:
        zero = money.quantize(Decimal(0), default_currency)
        for cur, n, total in sorted(sums.get(st.id, [(default_currency, 0, zero)])):
            weighted = money.quantize(total * st.probability / 100, cur)
            out.append(StageSummary(st.id, st.name, cur, n, total, weighted, st.is_won or st.is_lost))
    return out


@dataclass(frozen=True)
class PipelineTotal:
    currency: str
    count: int
    total: Decimal
    weighted: Decimal


def open_totals(summary: Sequence[StageSummary]) -> list[PipelineTotal]:
    """The pipeline's worth per currency: open deals only (won ones are booked, lost ones gone),
    the weighted amount being the sum of the stages' rounded weighted amounts."""
    sums: dict[str, PipelineTotal] = {}
    for row in summary:
        if row.closed or not row.count:
            continue
        before = sums.get(row.currency, PipelineTotal(row.currency, 0, Decimal(0), Decimal(0)))
        sums[row.currency] = PipelineTotal(
            row.currency, before.count + row.count, before.total + row.total, before.weighted + row.weighted
        )
    return [sums[code] for code in sorted(sums)]
