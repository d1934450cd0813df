"""Opening the chosen database the way every entry point needs it: password, reachability, schema.

The GUI, the CLI and the benchmarks all go through `open_database`, so a wrong password or an
unreachable server gives the same message everywhere and no path forgets to migrate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from crm_desktop import config
from crm_desktop.db.engine import Database, DatabaseOpenError
from crm_desktop.db.migrate import (
    SchemaTooOld,
    UpgradeResult,
    current_revision,
    head_revision,
    known_revision,
    upgrade,
)
from crm_desktop.db.problems import explain_open_error
from crm_desktop.db.sqlite_file import check_not_damaged
from crm_desktop.db.urls import Origin, parse_database_url
from crm_desktop.i18n import Message

# Asked for a server password when the keyring has none (or no keyring works); None = cancelled.
AskPassword = Callable[[str], str | None]


@dataclass
class OpenedDatabase:
    db: Database
    upgrade: UpgradeResult | None
    password_in_memory: bool  # the keyring could not keep it: ask again at the next start


def open_database(
    url: str,
    *,
    ask_password: AskPassword | None = None,
    migrate: bool = True,
    password: str | None = None,
    origin: Origin | None = None,
) -> OpenedDatabase:
    """Connect (with `password`, else the keyring's, else asking), check it, bring the schema up to date.

    `origin`: where the URL came from (config.choose_database), named when the URL itself is wrong."""
    parse_database_url(url, origin)
    in_memory = False
    if password is None:
        password, in_memory = _stored_password(url)
    db = Database.open(url, password=password)
    try:
        check_reachable(db)
    except DatabaseOpenError as exc:
        if not (ask_password and _needs_password(exc)):
            db.dispose()
            raise
        db.dispose()
        password = ask_password(make_url(url).render_as_string(hide_password=True))
        if password is None:
            raise DatabaseOpenError(
                Message("No password was given, so the database was not opened.")
            ) from exc
        db = Database.open(url, password=password)
        check_reachable(db)
        in_memory = True
        try:
            config.store_password(url, password)
            in_memory = False
        except config.KeyringUnavailable:
            pass  # kept in memory only, as promised: never written to a settings file
    try:
        check_not_damaged(db)
        if migrate and is_crm_login(db) and (why := not_ready_for_users(db)):
            raise SchemaTooOld(why)
        result = upgrade(db) if migrate else None
    except BaseException:
        db.dispose()  # a refused database is not held open (on Windows that would lock the file)
        raise
    return OpenedDatabase(db, result, in_memory)


def is_crm_login(db: Database) -> bool:
    """True when connected as a CRM user's own server login (who may not change the schema)."""
    if db.is_sqlite:
        return False
    with db.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_user') AND "
                    "pg_has_role(current_user, 'crm_user', 'MEMBER') AND NOT "
                    "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
                )
            ).scalar()
        )


def not_ready_for_users(db: Database) -> Message | None:
    """Why a CRM login cannot work here yet — the schema is missing or older, and only the owner may
    change it — or None. (A newer schema is upgrade()'s refusal, the same for everyone.)"""
    before, head = current_revision(db), head_revision()
    if before == head or before is not None and not known_revision(before):
        return None
    if before is None:
        return Message(
            "{where} has no CRM schema yet. Ask your administrator to set it up or upgrade it with "
            "`crm-desktop server init`, then connect again.",
            where=db.describe(),
        )
    return Message(
        "{where} has an older schema ({schema}) than this CRM Desktop. Ask your administrator to set it up "
        "or upgrade it with `crm-desktop server init`, then connect again.",
        where=db.describe(),
        schema=before,
    )


def _stored_password(url: str) -> tuple[str | None, bool]:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.password is not None:
        return None, False
    try:
        return config.read_password(url), False
    except config.KeyringUnavailable:
        return None, True


def check_reachable(db: Database) -> None:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseOpenError(explain_open_error(exc, db)) from exc


def _needs_password(exc: DatabaseOpenError) -> bool:
    cause = str(exc.__cause__ or "")
    return "password" in cause and ("authentication failed" in cause or "no password supplied" in cause)
