"""How long importing 100,000 clients takes, from the file to the commit:

    python tests/perf/import_bench.py [--rows N] [--into-office]

    import_clients_csv_100k_s    a semicolon CSV with a BOM (tests/support/client_files.py: names in three
                                 scripts, national and international phones, emails, tags) read, every
                                 cell checked, phones put in E.164, duplicates looked for in the file and
                                 the database, and written in one transaction with the search index,
                                 a timeline entry and an audit row per client (services/importing.py)
    import_clients_xlsx_100k_s   the same rows as an XLSX workbook
    preview_first_rows_s         the file read and its first 200 rows previewed: what the wizard shows
                                 before it has read the rest
    (each part's seconds too: read_s, preview_s, write_s)

Into a new empty office; with --into-office into a copy of bench.py's cached office of 100,000 clients
(duplicates then looked for among them too). The last line is one JSON object with the figures. Speed is
measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "support"))

import client_files  # noqa: E402
from bench import cached_database, say  # noqa: E402

from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.db.migrate import upgrade  # noqa: E402
from crm_desktop.services import import_fields, importing, sheets  # noqa: E402
from crm_desktop.services.context import ServiceContext  # noqa: E402


def _office(folder: Path, into_office: bool) -> Database:
    path = folder / "office.sqlite3"
    if into_office:
        shutil.copyfile(cached_database(100_000)[0], path)
    db = Database.open(f"sqlite:///{path}")
    upgrade(db)
    return db


def _import(folder: Path, file: Path, into_office: bool) -> dict[str, float]:
    db = _office(folder, into_office)
    try:
        ctx = ServiceContext(db)
        started = time.perf_counter()
        sheet = sheets.read(file)
        importing.preview(ctx, sheet, import_fields.guess("clients", sheet.headers), region="UZ", first=200)
        first_rows = time.perf_counter() - started
        started = time.perf_counter()
        sheet = sheets.read(file)
        read = time.perf_counter() - started
        p = importing.preview(ctx, sheet, import_fields.guess("clients", sheet.headers), region="UZ")
        previewed = time.perf_counter() - started - read
        summary = importing.run(ctx, p)
        total = time.perf_counter() - started
        say(f"{file.name}: {summary.message().render()}")
        return {
            "first_rows_s": first_rows,
            "read_s": read,
            "preview_s": previewed,
            "write_s": total - read - previewed,
            "total_s": total,
        }
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--into-office", action="store_true")
    args = parser.parse_args(argv)
    figures: dict[str, float | int] = {"rows": args.rows}
    with tempfile.TemporaryDirectory(prefix="crm-import-bench-") as tmp:
        folder = Path(tmp)
        for kind, write in (("csv", client_files.write_csv), ("xlsx", client_files.write_xlsx)):
            file = write(folder / f"clients.{kind}", args.rows)
            run = folder / kind
            run.mkdir()
            parts = _import(run, file, args.into_office)
            say(
                f"{kind}: read {parts['read_s']:.1f} s, preview {parts['preview_s']:.1f} s, "
                f"write {parts['write_s']:.1f} s; first rows shown after {parts['first_rows_s']:.2f} s"
            )
            figures[f"import_clients_{kind}_100k_s"] = round(parts["total_s"], 1)
            figures[f"{kind}_read_s"] = round(parts["read_s"], 2)
            figures[f"{kind}_preview_s"] = round(parts["preview_s"], 2)
            figures[f"{kind}_write_s"] = round(parts["write_s"], 2)
            figures[f"{kind}_preview_first_rows_s"] = round(parts["first_rows_s"], 2)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
