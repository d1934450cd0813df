"""Time and what it is billed at (issue 18): time entries (a running timer is an entry whose start is
stored, so it survives a restart and a crash; one running per person), materials and expenses on a job,
and rates (per person, per skill or per job; by the hour, or a job's fixed price). An entry or a
material invoiced points at the invoice line it went on.

On a server: a person's time is read by them, their manager, administrators and the manager of the job
it is on; it is entered by the person (or their manager, or an administrator) and changed or removed by
them until it is invoiced — never after (a trigger keeps an invoiced entry as it was; only who may
invoice the job marks or releases it). Materials follow their job; rates are read by everyone and set
by managers and administrators. A stage is given to someone else or planned on other days only by the
job's manager, an office manager or an administrator. Audited and announced, as every table since 0006.

Revision ID: 0016_time_and_billing
Revises: 0015_planned_work
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_time_and_billing"
down_revision = "0015_planned_work"
branch_labels = None
depends_on = None

TABLES = ("time_entries", "job_materials", "rates")
SEES_ALL = "(SELECT @.crm_sees_all())"
UID = "(SELECT @.crm_uid())"
TEAM = "((SELECT @.crm_team())::integer[])"
_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA, pg_temp"
_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
PLANS = (
    "EXISTS (SELECT 1 FROM @.users u WHERE u.username = session_user AND u.active "
    "AND u.role IN ('admin', 'manager'))"
)
MANAGES_JOB = "EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = {job} AND j.responsible_id = @.crm_uid())"
MONEY = sa.BigInteger()  # (an ExactDecimal: ten-thousandths)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "time_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("invoice_line_id", sa.Integer(), nullable=True),
        *_stamps(),
        _fk("time_entries", "invoice_id", "documents", "SET NULL"),
        _fk("time_entries", "user_id", "users", "CASCADE"),
        _fk("time_entries", "job_id", "jobs", "CASCADE"),
        _fk("time_entries", "stage_id", "job_stages", "SET NULL"),
        _fk("time_entries", "task_id", "tasks", "SET NULL"),
        _fk("time_entries", "invoice_line_id", "document_lines", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entries")),
    )
    op.create_index("ix_time_entries_user_day", "time_entries", ["user_id", "day"], unique=False)
    op.create_index("ix_time_entries_job_id", "time_entries", ["job_id"], unique=False)
    op.create_index("ix_time_entries_task_id", "time_entries", ["task_id"], unique=False)
    op.create_index("ix_time_entries_invoice_id", "time_entries", ["invoice_id"], unique=False)
    op.create_index(
        "uq_time_entries_running",
        "time_entries",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("running"),
        postgresql_where=sa.text("running"),
    )
    op.create_table(
        "job_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", MONEY, nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("invoice_line_id", sa.Integer(), nullable=True),
        *_stamps(),
        _fk("job_materials", "invoice_id", "documents", "SET NULL"),
        _fk("job_materials", "job_id", "jobs", "CASCADE"),
        _fk("job_materials", "added_by", "users", "SET NULL"),
        _fk("job_materials", "invoice_line_id", "document_lines", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_materials")),
    )
    op.create_index("ix_job_materials_job_id", "job_materials", ["job_id"], unique=False)
    op.create_index("ix_job_materials_invoice_id", "job_materials", ["invoice_id"], unique=False)
    op.create_table(
        "rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("skill", sa.String(length=100), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),  # a job's fixed price: billed on it, once
        sa.Column("invoice_line_id", sa.Integer(), nullable=True),
        *_stamps(),
        _fk("rates", "invoice_id", "documents", "SET NULL"),
        _fk("rates", "invoice_line_id", "document_lines", "SET NULL"),
        _fk("rates", "user_id", "users", "CASCADE"),
        _fk("rates", "job_id", "jobs", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rates")),
        sa.UniqueConstraint("user_id", "skill", "job_id", "currency", name=op.f("uq_rates_user_id")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in _server():
            op.execute(statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted))


# The invoice an invoiced row was billed on no longer bills it: deleted (a draft), cancelled, or credited
# in full — then whoever did that gives the row back (nobody else does).
_RELEASED = (
    "NOT EXISTS (SELECT 1 FROM @.documents d WHERE d.id = OLD.invoice_id AND d.status <> 'cancelled' "
    "AND d.credited_total < d.total)"
)


def _rules(name: str, table: str, kept: tuple[str, ...]) -> list[str]:
    """An invoiced row stays as it was invoiced; who may invoice its job marks it; it is given back only
    when its invoice no longer bills it."""
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in kept)
    return [
        f"CREATE OR REPLACE FUNCTION @.{name}() RETURNS trigger LANGUAGE plpgsql {_DEFINER} AS $fn$ "
        "BEGIN "
        "IF NOT @.crm_is_user() OR @.crm_sees_all() THEN RETURN NEW; END IF; "
        "IF TG_OP = 'INSERT' THEN "
        "  IF NEW.invoice_id IS NOT NULL OR NEW.invoice_line_id IS NOT NULL THEN "
        f"    {_REFUSE} 'a new {table} row is not invoiced yet'; "
        "  END IF; "
        "  RETURN NEW; "
        "END IF; "
        f"IF OLD.invoice_id IS NOT NULL AND ({changed}) THEN "
        f"  {_REFUSE} 'an invoiced {table} row stays as it was invoiced'; "
        "END IF; "
        "IF OLD.invoice_id IS NOT NULL AND NEW.invoice_id IS DISTINCT FROM OLD.invoice_id "
        f"AND NOT {_RELEASED} THEN "
        f"  {_REFUSE} 'invoiced work is given back by cancelling or crediting its invoice'; "
        "END IF; "
        "IF NEW.invoice_id IS NOT NULL AND NEW.invoice_id IS DISTINCT FROM OLD.invoice_id AND NOT "
        f"({PLANS} OR {MANAGES_JOB.format(job='NEW.job_id')}) THEN "
        f"  {_REFUSE} 'only a manager or the job''s manager invoices work'; "
        "END IF; "
        "IF NEW.invoice_line_id IS NOT NULL AND NEW.invoice_line_id IS DISTINCT FROM OLD.invoice_line_id "
        "AND NEW.invoice_id IS NOT DISTINCT FROM OLD.invoice_id THEN "
        f"  {_REFUSE} 'an invoice line is given with its invoice'; "
        "END IF; "
        "RETURN NEW; "
        "END $fn$",
        f"ALTER FUNCTION @.{name} OWNER TO crm_definer",
        f"REVOKE ALL ON FUNCTION @.{name} FROM PUBLIC",
        f"CREATE TRIGGER {table}_rules BEFORE INSERT OR UPDATE ON @.{table} FOR EACH ROW "
        f"EXECUTE FUNCTION @.{name}()",
    ]


def _server() -> list[str]:
    out = [f"GRANT INSERT, UPDATE, DELETE ON {', '.join('@.' + t for t in TABLES)} TO crm_user"]
    for table in TABLES:
        out += [
            f"ALTER TABLE @.{table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE @.{table} FORCE ROW LEVEL SECURITY",
        ]
    writes = f"({SEES_ALL} OR user_id = {UID} OR user_id = ANY {TEAM})"
    seen = f"({writes[1:-1]} OR (job_id IS NOT NULL AND {MANAGES_JOB.format(job='job_id')}))"
    through_job = f"({SEES_ALL} OR EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = job_id))"
    job_rates = f"{PLANS} OR (job_id IS NOT NULL AND {MANAGES_JOB.format(job='job_id')})"
    out += [
        f"CREATE POLICY time_entries_read ON @.time_entries FOR SELECT USING {seen}",
        f"CREATE POLICY time_entries_add ON @.time_entries FOR INSERT WITH CHECK {writes}",
        f"CREATE POLICY time_entries_change ON @.time_entries FOR UPDATE USING {seen} WITH CHECK {seen}",
        "CREATE POLICY time_entries_remove ON @.time_entries FOR DELETE "
        f"USING ({writes} AND invoice_id IS NULL)",
        f"CREATE POLICY job_materials_read ON @.job_materials FOR SELECT USING {through_job}",
        f"CREATE POLICY job_materials_add ON @.job_materials FOR INSERT WITH CHECK {through_job}",
        f"CREATE POLICY job_materials_change ON @.job_materials FOR UPDATE USING {through_job} "
        f"WITH CHECK {through_job}",
        f"CREATE POLICY job_materials_remove ON @.job_materials FOR DELETE "
        f"USING ({through_job} AND invoice_id IS NULL)",
        "CREATE POLICY rates_read ON @.rates FOR SELECT USING (true)",
        f"CREATE POLICY rates_add ON @.rates FOR INSERT WITH CHECK ({PLANS})",
        # (a job's manager marks its fixed price invoiced)
        f"CREATE POLICY rates_change ON @.rates FOR UPDATE USING ({job_rates}) WITH CHECK ({job_rates})",
        f"CREATE POLICY rates_remove ON @.rates FOR DELETE USING ({PLANS})",
        *_rules("crm_rate_rules", "rates", ("user_id", "skill", "job_id", "kind", "amount", "currency")),
        *_rules(
            "crm_time_entry_rules",
            "time_entries",
            (
                "user_id",
                "job_id",
                "stage_id",
                "task_id",
                "day",
                "minutes",
                "started_at",
                "running",
                "billable",
            ),
        ),
        *_rules(
            "crm_material_rules",
            "job_materials",
            ("job_id", "day", "description", "quantity", "unit", "unit_price", "billable"),
        ),
    ]
    for table in TABLES:
        out += [
            f"CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON @.{table} FOR EACH ROW "
            "EXECUTE FUNCTION @.crm_audit_row('', '', '')",
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON @.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()",
        ]
    return out


def downgrade() -> None:
    bind = op.get_bind()
    for table in ("rates", "job_materials", "time_entries"):
        op.drop_table(table)
    if bind.dialect.name == "postgresql":
        for name in ("crm_time_entry_rules", "crm_material_rules", "crm_rate_rules"):
            op.execute(f"DROP FUNCTION {name}()")
