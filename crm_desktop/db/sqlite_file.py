"""The SQLite file itself: what is refused before SQLite touches it.

SQLite takes a missing or empty file — and a one-byte one too — for a new database and writes a
schema into it, and says only "unable to open database file" for a folder. So the path is looked at
first: a folder, a parent that is a file, or a file that is not SQLite is refused in words, and
nothing is ever written over a file that is neither empty nor a SQLite database.
"""

from __future__ import annotations

from pathlib import Path

from crm_desktop.db.problems import DatabaseOpenError

HEADER = b"SQLite format 3\x00"


def prepare(path: Path) -> None:
    """Refuse, before SQLite opens it, a path where a CRM database cannot be or must not be made."""
    if path.is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a database file. Give the path of a file, for example "
                                f"{path / 'crm.sqlite3'}.")
    _make_folder(path)
    if not path.exists():
        return  # a new database
    if not path.is_file():
        raise DatabaseOpenError(f"{path} is not a regular file. Give the path of a database file.")
    try:
        with path.open("rb") as file:
            head = file.read(len(HEADER))
    except OSError as exc:
        raise DatabaseOpenError(f"Cannot read {path}: {exc.strerror}. Check the file's permissions.") from exc
    if head and head != HEADER:
        raise DatabaseOpenError(f"{path} is not a CRM Desktop database (not a SQLite file), so it was left as it "
                                "is. Choose your CRM database file, or a new file name to start an empty one.")


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next(p for p in path.parents if p.exists() and not p.is_dir())
        raise DatabaseOpenError(f"Cannot create the database {path}: {blocker} is a file, not a folder. Choose a "
                                "path inside a folder.") from exc
    except OSError as exc:
        raise DatabaseOpenError(f"Cannot make the folder {path.parent} for the database: {exc.strerror}. Choose a "
                                "folder you can write to.") from exc
