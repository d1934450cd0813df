"""Changes other PCs made, as the server announces them: what the UI listens to, without touching db/.

A PostgreSQL database announces each committed change by table (db/notifications.py holds the listening
connection and its thread); `listen` hands the UI a listener for one database, and `TABLES` names the
tables whose changes views may care about. SQLite has no other PCs and announces nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from crm_desktop.db.models import Base
from crm_desktop.db.notifications import RETRY_SECONDS, ChangeListener, TableChange
from crm_desktop.services.context import ServiceContext

__all__ = ["RETRY_SECONDS", "TABLES", "TableChange", "listen"]

TABLES = frozenset(Base.metadata.tables)


def listen(
    ctx: ServiceContext,
    on_change: Callable[[TableChange], None],
    *,
    on_lost: Callable[[], None] = lambda: None,
    on_back: Callable[[], None] = lambda: None,
    retry_seconds: float = RETRY_SECONDS,
) -> ChangeListener:
    """A listener, not yet started (`start`, `stop`, `wait_listening`), on a connection of its own: it calls
    `on_change` from its own thread for each change announced, `on_lost` when the server went away and
    `on_back` once it listens again (whatever changed meanwhile was not announced)."""
    return ChangeListener(ctx.db, on_change, on_lost=on_lost, on_back=on_back, retry_seconds=retry_seconds)
