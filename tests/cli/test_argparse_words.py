"""argparse's own words in the language the command line speaks: the help's "usage: ", its headings and the
help of -h and --version, and argparse's errors come from our catalogue; every word the running Python's
argparse can say is in argparse_words, so in the catalogue's template; a translation keeps argparse's
%-placeholders, which argparse fills in.

Spans cli/argparse_words.py, cli/__init__.py and tools/i18n.py."""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from crm_desktop import i18n
from crm_desktop.cli import argparse_words

TOOL = Path(__file__).resolve().parents[2] / "tools" / "i18n.py"
spec = importlib.util.spec_from_file_location("i18n_tool", TOOL)
assert spec is not None and spec.loader is not None
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

ARGPARSE_IDS = {*argparse_words.WORDS, *argparse_words.PLURALS}


def heading(title: str, language: str) -> str:
    """A --help heading as argparse writes it: its colon is a word of its own from Python 3.13 on."""
    colon = i18n.gettext("%(heading)s:", language) if sys.version_info >= (3, 13) else "%(heading)s:"
    return colon % {"heading": i18n.gettext(title, language)}


def test_the_help_says_argparses_words_through_the_catalogue(run, capsys, marked):
    with pytest.raises(SystemExit) as stop:
        run("--language", "ru", "--help")
    out = capsys.readouterr().out
    assert stop.value.code == 0
    assert out.startswith("⟨usage: ⟩crm-desktop [-h]")
    lines = out.splitlines()
    assert heading("positional arguments", "ru") in lines and heading("options", "ru") in lines
    assert "⟨show this help message and exit⟩" in out and "⟨show program's version number and exit⟩" in out
    assert "⟨CRM Desktop: clients, deals, tasks and invoices.⟩" in out  # and ours, as before


def test_a_commands_help_too(run, capsys, marked):
    with pytest.raises(SystemExit):
        run("--language", "ru", "users", "add", "--help")
    out = capsys.readouterr().out
    assert out.startswith("⟨usage: ⟩crm-desktop users add [-h]")
    assert heading("positional arguments", "ru") in out.splitlines()
    assert "⟨their user name, which is also their server login⟩" in out


@pytest.mark.parametrize(
    "args, said",
    [
        (["clients", "list", "--format", "xml"], "⟨argument --format: ⟨invalid choice: 'xml'"),
        (["clients"], "⟨the following arguments are required: ACTION⟩"),
        (["demo-data", "--clients"], "⟨argument --clients: ⟨expected one argument⟩⟩"),
        (["tasks", "add", "--client", "abc"], "⟨argument --client: ⟨invalid int value: 'abc'⟩⟩"),
        (["--d"], "⟨ambiguous option: --d could match --database-url, --demo⟩"),
        # the hint is found in argparse's sentence in whatever language it was said
        (
            ["clients", "list", "--serch", "k"],
            "⟨unrecognized arguments: --serch k⟩⟨; did you mean --search?⟩",
        ),
    ],
)
def test_argparses_errors_through_the_catalogue_in_one_line(run, capsys, marked, args, said):
    with pytest.raises(SystemExit) as stop:
        run("--language", "ru", *args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1
    assert said in err and err.startswith("⟨crm-desktop")  # in our own one line: "{prog}: error: …"


def test_argparse_counts_with_the_catalogues_plural_and_its_own_error_line(capsys, marked):
    argparse_words.install()
    i18n.set_language("ru")
    parser = argparse.ArgumentParser(prog="pairs")  # argparse's own error(), not our one line
    parser.add_argument("--pair", nargs=2)
    with pytest.raises(SystemExit):
        parser.parse_args(["--pair", "a"])
    err = capsys.readouterr().err
    assert err.startswith("⟨usage: ⟩pairs [-h]")
    assert "⟨pairs: error: ⟨argument --pair: ⟨expected 2 arguments⟩⟩" in err


def test_help_and_errors_in_russian_as_the_catalogue_has_them(run, capsys, monkeypatch):
    """The shipped catalogue itself (English words until ru.po translates them, then Russian)."""
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit):
        run("--language", "ru", "--help")
    out = capsys.readouterr().out
    assert out.startswith(i18n.gettext("usage: ", "ru") + "crm-desktop ")
    assert heading("options", "ru") in out.splitlines()
    assert i18n.gettext("show this help message and exit", "ru") in out
    with pytest.raises(SystemExit):
        run("--language", "ru", "clients")
    wanted = i18n.gettext("the following arguments are required: %s", "ru") % "ACTION"
    assert wanted in capsys.readouterr().err


def _said_by_argparse() -> set[str | tuple[str, str]]:
    """Every word the running Python's argparse puts through _() or ngettext()."""
    from babel.messages.extract import extract_python

    with open(argparse.__file__, "rb") as source:
        found = list(extract_python(source, {"_": None, "ngettext": (1, 2)}, [], {}))
    said: set[str | tuple[str, str]] = set()
    for _, _, message, _ in found:
        if isinstance(message, list | tuple):
            said.add((message[0], message[1]))
        elif message is not None:  # None: _() of a variable
            said.add(message)
    return said


def test_every_word_of_this_pythons_argparse_is_listed_and_in_the_template():
    said = _said_by_argparse()
    assert "usage: " in said and ("expected %s argument", "expected %s arguments") in said
    assert said - ARGPARSE_IDS == set(), "add them to crm_desktop/cli/argparse_words.py"
    template = {m.id for m in tool.template() if m.id}
    assert ARGPARSE_IDS - template == set()


PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")


def placeholders(text: str) -> Counter[tuple[str, str]]:
    """What `%` fills in: (name, conversion) of each %(name)s, ("", conversion) of each %s ("%%" is no
    placeholder)."""
    return Counter((name, kind) for name, kind in PLACEHOLDER.findall(text) if kind != "%")


@pytest.mark.parametrize("language", tool.TRANSLATED)
def test_a_translation_of_argparses_words_keeps_its_placeholders(language):
    """argparse fills the translation in with `%`: a placeholder missing, renamed or added fails there
    (KeyError, "not all arguments converted") instead of in a test. (tools/i18n.py check compares the
    {fields}; whether each word is translated at all is tests/test_translations.py's.)"""
    catalog = tool._read(tool.TRANSLATIONS / f"{language}.po", language)
    wrong = []
    for message in catalog:
        plural = isinstance(message.id, list | tuple)
        if (tuple(message.id) if plural else message.id) not in ARGPARSE_IDS:
            continue
        wanted = placeholders(message.id[-1] if plural else message.id)
        translated = message.string if plural else (message.string,)
        wrong += [text for text in translated if text and placeholders(text) != wanted]
    assert wrong == []


def test_a_placeholder_lost_or_renamed_is_told_apart():
    english = placeholders("%(prog)s: error: %(message)s\n")
    assert placeholders("%(prog)s: ошибка: %(message)s\n") == english
    assert placeholders("%(prog)s: ошибка: %(сообщение)s\n") != english
    assert placeholders("%(prog)s: ошибка\n") != english
    assert placeholders("ожидается %s аргумент") == placeholders("expected %s arguments")
    assert placeholders("ожидается аргумент") != placeholders("expected %s arguments")
    assert placeholders("100%% %s") == placeholders("%s")
