"""Pipelines and their stages: created with the default stages, renamed, reordered, deleted only when no
deal is left in them, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from crm_desktop.services import clients, deals, pipelines
from crm_desktop.services.errors import ConflictError, ValidationError


@pytest.fixture
def client(ctx):
    return clients.create(ctx, name="Toshkent Print LLC", kind="company")


def test_pipelines_and_stages_are_editable(ctx, client):
    p = pipelines.create_pipeline(ctx, "Repairs")
    assert [s.name for s in p.stages] == ["New", "Qualified", "Proposal", "Won", "Lost"]
    with pytest.raises(ValidationError, match="already a pipeline"):
        pipelines.create_pipeline(ctx, "repairs")
    inspection = pipelines.add_stage(ctx, p.id, "Inspection", probability=40)
    p = next(x for x in pipelines.list_pipelines(ctx) if x.id == p.id)
    assert [s.name for s in p.stages] == ["New", "Qualified", "Proposal", "Inspection", "Won", "Lost"]
    order = [s.id for s in p.stages]
    order.insert(0, order.pop(3))
    p = pipelines.reorder_stages(ctx, p.id, order)
    assert [s.name for s in p.stages][:2] == ["Inspection", "New"]
    pipelines.update_stage(
        ctx, inspection.id, expected_version=inspection.version + 1, name="Site visit", probability=35
    )
    d = deals.create(ctx, client_id=client.id, title="Fix roof", pipeline_id=p.id)
    assert d.stage_name == "Site visit"
    with pytest.raises(ValidationError, match="still has 1 deal"):
        pipelines.delete_stage(ctx, inspection.id)
    with pytest.raises(ValidationError, match="still has deals"):
        pipelines.delete_pipeline(ctx, p.id)
    with pytest.raises(ValidationError, match="probability must be between 0 and 100"):
        pipelines.add_stage(ctx, p.id, "Odd", probability=150)


def test_stage_rules(ctx, client):
    p = pipelines.create_pipeline(ctx, "Cleaning")
    won = next(s for s in p.stages if s.is_won)
    with pytest.raises(ValidationError, match="a pipeline keeps them"):
        pipelines.delete_stage(ctx, won.id)
    for st in p.stages[1:3]:
        pipelines.delete_stage(ctx, st.id)
    with pytest.raises(ValidationError, match="only open stage"):
        pipelines.delete_stage(ctx, p.stages[0].id)
    stage = p.stages[0]
    pipelines.update_stage(ctx, stage.id, expected_version=stage.version, name="Request")
    with pytest.raises(ConflictError):
        pipelines.update_stage(ctx, stage.id, expected_version=stage.version, name="Stale")
    with pytest.raises(ValidationError, match="every stage of the pipeline exactly once"):
        pipelines.reorder_stages(ctx, p.id, [stage.id])


def test_pipelines_rename_and_delete_with_audit(ctx, client, audit_rows):
    p = pipelines.create_pipeline(ctx, "Events")
    renamed = pipelines.rename_pipeline(ctx, p.id, "Events 2027", expected_version=p.version)
    assert audit_rows("pipelines", p.id)[-1] == ("update", {"name": ["Events", "Events 2027"]})
    with pytest.raises(ConflictError):
        pipelines.rename_pipeline(ctx, p.id, "Stale", expected_version=p.version)
    pipelines.delete_pipeline(ctx, p.id)
    assert [x.name for x in pipelines.list_pipelines(ctx)] == ["Sales"]
    assert audit_rows("pipelines", renamed.id)[-1][0] == "delete"
    assert len([a for a, _ in audit_rows("stages") if a == "delete"]) == 5
    with pytest.raises(ValidationError, match="only pipeline"):
        pipelines.delete_pipeline(ctx, pipelines.list_pipelines(ctx)[0].id)
