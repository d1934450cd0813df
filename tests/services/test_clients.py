"""Clients through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from statements import StatementLog, skips_rows

from crm_desktop.db.models import Activity, AuditEntry, Document, User
from crm_desktop.services import clients
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import ConflictError, NotFound, ServiceError, ValidationError


def audit(ctx, entity_id, entity="clients"):
    with ctx.read() as s:
        return s.execute(
            select(AuditEntry.action, AuditEntry.changes, AuditEntry.user_id)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        ).all()


def test_create_keeps_what_was_typed_and_audits_it(ctx):
    c = clients.create(
        ctx,
        name="  Rashad Əliyev ",
        phones=["+994 50 123 45 67"],
        emails=["rashad@example.az"],
        tags=["vip", "baku", "vip"],
        source="Instagram",
        address="Baku, Nizami 5",
    )
    got = clients.get(ctx, c.id)
    assert (got.name, got.phones, got.emails, got.status, got.kind) == (
        "Rashad Əliyev",
        ["+994 50 123 45 67"],
        ["rashad@example.az"],
        "lead",
        "person",
    )
    assert got.tags == ["baku", "vip"] and got.owner_name == "Owner" and got.version == 1
    assert got.created_at == ctx.now()
    (action, changes, user_id), *_ = audit(ctx, c.id)
    assert action == "create" and user_id == 1 and changes["name"] == [None, "Rashad Əliyev"]


@pytest.mark.parametrize(
    "values, field, words",
    [
        ({"name": "   "}, "name", "cannot be empty"),
        ({"name": "A", "emails": ["rashad.example.az"]}, "emails", "no '@'"),
        ({"name": "A", "phones": ["call me"]}, "phones", "not a phone number"),
        ({"name": "A", "phones": ["12"]}, "phones", "has 2 digits"),
        ({"name": "A", "status": "friend"}, "status", "must be one of"),
        ({"name": "A", "owner_id": 999}, "owner_id", "not an active user"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(ctx, values, field, words):
    with pytest.raises(ValidationError) as err:
        clients.create(ctx, **values)
    assert err.value.field == field and words in err.value.message
    assert clients.count(ctx) == 0


def test_update_records_old_and_new_values_and_a_status_change_on_the_timeline(ctx):
    c = clients.create(ctx, name="Olga Petrova")
    updated = clients.update(
        ctx, c.id, expected_version=c.version, status="customer", phones=["+7 916 555 01 02"]
    )
    assert updated.version == 2 and updated.status == "customer"
    last = audit(ctx, c.id)[-1]
    assert last.action == "update"
    assert last.changes["status"] == ["lead", "customer"]
    assert last.changes["phones"] == [[], ["+7 916 555 01 02"]]
    with ctx.read() as s:
        assert s.scalars(select(Activity.body).where(Activity.kind == "status_change")).all() == [
            "lead → customer"
        ]


def test_stale_version_is_a_conflict_not_an_overwrite(ctx):
    c = clients.create(ctx, name="Dilnoza")
    clients.update(ctx, c.id, expected_version=1, notes="first PC")
    with pytest.raises(ConflictError, match="changed by someone else"):
        clients.update(ctx, c.id, expected_version=1, notes="second PC")
    assert clients.get(ctx, c.id).notes == "first PC"


def test_write_that_lost_a_race_raises_conflict(ctx):
    """version_id_col: a row changed after this unit of work read it is never overwritten."""
    from sqlalchemy import text

    from crm_desktop.db.models import Client

    c = clients.create(ctx, name="Race")
    with pytest.raises(ConflictError), ctx.write() as s:
        row = s.get(Client, c.id)
        # another PC saves between our read and our write
        s.execute(
            text("UPDATE clients SET notes = 'theirs', version = version + 1 WHERE id = :i"), {"i": c.id}
        )
        row.notes = "mine"
    assert clients.get(ctx, c.id).version == 1  # the whole unit of work was rolled back


def test_two_sessions_racing_on_the_server_conflict(ctx):
    from crm_desktop.db.models import Client

    if ctx.db.is_sqlite:
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE, so this race cannot start there")
    c = clients.create(ctx, name="Race")
    with ctx.db._write() as mine:  # this PC read version 1 ...
        row = mine.get(Client, c.id)
        clients.update(ctx, c.id, expected_version=1, notes="theirs")  # ... another saved meanwhile
        row.notes = "mine"
        with pytest.raises(Exception) as err:
            mine.commit()
    assert type(err.value).__name__ == "StaleDataError"
    assert clients.get(ctx, c.id).notes == "theirs"


def test_delete_takes_the_timeline_and_reports_impact(ctx):
    c = clients.create(ctx, name="Short-lived")
    clients.update(ctx, c.id, expected_version=1, status="prospect")
    impact = clients.deletion_impact(ctx, c.id)
    assert (impact.activities, impact.deals, impact.tasks, impact.documents) == (1, 0, 0, 0)
    clients.delete(ctx, c.id)
    with pytest.raises(NotFound):
        clients.get(ctx, c.id)
    assert audit(ctx, c.id)[-1].action == "delete"
    assert [a for a, *_ in audit(ctx, None, "activities")] == []
    with ctx.read() as s:
        deleted = s.scalars(select(AuditEntry.entity).where(AuditEntry.action == "delete")).all()
    assert sorted(deleted) == ["activities", "clients"]


def test_client_with_invoices_cannot_be_deleted(ctx):
    c = clients.create(ctx, name="Has invoices")
    with ctx.write() as s:
        s.add(Document(client_id=c.id, currency="USD"))
    with pytest.raises(ServiceError, match="Mark the client inactive"):
        clients.delete(ctx, c.id)
    assert clients.get(ctx, c.id).name == "Has invoices"


def test_list_filters_sorts_and_pages(ctx):
    for name, status, tag in [
        ("Zafar", "lead", "a"),
        ("Ali", "customer", "b"),
        ("Мария", "customer", "a"),
        ("Bekzod", "lead", "b"),
    ]:
        clients.create(ctx, name=name, status=status, tags=[tag])
    names = lambda rows: [r.name for r in rows]  # noqa: E731
    assert names(clients.list_clients(ctx)) == ["Ali", "Bekzod", "Zafar", "Мария"]
    assert names(clients.list_clients(ctx, sort="name", descending=True, limit=2)) == ["Мария", "Zafar"]
    assert names(clients.list_clients(ctx, offset=2, limit=1)) == ["Zafar"]
    assert names(clients.list_clients(ctx, ClientFilter(status="customer"))) == ["Ali", "Мария"]
    assert names(clients.list_clients(ctx, ClientFilter(tag="a"))) == ["Zafar", "Мария"]
    assert clients.count(ctx, ClientFilter(status="lead")) == 2
    with pytest.raises(ValidationError, match="Cannot sort clients by 'age'"):
        clients.list_ids(ctx, sort="age")


def test_first_page_counts_all_matches_and_returns_the_first_rows_in_order(ctx):
    for name in ["Karimov Aziz", "Karimova Dilnoza", "Karim Travel", "Rahimova Zarina", "Karimov Bekzod"]:
        clients.create(ctx, name=name)
    names = lambda rows: [r.name for r in rows]  # noqa: E731
    total, first = clients.first_page(ctx, ClientFilter(search="karimov"), limit=2)
    assert (total, names(first)) == (3, ["Karimov Aziz", "Karimov Bekzod"])
    total, first = clients.first_page(
        ctx, ClientFilter(search="karim"), sort="name", descending=True, limit=10
    )
    assert (total, names(first)) == (
        4,
        ["Karimova Dilnoza", "Karimov Bekzod", "Karimov Aziz", "Karim Travel"],
    )
    assert clients.first_page(ctx, ClientFilter(search="nobody"), limit=10) == (0, [])
    total, first = clients.first_page(ctx, ClientFilter(), limit=1)  # no search: counted apart
    assert (total, names(first)) == (5, ["Karim Travel"])


def test_a_search_counts_exactly_the_clients_it_lists_after_renames_and_deletes(ctx):
    """The count of a search comes from the search index alone where it can (SQLite, an administrator):
    it must never count a renamed or deleted client the list no longer shows."""
    made = [clients.create(ctx, name=f"Karimov {first}") for first in ("Aziz", "Bekzod", "Jasur", "Timur")]
    clients.update(ctx, made[0].id, expected_version=made[0].version, name="Rahimov Aziz")
    clients.delete(ctx, made[1].id)
    for query in ("karimov", "rahimov", "karimov jasur", "kar"):
        total, first = clients.first_page(ctx, ClientFilter(search=query), limit=50)
        assert total == len(first) == clients.count(ctx, ClientFilter(search=query)), query
    assert clients.first_page(ctx, ClientFilter(search="karimov"), limit=1)[0] == 2


def test_private_clients_are_hidden_from_other_staff(ctx):
    with ctx.write() as s:
        s.add(User(id=2, username="dilnoza", display_name="Dilnoza", role="staff"))
        s.add(User(id=3, username="rashad", display_name="Rashad", role="staff"))
    dilnoza = ServiceContext(ctx.db, actor=Actor(2, "dilnoza", "staff"), clock=ctx.clock)
    rashad = ServiceContext(ctx.db, actor=Actor(3, "rashad", "staff"), clock=ctx.clock)
    secret = clients.create(dilnoza, name="Secret Client", private=True)
    shared = clients.create(dilnoza, name="Shared Client")
    assert clients.list_ids(rashad) == [shared.id]
    assert clients.list_ids(rashad, ClientFilter(search="secret")) == []
    with pytest.raises(NotFound):
        clients.get(rashad, secret.id)
    assert sorted(clients.list_ids(ctx)) == sorted([secret.id, shared.id])  # the admin sees all


def test_listeners_hear_which_clients_changed(ctx):
    heard = []
    ctx.listeners.append(heard.append)
    c = clients.create(ctx, name="Heard")
    assert heard[-1].created["clients"] == {c.id}


def test_rows_removed_as_orphans_are_audited_too(ctx, audit_rows):
    """A line dropped from a document's list is deleted by the ORM, not by session.delete()."""
    from decimal import Decimal

    from crm_desktop.db.models import DocumentLine

    c = clients.create(ctx, name="Orphans")
    with ctx.write() as s:
        doc = Document(client_id=c.id, currency="USD")
        doc.lines = [
            DocumentLine(description="kept", unit_price=Decimal(1)),
            DocumentLine(description="dropped", unit_price=Decimal(2)),
        ]
        s.add(doc)
    with ctx.write() as s:
        doc = s.get(Document, doc.id)
        dropped_id = doc.lines[1].id
        doc.lines = doc.lines[:1]
    assert audit_rows("document_lines", dropped_id)[-1][0] == "delete"
    assert audit_rows("document_lines", dropped_id)[-1][1]["description"] == ["dropped", None]


def test_what_create_returns_is_what_a_later_read_finds(ctx, staff):
    """create builds its answer from what it wrote (no read back): it must agree with clients.get."""
    company = clients.create(ctx, name="Samarqand Travel", kind="company")
    dilnoza = staff["dilnoza"].actor.user_id
    made = clients.create(
        ctx,
        name="Aziz Karimov",
        company_id=company.id,
        owner_id=dilnoza,
        tags=["vip", "b2b"],
        phones=["+998 90 123 45 67"],
        emails=["aziz@example.uz"],
        private=True,
        notes="Calls",
    )
    assert made == clients.get(ctx, made.id)
    assert (made.owner_name, made.company_name, made.tags) == ("Dilnoza", "Samarqand Travel", ["b2b", "vip"])
    assert [action for action, *_ in audit(ctx, made.id)] == ["create", "tags"]
    assert clients.list_clients(ctx, ClientFilter(search="998901234"))[0].id == made.id  # its search row


def test_a_disabled_owner_is_refused_and_nothing_is_saved(ctx, staff):
    from crm_desktop.services import users

    dilnoza = staff["dilnoza"].actor.user_id
    users.disable(ctx, dilnoza)
    with pytest.raises(ValidationError, match="not an active user") as err:
        clients.create(ctx, name="Aziz Karimov", owner_id=dilnoza)
    assert err.value.field == "owner_id" and clients.count(ctx) == 0
    assert clients.create(ctx, name="Nobody's", owner_id=None).owner_name == ""


def test_a_new_client_and_its_audit_row_are_one_transaction(ctx):
    """A commit that fails after everything was written leaves neither the client nor its audit row."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    heard = []
    ctx.listeners.append(heard.append)

    def power_cut(session):
        if session.info.get("crm_unit") is not None:
            raise RuntimeError("the PC lost power while saving")

    event.listen(Session, "before_commit", power_cut)  # after the unit of work's own: its rows are written
    try:
        with pytest.raises(RuntimeError):
            clients.create(ctx, name="Lost in the cut")
    finally:
        event.remove(Session, "before_commit", power_cut)
    with ctx.read() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.entity == "clients")) is None
    assert clients.count(ctx) == 0 and heard == []
    made = clients.create(ctx, name="Saved")
    assert [action for action, *_ in audit(ctx, made.id)] == ["create"] and heard[-1].created["clients"] == {
        made.id
    }


def test_a_save_retried_with_its_request_id_makes_one_client(ctx):
    first = clients.create(ctx, name="Aziz Karimov", request_id="3f1c2a9e-0000-4000-8000-000000000001")
    again = clients.create(ctx, name="Aziz Karimov", request_id="3f1c2a9e-0000-4000-8000-000000000001")
    assert again.id == first.id and clients.count(ctx) == 1
    assert (
        clients.create(ctx, name="Aziz Karimov").id != first.id
    )  # without one, a second save is a second client


def statements_of(ctx, call):
    """What `call` returns, and the SQL it sends."""
    with StatementLog(ctx.db.engine) as log:
        return call(), log


@pytest.mark.parametrize("sort", sorted(clients.KEY_SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_read_on_from_the_last_row_by_key_in_the_same_order_as_by_offset(ctx, sort, descending):
    # Equal names on both sides of every page boundary: the id breaks the tie, the same way by key.
    for i in range(23):
        name = ("Aziz Karimov", "Ünal Bey", "Zarina")[i % 3] if i % 4 else f"Client {i:02d}"
        clients.create(ctx, name=name)
    by_offset = [c.id for c in clients.list_clients(ctx, sort=sort, descending=descending, limit=100)]
    assert len(by_offset) == 23
    by_key: list[int] = []
    last = None
    while True:
        offset = len(by_key)
        page, sent = statements_of(
            ctx,
            lambda last=last, offset=offset: clients.list_clients(
                ctx, sort=sort, descending=descending, offset=offset, limit=5, after=last
            ),
        )
        if last is not None:
            ids_query = sent.pages()[0]
            assert not skips_rows(ids_query)  # the page starts at the key, not counted past
            key = "sort_name, clients.id) " if sort == "name" else "clients.id "
            assert key + ("<" if descending else ">") in ids_query.sql
        if not page:
            break
        by_key += [c.id for c in page]
        last = page[-1]
    assert by_key == by_offset


def test_a_page_by_name_reads_a_range_of_the_sort_name_id_index(ctx):
    clients.create(ctx, name="Aziz Karimov")
    last = clients.list_clients(ctx)[0]
    _, sent = statements_of(ctx, lambda: clients.list_clients(ctx, limit=5, after=last))
    page = sent.pages()[0]
    query, parameters = page.sql, page.parameters
    with ctx.read() as s:
        connection = s.connection()
        if ctx.db.dialect == "sqlite":
            explained = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + query, parameters)
            plan = " ".join(str(r[-1]) for r in explained)
        else:  # a table this small would be scanned: say what the plan is once there are many rows
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
            plan = " ".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + query, parameters))
    assert "ix_clients_sort_name_id" in plan and "TEMP B-TREE" not in plan, plan


def test_rows_by_id_leave_out_those_the_filter_no_longer_finds(ctx):
    lead = clients.create(ctx, name="Aziz Karimov")
    customer = clients.create(ctx, name="Zarina Rahimova", status="customer")
    found = clients.rows(ctx, [customer.id, lead.id], ClientFilter(status="lead"))
    assert [c.id for c in found] == [lead.id]
    assert [c.id for c in clients.rows(ctx, [customer.id, lead.id])] == [customer.id, lead.id]


def test_a_client_may_get_documents_in_a_language_of_their_own(ctx):
    rus = clients.create(ctx, name="Ольга Петрова", language="ru")
    assert clients.get(ctx, rus.id).language == "ru"
    assert clients.get(ctx, clients.create(ctx, name="Aziz Karimov").id).language == ""  # the company's
    with pytest.raises(ValidationError) as refused:
        clients.create(ctx, name="Hans Müller", language="de")
    assert refused.value.field == "language"
