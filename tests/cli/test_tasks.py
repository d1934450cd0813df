"""`crm-desktop tasks add|list`: tasks with reminders from scripts, in local ISO times."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crm_desktop.db.engine import Database
from crm_desktop.services import reminders
from crm_desktop.services.context import ServiceContext


@pytest.fixture
def url(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    return sqlite_url


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone()


def test_a_task_added_from_a_script_is_listed_and_its_reminder_will_pop_up(run, url):
    code, out, err = run(
        "--database-url",
        url,
        "tasks",
        "add",
        "--title",
        "Call Aziz about the offer",
        "--due",
        "2030-03-04T09:00",
        "--remind",
        "2030-03-04 08:45",
    )
    assert (code, err) == (0, "")
    assert out == "task 1: Call Aziz about the offer, due 2030-03-04T09:00, reminder 2030-03-04T08:45\n"
    run("--database-url", url, "tasks", "add", "--title", "Visit the site", "--due", "2030-03-10T15:30")
    code, out, _ = run("--database-url", url, "tasks", "list", "--format", "json")
    listed = json.loads(out)
    assert [(t["title"], t["due"], t["remind"]) for t in listed] == [
        ("Call Aziz about the offer", "2030-03-04T09:00", "2030-03-04T08:45"),
        ("Visit the site", "2030-03-10T15:30", ""),
    ]
    db = Database.open(url)
    try:
        assert reminders.next_alert(ServiceContext(db), local("2030-03-01T00:00")) == local(
            "2030-03-04T08:45"
        )
    finally:
        db.dispose()


def test_list_due_before_and_as_a_table(run, url):
    for title, due in (("Early", "2030-01-01T10:00"), ("Late", "2030-06-01T10:00")):
        run("--database-url", url, "tasks", "add", "--title", title, "--due", due)
    code, out, _ = run("--database-url", url, "tasks", "list", "--due-before", "2030-02-01")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "ID",
        "DUE",
        "TITLE",
        "CLIENT",
        "ASSIGNEE",
        "STATUS",
        "REMINDER",
    ]
    assert len(lines) == 2 and "Early" in lines[1]
    code, out, _ = run(
        "--database-url", url, "tasks", "list", "--due-before", "2029-01-01", "--format", "csv"
    )
    assert out.strip() == "id,due,title,client,assignee,status,remind"


def test_a_time_that_is_no_time_is_a_usage_error(run, url, capsys):
    with pytest.raises(SystemExit) as stop:
        run("--database-url", url, "tasks", "add", "--title", "X", "--due", "tomorrow")
    assert stop.value.code == 2
    assert "'tomorrow' is not a time; write it like 2026-11-25T09:00" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--remind", "2030-03-04T10:00"], "reminder is after the due time"),
        (["--assignee", "nobody"], "no active user 'nobody'. Users: owner"),
        (["--client", "99"], "Client #99"),
    ],
)
def test_bad_input_is_one_line_saying_what_to_do(run, url, args, words):
    code, out, err = run(
        "--database-url", url, "tasks", "add", "--title", "X", "--due", "2030-03-04T09:00", *args
    )
    assert (code, out) == (1, "")
    assert words in err and len(err.strip().splitlines()) == 1
    assert run("--database-url", url, "tasks", "list", "--format", "json")[1].strip() == "[]"
