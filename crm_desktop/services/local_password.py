"""The optional password of a CRM on one PC (SQLite): without one the app opens straight away, as it
always did; with one, it asks for it at start. It keeps others from opening the CRM on this PC; the
database file itself is not encrypted (say so wherever it is set). Stored as a scrypt hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from crm_desktop.db.engine import Database
from crm_desktop.db.models import User
from crm_desktop.services.context import OWNER, ServiceContext, record
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.logins import check_password

_N, _R, _P = 2**14, 8, 1


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def _encode(password: str) -> str:
    salt = os.urandom(16)
    return "$".join(
        (
            "scrypt",
            str(_N),
            str(_R),
            str(_P),
            base64.b64encode(salt).decode(),
            base64.b64encode(_hash(password, salt)).decode(),
        )
    )


def is_set(db: Database) -> bool:
    if not db.is_sqlite:
        return False
    with db.read() as s:
        return bool(s.get_one(User, OWNER.user_id).password_hash)


def check(db: Database, password: str) -> bool:
    """True when `password` is the one set (a sign-in is then written to the audit log)."""
    if not _matches(db, password):
        return False
    with ServiceContext(db).write() as s:
        record(s, entity="users", entity_id=OWNER.user_id, action="login")
    return True


def _matches(db: Database, password: str) -> bool:
    with db.read() as s:
        stored = s.get_one(User, OWNER.user_id).password_hash or ""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def change(ctx: ServiceContext, *, current: str | None, new: str | None) -> bool:
    """Set, change or (with an empty `new`) remove the password; True when one is now set."""
    if not ctx.db.is_sqlite:
        raise ValidationError(
            "password",
            "On a server each user's password is their server login's: change it in Settings → Users.",
        )
    if is_set(ctx.db) and not _matches(ctx.db, current or ""):
        raise PermissionDenied("The current password is not right, so nothing was changed.")
    if new:
        check_password(new)  # long enough
    with ctx.write() as s:
        s.get_one(User, OWNER.user_id).password_hash = _encode(new) if new else None
    return bool(new)
