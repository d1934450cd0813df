"""Merging clients (services/client_merge.py) moves the timeline of a client that is merged away, the
entries the system wrote on it included, to the client that remains; undoing a merge moves them back.

PostgreSQL keeps those entries as written against a CRM login (0006 and 0007, crm_activity_rules). From
here the one other change it lets through is the entry's client, everything else as it was (but the
version a save counts on and the time of the change). The login must see both clients — row-level
security checks the entry before and after — the move is in the audit log with the login that made it,
and the entry still says what it said. As in 0007, the function is recreated from its own stored
definition with the one condition added, so nothing else in it changes. SQLite has no such guard.

Revision ID: 0010_merged_clients
Revises: 0009_words_in_any_language
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_merged_clients"
down_revision = "0009_words_in_any_language"
branch_labels = None
depends_on = None

ITS_DEAL_GONE = "AND (to_jsonb(NEW) - 'deal_id') = (to_jsonb(OLD) - 'deal_id')) THEN"
OR_ITS_CLIENT = (
    "AND (to_jsonb(NEW) - 'deal_id') = (to_jsonb(OLD) - 'deal_id')\n"
    "           -- or it moves to the client it is merged into (or back)\n"
    "           OR NEW.client_id <> OLD.client_id\n"
    "           AND (to_jsonb(NEW) - 'client_id' - 'version' - 'updated_at')\n"
    "             = (to_jsonb(OLD) - 'client_id' - 'version' - 'updated_at')) THEN"
)


def _swap(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    definition = bind.execute(
        sa.text(
            "SELECT pg_catalog.pg_get_functiondef(p.oid) FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname = 'crm_activity_rules'"
        )
    ).scalar_one()
    assert old in definition, f"crm_activity_rules does not hold {old}"
    # Straight to the driver, without parameters: the definition holds % signs that are none.
    bind.connection.dbapi_connection.cursor().execute(definition.replace(old, new))


def upgrade() -> None:
    _swap(ITS_DEAL_GONE, OR_ITS_CLIENT)


def downgrade() -> None:
    _swap(OR_ITS_CLIENT, ITS_DEAL_GONE)
