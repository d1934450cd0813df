"""Shared office mode: export rights, client-made ids for retried saves, the optional password of a
single-user (SQLite) CRM, and (PostgreSQL) the roles,
privileges, row-level security and guards that make the server enforce what the app shows.

Every CRM user is a PostgreSQL login role, member of crm_user (admins also of crm_admin). Rows are
filtered by forced row-level security: a client is seen by admins, its owner, the owner's manager,
and — when it is not private — by everyone; what belongs to a client (activities, deals, tasks,
documents, their lines and payments) is seen with it. Roles that are not CRM users (the owner who
runs `crm-desktop server init`) see everything. Issued documents, payments and the audit log cannot
be changed or deleted by CRM users: privileges and triggers refuse it (the owner, who loads demo data
and runs upgrades, is not held by the triggers).

Revision ID: 0005_shared_mode
Revises: 0004_credit_notes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_shared_mode"
down_revision = "0004_credit_notes"
branch_labels = None
depends_on = None

REQUEST_ID_TABLES = ("clients", "activities", "deals", "tasks", "documents", "payments")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("can_export", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("can_export", server_default=None)
    op.execute("UPDATE users SET can_export = (role = 'admin')")
    for table in REQUEST_ID_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("request_id", sa.String(length=36), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_request_id"), ["request_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_SHARED:
            op.execute(statement)


# Tables whose rows belong to a client, and how a row finds it (the clients policy applies inside).
THROUGH_CLIENT = {
    "client_tags": "EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id)",
    "client_search": "EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id)",
    "activities": "EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id)",
    "deals": "EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id)",
    "tasks": "client_id IS NULL OR EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id)",
    "documents": "EXISTS (SELECT 1 FROM clients c WHERE c.id = client_id)",
    "deal_stage_changes": "EXISTS (SELECT 1 FROM deals d WHERE d.id = deal_id)",
    "document_lines": "EXISTS (SELECT 1 FROM documents d WHERE d.id = document_id)",
    "payments": "EXISTS (SELECT 1 FROM documents d WHERE d.id = document_id)",
}
WRITABLE = (
    "clients",
    "client_tags",
    "client_search",
    "activities",
    "pipelines",
    "stages",
    "deals",
    "deal_stage_changes",
    "tasks",
    "documents",
    "document_lines",
    "number_series",
)
NOTIFYING = (
    "clients",
    "activities",
    "pipelines",
    "stages",
    "deals",
    "documents",
    "document_lines",
    "payments",
    "users",
    "company_profile",
)  # tasks announce since 0002


def _create_role(name: str, member_of: str | None = None) -> str:
    grant = f"EXECUTE 'GRANT {member_of} TO {name}';" if member_of else ""
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} NOLOGIN; END IF; {grant} END $$"
    )


POSTGRES_SHARED = [
    # --- roles and privileges (roles belong to the server; the same ones serve every CRM database on it)
    _create_role("crm_user"),
    _create_role("crm_admin", "crm_user"),
    "DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO crm_user', current_schema()); END $$",
    "DO $$ BEGIN EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO crm_user', current_schema()); "
    "EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO crm_user', current_schema()); "
    # Tables and sequences of later revisions can be read (writing them stays a revision's own grant).
    "EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO crm_user', "
    "current_schema()); "
    "EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO crm_user', "
    "current_schema()); END $$",
    f"GRANT INSERT, UPDATE, DELETE ON {', '.join(WRITABLE)} TO crm_user",
    "GRANT INSERT ON payments, audit_log TO crm_user",  # recorded, never changed or removed
    # one's own name and email
    "GRANT UPDATE (display_name, email, version, updated_at) ON users TO crm_user",
    "GRANT INSERT, UPDATE ON users TO crm_admin",
    "GRANT UPDATE ON company_profile TO crm_admin",
    # --- who the connected login is, as the CRM knows them
    "CREATE FUNCTION crm_is_user() RETURNS boolean LANGUAGE sql STABLE AS "
    "$$ SELECT pg_has_role(current_user, 'crm_user', 'MEMBER') AND NOT "
    "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) $$",
    "CREATE FUNCTION crm_uid() RETURNS integer LANGUAGE sql STABLE AS "
    "$$ SELECT id FROM users WHERE username = current_user AND active $$",
    "CREATE FUNCTION crm_sees_all() RETURNS boolean LANGUAGE sql STABLE AS "
    "$$ SELECT NOT crm_is_user() OR EXISTS (SELECT 1 FROM users WHERE username = current_user AND active "
    "AND role = 'admin') $$",
    "CREATE FUNCTION crm_team() RETURNS integer[] LANGUAGE sql STABLE AS "
    "$$ SELECT coalesce(array_agg(id), '{}') FROM users WHERE manager_id = crm_uid() "
    "AND EXISTS (SELECT 1 FROM users WHERE username = current_user AND role = 'manager') $$",
    # --- row-level security, forced so that no CRM login escapes it
    "ALTER TABLE clients ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE clients FORCE ROW LEVEL SECURITY",
    "CREATE POLICY clients_seen ON clients USING (crm_sees_all() OR NOT private OR owner_id = crm_uid() "
    "OR owner_id = ANY (crm_team()))",
    *[
        statement
        for table, rule in THROUGH_CLIENT.items()
        for statement in (
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY {table}_seen ON {table} USING (crm_sees_all() OR {rule})",
        )
    ],
    "ALTER TABLE users ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE users FORCE ROW LEVEL SECURITY",
    "CREATE POLICY users_read ON users FOR SELECT USING (true)",
    "CREATE POLICY users_add ON users FOR INSERT WITH CHECK (crm_sees_all())",
    "CREATE POLICY users_change ON users FOR UPDATE USING (crm_sees_all() OR username = current_user)",
    "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE audit_log FORCE ROW LEVEL SECURITY",
    "CREATE POLICY audit_read ON audit_log FOR SELECT USING (crm_sees_all() OR user_id = crm_uid())",
    # A CRM login writes audit rows in its own name only.
    "CREATE POLICY audit_add ON audit_log FOR INSERT WITH CHECK (NOT crm_is_user() OR user_id = crm_uid())",
    # --- issued documents stay as issued: only their payment state and cancellation move on
    "CREATE FUNCTION crm_guard_document() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF OLD.status = 'draft' OR NOT crm_is_user() THEN "
    "RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END IF; "
    "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'Document % is issued and cannot be deleted', OLD.number "
    "USING ERRCODE = '42501'; END IF; "
    "IF NEW.status = 'draft' OR NEW.number IS DISTINCT FROM OLD.number OR NEW.kind <> OLD.kind "
    "OR NEW.client_id <> OLD.client_id OR NEW.currency <> OLD.currency "
    "OR NEW.issue_date IS DISTINCT FROM OLD.issue_date OR NEW.due_date IS DISTINCT FROM OLD.due_date "
    "OR NEW.subtotal <> OLD.subtotal OR NEW.tax_total <> OLD.tax_total OR NEW.total <> OLD.total "
    "OR NEW.notes <> OLD.notes OR NEW.terms <> OLD.terms "
    "OR NEW.related_id IS DISTINCT FROM OLD.related_id THEN "
    "RAISE EXCEPTION 'Document % is issued and cannot be changed', OLD.number "
    "USING ERRCODE = '42501'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER documents_guard BEFORE UPDATE OR DELETE ON documents "
    "FOR EACH ROW EXECUTE FUNCTION crm_guard_document()",
    "CREATE FUNCTION crm_guard_document_line() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE doc record; BEGIN "
    "SELECT status, number INTO doc FROM documents "
    "WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.document_id ELSE NEW.document_id END; "
    "IF FOUND AND doc.status <> 'draft' AND crm_is_user() THEN "
    "RAISE EXCEPTION 'Document % is issued and its lines cannot be changed', doc.number "
    "USING ERRCODE = '42501'; "
    "END IF; RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END $$",
    "CREATE TRIGGER document_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON document_lines "
    "FOR EACH ROW EXECUTE FUNCTION crm_guard_document_line()",
    # --- every change is announced to the other PCs (see 0002 for the function)
    *[
        f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION crm_notify_change()"
        for table in NOTIFYING
    ],
]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in NOTIFYING:
            op.execute(f"DROP TRIGGER {table}_notify ON {table}")
        op.execute("DROP TRIGGER document_lines_guard ON document_lines")
        op.execute("DROP TRIGGER documents_guard ON documents")
        op.execute("DROP FUNCTION crm_guard_document_line()")
        op.execute("DROP FUNCTION crm_guard_document()")
        for table in ("clients", *THROUGH_CLIENT, "users", "audit_log"):
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for policy, table in (
            ("clients_seen", "clients"),
            *((f"{t}_seen", t) for t in THROUGH_CLIENT),
            ("users_read", "users"),
            ("users_add", "users"),
            ("users_change", "users"),
            ("audit_read", "audit_log"),
            ("audit_add", "audit_log"),
        ):
            op.execute(f"DROP POLICY {policy} ON {table}")
        for function in ("crm_team()", "crm_sees_all()", "crm_uid()", "crm_is_user()"):
            op.execute(f"DROP FUNCTION {function}")
        op.execute(
            "DO $$ BEGIN EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM crm_user, crm_admin', "
            "current_schema()); EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM crm_user', "
            "current_schema()); EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM crm_user', "
            "current_schema()); EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE SELECT ON "
            "TABLES FROM crm_user', current_schema()); EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA "
            "%I REVOKE USAGE, SELECT ON SEQUENCES FROM crm_user', current_schema()); END $$"
        )
    for table in reversed(REQUEST_ID_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_request_id"), type_="unique")
            batch_op.drop_column("request_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
        batch_op.drop_column("can_export")
