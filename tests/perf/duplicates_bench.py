"""How long finding the clients written twice takes, on bench.py's cached office:

    python tests/perf/duplicates_bench.py [--clients N]

    find_duplicates_100k_s   client_duplicates.find over every client: each read once, matched by email,
                             phone, name and similar name (services/duplicates.py), grouped

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import cached_database, say  # noqa: E402

from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.services import client_duplicates  # noqa: E402
from crm_desktop.services.context import ServiceContext  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    args = parser.parse_args(argv)
    office, _ = cached_database(args.clients)
    db = Database.open(f"sqlite:///{office}")
    try:
        started = time.perf_counter()
        groups = client_duplicates.find(ServiceContext(db))
        seconds = time.perf_counter() - started
    finally:
        db.dispose()
    say(f"{args.clients:,} clients compared: {len(groups):,} groups, in {seconds:.1f} s")
    print(
        json.dumps(
            {"clients": args.clients, "find_duplicates_100k_s": round(seconds, 1), "groups": len(groups)}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
