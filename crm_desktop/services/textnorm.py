"""Folding text so that search ignores case, accents and spelling variants people really type.

"Oʻgʻiloy", "O'g'iloy" and "ogiloy" fold alike; "Əliyev" matches "Aliyev"'s neighbour "eliyev";
"Ёлкин" matches "елкин"; Arabic is matched without harakat, tatweel and alef/ya/ta-marbuta variants.
The same folding is applied to what is stored and to what is typed, so the two always meet.
"""

from __future__ import annotations

import re
import unicodedata

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
_DIGITS = re.compile(r"\d")


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
    return "".join(str(unicodedata.digit(ch)) for ch in text if _DIGITS.match(ch))


def sort_key(name: str) -> str:
    return " ".join(words(name))[:300]
