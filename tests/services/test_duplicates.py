"""When two clients are the same: a shared email or phone, the same name in any script, a similar name."""

from __future__ import annotations

import pytest

from crm_desktop.services import duplicates
from crm_desktop.services.duplicates import SAME_EMAIL, SAME_NAME, SAME_PHONE, SIMILAR_NAME, Index, Match

# --- name keys ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["VALI ALIYEV", "Vali Əliyev", "Вали Алиев", "Vali Aliev", "Aliyev   Vali"])
def test_a_name_in_another_order_case_or_script_has_the_same_key(name):
    assert duplicates.name_key(name) == duplicates.name_key("Aliyev Vali")


@pytest.mark.parametrize(
    ("written", "other"),
    [("Karimov Bekzod", "Каримов Бекзод"), ("Qodirov Jasur", "Кодиров Жасур"), ("José Pérez", "Jose Perez")],
)
def test_spellings_of_one_name_have_the_same_key(written, other):
    assert duplicates.name_key(written) == duplicates.name_key(other)


@pytest.mark.parametrize(
    ("one", "other"), [("Karimov Bekzod", "Kerimov Bekzod"), ("Aliyev Vali", "Aliyev Valijon")]
)
def test_different_names_have_different_keys(one, other):
    assert duplicates.name_key(one) != duplicates.name_key(other)


def test_a_name_without_words_has_no_key():
    assert duplicates.name_key("  -  ") == ""


# --- phone keys -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "region"),
    [
        ("+998 90 123-45-67", "UZ"),
        ("90 123 45 67", "UZ"),
        ("00998 90 123 45 67", "RU"),
        ("+998901234567", "RU"),
    ],
)
def test_one_phone_written_several_ways_has_one_key(phone, region):
    assert duplicates.phone_key(phone, region) == "998901234567"


def test_a_national_number_gets_its_regions_country_code():
    assert duplicates.phone_key("8 912 345 67 89", "RU") == duplicates.phone_key("+7 912 345-67-89", "UZ")


# --- finding the same client ----------------------------------------------------------------------------


@pytest.fixture
def index() -> Index:
    found = Index("UZ")
    found.add(1, "Aliyev Vali", ["+998 90 123-45-67"], ["Vali@Example.com"])
    found.add(2, "Karimov Bekzod", [], [])
    found.add(3, "Rashidova Dilnoza", ["+998 91 000 00 01"], [])
    return found


def test_the_same_email_in_another_case_is_surely_the_same_client(index):
    assert index.find("Someone Else", [], ["VALI@example.COM"]) == Match(1, SAME_EMAIL, True)


def test_the_same_phone_written_another_way_is_surely_the_same_client(index):
    assert index.find("Someone Else", ["90 123 45 67"], []) == Match(1, SAME_PHONE, True)


def test_the_same_name_without_contacts_to_tell_them_apart_is_surely_the_same(index):
    assert index.find("Vali Aliyev", [], []) == Match(1, SAME_NAME, True)  # the new one has none
    assert index.find("Karimov Bekzod", ["+998 93 111 11 11"], []) == Match(2, SAME_NAME, True)  # the old one


def test_the_same_name_in_another_script_is_the_same_name(index):
    assert index.find("Вали Алиев", [], []) == Match(1, SAME_NAME, True)


def test_the_same_name_with_different_phones_on_both_sides_is_not_sure(index):
    assert index.find("Rashidova Dilnoza", ["+998 93 111 11 11"], []) == Match(3, SAME_NAME, False)


def test_the_same_name_with_a_different_email_is_not_sure(index):
    assert index.find("Aliyev Vali", [], ["other@example.com"]) == Match(1, SAME_NAME, False)


def test_a_one_letter_typo_is_a_similar_name_not_a_sure_one(index):
    assert index.find("Karimov Bekzood", [], []) == Match(2, SIMILAR_NAME, False)


def test_similar_false_skips_the_search_for_similar_names(index):
    assert index.find("Karimov Bekzood", [], [], similar=False) is None
    assert index.find("Vali Aliyev", [], [], similar=False) == Match(1, SAME_NAME, True)


@pytest.mark.parametrize("name", ["Petrov Ivan", "Kerimova Leyla", ""])
def test_a_clearly_different_client_is_no_match(index, name):
    assert index.find(name, ["+998 94 555 55 55"], ["new@example.com"]) is None


def test_the_first_client_with_a_contact_is_the_one_found():
    index = Index("UZ")
    index.add("row 2", "Aliyev Vali", ["+998 90 123 45 67"], [])
    index.add("row 5", "Aliyev Vali", ["90 123 45 67"], [])
    assert index.find("Anyone", ["+998901234567"], []) == Match("row 2", SAME_PHONE, True)


@pytest.mark.parametrize(
    ("stored", "typed"), [("Şükürov Rəşad", "Sukurov Resad"), ("Öztürk Ayşe", "Ozturk Ayse")]
)
def test_a_name_typed_without_its_diacritics_is_the_same_name(stored, typed):
    # the module's promise ("as search folds them"): search finds the one by typing the other
    index = Index("AZ")
    index.add(1, stored, [], [])
    assert index.find(typed, [], []) == Match(1, SAME_NAME, True)
