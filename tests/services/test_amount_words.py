"""Totals in words as they appear under an invoice's totals, in English, Russian and Uzbek."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.services.amount_words import amount_in_words, english, russian, uzbek


@pytest.mark.parametrize(
    "n, en, ru, uz",
    [
        (0, "zero", "ноль", "nol"),
        (7, "seven", "семь", "yetti"),
        (15, "fifteen", "пятнадцать", "oʻn besh"),
        (21, "twenty-one", "двадцать один", "yigirma bir"),
        (100, "one hundred", "сто", "bir yuz"),
        (342, "three hundred forty-two", "триста сорок два", "uch yuz qirq ikki"),
        (1000, "one thousand", "одна тысяча", "bir ming"),
        (2001, "two thousand one", "две тысячи один", "ikki ming bir"),
        (11_000, "eleven thousand", "одиннадцать тысяч", "oʻn bir ming"),
        (
            21_512,
            "twenty-one thousand five hundred twelve",
            "двадцать одна тысяча пятьсот двенадцать",
            "yigirma bir ming besh yuz oʻn ikki",
        ),
        (1_000_000, "one million", "один миллион", "bir million"),
        (
            3_004_000_090,
            "three billion four million ninety",
            "три миллиарда четыре миллиона девяносто",
            "uch milliard toʻrt million toʻqson",
        ),
    ],
)
def test_numbers_in_words(n, en, ru, uz):
    assert (english(n), russian(n), uzbek(n)) == (en, ru, uz)


@pytest.mark.parametrize(
    "amount, currency, language, words",
    [
        ("1200.05", "USD", "en", "One thousand two hundred US dollars and 05 cents"),
        ("1.01", "USD", "en", "One US dollar and 01 cent"),
        ("1200.05", "USD", "ru", "Одна тысяча двести долларов США 05 центов"),
        ("2.50", "RUB", "ru", "Два рубля 50 копеек"),
        ("21.01", "RUB", "ru", "Двадцать один рубль 01 копейка"),
        ("2.00", "TRY", "ru", "Две турецкие лиры 00 курушей"),
        ("5", "TRY", "ru", "Пять турецких лир 00 курушей"),
        ("1400000", "UZS", "uz", "Bir million toʻrt yuz ming soʻm 00 tiyin"),
        ("1200.05", "USD", "uz", "Bir ming ikki yuz AQSh dollari 05 sent"),
        ("12.345", "KWD", "en", "Twelve KWD 345/1000"),
        ("1500", "JPY", "ru", "Одна тысяча пятьсот JPY"),
    ],
)
def test_amounts_with_their_currency(amount, currency, language, words):
    assert amount_in_words(Decimal(amount), currency, language) == words


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="en, ru, uz"):
        amount_in_words(Decimal(1), "USD", "de")
