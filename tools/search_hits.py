"""How many clients typed queries find on a demo office: `python tools/search_hits.py [--clients N]`
(a developer script: the app never imports it).

Made to see what a change to the search folding (crm_desktop/services/textnorm.py) does to results:
run it before and after and compare. Names in Latin and Cyrillic from demo.py's lists, the cross-script
spellings people type, pairs that must stay apart and short fragments that must not flood. The office
is generated into a temp SQLite file from a fixed seed, so two runs differ only by the code.
Human-readable lines come first; the LAST line is one JSON object, as tests/perf/ scripts print.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing

from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.db.migrate import upgrade  # noqa: E402
from crm_desktop.services import clients, demo  # noqa: E402
from crm_desktop.services.clients import ClientFilter  # noqa: E402
from crm_desktop.services.context import ServiceContext  # noqa: E402

SEED = 1
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
QUERIES = {
    # a demo name as stored, and how else people type it
    "uz, typed in Latin and Cyrillic": [
        "Bekzod",
        "Бекзод",
        "Karimov",
        "Каримов",
        "Rahimov",
        "Рахимов",
        "Toʻxtayev",
        "Тўхтаев",
        "Тухтаев",
        "Gʻofurov",
        "G`ofurov",
        "Ғофуров",
        "Qodirov",
        "Кодиров",
        "Shoxruh",
        "Шохрух",
        "Jasur",
        "Жасур",
        "Zhasur",
    ],
    "az": ["Əliyev", "Aliyev", "Алиев", "Eliyev", "Rəşad", "Рашад", "Resad", "Şükürov", "Шукуров", "Orxan"],
    "ru, typed in Latin": ["Петров", "Petrov", "Ольга", "Olga", "Сергей", "Sergei", "Ёлкин", "Elkin"],
    "ar, typed in Latin and Cyrillic": ["Ahmed", "Ahmad", "Ахмед", "Mohammed"],
    "must stay apart": ["Kerimov", "Sara", "Zara", "Alena"],
    "short fragments": ["al", "ал", "sh", "kh", "ye", "ka", "ja"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000, metavar="N")
    args = parser.parse_args(argv)
    hits: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="crm-search-hits-") as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        try:
            upgrade(db)
            started = time.perf_counter()
            demo.generate(db, clients=args.clients, seed=SEED, now=NOW)
            print(f"generated {args.clients:,} clients in {time.perf_counter() - started:.1f} s", flush=True)
            ctx = ServiceContext(db)
            for kind, queries in QUERIES.items():
                print(f"{kind}:")
                for q in queries:
                    hits[q] = clients.count(ctx, ClientFilter(search=q))
                    print(f"  {q:<12} {hits[q]:>7,}")
        finally:
            db.dispose()
    print(json.dumps({"clients": args.clients, "seed": SEED, "hits": hits}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
