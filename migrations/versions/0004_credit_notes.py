"""Credit notes reduce what an invoice's client owes; the company logo and the amount in words on
documents; the office's mail server for sending them.

Revision ID: 0004_credit_notes
Revises: 0003_numbering
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_credit_notes"
down_revision = "0003_numbering"
branch_labels = None
depends_on = None

SMTP_COLUMNS = (
    ("smtp_host", 255, ""),
    ("smtp_security", 10, "starttls"),
    ("smtp_username", 320, ""),
    ("smtp_sender", 320, ""),
)


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credited_total", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("amount_words_language", sa.String(length=5), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        for name, length, default in SMTP_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default=default)
            )
        batch_op.add_column(sa.Column("smtp_port", sa.Integer(), nullable=False, server_default="587"))
    # The models give the defaults, as elsewhere.
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.alter_column("credited_total", server_default=None)
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name in ("amount_words_language", "smtp_port", *(c[0] for c in SMTP_COLUMNS)):
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        for name in ("smtp_port", *(c[0] for c in reversed(SMTP_COLUMNS))):
            batch_op.drop_column(name)
        batch_op.drop_column("logo")
        batch_op.drop_column("amount_words_language")
    # In place on SQLite, as a copy would have to drop the old table inside the caller's transaction, foreign
    # keys on: the document lines would go with it (ON DELETE CASCADE) and payments refuse it.
    with op.batch_alter_table("documents", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("credited_total")
