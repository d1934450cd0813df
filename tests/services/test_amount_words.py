"""Totals in words as they appear under an invoice's totals: English, Russian, Uzbek, Azerbaijani, Arabic.

Every expected phrase is written out by hand: these are the known right answers, not the code's output.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.services.amount_words import (
    LANGUAGES,
    amount_in_words,
    arabic,
    azerbaijani,
    english,
    russian,
    uzbek,
)


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
    "n, words",
    [
        (1, "одна"),
        (2, "две"),
        (12, "двенадцать"),
        (22, "двадцать две"),
        (2000, "две тысячи"),
        (2002, "две тысячи две"),
        (2_000_000, "два миллиона"),
        # num2words alone would say "две миллиона две тысячи две" and "одна миллион"
        (2_002_002, "два миллиона две тысячи две"),
        (21_001_001, "двадцать один миллион одна тысяча одна"),
        (1_000_000_001, "один миллиард одна"),
    ],
)
def test_russian_numbers_agree_with_a_feminine_noun_in_the_last_group_only(n, words):
    assert russian(n, feminine=True) == words


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "sıfır"),
        (1, "bir"),
        (2, "iki"),
        (5, "beş"),
        (11, "on bir"),
        (21, "iyirmi bir"),
        (100, "yüz"),
        (101, "yüz bir"),
        (115, "yüz on beş"),
        (342, "üç yüz qırx iki"),
        (1000, "min"),
        (1001, "min bir"),
        (1100, "min yüz"),
        (2000, "iki min"),
        (5000, "beş min"),
        (11_000, "on bir min"),  # num2words: "on min", which is 10 000
        (21_000, "iyirmi bir min"),  # num2words: "iyirmi min"
        (101_000, "yüz bir min"),  # num2words: "yüz min"
        (1_000_000, "bir milyon"),
        (2_500_000, "iki milyon beş yüz min"),
        (
            1_234_567_890,
            "bir milyard iki yüz otuz dörd milyon beş yüz altmış yeddi min səkkiz yüz doxsan",
        ),
    ],
)
def test_azerbaijani_numbers(n, words):
    assert azerbaijani(n) == words


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "صفر"),
        (1, "واحد"),
        (2, "اثنان"),
        (5, "خمسة"),
        (11, "أحد عشر"),
        (21, "واحد وعشرون"),
        (100, "مائة"),
        (101, "مائة وواحد"),
        (115, "مائة وخمسة عشر"),
        (200, "مائتان"),
        (342, "ثلاثمائة واثنان وأربعون"),
        (1000, "ألف"),
        (1001, "ألف وواحد"),
        (2000, "ألفان"),  # num2words: "ألفا", the form used only before a noun
        (3000, "ثلاثة آلاف"),
        (5000, "خمسة آلاف"),
        (11_000, "أحد عشر ألفاً"),  # num2words: "أحد عشر ألف"
        (21_000, "واحد وعشرون ألفاً"),
        (101_000, "مائة ألف وألف"),  # not "مائة وألف", which reads as 1 100
        (102_000, "مائة ألف وألفان"),  # num2words: "مائة و اثنان ألف"
        (200_000, "مائتا ألف"),
        (1_000_000, "مليون"),
        (2_500_000, "مليونان وخمسمائة ألف"),
        (
            1_234_567_890,
            "مليار ومائتان وأربعة وثلاثون مليوناً وخمسمائة وسبعة وستون ألفاً وثمانمائة وتسعون",
        ),
    ],
)
def test_arabic_numbers(n, words):
    assert arabic(n) == words


@pytest.mark.parametrize(
    "amount, currency, language, words",
    [
        # English, Russian and Uzbek as they were before Azerbaijani and Arabic came
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
        # Russian from num2words, with the nouns ours
        ("0.01", "RUB", "ru", "Ноль рублей 01 копейка"),
        ("1", "EUR", "ru", "Один евро 00 центов"),
        ("2.02", "AZN", "ru", "Два маната 02 гяпика"),
        ("5000", "USD", "ru", "Пять тысяч долларов США 00 центов"),
        ("21000", "KZT", "ru", "Двадцать одна тысяча тенге 00 тиынов"),
        ("1001", "TRY", "ru", "Одна тысяча одна турецкая лира 00 курушей"),
        ("2002002", "TRY", "ru", "Два миллиона две тысячи две турецкие лиры 00 курушей"),
        (
            "1234567890.99",
            "RUB",
            "ru",
            "Один миллиард двести тридцать четыре миллиона пятьсот шестьдесят семь тысяч "
            "восемьсот девяносто рублей 99 копеек",
        ),
        # Azerbaijani: the noun stays singular after a number
        ("1200.05", "USD", "az", "Min iki yüz ABŞ dolları 05 sent"),
        ("2000", "USD", "az", "İki min ABŞ dolları 00 sent"),
        ("1", "AZN", "az", "Bir manat 00 qəpik"),
        ("21.50", "AZN", "az", "İyirmi bir manat 50 qəpik"),
        ("1000000", "AZN", "az", "Bir milyon manat 00 qəpik"),
        ("0.05", "EUR", "az", "Sıfır avro 05 sent"),
        ("11000", "RUB", "az", "On bir min Rusiya rublu 00 qəpik"),
        ("1400000", "UZS", "az", "Bir milyon dörd yüz min Özbəkistan somu 00 tiyin"),
        ("3.10", "KZT", "az", "Üç Qazaxıstan tengesi 10 tiyin"),
        (
            "1234567890.99",
            "AZN",
            "az",
            "Bir milyard iki yüz otuz dörd milyon beş yüz altmış yeddi min səkkiz yüz doxsan manat 99 qəpik",
        ),
        ("12.345", "KWD", "az", "On iki KWD 345/1000"),
        ("1500", "JPY", "az", "Min beş yüz JPY"),
        # Arabic: the noun takes the form its number asks for
        ("1", "USD", "ar", "دولار أمريكي واحد و 00 سنت"),
        ("2", "USD", "ar", "دولاران أمريكيان اثنان و 00 سنت"),
        ("3", "USD", "ar", "ثلاثة دولارات أمريكية و 00 سنت"),
        ("11", "USD", "ar", "أحد عشر دولاراً أمريكياً و 00 سنت"),
        ("100", "USD", "ar", "مائة دولار أمريكي و 00 سنت"),
        ("101", "USD", "ar", "مائة ودولار أمريكي واحد و 00 سنت"),
        ("1200.05", "USD", "ar", "ألف ومائتا دولار أمريكي و 05 سنتات"),
        ("1401.60", "USD", "ar", "ألف وأربعمائة ودولار أمريكي واحد و 60 سنتاً"),
        ("2000", "USD", "ar", "ألفا دولار أمريكي و 00 سنت"),
        ("20000", "USD", "ar", "عشرون ألف دولار أمريكي و 00 سنت"),
        ("2500000", "USD", "ar", "مليونان وخمسمائة ألف دولار أمريكي و 00 سنت"),
        ("0.50", "USD", "ar", "صفر دولار أمريكي و 50 سنتاً"),
        ("5", "EUR", "ar", "خمسة يورو و 00 سنت"),
        ("2.02", "TRY", "ar", "ليرتان تركيتان اثنتان و 02 قرشان"),
        ("3", "TRY", "ar", "ثلاث ليرات تركية و 00 قرش"),
        ("11", "TRY", "ar", "إحدى عشرة ليرةً تركيةً و 00 قرش"),
        ("21", "TRY", "ar", "إحدى وعشرون ليرةً تركيةً و 00 قرش"),
        ("3000", "AZN", "ar", "ثلاثة آلاف مانات أذربيجاني و 00 قبيك"),
        ("12.345", "KWD", "ar", "اثنا عشر ديناراً كويتياً و 345 فلساً"),
        ("7.003", "BHD", "ar", "سبعة دنانير بحرينية و 003 فلوس"),
        (
            "1234567890.99",
            "SAR",
            "ar",
            "مليار ومائتان وأربعة وثلاثون مليوناً وخمسمائة وسبعة وستون ألفاً وثمانمائة وتسعون "
            "ريالاً سعودياً و 99 هللةً",
        ),
        ("1500", "JPY", "ar", "ألف وخمسمائة JPY"),
    ],
)
def test_amounts_with_their_currency(amount, currency, language, words):
    assert amount_in_words(Decimal(amount), currency, language) == words


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("currency", ["UZS", "USD", "EUR", "RUB", "AZN", "KZT"])
def test_every_language_names_the_currencies_our_offices_use(language, currency):
    assert currency not in amount_in_words(Decimal("1234.56"), currency, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_amount_too_large_to_write_is_refused_in_every_language(language):
    amount_in_words(Decimal("999999999999999"), "USD", language)
    with pytest.raises(ValueError, match="too large"):
        amount_in_words(Decimal("1000000000000000"), "USD", language)


def test_an_unknown_language_is_refused():
    assert LANGUAGES == ("en", "ru", "uz", "az", "ar")
    with pytest.raises(ValueError, match="en, ru, uz, az, ar"):
        amount_in_words(Decimal(1), "USD", "de")
