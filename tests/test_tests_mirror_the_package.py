"""Tests mirror the package: tests/<part>/test_<module>.py tests crm_desktop/<part>/<module>.py.

A test module that follows a scenario across modules instead says so in its docstring, with a line
beginning "Spans" that names the modules (paths under crm_desktop/, or migrations/ at the top), so a
reader knows where to look.
Spans nothing of the app: it reads the test tree.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PACKAGE = REPO / "crm_desktop"
SPANNED = re.compile(r"\b((?:[a-z_]+/)*[a-z_]+(?:\.py|/))")


def _mirrored(test: Path) -> bool:
    part = test.parent.relative_to(TESTS)
    name = test.stem.removeprefix("test_")
    base = PACKAGE / part
    candidates = [base / name / "__init__.py", *base.rglob(f"{name}.py")]  # ui/test_send_mail: ui/invoices/
    head, _, tail = name.partition("_")
    if tail:  # tests/ui/test_clients_view.py → crm_desktop/ui/clients/view.py
        candidates.append(base / head / f"{tail}.py")
    return any(c.is_file() for c in candidates)


def _spans(test: Path) -> list[str]:
    doc = ast.get_docstring(ast.parse(test.read_text(encoding="utf-8"))) or ""
    lines = " ".join(doc.split("\n")).split("Spans ", 1)
    return SPANNED.findall(lines[1].split(". ")[0]) if len(lines) == 2 else []


def test_every_test_module_mirrors_a_module_or_says_what_it_spans():
    lost = []
    for test in sorted(TESTS.rglob("test_*.py")):
        if test.parent in (TESTS / "perf", TESTS / "support") or test == Path(__file__):
            continue
        if _mirrored(test):
            continue
        spanned = _spans(test)
        missing = [p for p in spanned if not ((PACKAGE / p).exists() or (REPO / p).exists())]
        if not spanned or missing:
            lost.append(
                f"{test.relative_to(TESTS.parent)}: "
                + (f"names modules that do not exist: {missing}" if missing else 'no "Spans …" line')
            )
    assert not lost, "\n".join(lost)
