"""`crm-desktop invoices list` and `crm-desktop invoice pdf NUMBER -o FILE.pdf`: invoices for scripts
and accountants."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from crm_desktop import i18n
from crm_desktop.cli.output import add_format_option, check_export, print_records, record_export

STATUSES = ("draft", "issued", "partly_paid", "paid", "credited", "overdue", "cancelled")
COLUMNS = ["number", "client", "issued", "due", "total", "balance", "currency", "status"]


def add_parsers(sub) -> None:
    pdf = sub.add_parser("invoice", help=i18n.gettext("one invoice")).add_subparsers(
        dest="invoice_command", metavar="ACTION", required=True
    )
    write = pdf.add_parser("pdf", help=i18n.gettext("write an issued invoice as a PDF"))
    write.add_argument(
        "number", metavar="NUMBER", help=i18n.gettext("the invoice number, e.g. INV-2026-00042")
    )
    write.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE.pdf",
        help=i18n.gettext("where to write the PDF"),
    )
    write.add_argument(
        "--page", choices=("A4", "Letter"), default="A4", help=i18n.gettext("paper size (default: A4)")
    )
    write.add_argument(  # the document's language, not the one the command speaks (the --language before it)
        "--language",
        dest="document_language",
        metavar="CODE",
        choices=i18n.LANGUAGES,
        help=i18n.gettext(
            "the invoice's language, one of {languages} (default: the client's, else the company's)"
        ).format(languages=", ".join(i18n.LANGUAGES)),
    )

    documents = sub.add_parser("invoices", help=i18n.gettext("invoices")).add_subparsers(
        dest="invoices_command", metavar="ACTION", required=True
    )
    ls = documents.add_parser("list", help=i18n.gettext("list invoices, newest first"))
    ls.add_argument("--status", choices=STATUSES, help=i18n.gettext("only invoices in this state"))
    ls.add_argument("--client", type=int, metavar="ID", help=i18n.gettext("only this client's invoices"))
    add_format_option(ls)


def write_pdf(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context
    from crm_desktop.services import documents

    ctx = context(db)
    doc = documents.find_by_number(ctx, args.number)
    print(documents.write_pdf(ctx, doc.id, args.output, page=args.page, language=args.document_language))


def run(db, args: argparse.Namespace) -> None:
    if args.command == "invoice":
        write_pdf(db, args)
    else:
        list_invoices(db, args)


def list_invoices(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context
    from crm_desktop.services import invoices, money
    from crm_desktop.services.invoices import DocumentFilter

    ctx = context(db)
    check_export(ctx, args.format)
    rows = invoices.list_documents(ctx, DocumentFilter(status=args.status, client_id=args.client), limit=None)
    records = [
        {
            "id": d.id,
            "number": d.number or "",
            "client": d.client_name,
            "client_id": d.client_id,
            "issued": d.issue_date.isoformat() if d.issue_date else "",
            "due": d.due_date.isoformat() if d.due_date else "",
            "total": str(money.quantize(d.total, d.currency)),
            "balance": str(money.quantize(d.balance, d.currency)),
            "currency": d.currency,
            "status": d.status,
        }
        for d in rows
    ]
    print_records(
        records,
        format=args.format,
        columns=COLUMNS,
        empty=i18n.gettext("(no invoices found)"),
        amounts={"total": "currency", "balance": "currency"},
        labels={  # CSV and JSON: ISO days and the codes
            "issued": lambda day: i18n.day_text(date.fromisoformat(day)),
            "due": lambda day: i18n.day_text(date.fromisoformat(day)),
            "status": lambda status: invoices.status_word(status).render(),
        },
    )
    record_export(ctx, args.format, "documents", len(records), status=args.status, client=args.client)
