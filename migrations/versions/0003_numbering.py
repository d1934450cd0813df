"""Gap-free document numbers: a counter row per kind and year, the number patterns, the tax-rate presets.

Revision ID: 0003_numbering
Revises: 0002_reminders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_numbering"
down_revision = "0002_reminders"
branch_labels = None
depends_on = None

PATTERNS = (
    ("invoice_number_pattern", "INV-{year}-{seq:05d}"),
    ("quote_number_pattern", "QUO-{year}-{seq:05d}"),
    ("credit_note_number_pattern", "CN-{year}-{seq:05d}"),
    ("tax_presets", "12; 0"),
)


def upgrade() -> None:
    op.create_table(
        "number_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_series")),
        sa.UniqueConstraint("kind", "year", name="uq_number_series_kind_year"),
    )
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name, default in PATTERNS:
            batch_op.add_column(
                sa.Column(
                    name,
                    sa.String(length=200 if name == "tax_presets" else 60),
                    nullable=False,
                    server_default=sa.text(f"'{default}'"),
                )
            )
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name, _ in PATTERNS:
            batch_op.alter_column(name, server_default=None)  # the models give the default, as elsewhere


def downgrade() -> None:
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name, _ in reversed(PATTERNS):
            batch_op.drop_column(name)
    op.drop_table("number_series")
