"""The timeline's own entries about deals and tasks are kept as written, like status changes.

Revision ID: 0007_more_system_entries
Revises: 0006_server_enforces

The app now writes timeline entries when a deal is created, moves, is won or lost, and when a task is
done (kinds "deal" and "task"). On a server the two guards of migration 0006 that keep the system's
entries as written (crm_activity_rules, crm_history_kept) learn the two kinds: each function is
recreated from its own stored definition with the longer list, so nothing else in it changes (owner,
search_path and rights stay). SQLite has no such guards: nothing to do there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_more_system_entries"
down_revision = "0006_server_enforces"
branch_labels = None
depends_on = None

BEFORE = "('status_change', 'document')"
AFTER = "('status_change', 'document', 'deal', 'task')"
GUARDS = ("crm_activity_rules", "crm_history_kept")


def _swap(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    definitions = bind.execute(
        sa.text(
            "SELECT p.proname, pg_catalog.pg_get_functiondef(p.oid) FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname = ANY(:names)"
        ),
        {"names": list(GUARDS)},
    ).all()
    assert sorted(name for name, _ in definitions) == sorted(GUARDS), definitions
    for name, definition in definitions:
        assert old in definition, f"{name} does not hold {old}"
        # Straight to the driver, without parameters: the definition holds % signs that are none.
        bind.connection.dbapi_connection.cursor().execute(definition.replace(old, new))


def upgrade() -> None:
    _swap(BEFORE, AFTER)


def downgrade() -> None:
    _swap(AFTER, BEFORE)
