"""How long a deal has been in its stage: when it entered the stage it is in now, as SQL.

A deal's stay in a stage begins with the last move into it (deal_stage_changes, written by services/deals.py
as the deal is created and each time it moves; a deal moved A → B → A entered A at the second move into A).
The deal keeps that moment itself (`deals.stage_entered_at`, set with each move; migration 0020 filled it
in from the history), so a question over every open deal reads one column, not each deal's history; a deal
loaded without it (by an import of an older version) is in its stage since it was created. Used by the
stuck-deal rule (services/follow_ups.py) and the stuck-deals report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, select
from sqlalchemy.orm import aliased

from crm_desktop.db.models import Deal, DealStageChange


@dataclass(frozen=True)
class StageEntry:
    """Column expressions for a select over deals (see entered_stage_at)."""

    at: ColumnElement[datetime]  # when the deal entered its current stage (UTC, never NULL)
    change_id: ScalarSelect[Any]  # the DealStageChange of that entry; NULL: in the stage since created


def entered_stage_at(deal: type[Deal] = Deal) -> StageEntry:
    """When each deal entered the stage it is in now, and the stage change that brought it there.

    Expressions on `deal` (the Deal entity, or an alias of it), to be put into a select whose FROM has it;
    label them as needed::

        entry = entered_stage_at()
        select(Deal.id, entry.at.label("entered_at")).where(entry.at <= cutoff)

    `at` is the deal's own `stage_entered_at`, else its `created_at`; `change_id`, a correlated subquery
    (read only for the rows selected), is the id of the latest of the deal's changes into its stage (the
    last of two at the same moment: the later one written), NULL when there is none. On a server both see
    what row-level security lets the login see (a deal's changes go with the deal).
    """
    change = aliased(DealStageChange)  # its own name: the caller's query may read stage changes too
    latest = (
        select(change.id)
        .where(and_(change.deal_id == deal.id, change.to_stage_id == deal.stage_id))
        .order_by(change.changed_at.desc(), change.id.desc())
        .limit(1)
        .correlate(deal)
    )
    return StageEntry(
        at=func.coalesce(deal.stage_entered_at, deal.created_at), change_id=latest.scalar_subquery()
    )


def stayed_longer(limits: Mapping[int, int], now: datetime) -> ColumnElement[bool]:
    """The deals in one of the stages of `limits` ({stage id: days}) that entered it at least that many days
    before `now`: one indexed condition per stage, each with its own cutoff."""
    entered = entered_stage_at().at
    return or_(
        *(and_(Deal.stage_id == sid, entered <= now - timedelta(days=days)) for sid, days in limits.items())
    )
