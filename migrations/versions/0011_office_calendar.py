"""The office calendar: working weekdays and hours, and public holidays, so that work is planned in
working time (services/work_calendar.py).

company_profile gains the working weekdays (Monday first, "1111100"), the working hours and the country
whose holidays the office keeps; `holidays` holds each country's days off, edited by administrators. On a
server every login reads them (the default privileges of 0005), administrators change them, and the
server audits and announces the changes as for every table (0006).

Revision ID: 0011_office_calendar
Revises: 0010_merged_clients
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_office_calendar"
down_revision = "0010_merged_clients"
branch_labels = None
depends_on = None

CALENDAR = (
    ("work_days", sa.String(7), "1111100"),
    ("work_starts", sa.String(5), "09:00"),
    ("work_ends", sa.String(5), "18:00"),
    ("holiday_country", sa.String(2), ""),
)


def upgrade() -> None:
    # company_profile is never copied to a new table on SQLite (as 0009 says of clients).
    with op.batch_alter_table("company_profile", recreate="never") as table:
        for name, kind, default in CALENDAR:
            table.add_column(sa.Column(name, kind, nullable=False, server_default=default))
    op.create_table(
        "holidays",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_holidays"),
        sa.UniqueConstraint("country", "day", name="uq_holidays_country"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in (
            "GRANT INSERT, UPDATE, DELETE ON holidays TO crm_admin",
            "CREATE TRIGGER holidays_audit AFTER INSERT OR UPDATE OR DELETE ON holidays FOR EACH ROW "
            "EXECUTE FUNCTION crm_audit_row('', '', '')",
            "CREATE TRIGGER holidays_notify AFTER INSERT OR UPDATE OR DELETE ON holidays "
            "FOR EACH STATEMENT EXECUTE FUNCTION crm_notify_change()",
        ):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("holidays")
    with op.batch_alter_table("company_profile", recreate="never") as table:
        for name, _kind, _default in reversed(CALENDAR):
            table.drop_column(name)
