"""The app's own timeline entries are kept as what they say, and each client may get documents in a
language of their own.

Revision ID: 0009_words_in_any_language
Revises: 0008_search_across_scripts

activities.said holds, for the entries the app writes (a deal created, a stage moved, an invoice issued,
a status change…), the sentence's English template and its fields (crm_desktop/i18n.py Message, as JSON),
so each reader sees it in their own language; `body` keeps the English words as before, for whoever reads
the table itself. Entries written before stay as they were worded. Notes and calls people write have none.

clients.language is the language of the documents the client receives (invoices, quotes, their emails);
empty: the company's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_words_in_any_language"
down_revision = "0008_search_across_scripts"
branch_labels = None
depends_on = None


# clients is never copied to a new table on SQLite (ALTER TABLE ADD / DROP COLUMN, SQLite 3.35+): the
# migration runs in the caller's transaction, where foreign keys stay on, and dropping the old table would
# delete every client first and, by ON DELETE, their search text, tags, timelines and deals. Documents
# refuse that ("FOREIGN KEY constraint failed"), as do the search index's triggers ("database table is
# locked").
def upgrade() -> None:
    with op.batch_alter_table("activities") as table:
        table.add_column(sa.Column("said", sa.JSON(), nullable=True))
    with op.batch_alter_table("clients", recreate="never") as table:
        table.add_column(sa.Column("language", sa.String(5), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("clients", recreate="never") as table:
        table.drop_column("language")
    with op.batch_alter_table("activities") as table:
        table.drop_column("said")
