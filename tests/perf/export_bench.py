"""How long exporting 100,000 clients takes, on bench.py's cached office:

    python tests/perf/export_bench.py [--clients N]

    export_clients_xlsx_100k_s   exports.clients_file into an XLSX workbook: the ids found, the clients read a
                                 page at a time, every field written (xlsxwriter, streamed), renamed in place
    export_clients_csv_100k_s    the same into a CSV file
    export_clients_vcf_100k_s    the same as vCard contacts

The last line is one JSON object with the figures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import cached_database, say  # noqa: E402

from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.services import exports  # noqa: E402
from crm_desktop.services.context import ServiceContext  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    args = parser.parse_args(argv)
    office, _ = cached_database(args.clients)
    db = Database.open(f"sqlite:///{office}")
    figures: dict[str, float | int] = {"clients": args.clients}
    try:
        ctx = ServiceContext(db)
        with tempfile.TemporaryDirectory(prefix="crm-export-bench-") as tmp:
            for kind in ("xlsx", "csv", "vcf"):
                started = time.perf_counter()
                n = exports.clients_file(ctx, Path(tmp) / f"clients.{kind}")
                seconds = time.perf_counter() - started
                say(f"{n:,} clients to .{kind}: {seconds:.1f} s")
                figures[f"export_clients_{kind}_100k_s"] = round(seconds, 1)
    finally:
        db.dispose()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
