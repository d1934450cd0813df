"""Big client tables as offices export them, for the import's benchmark and its crash test: names in the
scripts of the demo office (Latin, Cyrillic, Arabic), national and international phone numbers, emails,
tags, a city; as a semicolon CSV with a BOM (Excel's "CSV UTF-8") or an XLSX workbook."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from crm_desktop.services import demo

HEADERS = ["Ф.И.О.", "Телефон", "E-mail", "Город", "Теги", "Источник"]


def rows(n: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = rng.choices(demo.LANGUAGES, demo.LANGUAGE_WEIGHTS)[0]
        name = f"{rng.choice(demo.LAST_NAMES[lang])[0]} {rng.choice(demo.FIRST_NAMES[lang])[0]}"
        digits = f"{i:07d}"  # one number per client
        phone = f"90 {digits[:3]} {digits[3:5]} {digits[5:]}"
        out.append(
            [
                name,
                phone if i % 3 else "+998 " + phone,
                f"client{i}@example.com",
                rng.choice(demo.CITIES[lang]),
                rng.choice(demo.TAGS) if i % 4 == 0 else "",
                "import",
            ]
        )
    return out


def write_csv(path: Path, n: int, seed: int = 1) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(rows(n, seed))
    return path


def write_xlsx(path: Path, n: int, seed: int = 1) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Clients")
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(rows(n, seed), start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return path
