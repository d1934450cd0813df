"""`crm-desktop backup [FILE]` and `crm-desktop restore FILE` for an office server: PostgreSQL's own
pg_dump writes a full logical export of the database in its custom format (one consistent snapshot, the
schema with its row-level security, triggers and functions, and the data), checked by reading its table
of contents back with pg_restore before it is kept; a restore loads one into an empty database with
pg_restore, in a single transaction (all of it or nothing).

The programs come with PostgreSQL's client tools. On a PC without them the backup is the app's own export
(db/server_export.py: every table in one consistent snapshot, loaded back by `restore` the same way, into
an empty database, all or nothing). A nightly backup is best scheduled on the server itself (README:
Backing up an office server).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import URL
from sqlalchemy.exc import DBAPIError

from crm_desktop.cli.output import CliError
from crm_desktop.db.engine import Database
from crm_desktop.i18n import Message


def run(parsed: URL, args: argparse.Namespace) -> int:
    if args.command == "restore":
        return _restore(parsed, args.file)
    return _backup(parsed, args.file)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:  # (a restore of pg_dump's format; a backup makes the app's own export instead)
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
    own = shutil.which("pg_dump") is None or shutil.which("pg_restore") is None
    name = f"{parsed.database}-{datetime.now().strftime('%Y-%m-%d-%H%M%S')}.{'zip' if own else 'dump'}"
    target = chosen / name if chosen is not None and chosen.is_dir() else chosen or Path.cwd() / name
    if own:
        return _own_backup(parsed, target)
    pg_dump, pg_restore = _program("pg_dump"), _program("pg_restore")
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


def _own_backup(parsed: URL, target: Path) -> int:
    from crm_desktop.db import server_export

    with _database(parsed) as db:
        _refuse_crm_login(db, parsed)
        try:
            made = server_export.export(db, target)
        except OSError as exc:
            raise CliError(
                "The backup could not be written to {path} ({reason}); no file was left. Check the disk, "
                "then try again.",
                path=str(target),
                reason=exc.strerror or str(exc),
            ) from exc
    if server_export.read_manifest(target) != made:
        target.unlink(missing_ok=True)
        raise CliError(
            "The backup written to {path} could not be read back, so it was removed. Check the disk, "
            "then try again.",
            path=str(target),
        )
    said = Message(
        "Backup written and checked: {path} (the app's own export, {clients}, {size} MB)",
        path=str(target),
        clients=Message.counted("{n} client", "{n} clients", made.rows("clients")),
        size=max(1, round(target.stat().st_size / 1_000_000)),
    )
    print(said.render())
    return 0


@contextmanager
def _database(parsed: URL) -> Iterator[Database]:
    db = Database.open(parsed, password=_password(parsed))
    try:
        yield db
    finally:
        db.dispose()


def _refuse_crm_login(db: Database, parsed: URL) -> None:
    """A user's own login sees only what row-level security shows it: a backup needs the owner's."""
    from crm_desktop.db.connect import is_crm_login

    if is_crm_login(db):
        raise CliError(
            "{where} is a CRM user's own login, which sees only that user's part of the data. Back up "
            "with the login that owns the database (the one that set up the server).",
            where=_where(parsed),
        )


def _own_restore(parsed: URL, chosen: Path, manifest) -> int:
    import psycopg

    from crm_desktop.db import server_export

    with _database(parsed) as db:
        try:
            server_export.load(db, chosen, manifest)
        except (DBAPIError, psycopg.Error, OSError, zipfile.BadZipFile) as exc:  # COPY's own: psycopg's
            raise CliError(
                "The backup could not be restored into {where} ({reason}); the database is as empty as "
                "it was.",
                where=_where(parsed),
                reason=str(getattr(exc, "orig", None) or exc).splitlines()[0],
            ) from exc
    return _restored(parsed, chosen)


def _restore(parsed: URL, chosen: Path) -> int:
    from crm_desktop.db import server_export

    if not chosen.is_file():
        raise CliError("There is no backup at {path}. Check the path.", path=str(chosen))
    manifest = server_export.read_manifest(chosen)
    if manifest is not None:
        _refuse_holding_tables(parsed)
        return _own_restore(parsed, chosen, manifest)
    pg_restore = _program("pg_restore")
    uri, env = _libpq(parsed)
    if (contents := _ran([pg_restore, "--list", str(chosen)], env)).returncode != 0 or (
        " clients " not in contents.stdout
    ):
        raise CliError(
            "{path} is not a backup of an office server (pg_dump's custom format); nothing was changed.",
            path=str(chosen),
        )
    _refuse_holding_tables(parsed)
    done = _ran([pg_restore, "--exit-on-error", "--single-transaction", f"--dbname={uri}", str(chosen)], env)
    if done.returncode != 0:
        raise CliError(
            "The backup could not be restored into {where} ({reason}); the database is as empty as it was.",
            where=_where(parsed),
            reason=_first_line(done),
        )
    return _restored(parsed, chosen)


def _restored(parsed: URL, chosen: Path) -> int:
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


def _refuse_holding_tables(parsed: URL) -> None:
    if _holds_tables(parsed):
        raise CliError(
            "{where} is not empty, so nothing was restored: a server backup is restored into a new, empty "
            "database (createdb), which the office then uses.",
            where=_where(parsed),
        )


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

    with _database(parsed) as db, db.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()
