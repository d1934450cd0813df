"""`crm-desktop tasks add|list`: tasks and their reminders from scripts.

WHEN is an ISO 8601 time ("2026-11-25T09:00", "2026-11-25 09:00"); without an offset it is this
PC's local time. Reminders added here pop up in the app like any other.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from crm_desktop import i18n
from crm_desktop.cli.output import add_format_option, check_export, local_time, print_records, record_export

TASK_COLUMNS = ["id", "due", "title", "client", "assignee", "status", "remind"]


def add_parsers(sub) -> None:
    tasks = sub.add_parser("tasks", help=i18n.gettext("tasks and reminders")).add_subparsers(
        dest="tasks_command", metavar="ACTION", required=True
    )
    add = tasks.add_parser("add", help=i18n.gettext("add a task (with a reminder that pops up in the app)"))
    add.add_argument(
        "--title", required=True, help=i18n.gettext("what is to be done, as the reminder shows it")
    )
    add.add_argument(
        "--due",
        required=True,
        type=_when,
        metavar="WHEN",
        help=i18n.gettext("when it is due, e.g. 2026-11-25T09:00"),
    )
    add.add_argument(
        "--remind",
        type=_when,
        metavar="WHEN",
        help=i18n.gettext("when the reminder pops up (at or before --due)"),
    )
    add.add_argument(
        "--client",
        type=int,
        metavar="ID",
        help=i18n.gettext("the client it is about (its ID in clients list)"),
    )
    add.add_argument(
        "--assignee", metavar="USER", help=i18n.gettext("user name (default: the database's owner)")
    )
    ls = tasks.add_parser("list", help=i18n.gettext("list open tasks by due time"))
    ls.add_argument(
        "--due-before", type=_when, metavar="WHEN", help=i18n.gettext("only tasks due before WHEN")
    )
    add_format_option(ls)


def _when(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            i18n.gettext("'{text}' is not a time; write it like 2026-11-25T09:00").format(text=text)
        ) from None
    return moment if moment.tzinfo else moment.astimezone()  # a naive time is this PC's local time


def run(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context

    ctx = context(db)
    if args.tasks_command == "add":
        _add(ctx, args)
    else:
        _list(ctx, args)


def _add(ctx, args: argparse.Namespace) -> None:
    from crm_desktop.services import tasks

    task = tasks.create(
        ctx,
        title=args.title,
        due_at=args.due,
        remind_at=args.remind,
        client_id=args.client,
        assignee_id=_user_id(ctx, args.assignee) if args.assignee else None,
    )
    if task.remind_at:
        said = i18n.gettext("task {id}: {title}, due {due}, reminder {remind}")
    else:
        said = i18n.gettext("task {id}: {title}, due {due}")
    print(
        said.format(
            id=task.id, title=task.title, due=local_time(task.due_at), remind=local_time(task.remind_at)
        )
    )


def _user_id(ctx, username: str) -> int:
    from crm_desktop.services import users
    from crm_desktop.services.errors import NotFound

    known = users.list_users(ctx)
    for user in known:
        if user.username == username:
            return user.id
    raise NotFound(
        "There is no active user '{username}'. Users: {users}.",
        username=username,
        users=", ".join(u.username for u in known),
    )


def _list(ctx, args: argparse.Namespace) -> None:
    from crm_desktop.services import tasks
    from crm_desktop.services.tasks import TaskFilter

    check_export(ctx, args.format)
    rows = tasks.list_tasks(ctx, TaskFilter(status="open", due_before=args.due_before), limit=None)
    records = [
        {
            "id": t.id,
            "due": local_time(t.due_at),
            "title": t.title,
            "client": t.client_name,
            "client_id": t.client_id,
            "assignee": t.assignee_name,
            "status": t.status,
            "remind": local_time(t.remind_at),
            "priority": t.priority,
            "recurrence": t.recurrence,
        }
        for t in rows
    ]
    print_records(records, format=args.format, columns=TASK_COLUMNS, empty=i18n.gettext("(no open tasks)"))
    record_export(ctx, args.format, "tasks", len(records), due_before=str(args.due_before or ""))
