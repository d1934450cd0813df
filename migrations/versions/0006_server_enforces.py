"""The server enforces what shared mode promises, also against a CRM login with psql.

Both databases: audit rows name the server login that made them (`login`), payments are positive.
PostgreSQL (see docs/architecture.md, "Threat model"):
- Every function a policy, trigger or guard uses has a fixed search_path (pg_catalog, the CRM
  schema, pg_temp last) and schema-qualified names, so no temp table, view, function or operator a
  login makes can change its answer; logins get no TEMPORARY and no CREATE anywhere.
- Who is asking is the session's login (session_user): it cannot be changed without superuser
  rights, and it stays the same inside the functions below that run with their owner's rights.
- Nobody holds CREATEROLE: logins are made and changed by two SECURITY DEFINER functions owned by
  crm_login_admin, which only touch roles that are CRM users of this database and hold nothing else.
- Money states follow the facts: paid and credited totals are checked against the payments and
  credit notes at commit, statuses move only along the allowed transitions, documents are inserted
  as drafts, and the database itself gives the number when a draft is issued (crm_definer owns the
  counters). Timeline entries written by the system and deal history are append-only.
- The database writes the audit row of every change to an audited table (login, server time,
  old → new); what a client writes itself is stamped with the server's time and its own login.
- Change notices say only which table changed; every PC re-reads through row-level security.
- Client search runs in a SECURITY DEFINER function that applies the visibility rule itself, so
  the trigram index serves CRM logins too (row-level security keeps it from LIKE otherwise).

Revision ID: 0006_server_enforces
Revises: 0005_shared_mode
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_server_enforces"
down_revision = "0005_shared_mode"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login", sa.String(length=63), nullable=True))
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_check_constraint("amount_positive", "amount > 0")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        version = int(bind.execute(sa.text("SHOW server_version_num")).scalar_one())
        for statement in postgres_statements(version):
            op.execute(in_schema(statement, schema))


def in_schema(statement: str, schema: str) -> str:
    """The statement with its names qualified: `@.name` → "schema".name, `@SCHEMA` → "schema"."""
    quoted = '"' + schema.replace('"', '""') + '"'
    return statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted)


def _function(
    signature: str,
    returns: str,
    body: str,
    *,
    language: str = "plpgsql",
    volatility: str = "",
    definer: str | None = None,
    extra: str = "",
) -> list[str]:
    """CREATE OR REPLACE with the fixed search_path; `definer`: the role whose rights it runs with."""
    security = "SECURITY DEFINER" if definer else "SECURITY INVOKER"
    statements = [
        f"CREATE OR REPLACE FUNCTION @.{signature} RETURNS {returns} LANGUAGE {language} {volatility} "
        f"{security} SET search_path = pg_catalog, @SCHEMA, pg_temp {extra} AS $fn$ {body} $fn$"
    ]
    if definer:
        name = signature.split("(")[0]  # each name is used once, so it needs no argument types
        statements += [
            f"ALTER FUNCTION @.{name} OWNER TO {definer}",
            f"REVOKE ALL ON FUNCTION @.{name} FROM PUBLIC",
        ]
    return statements


# Columns the audit rows show in words: money is stored as integers of ten-thousandths (see
# crm_desktop.db.types.ExactDecimal), a logo as its size and hash, a password hash never.
AUDITED = {
    "users": ("", "", "password_hash"),
    "clients": ("", "", ""),
    "activities": ("", "", ""),
    "pipelines": ("", "", ""),
    "stages": ("", "", ""),
    "deals": ("amount", "", ""),
    "tasks": ("", "", ""),
    "documents": ("subtotal,tax_total,total,paid_total,credited_total", "", ""),
    "document_lines": ("quantity,unit_price,discount_percent,tax_rate", "", ""),
    "payments": ("amount", "", ""),
    "company_profile": ("", "logo", ""),
}
NOTIFYING = (
    "clients",
    "activities",
    "pipelines",
    "stages",
    "deals",
    "tasks",
    "documents",
    "document_lines",
    "payments",
    "users",
    "company_profile",
)
THROUGH_CLIENT = ("client_tags", "client_search", "activities", "deals", "documents")
THROUGH_PARENT = {
    "deal_stage_changes": "deals d WHERE d.id = deal_id",
    "document_lines": "documents d WHERE d.id = document_id",
    "payments": "documents d WHERE d.id = document_id",
}
SYSTEM_KINDS = "('status_change', 'document')"  # timeline entries the app writes itself
DEFINER_ROLES = [
    # Owns the functions that must see or write past a login's rights (audit rows, counters, checks,
    # search); never logs in, and nobody is a member of it.
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'crm_definer') THEN "
    "CREATE ROLE crm_definer NOLOGIN NOINHERIT BYPASSRLS; END IF; END $$",
    "ALTER ROLE crm_definer NOLOGIN NOINHERIT BYPASSRLS NOCREATEROLE NOCREATEDB",
    # Owns the two functions that make and change logins: CREATEROLE, but only reachable through them.
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'crm_login_admin') THEN "
    "CREATE ROLE crm_login_admin NOLOGIN NOINHERIT CREATEROLE; END IF; END $$",
    "ALTER ROLE crm_login_admin NOLOGIN NOINHERIT CREATEROLE NOBYPASSRLS NOCREATEDB",
]


_CRM_MEMBERSHIPS = (
    "FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles m ON m.oid = a.member "
    "JOIN pg_catalog.pg_roles g ON g.oid = a.roleid JOIN pg_catalog.pg_roles gr ON gr.oid = a.grantor "
    "WHERE g.rolname IN ('crm_user', 'crm_admin') AND m.rolname NOT IN ('crm_login_admin', 'crm_admin') "
    "AND NOT m.rolsuper"
)


def _login_admin_grants(version: int) -> list[str]:
    """crm_login_admin may hand out crm_user and crm_admin. PostgreSQL 16 lets a CREATEROLE role
    alter only roles it holds ADMIN OPTION on (given for roles it creates, granted here for older
    ones) and revoke only memberships it granted: older memberships are granted again in its name
    and the others' grants (with any ADMIN OPTION an older admin login held) revoked."""
    if version < 160000:
        return ["GRANT crm_user, crm_admin TO crm_login_admin WITH ADMIN OPTION"]
    return [
        "GRANT crm_user, crm_admin TO crm_login_admin WITH ADMIN TRUE, INHERIT FALSE, SET FALSE",
        "DO $$ DECLARE r record; BEGIN "
        f"FOR r IN SELECT DISTINCT m.rolname AS member, g.rolname AS grp {_CRM_MEMBERSHIPS} LOOP "
        "EXECUTE format('GRANT %I TO crm_login_admin WITH ADMIN TRUE, INHERIT FALSE, SET FALSE', r.member); "
        "EXECUTE format('GRANT %I TO %I GRANTED BY crm_login_admin', r.grp, r.member); END LOOP; "
        f"FOR r IN SELECT m.rolname AS member, g.rolname AS grp, gr.rolname AS grantor {_CRM_MEMBERSHIPS} "
        "AND gr.rolname <> 'crm_login_admin' LOOP "
        "EXECUTE format('REVOKE %I FROM %I GRANTED BY %I CASCADE', r.grp, r.member, r.grantor); END LOOP; END $$",
        # 16 made an admin login that created a login its ADMIN: no CRM login holds another.
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT l.rolname AS login, m.rolname AS member, gr.rolname AS grantor "
        "FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles l ON l.oid = a.roleid "
        "JOIN pg_catalog.pg_roles m ON m.oid = a.member JOIN pg_catalog.pg_roles gr ON gr.oid = a.grantor "
        "WHERE m.rolname NOT IN ('crm_login_admin', 'crm_admin') AND NOT m.rolsuper "
        "AND pg_catalog.pg_has_role(m.oid, 'crm_user', 'MEMBER') "
        "AND pg_catalog.pg_has_role(l.oid, 'crm_user', 'MEMBER') AND l.rolname NOT IN ('crm_user', 'crm_admin') LOOP "
        "EXECUTE format('REVOKE %I FROM %I GRANTED BY %I CASCADE', r.login, r.member, r.grantor); END LOOP; END $$",
    ]


STRIP_LOGIN_POWERS = [
    # Admin logins of 0005 had CREATEROLE and could hand out crm_user: with it, any predefined role.
    "DO $$ DECLARE r record; BEGIN "
    f"FOR r IN SELECT m.rolname, bool_or(a.admin_option) AS admin {_CRM_MEMBERSHIPS} GROUP BY m.rolname LOOP "
    "EXECUTE format('ALTER ROLE %I NOCREATEROLE', r.rolname); "
    "IF r.admin THEN EXECUTE format('REVOKE ADMIN OPTION FOR crm_user, crm_admin FROM %I', r.rolname); END IF; "
    "END LOOP; END $$",
]

NO_PLACE_TO_HIDE = [
    # Temp tables come first in a search path; a login that cannot make one cannot shadow anything.
    "DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$",
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN "
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC; END IF; END $$",
]

IDENTITY = [
    # Who is asking: the session's login. (0005 used current_user and unqualified names.)
    *_function(
        "crm_is_user()",
        "boolean",
        "SELECT pg_catalog.pg_has_role(session_user, 'crm_user', 'MEMBER') AND NOT coalesce("
        "(SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)",
        language="sql",
        volatility="STABLE",
    ),
    *_function(
        "crm_uid()",
        "integer",
        "SELECT u.id FROM @.users u WHERE u.username = session_user AND u.active",
        language="sql",
        volatility="STABLE",
    ),
    *_function(
        "crm_sees_all()",
        "boolean",
        "SELECT NOT @.crm_is_user() OR EXISTS (SELECT 1 FROM @.users u WHERE u.username = session_user "
        "AND u.active AND u.role = 'admin')",
        language="sql",
        volatility="STABLE",
    ),
    *_function(
        "crm_team()",
        "integer[]",
        "SELECT coalesce(array_agg(u.id), '{}') FROM @.users u WHERE u.manager_id = @.crm_uid() "
        "AND EXISTS (SELECT 1 FROM @.users m WHERE m.username = session_user AND m.role = 'manager')",
        language="sql",
        volatility="STABLE",
    ),
    # The visibility rule of clients for code that runs past row-level security (the definer functions).
    *_function(
        "crm_sees_client(client integer)",
        "boolean",
        "SELECT @.crm_sees_all() OR EXISTS (SELECT 1 FROM @.clients c WHERE c.id = client AND (NOT c.private "
        "OR c.owner_id = @.crm_uid() OR c.owner_id = ANY (@.crm_team())))",
        language="sql",
        volatility="STABLE",
    ),
    # Who a change is written in: the login's CRM user; for the owner, the user the app says it acts as.
    *_function(
        "crm_actor()",
        "integer",
        "SELECT CASE WHEN @.crm_is_user() THEN @.crm_uid() "
        "ELSE nullif(current_setting('crm.actor_id', true), '')::integer END",
        language="sql",
        volatility="STABLE",
    ),
]

# (SELECT f()) makes each helper an InitPlan, computed once per query instead of once per row.
# (The same rule as crm_sees_client and crm_find_clients, in the form each place runs fastest.)
SEES_ALL, UID, TEAM = (
    "(SELECT @.crm_sees_all())",
    "(SELECT @.crm_uid())",
    "((SELECT @.crm_team())::integer[])",
)
CLIENT_VISIBLE = f"{SEES_ALL} OR NOT private OR owner_id = {UID} OR owner_id = ANY {TEAM}"
VIA_CLIENT = "EXISTS (SELECT 1 FROM @.clients c WHERE c.id = client_id)"


def _policies() -> list[str]:
    out = [
        "DROP POLICY clients_seen ON @.clients",
        f"CREATE POLICY clients_seen ON @.clients USING ({CLIENT_VISIBLE})",
    ]
    for table in THROUGH_CLIENT:
        out += [
            f"DROP POLICY {table}_seen ON @.{table}",
            f"CREATE POLICY {table}_seen ON @.{table} USING ({SEES_ALL} OR {VIA_CLIENT})",
        ]
    for table, parent in THROUGH_PARENT.items():
        out += [
            f"DROP POLICY {table}_seen ON @.{table}",
            f"CREATE POLICY {table}_seen ON @.{table} USING ({SEES_ALL} OR EXISTS (SELECT 1 FROM @.{parent}))",
        ]
    out += [
        # A task without a client is its assignee's (and their manager's), as in services/tasks.py;
        # anyone may still hand one to a colleague.
        "DROP POLICY tasks_seen ON @.tasks",
        f"CREATE POLICY tasks_seen ON @.tasks USING ({SEES_ALL} OR (client_id IS NOT NULL AND {VIA_CLIENT}) "
        f"OR (client_id IS NULL AND (assignee_id = {UID} OR assignee_id = ANY {TEAM})))"
        f" WITH CHECK ({SEES_ALL} OR client_id IS NULL OR {VIA_CLIENT})",
        "DROP POLICY users_add ON @.users",
        f"CREATE POLICY users_add ON @.users FOR INSERT WITH CHECK ({SEES_ALL})",
        "DROP POLICY users_change ON @.users",
        f"CREATE POLICY users_change ON @.users FOR UPDATE USING ({SEES_ALL} OR username = session_user)",
        "DROP POLICY audit_read ON @.audit_log",
        f"CREATE POLICY audit_read ON @.audit_log FOR SELECT USING ({SEES_ALL} OR user_id = {UID})",
        "DROP POLICY audit_add ON @.audit_log",
        f"CREATE POLICY audit_add ON @.audit_log FOR INSERT WITH CHECK (NOT (SELECT @.crm_is_user()) OR user_id = {UID})",
    ]
    return out


PRIVILEGES = [
    # Counters move only when the database issues a document (and say how many there are of what a
    # login may not see); history is appended, never edited.
    "REVOKE SELECT, INSERT, UPDATE, DELETE ON @.number_series FROM crm_user",
    "REVOKE UPDATE ON @.deal_stage_changes FROM crm_user",
    "GRANT USAGE ON SCHEMA @SCHEMA TO crm_definer",
    "DO $$ BEGIN EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO crm_definer', current_schema()); "
    "EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO crm_definer', current_schema()); "
    "EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO crm_definer', "
    "current_schema()); END $$",
    "GRANT INSERT ON @.audit_log TO crm_definer",
    "GRANT INSERT, UPDATE ON @.number_series TO crm_definer",
]

# --- documents: drafts in, numbers and money states by the rules ----------------------------------

FORMAT_NUMBER = _function(
    # services/numbering.py's format_number, for the number the database gives (tested against it).
    "crm_format_number(pattern text, year integer, seq integer)",
    "text",
    """
    DECLARE out text := pattern; m text[]; value text;
    BEGIN
      FOR m IN SELECT regexp_matches(pattern, '\\{(year|seq)(?:\\:0([1-9])d)?\\}', 'g') LOOP
        value := CASE m[1] WHEN 'year' THEN year::text ELSE seq::text END;
        IF m[2] IS NOT NULL AND length(value) < m[2]::integer THEN value := lpad(value, m[2]::integer, '0'); END IF;
        out := replace(out, '{' || m[1] || coalesce(chr(58) || '0' || m[2] || 'd', '') || '}', value);
      END LOOP;
      RETURN out;
    END""",
    volatility="IMMUTABLE",
)

TAKE_NUMBER = _function(
    "crm_take_number(doc @.documents)",
    "text",
    """
    DECLARE v_year integer := extract(year FROM doc.issue_date)::integer; v_seq integer; v_number text;
    BEGIN
      INSERT INTO @.number_series (kind, year, next_seq) VALUES (doc.kind, v_year, 1)
        ON CONFLICT (kind, year) DO NOTHING;
      SELECT next_seq INTO v_seq FROM @.number_series WHERE kind = doc.kind AND year = v_year FOR UPDATE;
      v_number := @.crm_format_number((SELECT CASE doc.kind WHEN 'invoice' THEN p.invoice_number_pattern
        WHEN 'quote' THEN p.quote_number_pattern ELSE p.credit_note_number_pattern END
        FROM @.company_profile p WHERE p.id = 1), v_year, v_seq);
      IF EXISTS (SELECT 1 FROM @.documents d WHERE d.kind = doc.kind AND d.number = v_number) THEN
        RAISE EXCEPTION 'the number % is taken', v_number USING ERRCODE = 'unique_violation',
          CONSTRAINT = 'uq_documents_kind_number', DETAIL = v_number;
      END IF;
      UPDATE @.number_series SET next_seq = v_seq + 1 WHERE kind = doc.kind AND year = v_year;
      RETURN v_number;
    END""",
    definer="crm_definer",
)

TRANSITIONS = {  # kind → allowed (from, to) once issued; drafts become issued through crm_take_number
    "invoice": [
        (a, b)
        for a in ("issued", "partly_paid", "paid", "credited")
        for b in ("issued", "partly_paid", "paid", "credited", "cancelled")
    ],
    "quote": [
        ("issued", "issued"),
        ("issued", "accepted"),
        ("issued", "rejected"),
        ("accepted", "accepted"),
        *((a, "cancelled") for a in ("issued", "accepted", "rejected")),
    ],
    "credit_note": [("issued", "issued"), ("issued", "cancelled")],
}
_ALLOWED = " OR ".join(
    f"(NEW.kind = '{kind}' AND (OLD.status, NEW.status) IN "
    f"({', '.join(repr(pair).replace(chr(34), chr(39)) for pair in pairs)}))"
    for kind, pairs in TRANSITIONS.items()
)
_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
DOCUMENT_RULES = _function(
    "crm_document_rules()",
    "trigger",
    f"""
    DECLARE crm boolean := @.crm_is_user();
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF crm AND OLD.status <> 'draft' THEN
          {_REFUSE} format('document %s is issued and cannot be deleted', OLD.number);
        END IF;
        RETURN OLD;
      END IF;
      IF crm THEN
        IF TG_OP = 'INSERT' OR OLD.status = 'draft' THEN
          IF TG_OP = 'INSERT' AND (NEW.status <> 'draft' OR NEW.paid_total <> 0 OR NEW.credited_total <> 0) THEN
            {_REFUSE} 'documents are made as drafts; the database issues them';
          END IF;
          IF NEW.number IS NOT NULL OR NEW.cancel_reason <> '' THEN
            {_REFUSE} 'a draft has no number and no cancellation; the database gives the number at issue';
          END IF;
          IF NEW.related_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM @.documents d WHERE d.id = NEW.related_id
              AND d.client_id = NEW.client_id AND @.crm_sees_client(d.client_id)
              AND (d.kind, NEW.kind) IN (('invoice', 'credit_note'), ('quote', 'invoice'))) THEN
            RAISE EXCEPTION 'document % does not exist', NEW.related_id USING ERRCODE = 'foreign_key_violation';
          END IF;
          IF NEW.deal_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM @.deals d WHERE d.id = NEW.deal_id
              AND @.crm_sees_client(d.client_id)) THEN
            RAISE EXCEPTION 'deal % does not exist', NEW.deal_id USING ERRCODE = 'foreign_key_violation';
          END IF;
        ELSE
          IF NEW.number IS DISTINCT FROM OLD.number OR NEW.kind <> OLD.kind OR NEW.client_id <> OLD.client_id
              OR NEW.currency <> OLD.currency OR NEW.issue_date IS DISTINCT FROM OLD.issue_date
              OR NEW.due_date IS DISTINCT FROM OLD.due_date OR NEW.subtotal <> OLD.subtotal
              OR NEW.tax_total <> OLD.tax_total OR NEW.total <> OLD.total OR NEW.notes <> OLD.notes
              OR NEW.terms <> OLD.terms OR NEW.related_id IS DISTINCT FROM OLD.related_id THEN
            {_REFUSE} format('document %s is issued and cannot be changed', OLD.number);
          END IF;
          IF NOT ({_ALLOWED}) THEN
            {_REFUSE} format('document %s cannot go from %s to %s', OLD.number, OLD.status, NEW.status);
          END IF;
          IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' AND (btrim(NEW.cancel_reason) = ''
              OR EXISTS (SELECT 1 FROM @.payments p WHERE p.document_id = NEW.id)
              OR EXISTS (SELECT 1 FROM @.documents c WHERE c.related_id = NEW.id AND c.kind = 'credit_note'
                         AND c.status = 'issued')) THEN
            {_REFUSE} format('document %s is cancelled only with a reason, without payments and credit notes',
                             OLD.number);
          END IF;
          IF NEW.cancel_reason <> OLD.cancel_reason AND NOT (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
          THEN
            {_REFUSE} format('the cancellation reason of %s is given once, when it is cancelled', OLD.number);
          END IF;
        END IF;
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.status = 'draft' AND NEW.status <> 'draft' THEN
        IF crm AND NEW.status <> 'issued' THEN
          {_REFUSE} 'a draft is issued before anything else happens to it';
        END IF;
        IF crm AND (NEW.issue_date IS NULL OR NEW.total <= 0
                    OR NOT EXISTS (SELECT 1 FROM @.document_lines l WHERE l.document_id = NEW.id)) THEN
          {_REFUSE} 'a document is issued with a date and lines with an amount';
        END IF;
        IF NEW.number IS NULL THEN  -- (the owner may bring numbers of its own, e.g. from an older system)
          NEW.issue_date := coalesce(NEW.issue_date, current_date);
          NEW.number := @.crm_take_number(NEW);
        END IF;
      END IF;
      RETURN NEW;
    END""",
    definer="crm_definer",
)

DOCUMENT_LINE_RULES = _function(
    "crm_guard_document_line()",
    "trigger",
    f"""
    DECLARE doc record;
    BEGIN
      SELECT status, number INTO doc FROM @.documents
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.document_id ELSE NEW.document_id END;
      IF FOUND AND doc.status <> 'draft' AND @.crm_is_user() THEN
        {_REFUSE} format('document %s is issued and its lines cannot be changed', doc.number);
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END""",
    definer="crm_definer",
)

PAYMENT_RULES = _function(
    # Checked before the invoice row moves on (payments.record_payment writes the payment first).
    "crm_payment_rules()",
    "trigger",
    f"""
    DECLARE doc record;
    BEGIN
      IF NOT @.crm_is_user() THEN RETURN NEW; END IF;
      SELECT kind, status, number, total - paid_total - credited_total AS due INTO doc
        FROM @.documents WHERE id = NEW.document_id;
      IF doc.kind IS DISTINCT FROM 'invoice' OR doc.status NOT IN ('issued', 'partly_paid') OR NEW.amount > doc.due THEN
        {_REFUSE} format('a payment goes to an issued invoice and is at most its balance (%s)', doc.number);
      END IF;
      RETURN NEW;
    END""",
    definer="crm_definer",
)

MONEY_FOLLOWS = _function(
    "crm_money_follows(document integer)",
    "void",
    f"""
    DECLARE d record; paid bigint; credited bigint; expected text;
    BEGIN
      SELECT * INTO d FROM @.documents WHERE id = document;
      IF NOT FOUND THEN RETURN; END IF;
      IF d.kind = 'credit_note' AND d.related_id IS NOT NULL THEN PERFORM @.crm_money_follows(d.related_id); END IF;
      paid := coalesce((SELECT sum(p.amount) FROM @.payments p WHERE p.document_id = d.id), 0);
      credited := coalesce((SELECT sum(c.total) FROM @.documents c WHERE c.related_id = d.id
                            AND c.kind = 'credit_note' AND c.status = 'issued'), 0);
      IF d.paid_total <> paid OR d.credited_total <> credited OR d.paid_total > d.total OR d.credited_total > d.total
         OR d.kind <> 'invoice' AND (paid <> 0 OR credited <> 0) THEN
        {_REFUSE} format('the paid and credited totals of %s follow its payments and credit notes',
                         coalesce(d.number, 'the draft'));
      END IF;
      IF d.kind = 'invoice' AND d.status IN ('issued', 'partly_paid', 'paid', 'credited') THEN
        expected := CASE WHEN credited >= d.total THEN 'credited' WHEN paid + credited >= d.total THEN 'paid'
                         WHEN paid > 0 THEN 'partly_paid' ELSE 'issued' END;
        IF d.status <> expected THEN
          {_REFUSE} format('invoice %s is %s by its payments and credit notes, not %s', d.number, expected, d.status);
        END IF;
      END IF;
    END""",
    definer="crm_definer",
)

MONEY_CHECK = _function(
    "crm_check_money()",
    "trigger",
    """
    BEGIN
      IF NOT @.crm_is_user() THEN RETURN NULL; END IF;
      IF TG_TABLE_NAME = 'documents' THEN PERFORM @.crm_money_follows(NEW.id);
      ELSIF TG_OP = 'DELETE' THEN PERFORM @.crm_money_follows(OLD.document_id);
      ELSE PERFORM @.crm_money_follows(NEW.document_id);
      END IF;
      RETURN NULL;
    END""",
    definer="crm_definer",
)

# --- the timeline and deal history: what the system wrote stays ----------------------------------

ACTIVITY_RULES = _function(
    "crm_activity_rules()",
    "trigger",
    f"""
    BEGIN
      IF NOT @.crm_is_user() THEN RETURN NEW; END IF;
      IF NEW.deal_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM @.deals d WHERE d.id = NEW.deal_id
          AND d.client_id = NEW.client_id) THEN  -- (and so none the login cannot see)
        RAISE EXCEPTION 'deal % does not exist', NEW.deal_id USING ERRCODE = 'foreign_key_violation';
      END IF;
      IF TG_OP = 'INSERT' THEN
        NEW.author_id := @.crm_uid();  -- written in one's own name only
        RETURN NEW;
      END IF;
      IF NEW.author_id IS DISTINCT FROM OLD.author_id
         OR (OLD.kind IN {SYSTEM_KINDS} OR NEW.kind IN {SYSTEM_KINDS}) AND NOT (
           -- the one change to a system entry: its deal is deleted (ON DELETE SET NULL)
           NEW.deal_id IS NULL AND OLD.deal_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM @.deals d WHERE d.id = OLD.deal_id)
           AND (to_jsonb(NEW) - 'deal_id') = (to_jsonb(OLD) - 'deal_id')) THEN
        {_REFUSE} 'an entry the system wrote on the timeline is kept as written';
      END IF;
      RETURN NEW;
    END""",
    definer="crm_definer",
)

HISTORY_KEPT = _function(
    # Deferred to commit: a system entry (or a deal's history) goes only together with its client (deal).
    "crm_history_kept()",
    "trigger",
    f"""
    BEGIN
      IF NOT @.crm_is_user() THEN RETURN NULL; END IF;
      IF TG_TABLE_NAME = 'activities' THEN
        IF OLD.kind IN {SYSTEM_KINDS} AND EXISTS (SELECT 1 FROM @.clients c WHERE c.id = OLD.client_id) THEN
          {_REFUSE} 'a timeline entry the system wrote is deleted only together with its client';
        END IF;
      ELSIF EXISTS (SELECT 1 FROM @.deals d WHERE d.id = OLD.deal_id) THEN
        {_REFUSE} 'the history of a deal is deleted only together with the deal';
      END IF;
      RETURN NULL;
    END""",
    definer="crm_definer",
)

STAGE_CHANGE_RULES = _function(
    "crm_stage_change_rules()",
    "trigger",
    """
    BEGIN
      IF @.crm_is_user() THEN NEW.user_id := @.crm_uid(); END IF;
      RETURN NEW;
    END""",
    definer="crm_definer",
)

TASK_RULES = _function(
    # What a task refers to must be something the login sees, or a constraint would answer for an
    # invisible row: a follow-up's origin ("lead:42", unique) and its deal. Runs as the login: its visibility.
    "crm_task_rules()",
    "trigger",
    f"""
    DECLARE what text := split_part(NEW.origin, chr(58), 1); v_id integer;
    BEGIN
      IF NOT @.crm_is_user() THEN RETURN NEW; END IF;
      IF NEW.deal_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM @.deals d WHERE d.id = NEW.deal_id) THEN
        RAISE EXCEPTION 'deal % does not exist', NEW.deal_id USING ERRCODE = 'foreign_key_violation';
      END IF;
      IF NEW.origin IS NULL OR TG_OP = 'UPDATE' AND NEW.origin IS NOT DISTINCT FROM OLD.origin THEN
        RETURN NEW;
      END IF;
      v_id := CASE WHEN split_part(NEW.origin, chr(58), 2) ~ '^[0-9]{{1,9}}$'
                 THEN split_part(NEW.origin, chr(58), 2)::integer END;
      IF v_id IS NULL OR NOT (CASE what
          WHEN 'lead' THEN EXISTS (SELECT 1 FROM @.clients c WHERE c.id = v_id)
          WHEN 'invoice' THEN EXISTS (SELECT 1 FROM @.documents d WHERE d.id = v_id)
          WHEN 'escalation' THEN EXISTS (SELECT 1 FROM @.tasks t WHERE t.id = v_id)
          ELSE false END) THEN
        {_REFUSE} 'a follow-up task refers to a record you can see';
      END IF;
      RETURN NEW;
    END""",
)

# --- audit: written by the database ----------------------------------------------------------------

AUDIT_VALUE = _function(
    # One column's value as services/context.py writes it into the log.
    "crm_audit_value(value jsonb, is_money boolean, is_blob boolean, is_secret boolean)",
    "jsonb",
    """
    SELECT CASE
      WHEN value IS NULL OR value = 'null'::jsonb THEN 'null'::jsonb
      WHEN is_secret THEN CASE WHEN value = '""'::jsonb THEN value ELSE to_jsonb('(hidden)'::text) END
      WHEN is_money THEN to_jsonb(trim_scale((value #>> '{}')::numeric / 10000)::text)
      WHEN is_blob THEN to_jsonb(format('%s bytes, sha256 %s', (length(value #>> '{}') - 2) / 2,
        left(encode(sha256(decode(substr(value #>> '{}', 3), 'hex')), 'hex'), 16)))
      ELSE value END""",
    language="sql",
    volatility="IMMUTABLE",
)

AUDIT_ROW = _function(
    "crm_audit_row()",
    "trigger",
    """
    DECLARE
      money text[] := string_to_array(TG_ARGV[0], ','); blobs text[] := string_to_array(TG_ARGV[1], ',');
      secrets text[] := string_to_array(TG_ARGV[2], ',');
      old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
      new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
      changes jsonb := '{}'; key text; before jsonb; after jsonb; one jsonb;
    BEGIN
      -- The owner's bulk load (the demo office) is one entry, written by the app; a CRM login has no such switch.
      IF current_setting('crm.bulk_load', true) = 'on' AND NOT @.crm_is_user() THEN RETURN NULL; END IF;
      FOR key IN SELECT jsonb_object_keys(coalesce(new_row, old_row)) LOOP
        CONTINUE WHEN key IN ('created_at', 'updated_at', 'version');
        before := @.crm_audit_value(old_row -> key, key = ANY (money), key = ANY (blobs), key = ANY (secrets));
        after := @.crm_audit_value(new_row -> key, key = ANY (money), key = ANY (blobs), key = ANY (secrets));
        IF TG_OP = 'UPDATE' THEN
          CONTINUE WHEN before = after;
          changes := changes || jsonb_build_object(key, jsonb_build_array(before, after));
        ELSE
          one := CASE WHEN TG_OP = 'INSERT' THEN after ELSE before END;
          CONTINUE WHEN one IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb, 'false'::jsonb, '0'::jsonb);
          changes := changes || jsonb_build_object(key, CASE WHEN TG_OP = 'INSERT'
            THEN jsonb_build_array(NULL, one) ELSE jsonb_build_array(one, NULL) END);
        END IF;
      END LOOP;
      IF TG_OP = 'UPDATE' AND changes = '{}' THEN RETURN NULL; END IF;
      INSERT INTO @.audit_log (at, user_id, login, entity, entity_id, action, changes)
        VALUES (now(), @.crm_actor(), session_user, TG_TABLE_NAME, (coalesce(new_row, old_row) ->> 'id')::integer,
                CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END, changes::json);
      RETURN NULL;
    END""",
    definer="crm_definer",
    extra="SET timezone = 'UTC'",
)

AUDIT_STAMP = _function(
    # Rows a client writes (sign-ins, issues, PDFs…) get the server's time and the login's own name;
    # field changes are the database's to write (crm_audit_row, which runs as crm_definer).
    "crm_audit_stamp()",
    "trigger",
    f"""
    BEGIN
      NEW.at := now();
      NEW.login := session_user;
      IF current_user <> 'crm_definer' AND @.crm_is_user() THEN
        NEW.user_id := @.crm_uid();
        IF NEW.action IN ('create', 'update', 'delete') THEN
          {_REFUSE} 'the database itself logs what is created, changed and deleted';
        END IF;
      END IF;
      RETURN NEW;
    END""",
)

REFUSE_AUDIT_CHANGE = _function(
    "crm_refuse_audit_change()",
    "trigger",
    "BEGIN RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP; END",
)

# --- notices, search ---------------------------------------------------------------------------------

NOTIFY = _function(
    # Only which table changed: a notice carries nothing a listener may not see, and a forged one
    # only makes a PC re-read what row-level security lets it see.
    "crm_notify_change()",
    "trigger",
    "BEGIN PERFORM pg_notify('crm_changes', json_build_object('schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME)"
    "::text); RETURN NULL; END",
)

FIND_CLIENTS = _function(
    # The trigram index cannot serve LIKE behind row-level security (LIKE is not leakproof), so this
    # reads it with the definer's rights and applies the clients policy's rule itself. With
    # first_rows, the first that many by name: the matches' ids are taken from the index alone, and
    # only the clients found are looked up and sorted (not every client joined to every match).
    "crm_find_clients(patterns text[], first_rows integer DEFAULT NULL)",
    "SETOF integer",
    """
    DECLARE likes text := ''; matched integer[];
    BEGIN
      IF coalesce(cardinality(patterns), 0) = 0 THEN RETURN; END IF;
      FOR i IN 1 .. cardinality(patterns) LOOP
        likes := likes || format(' AND s.terms LIKE %L', patterns[i]);
      END LOOP;
      EXECUTE 'SELECT array_agg(s.client_id) FROM @.client_search s WHERE true' || likes INTO matched;
      -- (materialized, so that the planner looks the matches up by id rather than walking every client
      -- in name order to test each against them)
      RETURN QUERY EXECUTE 'WITH found AS MATERIALIZED (SELECT c.id, c.sort_name FROM @.clients c '
        'WHERE c.id = ANY ($4) AND ($1 OR NOT c.private OR c.owner_id = $2 OR c.owner_id = ANY ($3))) '
        'SELECT id FROM found'
        || CASE WHEN first_rows IS NULL THEN '' ELSE format(' ORDER BY sort_name, id LIMIT %s', first_rows) END
        USING @.crm_sees_all(), @.crm_uid(), @.crm_team(), matched;
    END""",
    volatility="STABLE",
    definer="crm_definer",
    extra="SET jit = off",
)

# --- logins ------------------------------------------------------------------------------------------

CALLER_IS_ADMIN = _function(
    "crm_caller_is_admin()",
    "boolean",
    "SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false) OR "
    "pg_catalog.pg_has_role(session_user, 'crm_admin', 'MEMBER') AND EXISTS (SELECT 1 FROM @.users u "
    "WHERE u.username = session_user AND u.active AND u.role = 'admin')",
    language="sql",
    volatility="STABLE",
)

CHECK_LOGIN = _function(
    # A role these functions may touch: a user of this CRM, and nothing but a CRM login.
    "crm_check_login(login text, is_new boolean)",
    "void",
    f"""
    DECLARE r record;
    BEGIN
      IF login IS NULL OR login ILIKE 'pg\\_%' OR octet_length(login) > 63 OR login IN ('crm_user', 'crm_admin',
          'crm_definer', 'crm_login_admin') OR NOT EXISTS (SELECT 1 FROM @.users u WHERE u.username = login) THEN
        {_REFUSE} format('%s is not a user of this CRM', login);
      END IF;
      SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = login;
      IF is_new THEN
        IF FOUND THEN
          RAISE EXCEPTION 'the server already has a login named %', login USING ERRCODE = 'duplicate_object';
        END IF;
        RETURN;
      END IF;
      IF NOT FOUND OR r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
         OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles g ON g.oid = a.roleid
                    WHERE a.member = r.oid AND g.rolname NOT IN ('crm_user', 'crm_admin')) THEN
        {_REFUSE} format('the login %s is not only a CRM login; ask the server''s administrator', login);
      END IF;
    END""",
    volatility="STABLE",
)

CHECK_VERIFIER = _function(
    # Only a SCRAM verifier made on the PC: a password in clear could end up in a server log.
    "crm_check_verifier(verifier text)",
    "void",
    """
    BEGIN
      IF verifier !~ '^SCRAM-SHA-256\\$[0-9]+.[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+.[A-Za-z0-9+/=]+$' THEN
        RAISE EXCEPTION 'a password reaches the server only as a SCRAM-SHA-256 verifier'
          USING ERRCODE = 'invalid_password';
      END IF;
    END""",
    volatility="IMMUTABLE",
)

_MEMBER = "pg_catalog.pg_has_role(login, '{role}', 'MEMBER')"
CREATE_LOGIN = _function(
    "crm_create_login(login text, verifier text)",
    "void",
    f"""
    BEGIN
      IF NOT @.crm_caller_is_admin() THEN {_REFUSE} 'only a CRM administrator adds logins'; END IF;
      PERFORM @.crm_check_login(login, true);
      PERFORM @.crm_check_verifier(verifier);
      EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', login, verifier);
      EXECUTE format('GRANT crm_user TO %I', login);
    END""",
    definer="crm_login_admin",
)

CHANGE_LOGIN = _function(
    # NULL leaves a part as it is. Everyone may set their own password; the rest is for administrators.
    "crm_change_login(login text, verifier text, can_login boolean, is_admin boolean)",
    "void",
    f"""
    BEGIN
      IF NOT (login = session_user AND can_login IS NULL AND is_admin IS NULL OR @.crm_caller_is_admin()) THEN
        {_REFUSE} 'only a CRM administrator changes other logins';
      END IF;
      PERFORM @.crm_check_login(login, false);
      IF verifier IS NOT NULL THEN
        PERFORM @.crm_check_verifier(verifier);
        EXECUTE format('ALTER ROLE %I PASSWORD %L', login, verifier);
      END IF;
      IF can_login THEN
        EXECUTE format('ALTER ROLE %I LOGIN', login);
        IF NOT {_MEMBER.format(role="crm_user")} THEN EXECUTE format('GRANT crm_user TO %I', login); END IF;
      ELSIF NOT can_login THEN  -- an open session of theirs loses its rights at once
        EXECUTE format('ALTER ROLE %I NOLOGIN', login);
        IF {_MEMBER.format(role="crm_admin")} THEN EXECUTE format('REVOKE crm_admin FROM %I', login); END IF;
        IF {_MEMBER.format(role="crm_user")} THEN EXECUTE format('REVOKE crm_user FROM %I', login); END IF;
      END IF;
      IF is_admin AND NOT {_MEMBER.format(role="crm_admin")} THEN
        EXECUTE format('GRANT crm_admin TO %I', login);
      ELSIF NOT is_admin AND {_MEMBER.format(role="crm_admin")} THEN
        EXECUTE format('REVOKE crm_admin FROM %I', login);
      END IF;
    END""",
    definer="crm_login_admin",
)


def _triggers() -> list[str]:
    out = [
        "DROP TRIGGER documents_guard ON @.documents",
        "DROP FUNCTION @.crm_guard_document()",
        "CREATE TRIGGER documents_rules BEFORE INSERT OR UPDATE OR DELETE ON @.documents "
        "FOR EACH ROW EXECUTE FUNCTION @.crm_document_rules()",
        "CREATE TRIGGER payments_rules BEFORE INSERT ON @.payments FOR EACH ROW EXECUTE FUNCTION @.crm_payment_rules()",
        *[
            f"CREATE CONSTRAINT TRIGGER {table}_money_follows AFTER {events} ON @.{table} DEFERRABLE INITIALLY "
            "DEFERRED FOR EACH ROW EXECUTE FUNCTION @.crm_check_money()"
            for table, events in (
                ("documents", "INSERT OR UPDATE"),
                ("payments", "INSERT OR UPDATE OR DELETE"),
            )
        ],
        "CREATE TRIGGER activities_rules BEFORE INSERT OR UPDATE ON @.activities "
        "FOR EACH ROW EXECUTE FUNCTION @.crm_activity_rules()",
        "CREATE TRIGGER deal_stage_changes_rules BEFORE INSERT ON @.deal_stage_changes "
        "FOR EACH ROW EXECUTE FUNCTION @.crm_stage_change_rules()",
        *[
            f"CREATE CONSTRAINT TRIGGER {table}_history_kept AFTER DELETE ON @.{table} DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION @.crm_history_kept()"
            for table in ("activities", "deal_stage_changes")
        ],
        "CREATE TRIGGER tasks_rules BEFORE INSERT OR UPDATE OF origin, deal_id ON @.tasks "
        "FOR EACH ROW EXECUTE FUNCTION @.crm_task_rules()",
        "CREATE TRIGGER audit_log_stamp BEFORE INSERT ON @.audit_log FOR EACH ROW EXECUTE FUNCTION @.crm_audit_stamp()",
    ]
    for table, (money, blobs, secrets) in AUDITED.items():
        out.append(
            f"CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON @.{table} FOR EACH ROW "
            f"EXECUTE FUNCTION @.crm_audit_row('{money}', '{blobs}', '{secrets}')"
        )
    for table in NOTIFYING:
        out += [
            f"DROP TRIGGER {table}_notify ON @.{table}",
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON @.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()",
        ]
    return out


def login_management(version: int) -> list[str]:
    """The roles and functions through which logins are made and changed (also tested on its own
    on PostgreSQL 16, where CREATEROLE means less)."""
    return [
        *DEFINER_ROLES,
        *_login_admin_grants(version),
        *STRIP_LOGIN_POWERS,
        "GRANT USAGE ON SCHEMA @SCHEMA TO crm_login_admin",
        "GRANT SELECT ON @.users TO crm_login_admin",
        *CALLER_IS_ADMIN,
        *CHECK_LOGIN,
        *CHECK_VERIFIER,
        *CREATE_LOGIN,
        *CHANGE_LOGIN,
        "GRANT EXECUTE ON FUNCTION @.crm_create_login(text, text), "
        "@.crm_change_login(text, text, boolean, boolean) TO crm_user",
    ]


def postgres_statements(version: int) -> list[str]:
    functions = [
        *IDENTITY,
        *FORMAT_NUMBER,
        *TAKE_NUMBER,
        *DOCUMENT_RULES,
        *DOCUMENT_LINE_RULES,
        *PAYMENT_RULES,
        *MONEY_FOLLOWS,
        *MONEY_CHECK,
        *ACTIVITY_RULES,
        *HISTORY_KEPT,
        *STAGE_CHANGE_RULES,
        *TASK_RULES,
        *AUDIT_VALUE,
        *AUDIT_ROW,
        *AUDIT_STAMP,
        *REFUSE_AUDIT_CHANGE,
        *NOTIFY,
        *FIND_CLIENTS,
    ]
    return [
        *NO_PLACE_TO_HIDE,
        *login_management(version),
        *PRIVILEGES,
        *functions,
        *_policies(),
        *_triggers(),
        "GRANT EXECUTE ON FUNCTION @.crm_find_clients TO crm_user",
    ]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in POSTGRES_DOWNGRADE:
            op.execute(statement)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint("amount_positive", type_="check")
    # In place on SQLite: a copy of the table would not have the triggers that keep it append-only.
    with op.batch_alter_table("audit_log", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("login")


POSTGRES_DOWNGRADE = [
    # Back to 0005's rules: its guard, row notices, and CREATEROLE-holding admins are not restored
    # (nobody should want them back); the current_user-based helpers keep working as written here.
    *[f"DROP TRIGGER {table}_audit ON {table}" for table in AUDITED],
    "DROP TRIGGER audit_log_stamp ON audit_log",
    "DROP TRIGGER tasks_rules ON tasks",
    *[f"DROP TRIGGER {table}_history_kept ON {table}" for table in ("activities", "deal_stage_changes")],
    "DROP TRIGGER deal_stage_changes_rules ON deal_stage_changes",
    "DROP TRIGGER activities_rules ON activities",
    *[f"DROP TRIGGER {table}_money_follows ON {table}" for table in ("documents", "payments")],
    "DROP TRIGGER payments_rules ON payments",
    "DROP TRIGGER documents_rules ON documents",
    *[
        f"DROP FUNCTION {f}"
        for f in (
            "crm_change_login(text, text, boolean, boolean)",
            "crm_create_login(text, text)",
            "crm_check_verifier(text)",
            "crm_check_login(text, boolean)",
            "crm_caller_is_admin()",
            "crm_find_clients(text[], integer)",
            "crm_audit_stamp()",
            "crm_audit_row()",
            "crm_audit_value(jsonb, boolean, boolean, boolean)",
            "crm_task_rules()",
            "crm_stage_change_rules()",
            "crm_history_kept()",
            "crm_activity_rules()",
            "crm_check_money()",
            "crm_money_follows(integer)",
            "crm_payment_rules()",
            "crm_document_rules()",
            "crm_take_number(documents)",
            "crm_format_number(text, integer, integer)",
            "crm_actor()",
            "crm_sees_client(integer)",
        )
    ],
    # Issued documents stay guarded, the simple way 0005 did it.
    "CREATE FUNCTION crm_guard_document() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp "
    "AS $$ BEGIN IF OLD.status <> 'draft' THEN RAISE EXCEPTION 'Document % is issued', OLD.number "
    "USING ERRCODE = '42501'; END IF; RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END $$",
    "CREATE TRIGGER documents_guard BEFORE DELETE ON documents FOR EACH ROW EXECUTE FUNCTION crm_guard_document()",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON number_series TO crm_user",
    "GRANT UPDATE ON deal_stage_changes TO crm_user",
]
