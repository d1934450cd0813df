"""Users: created and changed by administrators, disabled rather than deleted.

(Unique names, own-name edits, the manager chain and the last admin's demotion are in
test_users_and_company.py; this file covers the rest.)
"""

from __future__ import annotations

import pytest

from crm_desktop.services import clients, deals, users
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError


def as_user(ctx, row) -> ServiceContext:
    return ServiceContext(ctx.db, actor=Actor(row.id, row.username, row.role), clock=ctx.clock)


def test_create_stores_everything_and_audits_it(ctx, audit_rows):
    boss = users.create(ctx, username="olga.m", display_name="Olga Mironova", role="manager")
    u = users.create(
        ctx, username="aziz_k-2", display_name="  Aziz Karimov ", email=" aziz@office.uz ", manager_id=boss.id
    )
    assert users.get(ctx, u.id) == u
    assert (u.username, u.display_name, u.email, u.role, u.manager_name, u.active, u.version) == (
        "aziz_k-2",
        "Aziz Karimov",
        "aziz@office.uz",
        "staff",
        "Olga Mironova",
        True,
        1,
    )
    action, changes = audit_rows("users", u.id)[0]
    assert action == "create"
    assert changes["username"] == [None, "aziz_k-2"] and changes["manager_id"] == [None, boss.id]


@pytest.mark.parametrize(
    "values, field, words",
    [
        ({"username": ""}, "username", "cannot be empty"),
        ({"username": "ali@home"}, "username", "use letters, digits, '.', '_' and '-' only"),
        ({"username": "a" * 101}, "username", "keep it under 100"),
        ({"username": "OWNER"}, "username", "is taken. Choose another one"),
        ({"display_name": " "}, "display_name", "cannot be empty"),
        ({"email": "aziz.office.uz"}, "email", "no '@'"),
        ({"role": "boss"}, "role", "must be one of: admin, manager, staff"),
        ({"manager_id": 999}, "manager_id", "not an active user. Choose another one"),
    ],
)
def test_bad_input_names_the_field_and_creates_nobody(ctx, values, field, words):
    with pytest.raises(ValidationError) as err:
        users.create(ctx, **{"username": "aziz", "display_name": "Aziz", **values})
    assert err.value.field == field and words in err.value.message
    assert [u.username for u in users.list_users(ctx, include_inactive=True)] == ["owner"]


def test_letters_of_any_script_make_a_user_name(ctx):
    assert users.create(ctx, username="Ərdoğan.Ə", display_name="Ərdoğan").username == "Ərdoğan.Ə"
    assert users.create(ctx, username="дильноза", display_name="Дильноза").username == "дильноза"


def test_list_is_sorted_by_name_and_hides_disabled_users(ctx):
    for username, name in [("z", "zarina"), ("b", "Bekzod"), ("a", "Ali")]:
        users.create(ctx, username=username, display_name=name)
    assert [u.display_name for u in users.list_users(ctx)] == ["Ali", "Bekzod", "Owner", "zarina"]
    users.disable(ctx, users.list_users(ctx)[0].id)
    assert [u.display_name for u in users.list_users(ctx)] == ["Bekzod", "Owner", "zarina"]
    assert len(users.list_users(ctx, include_inactive=True)) == 4
    with pytest.raises(NotFound):
        users.get(ctx, 999)


def test_admin_update_audits_old_and_new_values(ctx, audit_rows):
    boss = users.create(ctx, username="olga", display_name="Olga", role="manager")
    u = users.create(ctx, username="aziz", display_name="Aziz")
    changed = users.update(
        ctx,
        u.id,
        expected_version=u.version,
        role="manager",
        manager_id=boss.id,
        username="aziz.k",
        email="aziz@office.uz",
    )
    assert (changed.role, changed.manager_name, changed.username, changed.version) == (
        "manager",
        "Olga",
        "aziz.k",
        2,
    )
    assert audit_rows("users", u.id)[-1] == (
        "update",
        {
            "username": ["aziz", "aziz.k"],
            "email": [None, "aziz@office.uz"],
            "role": ["staff", "manager"],
            "manager_id": [None, boss.id],
        },
    )
    cleared = users.update(ctx, u.id, expected_version=changed.version, email="", manager_id=None)
    assert (cleared.email, cleared.manager_id, cleared.manager_name) == (None, None, "")
    with pytest.raises(ValidationError, match="Users have no field 'active'"):
        users.update(ctx, u.id, expected_version=cleared.version, active=False)


def test_nobody_can_be_their_own_manager(ctx):
    u = users.create(ctx, username="aziz", display_name="Aziz")
    with pytest.raises(ValidationError) as err:
        users.update(ctx, u.id, expected_version=u.version, manager_id=u.id)
    assert err.value.field == "manager_id" and "their own manager" in err.value.message


def test_disabled_managers_cannot_be_chosen(ctx):
    boss = users.create(ctx, username="olga", display_name="Olga", role="manager")
    users.disable(ctx, boss.id)
    with pytest.raises(ValidationError, match="not an active user"):
        users.create(ctx, username="aziz", display_name="Aziz", manager_id=boss.id)


def test_a_second_pc_editing_the_same_user_gets_a_conflict(ctx):
    u = users.create(ctx, username="aziz", display_name="Aziz")
    other_pc = ServiceContext(ctx.db, actor=ctx.actor, clock=ctx.clock)
    users.update(other_pc, u.id, expected_version=u.version, display_name="Aziz K.")
    with pytest.raises(ConflictError, match="changed by someone else"):
        users.update(ctx, u.id, expected_version=u.version, role="admin")
    assert (users.get(ctx, u.id).display_name, users.get(ctx, u.id).role) == ("Aziz K.", "staff")


def test_a_save_that_loses_the_race_is_a_conflict_and_leaves_no_trace(
    ctx, audit_rows, another_pc_saves_first
):
    u = users.create(ctx, username="aziz", display_name="Aziz")
    with pytest.raises(ConflictError), another_pc_saves_first(ctx, "users", u.id):
        users.update(ctx, u.id, expected_version=u.version, display_name="Aziz K.")
    assert users.get(ctx, u.id).display_name == "Aziz"
    assert [a for a, _ in audit_rows("users", u.id)] == ["create"]


def test_staff_may_only_touch_their_own_name_and_email(ctx):
    me_row = users.create(ctx, username="aziz", display_name="Aziz")
    colleague = users.create(ctx, username="olga", display_name="Olga")
    me = as_user(ctx, me_row)
    mine = users.update(me, me_row.id, expected_version=me_row.version, email="aziz@office.uz")
    assert mine.email == "aziz@office.uz"
    with pytest.raises(PermissionDenied, match="only your own name and email"):
        users.update(me, colleague.id, expected_version=colleague.version, display_name="Olya")
    with pytest.raises(PermissionDenied, match="Ask an administrator"):
        users.update(me, me_row.id, expected_version=mine.version, manager_id=colleague.id)
    with pytest.raises(PermissionDenied):
        users.disable(me, colleague.id)
    assert users.get(ctx, colleague.id).display_name == "Olga"


def test_disable_and_enable_are_audited_and_disabled_users_own_nothing_new(ctx, audit_rows):
    u = users.create(ctx, username="aziz", display_name="Aziz")
    assert users.disable(ctx, u.id).active is False
    assert audit_rows("users", u.id)[-1] == ("update", {"active": [True, False]})
    c = clients.create(ctx, name="Client")
    with pytest.raises(ValidationError, match="not an active user"):
        deals.create(ctx, client_id=c.id, title="Deal", owner_id=u.id)
    assert users.enable(ctx, u.id).active is True
    assert deals.create(ctx, client_id=c.id, title="Deal", owner_id=u.id).owner_name == "Aziz"


def test_the_last_active_admin_is_never_disabled(ctx):
    second = users.create(ctx, username="admin2", display_name="Second admin", role="admin")
    owner = users.get(ctx, 1)
    # The owner steps down while another admin exists, but their open session still says "admin".
    users.update(ctx, 1, expected_version=owner.version, role="staff")
    with pytest.raises(ValidationError) as err:
        users.disable(ctx, second.id)
    assert err.value.field == "active" and "last administrator" in err.value.message
    assert users.get(ctx, second.id).active is True
    assert users.disable(as_user(ctx, second), 1).active is False  # a staff member can go


def test_admin_creates_users_and_names_are_unique(ctx, audit_rows):
    u = users.create(ctx, username="dilnoza", display_name="Dilnoza Rahimova", email="dilnoza@office.uz")
    assert (u.role, u.active, u.manager_name) == ("staff", True, "")
    assert audit_rows("users", u.id)[0][0] == "create"
    with pytest.raises(ValidationError, match="is taken"):
        users.create(ctx, username="Dilnoza", display_name="Another")
    with pytest.raises(ValidationError, match="without spaces"):
        users.create(ctx, username="dil noza", display_name="X")


def test_staff_cannot_manage_users_but_may_edit_their_own_name(ctx, staff):
    me = users.get(ctx, staff["rashad"].actor.user_id)
    with pytest.raises(PermissionDenied):
        users.create(staff["rashad"], username="x", display_name="X")
    with pytest.raises(PermissionDenied):
        users.update(staff["rashad"], me.id, expected_version=me.version, role="admin")
    assert (
        users.update(staff["rashad"], me.id, expected_version=me.version, display_name="Rəşad").display_name
        == "Rəşad"
    )


def test_manager_loops_are_refused(ctx, staff):
    boss = users.get(ctx, staff["manager"].actor.user_id)
    report = users.get(ctx, staff["dilnoza"].actor.user_id)
    assert report.manager_name == "Olga"
    with pytest.raises(ValidationError, match="their own manager"):
        users.update(ctx, boss.id, expected_version=boss.version, manager_id=report.id)


def test_disable_keeps_the_user_and_protects_the_last_admin(ctx, staff):
    rashad = staff["rashad"].actor.user_id
    assert users.disable(ctx, rashad).active is False
    assert rashad not in [u.id for u in users.list_users(ctx)]
    assert rashad in [u.id for u in users.list_users(ctx, include_inactive=True)]
    with pytest.raises(ValidationError, match="cannot disable yourself"):
        users.disable(ctx, 1)
    owner = users.get(ctx, 1)
    with pytest.raises(ValidationError, match="last administrator"):
        users.update(ctx, 1, expected_version=owner.version, role="staff")
