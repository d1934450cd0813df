"""Figures of shared mode on PostgreSQL, measured as a staff member's own login (row-level security on):

    pg_search_p95_ms            p95 of clients.list_clients(search=q, limit=50) over bench.py's 200+
    pg_search_median_ms         typed queries (names in four scripts, phone digits, emails, no hits)
    pg_clients_first_page_ms    median of clients.first_page with no filter (the count and the first 50
                                rows, as the Clients view opens), 30 times
    pg_owner_search_p95_ms      the same search as the database's owner, whom no policy filters: what
                                row-level security costs is the difference

The office (N demo clients) is generated into a schema of its own on the server of
CRM_TEST_POSTGRES_URL (or --postgres-url), which is dropped afterwards. Used by bench.py.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

METRICS = ("pg_search_p95_ms", "pg_search_median_ms", "pg_clients_first_page_ms", "pg_owner_search_p95_ms")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _search(ctx, queries: list[str]) -> list[float]:
    from crm_desktop.services import clients
    from crm_desktop.services.clients import ClientFilter

    for q in ("a", "karim", "1234", "gmail"):  # warm-up: plans and caches are not a user's wait
        clients.list_clients(ctx, ClientFilter(search=q), limit=50)
    samples = []
    for q in queries:
        started = time.perf_counter()
        clients.list_clients(ctx, ClientFilter(search=q), limit=50)
        samples.append(time.perf_counter() - started)
    return samples


def bench_postgres(
    server_url: str, n: int, rng, wanted: set[str], say: Callable[[str], None], search_queries: Callable
) -> dict[str, float]:
    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade
    from crm_desktop.services import clients, demo, users
    from crm_desktop.services.clients import ClientFilter
    from crm_desktop.services.context import ServiceContext

    server = make_url(server_url).set(drivername="postgresql+psycopg")
    schema, login, password = (
        f"bench_{uuid.uuid4().hex[:8]}",
        f"bench_staff_{uuid.uuid4().hex[:6]}",
        "bench-pass-1",
    )
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = server.update_query_dict({"options": f"-csearch_path={schema},public"})
    owner_db = Database.open(url)
    staff_db = None
    figures: dict[str, float] = {}
    try:
        upgrade(owner_db)
        started = time.perf_counter()
        demo.generate(owner_db, clients=n, seed=1, now=NOW)
        say(f"postgresql: generated {n:,} clients in {time.perf_counter() - started:.1f} s")
        # As autovacuum leaves a server soon after a load: statistics gathered, and the trigram index's
        # pending list merged (each search would otherwise read the rows just written through it).
        with owner_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        owner = ServiceContext(owner_db)
        users.create(owner, username=login, display_name="Bench Staff", role="staff", password=password)
        staff_db = Database.open(url.set(username=login, password=password))
        staff = ServiceContext(staff_db, actor=users.sign_in(staff_db))
        flat = [q for qs in search_queries(owner_db, rng).values() for q in qs]
        rng.shuffle(flat)
        samples = _search(staff, flat)
        figures["pg_search_median_ms"] = _ms(statistics.median(samples))
        figures["pg_search_p95_ms"] = _ms(statistics.quantiles(samples, n=20, method="inclusive")[-1])
        say(
            f"postgresql search as a staff login: {len(samples)} queries, "
            f"median {figures['pg_search_median_ms']} ms, p95 {figures['pg_search_p95_ms']} ms, "
            f"slowest {_ms(max(samples))} ms"
        )
        if "pg_owner_search_p95_ms" in wanted:
            owner_samples = _search(owner, flat)
            figures["pg_owner_search_p95_ms"] = _ms(
                statistics.quantiles(owner_samples, n=20, method="inclusive")[-1]
            )
            say(f"postgresql search as the owner: p95 {figures['pg_owner_search_p95_ms']} ms")
        clients.first_page(staff, ClientFilter(), limit=50)  # warm-up
        pages = []
        for _ in range(30):
            started = time.perf_counter()
            total, rows = clients.first_page(staff, ClientFilter(), limit=50)
            pages.append(time.perf_counter() - started)
        figures["pg_clients_first_page_ms"] = _ms(statistics.median(pages))
        say(
            f"postgresql first page of the clients list as a staff login "
            f"({total:,} visible, {len(rows)} rows): median {figures['pg_clients_first_page_ms']} ms"
        )
    finally:
        if staff_db is not None:
            staff_db.dispose()
        owner_db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()
    return {k: v for k, v in figures.items() if k in wanted}
