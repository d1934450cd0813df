"""Many rows into one table at once, for the writes that bring in thousands (an import, the audit rows of
a big save).

SQLAlchemy's executemany prepares every value of every row through its machinery; on SQLite that takes
twice as long as SQLite takes to store them. Here each column's converter (JSON, UTC times, truth
values) is looked up once and the driver's own executemany does the rest: the same stored values, a
third of the time. PostgreSQL keeps SQLAlchemy's executemany, which psycopg already sends in pipelines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

_NOTHING = object()


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """`rows` (dicts with the same keys, column names of `table`) inserted in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    columns = [[row[name] for row in rows] for name in names]
    for i, name in enumerate(names):  # column by column: most need no converting, the rest share values
        if (convert := table.c[name].type.bind_processor(dialect)) is not None:
            columns[i] = _converted(convert, columns[i])
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(['?'] * len(names))})"
    connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _converted(convert: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """`convert` of each value, converted once for a run of the same value: the rows of one save share
    their times and their author, which would otherwise be converted once per row."""
    out = []
    last: Any = _NOTHING
    done: Any = None
    for value in values:
        if value is not last:
            last, done = value, convert(value)
        out.append(done)
    return out
