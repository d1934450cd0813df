"""Every word the window shows goes through the catalogue: no bare string literal is handed to a widget, a
message box or an action, and tr() is never given an f-string or a variable (the catalogue could not
find it). Read from the source with `ast`, so a new widget cannot slip by unseen.

Spans crm_desktop/ui."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import crm_desktop.ui

UI = Path(crm_desktop.ui.__file__).parent

# What puts text in front of a user: methods of widgets, items and painters, and the classes made with one.
TEXT_METHODS = {
    "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "setStatusTip", "setWhatsThis",
    "addItem", "insertItem", "setItemText", "addAction", "addMenu", "setTitle", "setLabelText",
    "showMessage", "setAccessibleName", "addTab", "setTabText", "setSuffix", "setPrefix",
    "setSpecialValueText", "setHeaderLabels", "setHorizontalHeaderLabels", "addButton",
    "setInformativeText", "setDetailedText", "drawText", "addRow",
}  # fmt: skip
TEXT_CLASSES = {
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QToolButton",
    "QMessageBox", "QMenu", "QListWidgetItem", "QTreeWidgetItem", "QTableWidgetItem", "QCommandLinkButton",
}  # fmt: skip
MESSAGE_BOX = {"information", "warning", "critical", "question", "about"}
TEXT_KEYWORDS = {"text", "title", "toolTip", "windowTitle", "placeholderText"}
TRANSLATE = {"tr", "translate", "gettext", "ngettext"}
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not "✕", "▾", "%" or "14:30"


def _name(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _shows_text(call: ast.Call) -> bool:
    name = _name(call)
    if name in TEXT_METHODS or name in TEXT_CLASSES:
        return True
    f = call.func
    return (
        name in MESSAGE_BOX and isinstance(f, ast.Attribute) and getattr(f.value, "id", None) == "QMessageBox"
    )


def _literals(node: ast.AST) -> Iterator[ast.Constant]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            yield from _literals(element)
    elif isinstance(node, ast.JoinedStr):
        yield from (v for v in node.values if isinstance(v, ast.Constant))
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    """The calls, leaving out the bodies of the modules' own tr(text) helpers and of the translator (which
    hand on what they are given; their callers' literals are what is checked)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef) and node.name in ("tr", "translate"):
            continue
        if isinstance(node, ast.Call):
            yield node
        yield from _calls(node)


def problems(source: str, where: str) -> Iterator[str]:
    for node in sorted(_calls(ast.parse(source)), key=lambda call: (call.lineno, call.col_offset)):
        if _shows_text(node):
            given = [*node.args, *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
            for literal in (c for a in given for c in _literals(a)):
                if WORD.search(literal.value):
                    yield f"{where}:{literal.lineno}: {_name(node)}({literal.value!r}) is not translated"
        elif _name(node) in TRANSLATE and node.args:
            text = node.args[1] if _name(node) == "translate" and len(node.args) > 1 else node.args[0]
            if not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
                yield f"{where}:{node.lineno}: {_name(node)}() is given {ast.unparse(text)}, not a literal"


def test_the_window_shows_no_word_the_catalogue_does_not_know():
    found = [
        problem
        for path in sorted(UI.rglob("*.py"))
        for problem in problems(path.read_text(encoding="utf-8"), str(path.relative_to(UI.parent.parent)))
    ]
    assert not found, "\n".join(found)


def test_the_scan_catches_a_bare_label_an_action_and_an_untranslatable_tr():
    source = """
QLabel("Clients")
menu.addAction(QAction("&Quit", self))
QMessageBox.warning(self, self.tr("Title"), "Something went wrong")
self.tr(f"Hello {name}")
QLabel(self.tr("Fine")); QToolButton(text="✕"); edit.setPlaceholderText("31.12.2026")
"""
    found = list(problems(source, "x.py"))
    assert [p.split(": ", 1)[1] for p in found] == [
        "QLabel('Clients') is not translated",
        "QAction('&Quit') is not translated",
        "warning('Something went wrong') is not translated",
        "tr() is given f'Hello {name}', not a literal",
    ]
