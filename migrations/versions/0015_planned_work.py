"""The work a stage planned in days takes (issue 18): a stage of twenty days of hearings is a few hours
of work, not twenty full days, on the workload. On a server, who does a stage and on which days it is
planned is changed only by the job's manager, an office manager or an administrator (the workload
moves a stage's work; the people doing it only run it).

Revision ID: 0015_planned_work
Revises: 0014_team_capacity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_planned_work"
down_revision = "0014_team_capacity"
branch_labels = None
depends_on = None

_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA, pg_temp"
_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
PLANS = (
    "EXISTS (SELECT 1 FROM @.users u WHERE u.username = session_user AND u.active "
    "AND u.role IN ('admin', 'manager'))"
)
MANAGES_JOB = "EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = NEW.job_id AND j.responsible_id = @.crm_uid())"
SERVER = [
    "CREATE OR REPLACE FUNCTION @.crm_stage_plan_rules() RETURNS trigger LANGUAGE plpgsql "
    f"{_DEFINER} AS $fn$ "
    "BEGIN "
    "IF NOT @.crm_is_user() OR @.crm_sees_all() THEN RETURN NEW; END IF; "
    "IF (NEW.responsible_id IS DISTINCT FROM OLD.responsible_id "
    "OR NEW.planned_start IS DISTINCT FROM OLD.planned_start "
    f"OR NEW.planned_due IS DISTINCT FROM OLD.planned_due) AND NOT ({PLANS} OR {MANAGES_JOB}) THEN "
    f"  {_REFUSE} 'only the job''s manager or an office manager plans its stages'; "
    "END IF; "
    "RETURN NEW; "
    "END $fn$",
    "ALTER FUNCTION @.crm_stage_plan_rules OWNER TO crm_definer",
    "REVOKE ALL ON FUNCTION @.crm_stage_plan_rules FROM PUBLIC",
    "CREATE TRIGGER job_stages_plan_rules BEFORE UPDATE ON @.job_stages FOR EACH ROW "
    "EXECUTE FUNCTION @.crm_stage_plan_rules()",
]


def upgrade() -> None:
    with op.batch_alter_table("job_stages", recreate="never") as table:
        table.add_column(sa.Column("effort_hours", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in SERVER:
            op.execute(statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER job_stages_plan_rules ON job_stages")
        op.execute("DROP FUNCTION crm_stage_plan_rules()")
    with op.batch_alter_table("job_stages", recreate="never") as table:
        table.drop_column("effort_hours")
