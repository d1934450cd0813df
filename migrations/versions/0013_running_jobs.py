"""Running a job (issue 17): approvals, files, its scope, stuck jobs, its events on the client's timeline.

- stage_approvals: each request to approve a stage and its answer (approved or rejected, with a comment);
  job_files: documents and photos kept in the database so that every PC of an office has them.
- activities.job_id and tasks.job_id: the job an entry or a task is about; job_stages.unblocker_id: who
  may unblock it.
- jobs.stage_count, stages_done, current_stage, blocked: where its stages stand, kept with each change so
  that lists and boards of thousands of jobs read one row per job.
- jobs.scope (the lines to do and bill, from the deal's quote or the deal), jobs.currency, and
  jobs.progressed_at (the last time the work moved); company_profile.stuck_job_days (a job with no
  progress for that many days is flagged; 0: never).

On a server:
- The new tables go with their job under row-level security; only the stage's named approver (or an
  administrator) answers an approval or takes a stage out of waiting for one, and only managers and
  administrators change who approves; a stage starts life waiting.
- People given a job or one of its stages, who may not see its client, read the client's name, address
  and phones — nothing else of it — through crm_job_client, and read and write the job's own entries on
  the client's timeline and the tasks it makes.
- The timeline's system entries learn the kind "job"; the follow-up tasks' origins learn the stages and
  approvals they remind of (crm_task_rules refused those before).

Revision ID: 0013_running_jobs
Revises: 0012_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_running_jobs"
down_revision = "0012_jobs"
branch_labels = None
depends_on = None

MAX_FILE_BYTES = 20 * 1024 * 1024  # services/job_files.py says the same to the user first
KINDS_BEFORE = "('status_change', 'document', 'deal', 'task')"
KINDS_AFTER = "('status_change', 'document', 'deal', 'task', 'job')"
KIND_GUARDS = ("crm_activity_rules", "crm_history_kept")
ORIGINS_BEFORE = "ELSE false END) THEN"
ORIGINS_AFTER = (
    "WHEN 'stage' THEN EXISTS (SELECT 1 FROM @.job_stages g WHERE g.id = v_id) "
    "WHEN 'stage-manager' THEN EXISTS (SELECT 1 FROM @.job_stages g WHERE g.id = v_id) "
    "WHEN 'stage-task' THEN EXISTS (SELECT 1 FROM @.job_stages g WHERE g.id = v_id) "
    "WHEN 'approval' THEN EXISTS (SELECT 1 FROM @.stage_approvals a WHERE a.id = v_id) "
    "WHEN 'approval-late' THEN EXISTS (SELECT 1 FROM @.stage_approvals a WHERE a.id = v_id) "
    "WHEN 'approval-manager' THEN EXISTS (SELECT 1 FROM @.stage_approvals a WHERE a.id = v_id) "
    "WHEN 'job-done' THEN EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = v_id) "
    "ELSE false END) THEN"
)

_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA, pg_temp"
_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
PLANS = (
    "EXISTS (SELECT 1 FROM @.users u WHERE u.username = session_user AND u.active "
    "AND u.role IN ('admin', 'manager'))"
)


def _owned(name: str) -> list[str]:
    return [
        f"ALTER FUNCTION @.{name} OWNER TO crm_definer",
        f"REVOKE ALL ON FUNCTION @.{name} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION @.{name} TO crm_user",
    ]


FUNCTIONS = [
    # The job's client as the people working on it may read it: name, address, phones.
    "CREATE OR REPLACE FUNCTION @.crm_job_client(job integer) "
    "RETURNS TABLE (name text, address text, phones json) LANGUAGE sql STABLE "
    f"{_DEFINER} AS $fn$ SELECT c.name::text, c.address, c.phones FROM @.jobs j "
    "JOIN @.clients c ON c.id = j.client_id "
    "WHERE j.id = job AND (@.crm_sees_client(c.id) OR @.crm_works_on_job(job)) $fn$",
    *_owned("crm_job_client"),
    # A stage starts waiting; who approves it is the managers' to say; only that person (or an
    # administrator) approves it or takes it out of waiting for an approval.
    "CREATE OR REPLACE FUNCTION @.crm_job_stage_rules() RETURNS trigger LANGUAGE plpgsql "
    f"{_DEFINER} AS $fn$ "
    "BEGIN "
    "IF NOT @.crm_is_user() OR @.crm_sees_all() THEN RETURN NEW; END IF; "
    "IF TG_OP = 'INSERT' THEN "
    f"  IF NEW.status <> 'waiting' OR NEW.done_at IS NOT NULL THEN {_REFUSE} 'a new stage starts waiting'; "
    "  END IF; RETURN NEW; "
    "END IF; "
    "IF (NEW.approver_id IS DISTINCT FROM OLD.approver_id OR NEW.needs_approval IS DISTINCT FROM "
    f"OLD.needs_approval) AND NOT {PLANS} THEN "
    f"  {_REFUSE} 'only a manager or an administrator changes who approves a stage'; "
    "END IF; "
    "IF OLD.needs_approval AND NEW.status IS DISTINCT FROM OLD.status "
    "AND (OLD.status = 'awaiting_approval' OR NEW.status = 'done') "
    "AND @.crm_uid() IS DISTINCT FROM OLD.approver_id THEN "
    f"  {_REFUSE} 'only the stage''s approver or an administrator approves it'; "
    "END IF; "
    "RETURN NEW; "
    "END $fn$",
    "ALTER FUNCTION @.crm_job_stage_rules OWNER TO crm_definer",
    "REVOKE ALL ON FUNCTION @.crm_job_stage_rules FROM PUBLIC",
    # An approval is answered once, by the stage's approver (or an administrator), in their own name.
    "CREATE OR REPLACE FUNCTION @.crm_approval_rules() RETURNS trigger LANGUAGE plpgsql "
    f"{_DEFINER} AS $fn$ "
    "DECLARE v_approver integer; "
    "BEGIN "
    "IF NOT @.crm_is_user() OR @.crm_sees_all() THEN RETURN NEW; END IF; "
    "IF TG_OP = 'UPDATE' AND OLD.decision IS NOT NULL THEN "
    f"  {_REFUSE} 'an answered approval stays as answered'; "
    "END IF; "
    "IF NEW.decision IS NOT NULL THEN "
    "  SELECT g.approver_id INTO v_approver FROM @.job_stages g WHERE g.id = NEW.stage_id; "
    "  IF @.crm_uid() IS DISTINCT FROM v_approver THEN "
    f"    {_REFUSE} 'only the stage''s approver or an administrator answers its approval'; "
    "  END IF; "
    "  NEW.decided_by := @.crm_uid(); "
    "END IF; "
    "IF TG_OP = 'INSERT' THEN NEW.requested_by := @.crm_uid(); END IF; "
    "RETURN NEW; "
    "END $fn$",
    "ALTER FUNCTION @.crm_approval_rules OWNER TO crm_definer",
    "REVOKE ALL ON FUNCTION @.crm_approval_rules FROM PUBLIC",
]


def upgrade() -> None:
    with op.batch_alter_table("jobs", recreate="never") as table:
        table.add_column(sa.Column("scope", sa.JSON(), nullable=False, server_default="[]"))
        table.add_column(sa.Column("currency", sa.String(length=3), nullable=False, server_default=""))
        table.add_column(sa.Column("progressed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("stage_count", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("stages_done", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("current_stage", sa.String(length=200), nullable=False, server_default=""))
        table.add_column(sa.Column("blocked", sa.Boolean(), nullable=False, server_default=sa.false()))
    _add_reference("job_stages", "unblocker_id", "users", "SET NULL")
    # The job a timeline entry or a task is about. No foreign key: SQLite would copy these big tables
    # to add one, and a job goes only with its client, whose entries and tasks go with it.
    for table in ("activities", "tasks"):
        op.add_column(table, sa.Column("job_id", sa.Integer(), nullable=True))
        op.create_index(op.f(f"ix_{table}_job_id"), table, ["job_id"], unique=False)
    with op.batch_alter_table("company_profile", recreate="never") as table:
        table.add_column(sa.Column("stuck_job_days", sa.Integer(), nullable=False, server_default="5"))
    op.create_table(
        "stage_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["job_stages.id"],
            name=op.f("fk_stage_approvals_stage_id_job_stages"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_stage_approvals_requested_by_users"),
            ondelete="SET NULL",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_stage_approvals_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_approvals")),
    )
    op.create_index(op.f("ix_stage_approvals_stage_id"), "stage_approvals", ["stage_id"], unique=False)
    op.create_table(
        "job_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_files_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["users.id"], name=op.f("fk_job_files_added_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_files")),
    )
    op.create_index(op.f("ix_job_files_job_id"), "job_files", ["job_id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in _server():
            op.execute(statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted))
        _swap(KINDS_BEFORE, KINDS_AFTER, KIND_GUARDS)
        _swap(ORIGINS_BEFORE, ORIGINS_AFTER.replace("@.", quoted + "."), ("crm_task_rules",))


def _add_reference(table: str, column: str, target: str, ondelete: str) -> None:
    """A nullable column referring to `target` (on SQLite the table is copied: it adds no constraint)."""
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch.create_foreign_key(f"fk_{table}_{column}_{target}", target, [column], ["id"], ondelete=ondelete)


def _swap(old: str, new: str, names: tuple[str, ...]) -> None:
    """Each function recreated from its own stored definition with `old` replaced (as in 0007)."""
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
        assert old in definition, f"{name} does not hold {old}"
        bind.connection.dbapi_connection.cursor().execute(definition.replace(old, new))


def _server() -> list[str]:
    through_job = "(SELECT @.crm_sees_all()) OR EXISTS (SELECT 1 FROM @.jobs j WHERE j.id = job_id)"
    through_stage = "(SELECT @.crm_sees_all()) OR EXISTS (SELECT 1 FROM @.job_stages g WHERE g.id = stage_id)"
    out = [
        "GRANT INSERT, UPDATE, DELETE ON @.stage_approvals, @.job_files TO crm_user",
        f"ALTER TABLE @.job_files ADD CONSTRAINT ck_job_files_size CHECK (octet_length(content) <= "
        f"{MAX_FILE_BYTES} AND size = octet_length(content))",
        *FUNCTIONS,
        # The job's entries on its client's timeline, to the people working on it.
        "CREATE POLICY activities_of_jobs ON @.activities FOR SELECT "
        "USING (job_id IS NOT NULL AND @.crm_works_on_job(job_id))",
        "CREATE POLICY activities_job_events ON @.activities FOR INSERT WITH CHECK (kind = 'job' "
        "AND job_id IS NOT NULL AND @.crm_works_on_job(job_id) "
        "AND client_id = (SELECT j.client_id FROM @.jobs j WHERE j.id = job_id))",
        # The tasks a job makes (its stages', its approvals', their reminders) to the people working on it.
        "CREATE POLICY tasks_of_jobs ON @.tasks USING (job_id IS NOT NULL AND @.crm_works_on_job(job_id)) "
        "WITH CHECK (job_id IS NOT NULL AND @.crm_works_on_job(job_id) "
        "AND client_id = (SELECT j.client_id FROM @.jobs j WHERE j.id = job_id))",
        "CREATE TRIGGER job_stages_rules BEFORE INSERT OR UPDATE ON @.job_stages FOR EACH ROW "
        "EXECUTE FUNCTION @.crm_job_stage_rules()",
        "CREATE TRIGGER stage_approvals_rules BEFORE INSERT OR UPDATE ON @.stage_approvals FOR EACH ROW "
        "EXECUTE FUNCTION @.crm_approval_rules()",
    ]
    for table, rule in (("stage_approvals", through_stage), ("job_files", through_job)):
        out += [
            f"ALTER TABLE @.{table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE @.{table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY {table}_read ON @.{table} FOR SELECT USING ({rule})",
            f"CREATE POLICY {table}_add ON @.{table} FOR INSERT WITH CHECK ({rule})",
            f"CREATE POLICY {table}_change ON @.{table} FOR UPDATE USING ({rule})",
            # Answers stay; a file goes by the one who added it or an administrator (or with its job).
            f"CREATE POLICY {table}_remove ON @.{table} FOR DELETE USING ((SELECT @.crm_sees_all())"
            + (" OR added_by = (SELECT @.crm_uid()))" if table == "job_files" else ")"),
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON @.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()",
        ]
    out += [
        "CREATE TRIGGER stage_approvals_audit AFTER INSERT OR UPDATE OR DELETE ON @.stage_approvals "
        "FOR EACH ROW EXECUTE FUNCTION @.crm_audit_row('', '', '')",
        "CREATE TRIGGER job_files_audit AFTER INSERT OR UPDATE OR DELETE ON @.job_files "
        "FOR EACH ROW EXECUTE FUNCTION @.crm_audit_row('', 'content', '')",
    ]
    return out


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        _swap(ORIGINS_AFTER.replace("@.", quoted + "."), ORIGINS_BEFORE, ("crm_task_rules",))
        _swap(KINDS_AFTER, KINDS_BEFORE, KIND_GUARDS)
        op.execute("DROP TRIGGER job_stages_rules ON job_stages")
    op.drop_table("job_files")
    op.drop_table("stage_approvals")
    if bind.dialect.name == "postgresql":
        for policy in (
            "activities_of_jobs ON activities",
            "activities_job_events ON activities",
            "tasks_of_jobs ON tasks",
        ):
            op.execute(f"DROP POLICY {policy}")
        op.execute("DROP FUNCTION crm_job_client(integer)")
        op.execute("DROP FUNCTION crm_job_stage_rules()")
        op.execute("DROP FUNCTION crm_approval_rules()")
    with op.batch_alter_table("company_profile", recreate="never") as table:
        table.drop_column("stuck_job_days")
    for table in ("activities", "tasks"):
        op.drop_index(op.f(f"ix_{table}_job_id"), table_name=table)
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column("job_id")
    with op.batch_alter_table("job_stages") as batch:
        if bind.dialect.name != "sqlite":
            batch.drop_constraint("fk_job_stages_unblocker_id_users", type_="foreignkey")
        batch.drop_column("unblocker_id")
    with op.batch_alter_table("jobs", recreate="never") as table:
        for column in ("blocked", "current_stage", "stages_done", "stage_count", "progressed_at"):
            table.drop_column(column)
        table.drop_column("currency")
        table.drop_column("scope")
