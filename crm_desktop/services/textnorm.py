"""Folding text so that search ignores case, accents, scripts and spelling variants people really type.

`fold` is the sort key's folding: "Oʻgʻiloy", "O'g'iloy" and "ogiloy" fold alike; "Ёлкин" matches
"елкин"; Arabic is matched without harakat, tatweel and alef/ya/ta-marbuta variants. Each script keeps
its own letters, so names sort as their readers expect.

`spellings` is the search's folding, applied alike to what is indexed and to what is typed: one Latin
skeleton for Latin and Cyrillic (Russian, Uzbek, Azerbaijani), so "Бекзод" meets "Bekzod" and
"Алиев" meets "Aliyev" and "Əliyev". docs/search.md lists what meets what, and what is kept apart.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that NFKD does not decompose but that people replace with a plain one on a keyboard
# without the right layout (Azerbaijani, Turkish, Nordic, Arabic variants).
_LETTER_MAP = str.maketrans(
    {
        "ə": "e",
        "ı": "i",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ħ": "h",
        "ى": "ي",  # alef maksura written for ya
        "ة": "ه",  # ta marbuta written as ha
        "ـ": None,  # tatweel: pure stretching
        # Uzbek Latin writes oʻ and gʻ with a turned comma; people type ' ` ʼ or nothing.
        "ʻ": None,
        "ʼ": None,
        "'": None,
        "`": None,
        "’": None,
        "‘": None,
    }
)

# Underscore is not part of a word: it would be a LIKE wildcard in search patterns.
_WORD = re.compile(r"[^\W_]+")
_NOT_DIGITS = re.compile(r"\D+")


def fold(text: str) -> str:
    """Lower-case, accent-free, variant-free form of `text` (spacing and punctuation kept)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_LETTER_MAP)


def words(text: str) -> list[str]:
    """Folded words of `text`; digits stay inside words ('Office 24' → ['office', '24'])."""
    return _WORD.findall(fold(text))


def digits(text: str) -> str:
    """Only the digits of `text`, whatever the script ('+998 (90) 123-45-67' → '998901234567')."""
    found = _NOT_DIGITS.sub("", text)
    return found if found.isascii() else "".join(str(unicodedata.digit(ch)) for ch in found)


def sort_key(name: str) -> str:
    return " ".join(words(name))[:300]


# --- the search skeleton -----------------------------------------------------------------------------
#
# Two rules keep the skeleton honest:
# - A spelling only ever grows: a letter becomes the digraph others write for it (x, х → kh; ш, ş → sh),
#   never a digraph one letter, and a letter's fate depends only on the letters BEFORE it. So the
#   skeleton of a word's beginning is the beginning of the word's skeleton, and matching word beginnings
#   as-you-type works at every keystroke ("Ak" finds "Akhmed" as "Akh" and "Axm" do).
# - Only spellings of one sound meet. Different sounds stay apart even where that would catch a
#   variant: a/e (Karimov ≠ Kerimov, Ahmad ≠ Ahmed), s/z, s/sh, k/g, c/j, o/u.

# 1. Letter by letter, Cyrillic and the Latin letters of one sound onto one Latin spelling. Letters not
#    listed are folded as `fold` does (accents off: ö → o, ü → u, ğ → g, ı → i, é → e).
_TO_LATIN_KEYS = {
    # Russian, as people write it in Latin letters (Sergey, Zhanna, Kholmatov, Yulia).
    **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True)),
    "ё": "yo",
    "ж": "zh",  # Zhasur, and Uzbek Latin j below
    "х": "kh",  # Kholmatov, and Uzbek / Azerbaijani Latin x below
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "yu",
    "я": "ya",
    "ъ": "ь",  # both signs: no letter of their own, but "ye" follows them (rule 2e below)
    # Uzbek Cyrillic, as Uzbek Latin writes it (Ўғилой = Oʻgʻiloy, Қодиров = Qodirov → k).
    "ў": "o",
    "қ": "k",
    "ғ": "g",
    "ҳ": "kh",  # Uzbek h: Russians write х (Рахимов = Rahimov), so h, x, kh, х, ҳ are one
    # Azerbaijani Cyrillic, as Azerbaijani Latin writes it.
    "ә": "a",
    "ҹ": "c",
    "һ": "kh",
    "ө": "o",
    "ү": "u",
    "ҝ": "g",
    "ј": "y",
    # Latin letters for sounds others write with two letters or another letter.
    "ə": "a",  # Əliyev = Aliyev = Алиев (the keyboard's "e" is the second spelling, see below)
    "ş": "sh",  # Şükürov = Shukurov = Шукуров
    "ç": "ch",
    "x": "kh",  # Uzbek and Azerbaijani x: Xolmatov = Kholmatov = Холматов
    "q": "k",  # Uzbek q: Qodirov = Kodirov = Кодиров = Қодиров
    "j": "zh",  # Uzbek j: Jasur = Zhasur = Жасур
}
_TO_LATIN = str.maketrans(_TO_LATIN_KEYS)

# 2. Within a word, left to right, what comes before a letter decides its spelling.
_CONTEXT = (
    # a. A y after i is left out: Aliyev = Aliev = Алиев, Mariya = Maria = Мария, Dmitriy = Dmitri.
    (re.compile(r"(?<=i)y"), ""),
    # e. An e that starts a word or follows a, e, o, u or ь/ъ is "ye", as Russian says it and many write
    #    it: Исаев = Isayev = Isaev, Тухтаев = Tukhtayev, Елена = Yelena = Elena, Эльдар = Eldar.
    (re.compile(r"(?:^|(?<=[aeouь]))e"), "ye"),
    # h. After g an h is left out (Ghofurov = Gʻofurov = Ғофуров); after s, c, z, k it is the second
    #    letter of sh, ch, zh, kh; any other h is the Uzbek/Azerbaijani h that Russian writes х:
    #    Rahimov = Рахимов, Ahmed = Ахмед, Hasan = Xasan = Хасан, Orhan = Orxan.
    (re.compile(r"(?<=g)h"), ""),
    (re.compile(r"(?<![sczk])h"), "kh"),
    (re.compile(r"ь"), ""),
)


@lru_cache(maxsize=8192)
def _skeleton_word(word: str) -> str:
    for pattern, spelling in _CONTEXT:
        word = pattern.sub(spelling, word)
    return word


def _skeleton(text: str) -> tuple[str, ...]:
    """The skeleton words of casefolded `text`."""
    text = text.translate(_TO_LATIN)
    if not text.isascii():  # (most Cyrillic is by now)
        # Accents off, then the table again for a letter that had one (ǰ is j), as `fold` does.
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_TO_LATIN)
    return tuple(w for w in map(_skeleton_word, _WORD.findall(text.translate(_LETTER_MAP))) if w)


# The letters whose plain keyboard spelling (`fold`) is not their skeleton: ş is sh, typed s.
_PLAIN_DIFFERS = re.compile(
    "[" + "".join(ch for ch in _TO_LATIN_KEYS if _skeleton(ch) != _skeleton(fold(ch))) + "]"
)


@lru_cache(maxsize=4096)  # names and email domains repeat (a demo office of 100,000 has a few hundred names)
def spellings(text: str) -> tuple[tuple[str, ...], ...]:
    """The search words of `text` in each way it is spelled, first as written, then, where it differs,
    as typed on a plain keyboard (diacritics dropped: 'Rəşad' is written 'rashad' and typed 'resad').

    A stored name is indexed under both and a typed word looks for both, so whoever types either way
    finds whoever stored either way, as before (the second spelling is the skeleton of `fold`)."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    written = _skeleton(text)
    plain = _skeleton(fold(text)) if _PLAIN_DIFFERS.search(text) else written
    return tuple(s for s in ((written, plain) if plain != written else (written,)) if s)
