"""Reading imported cells: dates by their column's order, numbers, percentages, phones and emails."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from crm_desktop.services import cell_values as cv
from crm_desktop.services.cell_values import NumberReading, Undecided, ValueProblem
from crm_desktop.services.errors import ValidationError

COMMA = NumberReading(",", shown=True)
POINT = NumberReading(".", shown=True)


# --- the order of a column's dates ---------------------------------------------------------------------


def test_a_day_over_twelve_makes_the_column_day_first():
    assert cv.date_order(["01/02/2024", "25/03/2024"]) == "dmy"


def test_a_month_in_the_second_place_over_twelve_makes_the_column_month_first():
    assert cv.date_order(["01/02/2024", "03/25/2024"]) == "mdy"


def test_dates_that_could_be_read_either_way_leave_the_order_to_the_user():
    assert cv.date_order(["01/02/2024", "03/04/2024", "", None]) is None


def test_dates_with_points_are_day_first():
    assert cv.date_order(["01.02.2024", "03.04.2024"]) == "dmy"


def test_a_column_with_day_first_and_month_first_dates_is_a_problem():
    with pytest.raises(ValueProblem, match="day first and others the month first"):
        cv.date_order(["25/03/2024", "03/25/2024"])


def test_iso_dates_do_not_decide_the_order_of_the_others():
    assert cv.date_order(["2024-12-25", "2024-03-04", "01/02/2024"]) is None
    assert cv.date_order(["2024-12-25", "03/25/2024"]) == "mdy"


def test_workbook_dates_do_not_decide_the_order():
    assert cv.date_order([date(2024, 3, 25), "01/02/2024"]) is None


# --- dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "order", "expected"),
    [
        ("25.03.2024", "dmy", date(2024, 3, 25)),
        ("25/03/2024", "dmy", date(2024, 3, 25)),
        ("03/25/2024", "mdy", date(2024, 3, 25)),
        ("01/02/2024", "dmy", date(2024, 2, 1)),
        ("01/02/2024", "mdy", date(2024, 1, 2)),
        ("2024-03-25", None, date(2024, 3, 25)),
        ("2024-03-25", "mdy", date(2024, 3, 25)),
        ("25.03.24", "dmy", date(2024, 3, 25)),
        ("25.03.69", "dmy", date(2069, 3, 25)),
        ("25.03.70", "dmy", date(1970, 3, 25)),
    ],
)
def test_a_date_is_read_in_its_columns_order(cell, order, expected):
    assert cv.a_date(cell, order) == expected


@pytest.mark.parametrize(
    ("cell", "expected"), [("24/03/05", date(2024, 3, 5)), ("12/03/05", date(2012, 3, 5))]
)
def test_a_short_date_is_read_year_first_when_the_user_chooses_year_month_day(cell, expected):
    # "ymd" is one of the orders the user is offered for a column of short dates (DATE_ORDERS)
    assert cv.a_date(cell, "ymd") == expected


@pytest.mark.parametrize("cell", ["45291", 45291, 45291.0, "45291.75"])
def test_an_excel_serial_number_is_its_date(cell):
    assert cv.a_date(cell, None) == date(2023, 12, 31)


def test_arabic_indic_digits_are_read_as_a_date():
    assert cv.a_date("٢٥.٠٣.٢٠٢٤", "dmy") == date(2024, 3, 25)
    assert cv.a_date("۲۰۲۴-۰۳-۲۵", None) == date(2024, 3, 25)


@pytest.mark.parametrize(
    "cell",
    ["\u200f25.03.2024\u200f", "\u206625.03.2024\u2069", "\u206725.03.2024\u2069", "\u200e\u206825.03.2024"],
)
def test_invisible_direction_marks_around_a_date_are_ignored(cell):
    assert cv.a_date(cell, "dmy") == date(2024, 3, 25)


def test_a_date_that_is_not_in_the_calendar_is_a_problem():
    with pytest.raises(ValueProblem, match="not a date of the calendar"):
        cv.a_date("31.02.2024", "dmy")


def test_words_are_not_a_date():
    with pytest.raises(ValueProblem, match="is not a date"):
        cv.a_date("next Tuesday", "dmy")


def test_an_ambiguous_date_without_an_order_is_undecided():
    with pytest.raises(Undecided):
        cv.a_date("01/02/2024", None)


def test_an_empty_cell_is_no_date():
    assert cv.a_date("", "dmy") is None
    assert cv.a_date(None, "dmy") is None


def test_a_workbook_date_or_datetime_is_its_day():
    assert cv.a_date(date(2024, 3, 25), None) == date(2024, 3, 25)
    assert cv.a_date(datetime(2024, 3, 25, 14, 30), None) == date(2024, 3, 25)


@pytest.mark.parametrize(
    ("cell", "order", "expected"),
    [
        ("25.03.2024 14:30", "dmy", datetime(2024, 3, 25, 14, 30)),
        ("03/25/2024 9:05", "mdy", datetime(2024, 3, 25, 9, 5)),
        ("2024-03-25 14:30", None, datetime(2024, 3, 25, 14, 30)),
        ("2024-03-25T14:30", None, datetime(2024, 3, 25, 14, 30)),
        ("25.03.2024", "dmy", datetime(2024, 3, 25)),
        (datetime(2024, 3, 25, 14, 30), None, datetime(2024, 3, 25, 14, 30)),
    ],
)
def test_a_datetime_keeps_its_time_of_day(cell, order, expected):
    assert cv.a_datetime(cell, order) == expected


def test_a_time_past_the_end_of_the_day_is_a_problem():
    with pytest.raises(ValueProblem, match="not a time of day"):
        cv.a_datetime("25.03.2024 25:30", "dmy")


# --- numbers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("1'234.50", Decimal("1234.50")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("1\u202f234,50", Decimal("1234.50")),
        ("−12,5", Decimal("-12.5")),
        ("١٬٢٣٤٫٥٠", Decimal("1234.50")),
    ],
)
def test_a_number_is_read_as_its_column_writes_it(cell, expected):
    reading = cv.number_reading([cell], default_mark=".")
    assert cv.a_number(cell, reading) == expected


def test_a_value_showing_a_decimal_comma_decides_the_column():
    reading = cv.number_reading(["1 234,50", "1.234,50", "12,5"], default_mark=".")
    assert reading == NumberReading(",", shown=True)


def test_a_value_showing_a_decimal_point_decides_the_column():
    reading = cv.number_reading(["1,234.50", "12.5"], default_mark=",")
    assert reading == NumberReading(".", shown=True)


@pytest.mark.parametrize(("mark", "expected"), [(".", Decimal("1234")), (",", Decimal("1.234"))])
def test_a_column_of_only_thousands_like_values_follows_the_files_habit(mark, expected):
    reading = cv.number_reading(["1,234", "2,000"], default_mark=mark)
    assert reading == NumberReading(mark, shown=False)
    assert cv.a_number("1,234", reading) == expected


def test_a_decimal_comma_elsewhere_in_the_column_makes_1_234_a_fraction():
    reading = cv.number_reading(["1,234", "12,5"], default_mark=".")
    assert cv.a_number("1,234", reading) == Decimal("1.234")


def test_workbook_numbers_are_exact_decimals():
    assert cv.a_number(0.1, POINT) == Decimal("0.1")
    assert cv.a_number(0.1, COMMA) == Decimal("0.1")
    assert cv.a_number(1500, COMMA) == Decimal(1500)


@pytest.mark.parametrize("cell", ["abc", "12,5 som", "1,2,3", "NaN", "Infinity", True])
def test_what_is_not_a_number_is_a_problem(cell):
    with pytest.raises(ValueProblem, match="is not a number"):
        cv.a_number(cell, COMMA)


def test_an_empty_cell_is_no_number():
    assert cv.a_number("", COMMA) is None
    assert cv.a_number(None, COMMA) is None


# --- percentages ----------------------------------------------------------------------------------------


def test_a_percent_sign_in_a_value_makes_the_column_points():
    assert cv.percent_scale("Discount", ["15%", "5"], POINT) == "points"
    assert cv.a_percent("15%", POINT, "points") == Decimal(15)
    assert cv.a_percent("5", POINT, "points") == Decimal(5)


def test_a_percent_sign_in_the_header_makes_the_column_points():
    assert cv.percent_scale("Discount %", [15, 5], POINT) == "points"
    assert cv.a_percent(15, POINT, "points") == Decimal(15)


def test_a_column_of_fractions_is_read_as_percentages():
    cells = [0.15, 0.05, "", None]
    assert cv.percent_scale("Discount", cells, POINT) == "fraction"
    assert [cv.a_percent(c, POINT, "fraction") for c in cells] == [Decimal(15), Decimal(5), None, None]


def test_fractions_written_with_a_decimal_comma_are_percentages_too():
    assert cv.percent_scale("Скидка", ["0,15", "0,05"], COMMA) == "fraction"
    assert cv.a_percent("0,15", COMMA, "fraction") == Decimal(15)


def test_a_value_over_one_makes_the_column_points():
    assert cv.percent_scale("Discount", [0.15, 5], POINT) == "points"
    assert cv.a_percent(0.15, POINT, "points") == Decimal("0.15")


def test_whole_numbers_of_zero_and_one_are_points_not_fractions():
    assert cv.percent_scale("Discount", [0, 1], POINT) == "points"


def test_a_value_with_a_percent_sign_in_a_fraction_column_stays_as_written():
    assert cv.a_percent("15%", POINT, "fraction") == Decimal(15)
    assert cv.a_percent("12,5 %", COMMA, "fraction") == Decimal("12.5")


# --- phones ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "region", "expected"),
    [
        ("90 123 45 67", "UZ", "+998901234567"),
        ("(90) 123-45-67", "UZ", "+998901234567"),
        ("+998 90 123-45-67", "RU", "+998901234567"),
        ("+7 (912) 345-67-89", "UZ", "+79123456789"),
        ("8 912 345 67 89", "RU", "+79123456789"),
        ("00998901234567", "RU", "+998901234567"),
        ("00 998 90 123 45 67", "RU", "+998901234567"),
        ("٩٠ ١٢٣ ٤٥ ٦٧", "UZ", "+998901234567"),
        ("\u200e+998 90 123 45 67\u200e", "UZ", "+998901234567"),
        (998901234567.0, "UZ", "+998901234567"),
    ],
)
def test_a_phone_is_written_in_e164(cell, region, expected):
    assert cv.phones(cell, region) == [expected]


def test_several_phones_in_one_cell_are_split():
    cell = "90 123 45 67; 91 234 56 78, 93 345 67 89 / 94 456 78 90\n95 567 89 01"
    assert cv.phones(cell, "UZ") == [
        "+998901234567",
        "+998912345678",
        "+998933456789",
        "+998944567890",
        "+998955678901",
    ]


def test_the_same_phone_written_twice_in_a_cell_is_kept_once():
    assert cv.phones("90 123 45 67; +998 90 123-45-67", "UZ") == ["+998901234567"]


def test_an_empty_cell_has_no_phones():
    assert cv.phones("", "UZ") == []
    assert cv.phones(None, "UZ") == []


@pytest.mark.parametrize("cell", ["12-ab", "90 123 45", "90 123 45 67; 12-ab"])
def test_what_is_not_a_phone_is_refused(cell):
    with pytest.raises(ValidationError):
        cv.phones(cell, "UZ")


def test_a_short_number_says_which_country_it_was_read_for():
    with pytest.raises(ValueProblem) as refused:
        cv.phones("90 123 45", "UZ")
    assert isinstance(refused.value, ValidationError)
    assert "+998" in refused.value.message


def _read_each(cells: list[str], region: str) -> list[list[str] | str]:
    results: list[list[str] | str] = []
    for cell in cells:
        try:
            results.append(cv.phones(cell, region))
        except ValidationError:
            results.append("refused")
    return results


@pytest.mark.parametrize(
    ("region", "pattern"),
    [
        ("UZ", "90 1{}"),  # Uzbek mobiles
        ("RU", "8 912 3{}"),  # Russian mobiles, national
        ("RU", "8 495 3{}"),  # Moscow
        ("UZ", "71 2{}"),  # Tashkent
        ("UZ", "+998 73 6{}"),  # Fergana: only some numbers after 73 6 are in use
    ],
)
def test_the_shape_cache_never_changes_a_result(region, pattern):
    cells = [pattern.format(f"{(n * 7919) % 1_000_000:06d}") for n in range(200)]
    cv._SHAPES.clear()
    cached = _read_each(
        cells, region
    )  # one number of the shape read by phonenumbers, the rest from the cache
    alone = []
    for cell in cells:
        cv._SHAPES.clear()
        alone.extend(_read_each([cell], region))
    assert [(c, a, b) for c, a, b in zip(cells, cached, alone, strict=True) if a != b] == []


# --- emails ---------------------------------------------------------------------------------------------


def test_an_email_is_lower_cased():
    assert cv.emails(" Vali.Aliyev@Example.COM ") == ["vali.aliyev@example.com"]


def test_several_emails_in_one_cell_are_split_and_kept_once():
    cell = "a@x.uz; b@y.uz, c@z.uz d@w.uz\nA@X.UZ"
    assert cv.emails(cell) == ["a@x.uz", "b@y.uz", "c@z.uz", "d@w.uz"]


@pytest.mark.parametrize("cell", ["vali.example.com", "vali@", "a@x.uz; not-an-email"])
def test_what_is_not_an_email_is_refused(cell):
    with pytest.raises(ValidationError):
        cv.emails(cell)


def test_an_empty_cell_has_no_emails():
    assert cv.emails("") == []
    assert cv.emails(None) == []
