"""`crm-desktop jobs start|list` and `templates list`: a job started for a client from a template by name,
listed with its expected finish; the starter templates listed; CSV and JSON need the export right."""

from __future__ import annotations

import json

import pytest

from crm_desktop.db.engine import Database
from crm_desktop.services import clients, workflows
from crm_desktop.services.context import ServiceContext


@pytest.fixture
def office(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    db = Database.open(sqlite_url)
    try:
        ctx = ServiceContext(db)
        workflows.add_starters(ctx, "en")
        client = clients.create(ctx, name="Toshkent Print")
    finally:
        db.dispose()
    return sqlite_url, client.id


def test_a_job_started_from_a_script_is_listed(run, office):
    url, client_id = office
    code, out, err = run(
        "--database-url",
        url,
        "jobs",
        "start",
        "--client",
        str(client_id),
        "--template",
        "repair or service visit",
    )
    assert (code, err) == (0, "") and out.startswith("job 1: Repair or service visit, 4 stages, due ")
    code, out, _ = run("--database-url", url, "jobs", "list", "--format", "json")
    [job] = json.loads(out)
    assert (job["client"], job["status"], job["late_days"]) == ("Toshkent Print", "planned", 0)
    assert job["template"] == "Repair or service visit"
    assert "(no open jobs)" in run("--database-url", url, "jobs", "list", "--late")[1]


def test_the_templates_are_listed_and_an_unknown_one_is_said(run, office):
    url, client_id = office
    code, out, _ = run("--database-url", url, "templates", "list", "--format", "csv")
    assert code == 0 and [line.split(",")[1] for line in out.splitlines()[1:]] == [
        "Agency order",
        "Legal case",
        "Repair or service visit",
    ]
    code, _, err = run(
        "--database-url", url, "jobs", "start", "--client", str(client_id), "--template", "Audit"
    )
    assert code == 1 and "There is no workflow template named 'Audit'" in err
