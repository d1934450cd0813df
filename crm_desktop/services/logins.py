"""Server logins for CRM users in shared mode: each user is a PostgreSQL login role.

PostgreSQL checks the password (SCRAM); the verifier is computed here, on this PC, so the password
itself never travels in a statement or lands in a server log. Every CRM login is a member of
crm_user, which holds the table privileges; admins are also members of crm_admin. No login holds
CREATEROLE (which would let it grant itself any predefined role): logins are made and changed only
through the database's crm_create_login / crm_change_login, which check that the caller is an
administrator (or changes their own password) and touch nothing but CRM logins (migration 0006).
All of this happens in the caller's transaction: the user row and its login are made (or changed)
together or not at all. SQLite has no logins: these are no-ops there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crm_desktop.i18n import Message
from crm_desktop.services.errors import PermissionDenied, ServiceError, ValidationError

MIN_PASSWORD = 8


def shared(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def check_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise ValidationError(
            "password",
            Message.counted(
                "The password needs at least {n} character.",
                "The password needs at least {n} characters.",
                MIN_PASSWORD,
            ),
        )
    return password


def _verifier(s: Session, username: str, password: str) -> str:
    """SCRAM-SHA-256 verifier, as `ALTER ROLE … PASSWORD` stores it."""
    raw: Any = s.connection().connection.dbapi_connection  # psycopg's own connection: its pgconn hashes
    secret = raw.pgconn.encrypt_password(password.encode(), username.encode(), b"scram-sha-256")
    return secret.decode("ascii")


def _call(s: Session, function: str, **arguments) -> None:
    try:
        with s.begin_nested():
            s.execute(text(f"SELECT {function}({', '.join(':' + name for name in arguments)})"), arguments)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42501":
            raise PermissionDenied(
                "The server did not let this login manage users (it needs to be a CRM administrator's login)."
            ) from exc
        raise


def create(s: Session, username: str, password: str | None, role: str) -> None:
    """The login of a new user; without a password none yet (set_password makes it later)."""
    if not shared(s) or password is None:
        return
    if username.lower().startswith("pg_") or len(username.encode()) > 63:
        raise ValidationError(
            "username",
            "On a server a user name is also a login: at most 63 letters, not "
            "starting with 'pg_'. Choose another user name.",
        )
    if exists(s, username):
        raise ValidationError(
            "username",
            "The server already has a login named '{username}' (perhaps for "
            "another database). Choose another user name.",
            username=username,
        )
    _call(s, "crm_create_login", login=username, verifier=_verifier(s, username, check_password(password)))
    set_role(s, username, role)


def _change(
    s: Session,
    username: str,
    *,
    verifier: str | None = None,
    can_login: bool | None = None,
    is_admin: bool | None = None,
) -> None:
    _call(s, "crm_change_login", login=username, verifier=verifier, can_login=can_login, is_admin=is_admin)


def set_role(s: Session, username: str, role: str) -> None:
    """Admins are members of crm_admin (its table rights); others are not."""
    if exists(s, username):
        _change(s, username, is_admin=role == "admin")


def set_password(s: Session, username: str, password: str, role: str) -> None:
    if not shared(s):
        return
    if not exists(s, username):
        create(s, username, password, role)
        return
    _change(s, username, verifier=_verifier(s, username, check_password(password)))


def set_active(s: Session, username: str, active: bool, role: str) -> None:
    """A disabled user can no longer sign in, and an open session of theirs loses its table rights."""
    if exists(s, username):
        _change(s, username, can_login=active, is_admin=role == "admin" if active else None)


def exists(s: Session, username: str) -> bool:
    return (
        shared(s)
        and s.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": username}).first()
        is not None
    )


@dataclass(frozen=True)
class Probe:
    """What "Test connection" found: whether CRM Desktop can work there, in words for the user."""

    ok: bool
    said: Message
    needs_upgrade: bool = False  # empty or older schema that this login may bring up to date

    @property
    def message(self) -> str:
        """What was found, in the current language."""
        return self.said.render()


def probe(url: str, password: str | None) -> Probe:
    """Connect once and say what a user would meet there; never changes anything."""
    # Imported here, not at the top: db.connect brings alembic along, which every other caller of this
    # module (users, local passwords) does without; and users imports this module.
    from crm_desktop.db.connect import check_reachable, is_crm_login, not_ready_for_users
    from crm_desktop.db.engine import Database, DatabaseOpenError
    from crm_desktop.db.migrate import current_revision, head_revision, known_revision
    from crm_desktop.services import users

    db = Database.open(url, password=password)
    try:
        check_reachable(db)
        before, head = current_revision(db), head_revision()
        crm_login = is_crm_login(db)
        if before is not None and not known_revision(before):
            return Probe(
                False,
                Message(
                    "{where} was written by a newer CRM Desktop (schema {schema}). "
                    "Install the latest CRM Desktop to use it.",
                    where=db.describe(),
                    schema=before,
                ),
            )
        if crm_login and (why := not_ready_for_users(db)):
            return Probe(False, why)
        if before is None:
            return Probe(
                True,
                Message(
                    "Connected. The database is empty; CRM Desktop will bring it up to date ({head}) "
                    "when you connect.",
                    head=head,
                ),
                needs_upgrade=True,
            )
        if before != head:
            return Probe(
                True,
                Message(
                    "Connected. The database has an older schema ({schema}); CRM Desktop will bring it up to "
                    "date ({head}) when you connect.",
                    schema=before,
                    head=head,
                ),
                needs_upgrade=True,
            )
        if crm_login:
            try:
                actor = users.identify(db)
            except ServiceError as exc:
                return Probe(False, exc.said)
            return Probe(
                True,
                Message(
                    "Connected as {username} ({role}).",
                    username=actor.username,
                    role=users.role_name(actor.role),
                ),
            )
        return Probe(True, Message("Connected as the database's owner (administrator)."))
    except DatabaseOpenError as exc:
        return Probe(False, exc.said)
    finally:
        db.dispose()
