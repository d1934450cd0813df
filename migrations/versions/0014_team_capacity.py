"""The team's time (issue 18): a person's working hours per weekday where they differ from the office
calendar's, the days they are away, and what they can do.

On a server: everyone reads the hours and skills (planning the team's work needs them); a person's
absences are read by the person, their manager and administrators. Administrators and a person's
manager change their hours and skills; absences are also entered by the person. Audited and announced,
as every table since 0006.

Revision ID: 0014_team_capacity
Revises: 0013_running_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_team_capacity"
down_revision = "0013_running_jobs"
branch_labels = None
depends_on = None

TABLES = ("person_hours", "absences", "user_skills")
SEES_ALL = "(SELECT @.crm_sees_all())"
UID = "(SELECT @.crm_uid())"
TEAM = "((SELECT @.crm_team())::integer[])"
MANAGES = f"({SEES_ALL} OR user_id = ANY {TEAM})"  # an administrator, or the person's manager


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _person(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "person_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        *_stamps(),
        _person("person_hours"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_hours")),
        sa.UniqueConstraint("user_id", name=op.f("uq_person_hours_user_id")),
    )
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_stamps(),
        _person("absences"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    op.create_index("ix_absences_user_starts", "absences", ["user_id", "starts"], unique=False)
    op.create_table(
        "user_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=100), nullable=False),
        _person("user_skills"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_skills")),
        sa.UniqueConstraint("user_id", "skill", name=op.f("uq_user_skills_user_id")),
    )
    op.create_index(op.f("ix_user_skills_skill"), "user_skills", ["skill"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = '"' + schema.replace('"', '""') + '"'
        for statement in _server():
            op.execute(statement.replace("@.", quoted + ".").replace("@SCHEMA", quoted))


def _server() -> list[str]:
    out = [f"GRANT INSERT, UPDATE, DELETE ON {', '.join('@.' + t for t in TABLES)} TO crm_user"]
    for table in TABLES:
        out += [
            f"ALTER TABLE @.{table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE @.{table} FORCE ROW LEVEL SECURITY",
        ]
    for table in ("person_hours", "user_skills"):
        out += [
            f"CREATE POLICY {table}_read ON @.{table} FOR SELECT USING (true)",
            f"CREATE POLICY {table}_add ON @.{table} FOR INSERT WITH CHECK {MANAGES}",
            f"CREATE POLICY {table}_change ON @.{table} FOR UPDATE USING {MANAGES} WITH CHECK {MANAGES}",
            f"CREATE POLICY {table}_remove ON @.{table} FOR DELETE USING {MANAGES}",
        ]
    own = f"({SEES_ALL} OR user_id = {UID} OR user_id = ANY {TEAM})"
    out.append(f"CREATE POLICY absences_seen ON @.absences USING {own} WITH CHECK {own}")
    for table in TABLES:
        out += [
            f"CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON @.{table} FOR EACH ROW "
            "EXECUTE FUNCTION @.crm_audit_row('', '', '')",
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON @.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION @.crm_notify_change()",
        ]
    return out


def downgrade() -> None:
    for table in ("user_skills", "absences", "person_hours"):
        op.drop_table(table)
