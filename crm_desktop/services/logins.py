"""Server logins for CRM users in shared mode: each user is a PostgreSQL login role.

PostgreSQL checks the password (SCRAM); the verifier is computed here, on this PC, so the password
itself never travels in a statement or lands in a server log. Every CRM login is a member of
crm_user, which holds the table privileges; admins are also members of crm_admin and may create and
change other logins. All of this happens in the caller's transaction: the user row and its login
are made (or changed) together or not at all. SQLite has no logins: these are no-ops there.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm_desktop.services.errors import PermissionDenied, ValidationError

MIN_PASSWORD = 8


def shared(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def check_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise ValidationError("password", f"The password needs at least {MIN_PASSWORD} characters.")
    return password


def _quote(s: Session, name: str) -> str:
    return s.get_bind().dialect.identifier_preparer.quote_identifier(name)


def _verifier(s: Session, username: str, password: str) -> str:
    """SCRAM-SHA-256 verifier, as `ALTER ROLE … PASSWORD` stores it."""
    raw = s.connection().connection.dbapi_connection
    secret = raw.pgconn.encrypt_password(password.encode(), username.encode(), b"scram-sha-256")
    return secret.decode("ascii")


def _literal(text_value: str) -> str:
    return "'" + text_value.replace("'", "''") + "'"


def _run(s: Session, statement: str) -> None:
    try:
        with s.begin_nested():
            s.connection().exec_driver_sql(statement)  # DDL takes no bind parameters
    except Exception as exc:  # noqa: BLE001 - the server's refusal, said in our words
        message = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        if "permission denied" in message or "must have" in message or "privilege" in message:
            raise PermissionDenied("The server did not let this login manage users (it needs to be a CRM "
                                   "administrator's login).") from exc
        raise


def create(s: Session, username: str, password: str | None, role: str) -> None:
    """The login of a new user; without a password none yet (set_password makes it later)."""
    if not shared(s) or password is None:
        return
    if username.lower().startswith("pg_") or len(username.encode()) > 63:
        raise ValidationError("username", "On a server a user name is also a login: at most 63 letters, not "
                                          "starting with 'pg_'. Choose another user name.")
    if exists(s, username):
        raise ValidationError("username", f"The server already has a login named '{username}' (perhaps for "
                                          "another database). Choose another user name.")
    name = _quote(s, username)
    _run(s, f"CREATE ROLE {name} LOGIN PASSWORD {_literal(_verifier(s, username, check_password(password)))}")
    _run(s, f"GRANT crm_user TO {name}")
    set_role(s, username, role)


def set_role(s: Session, username: str, role: str) -> None:
    """Admins may create and change logins (CREATEROLE, and crm_admin's table rights); others may not."""
    if not exists(s, username):
        return
    name = _quote(s, username)
    if role == "admin":
        _run(s, f"ALTER ROLE {name} CREATEROLE")
        _run(s, f"GRANT crm_user, crm_admin TO {name} WITH ADMIN OPTION")
    else:
        _run(s, f"ALTER ROLE {name} NOCREATEROLE")
        _run(s, f"REVOKE crm_admin FROM {name}")
        _run(s, f"REVOKE ADMIN OPTION FOR crm_user FROM {name}")


def set_password(s: Session, username: str, password: str, role: str) -> None:
    if not shared(s):
        return
    if not exists(s, username):
        create(s, username, password, role)
        return
    _run(s, f"ALTER ROLE {_quote(s, username)} PASSWORD {_literal(_verifier(s, username, check_password(password)))}")


def set_active(s: Session, username: str, active: bool, role: str) -> None:
    """A disabled user can no longer sign in, and an open session of theirs loses its table rights."""
    if not exists(s, username):
        return
    name = _quote(s, username)
    if active:
        _run(s, f"ALTER ROLE {name} LOGIN")
        _run(s, f"GRANT crm_user TO {name}")
        set_role(s, username, role)
    else:
        _run(s, f"ALTER ROLE {name} NOLOGIN NOCREATEROLE")
        _run(s, f"REVOKE crm_user, crm_admin FROM {name}")


def exists(s: Session, username: str) -> bool:
    return shared(s) and s.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"),
                                   {"name": username}).first() is not None
