"""The optional password of a CRM on one PC: none by default, set, checked, changed and removed; the
log says it changed, never what it is."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_desktop.db.models import AuditEntry
from crm_desktop.services import local_password
from crm_desktop.services.errors import PermissionDenied, ValidationError


def test_set_check_change_and_remove(sqlite_ctx):
    db = sqlite_ctx.db
    assert not local_password.is_set(db)
    with pytest.raises(ValidationError, match="at least 8"):
        local_password.change(sqlite_ctx, current=None, new="short")
    assert local_password.change(sqlite_ctx, current=None, new="Toshkent-2026") is True
    assert local_password.is_set(db)
    assert local_password.check(db, "Toshkent-2026") and not local_password.check(db, "toshkent-2026")
    with pytest.raises(PermissionDenied, match="current password is not right"):
        local_password.change(sqlite_ctx, current="guess", new="Samarqand-2026")
    assert local_password.change(sqlite_ctx, current="Toshkent-2026", new="Samarqand-2026")
    assert local_password.check(db, "Samarqand-2026")
    assert local_password.change(sqlite_ctx, current="Samarqand-2026", new="") is False
    assert not local_password.is_set(db)
    with sqlite_ctx.read() as s:
        entries = s.execute(
            select(AuditEntry.action, AuditEntry.changes).where(AuditEntry.entity == "users")
        ).all()
    logged = [changes for _, changes in entries if "password_hash" in changes]
    assert [c["password_hash"] for c in logged] == [
        [None, "(hidden)"],
        ["(hidden)", "(hidden)"],
        ["(hidden)", None],
    ]
    assert ("login", {}) in [tuple(e) for e in entries]


def test_a_server_has_its_own_passwords(pg_ctx):
    with pytest.raises(ValidationError, match="Settings → Users"):
        local_password.change(pg_ctx, current=None, new="Toshkent-2026")
