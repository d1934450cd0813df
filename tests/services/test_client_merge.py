"""Clients that are one merged into one: the fields chosen, phones, emails and tags of all, every deal,
task, draft document and timeline entry moved, the others gone; audited; the user's last merge undone
puts everything back. Issued documents stay with their client. A staff login merges through its own
rights in shared mode, and moves nothing to or from a client it cannot see."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crm_desktop.db.models import Activity, Deal, Document, Task
from crm_desktop.services import activities, client_merge, clients, deals, documents, invoices, tasks
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.invoices import LineValues


def _office_of_three(ctx):
    a = clients.create(
        ctx, name="Aliyev Vali", phones=["+998 90 123 45 67"], tags=["vip"], notes="Likes calls"
    )
    b = clients.create(
        ctx, name="VALI ALIYEV", emails=["vali@example.com"], address="Tashkent, Navoi 5", tags=["import"]
    )
    c = clients.create(ctx, name="V. Aliyev", phones=["+998 90 765 43 21"], notes="Pays late")
    b = clients.update(ctx, b.id, expected_version=b.version, status="customer")  # a system entry on b
    deal = deals.create(ctx, client_id=b.id, title="Website", amount="900")
    activities.add(ctx, c.id, body="Asked for a discount")
    task = tasks.create(ctx, title="Call back", client_id=c.id)
    draft = invoices.create_draft(ctx, client_id=b.id, lines=[LineValues("Design", 1, "", "300")])
    return a, b, c, deal, task, draft


def _count(ctx, model, client_id) -> int:
    with ctx.read() as s:
        return s.query(model).filter(model.client_id == client_id).count()


def test_merging_moves_everything_onto_the_client_that_remains(ctx, audit_rows):
    a, b, c, deal, task, draft = _office_of_three(ctx)
    entries_before = sum(_count(ctx, Activity, x.id) for x in (a, b, c))

    plan = client_merge.plan(ctx, [a.id, b.id, c.id])
    assert plan.survivor_id == b.id  # the one with most to bring
    assert plan.values["status"] == "customer" and plan.values["address"] == "Tashkent, Navoi 5"
    assert plan.values["notes"] == "Likes calls\n\nPays late"
    assert [name for _, name in plan.choices("name")] == ["Aliyev Vali", "VALI ALIYEV", "V. Aliyev"]

    merged = client_merge.merge(ctx, b.id, [a.id, b.id, c.id], values={**plan.values, "name": "Aliyev Vali"})

    assert merged.id == b.id and merged.name == "Aliyev Vali" and merged.status == "customer"
    assert merged.phones == ["+998 90 123 45 67", "+998 90 765 43 21"] and merged.emails == [
        "vali@example.com"
    ]
    assert merged.tags == ["import", "vip"] and merged.notes == "Likes calls\n\nPays late"
    for gone in (a.id, c.id):
        with pytest.raises(NotFound):
            clients.get(ctx, gone)
    assert _count(ctx, Deal, b.id) == 1 and deals.get(ctx, deal.id).client_id == b.id
    assert _count(ctx, Task, b.id) == 1 and _count(ctx, Document, b.id) == 1
    assert _count(ctx, Activity, b.id) == entries_before + 1  # and one saying so
    assert "Merged with Aliyev Vali, V. Aliyev" in [e.text() for e in activities.timeline(ctx, b.id)]
    assert [r[0] for r in audit_rows("clients", b.id)][-1] == "merge"
    assert [m.name for m in clients.list_clients(ctx, clients.ClientFilter(search="Aliyev"))] == [
        "Aliyev Vali"
    ]


def test_the_last_merge_is_undone_with_everything_back_where_it_was(ctx):
    a, b, c, deal, task, draft = _office_of_three(ctx)
    before = {x.id: clients.get(ctx, x.id) for x in (a, b, c)}
    counts = {x.id: [_count(ctx, m, x.id) for m in (Deal, Task, Document, Activity)] for x in (a, b, c)}
    client_merge.merge(ctx, a.id, [a.id, b.id, c.id])
    assert client_merge.last_merge(ctx).merged_names == ["VALI ALIYEV", "V. Aliyev"]

    client_merge.undo(ctx)

    for client_id, was in before.items():
        now = clients.get(ctx, client_id)
        for field in ("name", "status", "phones", "emails", "tags", "address", "notes", "owner_id"):
            assert getattr(now, field) == getattr(was, field), field
    for client_id, (n_deals, n_tasks, n_docs, n_entries) in counts.items():
        # a's timeline keeps "Merged with…", "Merge with… undone" and its status going to customer and back
        extra = 4 if client_id == a.id else 0
        assert [_count(ctx, m, client_id) for m in (Deal, Task, Document, Activity)] == [
            n_deals,
            n_tasks,
            n_docs,
            n_entries + extra,
        ]
    assert (
        clients.list_clients(ctx, clients.ClientFilter(search="7654321"))[0].id == c.id
    )  # found by search again
    assert client_merge.last_merge(ctx) is None
    with pytest.raises(NotFound):
        client_merge.undo(ctx)


def test_only_the_last_merge_can_be_undone(ctx):
    a, b = clients.create(ctx, name="Karimov Bekzod"), clients.create(ctx, name="Karimov Bekzood")
    c, d = clients.create(ctx, name="Ivanova Anna"), clients.create(ctx, name="Anna Ivanova")
    client_merge.merge(ctx, a.id, [a.id, b.id])
    client_merge.merge(ctx, c.id, [c.id, d.id])
    client_merge.undo(ctx)
    assert clients.get(ctx, d.id).name == "Anna Ivanova"
    with pytest.raises(NotFound):
        client_merge.undo(ctx)
    with pytest.raises(NotFound):
        clients.get(ctx, b.id)


def test_what_was_changed_after_the_merge_survives_its_undo(ctx):
    a = clients.create(ctx, name="Zarina Ismoilova", phones=["+998 93 111 22 33"])
    b = clients.create(ctx, name="Z. Ismoilova", emails=["zarina@mail.uz"], address="Samarkand")
    merged = client_merge.merge(ctx, a.id, [a.id, b.id])
    clients.update(
        ctx, a.id, expected_version=merged.version, address="Bukhara", emails=[*merged.emails, "z@x.uz"]
    )
    client_merge.undo(ctx)
    now = clients.get(ctx, a.id)
    assert now.address == "Bukhara" and now.emails == ["z@x.uz"]
    assert clients.get(ctx, b.id).emails == ["zarina@mail.uz"]


def test_issued_documents_stay_with_the_client_they_were_issued_to(ctx):
    a, b = clients.create(ctx, name="Toshkent Print"), clients.create(ctx, name="Toshkent Print LLC")
    c = clients.create(ctx, name="Toshkent Print (old)")
    for holder in (a, b):
        d = invoices.create_draft(ctx, client_id=holder.id, lines=[LineValues("Flyers", 1, "", "50")])
        documents.issue(ctx, d.id, expected_version=d.version)
    assert client_merge.plan(ctx, [c.id, b.id]).survivor_id == b.id
    with pytest.raises(ValidationError, match="Keep Toshkent Print LLC as the client that remains"):
        client_merge.merge(ctx, c.id, [c.id, b.id])
    with pytest.raises(ValidationError, match="both have issued"):
        client_merge.merge(ctx, a.id, [a.id, b.id])
    assert clients.get(ctx, b.id).name == "Toshkent Print LLC"  # nothing half done
    assert client_merge.merge(ctx, b.id, [b.id, c.id]).id == b.id


def test_a_merge_from_a_stale_list_changes_nothing(ctx):
    a, b = clients.create(ctx, name="Ipak Yoʻli"), clients.create(ctx, name="Ipak Yoli")
    clients.update(ctx, b.id, expected_version=b.version, address="Fergana")
    with pytest.raises(Exception, match="changed"):
        client_merge.merge(ctx, a.id, [a.id, b.id], versions={a.id: a.version, b.id: b.version})
    assert clients.get(ctx, b.id).address == "Fergana"


def test_a_staff_member_merges_only_clients_they_may_see(ctx, staff):
    mine = clients.create(staff["dilnoza"], name="Nodira Karimova")
    hidden = clients.create(staff["rashad"], name="Nodira Karimova", private=True)
    with pytest.raises(NotFound):
        client_merge.plan(staff["dilnoza"], [mine.id, hidden.id])
    with pytest.raises(NotFound):
        client_merge.merge(staff["dilnoza"], mine.id, [mine.id, hidden.id])
    assert clients.get(staff["rashad"], hidden.id).name == "Nodira Karimova"


# --- shared mode: through the staff member's own login -------------------------------------------------


def test_a_staff_login_merges_clients_with_the_systems_timeline_entries(office):
    owner, dilnoza = office["owner"], office["dilnoza"]
    dilnoza_id = clients.get(owner, office["clients"]["dilnoza_private"][0].id).owner_id
    a = clients.create(owner, name="Murod Tosh", owner_id=dilnoza_id, private=True)
    b = clients.create(owner, name="Murod Toshev", owner_id=dilnoza_id, phones=["+998 91 222 33 44"])
    b = clients.update(owner, b.id, expected_version=b.version, status="prospect")  # a system entry
    deals.create(owner, client_id=b.id, title="Repair", amount="120")

    merged = client_merge.merge(dilnoza, a.id, [a.id, b.id])

    assert merged.phones == ["+998 91 222 33 44"] and _count(owner, Deal, a.id) == 1
    with owner.db.engine.connect() as conn:
        kinds = (
            conn.execute(text("SELECT kind FROM activities WHERE client_id = :a"), {"a": a.id})
            .scalars()
            .all()
        )
    assert "status_change" in kinds
    client_merge.undo(dilnoza)
    assert clients.get(owner, b.id).status == "prospect" and _count(owner, Deal, b.id) == 1


def test_a_staff_login_moves_no_system_entry_to_a_client_it_cannot_see_nor_rewrites_one(office):
    from tests.services.test_server_attacks import attack, facts

    owner = office["owner"]
    hidden = office["clients"]["rashad_private"][0].id
    before = facts(owner)
    refusals = attack(
        office["dilnoza"],
        [
            f"UPDATE activities SET client_id = {hidden} WHERE kind = 'document'",
            f"UPDATE activities SET client_id = {hidden}, body = 'moved' WHERE kind = 'document'",
            "UPDATE activities SET client_id = client_id, body = 'rewritten' WHERE kind = 'document'",
        ],
    )
    assert len(refusals) == 3
    assert facts(owner) == before


def test_the_people_of_a_merged_company_follow_it_and_go_back_with_the_undo(ctx):
    kept = clients.create(ctx, name="Toshkent Print", kind="company")
    twice = clients.create(ctx, name="Toshkent Print LLC", kind="company")
    person = clients.create(ctx, name="Aziz Karimov", company_id=twice.id)
    client_merge.merge(ctx, kept.id, [kept.id, twice.id])
    assert clients.get(ctx, person.id).company_id == kept.id
    client_merge.undo(ctx)
    assert clients.get(ctx, person.id).company_id == twice.id


def test_a_job_moves_with_its_client_and_goes_back_with_the_undo(ctx):
    from crm_desktop.services import jobs, workflows
    from crm_desktop.services.workflows import StageSpec

    kept, twice = clients.create(ctx, name="Murod Tosh"), clients.create(ctx, name="Murod Toshev")
    template = workflows.create(ctx, "Repair", [StageSpec("Repair", work_days=1, checklist=("Parts",))])
    job = jobs.start(ctx, twice.id, template.id)
    assert client_merge.plan(ctx, [kept.id, twice.id]).linked[twice.id].jobs == 1
    client_merge.merge(ctx, kept.id, [kept.id, twice.id])
    assert jobs.get(ctx, job.id).client_id == kept.id
    client_merge.undo(ctx)
    assert jobs.get(ctx, job.id).client_id == twice.id
    assert clients.deletion_impact(ctx, twice.id).jobs == 1
    clients.delete(ctx, twice.id)
    with pytest.raises(NotFound):
        jobs.get(ctx, job.id)
