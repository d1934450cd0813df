"""How long a proven backup and a restore of a big office take on SQLite:

    python tests/perf/backup_bench.py [--clients N]      (default 1,000,000)

    backup_1m_clients_s    db/backup.copy_verified of the cached demo office of N clients (bench.py's cache):
                           SQLite's backup of one snapshot, integrity_check and every table's rows counted
                           in the copy and the source, fsync and rename — the whole `crm-desktop backup`
    restore_1m_clients_s   db/backup.restore_into of that backup over a copy of the office, proven alike

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import cached_database, say  # noqa: E402

from crm_desktop.db.backup import copy_verified, restore_into  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    office, _ = cached_database(args.clients)
    size = office.stat().st_size / 1e6
    with tempfile.TemporaryDirectory(prefix="crm-backup-bench-", dir=office.parent) as tmp:
        started = time.perf_counter()
        copy = copy_verified(office, Path(tmp) / "backup.sqlite3")
        backup_s = time.perf_counter() - started
        rows = sum(copy.rows.values())
        say(f"backup of {args.clients:,} clients ({size:,.0f} MB, {rows:,} rows): {backup_s:.1f} s")
        target = Path(tmp) / "office.sqlite3"
        shutil.copyfile(office, target)
        started = time.perf_counter()
        restore_into(copy.path, target)
        restore_s = time.perf_counter() - started
        say(f"restore over a copy of the office: {restore_s:.1f} s")
    print(
        json.dumps(
            {
                "clients": args.clients,
                "backup_1m_clients_s": round(backup_s, 1),
                "restore_1m_clients_s": round(restore_s, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
