"""The command line: what a script or an administrator sees. Spans cli/__init__.py (dispatch, errors in
one line), cli/db.py (upgrade, current, demo data) and cli/clients.py."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from crm_desktop import __version__
from crm_desktop.cli import main
from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import head_revision
from crm_desktop.db.models import Client
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext


@pytest.fixture
def demo_url(run, sqlite_url):
    code, out, err = run("--database-url", sqlite_url, "demo-data", "--clients", "400", "--seed", "7")
    assert code == 0, err
    assert out.startswith("400 clients")
    return sqlite_url


def test_db_upgrade_creates_the_schema_once_and_current_reports_it(run, db_url):
    code, _, err = run("--database-url", db_url, "db", "current")
    if db_url.startswith("sqlite"):  # no file yet: said, not made
        assert code == 1 and "There is no database at" in err and "db upgrade" in err
    else:
        assert (code, err) == (0, "")
    assert run("--database-url", db_url, "db", "upgrade") == (0, f"{head_revision()}\n", "")
    assert run("--database-url", db_url, "db", "upgrade") == (0, f"{head_revision()}\n", "")
    assert run("--database-url", db_url, "db", "current") == (0, f"{head_revision()}\n", "")


def test_default_database_is_the_file_in_the_data_dir(run, tmp_path):
    assert run("db", "upgrade")[0] == 0
    assert (tmp_path / "home" / "data" / "crm.sqlite3").is_file()


def test_upgrading_a_file_that_holds_other_tables_keeps_a_backup_and_says_where(run, tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE scratch (note TEXT)")
        conn.execute("INSERT INTO scratch VALUES ('keep me')")
    code, out, err = run("--database-url", f"sqlite:///{path}", "db", "upgrade")
    assert (code, out) == (0, f"{head_revision()}\n")  # stdout stays the revision alone, for scripts
    backup = Path(err.rsplit(": ", 1)[1].strip())
    assert backup.is_file() and backup != path
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT note FROM scratch").fetchall() == [("keep me",)]


@pytest.fixture
def window(monkeypatch):
    """Stands in for the Qt window (crm_desktop.app): records how it was opened and what it would show."""
    opened = []

    def run_gui(url, paths, *, demo=False, **_options):
        clients = None
        if demo:
            db = Database.open(url)
            with db.read() as s:
                clients = s.scalar(select(func.count()).select_from(Client))
            db.dispose()
        opened.append(types.SimpleNamespace(url=url, paths=paths, demo=demo, clients=clients))
        return 0

    monkeypatch.setitem(sys.modules, "crm_desktop.app", types.SimpleNamespace(run_gui=run_gui))
    return opened


def test_window_opens_on_the_option_then_the_environment_then_the_default_file(
    run, window, monkeypatch, tmp_path
):
    assert run()[0] == 0
    assert window[-1].url == f"sqlite:///{tmp_path / 'home' / 'data' / 'crm.sqlite3'}"
    monkeypatch.setenv("CRM_DESKTOP_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    assert run()[0] == 0
    assert window[-1].url == f"sqlite:///{tmp_path / 'env.sqlite3'}"
    assert run("--database-url", f"sqlite:///{tmp_path / 'option.sqlite3'}")[0] == 0
    assert window[-1].url == f"sqlite:///{tmp_path / 'option.sqlite3'}"
    assert not window[-1].demo and window[-1].paths.data_dir == tmp_path / "home" / "data"


def test_demo_opens_the_window_on_a_throwaway_office(run, window, tmp_path):
    assert run("--demo")[0] == 0
    (shown,) = window
    assert shown.demo and shown.clients == 500
    demo_file = Path(shown.url.removeprefix("sqlite:///"))
    assert tmp_path / "home" not in demo_file.parents  # the user's own database is never touched
    assert not demo_file.exists()  # thrown away when the window closed
    assert shown.paths.log_dir == tmp_path / "home" / "logs"  # a crash in the demo is still logged


def test_demo_takes_no_command(run, window, capsys):
    with pytest.raises(SystemExit) as stop:
        run("--demo", "db", "upgrade")
    assert stop.value.code == 2 and "--demo" in capsys.readouterr().err and not window


def test_newer_schema_is_refused_in_one_line(run, sqlite_url):
    run("--database-url", sqlite_url, "db", "upgrade")
    db = Database.open(sqlite_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    db.dispose()
    code, out, err = run("--database-url", sqlite_url, "clients", "list")
    assert code == 1 and out == ""
    assert (
        err.count("\n") == 1
        and "newer version of CRM Desktop" in err
        and err.startswith("crm-desktop: error:")
    )


@pytest.mark.parametrize(
    "setup, url, words",
    [
        ("textfile", None, "is not a CRM Desktop database"),
        (None, "postgresql://crm@127.0.0.1:1/office", "Cannot reach the database server"),
        (None, "mysql://office/crm", "Unsupported database"),
    ],
)
def test_bad_databases_get_one_line_and_exit_1(run, tmp_path, setup, url, words):
    if setup == "textfile":
        path = tmp_path / "clients.csv"
        path.write_text("name,phone\n" * 200)
        url = f"sqlite:///{path}"
    code, out, err = run("--database-url", url, "clients", "list")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--colour"], "unrecognized arguments: --colour"),
        (["demo-data", "--clients", "many"], "'many' is not a whole number"),
        (["clients", "list", "--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_bad_options_get_one_line_and_exit_2(run, capsys, args, words):
    with pytest.raises(SystemExit) as stop:
        run(*args)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.count("\n") == 1 and words in err and "--help" in err


def test_demo_data_refuses_a_database_with_clients(run, demo_url):
    code, _, err = run("--database-url", demo_url, "demo-data", "--clients", "5")
    assert code == 1 and "already has clients" in err


@pytest.mark.parametrize("query", ["ogiloy", "Oʻgʻiloy", "ёлкин", "محمد", "aliyev"])
def test_clients_found_by_part_of_a_name_in_any_script(run, demo_url, query):
    code, out, _ = run("--database-url", demo_url, "clients", "list", "--search", query, "--format", "json")
    found = json.loads(out)
    assert code == 0 and found
    from crm_desktop.services.textnorm import spellings

    typed = {spelled[0] for spelled in spellings(query)}  # "aliyev" also finds "Əliyev" (docs/search.md)
    assert all(
        any(w.startswith(t) for t in typed for spelled in spellings(c["name"]) for w in spelled)
        or any(
            t in " ".join(w for spelled in spellings(e) for w in spelled) for t in typed for e in c["emails"]
        )
        for c in found
    )


def test_clients_found_by_phone_digits_typed_without_formatting(run, demo_url):
    _, out, _ = run("--database-url", demo_url, "clients", "list", "--format", "json", "--limit", "1")
    phone = json.loads(out)[0]["phones"][0]  # e.g. "+998 90 123-45-67"
    digits = "".join(ch for ch in phone if ch.isdigit())[-7:]
    _, out, _ = run("--database-url", demo_url, "clients", "list", "--search", digits, "--format", "json")
    assert phone in [p for c in json.loads(out) for p in c["phones"]]


def test_clients_found_by_email_and_printed_as_csv_and_table(run, demo_url):
    _, out, _ = run("--database-url", demo_url, "clients", "list", "--format", "json", "--limit", "3")
    email = next(e for c in json.loads(out) for e in c["emails"])
    code, out, _ = run("--database-url", demo_url, "clients", "list", "--search", email, "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "id,name,kind,status,phones,emails,owner,source"
    assert any(email in line for line in lines[1:])
    code, out, _ = run("--database-url", demo_url, "clients", "list", "--search", email)
    assert out.splitlines()[0].split() == ["ID", "NAME", "STATUS", "PHONES", "EMAILS", "OWNER"]
    assert email in out


def test_a_listing_for_a_file_is_an_export_in_the_audit_log_and_a_table_is_not(run, sqlite_url):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    db = Database.open(sqlite_url)
    try:
        clients.create(ServiceContext(db), name="=1+2", phones=["+998 90 123 45 67"])
    finally:
        db.dispose()
    run("--database-url", sqlite_url, "clients", "list")
    code, out, _ = run("--database-url", sqlite_url, "clients", "list", "--format", "csv", "--search", "1")
    assert code == 0 and ",'=1+2,person,lead,'+998 90 123 45 67," in out  # a spreadsheet runs no formula
    run("--database-url", sqlite_url, "clients", "list", "--format", "json")
    db = Database.open(sqlite_url)
    try:
        with db.engine.connect() as conn:
            exported = conn.execute(
                text(
                    "SELECT changes FROM audit_log WHERE entity = 'clients' AND action = 'export' ORDER BY id"
                )
            ).scalars()
            asked = [json.loads(c) if isinstance(c, str) else c for c in exported]
    finally:
        db.dispose()
    assert [(a["format"], a["rows"], a["search"]) for a in asked] == [("csv", 1, "1"), ("json", 1, "")]


def test_json_is_one_array_with_the_documented_fields(run, demo_url):
    code, out, _ = run("--database-url", demo_url, "clients", "list", "--limit", "7", "--format", "json")
    data = json.loads(out)
    assert code == 0 and isinstance(data, list) and len(data) == 7
    assert {"id", "name", "phones", "emails", "status", "owner", "kind", "source", "tags"} <= set(data[0])


def test_clients_list_on_postgresql(run, postgres_url):
    assert run("--database-url", postgres_url, "demo-data", "--clients", "200")[0] == 0
    code, out, _ = run(
        "--database-url", postgres_url, "clients", "list", "--limit", "200", "--format", "json"
    )
    assert code == 0 and len(json.loads(out)) == 200


def _isolated_env(tmp_path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "d"),
            "XDG_CONFIG_HOME": str(tmp_path / "c"),
            "XDG_STATE_HOME": str(tmp_path / "s"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "QT_QPA_PLATFORM": "offscreen",
        }
    )
    return env


def test_version_as_a_process(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "crm_desktop", "--version"],
        check=False,
        capture_output=True,
        text=True,
        env=_isolated_env(tmp_path),
    )
    assert (run.returncode, run.stdout.strip()) == (0, f"crm-desktop {__version__}")


def test_a_failure_as_a_process_prints_no_traceback(tmp_path):
    (tmp_path / "x.sqlite3").write_bytes(b"\x00garbage" * 1000)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_desktop",
            "--database-url",
            f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "db",
            "upgrade",
        ],
        check=False,
        capture_output=True,
        text=True,
        env=_isolated_env(tmp_path),
    )
    assert run.returncode == 1
    assert run.stderr.startswith("crm-desktop: error:") and "Traceback" not in run.stderr


def test_an_unexpected_error_is_logged_not_dumped(run, tmp_path, monkeypatch, sqlite_url):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("crm_desktop.services.clients.list_ids", broken)
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    code, _, err = run("--database-url", sqlite_url, "clients", "list")
    assert code == 1 and "unexpected RuntimeError: disk on fire" in err and "Traceback" not in err
    log = (tmp_path / "home" / "logs" / "crm-desktop.log").read_text()
    assert "Traceback" in log and "disk on fire" in log


def test_a_plain_path_is_a_sqlite_file_and_a_missing_one_is_said_not_made(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run("--database-url", "./office/crm.sqlite3", "clients", "list")
    assert code == 1 and f"There is no database at {tmp_path / 'office' / 'crm.sqlite3'}" in err
    assert "db upgrade" in err and not (tmp_path / "office").exists()  # nothing made, not even the folder
    assert run("--database-url", "./office/crm.sqlite3", "db", "upgrade")[0] == 0
    code, out, err = run("clients", "list", "--database-url", "office/crm.sqlite3")  # after the command too
    assert (code, err) == (0, "") and "no clients found" in out


def test_a_misspelt_option_is_named_with_the_one_meant(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["clients", "list", "--serch", "karimov"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "unrecognized arguments: --serch karimov; did you mean --search?" in err


def test_every_command_and_option_says_what_it_is_for():
    import argparse

    from crm_desktop.cli import _parser

    silent = []

    def walk(parser, path):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                silent.extend(f"{path} {c.dest}" for c in action._choices_actions if not c.help)
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif not action.help:
                silent.append(f"{path} {action.option_strings or action.dest}")

    walk(_parser(), "crm-desktop")
    assert silent == []


def test_clients_written_twice_are_listed_as_groups(run, tmp_path):
    import json

    from crm_desktop.db.engine import Database
    from crm_desktop.services import clients
    from crm_desktop.services.context import ServiceContext

    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    assert run("--database-url", url, "db", "upgrade")[0] == 0
    db = Database.open(url)
    try:
        ctx = ServiceContext(db)
        clients.create(ctx, name="Aliyev Vali", phones=["+998 90 123 45 67"])
        clients.create(ctx, name="VALI ALIYEV", phones=["+998901234567"])
        clients.create(ctx, name="Somebody Else")
    finally:
        db.dispose()
    code, out, _ = run("--database-url", url, "clients", "duplicates")
    assert code == 0 and "same phone" in out and "Somebody" not in out
    code, out, _ = run("--database-url", url, "clients", "duplicates", "--format", "json")
    assert [(r["group"], r["name"], r["why"]) for r in json.loads(out)] == [
        (1, "Aliyev Vali", ""),
        (1, "VALI ALIYEV", "same phone"),
    ]
