"""Eight PCs issue 1,000 invoices at once on PostgreSQL, some issues failing after they took a number:
the numbers given are exactly 1..N, each once.

Spans services/numbering.py, services/documents.py and migrations/ (the server's numbering)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from crm_desktop.db.engine import Database
from crm_desktop.db.models import Document, DocumentLine
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext

PROCESSES = 8
INVOICES = 1000
FAIL_EVERY = 7  # every 7th issue of each process fails after its number was taken
WORKER = Path(__file__).with_name("issue_worker.py")


@pytest.fixture
def drafts(postgres_url) -> list[int]:
    from crm_desktop.db.migrate import upgrade

    db = Database.open(postgres_url)
    upgrade(db)
    ctx = ServiceContext(db)
    client = clients.create(ctx, name="Samarqand Travel", kind="company")
    with ctx.write() as s:
        made = [
            Document(
                kind="invoice",
                status="draft",
                client_id=client.id,
                currency="USD",
                issue_date=date(2026, 11, 24),
                due_date=date(2026, 12, 8),
                subtotal=Decimal(100),
                tax_total=Decimal(0),
                total=Decimal(100),
                paid_total=Decimal(0),
                cancel_reason="",
                lines=[
                    DocumentLine(
                        position=0,
                        description="Work",
                        quantity=Decimal(1),
                        unit="",
                        unit_price=Decimal(100),
                        discount_percent=Decimal(0),
                        tax_rate=Decimal(0),
                    )
                ],
            )
            for _ in range(INVOICES)
        ]
        s.add_all(made)
        s.flush()
        ids = [d.id for d in made]
    db.dispose()
    return ids


def test_numbers_stay_unique_and_gap_free_when_eight_pcs_issue_at_once(postgres_url, drafts):
    pcs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                postgres_url,
                str(FAIL_EVERY),
                ",".join(map(str, drafts[i::PROCESSES])),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    outcomes = []
    for pc in pcs:
        out, _ = pc.communicate(timeout=300)
        assert pc.returncode == 0
        outcomes.append((json.loads(out)["issued"], json.loads(out)["failed"]))
    issued = [n for numbers, _ in outcomes for n in numbers]
    failed = [i for _, ids in outcomes for i in ids]
    assert failed, "the test must make some issues fail after taking a number"
    assert len(issued) + len(failed) == INVOICES
    seqs = sorted(int(re.fullmatch(r"INV-2026-(\d{5})", n).group(1)) for n in issued)
    assert seqs == list(range(1, len(issued) + 1))  # unique and without a hole
    db = Database.open(postgres_url)
    try:
        with db.read() as s:
            stored = s.execute(select(Document.status, Document.number).where(Document.id.in_(failed))).all()
            assert {status for status, _ in stored} == {"draft"} and {n for _, n in stored} == {None}
    finally:
        db.dispose()
