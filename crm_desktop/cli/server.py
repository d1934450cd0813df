"""`crm-desktop server init` and `crm-desktop users add|list|disable|password`: setting up a shared
office database and its users from a terminal (or a script: passwords are read from stdin when it
is not a terminal, one per line, never from the command line where `ps` would show them).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from crm_desktop import i18n
from crm_desktop.cli.output import CliError, add_format_option, check_export, print_records, record_export

USER_COLUMNS = ["username", "name", "role", "manager", "export", "active"]


def add_parsers(sub) -> None:
    server = sub.add_parser("server", help=i18n.gettext("set up a shared office database")).add_subparsers(
        dest="server_command", metavar="ACTION", required=True
    )
    init = server.add_parser(
        "init",
        help=i18n.gettext(
            "create or upgrade the schema, the roles and policies, and the "
            "first CRM administrator (run with the PostgreSQL administrator's "
            "login)"
        ),
    )
    init.add_argument(
        "--admin",
        required=True,
        metavar="NAME",
        help=i18n.gettext("user name of the first CRM administrator"),
    )

    users = sub.add_parser("users", help=i18n.gettext("CRM users (each one a server login)")).add_subparsers(
        dest="users_command", metavar="ACTION", required=True
    )
    add = users.add_parser(
        "add", help=i18n.gettext("add a user; the password is asked for (or read from stdin)")
    )
    add.add_argument(
        "username", metavar="NAME", help=i18n.gettext("their user name, which is also their server login")
    )
    add.add_argument(
        "--role",
        choices=("admin", "manager", "staff"),
        default="staff",
        help=i18n.gettext("what they may see and do (default: staff)"),
    )
    add.add_argument("--manager", metavar="NAME", help=i18n.gettext("the user name of their manager"))
    add.add_argument(
        "--display-name", metavar="TEXT", help=i18n.gettext("the name shown in the app (default: NAME)")
    )
    add.add_argument("--email", metavar="ADDRESS", help=i18n.gettext("their email address"))
    add.add_argument(
        "--can-export", action="store_true", help=i18n.gettext("may export data (admins may anyway)")
    )
    ls = users.add_parser("list", help=i18n.gettext("list users"))
    ls.add_argument("--all", action="store_true", help=i18n.gettext("disabled users too"))
    add_format_option(ls)
    disable = users.add_parser(
        "disable", help=i18n.gettext("the user can no longer sign in; their records stay")
    )
    disable.add_argument("username", metavar="NAME", help=i18n.gettext("the user name"))
    password = users.add_parser("password", help=i18n.gettext("set a user's server password"))
    password.add_argument("username", metavar="NAME", help=i18n.gettext("the user name"))


def read_password(prompt: str) -> str:
    """`prompt` is in the reader's language already ("Password for anna")."""
    if sys.stdin is None or not sys.stdin.isatty():
        line = sys.stdin.readline() if sys.stdin else ""
        if not line.strip():
            raise CliError("no password on stdin: give it on the first line")
        return line.rstrip("\r\n")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(i18n.gettext("Again, to be sure: ")) != first:
        raise CliError("the two passwords differ; nothing was changed")
    return first


def context(db):
    """The ServiceContext of whoever the database URL logs in as (the owner on SQLite)."""
    from crm_desktop.services import users
    from crm_desktop.services.context import ServiceContext

    return ServiceContext(db, actor=users.sign_in(db))


def run(db, args: argparse.Namespace) -> None:
    if args.command == "server":
        server_init(db, args)
    else:
        run_users(db, args)


def server_init(db, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from crm_desktop.db.migrate import current_revision
    from crm_desktop.db.models import User
    from crm_desktop.services import users
    from crm_desktop.services.context import OWNER, ServiceContext

    if db.is_sqlite:
        raise CliError("server init sets up a PostgreSQL database; a SQLite file needs no setting up")
    ctx = ServiceContext(db, actor=users.sign_in(db))
    if ctx.actor != OWNER:
        raise CliError(
            "run server init with the PostgreSQL administrator's login (the database owner), "
            "not with a CRM user's"
        )
    with ctx.read() as s:
        existing = s.scalar(select(User.role).where(User.username == args.admin))
        untouched = s.scalar(select(User.username).where(User.id == 1)) == "owner"
    if existing == "admin":
        print(
            i18n.gettext("schema {schema}; the administrator {name} exists already").format(
                schema=current_revision(db), name=args.admin
            )
        )
        return
    password = read_password(
        i18n.gettext("Password for the new administrator {name}").format(name=args.admin)
    )
    if existing is not None:
        raise CliError(
            "'{name}' already exists with the role {role}; choose another name for the administrator",
            name=args.admin,
            role=users.role_name(existing),
        )
    if untouched:  # the owner of a fresh database becomes the first administrator: what they did stays theirs
        row = users.get(ctx, 1)
        row = users.update(
            ctx,
            1,
            expected_version=row.version,
            username=args.admin,
            display_name=args.admin,
            can_export=True,
        )
        users.set_password(ctx, row.id, password)
    else:
        users.create(ctx, username=args.admin, display_name=args.admin, role="admin", password=password)
    url = f"postgresql://{args.admin}@{db.engine.url.host or 'localhost'}:{db.engine.url.port or 5432}/"
    print(
        i18n.gettext("schema {schema}; administrator {name} created. Each PC connects with {url}").format(
            schema=current_revision(db), name=args.admin, url=url + str(db.engine.url.database)
        )
    )


def run_users(db, args: argparse.Namespace) -> None:
    from crm_desktop.services import users

    ctx = context(db)
    everyone = users.list_users(ctx, include_inactive=True)
    by_name = {u.username.lower(): u for u in everyone}

    def find(name: str):
        found = by_name.get(name.lower())
        if found is None:
            raise CliError("there is no user '{name}' (see 'users list --all')", name=name)
        return found

    if args.users_command == "list":
        check_export(ctx, args.format)
        shown = everyone if args.all else [u for u in everyone if u.active]
        print_records(
            [
                {
                    "username": u.username,
                    "name": u.display_name,
                    "role": u.role,
                    "manager": u.manager_name,
                    "export": u.can_export,
                    "active": u.active,
                }
                for u in shown
            ],
            format=args.format,
            columns=USER_COLUMNS,
            empty=i18n.gettext("(no users)"),
            labels={  # CSV and JSON: the codes, true and false
                "role": lambda role: users.role_name(role).render(),
                "export": lambda can: i18n.gettext("yes") if can else "",
                "active": lambda active: i18n.gettext("yes") if active else i18n.gettext("no"),
            },
        )
        record_export(ctx, args.format, "users", len(shown), all=args.all)
    elif args.users_command == "add":
        manager = find(args.manager).id if args.manager else None
        password = read_password(i18n.gettext("Password for {name}").format(name=args.username))
        row = users.create(
            ctx,
            username=args.username,
            display_name=args.display_name or args.username,
            role=args.role,
            email=args.email,
            manager_id=manager,
            can_export=True if args.can_export else None,
            password=password,
        )
        print(
            i18n.gettext("added {name} ({role})").format(
                name=row.username, role=users.role_name(row.role).render()
            )
        )
    elif args.users_command == "disable":
        row = users.disable(ctx, find(args.username).id)
        print(
            i18n.gettext("disabled {name}: they can no longer sign in; their records stay").format(
                name=row.username
            )
        )
    elif args.users_command == "password":
        users.set_password(
            ctx,
            find(args.username).id,
            read_password(i18n.gettext("New password for {name}").format(name=args.username)),
        )
        print(i18n.gettext("password of {name} changed").format(name=args.username))
