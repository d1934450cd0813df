"""A CRM database damaged the way a bad sector or a broken copy damages one, for tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def damage_the_clients_table(path: Path) -> None:
    """Overwrite the b-tree header of the clients table's first page."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'clients'").fetchone()[0]
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 12)
