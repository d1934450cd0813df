"""The command line run in-process, with every path under tmp."""

from __future__ import annotations

import argparse
import gettext

import pytest
from os_conditions import make_read_only, small_disk  # noqa: F401 - fixtures: real full disks, read-only files

from crm_desktop import i18n
from crm_desktop.cli import main


@pytest.fixture
def run(tmp_path, capsys):
    """run(*args) -> (exit code, stdout, stderr), with every path under tmp."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--base-dir", str(tmp_path / "home"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


class Marked(gettext.NullTranslations):
    """A catalogue that answers each word with itself in ⟨⟩, so what was put through the catalogue shows."""

    def gettext(self, message: str) -> str:
        return f"⟨{message}⟩"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"⟨{msgid1 if n == 1 else msgid2}⟩"

    def pgettext(self, context: str, message: str) -> str:
        return f"⟨{message}⟩"


@pytest.fixture
def marked(monkeypatch):
    """Russian answered by a Marked catalogue: the test sees which words went through the catalogue,
    whether or not resources/translations/ru.po has them yet."""
    monkeypatch.setitem(i18n._catalogues, "ru", Marked())
    # argparse as Python has it, so only what main() does routes its words (a test before may have)
    monkeypatch.setattr(argparse, "_", gettext.gettext)
    monkeypatch.setattr(argparse, "ngettext", gettext.ngettext)
    monkeypatch.setenv("COLUMNS", "200")  # --help on one line per option, whatever the terminal
