"""`crm-desktop workload`: per person and working day the planned hours and the capacity, as JSON for
scripts and as a table; a manager's team by name; CSV and JSON need the export right."""

from __future__ import annotations

import json
from datetime import datetime, time

import pytest

from crm_desktop.db.engine import Database
from crm_desktop.services import company, tasks, users
from crm_desktop.services.context import ServiceContext


def test_the_workload_of_a_week_as_json_and_as_a_table(run, sqlite_url, capsys):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    db = Database.open(sqlite_url)
    try:
        ctx = ServiceContext(db)
        company.update(ctx, expected_version=company.get(ctx).version, name="Office")
        olga = users.create(ctx, username="olga", display_name="Olga", role="manager")
        dilnoza = users.create(ctx, username="dilnoza", display_name="Dilnoza", manager_id=olga.id)
        monday = datetime(2026, 3, 2).date()
        due = datetime.combine(monday, time(10)).replace(tzinfo=ctx.zone())
        tasks.create(ctx, title="Measure the flat", assignee_id=dilnoza.id, due_at=due, duration_minutes=90)
    finally:
        db.dispose()
    code, out, err = run("--database-url", sqlite_url, "workload", "--from", "2026-03-02", "--days", "5",
                         "--team", "olga", "--format", "json")  # fmt: skip
    assert (code, err) == (0, "")
    records = json.loads(out)
    mine = [r for r in records if r["person"] == "Dilnoza"]
    assert [r["day"] for r in mine] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]
    assert (mine[0]["planned_hours"], mine[0]["capacity_hours"], mine[0]["load"]) == ("1.5", "9", "free")
    assert {r["person"] for r in records} == {"Dilnoza", "Olga"}  # her manager's team: the two of them
    code, out, _ = run("--database-url", sqlite_url, "workload", "--from", "2026-03-02", "--days", "1")
    assert code == 0 and "Dilnoza" in out and "1.5" in out
    with pytest.raises(SystemExit) as stop:
        run("--database-url", sqlite_url, "workload", "--from", "2 March")
    assert (
        stop.value.code == 2 and "'2 March' is not a day; write it like 2026-11-25" in capsys.readouterr().err
    )


def test_a_team_nobody_leads_is_said_so(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    code, out, err = run("--database-url", sqlite_url, "workload", "--team", "Nobody")
    assert code != 0 and out == "" and "There is no user 'Nobody'." in err
