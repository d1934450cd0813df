"""Automatic backups of a SQLite office: one a day into a folder (a USB disk, a NAS, or backups/ beside the
database), the last 7 days' and the last 4 weeks' kept, each proven by a restore drill.

A backup is db/backup.copy_verified's: one moment of the database, proven equal to it. The drill then does
what a restore would: it copies the backup into a temporary folder, opens it there as SQLite would after a
restore, checks it whole and counts every table's rows against what the backup held when it was taken.
Only a backup that passed it is "proven" — what Settings → Backups shows beside the last one made.

The folder keeps a small record (backups.json): each backup's time and rows, and the last drill's result.
Only files this module named (`<database>-auto-YYYY-MM-DD-HHMMSS.sqlite3`) are ever deleted by the rotation.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from crm_desktop.db import backup

KEEP_DAILY = 7
KEEP_WEEKLY = 4
RECORD = "backups.json"
_STAMP = "%Y-%m-%d-%H%M%S"


@dataclass(frozen=True)
class Made:
    path: Path
    at: datetime  # local time, as the folder's names and the user read it
    rows: dict[str, int]


@dataclass(frozen=True)
class Drill:
    path: Path
    at: datetime
    proven: bool
    problem: str = ""  # what did not match, when not proven (for the log; the window says it in words)


@dataclass(frozen=True)
class State:
    last: Made | None
    last_proven: Drill | None
    last_drill: Drill | None


def _name(database: Path, at: datetime) -> str:
    return f"{database.stem}-auto-{at.strftime(_STAMP)}{database.suffix or '.sqlite3'}"


def _pattern(database: Path) -> re.Pattern[str]:
    return re.compile(
        re.escape(database.stem) + r"-auto-(\d{4}-\d{2}-\d{2}-\d{6})" + re.escape(database.suffix)
    )


def backups(database: Path, folder: Path) -> list[tuple[datetime, Path]]:
    """The automatic backups of `database` in `folder`, oldest first."""
    found = []
    pattern = _pattern(database)
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if (m := pattern.fullmatch(path.name)) is not None:
                found.append((datetime.strptime(m.group(1), _STAMP), path))
    return sorted(found)


def is_due(database: Path, folder: Path, now: datetime) -> bool:
    """No backup of today yet (a database that is not there yet needs none)."""
    return database.exists() and not any(at.date() == now.date() for at, _ in backups(database, folder))


def make(database: Path, folder: Path, now: datetime) -> Made:
    """Today's backup into `folder` (made if missing), then the rotation; OSError, sqlite3.Error or
    backup.CopyUnverified when it could not be made — the backups already there are as they were."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = backup.copy_verified(database, folder / _name(database, now))
    made = Made(copy.path, now, copy.rows)
    record = _read(folder)
    record.setdefault("made", {})[copy.path.name] = {"at": now.isoformat(), "rows": copy.rows}
    record["last"] = copy.path.name
    _write(folder, record)
    rotate(database, folder)
    return made


def rotate(database: Path, folder: Path) -> list[Path]:
    """Deletes the automatic backups no longer kept: kept are the newest of each of the last KEEP_DAILY days
    that have one, and the newest of each of the KEEP_WEEKLY weeks before those. The ones deleted."""
    found = backups(database, folder)
    newest_of_day: dict[date, Path] = {}
    for at, path in found:
        newest_of_day[at.date()] = path  # oldest first: the last one of a day wins
    days = sorted(newest_of_day, reverse=True)
    kept = {newest_of_day[d] for d in days[:KEEP_DAILY]}
    weeks: dict[tuple[int, int], Path] = {}
    for d in sorted(days[KEEP_DAILY:]):
        weeks[d.isocalendar()[:2]] = newest_of_day[d]
    kept |= {weeks[w] for w in sorted(weeks, reverse=True)[:KEEP_WEEKLY]}
    gone = [path for _, path in found if path not in kept]
    record = _read(folder)
    for path in gone:
        with contextlib.suppress(OSError):
            path.unlink()
        record.get("made", {}).pop(path.name, None)
    if gone:
        _write(folder, record)
    return gone


def drill(database: Path, folder: Path, copy: Path, now: datetime) -> Drill:
    """The restore drill of `copy`: restored into a temporary folder, checked whole, its rows counted
    against what it held when it was made."""
    expected = _read(folder).get("made", {}).get(copy.name, {}).get("rows")
    problem = ""
    with tempfile.TemporaryDirectory(prefix="crm-restore-drill-") as tmp:
        restored = Path(tmp) / copy.name
        try:
            shutil.copyfile(copy, restored)
            if not backup.is_whole(restored):
                problem = "the copy is damaged"
            elif expected is None:
                problem = "no record of what the backup held"
            else:
                found = backup.row_counts(restored, tuple(expected))
                if found != expected:
                    problem = f"rows differ: {found} instead of {expected}"
        except (OSError, sqlite3.Error) as exc:
            problem = str(exc)
    result = Drill(copy, now, not problem, problem)
    record = _read(folder)
    record["last_drill"] = {
        "file": copy.name,
        "at": now.isoformat(),
        "proven": result.proven,
        "problem": problem,
    }
    if result.proven:
        record["last_proven"] = {"file": copy.name, "at": now.isoformat()}
    _write(folder, record)
    return result


def state(database: Path, folder: Path) -> State:
    """The last backup made into `folder` and the last one proven by a drill, as its record says."""
    record = _read(folder)
    made = record.get("made", {})
    last = None
    name = str(record.get("last") or "")
    if name in made and (folder / name).exists():
        entry = made[name]
        last = Made(folder / name, datetime.fromisoformat(entry["at"]), entry["rows"])
    proven = _drill(folder, record.get("last_proven"), True)
    return State(last, proven, _drill(folder, record.get("last_drill"), None))


def _drill(folder: Path, entry: dict | None, proven: bool | None) -> Drill | None:
    if not entry:
        return None
    ok = entry.get("proven", True) if proven is None else proven
    return Drill(
        folder / entry["file"], datetime.fromisoformat(entry["at"]), bool(ok), entry.get("problem", "")
    )


def _read(folder: Path) -> dict:
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(folder: Path, record: dict) -> None:
    """The record replaced whole (a temporary file renamed over it): a crash leaves the older one."""
    partial = folder / (RECORD + ".part")
    partial.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, folder / RECORD)


def default_folder(database: Path) -> Path:
    return database.parent / "backups"
