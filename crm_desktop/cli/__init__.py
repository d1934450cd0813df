"""`crm-desktop`: the window without a subcommand; subcommands for scripting and administration.

This module parses and dispatches; each command group lives in a module of its own (db, clients, tasks,
invoices, server) with `add_parsers` and `run`. Nothing heavy is imported before the arguments are
parsed, so `--version` answers at once. Errors a user can fix are one line on stderr and a non-zero
exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from crm_desktop import __version__, i18n
from crm_desktop.cli import (
    argparse_words,
    backup,
    clients,
    db,
    imports,
    invoices,
    jobs,
    report,
    server,
    tasks,
    timesheet,
    workload,
)
from crm_desktop.cli.output import CliError
from crm_desktop.i18n import ENV_LANGUAGE, LANGUAGES

PROG = "crm-desktop"
# subcommand → the module whose run(db, args) does it; `db` and `demo-data` go to cli/db.py, which also
# needs what opening the database found (the upgrade)
COMMANDS = {
    "clients": clients,
    "tasks": tasks,
    "invoices": invoices,
    "invoice": invoices,
    "server": server,
    "users": server,
    "import": imports,
    "jobs": jobs,
    "templates": jobs,
    "workload": workload,
    "time": timesheet,
    "report": report,
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the whole usage block
        said = i18n.gettext("{prog}: error: {message}{hint} (see '{prog} --help')").format(
            prog=self.prog, message=message, hint=_did_you_mean(self, message)
        )
        self.exit(2, said + "\n")


def _options(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of `parser` and of its subcommands, at any depth."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def _did_you_mean(parser: argparse.ArgumentParser, message: str) -> str:
    # argparse's "unrecognized arguments: %s", in the language it was said in
    before, _, after = i18n.gettext("unrecognized arguments: %s").partition("%s")
    if not (message.startswith(before) and message.endswith(after)):
        return ""
    words = message[len(before) : len(message) - len(after)]
    typed = [word.split("=")[0] for word in words.split() if word.startswith("--")]
    close = [m for word in typed for m in difflib.get_close_matches(word, sorted(_options(parser)), n=1)]
    if not close:
        return ""
    return i18n.gettext("; did you mean {options}?").format(options=i18n.gettext(" or ").join(close))


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=i18n.gettext("CRM Desktop: clients, deals, tasks and invoices."))
    p.add_argument(  # its help is argparse's own, put through gettext by Python 3.13 on only
        "--version",
        action="version",
        version=f"{PROG} {__version__}",
        help=i18n.gettext("show program's version number and exit"),
    )
    p.add_argument(
        "--database-url",
        metavar="URL",
        help=i18n.gettext("sqlite:///path/to/file.sqlite3 or postgresql://user@host:port/database"),
    )
    p.add_argument(
        "--base-dir",
        metavar="DIR",
        type=Path,
        help=i18n.gettext("keep data, settings and logs under DIR instead of the user folders"),
    )
    p.add_argument(
        "--demo", action="store_true", help=i18n.gettext("open the app on a fresh throwaway demo database")
    )
    p.add_argument(
        "--language",
        metavar="CODE",
        choices=LANGUAGES,
        help=i18n.gettext(
            "speak one of {languages} (default: ${variable}, the saved choice, the system's)"
        ).format(languages=", ".join(LANGUAGES), variable=ENV_LANGUAGE),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    db.add_parsers(sub, _positive)
    clients.add_parsers(sub, _positive)
    tasks.add_parsers(sub)
    invoices.add_parsers(sub)
    server.add_parsers(sub)
    backup.add_parsers(sub)
    imports.add_parsers(sub)
    jobs.add_parsers(sub)
    workload.add_parsers(sub, _positive)
    report.add_parsers(sub, _positive)
    timesheet.add_parsers(sub)
    _database_url_after_the_command(sub)
    return p


def _database_url_after_the_command(sub: argparse._SubParsersAction) -> None:
    """`crm-desktop clients list --database-url X` as well as `crm-desktop --database-url X clients list`."""
    for parser in sub.choices.values():
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            _database_url_after_the_command(nested[0])
        elif "--database-url" not in parser._option_string_actions:
            parser.add_argument(
                "--database-url",
                metavar="URL",
                default=argparse.SUPPRESS,
                help=i18n.gettext("as before the command"),
            )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            i18n.gettext("'{text}' is not a whole number").format(text=text)
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(i18n.gettext("must be 1 or more (got {value})").format(value=value))
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(_language_before_parsing(argv))  # --help and a refused option speak it too
    argparse_words.install()  # and argparse's own words in them ("usage: ", "invalid choice: …")
    parser = _parser()
    args = parser.parse_args(argv)  # exits with code 2 and one usage line on bad options
    if args.demo and (args.command or args.database_url):
        parser.error(
            i18n.gettext(
                "--demo opens the window on its own throwaway database; "
                "it takes no command and no --database-url"
            )
        )
    from crm_desktop.config import Paths

    paths = Paths.under(args.base_dir) if args.base_dir else Paths.default()
    args.chosen_language = _chosen_language(args, paths)
    i18n.set_language(i18n.choose(args.chosen_language, _system_language()))
    try:
        return _run(args, paths)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into a line on stderr
        message = _explain(exc, paths)
        print(i18n.gettext("{prog}: error: {message}").format(prog=PROG, message=message), file=sys.stderr)
        return 1


def _explain(exc: Exception, paths) -> str:
    from crm_desktop.db.urls import BadDatabaseUrl
    from crm_desktop.logs import log_problem, log_unexpected

    if isinstance(exc, (CliError, BadDatabaseUrl)):  # what the user typed: the line says it all
        return str(exc)
    message = _words(exc)
    if message is None:
        written = log_unexpected(paths, exc)
        first_line = next(iter(str(exc).strip().splitlines()), "")  # the rest (SQL, parameters) is in the log
        if written:
            return i18n.gettext("unexpected {error}: {line}. Details were written to {log}").format(
                error=type(exc).__name__, line=first_line, log=paths.log_file
            )
        return i18n.gettext("unexpected {error}: {line}.").format(error=type(exc).__name__, line=first_line)
    # What the database or the system said behind the sentence goes to the log, for whoever helps.
    if exc.__cause__ is not None and log_problem(paths, exc, message):
        return i18n.gettext("{message} Details were written to {log}").format(
            message=message, log=paths.log_file
        )
    return message


def _words(exc: Exception) -> str | None:
    """The sentence for an error a user can do something about, or None for a bug."""
    from sqlalchemy.exc import DBAPIError

    from crm_desktop.db import problems
    from crm_desktop.services.errors import ServiceError

    if isinstance(exc, problems.DatabaseOpenError):
        return str(exc)
    if isinstance(exc, ServiceError):
        return exc.message if not hasattr(exc, "field") else f"{exc.field}: {exc.message}"
    if isinstance(exc, DBAPIError) and (problem := problems.kind(exc)) is not None:
        return problems.message(
            problem, None
        ).render()  # a write outside the services' unit of work (demo data)
    return None


def _chosen_language(args: argparse.Namespace, paths) -> str | None:
    """The language asked for: --language, the environment, then the user's saved choice (the settings
    of the real user folders, also for --demo, whose own go away); None leaves it to the system."""
    from crm_desktop.config import Settings

    candidates = (args.language, i18n.from_environment(), Settings(paths.settings_file).get("language"))
    return next((code for c in candidates if (code := i18n.language_of(c))), None)


def _language_before_parsing(argv: Sequence[str]) -> str:
    """The language to speak while the arguments are read (the help, a refused option): the choice of
    _chosen_language, read from the raw arguments; the whole choice is made again once they are parsed."""
    from crm_desktop.config import Paths, Settings

    def typed(option: str) -> str | None:
        for i, word in enumerate(argv):
            # options of the app come before its command ("invoice pdf --language" is the document's)
            if word == "--" or word in (*COMMANDS, "db", "demo-data"):
                break
            if word == option and i + 1 < len(argv):
                return argv[i + 1]
            if word.startswith(option + "="):
                return word.split("=", 1)[1]
        return None

    base_dir = typed("--base-dir")
    try:
        paths = Paths.under(Path(base_dir)) if base_dir else Paths.default()
        saved = Settings(paths.settings_file).get("language")
    except OSError:  # a folder that cannot be read: the system's language until the arguments are read
        saved = None
    return i18n.choose(typed("--language"), i18n.from_environment(), saved, _system_language())


def _system_language() -> str | None:
    import locale

    return (
        next((v for k in ("LC_ALL", "LC_MESSAGES", "LANG") if (v := os.environ.get(k))), None)
        or (locale.getlocale()[0])
    )


def _run(args: argparse.Namespace, paths) -> int:
    if args.demo:
        return _demo_gui(paths, args.chosen_language)
    choice = _database(args, paths)
    url, origin = choice.url, choice.origin
    if args.command is None:
        from crm_desktop.app import run_gui

        return run_gui(url, paths, origin=origin, language=args.chosen_language)
    if args.command == "db" and args.db_command == "current":
        return db.current(url, origin)
    if args.command in ("backup", "restore"):  # the files as they are: not opened, let alone upgraded
        return backup.run(url, origin, args)
    if not _makes_a_database(args):
        db.require_existing(url, origin)
    opened = db.open_database(url, origin=origin)
    try:
        if args.command in ("db", "demo-data"):
            db.run(opened, args)
        else:
            args.paths = paths  # the saved settings (an import's saved mappings)
            COMMANDS[args.command].run(opened.db, args)
    finally:
        opened.db.dispose()
    return 0


def _makes_a_database(args: argparse.Namespace) -> bool:
    """The commands that may start a database where there is none (and the server's, which are no
    file); any other on a missing file is a mistyped path, and an empty database made there would
    hide it."""
    if args.command in ("server", "users"):  # a server's database: no file (refused as such if it is one)
        return True
    return (args.command, getattr(args, "db_command", None)) in (("db", "upgrade"), ("demo-data", None))


def _database(args: argparse.Namespace, paths):
    from crm_desktop.config import Settings, choose_database

    return choose_database(args.database_url, Settings(paths.settings_file), paths)


def _demo_gui(paths, language: str | None) -> int:
    """The window on a demo office in a temp folder that goes away on exit; logs stay where bugs are
    looked for."""
    import shutil
    import tempfile

    from crm_desktop.app import run_gui
    from crm_desktop.config import Paths
    from crm_desktop.services import demo

    base = Path(tempfile.mkdtemp(prefix="crm-desktop-demo-"))
    try:
        demo_paths = Paths(data_dir=base / "data", config_dir=base / "config", log_dir=paths.log_dir)
        url = f"sqlite:///{demo_paths.default_database_file}"
        opened = db.open_database(url)
        try:
            demo.generate(opened.db, clients=500)
        finally:
            opened.db.dispose()
        return run_gui(url, demo_paths, demo=True, language=language)
    finally:
        shutil.rmtree(base, ignore_errors=True)
