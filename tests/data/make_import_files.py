"""Writes the messy import files next to this script, as offices' programs write them:

    python tests/data/make_import_files.py

The files are kept in the repository (the tests read them, never this script); it says how each was made
and makes them again when one must change. What each should import as is asserted in
tests/services/test_importing.py.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
LONG_NOTE = ("Client since 2009. " * 5300)[:100_000]


def _csv(rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def clients_excel_bom() -> None:
    """Excel's "CSV UTF-8": a BOM, commas, quoted cells with line breaks; three scripts; the same people
    written differently; Arabic-Indic digits; cells that look like formulas; a 100,000-character note."""
    rows = [
        ["Name", "Phone", "E-mail", "Address", "Tags", "Notes"],
        [
            "Aliyev Vali",
            "+998 90 123-45-67",
            "vali@example.com",
            "Toshkent,\nChilonzor 7",
            "vip, wholesale",
            "",
        ],
        ["VALI ALIYEV", "90 123 45 67", "", "", "repeat", "Second branch's sheet"],
        ["Vali Əliyev", "", "VALI@example.com", "", "", ""],
        ["Иванова Мария", "+7 (912) 345-67-89", "maria@example.ru", "Москва, ул. Ленина 10", "", ""],
        ["محمد الأحمد", "+٩٩٨ ٩١ ٢٣٤ ٥٦ ٧٨", "", "دبي", "", ""],
        ['=HYPERLINK("http://example.com")', "", "formula@example.com", "", "", "+1 looks like a formula"],
        ["Karimov Bekzod", "", "", "", "", LONG_NOTE],
        ["Karimov Bekzood", "", "", "", "", "a typo of the line before"],
        ["No Phone", "12-ab", "not-an-email", "", "", ""],
    ]
    (HERE / "clients_excel_bom.csv").write_bytes(_csv(rows, ",").encode("utf-8-sig"))


def clients_cp1251() -> None:
    """An old Russian program's export: Windows-1251, semicolons, status words, a blank line."""
    rows = [
        ["Ф.И.О.", "Телефон", "Эл. почта", "Статус", "Источник"],
        ["Петров Пётр", "8 912 345 67 80", "petrov@example.ru", "Клиент", "Выставка"],
        ["Сидорова Анна", "+7 495 123-45-67", "", "Лид", ""],
        [],
        ["Ёлкин Семён", "8 (916) 000-11-22", "elkin@example.ru", "", "Сайт"],
    ]
    (HERE / "clients_cp1251.csv").write_bytes(_csv(rows, ";").encode("cp1251"))


def clients_utf16() -> None:
    """Excel's "Unicode text": UTF-16 with its mark, tabs; Uzbek headers."""
    rows = [
        ["Ism", "Telefon", "E-mail", "Manzil"],
        ["Oʻgʻiloy Rahimova", "93 555 12 34", "ogiloy@example.uz", "Samarqand"],
        ["Gʻayrat Yusupov", "+998 97 700 00 01", "", "Fargʻona"],
    ]
    (HERE / "clients_utf16.txt").write_bytes(_csv(rows, "\t").encode("utf-16"))


def deals_cp1251() -> None:
    """Deals with amounts written with a decimal comma and spaces between thousands; dates with points."""
    rows = [
        ["Клиент", "Телефон клиента", "Сделка", "Сумма", "Валюта", "Дата закрытия"],
        ["Петров Пётр", "8 912 345 67 80", "Сайт под ключ", "1 234 567,50", "RUB", "25.03.2027"],
        ["Петров Пётр", "8 912 345 67 80", "Поддержка", "12 500", "RUB", "01.04.2027"],
        ["Новый Клиент", "", "Аудит", "950,5", "RUB", "31.12.2027"],
    ]
    (HERE / "deals_cp1251.csv").write_bytes(_csv(rows, ";").encode("cp1251"))


def deals_merged_header() -> None:
    """A workbook with a title row, a header of two rows made of merged cells, and close dates both as
    date cells and as the bare serial numbers a pasted column leaves."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(HERE / "deals_merged_header.xlsx"))
    sheet = book.add_worksheet("Bitimlar")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.merge_range(0, 0, 0, 5, "Bitimlar 2027")
    sheet.merge_range(1, 0, 2, 0, "Mijoz")
    sheet.merge_range(1, 1, 1, 2, "Aloqa")
    sheet.write_row(2, 1, ["Telefon", "E-mail"])
    sheet.merge_range(1, 3, 2, 3, "Bitim")
    sheet.merge_range(1, 4, 2, 4, "Summa")
    sheet.merge_range(1, 5, 2, 5, "Yopilish sanasi")
    sheet.write_row(3, 0, ["Oʻgʻiloy Rahimova", "93 555 12 34", "ogiloy@example.uz", "Veb-sayt", 15_000_000])
    sheet.write_datetime(3, 5, date(2027, 3, 25), day)
    sheet.write_row(4, 0, ["Yangi Mijoz", "", "yangi@example.uz", "Logotip", 2_500_000.5, 46_568])
    book.close()


def invoices_percent() -> None:
    """Invoice lines of an old program: tax written as "15%", discounts as fractions (0.05 is 5 %),
    two lines of one invoice."""
    rows = [
        ["Номер", "Клиент", "Дата", "Описание", "Кол-во", "Цена", "НДС", "Скидка"],
        ["2024-015", "Петров Пётр", "05.02.2027", "Разработка", "10", "1 500,00", "15%", "0,05"],
        ["2024-015", "Петров Пётр", "05.02.2027", "Хостинг", "1", "300", "15%", "0"],
        ["2024-016", "Сидорова Анна", "06.02.2027", "Консультация", "2", "250,5", "12%", "0,1"],
    ]
    (HERE / "invoices_percent.csv").write_bytes(_csv(rows, ";").encode("utf-8"))


def tasks_dates() -> None:
    """Tasks whose dates could be day or month first (03/04/2027), and ones a 25th decides."""
    ambiguous = [
        ["Task", "Due", "Client"],
        ["Call back", "03/04/2027 10:30", ""],
        ["Send quote", "05/06/2027", ""],
    ]
    (HERE / "tasks_ambiguous_dates.csv").write_text(_csv(ambiguous, ","), encoding="utf-8")
    american = [["Task", "Due"], ["Call back", "03/04/2027 10:30"], ["Year-end report", "12/25/2027"]]
    (HERE / "tasks_month_first.csv").write_text(_csv(american, ","), encoding="utf-8")


if __name__ == "__main__":
    for make in (
        clients_excel_bom,
        clients_cp1251,
        clients_utf16,
        deals_cp1251,
        deals_merged_header,
        invoices_percent,
        tasks_dates,
    ):
        make()
