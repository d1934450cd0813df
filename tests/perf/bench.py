"""Speed figures of the things a user waits for, on a SQLite office of N clients (default 100,000).

    python tests/perf/bench.py [--clients N] [--only NAME ...]

The database is made once with demo.generate and kept under tests/perf/.cache/ (git-ignored), named
after N, the seed, the schema head and a hash of demo.py, so a changed generator builds a new one.
Human-readable lines come first; the LAST line is one JSON object with the figures, for scripts:

    create_clients_per_s   N / seconds of demo.generate (timed when the cache was built; with
                           `--only create_clients_per_s` always timed again on a fresh temp database)
    search_median_ms,      clients.list_clients(search=q, limit=50) over 200+ varied queries: name parts
    search_p95_ms          in four scripts, one letter, phone digit runs, email parts, few and many hits
    open_client_ms         median of clients.get + activities.timeline for 50 clients with a timeline
    cold_start_version_ms  median wall time of 5 `python -m crm_desktop --version` processes
    peak_rss_mb            peak resident memory of this process
    (and the figures of workspace_bench.py, reminder_bench.py, invoice_bench.py and pg_bench.py, described
    there; the PostgreSQL ones need --postgres-url or CRM_TEST_POSTGRES_URL)

Speed is measured here, never asserted in tests (see DESIGN.md). Not collected by pytest: no test_ prefix.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # runnable from a checkout without installing

from sqlalchemy import select

from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import head_revision, upgrade
from crm_desktop.db.models import Activity, Client
from crm_desktop.services import activities, clients, demo
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.textnorm import digits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import invoice_bench  # noqa: E402
import pg_bench  # noqa: E402
import reminder_bench  # noqa: E402
import workspace_bench  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 1
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a fixed "now": the same office on every run
SERVICE_METRICS = (
    "create_clients_per_s",
    "search_median_ms",
    "search_p95_ms",
    "open_client_ms",
    "cold_start_version_ms",
    "peak_rss_mb",
)
METRICS = (
    SERVICE_METRICS
    + workspace_bench.METRICS
    + reminder_bench.METRICS
    + invoice_bench.METRICS
    + pg_bench.METRICS
)


def say(line: str) -> None:
    print(line, flush=True)


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def p95_ms(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20, method="inclusive")[-1] * 1000, 2)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# --- the database -------------------------------------------------------------------------------


def generate_into(path: Path, n: int) -> float:
    """A fresh file with N demo clients; returns clients per second of demo.generate alone."""
    db = Database.open(f"sqlite:///{path}")
    try:
        upgrade(db)
        seconds = timed(lambda: demo.generate(db, clients=n, seed=SEED, now=NOW))
    finally:
        db.dispose()  # the last connection closing checkpoints the WAL into the file
    say(f"generated {n:,} clients in {seconds:.1f} s ({n / seconds:,.0f} clients/s)")
    return n / seconds


def cached_database(n: int) -> tuple[Path, float]:
    """The cached office of N clients (built if missing) and the generation speed measured when built."""
    fingerprint = hashlib.sha256(Path(demo.__file__).read_bytes()).hexdigest()[:10]
    path = CACHE / f"demo-{n}-seed{SEED}-{head_revision()}-{fingerprint}.sqlite3"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        say(f"using the cached database {path.name}")
        return path, json.loads(meta.read_text())["create_clients_per_s"]
    CACHE.mkdir(exist_ok=True)
    building = path.with_name(path.name + ".building")
    for leftover in CACHE.glob(building.name + "*"):
        leftover.unlink()
    rate = generate_into(building, n)
    os.replace(building, path)  # only a complete database ever carries the final name
    meta.write_text(json.dumps({"create_clients_per_s": rate, "clients": n}))
    return path, rate


def fresh_generation_rate(n: int) -> float:
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        return generate_into(Path(tmp) / "fresh.sqlite3", n)


# --- what is measured ---------------------------------------------------------------------------


def search_queries(db: Database, rng: random.Random) -> dict[str, list[str]]:
    """Queries a person types, taken from the data itself so every kind has hits (except 'none')."""
    with db.read() as s:
        max_id = s.scalar(select(Client.id).order_by(Client.id.desc()).limit(1))
        sample = s.execute(
            select(Client.name, Client.phones, Client.emails).where(
                Client.id.in_(rng.sample(range(1, max_id + 1), min(max_id, 400)))
            )
        ).all()
    names = [name for name, _, _ in sample]
    by_script = {
        "latin": [n for n in names if n[0].isascii()],
        "cyrillic": [n for n in names if "\u0400" <= n[0] <= "\u04ff"],
        "arabic": [n for n in names if "\u0600" <= n[0] <= "\u06ff"],
        "az/uz letters": [n for n in names if any(ch in n.casefold() for ch in "əğışçöüʻ")],
    }
    phones = [digits(p) for _, ps, _ in sample for p in ps]
    emails = [e for _, _, es in sample for e in es]
    queries: dict[str, list[str]] = {}
    for script, pool in by_script.items():
        picks = rng.sample(pool, min(len(pool), 15))
        queries[f"name part ({script})"] = [
            w[: rng.randint(min(3, len(w)), len(w))] for n in picks for w in n.split()[:1]
        ]
        queries[f"full name ({script})"] = picks[:6]
    queries["two word beginnings"] = [" ".join(w[:3] for w in n.split()[:2]) for n in rng.sample(names, 15)]
    queries["one letter"] = [n[0] for n in rng.sample(names, 12)]
    queries["phone 4 digits (many hits)"] = [p[-4:] for p in rng.sample(phones, 20)]
    queries["phone 5-6 digits"] = [p[-rng.randint(5, 6) :] for p in rng.sample(phones, 20)]
    queries["phone 7 digits, typed with spaces"] = [
        f"{p[-7:-4]} {p[-4:-2]} {p[-2:]}" for p in rng.sample(phones, 20)
    ]
    queries["phone, all digits"] = rng.sample(phones, 10)
    queries["email local part"] = [e.split("@")[0] for e in rng.sample(emails, 20)]
    queries["whole email"] = rng.sample(emails, 10)
    queries["email domain (many hits)"] = ["gmail", "mail.ru", "yandex", "outlook", "inbox.uz"]
    queries["no hits"] = ["zzyzx", "qwertyuiop", "Щщщщ", "9999999999999", "nobody@nowhere.example"]
    return queries


def bench_search(ctx: ServiceContext, rng: random.Random) -> dict[str, float]:
    queries = search_queries(ctx.db, rng)
    flat = [(kind, q) for kind, qs in queries.items() for q in qs]
    rng.shuffle(flat)  # kinds interleaved, as typed through a day; no query repeats
    for q in ("a", "karim", "1234", "gmail"):  # warm-up: statement compiling is not a user's wait
        clients.list_clients(ctx, ClientFilter(search=q), limit=50)
    samples: dict[str, list[float]] = {kind: [] for kind in queries}
    hits: dict[str, list[int]] = {kind: [] for kind in queries}
    for kind, q in flat:
        started = time.perf_counter()
        found = clients.list_clients(ctx, ClientFilter(search=q), limit=50)
        samples[kind].append(time.perf_counter() - started)
        hits[kind].append(len(found))
    everything = [t for ts in samples.values() for t in ts]
    for kind, ts in samples.items():
        say(
            f"  search {kind:<36} median {median_ms(ts):7.2f} ms  max {max(ts) * 1000:7.2f} ms  "
            f"hits (of 50) median {statistics.median(hits[kind]):g}"
        )
    say(f"search: {len(everything)} queries, median {median_ms(everything)} ms, p95 {p95_ms(everything)} ms")
    return {"search_median_ms": median_ms(everything), "search_p95_ms": p95_ms(everything)}


def bench_open_client(ctx: ServiceContext, rng: random.Random) -> dict[str, float]:
    with ctx.read() as s:
        with_timeline = list(s.scalars(select(Activity.client_id).distinct().order_by(Activity.client_id)))
    picked = rng.sample(with_timeline, min(50, len(with_timeline)))

    def open_client(client_id: int) -> None:
        clients.get(ctx, client_id)
        activities.timeline(ctx, client_id)

    open_client(picked[0])  # warm-up
    samples = [timed(lambda c=c: open_client(c)) for c in picked]
    say(f"open a client (details + timeline): median {median_ms(samples)} ms over {len(samples)} clients")
    return {"open_client_ms": median_ms(samples)}


def bench_cold_start() -> dict[str, float]:
    env = dict(
        os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", QT_QPA_PLATFORM="offscreen"
    )
    command = [sys.executable, "-m", "crm_desktop", "--version"]
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        samples.append(time.perf_counter() - started)
    say(f"cold start of `crm-desktop --version`: median {median_ms(samples)} ms")
    return {"cold_start_version_ms": median_ms(samples)}


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


# --- driver -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000, metavar="N")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=METRICS,
        metavar="NAME",
        help=f"measure only these ({', '.join(METRICS)})",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CRM_TEST_POSTGRES_URL"),
        metavar="URL",
        help="a PostgreSQL server to measure shared mode on (default: $CRM_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args(argv)
    wanted = set(args.only or METRICS)
    rng = random.Random(SEED)
    figures: dict[str, float] = {}

    fresh_rate = args.only is not None and "create_clients_per_s" in wanted  # asked for by name: time it now
    if fresh_rate:
        figures["create_clients_per_s"] = round(fresh_generation_rate(args.clients))
    if wanted & (
        {
            "create_clients_per_s",
            "search_median_ms",
            "search_p95_ms",
            "open_client_ms",
            *workspace_bench.METRICS,
        }
        - {"create_clients_per_s" if fresh_rate else ""}
    ):
        path, rate = cached_database(args.clients)
        if "create_clients_per_s" in wanted and not fresh_rate:
            figures["create_clients_per_s"] = round(rate)
        db = Database.open(f"sqlite:///{path}")
        ctx = ServiceContext(db)
        try:
            if wanted & {"search_median_ms", "search_p95_ms"}:
                figures.update({k: v for k, v in bench_search(ctx, rng).items() if k in wanted})
            if "open_client_ms" in wanted:
                figures.update(bench_open_client(ctx, rng))
        finally:
            db.dispose()
        if wanted & set(workspace_bench.METRICS):
            figures.update(workspace_bench.bench_workspace(path, rng, wanted, say))
    if wanted & set(reminder_bench.METRICS):
        figures.update(reminder_bench.bench_reminders(rng, wanted, say))
    if wanted & set(invoice_bench.METRICS):
        figures.update(invoice_bench.bench_invoices(wanted, say))
    if wanted & set(pg_bench.METRICS):
        if args.postgres_url:
            figures.update(
                pg_bench.bench_postgres(args.postgres_url, args.clients, rng, wanted, say, search_queries)
            )
        else:
            say(
                "no PostgreSQL server given (--postgres-url or CRM_TEST_POSTGRES_URL): "
                "its figures are left out"
            )
    if "cold_start_version_ms" in wanted:
        figures.update(bench_cold_start())
    if "peak_rss_mb" in wanted:
        figures["peak_rss_mb"] = peak_rss_mb()
        say(f"peak memory of the benchmark process: {figures['peak_rss_mb']} MB")
    print(json.dumps({"clients": args.clients, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
