"""Stuck deals (issue 19): a pipeline stage may say how many days an open deal may stay in it
(`stages.time_limit_days`, NULL: no limit). A deal in it longer than that gets a follow-up task for its
owner (services/follow_ups.py), once per stay in the stage: its origin is "stuck_deal:{deal}:{stage change}".

On a server a limit is a whole number of days above zero, and a follow-up task's origin may name a deal
(the login must see it, as for the other origins: crm_task_rules, 0006 and 0013). Stages keep the
privileges, audit and notices they had (0005, 0006): the audit row reads every column of the row.

Revision ID: 0019_stage_time_limits
Revises: 0018_acts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_stage_time_limits"
down_revision = "0018_acts"
branch_labels = None
depends_on = None

ORIGINS_BEFORE = "ELSE false END) THEN"
ORIGINS_AFTER = (
    "WHEN 'stuck_deal' THEN EXISTS (SELECT 1 FROM @.deals d WHERE d.id = v_id) ELSE false END) THEN"
)


def upgrade() -> None:
    with op.batch_alter_table("stages", recreate="never") as table:
        table.add_column(sa.Column("time_limit_days", sa.Integer(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        op.execute(
            f"ALTER TABLE {quoted}.stages ADD CONSTRAINT ck_stages_time_limit_days "
            "CHECK (time_limit_days > 0)"
        )
        _swap(ORIGINS_BEFORE, ORIGINS_AFTER.replace("@.", quoted + "."), ("crm_task_rules",))


def _swap(old: str, new: str, names: tuple[str, ...]) -> None:
    """Each function recreated from its own stored definition with `old` replaced (as in 0007, 0013)."""
    bind = op.get_bind()
    definitions = bind.execute(
        sa.text(
            "SELECT p.proname, pg_catalog.pg_get_functiondef(p.oid) FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname = ANY(:names)"
        ),
        {"names": list(names)},
    ).all()
    assert sorted(name for name, _ in definitions) == sorted(names), definitions
    for name, definition in definitions:
        assert definition.count(old) == 1, f"{name} does not hold {old} once"
        bind.connection.dbapi_connection.cursor().execute(definition.replace(old, new))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        # The tasks the rule made stay: crm_task_rules checks an origin only as it is set.
        _swap(ORIGINS_AFTER.replace("@.", quoted + "."), ORIGINS_BEFORE, ("crm_task_rules",))
    with op.batch_alter_table("stages", recreate="never") as table:
        table.drop_column("time_limit_days")  # (on a server with its CHECK)
