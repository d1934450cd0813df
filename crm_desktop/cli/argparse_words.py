"""argparse's own words ("usage: ", "options", "invalid choice: …") in the language the command line speaks.

argparse says them through `_` and `ngettext`, globals of its module that it looks up each time it
speaks (`from gettext import gettext as _, ngettext`, from Python 3.11 on). `install` points
them at our catalogue, so the help and argparse's errors follow --language like our own sentences do;
left alone they would be gettext's, which finds no translation of argparse (Python ships none) and
would follow the system (LANGUAGE, LC_MESSAGES) rather than the language chosen.

The message ids below are argparse's, character for character: its %-placeholders are filled in by
argparse (`_("unrecognized arguments: %s") % ...`), so a translation keeps each of them as it is
(tests/cli/test_argparse_words.py checks that). Listed here only so that tools/i18n.py puts them in the
catalogue; nothing reads WORDS and PLURALS but the tests.
"""

from __future__ import annotations

import argparse

from crm_desktop import i18n
from crm_desktop.i18n import N_


def N_plural(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - N_ for a counted phrase
    """A pair of ngettext's marked for the catalogue, translated later (tools/i18n.py KEYWORDS)."""
    return singular, plural


def install() -> None:
    """From now on argparse speaks from our catalogue, in whatever language is current when it speaks."""
    # argparse looks these two globals of its module up at each call, not once at import: replacing
    # them is all it takes (argparse has no hook of its own for its words)
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def _gettext(text: str) -> str:
    # "" would be the catalogue's header, and Python 3.11's add_subparsers(description=...) passes None
    return i18n.gettext(text) if text else text


WORDS = (
    # --help
    # translators: the start of the help's first line and of a usage error: "usage: crm-desktop [-h] …"
    N_("usage: "),
    # translators: --help's heading over the arguments given without a dash (COMMAND, ACTION, NAME)
    N_("positional arguments"),
    # translators: --help's heading over the options (--help, --format, --language …)
    N_("options"),
    # translators: a heading of --help with its colon ("options:"), from Python 3.13 on; before it the
    # colon is added untranslated
    N_("%(heading)s:"),
    # translators: --help's heading over the commands (used when a group of commands has a title)
    N_("subcommands"),
    # translators: what --help (-h) does, as --help shows it
    N_("show this help message and exit"),
    # translators: what --version does, as --help shows it
    N_("show program's version number and exit"),
    # translators: added to an option's help: " (default: table)"; keep the space it starts with
    N_(" (default: %(default)s)"),
    # A wrong command line: "crm-desktop: error: argument --format: invalid choice: 'xml' …"
    # translators: an error about one option or argument: %(argument_name)s is it ("--format"), %(message)s
    # what is wrong with it
    N_("argument %(argument_name)s: %(message)s"),
    # translators: %s is what was typed and not understood ("--colour red")
    N_("unrecognized arguments: %s"),
    # translators: %s lists the missing ones ("ACTION", "--admin")
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    # translators: %s is an option that cannot be given together with this one
    N_("not allowed with argument %s"),
    # translators: %r is a value written onto an option that takes none ("--all=yes")
    N_("ignored explicit argument %r"),
    # translators: an option was given without its value ("--format" at the end of the line)
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    # translators: %(option)s is an abbreviated option ("--d"), %(matches)s the options it could be
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    # translators: %(type)s is the name of a Python type (int, float): keep it as it is
    N_("invalid %(type)s value: %(value)r"),
    # translators: %(value)r is what was typed, %(choices)s the values allowed ("table, csv, json")
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    # translators: as the one before, with %(closest)r the choice closest to what was typed (Python 3.14)
    N_("invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)"),
    # translators: "parser" is a command here; %(parser_name)r is what was typed
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    # translators: %(prog)s is the program ("crm-desktop clients list"), %(message)s the error; keep the
    # line break at the end
    N_("%(prog)s: error: %(message)s\n"),
    # translators: as the error, for a warning (Python 3.13 on); keep the line break at the end
    N_("%(prog)s: warning: %(message)s\n"),
    N_("option '%(option)s' is deprecated"),
    N_("argument '%(argument_name)s' is deprecated"),
    # translators: "command" as in "crm-desktop clients": %(parser_name)s is one
    N_("command '%(parser_name)s' is deprecated"),
    # translators: a file given on the command line could not be opened; %(error)s is the system's reason
    N_("can't open '%(filename)s': %(error)s"),
    # translators: %r is the mode a file is opened in ('r', 'w'); "-" stands for stdin or stdout
    N_('argument "-" with mode %r'),
    # Raised while a parser is built: a mistake in a program's own options, which a developer reads (Python
    # 3.11 to 3.13 put them through gettext too).
    # translators: a programmer's error, never shown to a user of a working CRM Desktop: a plain rendering
    # will do
    N_(".__call__() not defined"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_("conflicting subparser: %s"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_("conflicting subparser alias: %s"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_("cannot merge actions - two groups are named %r"),
    # translators: a programmer's error (see ".__call__() not defined"); 'required' is a parameter's name
    N_("'required' is an invalid argument for positionals"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_("invalid option string %(option)r: must start with a character %(prefix_chars)r"),
    # translators: a programmer's error (see ".__call__() not defined"); dest= is a parameter's name
    N_("dest= is required for options like %r"),
    # translators: a programmer's error (see ".__call__() not defined"); conflict_resolution is a name
    N_("invalid conflict_resolution value: %r"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_("mutually exclusive arguments must be optional"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_("cannot have multiple subparser arguments"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_("%r is not callable"),
)

PLURALS = (
    # translators: an option that takes a fixed number of values got too few; %s is that number
    N_plural("expected %s argument", "expected %s arguments"),
    # translators: a programmer's error (see ".__call__() not defined")
    N_plural("conflicting option string: %s", "conflicting option strings: %s"),
)
