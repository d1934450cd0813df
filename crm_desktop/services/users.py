"""The people who use the CRM. Users are disabled, never deleted: the audit log keeps naming them.

In shared mode each user is also a server login (services/logins.py), made and changed in the same
unit of work as the user row, and whoever connects is the user of that login (`sign_in`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, func, select, text
from sqlalchemy.orm import Session, aliased

from crm_desktop.db.engine import Database
from crm_desktop.db.models import USER_ROLES, Client, User
from crm_desktop.i18n import N_, Message
from crm_desktop.services import logins
from crm_desktop.services import validation as v
from crm_desktop.services.context import OWNER, Actor, ServiceContext, check_version, record
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError

_USERNAME = re.compile(r"^[\w.\-]{1,100}$")
# What each role is called where a person reads it (the window, the command line's table and sentences);
# the database, CSV and JSON keep the codes.
ROLE_NAMES = {"admin": N_("Administrator"), "manager": N_("Manager"), "staff": N_("Staff")}


def role_name(role: str) -> Message:
    """A role (its code) as a person reads it, put into the reader's language with the sentence it is in;
    a code this version does not know is shown as it is."""
    return Message(ROLE_NAMES.get(role, role))


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    email: str | None
    role: str
    manager_id: int | None
    manager_name: str
    active: bool
    version: int
    can_export: bool = False


def _rows(s: Session, *where) -> list[UserRow]:
    manager = aliased(User)
    result = s.execute(
        select(User, manager.display_name)
        .outerjoin(manager, manager.id == User.manager_id)
        .where(*where)
        .order_by(func.lower(User.display_name), User.id)
    )
    return [
        UserRow(
            u.id,
            u.username,
            u.display_name,
            u.email,
            u.role,
            u.manager_id,
            m or "",
            u.active,
            u.version,
            u.can_export,
        )
        for u, m in result
    ]


def require_active(s: Session, field: str, user_id: int | None, who: str | Message) -> int | None:
    """A user a record is given to (owner, assignee) must exist and be active; None means nobody.
    `who` is the role they would have, as a word: N_("owner"), N_("assignee")."""
    if user_id is not None:
        user = s.get(User, user_id)
        if user is None or not user.active:
            raise not_active(field, who)
    return user_id


def not_active(field: str, who: str | Message) -> ValidationError:
    return ValidationError(
        field, "The chosen {who} is not an active user. Choose another {who}.", who=v.label_of(who)
    )


def if_active(user_id: Any, column: Any = User.id) -> ScalarSelect[Any]:
    """`column` of the user if active, else NULL: for checking a user inside the statement that writes
    (INSERT ... VALUES ((SELECT ...))) instead of reading the row before it."""
    return select(column).where(User.id == user_id, User.active.is_(True)).scalar_subquery()


def list_users(ctx: ServiceContext, *, include_inactive: bool = False) -> list[UserRow]:
    with ctx.read() as s:
        return _rows(s, *(() if include_inactive else (User.active.is_(True),)))


def get(ctx: ServiceContext, user_id: int) -> UserRow:
    with ctx.read() as s:
        found = _rows(s, User.id == user_id)
    if not found:
        raise NotFound("User #{user_id} does not exist.", user_id=user_id)
    return found[0]


def _require_admin(ctx: ServiceContext) -> None:
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can manage users.")


def _clean(s: Session, values: dict[str, Any], self_id: int | None = None) -> dict[str, Any]:
    v.known_fields(
        values, {"username", "display_name", "email", "role", "manager_id", "can_export"}, N_("Users")
    )
    out: dict[str, Any] = {}
    if "username" in values:
        name = v.text("username", values["username"], N_("The user name"), required=True, max_length=100)
        if not _USERNAME.match(name):
            raise ValidationError(
                "username",
                "'{name}' cannot be a user name: use letters, digits, '.', '_' and '-' only, without spaces.",
                name=name,
            )
        taken = s.scalar(select(User.id).where(func.lower(User.username) == name.lower()))
        if taken is not None and taken != self_id:
            raise ValidationError(
                "username", "The user name '{name}' is taken. Choose another one.", name=name
            )
        out["username"] = name
    if "display_name" in values:
        out["display_name"] = v.text(
            "display_name", values["display_name"], N_("The name"), required=True, max_length=200
        )
    if "email" in values:
        email = (values["email"] or "").strip()
        out["email"] = v.email("email", email) if email else None
    if "role" in values:
        out["role"] = v.choice("role", values["role"], USER_ROLES, N_("The role"))
    if "manager_id" in values:
        out["manager_id"] = _check_manager(s, values["manager_id"], self_id)
    if "can_export" in values:
        out["can_export"] = bool(values["can_export"])
    return out


def _check_manager(s: Session, manager_id: int | None, self_id: int | None) -> int | None:
    seen = {self_id}
    current = manager_id
    while current is not None:  # walk up the chain: nobody may end up managing themselves
        if current in seen:
            raise ValidationError(
                "manager_id",
                "That would make a person their own manager (through the chain). Choose another manager.",
            )
        seen.add(current)
        manager = s.get(User, current)
        if manager is None or (current == manager_id and not manager.active):
            raise ValidationError(
                "manager_id", "The chosen manager is not an active user. Choose another one."
            )
        current = manager.manager_id
    return manager_id


def create(
    ctx: ServiceContext,
    *,
    username: str,
    display_name: str,
    role: str = "staff",
    email: str | None = None,
    manager_id: int | None = None,
    can_export: bool | None = None,
    password: str | None = None,
) -> UserRow:
    """A new user; in shared mode also their server login, with `password` (admins export by default)."""
    _require_admin(ctx)
    with ctx.write() as s:
        clean = _clean(
            s,
            {
                "username": username,
                "display_name": display_name,
                "role": role,
                "email": email,
                "manager_id": manager_id,
                "can_export": role == "admin" if can_export is None else can_export,
            },
        )
        user = User(active=True, **clean)
        s.add(user)
        s.flush()
        logins.create(s, user.username, password, user.role)
        user_id = user.id
    return get(ctx, user_id)


def update(ctx: ServiceContext, user_id: int, *, expected_version: int, **values: Any) -> UserRow:
    """Admins change anything; everyone else only their own display_name and email."""
    own_details = user_id == ctx.actor.user_id and set(values) <= {"display_name", "email"}
    if not own_details and not ctx.actor.is_admin:
        raise PermissionDenied(
            "You can change only your own name and email. Ask an administrator for the rest."
        )
    with ctx.write() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("User #{user_id} does not exist.", user_id=user_id)
        check_version(user, expected_version, N_("user"))
        clean = _clean(s, values, self_id=user_id)
        if clean.get("role", "admin") != "admin" and user.role == "admin" and _active_admins(s) == 1:
            raise ValidationError(
                "role", "This is the last administrator; make someone else an administrator first."
            )
        if "username" in clean and clean["username"] != user.username and logins.exists(s, user.username):
            raise ValidationError(
                "username",
                "A user name is also the server login and cannot be changed. "
                "Add a new user and disable this one instead.",
            )
        for key, value in clean.items():
            setattr(user, key, value)
        if "role" in clean and user.active:
            logins.set_role(s, user.username, user.role)
    return get(ctx, user_id)


def set_password(ctx: ServiceContext, user_id: int, password: str) -> None:
    """A new server password (shared mode): admins for anyone, everyone for themselves."""
    if user_id != ctx.actor.user_id and not ctx.actor.is_admin:
        raise PermissionDenied("You can change only your own password. Ask an administrator for another's.")
    with ctx.write() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("User #{user_id} does not exist.", user_id=user_id)
        logins.set_password(s, user.username, password, user.role)
        record(s, entity="users", entity_id=user_id, action="password")


def _active_admins(s: Session) -> int:
    return (
        s.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True)))
        or 0
    )


def disable(ctx: ServiceContext, user_id: int) -> UserRow:
    """The user can no longer sign in or be chosen; their name stays on everything they did."""
    _require_admin(ctx)
    if user_id == ctx.actor.user_id:
        raise ValidationError("active", "You cannot disable yourself. Ask another administrator.")
    with ctx.write() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("User #{user_id} does not exist.", user_id=user_id)
        if user.role == "admin" and user.active and _active_admins(s) == 1:
            raise ValidationError("active", "This is the last administrator and cannot be disabled.")
        user.active = False
        logins.set_active(s, user.username, False, user.role)
    return get(ctx, user_id)


def enable(ctx: ServiceContext, user_id: int) -> UserRow:
    _require_admin(ctx)
    with ctx.write() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("User #{user_id} does not exist.", user_id=user_id)
        user.active = True
        logins.set_active(s, user.username, True, user.role)
    return get(ctx, user_id)


def reassign_clients(ctx: ServiceContext, from_user_id: int, to_user_id: int) -> int:
    """Every client of one user (e.g. someone leaving) given to another; how many moved."""
    _require_admin(ctx)
    with ctx.write() as s:
        require_active(s, "to_user_id", to_user_id, N_("new owner"))
        if s.get(User, from_user_id) is None:
            raise NotFound("User #{user_id} does not exist.", user_id=from_user_id)
        moved = list(s.scalars(select(Client).where(Client.owner_id == from_user_id)))
        for client in moved:  # through the ORM: each change gets its audit row and its version
            client.owner_id = to_user_id
        return len(moved)


def identify(db: Database) -> Actor:
    """Who is connected: on SQLite the owner; on a server the CRM user of the login (nothing written)."""
    if db.is_sqlite:
        return OWNER
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == func.current_user()))
        if user is None:
            if s.scalar(text("SELECT crm_is_user()")):
                raise PermissionDenied(
                    "This server login is not a CRM user. Ask your administrator to add you."
                )
            return OWNER  # the database's owner (who set the server up) acts as its first administrator
        if not user.active:
            raise PermissionDenied(
                "The user '{username}' is disabled. Ask your administrator.", username=user.username
            )
        return Actor(user.id, user.username, user.role, user.can_export)


def sign_in(db: Database) -> Actor:
    """identify(), and a CRM user's sign-in written to the audit log."""
    actor = identify(db)
    if actor != OWNER:
        with ServiceContext(db, actor=actor).write() as s:
            record(s, entity="users", entity_id=actor.user_id, action="login")
    return actor
