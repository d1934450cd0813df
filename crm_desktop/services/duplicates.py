"""Which clients are the same person or company written twice: the rules an import and Clients → Find
duplicates share.

Two clients are the same when they share an email or a phone number, or when their names are the same
words in any order and script as search folds them ("Aliyev Vali", "Vali Əliyev", "Валий Алиев" — see
services/textnorm.py); they are perhaps the same when their names are similar (a letter or two apart:
"Karimov Bekzod", "Karimov Bekzood", by rapidfuzz). Similar names are compared only with names that
begin their words alike, so 100,000 names are checked in a moment and not in the hours comparing each
with each would take.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from crm_desktop.i18n import LOCALE_NAMES, N_
from crm_desktop.services.textnorm import digits, spellings

SAME_EMAIL = N_("same email")
SAME_PHONE = N_("same phone")
SAME_NAME = N_("same name")
SIMILAR_NAME = N_("similar name")
# A name this similar (rapidfuzz's ratio of the folded words, 0–100) is perhaps the same person.
SIMILAR = 88
# An email or phone this many clients have is a shared one (an office's info@, its reception): it does not
# make them one client.
SHARED_BY = 3


def office_region(language: str) -> str:
    """The country of the office's language (Uzbek: UZ), where phone numbers without a code are from."""
    return LOCALE_NAMES.get(language, "en_GB").rsplit("_", 1)[-1]


def name_key(name: str) -> str:
    """The name's words as search spells them, in alphabetical order: alike for the same name written
    in another order, case or script."""
    return next(iter(name_keys(name)), "")


def name_keys(name: str) -> list[str]:
    """`name_key` of each way the name is spelled: as written, and as typed without its diacritics
    ("Şükürov Rəşad" is also "sukurov resad")."""
    return [" ".join(sorted(words)) for words in spellings(name)]


def _block(key: str) -> str:
    return " ".join(word[:2] for word in key.split()[:3])


def phone_key(phone: str, region: str) -> str:
    """A phone number's digits with its country code: "+998 90 123-45-67" and "90 123 45 67" (written in
    Uzbekistan, `region` UZ) meet."""
    written = phone.strip()
    if written.startswith("+"):
        return digits(written)
    if written.startswith("00"):
        return digits(written)[2:]
    import phonenumbers

    try:
        number = phonenumbers.parse(written, region)
    except phonenumbers.NumberParseException:
        return digits(written)
    return f"{number.country_code}{number.national_number}"


@dataclass(frozen=True)
class Match:
    ref: Hashable  # what the index was given for the record that matched (a client id, a row)
    reason: str  # one of SAME_EMAIL, SAME_PHONE, SAME_NAME, SIMILAR_NAME
    sure: bool  # the same for certain (email, phone, name), not only similar


class Index:
    """Records by email, phone, name and name block; `find` says which indexed record a new one is."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.emails: dict[str, Hashable] = {}
        self.phones: dict[str, Hashable] = {}
        self.names: dict[str, tuple[Hashable, bool]] = {}  # the first with the name, and if it has contacts
        self.blocks: dict[str, list[tuple[str, Hashable]]] = defaultdict(list)
        self.uses: Counter[str] = Counter()  # how many records have each email and phone

    def count(self, phones: Iterable[str], emails: Iterable[str]) -> None:
        """One more record has these (counted ahead of `add` when all records are known at once, so the
        first ones with a shared mailbox are not taken for one either)."""
        self.uses.update({*(e.casefold() for e in emails), *(phone_key(p, self.region) for p in phones)})

    def _shared(self, key: str) -> bool:
        return self.uses[key] >= SHARED_BY

    def add(
        self, ref: Hashable, name: str, phones: Iterable[str], emails: Iterable[str], *, counted: bool = False
    ) -> None:
        """The record indexed; its email and phones counted too, unless `count` did it already."""
        phones, emails = list(phones), list(emails)
        if not counted:
            self.count(phones, emails)
        contacts = False
        for email in emails:
            self.emails.setdefault(email.casefold(), ref)
            contacts = True
        for phone in phones:
            if key := phone_key(phone, self.region):
                self.phones.setdefault(key, ref)
                contacts = True
        for key in name_keys(name):
            if key not in self.names:
                self.names[key] = (ref, contacts)
                self.blocks[_block(key)].append((key, ref))

    def find(
        self, name: str, phones: Iterable[str], emails: Iterable[str], *, similar: bool = True
    ) -> Match | None:
        """The record this one is: sure by a shared email or phone, or by the same name when one of the
        two has no contacts to tell them apart; two of one name with different phones are perhaps one."""
        emails, phones = list(emails), list(phones)
        for email in emails:
            key = email.casefold()
            if (ref := self.emails.get(key)) is not None and not self._shared(key):
                return Match(ref, SAME_EMAIL, True)
        for phone in phones:
            key = phone_key(phone, self.region)
            if (ref := self.phones.get(key)) is not None and not self._shared(key):
                return Match(ref, SAME_PHONE, True)
        keys = name_keys(name)
        if not keys:
            return None
        for key in keys:
            if (named := self.names.get(key)) is not None:
                ref, contacts = named
                return Match(ref, SAME_NAME, not (contacts and (emails or phones)))
        key = keys[0]
        if similar and (candidates := self.blocks.get(_block(key))):
            from rapidfuzz import fuzz, process

            best = process.extractOne(
                key, [k for k, _ in candidates], scorer=fuzz.ratio, score_cutoff=SIMILAR
            )
            if best is not None:
                return Match(candidates[best[2]][1], SIMILAR_NAME, False)
        return None
