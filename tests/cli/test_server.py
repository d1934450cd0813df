"""`server init` and `users …` on a real PostgreSQL: the owner sets the database up, the first
administrator adds a user, and each of them works with their own login (passwords from stdin). Their
roles read as words (in the language asked for), and as codes in CSV and JSON."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_desktop import i18n


@pytest.fixture
def names(scram_postgres_url):
    """Unique login names for this test; the logins are dropped afterwards (they belong to the server)."""
    suffix = uuid.uuid4().hex[:6]
    made = {key: f"{key}_{suffix}" for key in ("boss", "anna")}
    yield made
    engine = create_engine(make_url(scram_postgres_url).set(query={}), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in made.values():
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"), {"n": name}
            )
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    engine.dispose()


def as_login(url: str, name: str, password: str) -> str:
    return make_url(url).set(username=name, password=password).render_as_string(hide_password=False)


def test_init_then_users_each_with_their_own_login(run, scram_postgres_url, names, monkeypatch):
    postgres_url = scram_postgres_url
    boss, anna = names["boss"], names["anna"]
    monkeypatch.setattr("sys.stdin", io.StringIO("boss-secret-1\n"))
    code, out, err = run("--database-url", postgres_url, "server", "init", "--admin", boss)
    assert code == 0, err
    assert f"administrator {boss} created" in out
    boss_url = as_login(postgres_url, boss, "boss-secret-1")

    monkeypatch.setattr("sys.stdin", io.StringIO("anna-secret-1\n"))
    code, out, err = run(
        "--database-url", boss_url, "users", "add", anna, "--role", "staff", "--display-name", "Anna Karimova"
    )
    assert (code, out.strip()) == (0, f"added {anna} (Staff)"), err  # the role in words
    code, out, _ = run("--database-url", boss_url, "users", "list", "--format", "csv")
    assert f"{anna},Anna Karimova,staff,,false,true" in out and f"{boss},{boss},admin,,true,true" in out

    monkeypatch.setattr("sys.stdin", io.StringIO("whatever-123\n"))
    code, _, err = run("--database-url", postgres_url, "server", "init", "--admin", anna)
    assert code == 1 and f"'{anna}' already exists with the role Staff" in err

    anna_url = as_login(postgres_url, anna, "anna-secret-1")
    assert run("--database-url", anna_url, "clients", "list")[0] == 0
    for listing in (["clients", "list"], ["invoices", "list"], ["tasks", "list"]):  # no export right: no file
        for format in ("csv", "json"):
            code, out, err = run("--database-url", anna_url, *listing, "--format", format)
            assert (code, out) == (1, "") and "export right" in err, (listing, format)
    monkeypatch.setattr("sys.stdin", io.StringIO("whatever-123\n"))
    code, _, err = run("--database-url", anna_url, "users", "add", "intruder")
    assert code == 1 and "Only an administrator" in err
    code, _, err = run("--database-url", anna_url, "server", "init", "--admin", "intruder")
    assert code == 1 and "PostgreSQL administrator's login" in err

    assert run("--database-url", boss_url, "users", "disable", anna)[0] == 0
    code, _, err = run("--database-url", anna_url, "clients", "list")
    assert code == 1 and "disabled" in err

    code, out, _ = run("--database-url", postgres_url, "server", "init", "--admin", boss)  # again: an upgrade
    assert code == 0 and "exists already" in out


def test_a_password_is_needed_and_never_taken_from_the_command_line(
    run, scram_postgres_url, names, monkeypatch
):
    postgres_url = scram_postgres_url
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run("--database-url", postgres_url, "server", "init", "--admin", names["boss"])
    assert code == 1 and "no password on stdin" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run("--database-url", postgres_url, "server", "init", "--admin", names["boss"])
    assert code == 1 and "at least 8 characters" in err


def test_server_init_refuses_a_sqlite_file(run, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("boss-secret-1\n"))
    code, _, err = run(
        "--database-url", f"sqlite:///{tmp_path / 'crm.sqlite3'}", "server", "init", "--admin", "x"
    )
    assert code == 1 and "needs no setting up" in err


def test_users_are_listed_with_their_roles_in_words_and_scripts_get_the_codes(run, sqlite_url, monkeypatch):
    assert run("--database-url", sqlite_url, "db", "upgrade")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("anna-secret-1\n"))
    code, out, err = run("--database-url", sqlite_url, "users", "add", "anna", "--role", "manager")
    assert (code, out) == (0, "added anna (Manager)\n"), err

    code, out, _ = run("--language", "ru", "--database-url", sqlite_url, "users", "list")
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert i18n.gettext("Manager", "ru") in rows["anna"] and "manager" not in rows["anna"]
    assert i18n.gettext("Administrator", "ru") in rows["owner"]
    code, out, _ = run("--language", "ru", "--database-url", sqlite_url, "users", "list", "--format", "json")
    assert {u["username"]: u["role"] for u in json.loads(out)} == {"anna": "manager", "owner": "admin"}
    code, out, _ = run("--language", "ru", "--database-url", sqlite_url, "users", "list", "--format", "csv")
    assert "anna,anna,manager," in out and "owner,Owner,admin," in out


def test_every_role_a_user_may_be_given_has_a_name():
    from crm_desktop.db.models import USER_ROLES
    from crm_desktop.services import users

    assert set(users.ROLE_NAMES) == set(USER_ROLES)
    assert users.role_name("staff").render() == "Staff"
    assert users.role_name("auditor").render() == "auditor"  # a code of a newer version: as it is
