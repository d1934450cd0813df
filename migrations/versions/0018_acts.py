"""The act of work done (issue 18): the completion document offices in Uzbekistan, Azerbaijan and Russia
exchange ("акт выполненных работ") — the work performed in a period and its amounts, both parties'
signature blocks — numbered in a gap-free series of its own (ACT-{year}-{seq:05d}), kept as it was issued,
its PDF attached to the job.

On a server the database gives the number as the act is added (its counter is the definer's, as the
documents' are, migration 0006); an act is read and added by whoever sees its job, never changed but for
the PDF it points at (once), never removed.

Revision ID: 0018_acts
Revises: 0017_visit_series
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_acts"
down_revision = "0017_visit_series"
branch_labels = None
depends_on = None

PATTERN = "ACT-{year}-{seq:05d}"  # services/acts.py numbers with the same
_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA, pg_temp"
_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
# what an act issued keeps as it is
KEPT = (
    "{row}.number, {row}.job_id, {row}.client_id, {row}.issued_on, {row}.period_from, {row}.period_to, "
    "{row}.language, {row}.currency, {row}.total, {row}.lines::text"
)
SEES_JOB = "((SELECT @.crm_sees_all()) OR EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = job_id))"


def upgrade() -> None:
    op.create_table(
        "acts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_acts_job_id_jobs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_acts_client_id_clients"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["job_files.id"], name=op.f("fk_acts_file_id_job_files"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_acts_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acts")),
        sa.UniqueConstraint("number", name=op.f("uq_acts_number")),
    )
    op.create_index(op.f("ix_acts_job_id"), "acts", ["job_id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in _server():
            op.execute(statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted))


def _server() -> list[str]:
    return [
        "GRANT INSERT, UPDATE ON @.acts TO crm_user",
        "ALTER TABLE @.acts ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE @.acts FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY acts_read ON @.acts FOR SELECT USING {SEES_JOB}",
        f"CREATE POLICY acts_add ON @.acts FOR INSERT WITH CHECK {SEES_JOB}",
        f"CREATE POLICY acts_change ON @.acts FOR UPDATE USING {SEES_JOB} WITH CHECK {SEES_JOB}",
        # The number is the database's; an act stays as it was issued (its PDF pointed at once).
        "CREATE OR REPLACE FUNCTION @.crm_act_rules() RETURNS trigger LANGUAGE plpgsql "
        f"{_DEFINER} AS $fn$ "
        "DECLARE v_year integer; v_seq integer; "
        "BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "  v_year := extract(year FROM NEW.issued_on)::integer; "
        "  INSERT INTO @.number_series (kind, year, next_seq) VALUES ('act', v_year, 1) "
        "    ON CONFLICT (kind, year) DO NOTHING; "
        "  SELECT next_seq INTO v_seq FROM @.number_series WHERE kind = 'act' AND year = v_year FOR UPDATE; "
        f"  NEW.number := @.crm_format_number('{PATTERN}', v_year, v_seq); "
        "  UPDATE @.number_series SET next_seq = v_seq + 1 WHERE kind = 'act' AND year = v_year; "
        "  RETURN NEW; "
        "END IF; "
        "IF NOT @.crm_is_user() OR @.crm_sees_all() THEN RETURN NEW; END IF; "
        f"IF ({KEPT.format(row='NEW')}) IS DISTINCT FROM ({KEPT.format(row='OLD')}) "
        "OR OLD.file_id IS NOT NULL THEN "
        f"  {_REFUSE} 'an act stays as it was issued'; "
        "END IF; "
        "RETURN NEW; "
        "END $fn$",
        "ALTER FUNCTION @.crm_act_rules OWNER TO crm_definer",
        "REVOKE ALL ON FUNCTION @.crm_act_rules FROM PUBLIC",
        "CREATE TRIGGER acts_rules BEFORE INSERT OR UPDATE ON @.acts FOR EACH ROW "
        "EXECUTE FUNCTION @.crm_act_rules()",
        "CREATE TRIGGER acts_audit AFTER INSERT OR UPDATE OR DELETE ON @.acts FOR EACH ROW "
        "EXECUTE FUNCTION @.crm_audit_row('', '', '')",
        "CREATE TRIGGER acts_notify AFTER INSERT OR UPDATE OR DELETE ON @.acts "
        "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()",
    ]


def downgrade() -> None:
    op.drop_table("acts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION crm_act_rules()")
