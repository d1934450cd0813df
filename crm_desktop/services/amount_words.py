"""A document total in words, as written under the totals of an invoice: English, Russian, Uzbek.

The whole units are spelled out and the minor units stay as two (or three) digits, the way banks
and accountants in these countries write it: "One thousand two hundred US dollars and 05 cents",
"Одна тысяча двести долларов США 05 центов", "Bir ming ikki yuz AQSh dollari 05 sent".
A currency without names in a language is written with its code.
"""

from __future__ import annotations

from decimal import Decimal

from crm_desktop.services import money

LANGUAGES = ("en", "ru", "uz")

# --- English ------------------------------------------------------------------------------------

_EN_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_SCALES = ("", "thousand", "million", "billion", "trillion")


def _en_below_1000(n: int) -> list[str]:
    words = [_EN_SMALL[n // 100], "hundred"] if n >= 100 else []
    n %= 100
    if n >= 20:
        words.append(_EN_TENS[n // 10] + (f"-{_EN_SMALL[n % 10]}" if n % 10 else ""))
    elif n or not words:
        words.append(_EN_SMALL[n])
    return words


def english(n: int) -> str:
    if n == 0:
        return "zero"
    words: list[str] = []
    for scale, group in reversed(list(enumerate(_groups(n)))):
        if group:
            words += _en_below_1000(group) + ([_EN_SCALES[scale]] if scale else [])
    return " ".join(words)


# --- Russian ------------------------------------------------------------------------------------

_RU_UNITS_M = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_RU_UNITS_F = ["ноль", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_RU_TEENS = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
]
_RU_TENS = [
    "_",
    "_",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
]
_RU_HUNDREDS = [
    "_",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
]
# (one, few, many) and whether the word is feminine
_RU_SCALES = (
    (("", "", ""), False),
    (("тысяча", "тысячи", "тысяч"), True),
    (("миллион", "миллиона", "миллионов"), False),
    (("миллиард", "миллиарда", "миллиардов"), False),
    (("триллион", "триллиона", "триллионов"), False),
)


def russian_form(n: int, forms: tuple[str, str, str]) -> str:
    """The noun form after the number n: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    if 11 <= n % 100 <= 14:
        return forms[2]
    return forms[0] if n % 10 == 1 else forms[1] if 2 <= n % 10 <= 4 else forms[2]


def _ru_below_1000(n: int, feminine: bool) -> list[str]:
    words = [_RU_HUNDREDS[n // 100]] if n >= 100 else []
    n %= 100
    if 10 <= n < 20:
        words.append(_RU_TEENS[n - 10])
    else:
        if n >= 20:
            words.append(_RU_TENS[n // 10])
        if n % 10:
            words.append((_RU_UNITS_F if feminine else _RU_UNITS_M)[n % 10])
    return words


def russian(n: int, feminine: bool = False) -> str:
    if n == 0:
        return "ноль"
    words: list[str] = []
    for scale, group in reversed(list(enumerate(_groups(n)))):
        if group:
            forms, scale_feminine = _RU_SCALES[scale]
            words += _ru_below_1000(group, scale_feminine if scale else feminine)
            if scale:
                words.append(russian_form(group, forms))
    return " ".join(words)


# --- Uzbek (Latin script) -------------------------------------------------------------------------

_UZ_UNITS = ["nol", "bir", "ikki", "uch", "toʻrt", "besh", "olti", "yetti", "sakkiz", "toʻqqiz"]
_UZ_TENS = ["_", "oʻn", "yigirma", "oʻttiz", "qirq", "ellik", "oltmish", "yetmish", "sakson", "toʻqson"]
_UZ_SCALES = ("", "ming", "million", "milliard", "trillion")


def uzbek(n: int) -> str:
    if n == 0:
        return "nol"
    words: list[str] = []
    for scale, group in reversed(list(enumerate(_groups(n)))):
        if group:
            if group >= 100:
                words += [_UZ_UNITS[group // 100], "yuz"]
            if group % 100 >= 10:
                words.append(_UZ_TENS[group % 100 // 10])
            if group % 10:
                words.append(_UZ_UNITS[group % 10])
            if scale:
                words.append(_UZ_SCALES[scale])
    return " ".join(words)


def _groups(n: int) -> list[int]:
    """n in groups of three digits, the lowest first: 1 234 567 → [567, 234, 1]."""
    if n >= 10**15:
        raise ValueError(f"{n} is too large to write in words")
    out = []
    while n:
        n, group = divmod(n, 1000)
        out.append(group)
    return out


# --- currencies ---------------------------------------------------------------------------------

# English: (major singular, major plural, minor singular, minor plural)
_EN_NAMES = {
    "UZS": ("Uzbek som", "Uzbek som", "tiyin", "tiyin"),
    "AZN": ("manat", "manat", "qapik", "qapik"),
    "USD": ("US dollar", "US dollars", "cent", "cents"),
    "EUR": ("euro", "euro", "cent", "cents"),
    "RUB": ("Russian ruble", "Russian rubles", "kopeck", "kopecks"),
    "KZT": ("tenge", "tenge", "tiyn", "tiyn"),
    "TRY": ("Turkish lira", "Turkish liras", "kurus", "kurus"),
    "SAR": ("Saudi riyal", "Saudi riyals", "halala", "halalas"),
    "AED": ("UAE dirham", "UAE dirhams", "fils", "fils"),
    "GBP": ("pound sterling", "pounds sterling", "penny", "pence"),
}
# Russian: (major one/few/many, major feminine, minor one/few/many)
_RU_NAMES = {
    "UZS": (("сум", "сума", "сумов"), False, ("тийин", "тийина", "тийинов")),
    "AZN": (("манат", "маната", "манатов"), False, ("гяпик", "гяпика", "гяпиков")),
    "USD": (("доллар США", "доллара США", "долларов США"), False, ("цент", "цента", "центов")),
    "EUR": (("евро", "евро", "евро"), False, ("цент", "цента", "центов")),
    "RUB": (("рубль", "рубля", "рублей"), False, ("копейка", "копейки", "копеек")),
    "KZT": (("тенге", "тенге", "тенге"), False, ("тиын", "тиына", "тиынов")),
    "TRY": (("турецкая лира", "турецкие лиры", "турецких лир"), True, ("куруш", "куруша", "курушей")),
    "SAR": (
        ("саудовский риял", "саудовских рияла", "саудовских риялов"),
        False,
        ("халала", "халалы", "халал"),
    ),
    "AED": (("дирхам ОАЭ", "дирхама ОАЭ", "дирхамов ОАЭ"), False, ("филс", "филса", "филсов")),
}
# Uzbek: a noun after a number stays singular
_UZ_NAMES = {
    "UZS": ("soʻm", "tiyin"),
    "AZN": ("manat", "qopik"),
    "USD": ("AQSh dollari", "sent"),
    "EUR": ("yevro", "sent"),
    "RUB": ("Rossiya rubli", "kopeyka"),
    "KZT": ("tenge", "tiyin"),
    "TRY": ("Turkiya lirasi", "kurush"),
    "SAR": ("Saudiya riyoli", "halala"),
    "AED": ("BAA dirhami", "fils"),
}


def amount_in_words(amount: Decimal, currency: str, language: str) -> str:
    cur = money.currency(currency)
    value = money.quantize(abs(Decimal(amount)), cur.code)
    whole = int(value)
    minor = int((value - whole).scaleb(cur.minor_units))
    digits = f"{minor:0{cur.minor_units}d}" if cur.minor_units else ""
    if language == "en":
        words = english(whole)
        names = _EN_NAMES.get(cur.code)
        if names is None:
            text = f"{words} {cur.code}" + (f" {digits}/{10**cur.minor_units}" if digits else "")
        else:
            text = f"{words} {names[0] if whole == 1 else names[1]}"
            if digits:
                text += f" and {digits} {names[2] if minor == 1 else names[3]}"
    elif language == "ru":
        found = _RU_NAMES.get(cur.code)
        if found is None:
            text = f"{russian(whole)} {cur.code}" + (f" {digits}/{10**cur.minor_units}" if digits else "")
        else:
            major, feminine, minor_forms = found
            text = f"{russian(whole, feminine)} {russian_form(whole, major)}"
            if digits:
                text += f" {digits} {russian_form(minor, minor_forms)}"
    elif language == "uz":
        major_name, minor_name = _UZ_NAMES.get(cur.code, (cur.code, ""))
        text = f"{uzbek(whole)} {major_name}"
        if digits:
            text += f" {digits} {minor_name}" if minor_name else f" {digits}/{10**cur.minor_units}"
    else:
        raise ValueError(f"No words for language '{language}'; use one of {', '.join(LANGUAGES)}.")
    return text[:1].upper() + text[1:]
