"""Work after the sale (issue 17): workflow templates, their saved versions, jobs, their stages and teams.

A template's stages are its editable definition (JSON: name, working days or hours, responsible role or
person, checklist, tasks to make, approval, whether it may overlap the stage before); each save is also a
TemplateVersion that jobs keep, so editing a template never changes a running job. A job's stages are
copied from its version when it starts, with their planned and forecast times in working time.

On a server: everyone reads templates, administrators and managers change them; a job is seen by whoever
sees its client and by the people it or one of its stages is assigned to; its stages and team go with it.
Every change is audited and announced, as for the tables of 0006.

Revision ID: 0012_jobs
Revises: 0011_office_calendar
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_jobs"
down_revision = "0011_office_calendar"
branch_labels = None
depends_on = None

TABLES = ("workflow_templates", "template_versions", "jobs", "job_stages", "job_people")
AUDITED = ("workflow_templates", "jobs", "job_stages")

SEES_ALL = "(SELECT @.crm_sees_all())"
VIA_CLIENT = "EXISTS (SELECT 1 FROM @.clients c WHERE c.id = client_id)"
PLANS = (  # who defines the office's templates
    "EXISTS (SELECT 1 FROM @.users u WHERE u.username = session_user AND u.active "
    "AND u.role IN ('admin', 'manager'))"
)
# Whether the login works on a job: responsible for it, in its team, or given one of its stages (to do or
# to approve). Past row-level security (crm_definer), so the jobs' policy and its stages' need not read
# each other.
WORKS_ON_JOB = [
    "CREATE OR REPLACE FUNCTION @.crm_works_on_job(job integer) RETURNS boolean LANGUAGE sql STABLE "
    "SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA, pg_temp AS $fn$ "
    "SELECT EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = job AND j.responsible_id = @.crm_uid()) "
    "OR EXISTS (SELECT 1 FROM @.job_people p WHERE p.job_id = job AND p.user_id = @.crm_uid()) "
    "OR EXISTS (SELECT 1 FROM @.job_stages g WHERE g.job_id = job "
    "AND (g.responsible_id = @.crm_uid() OR g.approver_id = @.crm_uid())) $fn$",
    "ALTER FUNCTION @.crm_works_on_job OWNER TO crm_definer",
    "REVOKE ALL ON FUNCTION @.crm_works_on_job FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION @.crm_works_on_job TO crm_user",
]


def upgrade() -> None:
    op.create_table(
        "workflow_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_workflow_templates_name")),
    )
    op.create_table(
        "template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["workflow_templates.id"],
            name=op.f("fk_template_versions_template_id_workflow_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_versions")),
        sa.UniqueConstraint("template_id", "number", name=op.f("uq_template_versions_template_id")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("template_version_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("site_address", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forecast_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_jobs_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_jobs_deal_id_deals"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["documents.id"], name=op.f("fk_jobs_quote_id_documents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"], ["users.id"], name=op.f("fk_jobs_responsible_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["template_versions.id"],
            name=op.f("fk_jobs_template_version_id_template_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("request_id", name=op.f("uq_jobs_request_id")),
    )
    op.create_index(op.f("ix_jobs_client_id"), "jobs", ["client_id"], unique=False)
    op.create_index(op.f("ix_jobs_deal_id"), "jobs", ["deal_id"], unique=False)
    op.create_index("ix_jobs_responsible_status", "jobs", ["responsible_id", "status"], unique=False)
    op.create_index("ix_jobs_status_due", "jobs", ["status", "forecast_due"], unique=False)
    op.create_index(op.f("ix_jobs_template_version_id"), "jobs", ["template_version_id"], unique=False)
    op.create_table(
        "job_people",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_people_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_job_people_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "user_id", name=op.f("pk_job_people")),
    )
    op.create_index(op.f("ix_job_people_user_id"), "job_people", ["user_id"], unique=False)
    op.create_table(
        "job_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("work_days", sa.Integer(), nullable=True),
        sa.Column("work_hours", sa.BigInteger(), nullable=True),
        sa.Column("may_overlap", sa.Boolean(), nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("block_reason", sa.Text(), nullable=False),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forecast_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forecast_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["users.id"], name=op.f("fk_job_stages_approver_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_stages_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["users.id"],
            name=op.f("fk_job_stages_responsible_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_stages")),
        sa.UniqueConstraint("job_id", "position", name=op.f("uq_job_stages_job_id")),
    )
    op.create_index(
        "ix_job_stages_responsible_status", "job_stages", ["responsible_id", "status"], unique=False
    )
    op.create_index("ix_job_stages_status_forecast", "job_stages", ["status", "forecast_due"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in _server():
            op.execute(statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted))


def _server() -> list[str]:
    out = [
        "GRANT INSERT, UPDATE, DELETE ON @.jobs, @.job_stages, @.job_people TO crm_user",
        "GRANT INSERT, UPDATE, DELETE ON @.workflow_templates, @.template_versions TO crm_user",
        *WORKS_ON_JOB,
    ]
    for table in TABLES:
        out += [
            f"ALTER TABLE @.{table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE @.{table} FORCE ROW LEVEL SECURITY",
        ]
    through_job = f"{SEES_ALL} OR EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = job_id)"
    out += [
        "CREATE POLICY workflow_templates_read ON @.workflow_templates FOR SELECT USING (true)",
        *[
            f"CREATE POLICY workflow_templates_{name} ON @.workflow_templates FOR {command} {rule} "
            f"({SEES_ALL} OR {PLANS})"
            for name, command, rule in (
                ("add", "INSERT", "WITH CHECK"),
                ("change", "UPDATE", "USING"),
                ("remove", "DELETE", "USING"),
            )
        ],
        "CREATE POLICY template_versions_read ON @.template_versions FOR SELECT USING (true)",
        "CREATE POLICY template_versions_add ON @.template_versions FOR INSERT "
        f"WITH CHECK ({SEES_ALL} OR {PLANS})",
        f"CREATE POLICY jobs_seen ON @.jobs USING ({SEES_ALL} OR {VIA_CLIENT} OR @.crm_works_on_job(id)) "
        f"WITH CHECK ({SEES_ALL} OR {VIA_CLIENT} OR @.crm_works_on_job(id))",
        f"CREATE POLICY job_stages_seen ON @.job_stages USING ({through_job})",
        f"CREATE POLICY job_people_seen ON @.job_people USING ({through_job})",
    ]
    for table in AUDITED:
        out.append(
            f"CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON @.{table} FOR EACH ROW "
            "EXECUTE FUNCTION @.crm_audit_row('', '', '')"
        )
    for table in TABLES:
        out.append(
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON @.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()"
        )
    return out


def downgrade() -> None:
    for table in ("job_people", "job_stages", "jobs", "template_versions", "workflow_templates"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION crm_works_on_job(integer)")
