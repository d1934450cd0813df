"""Users (disabled, never deleted) and the company profile."""

from __future__ import annotations

import pytest

from crm_desktop.services import company, users
from crm_desktop.services.errors import ConflictError, PermissionDenied, ValidationError


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
    assert users.update(staff["rashad"], me.id, expected_version=me.version, display_name="Rəşad").display_name == "Rəşad"


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


def test_company_profile(ctx, staff, audit_rows):
    profile = company.get(ctx)
    assert not company.is_set_up(ctx) and profile.default_currency == "USD"
    updated = company.update(ctx, expected_version=profile.version, name="Ipak Yoʻli Services",
                             default_currency="uzs", language="uz", email="")
    assert (updated.name, updated.default_currency, updated.language) == ("Ipak Yoʻli Services", "UZS", "uz")
    assert company.is_set_up(ctx)
    assert audit_rows("company_profile", 1)[-1][1]["default_currency"] == ["USD", "UZS"]
    with pytest.raises(ConflictError):
        company.update(ctx, expected_version=profile.version, name="stale")
    with pytest.raises(ValidationError, match="Unknown currency"):
        company.update(ctx, expected_version=updated.version, default_currency="SOM")
    with pytest.raises(PermissionDenied):
        company.update(staff["rashad"], expected_version=updated.version, name="Mine now")
