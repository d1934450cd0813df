"""Plans and the figures reports count (issue 19): a month's plan for a person or for the whole office
(revenue in a currency, new deals, deals won, calls, billable hours); a month closed keeps its plans and
the figures they were measured against (`actual`, `closed_at`). Indexes for the reports' periods: clients
and deals by when they were added, deals by when they were won or lost, activities by kind and time; and
when each deal entered the stage it is in (`deals.stage_entered_at`, from its history), which stuck-deal
alerts and reports read instead of the history of every deal.

On a server a plan is read by its person, their manager and administrators (the office's plans by
managers and administrators); it is set by a manager for their team and themselves, by an administrator
for anyone; a plan of a closed month is never changed or removed, and only an administrator closes a
month. A deal's stage clock is restarted only by moving it; pipelines and stages are changed by
administrators only. Audited and announced, as every table since 0006.

Revision ID: 0020_plans
Revises: 0019_stage_time_limits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_plans"
down_revision = "0019_stage_time_limits"
branch_labels = None
depends_on = None

SEES_ALL = "(SELECT @.crm_sees_all())"
UID = "(SELECT @.crm_uid())"
TEAM = "((SELECT @.crm_team())::integer[])"
_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA, pg_temp"
_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
MANAGES = (
    "EXISTS (SELECT 1 FROM @.users u WHERE u.username = session_user AND u.active "
    "AND u.role IN ('admin', 'manager'))"
)
INDEXES = (
    ("ix_clients_created_at", "clients", ["created_at"]),
    ("ix_deals_created_at", "deals", ["created_at"]),
    ("ix_deals_outcome_closed_at", "deals", ["outcome", "closed_at"]),
    ("ix_deals_outcome_currency_stage", "deals", ["outcome", "currency", "stage_id", "owner_id", "amount"]),
    ("ix_activities_kind_occurred_at", "activities", ["kind", "occurred_at"]),
)


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),  # its first day
        sa.Column("user_id", sa.Integer(), nullable=True),  # NULL: the whole office's
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),  # an ExactDecimal: ten-thousandths
        sa.Column("currency", sa.String(length=3), nullable=False, server_default=""),
        sa.Column("actual", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_plans_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    # One plan per month, person (or the office) and figure: NULL is not equal to NULL in a unique key.
    for name, columns, where in (
        ("uq_plans_month_user_metric", ["month", "user_id", "metric"], "user_id IS NOT NULL"),
        ("uq_plans_month_office_metric", ["month", "metric"], "user_id IS NULL"),
    ):
        op.create_index(
            name, "plans", columns, unique=True, sqlite_where=sa.text(where), postgresql_where=sa.text(where)
        )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    with op.batch_alter_table("deals", recreate="never") as table:
        table.add_column(sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:  # the backfill is not a change anyone made: no audit rows, no notices, no guards
        op.execute("ALTER TABLE deals DISABLE TRIGGER USER")
    op.execute(
        "UPDATE deals SET stage_entered_at = coalesce((SELECT max(c.changed_at) FROM deal_stage_changes c "
        "WHERE c.deal_id = deals.id AND c.to_stage_id = deals.stage_id), created_at)"
    )
    if postgres:
        op.execute("ALTER TABLE deals ENABLE TRIGGER USER")
    if postgres:
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in _server():
            op.execute(statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted))


def _server() -> list[str]:
    seen = f"({SEES_ALL} OR user_id = {UID} OR user_id = ANY {TEAM} OR (user_id IS NULL AND {MANAGES}))"
    sets = f"({MANAGES} AND {seen})"
    return [
        "GRANT INSERT, UPDATE, DELETE ON @.plans TO crm_user",
        "ALTER TABLE @.plans ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE @.plans FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY plans_read ON @.plans FOR SELECT USING {seen}",
        f"CREATE POLICY plans_add ON @.plans FOR INSERT WITH CHECK {sets}",
        f"CREATE POLICY plans_change ON @.plans FOR UPDATE USING {sets} WITH CHECK {sets}",
        f"CREATE POLICY plans_remove ON @.plans FOR DELETE USING {sets}",
        f"CREATE OR REPLACE FUNCTION @.crm_plan_rules() RETURNS trigger LANGUAGE plpgsql {_DEFINER} AS $fn$ "
        "BEGIN "
        "IF NOT @.crm_is_user() THEN RETURN COALESCE(NEW, OLD); END IF; "
        "IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.closed_at IS NOT NULL THEN "
        f"  {_REFUSE} 'a plan of a closed month keeps its figures'; "
        "END IF; "
        "IF TG_OP = 'INSERT' AND (NEW.closed_at IS NOT NULL OR NEW.actual IS NOT NULL) THEN "
        f"  {_REFUSE} 'a new plan is not closed yet'; "
        "END IF; "
        "IF TG_OP = 'UPDATE' AND NEW.closed_at IS NOT NULL AND NOT @.crm_sees_all() THEN "
        f"  {_REFUSE} 'only an administrator closes a month'; "
        "END IF; "
        "IF TG_OP = 'UPDATE' AND NEW.closed_at IS NULL AND NEW.actual IS NOT NULL THEN "
        f"  {_REFUSE} 'a plan is measured when its month is closed'; "
        "END IF; "
        "RETURN COALESCE(NEW, OLD); "
        "END $fn$",
        "ALTER FUNCTION @.crm_plan_rules OWNER TO crm_definer",
        "REVOKE ALL ON FUNCTION @.crm_plan_rules FROM PUBLIC",
        "CREATE TRIGGER plans_rules BEFORE INSERT OR UPDATE OR DELETE ON @.plans FOR EACH ROW "
        "EXECUTE FUNCTION @.crm_plan_rules()",
        "CREATE TRIGGER plans_audit AFTER INSERT OR UPDATE OR DELETE ON @.plans FOR EACH ROW "
        "EXECUTE FUNCTION @.crm_audit_row('', '', '')",
        "CREATE TRIGGER plans_notify AFTER INSERT OR UPDATE OR DELETE ON @.plans "
        "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()",
        # How long a deal has been in its stage is what stuck-deal alerts go by: only a move restarts it.
        "CREATE OR REPLACE FUNCTION @.crm_deal_stage_clock() RETURNS trigger LANGUAGE plpgsql "
        f"{_DEFINER} AS $fn$ "
        "BEGIN "
        "IF @.crm_is_user() AND NEW.stage_id IS NOT DISTINCT FROM OLD.stage_id THEN "
        "  NEW.stage_entered_at := OLD.stage_entered_at; "
        "END IF; "
        "RETURN NEW; "
        "END $fn$",
        "ALTER FUNCTION @.crm_deal_stage_clock OWNER TO crm_definer",
        "REVOKE ALL ON FUNCTION @.crm_deal_stage_clock FROM PUBLIC",
        "CREATE TRIGGER deals_stage_clock BEFORE UPDATE ON @.deals FOR EACH ROW "
        "EXECUTE FUNCTION @.crm_deal_stage_clock()",
        # The pipelines and their stages (names, probabilities, time limits) weigh in everyone's figures:
        # read by all, changed by administrators only (0005 let every login write them).
        *(
            statement
            for table in ("pipelines", "stages")
            for statement in (
                f"ALTER TABLE @.{table} ENABLE ROW LEVEL SECURITY",
                f"ALTER TABLE @.{table} FORCE ROW LEVEL SECURITY",
                f"CREATE POLICY {table}_read ON @.{table} FOR SELECT USING (true)",
                f"CREATE POLICY {table}_add ON @.{table} FOR INSERT WITH CHECK ({SEES_ALL})",
                f"CREATE POLICY {table}_change ON @.{table} FOR UPDATE USING ({SEES_ALL}) "
                f"WITH CHECK ({SEES_ALL})",
                f"CREATE POLICY {table}_remove ON @.{table} FOR DELETE USING ({SEES_ALL})",
            )
        ),
    ]


def downgrade() -> None:
    bind = op.get_bind()
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("plans")
    if bind.dialect.name == "postgresql":
        for table in ("pipelines", "stages"):
            for policy in ("read", "add", "change", "remove"):
                op.execute(f"DROP POLICY {table}_{policy} ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP TRIGGER deals_stage_clock ON deals")
        op.execute("DROP FUNCTION crm_plan_rules()")
        op.execute("DROP FUNCTION crm_deal_stage_clock()")
    with op.batch_alter_table("deals", recreate="never") as table:
        table.drop_column("stage_entered_at")
