"""Recurring work (issue 18): a client's series of visits (a service contract: every Monday and
Thursday, every two weeks, monthly on the 15th; until a day or for a number of visits), each visit a
task of its own made ahead — with its assignee, time and checklist — that remembers the day of the
series it stands for, so a visit moved or skipped (cancelled) is never made again.

On a server a series follows its client, as tasks do. Audited and announced, as every table since 0006.

Revision ID: 0017_visit_series
Revises: 0016_time_and_billing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_visit_series"
down_revision = "0016_time_and_billing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("made_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_visit_series_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_visit_series_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_visit_series_assignee_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_series")),
    )
    op.create_index(op.f("ix_visit_series_client_id"), "visit_series", ["client_id"], unique=False)
    with op.batch_alter_table("tasks") as table:
        table.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        table.add_column(sa.Column("series_day", sa.Date(), nullable=True))
        table.add_column(sa.Column("checklist", sa.JSON(), nullable=False, server_default="[]"))
        table.create_foreign_key(
            op.f("fk_tasks_series_id_visit_series"),
            "visit_series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )
        table.create_unique_constraint(op.f("uq_tasks_series_id"), ["series_id", "series_day"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in (
            "GRANT INSERT, UPDATE, DELETE ON @.visit_series TO crm_user",
            "ALTER TABLE @.visit_series ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE @.visit_series FORCE ROW LEVEL SECURITY",
            "CREATE POLICY visit_series_seen ON @.visit_series USING (@.crm_sees_client(client_id)) "
            "WITH CHECK (@.crm_sees_client(client_id))",
            "CREATE TRIGGER visit_series_audit AFTER INSERT OR UPDATE OR DELETE ON @.visit_series "
            "FOR EACH ROW EXECUTE FUNCTION @.crm_audit_row('', '', '')",
            "CREATE TRIGGER visit_series_notify AFTER INSERT OR UPDATE OR DELETE ON @.visit_series "
            "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()",
        ):
            op.execute(statement.replace("@.", quoted + "."))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as table:
        table.drop_constraint(op.f("uq_tasks_series_id"), type_="unique")
        table.drop_constraint(op.f("fk_tasks_series_id_visit_series"), type_="foreignkey")
        table.drop_column("checklist")
        table.drop_column("series_day")
        table.drop_column("series_id")
    op.drop_table("visit_series")
