"""`crm-desktop backup [FILE]` and `crm-desktop restore FILE` for an office server: PostgreSQL's own
pg_dump writes a full logical export of the database in its custom format (one consistent snapshot, the
schema with its row-level security, triggers and functions, and the data), checked by reading its table
of contents back with pg_restore before it is kept; a restore loads one into an empty database with
pg_restore, in a single transaction (all of it or nothing).

The programs come with PostgreSQL's client tools; where they are missing the command says so. A nightly
backup is best scheduled on the server itself (README: Backing up an office server).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy import URL

from crm_desktop.cli.output import CliError
from crm_desktop.i18n import Message


def run(parsed: URL, args: argparse.Namespace) -> int:
    if args.command == "restore":
        return _restore(parsed, args.file)
    return _backup(parsed, args.file)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CliError(
            "{program}, PostgreSQL's backup program, is not installed on this PC. Install PostgreSQL's "
            "client programs, or back up on the server (README: Backing up an office server).",
            program=name,
        )
    return found


def _password(parsed: URL) -> str | None:
    """The login's password: in the URL, or where the app keeps it (the keyring)."""
    from crm_desktop.config import KeyringUnavailable, read_password

    if parsed.password:
        return str(parsed.password)
    try:
        return read_password(parsed.render_as_string(hide_password=False))
    except KeyringUnavailable:
        return None


def _libpq(parsed: URL) -> tuple[str, dict[str, str]]:
    """The URI the PostgreSQL programs take, and their environment (the password is not in the URI)."""
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if password := _password(parsed):
        env["PGPASSWORD"] = password
    return uri, env


def _ran(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def _first_line(done: subprocess.CompletedProcess[str]) -> str:
    return next((line for line in done.stderr.splitlines() if line.strip()), f"exit code {done.returncode}")


def _backup(parsed: URL, chosen: Path | None) -> int:
    pg_dump, pg_restore = _program("pg_dump"), _program("pg_restore")
    name = f"{parsed.database}-{datetime.now().strftime('%Y-%m-%d-%H%M%S')}.dump"
    target = chosen / name if chosen is not None and chosen.is_dir() else chosen or Path.cwd() / name
    partial = target.with_name(target.name + ".part")
    uri, env = _libpq(parsed)
    try:
        done = _ran([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={uri}"], env)
        if done.returncode != 0:
            raise CliError(
                "pg_dump could not back up {where}: {reason}", where=_where(parsed), reason=_first_line(done)
            )
        contents = _ran([pg_restore, "--list", str(partial)], env)
        if (
            contents.returncode != 0
            or "TABLE DATA" not in contents.stdout
            or " clients " not in contents.stdout
        ):
            raise CliError(
                "The backup written to {path} could not be read back, so it was removed. Check the disk, "
                "then try again.",
                path=str(target),
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    said = Message(
        "Backup written and checked: {path} (pg_dump, {size} MB)",
        path=str(target),
        size=max(1, round(target.stat().st_size / 1_000_000)),
    )
    print(said.render())
    return 0


def _restore(parsed: URL, chosen: Path) -> int:
    pg_restore = _program("pg_restore")
    if not chosen.is_file():
        raise CliError("There is no backup at {path}. Check the path.", path=str(chosen))
    uri, env = _libpq(parsed)
    if (contents := _ran([pg_restore, "--list", str(chosen)], env)).returncode != 0 or (
        " clients " not in contents.stdout
    ):
        raise CliError(
            "{path} is not a backup of an office server (pg_dump's custom format); nothing was changed.",
            path=str(chosen),
        )
    if _holds_tables(parsed):
        raise CliError(
            "{where} is not empty, so nothing was restored: a server backup is restored into a new, empty "
            "database (createdb), which the office then uses.",
            where=_where(parsed),
        )
    done = _ran([pg_restore, "--exit-on-error", "--single-transaction", f"--dbname={uri}", str(chosen)], env)
    if done.returncode != 0:
        raise CliError(
            "The backup could not be restored into {where} ({reason}); the database is as empty as it was.",
            where=_where(parsed),
            reason=_first_line(done),
        )
    said = Message(
        "Restored {file} into {where} ({clients}).",
        file=str(chosen),
        where=_where(parsed),
        clients=Message.counted("{n} client", "{n} clients", _clients(parsed)),
    )
    print(said.render())
    return 0


def _where(parsed: URL) -> str:
    return parsed.render_as_string(hide_password=True)


def _holds_tables(parsed: URL) -> bool:
    return bool(
        _scalar(
            parsed,
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
        )
    )


def _clients(parsed: URL) -> int:
    return int(str(_scalar(parsed, "SELECT count(*) FROM clients") or 0))


def _scalar(parsed: URL, sql: str) -> object:
    from sqlalchemy import text

    from crm_desktop.db.engine import create_db_engine

    engine = create_db_engine(parsed, password=_password(parsed))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()
