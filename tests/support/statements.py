"""The SQL a piece of the app runs, as sent (statement and parameters), split into reads and writes, by
listening on the engine.

Writes are the statements of write sessions (`Database.write()` binds them with the `crm_write`
execution option, the one that makes SQLite begin with BEGIN IMMEDIATE); everything else is a read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Statement:
    sql: str  # as sent to the driver
    parameters: Any
    write: bool
    thread: int


@dataclass
class StatementLog:
    engine: Engine
    statements: list[Statement] = field(default_factory=list)

    def __enter__(self) -> StatementLog:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, _cursor, statement, parameters, _context, _executemany) -> None:
        write = bool(conn.get_execution_options().get("crm_write"))
        self.statements.append(Statement(statement, parameters, write, threading.get_ident()))

    @property
    def sent(self) -> list[str]:
        return [s.sql for s in self.statements]

    def pages(self) -> list[Statement]:
        """The statements that read a page of rows (they have a LIMIT)."""
        return [s for s in self.statements if "LIMIT" in s.sql]

    @property
    def reads(self) -> list[str]:
        return [s.sql for s in self.statements if not s.write]

    @property
    def writes(self) -> list[str]:
        return [s.sql for s in self.statements if s.write]

    def clear(self) -> None:
        self.statements.clear()


def skips_rows(statement: Statement) -> bool:
    """Whether a query counts past rows with an OFFSET (SQLite writes "OFFSET 0" after every LIMIT)."""
    if "OFFSET" not in statement.sql:
        return False
    return not (statement.sql.rstrip().endswith("OFFSET ?") and statement.parameters[-1] == 0)
