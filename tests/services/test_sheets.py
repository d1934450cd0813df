"""Reading imported tables: text files' encodings and delimiters, line numbers, titles, workbooks, headers."""

from __future__ import annotations

import codecs
from datetime import date, datetime

import pytest
import xlsxwriter

from crm_desktop.services import sheets
from crm_desktop.services.errors import ValidationError


def _file(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _workbook(tmp_path, build, name: str = "clients.xlsx"):
    """A workbook made by `build(book, sheet)` in tmp_path."""
    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    build(book, book.add_worksheet())
    book.close()
    return path


# --- encodings ------------------------------------------------------------------------------------------


def test_utf8_without_a_mark_is_read_as_utf8(tmp_path):
    sheet = sheets.read(_file(tmp_path, "a.csv", "Name;City\nƏliyev Vali;Bakı\n".encode()))
    assert sheet.encoding == "utf-8"
    assert sheet.rows == [["Əliyev Vali", "Bakı"]]


def test_utf8_with_a_bom_drops_the_mark_from_the_first_header(tmp_path):
    sheet = sheets.read(_file(tmp_path, "a.csv", codecs.BOM_UTF8 + "Name,City\nАлиев,Ташкент\n".encode()))
    assert sheet.encoding == "utf-8-sig"
    assert sheet.headers == ["Name", "City"]
    assert sheet.rows == [["Алиев", "Ташкент"]]


def test_excels_unicode_text_is_utf16_with_tabs(tmp_path):
    data = codecs.BOM_UTF16_LE + "Имя\tГород\nАлиев Вали\tБаку\n".encode("utf-16-le")
    sheet = sheets.read(_file(tmp_path, "a.txt", data))
    assert sheet.encoding == "utf-16"
    assert sheet.delimiter == "\t"
    assert sheet.headers == ["Имя", "Город"]
    assert sheet.rows == [["Алиев Вали", "Баку"]]


def test_russian_text_in_windows_cyrillic_is_read_as_cp1251(tmp_path):
    text = "Имя;Город\nАлиев Вали;Ташкент\nПетрова Мария;Москва\n"
    sheet = sheets.read(_file(tmp_path, "a.csv", text.encode("cp1251")))
    assert sheet.encoding == "cp1251"
    assert sheet.rows == [["Алиев Вали", "Ташкент"], ["Петрова Мария", "Москва"]]


def test_western_text_with_accents_is_read_as_cp1252(tmp_path):
    sheet = sheets.read(_file(tmp_path, "a.csv", "Name;City\nMüller;Café\n".encode("cp1252")))
    assert sheet.encoding == "cp1252"
    assert sheet.rows == [["Müller", "Café"]]


def test_a_chosen_encoding_the_file_is_not_in_is_refused(tmp_path):
    path = _file(tmp_path, "a.csv", "Имя;Город\nАлиев;Ташкент\n".encode("cp1251"))
    with pytest.raises(ValidationError) as refused:
        sheets.read(path, encoding="utf-8")
    assert refused.value.field == "encoding" and "utf-8" in refused.value.message


def test_a_chosen_encoding_is_used_instead_of_the_detected_one(tmp_path):
    path = _file(tmp_path, "a.csv", "Name\nMüller\n".encode("cp1252"))
    assert sheets.read(path, encoding="cp1251").rows == [["Mьller"]]


# --- delimiters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Name,Phone,Email\nAli,1,a@x.uz\n", ","),
        ("Name;Amount;City\nAli;12,5;Tashkent\n", ";"),
        ("Name\tNotes\tCity\nAli\tone; two, three\tTashkent\n", "\t"),
    ],
    ids=["commas", "semicolons", "tabs"],
)
def test_the_delimiter_that_splits_every_line_alike_is_found(tmp_path, text, delimiter):
    sheet = sheets.read(_file(tmp_path, "a.csv", text.encode()))
    assert sheet.delimiter == delimiter
    assert len(sheet.headers) == 3 and len(sheet.rows[0]) == 3


def test_a_chosen_delimiter_is_used(tmp_path):
    path = _file(tmp_path, "a.csv", b"Name,Title;City\nAli,Dr;Tashkent\n")
    assert sheets.read(path).headers == ["Name", "Title;City"]
    assert sheets.read(path, delimiter=";").headers == ["Name,Title", "City"]


def test_delimiter_names_say_what_splits_the_cells():
    assert sheets.delimiter_name(";").render("en") == "semicolons"
    assert sheets.delimiter_name("\t").render("en") == "tabs"
    assert sheets.delimiter_name(None).render("en") == "commas"


# --- lines, blank lines and titles -----------------------------------------------------------------------


def test_a_quoted_cell_with_line_breaks_keeps_the_next_rows_line_numbers(tmp_path):
    text = 'Name,Notes\n"Ali","first line\nsecond line\nthird line"\nBob,short\n'
    sheet = sheets.read(_file(tmp_path, "a.csv", text.encode()))
    assert sheet.rows == [["Ali", "first line\nsecond line\nthird line"], ["Bob", "short"]]
    assert sheet.lines == [2, 5]


def test_windows_line_ends_inside_quotes_count_as_one_line_each(tmp_path):
    sheet = sheets.read(_file(tmp_path, "a.csv", b'Name,Notes\r\n"Ali","one\r\ntwo"\r\nBob,x\r\n'))
    assert sheet.lines == [2, 4]


def test_blank_lines_are_skipped_and_rows_keep_their_file_lines(tmp_path):
    text = "Name,Phone\n\nAli,1\n , \n\nBob,2\n"
    sheet = sheets.read(_file(tmp_path, "a.csv", text.encode()))
    assert sheet.rows == [["Ali", "1"], ["Bob", "2"]]
    assert sheet.lines == [3, 6]


def test_a_title_above_the_header_is_skipped(tmp_path):
    text = "Clients 2024\n\nName;Phone;Email\nAli;1;a@x.uz\n"
    sheet = sheets.read(_file(tmp_path, "a.csv", text.encode()))
    assert sheet.delimiter == ";"
    assert sheet.headers == ["Name", "Phone", "Email"]
    assert sheet.rows == [["Ali", "1", "a@x.uz"]]
    assert sheet.lines == [4]


def test_a_short_row_is_padded_and_a_long_one_names_its_extra_columns(tmp_path):
    sheet = sheets.read(_file(tmp_path, "a.csv", b"Name,Phone\nAli\nBob,2,extra\n"))
    assert sheet.headers == ["Name", "Phone", "C"]
    assert sheet.rows == [["Ali", "", ""], ["Bob", "2", "extra"]]


# --- headers --------------------------------------------------------------------------------------------


def test_empty_and_repeated_headers_get_their_column_letters(tmp_path):
    sheet = sheets.read(_file(tmp_path, "a.csv", b"Name,,Phone,Phone\nAli,x,1,2\n"))
    assert sheet.headers == ["Name", "B", "Phone", "Phone (D)"]


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ")]
)
def test_column_letters_are_the_spreadsheets_names(index, letters):
    assert sheets.column_letter(index) == letters


# --- files that are not tables ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"], ids=["empty", "blank lines"])
def test_a_file_without_a_table_is_refused(tmp_path, data):
    with pytest.raises(ValidationError, match="holds no table"):
        sheets.read(_file(tmp_path, "a.csv", data))


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_FILE_BYTES", 10)
    with pytest.raises(ValidationError, match="is larger than"):
        sheets.read(_file(tmp_path, "a.csv", b"Name,Phone\nAli,1\n"))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="cannot be opened"):
        sheets.read(tmp_path / "gone.csv")


def test_a_broken_workbook_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="cannot be read"):
        sheets.read(_file(tmp_path, "a.xlsx", b"not a zip archive"))


# --- workbooks ------------------------------------------------------------------------------------------


def test_a_workbook_is_read_with_its_row_numbers(tmp_path):
    def build(book, ws):
        ws.write_row(0, 0, ["Name", "Phone"])
        ws.write_row(1, 0, ["Ali", "+998901234567"])
        ws.write_row(3, 0, ["Bob", "+998901234568"])

    sheet = sheets.read(_workbook(tmp_path, build))
    assert sheet.is_workbook and sheet.encoding is None
    assert sheet.headers == ["Name", "Phone"]
    assert sheet.rows == [["Ali", "+998901234567"], ["Bob", "+998901234568"]]
    assert sheet.lines == [2, 4]


def test_a_workbook_title_merged_across_the_table_is_skipped(tmp_path):
    def build(book, ws):
        ws.merge_range("A1:C1", "Clients 2024")
        ws.write_row(1, 0, ["Name", "Phone", "Email"])
        ws.write_row(2, 0, ["Ali", "+998901234567", "ali@x.uz"])

    sheet = sheets.read(_workbook(tmp_path, build))
    assert sheet.headers == ["Name", "Phone", "Email"]
    assert sheet.rows == [["Ali", "+998901234567", "ali@x.uz"]]
    assert sheet.lines == [3]


def test_a_two_row_header_of_merged_cells_is_read_as_one(tmp_path):
    def build(book, ws):
        ws.merge_range("A1:A2", "Name")
        ws.merge_range("B1:C1", "Contact")
        ws.write_row(1, 1, ["Phone", "Email"])
        ws.write_row(2, 0, ["Ali", "+998901234567", "ali@x.uz"])

    sheet = sheets.read(_workbook(tmp_path, build))
    assert sheet.headers == ["Name", "Contact: Phone", "Contact: Email"]
    assert sheet.rows == [["Ali", "+998901234567", "ali@x.uz"]]
    assert sheet.lines == [3]


def test_a_title_and_a_merged_header_together(tmp_path):
    def build(book, ws):
        ws.merge_range("A1:D1", "Clients 2024")
        ws.write(1, 0, "Name")
        ws.merge_range("B2:C2", "Contact")
        ws.write(1, 3, "Since")
        ws.write_row(2, 1, ["Phone", "Email"])
        ws.write_row(3, 0, ["Ali", "+998901234567", "ali@x.uz", "2024"])

    sheet = sheets.read(_workbook(tmp_path, build))
    assert sheet.headers == ["Name", "Contact: Phone", "Contact: Email", "Since"]
    assert sheet.lines == [4]


def test_workbook_dates_come_back_as_dates_and_numbers_as_numbers(tmp_path):
    def build(book, ws):
        day = book.add_format({"num_format": "dd.mm.yyyy"})
        ws.write_row(0, 0, ["Name", "Since", "Discount"])
        ws.write(1, 0, "Ali")
        ws.write_datetime(1, 1, datetime(2024, 3, 25), day)
        ws.write_number(1, 2, 0.15)

    sheet = sheets.read(_workbook(tmp_path, build))
    assert sheet.rows == [["Ali", date(2024, 3, 25), 0.15]]


def test_workbook_headers_repeated_or_empty_get_column_letters(tmp_path):
    def build(book, ws):
        ws.write_row(0, 0, ["Name", "Phone", "Name"])
        ws.write(0, 4, "Notes")
        ws.write_row(1, 0, ["Ali", "1", "Vali", "x", "note"])

    sheet = sheets.read(_workbook(tmp_path, build))
    assert sheet.headers == ["Name", "Phone", "Name (C)", "D", "Notes"]


def test_an_empty_workbook_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="holds no table"):
        sheets.read(_workbook(tmp_path, lambda book, ws: None))
