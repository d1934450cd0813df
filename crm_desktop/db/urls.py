"""Which database a URL names, refused in words when it names none CRM Desktop can keep data in.

A URL comes from --database-url, the CRM_DESKTOP_DATABASE_URL environment variable or the settings
file (config.choose_database); the message says which, so the user knows what to correct. An
in-memory SQLite database is refused: everything saved in it would vanish when the program ends,
while the program said it was saved.
"""

from __future__ import annotations

import re
from pathlib import Path, PureWindowsPath

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from crm_desktop.db.problems import DatabaseOpenError
from crm_desktop.i18n import Message

Origin = str | Message  # where a URL came from: "given with --database-url", "in the settings file …"


class BadDatabaseUrl(DatabaseOpenError):
    """The URL itself is wrong: fix where it came from."""


def url_of(text: str) -> str:
    """A database URL, or a plain file path typed where one was asked for (./crm.sqlite3,
    C:\\data\\crm.sqlite3, ~/crm.sqlite3) as the URL of that SQLite file; anything else as given."""
    typed = text.strip()
    windows = bool(PureWindowsPath(typed).drive)  # C:\data\crm.sqlite3 or \\server\share\crm.sqlite3
    if not typed or (":" in typed and not windows):  # a URL, even a broken one: refused as such
        return text
    if windows:
        return f"sqlite:///{typed}"
    return f"sqlite:///{Path(typed).expanduser().absolute()}"


def parse_database_url(url: str | URL, origin: Origin | None = None) -> URL:
    """The URL parsed, or BadDatabaseUrl. `origin`: where it came from ("in the settings file …")."""
    parsed = url if isinstance(url, URL) else _parsed(url)
    if parsed is None:
        raise BadDatabaseUrl(
            Message(
                "{url} is not a database URL. Write sqlite:///path/to/crm.sqlite3 for a file, "
                "postgresql://user@host/database for a server.",
                url=_named(url, origin),
            )
        )
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _check_sqlite(parsed, _named(url if isinstance(url, str) else parsed.render_as_string(), origin))
    elif backend != "postgresql":
        if origin:
            raise BadDatabaseUrl(
                Message(
                    "Unsupported database '{backend}' {origin}. Use a SQLite file (sqlite:///path) or a "
                    "PostgreSQL server (postgresql://user@host/database).",
                    backend=backend,
                    origin=origin,
                )
            )
        raise BadDatabaseUrl(
            Message(
                "Unsupported database '{backend}'. Use a SQLite file (sqlite:///path) "
                "or a PostgreSQL server (postgresql://user@host/database).",
                backend=backend,
            )
        )
    return parsed


def _parsed(text: object) -> URL | None:
    try:
        return make_url(text) if isinstance(text, str) and text.strip() else None
    except ArgumentError:
        return None


def _check_sqlite(url: URL, shown: Message) -> None:
    database = url.database or ""
    if url.host or url.username or url.port:
        raise BadDatabaseUrl(
            Message(
                "{url} names no file: a SQLite URL has three slashes before the path "
                "(sqlite:///crm.sqlite3 next to where you are, sqlite:////home/me/crm.sqlite3 from "
                "the root, sqlite:///C:/Users/me/crm.sqlite3 on Windows).",
                url=shown,
            )
        )
    if (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or url.query.get("mode") == "memory"
    ):
        raise BadDatabaseUrl(
            Message(
                "{url} is an in-memory database: whatever is saved in it is lost when CRM Desktop "
                "ends. Give a file instead, e.g. sqlite:///path/to/crm.sqlite3.",
                url=shown,
            )
        )
    if database.startswith("file:") or url.query.get("uri"):
        raise BadDatabaseUrl(
            Message(
                "{url} is a SQLite URI file name, which CRM Desktop does not take. Give the "
                "file's path, e.g. sqlite:///path/to/crm.sqlite3.",
                url=shown,
            )
        )


def _named(url: object, origin: Origin | None) -> Message:
    """The URL as the subject of a sentence ("The database URL '…' in the settings file …")."""
    text = _masked(str(url))
    if origin:
        return Message("The database URL '{url}' {origin}", url=text, origin=origin)
    return Message("The database URL '{url}'", url=text)


def _masked(url: str) -> str:
    """A URL that did not parse may still hold a password (user:secret@host): never echo it."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
