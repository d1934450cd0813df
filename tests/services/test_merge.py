"""Two people edit the same client: changes to different fields merge without asking; the same field
changed differently is a conflict that names the field with its original, their and my value."""

from __future__ import annotations

import pytest

from crm_desktop.services import clients, merge
from crm_desktop.services.errors import ConflictError


def test_three_way_rules():
    base = {"name": "Aziz", "phone": "1", "notes": ""}
    merged = merge.three_way(
        base,
        {"name": "Aziz K.", "phone": "1", "notes": "vip"},
        {"name": "Aziz", "phone": "2", "notes": "vip"},
    )
    assert merged.changes == {"name": "Aziz K.", "notes": "vip"}  # mine; the same change on both sides
    assert merged.conflicts == {}
    clash = merge.three_way(base, {"name": "Aziz K."}, {"name": "Aziz Karimov"})
    assert clash.conflicts == {"name": merge.FieldConflict("Aziz", "Aziz K.", "Aziz Karimov")}


def test_different_fields_saved_meanwhile_are_merged_without_asking(ctx):
    read = clients.create(ctx, name="Aziz Karimov", phones=["+998 90 111 22 33"])
    base = clients.editable_values(read)
    theirs = clients.update(ctx, read.id, expected_version=read.version, phones=["+998 90 999 88 77"])
    mine = clients.update(
        ctx, read.id, expected_version=read.version, base=base, **{**base, "notes": "Prefers Telegram"}
    )
    assert mine.phones == theirs.phones == ["+998 90 999 88 77"] and mine.notes == "Prefers Telegram"
    assert mine.version == theirs.version + 1


def test_the_same_field_changed_differently_is_a_conflict_naming_all_three_values(ctx):
    read = clients.create(ctx, name="Aziz Karimov")
    base = clients.editable_values(read)
    clients.update(ctx, read.id, expected_version=read.version, name="Aziz Karimov (Samarqand)")
    with pytest.raises(merge.MergeConflict) as clash:
        clients.update(
            ctx, read.id, expected_version=read.version, base=base, **{**base, "name": "Azizbek Karimov"}
        )
    assert clash.value.conflicts == {
        "name": merge.FieldConflict("Aziz Karimov", "Azizbek Karimov", "Aziz Karimov (Samarqand)")
    }
    assert "name" in clash.value.message
    stored = clients.get(ctx, read.id)
    assert stored.name == "Aziz Karimov (Samarqand)" and clash.value.stored_version == stored.version
    # The user decides: their name, mine kept for the rest (a note only I added)
    kept = clients.update(
        ctx,
        read.id,
        expected_version=read.version,
        base=base,
        decided={"name": "Aziz Karimov (Samarqand)"},
        **{**base, "name": "Azizbek Karimov", "notes": "Met at the fair"},
    )
    assert (kept.name, kept.notes) == ("Aziz Karimov (Samarqand)", "Met at the fair")


def test_without_a_base_any_change_meanwhile_is_a_plain_conflict(ctx):
    read = clients.create(ctx, name="Aziz Karimov")
    clients.update(ctx, read.id, expected_version=read.version, notes="x")
    with pytest.raises(ConflictError) as plain:
        clients.update(ctx, read.id, expected_version=read.version, address="Toshkent")
    assert not isinstance(plain.value, merge.MergeConflict)


def test_deals_and_tasks_merge_the_same_way(ctx):
    from crm_desktop.services import deals, tasks

    client = clients.create(ctx, name="Aziz Karimov")
    deal = deals.create(ctx, client_id=client.id, title="Website", amount="1000", currency="USD")
    deals.update(ctx, deal.id, expected_version=deal.version, amount="1200")  # another PC
    merged = deals.update(
        ctx,
        deal.id,
        expected_version=deal.version,
        base=deals.editable_values(deal),
        **{**deals.editable_values(deal), "title": "Website and hosting"},
    )
    assert (merged.title, merged.amount) == ("Website and hosting", 1200)
    with pytest.raises(merge.MergeConflict) as clash:
        deals.update(
            ctx,
            deal.id,
            expected_version=deal.version,
            base=deals.editable_values(deal),
            **{**deals.editable_values(deal), "amount": "900"},
        )
    assert set(clash.value.conflicts) == {"amount"}

    task = tasks.create(ctx, title="Call Aziz", client_id=client.id)
    tasks.update(ctx, task.id, expected_version=task.version, priority="high")
    merged_task = tasks.update(
        ctx,
        task.id,
        expected_version=task.version,
        base=tasks.editable_values(task),
        **{**tasks.editable_values(task), "title": "Call Aziz about the site"},
    )
    assert (merged_task.title, merged_task.priority) == ("Call Aziz about the site", "high")
