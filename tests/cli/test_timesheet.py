"""`crm-desktop time add|report`: time entered from a script on a job's stage, in the ways people write
durations, refused in words when it is no duration; listed per person with its total, as JSON too."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from crm_desktop.db.engine import Database
from crm_desktop.services import clients, company, jobs, users, workflows
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.workflows import StageSpec


def _office(sqlite_url) -> tuple[int, int]:
    db = Database.open(sqlite_url)
    try:
        ctx = ServiceContext(db)
        company.update(ctx, expected_version=company.get(ctx).version, name="Office")
        users.create(ctx, username="dilnoza", display_name="Dilnoza")
        template = workflows.create(ctx, "Visit", [StageSpec("Repair", work_hours=Decimal(2))])
        client = clients.create(ctx, name="Kamola Rahimova")
        job = jobs.start(ctx, client.id, template.id, starts=datetime(2026, 3, 2, 9).astimezone())
        return job.id, job.stages[0].id
    finally:
        db.dispose()


def test_time_is_added_and_reported_with_its_total(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    job_id, stage_id = _office(sqlite_url)
    entry = ["--day", "2026-03-02", "--hours", "1:30", "--stage", str(stage_id), "--note", "Valve"]
    code, out, err = run("--database-url", sqlite_url, "time", "add", *entry, "--user", "dilnoza")
    assert (code, err) == (0, "") and "1.50 h on 2026-03-02 (Dilnoza)" in out
    assert run("--database-url", sqlite_url, "time", "add", "--day", "2026-03-03", "--hours", "45m",
               "--job", str(job_id), "--not-billable")[0] == 0  # fmt: skip
    code, out, err = run("--database-url", sqlite_url, "time", "add", "--hours", "soon")
    assert code == 1 and "1:30, 1.5 or 90m" in err and len(err.strip().splitlines()) == 1

    code, out, _ = run("--database-url", sqlite_url, "time", "report", "--job", str(job_id))
    assert code == 0 and "Repair" in out and "Total: 2.25 h" in out
    code, out, _ = run(
        "--database-url", sqlite_url, "time", "report", "--user", "dilnoza", "--format", "json"
    )
    records = json.loads(out)
    assert [(r["person"], r["on"], r["minutes"], r["billed"]) for r in records] == [
        ("Dilnoza", "Repair", 90, "billable")
    ]
