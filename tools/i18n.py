"""The catalogues: `python tools/i18n.py update` gathers every string a person reads from crm_desktop/
into resources/translations/crm_desktop.pot (and warns of f-strings where a template belongs); `merge`
does that and merges it into each <language>.po (new strings empty, changed ones marked fuzzy for the
translator); `compile` writes the <language>.mo the app reads; `check` says what is untranslated, fuzzy
or has other {fields} than its English.

A developer script (Babel), the app never imports it; tests/test_translations.py runs its checks.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "crm_desktop"
TRANSLATIONS = ROOT / "resources" / "translations"
TEMPLATE = TRANSLATIONS / "crm_desktop.pot"
TRANSLATED = ("ru", "uz", "az", "ar")  # English is the source: its text is the message id

# What marks a string for the catalogue (the argument positions of its English text). The services'
# errors take their template first (a ValidationError after the field's name); tr() and translate()
# are Qt's, answered from the same catalogue (crm_desktop/ui/translator.py).
KEYWORDS = {
    "tr": {1: None, 2: ((2, "c"), 1)},  # tr(text) or tr(text, disambiguation): the second is the context
    "translate": {2: (2,), 3: ((3, "c"), 2)},
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "N_plural": (1, 2),  # a counted phrase marked, translated later (crm_desktop/cli/argparse_words.py)
    "Message": None,
    "counted": (1, 2),
    "ServiceError": None,
    "ValidationError": (2,),
    "NotFound": None,
    "PermissionDenied": None,
    "ConflictError": (3,),
    "NotADraft": None,
    "DatabaseBusy": None,
    "DatabaseReadOnly": None,
    "DiskFull": None,
    "DatabaseDamaged": None,
    "DatabaseUnavailable": None,
    "Cancelled": None,
    "CliError": None,
}

# Qt's own words in the window: the standard buttons and a text field's menu. Qt translates them itself
# for Russian and Arabic only; the catalogue answers every context, so it carries them for all.
QT_WORDS = (
    "OK", "&OK", "Save", "&Save", "Save All", "Open", "&Yes", "Yes to &All", "&No", "N&o to All", "Abort",
    "Retry", "Ignore", "Close", "&Close", "Cancel", "&Cancel", "Discard", "Don't Save", "Help", "Apply",
    "Reset", "Restore Defaults", "&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Delete", "Select All",
)  # fmt: skip

FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z_0-9]*)(?:[:!][^}]*)?\}")


def fields(text: str) -> set[str]:
    """The {fields} a template is filled in with ({{ and }} are braces, no field)."""
    return set(FIELD.findall(text))


def template() -> Catalog:
    catalog = Catalog(project="CRM Desktop", fuzzy=False)
    found = extract_from_dir(
        str(SOURCES), [("**.py", "python")], keywords=KEYWORDS, comment_tags=("translators:",)
    )
    for filename, lineno, message, comments, context in found:
        if isinstance(message, tuple) and any(m is None for m in message):
            continue  # a variable or an f-string where a template belongs: the source is to be fixed
        if not message:
            continue
        catalog.add(
            message, locations=[(f"crm_desktop/{filename}", lineno)], auto_comments=comments, context=context
        )
    for word in QT_WORDS:
        catalog.add(word, locations=[("Qt", 0)], auto_comments=["Qt's own word (a standard button or menu)"])
    return catalog


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream, locale=language)


def _write(path: Path, catalog: Catalog) -> None:
    for message in catalog:
        # Babel reads gettext's "#| msgid" (the wording a fuzzy entry was translated from) as a comment
        # of the translator's and would keep it for good: it goes, and update() sets it again where due.
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    out = io.BytesIO()
    write_po(out, catalog, width=110, sort_output=False, omit_header=False, include_previous=True)
    text = out.getvalue()
    if not path.exists() or path.read_bytes() != text:
        path.write_bytes(text)


def update() -> Catalog:
    """The template written again from the source (the translations are left alone: see merge)."""
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    pot = template()
    _write(TEMPLATE, pot)
    print(f"{TEMPLATE.relative_to(ROOT)}: {sum(1 for m in pot if m.id)} strings")
    return pot


def merge() -> None:
    """The template into each language's catalogue: new strings empty, changed ones fuzzy."""
    pot = update()
    for language in TRANSLATED:
        path = TRANSLATIONS / f"{language}.po"
        catalog = (
            _read(path, language)
            if path.exists()
            else Catalog(locale=language, project="CRM Desktop", fuzzy=False)
        )
        catalog.update(pot, update_creation_date=False)
        catalog.obsolete.clear()  # git keeps what was; the file holds what is used
        _write(path, catalog)
        print(f"{path.relative_to(ROOT)}: {sum(1 for m in catalog if m.id)} strings")


def compiled(language: str) -> bytes:
    out = io.BytesIO()
    write_mo(out, _read(TRANSLATIONS / f"{language}.po", language), use_fuzzy=False)
    return out.getvalue()


def compile_all() -> None:
    for language in TRANSLATED:
        (TRANSLATIONS / f"{language}.mo").write_bytes(compiled(language))
        print(f"{language}.mo written")


def problems(language: str) -> Iterator[str]:
    """Every string of `language` a reader would meet in English, half done or with other fields."""
    catalog = _read(TRANSLATIONS / f"{language}.po", language)
    expected = {m.id for m in template() if m.id}
    have = {m.id for m in catalog if m.id}
    for missing in sorted(map(str, expected - have), key=str):
        yield f"{language}: not in the catalogue (run tools/i18n.py update): {missing!r}"
    for message in catalog:
        if not message.id:
            continue
        yield from _message_problems(language, message, catalog.num_plurals)


def _message_problems(language: str, message: Message, plurals: int) -> Iterator[str]:
    english = message.id if isinstance(message.id, tuple) else (message.id,)
    translated = message.string if isinstance(message.string, tuple) else (message.string,)
    if message.fuzzy:
        yield f"{language}: marked fuzzy (check and clear the flag): {english[0]!r}"
    if not all(translated) or (isinstance(message.id, tuple) and len(translated) != plurals):
        yield f"{language}: not translated: {english[0]!r}"
        return
    wanted = set().union(*(fields(e) for e in english))
    for text in translated:
        if fields(text) - wanted or (fields(english[0]) - fields(text) - {"n"}):
            yield f"{language}: other fields than the English {sorted(wanted)}: {english[0]!r} → {text!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "merge", "compile", "check"))
    command = parser.parse_args(argv).command
    if command == "update":
        update()
    elif command == "merge":
        merge()
    elif command == "compile":
        compile_all()
    else:
        found = [p for language in TRANSLATED for p in problems(language)]
        print("\n".join(found) or "every string translated")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
