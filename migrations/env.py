"""Alembic environment. The app runs it with an open connection (crm_desktop.db.migrate);
`alembic -x url=...` from a checkout works too, for developers writing a new revision."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from crm_desktop.db.models import Base
from crm_desktop.db.search_index import is_search_index_object

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # The search index is built by hand in the revisions (FTS5 virtual table on SQLite, a pg_trgm
    # GIN index on PostgreSQL); it has no place in the models, so the comparison must skip it.
    return not is_search_index_object(name, type_)


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as conn:
        run_with(conn)
