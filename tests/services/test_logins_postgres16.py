"""Logins under PostgreSQL 16, whose CREATEROLE reaches only roles held with ADMIN OPTION and whose
REVOKE takes back only what the revoker granted (the CI server is 15; pgserver ships 16's binaries).

pgserver has no pg_trgm, so the whole schema cannot be installed there: this test installs the login
management of migration 0006 on a users table of its own, over logins made the way 0005 made them.

Spans services/logins.py and migrations/ (0006's login functions).
"""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0006_server_enforces.py"
SETUP = [
    "CREATE ROLE crm_user NOLOGIN",
    "CREATE ROLE crm_admin NOLOGIN",
    "GRANT crm_user TO crm_admin",
    "CREATE SCHEMA crm",
    "CREATE TABLE crm.users (id serial PRIMARY KEY, username text UNIQUE, role text, active boolean)",
    "GRANT USAGE ON SCHEMA crm TO crm_user",
    "GRANT SELECT ON crm.users TO crm_user",
    "GRANT INSERT, UPDATE ON crm.users TO crm_admin",
    "GRANT USAGE ON SEQUENCE crm.users_id_seq TO crm_admin",
    # an administrator login as 0005 made it, and a staff login that administrator made
    "CREATE ROLE old_admin LOGIN CREATEROLE PASSWORD 'old-admin-pw'",
    "GRANT crm_user, crm_admin TO old_admin WITH ADMIN OPTION",
    "INSERT INTO crm.users (username, role, active) VALUES ('old_admin', 'admin', true), "
    "('old_staff', 'staff', true)",
]


def _login_management():
    spec = importlib.util.spec_from_file_location("revision_0006", MIGRATION)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    return [revision.in_schema(s, "crm") for s in revision.login_management(160000)]


def as_login(server: str, name: str, password: str):
    return create_engine(make_url(server).set(username=name, password=password), poolclass=NullPool)


def verifier(engine, name: str, password: str) -> str:
    with engine.connect() as conn:
        pgconn = conn.connection.dbapi_connection.pgconn
        return pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()


def test_admins_manage_logins_through_the_functions_alone_on_postgres_16(postgres16_server):
    server = postgres16_server
    owner = create_engine(server, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        assert conn.scalar(text("SHOW server_version_num")).startswith("16")
        for statement in SETUP:
            conn.execute(text(statement))
    old_admin = as_login(server, "old_admin", "old-admin-pw")
    with old_admin.connect() as conn:  # 0005: the admin's own CREATEROLE made its staff's logins
        conn.execute(text("CREATE ROLE old_staff LOGIN PASSWORD 'old-staff-pw'"))
        conn.execute(text("GRANT crm_user TO old_staff"))
        conn.commit()
    with owner.connect() as conn:
        conn.execute(text("SET search_path = crm"))
        for statement in _login_management():
            conn.execute(text(statement))
        powers = conn.execute(
            text(
                "SELECT m.rolname, m.rolcreaterole, bool_or(a.admin_option) FROM pg_roles m "
                "JOIN pg_auth_members a ON a.member = m.oid WHERE m.rolname IN ('old_admin', 'old_staff') "
                "GROUP BY 1, 2 ORDER BY 1"
            )
        ).all()
    assert powers == [("old_admin", False, False), ("old_staff", False, False)]

    def call(engine, sql: str, **params) -> None:
        with engine.connect() as conn:
            conn.execute(text(sql), params)
            conn.commit()

    def member(name: str, group: str) -> bool:
        with owner.connect() as conn:
            return bool(conn.scalar(text("SELECT pg_has_role(:n, :g, 'MEMBER')"), {"n": name, "g": group}))

    new = f"new_staff_{uuid.uuid4().hex[:4]}"
    call(old_admin, "INSERT INTO crm.users (username, role, active) VALUES (:n, 'staff', true)", n=new)
    call(old_admin, "SELECT crm.crm_create_login(:n, :v)", n=new, v=verifier(old_admin, new, "new-staff-pw"))
    new_staff = as_login(server, new, "new-staff-pw")
    with new_staff.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM crm.users")) == 3  # a CRM login: crm_user's rights
    # the older login can be disabled, enabled, promoted and given a password: 16's ADMIN OPTION is there
    call(old_admin, "SELECT crm.crm_change_login('old_staff', NULL, false, NULL)")
    assert not member("old_staff", "crm_user")
    call(
        old_admin,
        "SELECT crm.crm_change_login('old_staff', :v, true, true)",
        v=verifier(old_admin, "old_staff", "renewed-pw"),
    )
    assert member("old_staff", "crm_user") and member("old_staff", "crm_admin")
    with as_login(server, "old_staff", "renewed-pw").connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == "old_staff"
    call(old_admin, "SELECT crm.crm_change_login('old_staff', NULL, NULL, false)")
    assert not member("old_staff", "crm_admin")
    call(
        new_staff,
        "SELECT crm.crm_change_login(:n, :v, NULL, NULL)",
        n=new,
        v=verifier(new_staff, new, "mine-pw-1"),
    )
    for attacker, statement in (
        (old_admin, "GRANT pg_read_all_data TO old_admin"),
        (old_admin, "ALTER ROLE old_admin CREATEROLE"),
        (old_admin, "CREATE ROLE someone LOGIN"),
        (old_admin, "SET ROLE crm_login_admin"),
        (old_admin, "SELECT crm.crm_change_login('postgres', NULL, true, true)"),
        (new_staff, "SELECT crm.crm_change_login('old_staff', NULL, false, NULL)"),
    ):
        with pytest.raises(DBAPIError):
            call(attacker, statement)
    assert member("old_staff", "crm_user") and not member("old_admin", "pg_read_all_data")
    with owner.connect() as conn:
        for name in (new, "old_staff", "old_admin"):
            conn.execute(text(f'DROP ROLE "{name}"'))
    owner.dispose()
