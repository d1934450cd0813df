"""Reminders that fire exactly once, the follow-up rules' settings and markers, and (PostgreSQL)
task changes announced to the other PCs, so a reminder handled on one leaves the others.

Open tasks whose reminder is still ahead get it as their pending alert; reminders already in the
past when the database is upgraded count as handled, so the first start after the upgrade does not
bring up every old reminder at once.

Revision ID: 0002_reminders
Revises: 0001_schema_v1
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002_reminders"
down_revision = "0001_schema_v1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("origin", sa.String(length=80), nullable=True))
        batch_op.create_index("ix_tasks_assignee_alert", ["assignee_id", "alert_at"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_tasks_origin"), ["origin"])
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index("ix_clients_status_created", ["status", "created_at"], unique=False)
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name, default in (
            ("lead_follow_up_hours", 24),
            ("invoice_follow_up_days", 7),
            ("escalation_hours", 24),
        ):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=str(default)))
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name in ("lead_follow_up_hours", "invoice_follow_up_days", "escalation_hours"):
            batch_op.alter_column(name, server_default=None)  # the models give the default, as elsewhere
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # the form UTCDateTime stores on SQLite (naive UTC text)
    tasks = sa.table(
        "tasks",
        sa.column("alert_at", sa.DateTime(timezone=True)),
        sa.column("remind_at", sa.DateTime(timezone=True)),
        sa.column("status", sa.String),
    )
    op.execute(
        tasks.update()
        .where(tasks.c.status == "open", tasks.c.remind_at > sa.bindparam("now", now))
        .values(alert_at=tasks.c.remind_at)
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_NOTIFY:
            op.execute(statement)


# Every committed row change of a table with this trigger is announced on the channel crm_changes
# (crm_desktop/db/notifications.py listens); the schema tells CRM databases on one server apart.
POSTGRES_NOTIFY = [
    "CREATE FUNCTION crm_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM pg_notify('crm_changes', json_build_object('schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, "
    "'op', lower(TG_OP), 'id', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text); "
    "RETURN NULL; END $$",
    "CREATE TRIGGER tasks_notify AFTER INSERT OR UPDATE OR DELETE ON tasks "
    "FOR EACH ROW EXECUTE FUNCTION crm_notify_change()",
]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tasks_notify ON tasks")
        op.execute("DROP FUNCTION crm_notify_change()")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_status_created")
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name in ("escalation_hours", "invoice_follow_up_days", "lead_follow_up_hours"):
            batch_op.drop_column(name)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tasks_origin"), type_="unique")
        batch_op.drop_index("ix_tasks_assignee_alert")
        for name in ("origin", "escalated_at", "alerted_at", "alert_at"):
            batch_op.drop_column(name)
