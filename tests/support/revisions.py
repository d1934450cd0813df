"""Databases at an older schema revision, for tests of what an upgrade (or a downgrade) does to them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection

from crm_desktop.db.migrate import alembic_config


def upgrade_to(conn: Connection, revision: str) -> None:
    """Bring the database of `conn` to `revision` (not head), in the caller's transaction."""
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def downgrade_to(conn: Connection, revision: str) -> None:
    """Take the database of `conn` back to `revision`, in the caller's transaction."""
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.downgrade(cfg, revision)
