"""The layers only point down: ui → services → db, and pdf draws what services hand it (issue 13, item 4).

Spans db/, pdf/, services/ and ui/ (the imports of every module in them). Every import statement is
read with `ast`, including those inside functions (a function-level import is still a dependency, only a
hidden one).
Imports under `if TYPE_CHECKING:` are left out: a name used only in annotations never runs, and the rule is
about what the running app loads. A second check imports the lower layers in a fresh interpreter and
looks at what got loaded, which also catches an import done through `importlib`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "crm_desktop"

# layer (a folder of the package) → the packages it must never import
RULES = {
    "db": ("crm_desktop.services", "crm_desktop.ui", "crm_desktop.pdf", "crm_desktop.cli", "crm_desktop.app"),
    "pdf": ("crm_desktop.services", "crm_desktop.ui", "crm_desktop.db", "crm_desktop.cli", "crm_desktop.app"),
    "services": ("crm_desktop.ui", "crm_desktop.cli", "crm_desktop.app"),
    # the composition root (app.py) builds the UI; the UI never reaches back into it
    "ui": ("crm_desktop.db", "crm_desktop.cli", "crm_desktop.app"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import that can run, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from crm_desktop import app` imports crm_desktop.app; `from x import name` imports x
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _forbidden(name: str, banned: tuple[str, ...]) -> str | None:
    return next((b for b in banned if name == b or name.startswith(b + ".")), None)


def layer_violations(layer: str) -> list[str]:
    problems = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for line, name in _imports(path):
            if banned := _forbidden(name, RULES[layer]):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {banned} ({name})")
    return problems


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_nothing_from_above(layer):
    problems = layer_violations(layer)
    rule = f"crm_desktop/{layer}/ must not import {', '.join(RULES[layer])}:\n"
    assert not problems, rule + "\n".join(problems)


def test_the_reader_sees_hidden_relative_and_from_package_imports(tmp_path, monkeypatch):
    """The rule would be toothless if a function-level, relative or `from crm_desktop import x` import
    slipped past it: each of these is caught, while a TYPE_CHECKING-only import is not counted."""
    fake = tmp_path / "crm_desktop"
    (fake / "ui").mkdir(parents=True)
    (fake / "ui" / "__init__.py").write_text("")
    (fake / "ui" / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from crm_desktop.db.engine import Database\n"
        "def later():\n"
        "    from ..db import models\n"
        "    from crm_desktop import app\n"
        "    import crm_desktop.db.urls\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert layer_violations("ui") == [
        "crm_desktop/ui/bad.py:5 imports crm_desktop.db (crm_desktop.db.models)",
        "crm_desktop/ui/bad.py:6 imports crm_desktop.app (crm_desktop.app)",
        "crm_desktop/ui/bad.py:7 imports crm_desktop.db (crm_desktop.db.urls)",
    ]


LOADED = """
import importlib, pkgutil, sys
import crm_desktop.{layer} as pkg
for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):
    importlib.import_module(m.name)
print(' '.join(sorted(name for name in sys.modules if name.startswith(('crm_desktop.',)))))
"""


@pytest.mark.parametrize("layer", ["db", "pdf"])
def test_importing_a_lower_layer_loads_nothing_above_it(layer):
    run = subprocess.run([sys.executable, "-c", LOADED.format(layer=layer)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    above = [name for name in run.stdout.split() if _forbidden(name, RULES[layer])]
    assert not above, f"importing crm_desktop.{layer} loaded {above}"
