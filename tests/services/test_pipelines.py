"""Pipelines and their stages: created with the default stages, renamed, reordered, deleted only when no
deal is left in them, on SQLite and PostgreSQL."""

from __future__ import annotations

import gettext
import re

import pytest

from crm_desktop import i18n
from crm_desktop.services import clients, company, deals, pipelines
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


def test_a_stage_time_limit_is_none_or_1_to_365_days(ctx, client, audit_rows):
    p = pipelines.create_pipeline(ctx, "Repairs")
    assert {st.time_limit_days for st in p.stages} == {None}  # no limit unless one is set
    visit = pipelines.add_stage(ctx, p.id, "Site visit", probability=40, time_limit_days=7)
    assert visit.time_limit_days == 7
    visit = pipelines.update_stage(ctx, visit.id, expected_version=visit.version, name="Inspection")
    assert (visit.name, visit.time_limit_days) == ("Inspection", 7)  # a limit not given stays
    visit = pipelines.update_stage(ctx, visit.id, expected_version=visit.version, time_limit_days=365)
    assert audit_rows("stages", visit.id)[-1] == ("update", {"time_limit_days": [7, 365]})
    for wrong, said in (
        (0, "between 1 and 365 days, or no limit (got 0)"),
        (366, "between 1 and 365 days, or no limit (got 366)"),
        (-2, "(got -2)"),
        ("two weeks", "must be a whole number (got 'two weeks')"),
    ):
        with pytest.raises(ValidationError, match=re.escape(said)) as refused:
            pipelines.update_stage(ctx, visit.id, expected_version=visit.version, time_limit_days=wrong)
        assert refused.value.field == "time_limit_days"
        assert "time limit" in refused.value.message.lower()
    with pytest.raises(ValidationError, match="got 0"):
        pipelines.add_stage(ctx, p.id, "Odd", time_limit_days=0)
    visit = pipelines.update_stage(ctx, visit.id, expected_version=visit.version, time_limit_days=None)
    assert visit.time_limit_days is None
    assert next(x for x in pipelines.list_pipelines(ctx) if x.id == p.id).stages[3].time_limit_days is None


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


def _names(ctx) -> tuple[str, list[str]]:
    sales = pipelines.list_pipelines(ctx)[0]
    return sales.name, [st.name for st in sales.stages]


def _shipped(language: str) -> tuple[str, list[str]]:
    return i18n.gettext("Sales", language), [
        i18n.gettext(name, language)
        for name in ("New", "Qualified", "Proposal", "Negotiation", "Won", "Lost")
    ]


def test_the_starting_pipeline_follows_the_office_language_but_edited_names_stay(ctx, audit_rows):
    assert _names(ctx) == _shipped("en")  # as migration 0001 ships it, and as pipelines.py lists it
    assert [(n, p, w, lost) for n, p, w, lost in pipelines.STARTING_STAGES] == [
        (st.name, st.probability, st.is_won, st.is_lost) for st in pipelines.list_pipelines(ctx)[0].stages
    ]
    proposal = pipelines.list_pipelines(ctx)[0].stages[2]
    pipelines.update_stage(ctx, proposal.id, expected_version=proposal.version, name="Offer sent")

    profile = company.update(ctx, expected_version=company.get(ctx).version, language="ru")
    name, stages = _shipped("ru")
    assert _names(ctx) == (name, [*stages[:2], "Offer sent", *stages[3:]])
    # each rename is in the audit log, as the user's own renames are
    for st, english in zip(pipelines.list_pipelines(ctx)[0].stages, _shipped("en")[1], strict=True):
        if st.name not in (english, "Offer sent"):
            assert audit_rows("stages", st.id)[-1] == ("update", {"name": [english, st.name]})
    assert audit_rows("stages", proposal.id)[-1] == ("update", {"name": ["Proposal", "Offer sent"]})
    # a pipeline the office adds starts with its stages in the office's language
    added = pipelines.create_pipeline(ctx, "Ремонт")
    assert [st.name for st in added.stages] == [stages[0], stages[1], stages[2], stages[4], stages[5]]

    profile = company.update(ctx, expected_version=profile.version, language="uz")  # from Russian on
    name, stages = _shipped("uz")
    assert _names(ctx) == (name, [*stages[:2], "Offer sent", *stages[3:]])

    company.update(ctx, expected_version=profile.version, language="en")
    name, stages = _shipped("en")
    assert _names(ctx) == (name, [*stages[:2], "Offer sent", *stages[3:]])
    assert [st.name for st in pipelines.list_pipelines(ctx)[1].stages] == [
        "New",
        "Qualified",
        "Proposal",
        "Won",
        "Lost",
    ]


def test_the_same_language_again_or_a_renamed_pipeline_changes_nothing(ctx, audit_rows, monkeypatch):
    # A catalogue in which every starting name has its own Russian (whatever the shipped one holds yet).
    words = {"Sales": "Продажи", "New": "Новая", "Won": "Выиграна", "Lost": "Проиграна"}

    class Russian(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return words.get(message, message)

    monkeypatch.setitem(i18n._catalogues, "ru", Russian())
    pipelines.create_pipeline(ctx, "Продажи")  # the office has one called so already: Sales stays Sales
    sales = pipelines.list_pipelines(ctx)[0]
    pipelines.update_stage(ctx, sales.stages[4].id, expected_version=sales.stages[4].version, name="Paid")
    profile = company.update(ctx, expected_version=company.get(ctx).version, language="ru")
    assert _names(ctx) == ("Sales", ["Новая", "Qualified", "Proposal", "Negotiation", "Paid", "Проиграна"])
    assert [action for action, _ in audit_rows("pipelines", sales.id) if action == "update"] == []
    before = len(audit_rows("stages"))
    profile = company.update(ctx, expected_version=profile.version, name="Ipak Yoʻli")  # no new language
    profile = company.update(ctx, expected_version=profile.version, language="ru")  # the same one
    assert len(audit_rows("stages")) == before
    company.update(ctx, expected_version=profile.version, language="")  # the system's: English here
    assert _names(ctx) == ("Sales", ["New", "Qualified", "Proposal", "Negotiation", "Paid", "Lost"])


def test_only_an_administrator_changes_the_pipelines(ctx, staff):
    from crm_desktop.services.errors import PermissionDenied

    stage = pipelines.list_pipelines(ctx)[0].stages[0]
    for who in ("manager", "dilnoza"):
        with pytest.raises(PermissionDenied, match="administrator"):
            pipelines.update_stage(staff[who], stage.id, expected_version=stage.version, probability=99)
        with pytest.raises(PermissionDenied):
            pipelines.create_pipeline(staff[who], "Mine")
    assert pipelines.list_pipelines(ctx)[0].stages[0].probability == stage.probability
