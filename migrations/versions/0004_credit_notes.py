"""Credit notes reduce what an invoice's client owes; the company logo and the amount in words on documents.

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


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credited_total", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("amount_words_language", sa.String(length=5), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
    # The models give the defaults, as elsewhere.
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.alter_column("credited_total", server_default=None)
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        batch_op.alter_column("amount_words_language", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        batch_op.drop_column("logo")
        batch_op.drop_column("amount_words_language")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("credited_total")
