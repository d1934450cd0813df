"""Every shipped language is complete: each string of the code is in its catalogue, translated, not left
fuzzy, with the same {fields} as its English, and the compiled .mo the app reads is the .po of the repo.

Spans tools/i18n.py, resources/translations and crm_desktop/i18n.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from crm_desktop import i18n

TOOL = Path(__file__).resolve().parents[1] / "tools" / "i18n.py"
spec = importlib.util.spec_from_file_location("i18n_tool", TOOL)
assert spec is not None and spec.loader is not None
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


@pytest.mark.parametrize("language", tool.TRANSLATED)
def test_every_string_is_translated_with_its_fields(language):
    found = list(tool.problems(language))
    assert not found, f"{len(found)} problems; run tools/i18n.py merge, translate, compile:\n" + "\n".join(
        found
    )


@pytest.mark.parametrize("language", tool.TRANSLATED)
def test_the_compiled_catalogue_is_the_one_of_the_sources(language):
    shipped = tool.TRANSLATIONS / f"{language}.mo"
    assert shipped.read_bytes() == tool.compiled(language), "run tools/i18n.py compile"


def test_the_shipped_languages_are_the_apps():
    assert set(tool.TRANSLATED) | {i18n.SOURCE_LANGUAGE} == set(i18n.LANGUAGES)


def test_a_field_mismatch_and_a_missing_plural_form_are_caught():
    from babel.messages.catalog import Message

    wrong = list(tool._message_problems("ru", Message("Call back {name}", "Перезвонить {имя}"), 3))
    assert wrong and "other fields" in wrong[0]
    short = list(
        tool._message_problems("ru", Message(("{n} task", "{n} tasks"), ("{n} задача", "{n} задачи")), 3)
    )
    assert short and "not translated" in short[0]
