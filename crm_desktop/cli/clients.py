"""`crm-desktop clients list`: clients found by name, phone digits or email, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from crm_desktop import i18n
from crm_desktop.cli.output import add_format_option, check_export, print_records, record_export

if TYPE_CHECKING:
    from crm_desktop.db.engine import Database


def add_parsers(sub: Any, positive: Any) -> None:
    clients = sub.add_parser("clients", help=i18n.gettext("clients")).add_subparsers(
        dest="clients_command", metavar="ACTION", required=True
    )
    ls = clients.add_parser(
        "list", help=i18n.gettext("list clients, optionally found by name, phone digits or email")
    )
    ls.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help=i18n.gettext("a word of the name, 4+ phone digits or part of an email"),
    )
    ls.add_argument(
        "--limit",
        type=positive,
        default=50,
        metavar="N",
        help=i18n.gettext("at most N clients (default: 50)"),
    )
    add_format_option(ls)
    twice = clients.add_parser(
        "duplicates",
        help=i18n.gettext(
            "clients written more than once: the same email or phone, the same or a similar name"
        ),
    )
    add_format_option(twice)


def run(db: Database, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context
    from crm_desktop.services import clients
    from crm_desktop.services.clients import ClientFilter, ClientRow

    ctx = context(db)
    if args.clients_command == "duplicates":
        _duplicates(ctx, args.format)
        return
    check_export(ctx, args.format)
    ids = clients.list_ids(ctx, ClientFilter(search=args.search), limit=args.limit)

    def record(c: ClientRow) -> dict[str, Any]:
        return {
            "id": c.id,
            "name": c.name,
            "kind": c.kind,
            "status": c.status,
            "phones": c.phones,
            "emails": c.emails,
            "owner": c.owner_name,
            "source": c.source,
        }

    if args.format == "json":  # JSON has the details too: one read per client, fine for a script's page
        records = [
            {**record(c), "tags": c.tags, "company": c.company_name, "address": c.address}
            for c in (clients.get(ctx, i) for i in ids)
        ]
    else:
        records = [record(c) for c in clients.rows(ctx, ids)]
    if args.format == "csv":
        columns = ["id", "name", "kind", "status", "phones", "emails", "owner", "source"]
    else:
        columns = ["id", "name", "status", "phones", "emails", "owner"]
    print_records(
        records,
        format=args.format,
        columns=columns,
        empty=i18n.gettext("(no clients found)"),
        labels={  # CSV and JSON: the codes
            "kind": lambda kind: clients.kind_name(kind).render(),
            "status": lambda status: clients.status_name(status).render(),
        },
    )
    record_export(ctx, args.format, "clients", len(records), search=args.search, limit=args.limit)


def _duplicates(ctx: Any, format: str) -> None:
    """Each group of clients that are one, a line per client: the group's number, then who and why."""
    from crm_desktop.i18n import Message
    from crm_desktop.services import client_duplicates

    check_export(ctx, format)
    records = [
        {
            "group": n,
            "id": c.id,
            "name": c.name,
            "phones": c.phones,
            "emails": c.emails,
            "why": Message(group.reasons[c.id]).render() if c.id in group.reasons else "",
        }
        for n, group in enumerate(client_duplicates.find(ctx), start=1)
        for c in group.clients
    ]
    print_records(
        records,
        format=format,
        columns=["group", "id", "name", "phones", "emails", "why"],
        empty=i18n.gettext("(no clients written twice)"),
    )
    record_export(ctx, format, "clients", len(records), duplicates=True)
