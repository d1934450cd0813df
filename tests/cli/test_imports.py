"""`crm-desktop import KIND FILE`: what the file holds said first, --dry-run writes nothing, a script
without --yes imports nothing, ambiguous dates an error naming the column until --date-order decides,
mappings from a file or saved by name; and a process killed half way through 100,000 rows leaves the
database as it was."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import client_files
import pytest

from crm_desktop.config import Settings

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def office(run, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    assert run("--database-url", url, "db", "upgrade")[0] == 0
    return url


def _count(tmp_path, table: str = "clients") -> int:
    conn = sqlite3.connect(tmp_path / "office.sqlite3")
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_a_dry_run_says_what_the_file_holds_and_writes_nothing(run, office, tmp_path):
    code, out, err = run(
        "--database-url",
        office,
        "import",
        "clients",
        str(DATA / "clients_cp1251.csv"),
        "--country",
        "RU",
        "--dry-run",
    )
    assert code == 0
    assert "clients_cp1251.csv: cp1251, cells separated by semicolons, 3 rows" in err
    assert "'Ф.И.О.' → Name" in err and "'Статус' → Status" in err
    assert out.strip() == (
        "Nothing was written (--dry-run): 3 to import as new, 0 to merge into records that are there, "
        "0 to skip."
    )
    assert _count(tmp_path) == 0


def test_without_a_terminal_only_yes_imports_and_the_problems_are_printed(run, office, tmp_path):
    file = tmp_path / "clients.csv"
    file.write_bytes((DATA / "clients_excel_bom.csv").read_bytes())
    args = ("--database-url", office, "import", "clients", str(file), "--country", "UZ")
    code, _, err = run(*args)
    assert code == 1 and "Add --yes" in err and _count(tmp_path) == 0
    code, out, err = run(*args, "--yes")
    assert code == 0
    assert "Line 11, column 'Phone': '12-ab' is not a phone number" in err
    assert "clients.csv: 6 imported, 2 merged, 0 already there, 1 skipped." in out
    assert _count(tmp_path) == 6
    [summary] = [p for p in tmp_path.iterdir() if p.name.startswith("clients - import ")]
    assert f"The summary, row by row, is in {summary}" in out


def test_ambiguous_dates_are_an_error_naming_the_column_until_date_order_decides(run, office, tmp_path):
    file = tmp_path / "tasks.csv"
    file.write_bytes((DATA / "tasks_ambiguous_dates.csv").read_bytes())
    code, _, err = run("--database-url", office, "import", "tasks", str(file), "--yes")
    assert code == 1 and "column 'Due'" in err and "--date-order" in err and "dmy, mdy, ymd" in err
    code, out, _ = run("--database-url", office, "import", "tasks", str(file), "--yes", "--date-order", "dmy")
    assert code == 0 and "2 imported" in out and _count(tmp_path, "tasks") == 2


def test_a_mapping_from_a_file_or_saved_by_name(run, office, tmp_path):
    file = tmp_path / "odd.csv"
    file.write_text("Who,Where\nAziz Karimov,Toshkent\n", encoding="utf-8")
    mapping = {"kind": "clients", "columns": {"Who": "name", "Where": "address"}}
    (tmp_path / "mapping.json").write_text(json.dumps(mapping), encoding="utf-8")
    code, out, _ = run(
        "--database-url",
        office,
        "import",
        "clients",
        str(file),
        "--mapping",
        str(tmp_path / "mapping.json"),
        "--yes",
    )
    assert code == 0 and "1 imported" in out
    Settings(tmp_path / "home" / "config" / "settings.json").set("import_mappings", {"Old CRM": mapping})
    code, out, _ = run(
        "--database-url", office, "import", "clients", str(file), "--mapping", "Old CRM", "--yes"
    )
    assert code == 0 and "1 already there" in out
    code, _, err = run("--database-url", office, "import", "clients", str(file), "--mapping", "Nope", "--yes")
    assert code == 1 and "Saved mappings: Old CRM" in err


def test_a_file_that_is_no_table_is_one_line(run, office, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, _, err = run("--database-url", office, "import", "clients", str(empty), "--yes")
    assert code == 1 and "holds no table" in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_killing_an_import_of_100000_rows_half_way_leaves_the_database_unchanged(run, office, tmp_path):
    big = client_files.write_csv(tmp_path / "big.csv", 100_000)
    assert run("--database-url", office, "demo-data", "--clients", "20")[0] == 0
    before = _count(tmp_path)
    env = {**os.environ, "CRM_DESKTOP_LANGUAGE": "en", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crm_desktop",
            "--base-dir",
            str(tmp_path / "home"),
            "--database-url",
            office,
            "import",
            "clients",
            str(big),
            "--country",
            "UZ",
            "--yes",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    for line in process.stderr:  # killed once a good part of the clients is written in its transaction
        if "clients written" in line and line.split("/")[0].isdigit() and int(line.split("/")[0]) >= 20_000:
            break
    else:
        pytest.fail("the import ended before it wrote 20,000 clients")
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    conn = sqlite3.connect(tmp_path / "office.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM clients").fetchone()[0] == before
        assert conn.execute("SELECT count(*) FROM audit_log WHERE entity = 'imports'").fetchone()[0] == 0
    finally:
        conn.close()
