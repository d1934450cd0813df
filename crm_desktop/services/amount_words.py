"""A document total in words, as written under the totals of an invoice: English, Russian, Uzbek,
Azerbaijani and Arabic.

The whole units are spelled out and the minor units stay as two (or three) digits, the way banks
and accountants in these countries write it: "One thousand two hundred US dollars and 05 cents",
"Одна тысяча двести долларов США 05 центов", "Bir ming ikki yuz AQSh dollari 05 sent",
"Min iki yüz ABŞ dolları 05 sent", "ألف ومائتا دولار أمريكي و 05 سنتات".
A currency without names in a language is written with its code.

Where the numbers come from (num2words 0.5.14 was checked against known phrases in each language):
- Russian: num2words. It is right for every number we tried in the masculine, but carries the
  feminine into the millions ("две миллиона"), so only the last three digits are asked for in the
  feminine ("две тысячи две турецкие лиры"). The noun after the number (рубль/рубля/рублей) is ours.
- English: ours. num2words writes British English ("one hundred and one", "twenty-one thousand,
  five hundred"); our documents say "one hundred one" with no commas.
- Uzbek: ours. num2words has no Uzbek.
- Azerbaijani: ours. num2words drops "bir" before "min" in any group ending in one, so 11 000 comes
  out as "on min" (10 000) and 101 000 as "yüz min".
- Arabic: ours. num2words writes 2 000 as "ألفا" and 200 as "مئتا" (the forms used only before a
  noun), leaves the tanween off 12 000 "اثنا عشر ألف", writes 102 000 as "مائة و اثنان ألف", and
  puts a space after every "و". Ours writes the counted noun in the form the number asks for: the
  dual after 2, the plural after 3–10, the accusative singular after 11–99, the genitive singular
  after hundreds and thousands, with the number in the gender the noun asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from num2words import num2words  # type: ignore[import-untyped]  # ships no type information (no py.typed)

from crm_desktop.services import money

LANGUAGES = ("en", "ru", "uz", "az", "ar")

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


def russian_form(n: int, forms: tuple[str, str, str]) -> str:
    """The noun form after the number n: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    if 11 <= n % 100 <= 14:
        return forms[2]
    return forms[0] if n % 10 == 1 else forms[1] if 2 <= n % 10 <= 4 else forms[2]


def russian(n: int, feminine: bool = False) -> str:
    """n in Russian words, agreeing with a feminine noun if asked: "двадцать одна тысяча две"."""
    _groups(n)  # the same limit as the other languages
    thousands, last = divmod(n, 1000)
    if feminine and thousands and last:
        # num2words gives gender="f" to every group ("две миллиона"); only the last one agrees
        return f"{num2words(thousands * 1000, lang='ru')} {num2words(last, lang='ru', gender='f')}"
    return str(num2words(n, lang="ru", gender="f" if feminine and not thousands else "m"))


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


# --- Azerbaijani (Latin script) -------------------------------------------------------------------

_AZ_UNITS = ["sıfır", "bir", "iki", "üç", "dörd", "beş", "altı", "yeddi", "səkkiz", "doqquz"]
_AZ_TENS = ["_", "on", "iyirmi", "otuz", "qırx", "əlli", "altmış", "yetmiş", "səksən", "doxsan"]
_AZ_SCALES = ("", "min", "milyon", "milyard", "trilyon")


def azerbaijani(n: int) -> str:
    """n in Azerbaijani words; a lone hundred or thousand has no "bir": yüz, min, but bir milyon."""
    if n == 0:
        return "sıfır"
    words: list[str] = []
    for scale, group in reversed(list(enumerate(_groups(n)))):
        if group:
            hundreds, rest = divmod(group, 100)
            if hundreds:
                words += ([_AZ_UNITS[hundreds]] if hundreds > 1 else []) + ["yüz"]
            if rest >= 10:
                words.append(_AZ_TENS[rest // 10])
            if rest % 10 and not (group == 1 and scale == 1):
                words.append(_AZ_UNITS[rest % 10])
            if scale:
                words.append(_AZ_SCALES[scale])
    return " ".join(words)


# --- Arabic -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """The forms an Arabic noun takes after a number (nominative case)."""

    one: str  # after 1, and in the genitive after 0, 100, 1000...: دولار أمريكي
    two: str  # the dual, which is the number 2 itself: دولاران أمريكيان
    few: str  # the genitive plural after 3–10: دولارات أمريكية
    many: str  # the accusative singular after 11–99: دولاراً أمريكياً
    feminine: bool = False  # a feminine noun takes ثلاث, not ثلاثة (the numbers 3–10 take the other gender)
    two_before_noun: str = ""  # a scale word's dual when a noun follows it: ألفا دولار


_AR_UNITS_M = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"]
_AR_UNITS_F = ["", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر"]
_AR_TENS = ["", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"]
_AR_HUNDREDS = [
    "",
    "مائة",
    "مائتان",
    "ثلاثمائة",
    "أربعمائة",
    "خمسمائة",
    "ستمائة",
    "سبعمائة",
    "ثمانمائة",
    "تسعمائة",
]
_AR_SCALES = (
    None,
    Counted("ألف", "ألفان", "آلاف", "ألفاً", two_before_noun="ألفا"),
    Counted("مليون", "مليونان", "ملايين", "مليوناً", two_before_noun="مليونا"),
    Counted("مليار", "ملياران", "مليارات", "ملياراً", two_before_noun="مليارا"),
    Counted("تريليون", "تريليونان", "تريليونات", "تريليوناً", two_before_noun="تريليونا"),
)


def _ar_below_100(n: int, feminine: bool) -> str:
    """1–99 as a number standing before (or without) its noun: خمسة وعشرون, إحدى عشرة."""
    units = _AR_UNITS_F if feminine else _AR_UNITS_M
    if n <= 10:
        return units[n]
    if n == 11:
        return "إحدى عشرة" if feminine else "أحد عشر"
    if n == 12:
        return "اثنتا عشرة" if feminine else "اثنا عشر"
    if n < 20:
        return units[n - 10] + (" عشرة" if feminine else " عشر")
    tens, unit = divmod(n, 10)
    if not unit:
        return _AR_TENS[tens]
    first = ("إحدى" if feminine else "واحد") if unit == 1 else units[unit]
    return f"{first} و{_AR_TENS[tens]}"


def _ar_counted(group: int, noun: Counted, noun_follows: bool, is_scale: bool) -> str:
    """1–999 of `noun` (a scale word or a currency), the noun included in the form the number asks for.

    noun_follows: another noun comes right after (ألفا دولار, عشرون ألف دولار), so a dual loses its
    ن and an accusative its tanween.
    """
    hundreds, rest = divmod(group, 100)
    head = ("مائتا" if hundreds == 2 and not rest else _AR_HUNDREDS[hundreds]) if hundreds else ""
    if not rest:
        return f"{head} {noun.one}"
    if rest <= 2:
        word = noun.one if rest == 1 else noun.two_before_noun if noun_follows else noun.two
        if is_scale:  # مائة ألف وألف: "مائة وألف" would read as 1 100
            return f"{head} {noun.one} و{word}" if head else word
        # the noun comes first and the number after it as an adjective: دولار أمريكي واحد
        word += " " + (_AR_UNITS_F if noun.feminine else _AR_UNITS_M)[rest]
        return f"{head} و{word}" if head else word
    number = (f"{head} و" if head else "") + _ar_below_100(rest, noun.feminine)
    if rest <= 10:
        return f"{number} {noun.few}"
    return f"{number} {noun.one if noun_follows else noun.many}"


def arabic(n: int, noun: Counted | None = None) -> str:
    """n in Arabic words, with the noun it counts in its right form if given.

    arabic(2000) is "ألفان"; arabic(2000, dollar) is "ألفا دولار أمريكي".
    """
    groups = _groups(n)
    if n == 0:
        return "صفر" + (f" {noun.one}" if noun else "")
    parts = []
    for scale, group in reversed(list(enumerate(groups))):
        if not group:
            continue
        scale_word = _AR_SCALES[scale]
        if scale_word is not None:
            noun_follows = noun is not None and not any(groups[:scale])
            parts.append(_ar_counted(group, scale_word, noun_follows, is_scale=True))
        elif noun is not None:
            parts.append(_ar_counted(group, noun, noun_follows=False, is_scale=False))
        else:
            hundreds, rest = divmod(group, 100)
            words = [_AR_HUNDREDS[hundreds]] if hundreds else []
            parts.append(" و".join(words + ([_ar_below_100(rest, False)] if rest else [])))
    text = " و".join(parts)
    if noun is not None and not groups[0]:  # the noun follows a scale word: ثلاثة آلاف دولار
        text += f" {noun.one}"
    return text


def arabic_form(n: int, noun: Counted) -> str:
    """The noun form after n written in digits: 01 سنت, 02 سنتان, 05 سنتات, 60 سنتاً, 00 سنت."""
    rest = n % 100
    if rest == 2 and n < 100:
        return noun.two
    if rest <= 2:
        return noun.one
    return noun.few if rest <= 10 else noun.many


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
# Azerbaijani: a noun after a number stays singular, as in Uzbek
_AZ_NAMES = {
    "AZN": ("manat", "qəpik"),
    "UZS": ("Özbəkistan somu", "tiyin"),
    "USD": ("ABŞ dolları", "sent"),
    "EUR": ("avro", "sent"),
    "RUB": ("Rusiya rublu", "qəpik"),
    "KZT": ("Qazaxıstan tengesi", "tiyin"),
    "TRY": ("Türkiyə lirəsi", "quruş"),
    "SAR": ("Səudiyyə riyalı", "halala"),
    "AED": ("BƏƏ dirhəmi", "fils"),
    "GBP": ("funt sterlinq", "pens"),
}
_CENT = Counted("سنت", "سنتان", "سنتات", "سنتاً")
_FILS = Counted("فلس", "فلسان", "فلوس", "فلساً")
_QIRSH = Counted("قرش", "قرشان", "قروش", "قرشاً")
_TIYIN = Counted("تيين", "تيينان", "تيينات", "تييناً")
# Arabic: (major, minor); the euro and the tenge do not decline
_AR_NAMES = {
    "USD": (Counted("دولار أمريكي", "دولاران أمريكيان", "دولارات أمريكية", "دولاراً أمريكياً"), _CENT),
    "EUR": (Counted("يورو", "يوروان", "يورو", "يورو"), _CENT),
    "RUB": (
        Counted("روبل روسي", "روبلان روسيان", "روبلات روسية", "روبلاً روسياً"),
        Counted("كوبيك", "كوبيكان", "كوبيكات", "كوبيكاً"),
    ),
    "UZS": (Counted("سوم أوزبكي", "سومان أوزبكيان", "سومات أوزبكية", "سوماً أوزبكياً"), _TIYIN),
    "AZN": (
        Counted("مانات أذربيجاني", "ماناتان أذربيجانيان", "مانات أذربيجانية", "ماناتاً أذربيجانياً"),
        Counted("قبيك", "قبيكان", "قبيكات", "قبيكاً"),
    ),
    "KZT": (Counted("تينغي", "تينغي", "تينغي", "تينغي"), _TIYIN),
    "TRY": (
        Counted("ليرة تركية", "ليرتان تركيتان", "ليرات تركية", "ليرةً تركيةً", feminine=True),
        _QIRSH,
    ),
    "SAR": (
        Counted("ريال سعودي", "ريالان سعوديان", "ريالات سعودية", "ريالاً سعودياً"),
        Counted("هللة", "هللتان", "هللات", "هللةً", feminine=True),
    ),
    "AED": (Counted("درهم إماراتي", "درهمان إماراتيان", "دراهم إماراتية", "درهماً إماراتياً"), _FILS),
    "QAR": (
        Counted("ريال قطري", "ريالان قطريان", "ريالات قطرية", "ريالاً قطرياً"),
        Counted("درهم", "درهمان", "دراهم", "درهماً"),
    ),
    "EGP": (Counted("جنيه مصري", "جنيهان مصريان", "جنيهات مصرية", "جنيهاً مصرياً"), _QIRSH),
    "KWD": (Counted("دينار كويتي", "ديناران كويتيان", "دنانير كويتية", "ديناراً كويتياً"), _FILS),
    "BHD": (Counted("دينار بحريني", "ديناران بحرينيان", "دنانير بحرينية", "ديناراً بحرينياً"), _FILS),
    "OMR": (
        Counted("ريال عماني", "ريالان عمانيان", "ريالات عمانية", "ريالاً عمانياً"),
        Counted("بيسة", "بيستان", "بيسات", "بيسةً", feminine=True),
    ),
    "GBP": (
        Counted("جنيه إسترليني", "جنيهان إسترلينيان", "جنيهات إسترلينية", "جنيهاً إسترلينياً"),
        Counted("بنس", "بنسان", "بنسات", "بنساً"),
    ),
}


def amount_in_words(amount: Decimal, currency: str, language: str) -> str:
    cur = money.currency(currency)
    value = money.quantize(abs(Decimal(amount)), cur.code)
    whole = int(value)
    minor = int((value - whole).scaleb(cur.minor_units))
    digits = f"{minor:0{cur.minor_units}d}" if cur.minor_units else ""
    fraction = f" {digits}/{10**cur.minor_units}" if digits else ""  # for a currency without names
    if language == "en":
        words = english(whole)
        names = _EN_NAMES.get(cur.code)
        if names is None:
            text = f"{words} {cur.code}{fraction}"
        else:
            text = f"{words} {names[0] if whole == 1 else names[1]}"
            if digits:
                text += f" and {digits} {names[2] if minor == 1 else names[3]}"
    elif language == "ru":
        found = _RU_NAMES.get(cur.code)
        if found is None:
            text = f"{russian(whole)} {cur.code}{fraction}"
        else:
            major, feminine, minor_forms = found
            text = f"{russian(whole, feminine)} {russian_form(whole, major)}"
            if digits:
                text += f" {digits} {russian_form(minor, minor_forms)}"
    elif language in ("uz", "az"):
        words, table = (uzbek(whole), _UZ_NAMES) if language == "uz" else (azerbaijani(whole), _AZ_NAMES)
        major_name, minor_name = table.get(cur.code, (cur.code, ""))
        text = f"{words} {major_name}"
        if digits:
            text += f" {digits} {minor_name}" if minor_name else fraction
    elif language == "ar":
        ar_names = _AR_NAMES.get(cur.code)
        if ar_names is None:
            text = f"{arabic(whole)} {cur.code}{fraction}"
        else:
            text = arabic(whole, ar_names[0])
            if digits:  # "و" joins the next word, but stands apart from digits
                text += f" و {digits} {arabic_form(minor, ar_names[1])}"
    else:
        raise ValueError(f"No words for language '{language}'; use one of {', '.join(LANGUAGES)}.")
    first = "İ" if language == "az" and text[:1] == "i" else text[:1].upper()  # Azerbaijani i → İ, ı → I
    return first + text[1:]
