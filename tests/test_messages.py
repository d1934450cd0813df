"""Every error a user reads leaves the code as a message id: a template the catalogue holds, never a finished
English sentence (a service raises a user-facing error without a message id otherwise).

Spans crm_desktop/services, crm_desktop/db and crm_desktop/cli. Each module is read with `ast`; every
construction of an error a user reads (ServiceError and its subclasses, DatabaseOpenError and its, CliError,
found from the class definitions) must give its message as
- a string literal, for the classes tools/i18n.py extracts by name (its KEYWORDS),
- a `Message(...)` or `Message.counted(...)`, or a call of a function of these packages declared to return
  a Message (problems.message, explain_open_error, ...),
- another error's message (`exc.said`), or a local name bound only to one of the above,
and never an f-string, a `%`, `+` or `.format()` expression, or any other value: those are sentences put
together in English, which no translation can reach.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("services", "db", "cli")
ROOTS = ("ServiceError", "DatabaseOpenError", "CliError")  # the errors whose message a user reads
# Named in the rule this test holds; it fails if one of them is no longer found as a user's error.
EXPECTED = {
    "ServiceError", "ValidationError", "NotFound", "PermissionDenied", "ConflictError", "MergeConflict",
    "NotADraft", "Cancelled", "DatabaseBusy", "DatabaseReadOnly", "DiskFull", "DatabaseDamaged",
    "DatabaseUnavailable", "CliError",
}  # fmt: skip


def modules(root: Path = REPO) -> list[Path]:
    return sorted(p for package in PACKAGES for p in (root / "crm_desktop" / package).rglob("*.py"))


def _name(node: ast.expr) -> str | None:
    """The last name of a called thing: `NotFound`, `errors.NotFound`, `Message.counted` → counted."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@dataclass(frozen=True)
class Rules:
    message_at: dict[str, int | None]  # error class → position of its message argument (None: it has none)
    helpers: frozenset[str]  # functions declared to return a Message
    extracted: frozenset[str]  # classes whose literal message the catalogue picks up


def _keywords(root: Path) -> frozenset[str]:
    tree = ast.parse((root / "tools" / "i18n.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "KEYWORDS" for t in node.targets):
            assert isinstance(node.value, ast.Dict)
            return frozenset(k.value for k in node.value.keys if isinstance(k, ast.Constant))
    raise AssertionError("tools/i18n.py has no KEYWORDS")


def _returns_a_message(function: ast.FunctionDef) -> bool:
    return function.returns is not None and any(
        getattr(n, "id", None) == "Message" for n in ast.walk(function.returns)
    )


def _message_position(init: ast.FunctionDef) -> int | None:
    params = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]  # without self
    return params.index("message") if "message" in params else None


def rules(root: Path = REPO) -> Rules:
    classes: dict[str, tuple[list[str], ast.FunctionDef | None]] = {}
    helpers: set[str] = set()
    for path in modules(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                init = next(
                    (f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None
                )
                classes[node.name] = ([b for b in map(_name, node.bases) if b], init)
            elif isinstance(node, ast.FunctionDef) and _returns_a_message(node):
                helpers.add(node.name)

    def position(name: str) -> int | None:  # where its own __init__ takes the message, or its base's
        bases, init = classes[name]
        if init is not None:
            return _message_position(init)
        base = next((b for b in bases if b in classes), None)
        return 0 if base is None else position(base)  # Exception's: the first argument

    found = set(ROOTS)
    while grown := {n for n, (bases, _) in classes.items() if n not in found and found & set(bases)}:
        found |= grown
    return Rules({name: position(name) for name in found}, frozenset(helpers), _keywords(root))


def _bindings(function: ast.AST | None, name: str) -> list[ast.expr] | None:
    """What `name` is bound to in `function` (plain assignments and :=), or None if bound otherwise."""
    if function is None:
        return None
    values: list[ast.expr] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            values.append(node.value)
        elif isinstance(node, (ast.NamedExpr, ast.AnnAssign)) and getattr(node.target, "id", None) == name:
            if node.value is None:
                continue
            values.append(node.value)
        elif isinstance(node, ast.arg) and node.arg == name:
            return None  # a parameter: whatever the caller passes
    return values or None


def _is_message(node: ast.expr, rules: Rules, function: ast.AST | None, extracted: bool, seen=()) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and extracted  # a literal: an id only where it is extracted
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in ("Message", "counted"):
            return True
        return name in rules.helpers
    if isinstance(node, ast.Attribute):
        return node.attr == "said"  # another error's (or a probe's) Message
    if isinstance(node, ast.IfExp):
        return all(_is_message(n, rules, function, extracted, seen) for n in (node.body, node.orelse))
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return all(_is_message(n, rules, function, extracted, seen) for n in node.values)
    if isinstance(node, ast.Name) and node.id not in seen:
        bound = _bindings(function, node.id)
        return bound is not None and all(
            _is_message(v, rules, function, extracted, (*seen, node.id)) for v in bound
        )
    return False  # an f-string, "..." % x, "..." + x, "...".format(x), or any other value


def _why(node: ast.expr) -> str:
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.BinOp):
        return "text put together with % or +"
    if isinstance(node, ast.Call) and _name(node.func) == "format":
        return "text filled in with .format()"
    if isinstance(node, ast.Constant):
        return "a literal the catalogue does not extract for this class: wrap it in Message()"
    return f"{ast.unparse(node)!r}, not a Message"


def problems_in(path: Path, rules: Rules, root: Path = REPO) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def enclosing(node: ast.AST) -> ast.AST | None:
        around = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
        return max(around, key=lambda f: f.lineno, default=None)  # the innermost

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or (error := _name(node.func)) not in rules.message_at:
            continue
        at = rules.message_at[error]
        message = next((k.value for k in node.keywords if k.arg == "message"), None)
        if message is None and at is not None and len(node.args) > at:
            message = node.args[at]
        if message is None or (isinstance(message, ast.Constant) and message.value is None):
            continue  # the class's own message
        if not _is_message(message, rules, enclosing(node), error in rules.extracted):
            where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
            yield f"{where}: {error} is given {_why(message)}; give it a template and its fields"


RULES = rules()


def test_the_errors_a_user_reads_are_all_found():
    assert not EXPECTED - set(RULES.message_at), sorted(EXPECTED - set(RULES.message_at))
    assert RULES.message_at["ValidationError"] == 1 and RULES.message_at["ConflictError"] == 2
    assert RULES.message_at["MergeConflict"] is None  # it words its own message
    assert {"message", "explain_open_error"} <= RULES.helpers


@pytest.mark.parametrize(
    "path",
    modules(),
    ids=lambda p: p.relative_to(REPO / "crm_desktop").as_posix(),
)
def test_user_facing_errors_have_a_message_id(path):
    found = list(problems_in(path, RULES))
    assert not found, "a user-facing error without a message id:\n" + "\n".join(found)
