"""Guessing which field each imported column fills from headers in five languages, and keeping the choice."""

from __future__ import annotations

import json

import pytest

from crm_desktop.services import import_fields
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.import_fields import Mapping, guess


def _guessed(kind: str, headers: list[str]) -> dict[str, str]:
    """Header → field, as guessed; headers left out are not imported."""
    return {headers[c]: key for c, key in guess(kind, headers).columns.items()}


@pytest.mark.parametrize(
    "headers",
    [
        ["Name", "Phone", "E-mail"],
        ["Ф.И.О.", "Телефон", "Эл. почта"],
        ["ФИО", "Моб. телефон", "Электронная почта"],
        ["Ism", "Telefon", "Elektron pochta"],
        ["F.I.Sh.", "Telefon raqami", "E-pochta"],
        ["Ad", "Telefon", "Elektron poçt"],
        ["الاسم", "الهاتف", "البريد الإلكتروني"],
    ],
    ids=["en", "ru", "ru short", "uz", "uz short", "az", "ar"],
)
def test_client_headers_are_guessed_in_each_language(headers):
    assert _guessed("clients", headers) == dict(zip(headers, ["name", "phones", "emails"], strict=True))


def test_azerbaijani_e_poct_is_an_email_column():
    # "E-poçt" is how Azerbaijani writes "e-mail"; the catalogue's plural "E-poçtlar" is recognised
    assert _guessed("clients", ["Ad", "Telefon", "E-poçt"]) == {
        "Ad": "name",
        "Telefon": "phones",
        "E-poçt": "emails",
    }


def test_more_client_columns_are_guessed():
    headers = ["Клиент", "Компания", "Адрес", "Теги", "Примечание", "Источник", "Статус", "Менеджер"]
    assert list(_guessed("clients", headers).values()) == [
        "name",
        "company",
        "address",
        "tags",
        "notes",
        "source",
        "status",
        "owner",
    ]


def test_a_header_that_starts_with_a_fields_words_is_guessed():
    assert _guessed("clients", ["Name", "Phone (mobile)", "Email address"]) == {
        "Name": "name",
        "Phone (mobile)": "phones",
        "Email address": "emails",
    }


def test_each_field_fills_one_column_only_the_first_that_names_it():
    headers = ["Name", "Phone", "Mobile", "Telefon", "Client"]
    assert _guessed("clients", headers) == {"Name": "name", "Phone": "phones"}


def test_headers_that_name_no_field_are_left_out():
    assert _guessed("clients", ["Name", "Birthday", "Favourite colour", ""]) == {"Name": "name"}


@pytest.mark.parametrize(
    "headers",
    [["Имя", "Фамилия", "Телефон"], ["First name", "Last name", "Phone"], ["Ism", "Familiya", "Telefon"]],
)
def test_first_and_last_name_columns_make_the_name_together(headers):
    assert _guessed("clients", headers) == dict(
        zip(headers, ["first_name", "last_name", "phones"], strict=True)
    )


def test_a_column_under_a_merged_group_is_named_by_its_own_part():
    headers = ["Ism", "Aloqa: Telefon", "Aloqa: Email"]
    assert _guessed("clients", headers) == {
        "Ism": "name",
        "Aloqa: Telefon": "phones",
        "Aloqa: Email": "emails",
    }


def test_deal_headers_are_guessed():
    headers = ["Клиент", "Сделка", "Сумма", "Валюта", "Этап", "Дата закрытия", "Телефон"]
    assert list(_guessed("deals", headers).values()) == [
        "client",
        "title",
        "amount",
        "currency",
        "stage",
        "expected_close",
        "client_phone",
    ]


def test_task_headers_are_guessed():
    headers = ["Задача", "Срок", "Описание", "Приоритет", "Исполнитель", "Клиент"]
    assert list(_guessed("tasks", headers).values()) == [
        "title",
        "due_at",
        "description",
        "priority",
        "assignee",
        "client",
    ]


def test_invoice_line_headers_are_guessed():
    headers = ["№", "Дата", "Клиент", "Услуга", "Кол-во", "Цена", "Сумма", "Скидка", "НДС"]
    assert _guessed("invoices", headers) == {
        "№": "number",
        "Дата": "issue_date",
        "Клиент": "client",
        "Услуга": "description",
        "Кол-во": "quantity",
        "Цена": "unit_price",
        "Скидка": "discount_percent",
        "НДС": "tax_rate",
    }


def test_english_invoice_headers_with_percent_signs_are_guessed():
    headers = ["Invoice number", "Customer", "Item", "Qty", "Unit price", "Discount %", "VAT %"]
    assert list(_guessed("invoices", headers).values()) == [
        "number",
        "client",
        "description",
        "quantity",
        "unit_price",
        "discount_percent",
        "tax_rate",
    ]


# --- keeping a mapping ----------------------------------------------------------------------------------


def test_a_kept_mapping_maps_a_file_with_columns_in_another_order():
    first = ["Name", "Телефон", "Email", "Notes"]
    kept = json.loads(json.dumps(guess("clients", first).to_json(first)))
    second = ["Email", "Notes", "Name", "Телефон"]
    again = Mapping.from_json(kept, second)
    assert again.kind == "clients"
    assert {second[c]: k for c, k in again.columns.items()} == {
        "Name": "name",
        "Телефон": "phones",
        "Email": "emails",
        "Notes": "notes",
    }


def test_a_kept_mapping_ignores_a_new_column_and_a_missing_one():
    first = ["Name", "Phone", "Email"]
    kept = guess("clients", first).to_json(first)
    second = ["Birthday", "Phone", "Name"]
    assert Mapping.from_json(kept, second).columns == {1: "phones", 2: "name"}


def test_a_kept_mapping_finds_its_headers_whatever_their_case_and_spacing():
    kept = {"kind": "clients", "columns": {"Name": "name", "Телефон": "phones"}}
    assert Mapping.from_json(kept, ["NAME ", "телефон"]).columns == {0: "name", 1: "phones"}


def test_a_kept_mapping_is_keyed_by_header():
    headers = ["Name", "Phone"]
    assert guess("clients", headers).to_json(headers) == {
        "kind": "clients",
        "columns": {"Name": "name", "Phone": "phones"},
    }


def test_fields_the_kind_does_not_have_are_ignored():
    kept = {"kind": "clients", "columns": {"Name": "name", "Phone": "shoe_size", "Deal": "title"}}
    assert Mapping.from_json(kept, ["Name", "Phone", "Deal"]).columns == {0: "name"}


def test_a_kept_mapping_of_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        Mapping.from_json({"kind": "nonsense", "columns": {}}, ["Name"])


def test_column_of_finds_the_column_a_field_fills():
    mapping = guess("clients", ["Name", "Phone"])
    assert mapping.column_of("phones") == 1
    assert mapping.column_of("company") is None


def test_an_unknown_kind_of_record_is_refused():
    with pytest.raises(ValidationError) as refused:
        import_fields.fields_of("nonsense")
    assert refused.value.field == "kind" and "nonsense" in refused.value.message
