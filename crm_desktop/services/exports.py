"""Taking data out of the CRM: clients as a table with every field (CSV, XLSX) or as contacts (vCard), any
list as it is shown (CSV, XLSX), tasks as a calendar (iCalendar), and PDFs of many invoices into a folder
(the file formats: services/export_files.py).

Export is a right of its own (users.can_export): a manager who may see the client base may still not
take it home. Every export is written to the audit log with what was asked for and how many rows left —
the command line's CSV and JSON listings too (cli/output.py). A cell a spreadsheet would run as a formula
is written as text (neutralised).

All are long jobs (see services/progress.py): they report progress after each page or file and stop
between steps when cancelled.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from crm_desktop.i18n import Message
from crm_desktop.services import clients, documents, invoices, tasks
from crm_desktop.services.bulk_work import holding_the_collector
from crm_desktop.services.clients import ClientDetail, ClientFilter
from crm_desktop.services.context import ServiceContext, record
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.export_files import TABLE_SUFFIXES, calendar, rows_file, vcard, whole_file
from crm_desktop.services.progress import Cancelled, Progress
from crm_desktop.services.tasks import TaskFilter

CLIENT_COLUMNS = (
    "id",
    "name",
    "kind",
    "status",
    "phones",
    "emails",
    "owner",
    "source",
    "company",
    "address",
    "tags",
    "private",
    "created",
)
# Clients read per query: big enough that 100,000 clients take 100 pages (two queries each), small enough
# that Cancel answers within a fraction of a second and a page stays far below SQLite's 32,766 parameters.
PAGE_SIZE = 1000


def require_export_right(ctx: ServiceContext) -> None:
    if not ctx.actor.can_export:
        raise PermissionDenied("You may not export data. Ask an administrator for the export right.")


def record_export(ctx: ServiceContext, entity: str, rows: int, details: dict[str, object]) -> None:
    """The audit log's entry for data that left the CRM: who, what (the filters asked for), how many rows."""
    with ctx.write() as s:
        record(s, entity=entity, entity_id=None, action="export", details={"rows": rows, **details})


@holding_the_collector
def clients_file(
    ctx: ServiceContext,
    path: Path,
    f: ClientFilter | None = None,
    *,
    progress: Progress | None = None,
    page_size: int | None = None,
) -> int:
    """The clients the filter finds (as this user sees them) into `path`, in name order — a table (.csv,
    .xlsx) with every field, or contacts (.vcf) — and how many were written.

    The ids are read once, then the clients a page at a time (clients.details); the file is written
    whole or not at all (export_files.whole_file).
    """
    require_export_right(ctx)
    f = f or ClientFilter()
    progress = progress or Progress()
    page_size = page_size or PAGE_SIZE
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (*TABLE_SUFFIXES, ".vcf"):
        raise ValidationError(
            "path",
            "Clients are exported to .csv, .xlsx or .vcf files; '{file}' is none of these.",
            file=path.name,
        )
    ids = clients.list_ids(ctx, f, limit=None)
    total, written = len(ids), 0
    with _client_writer(path) as add:
        progress.step(0, total, _clients_written(0, total))
        for start in range(0, total, page_size):
            page = clients.details(ctx, ids[start : start + page_size])
            for c in page:
                add(c)
            written += len(page)  # a client deleted since the ids were read is left out
            done = min(start + page_size, total)
            progress.step(done, total, _clients_written(done, total))
    record_export(ctx, "clients", written, {"search": f.search, "status": f.status, "file": path.name})
    return written


@contextmanager
def _client_writer(path: Path) -> Iterator[Callable[[ClientDetail], object]]:
    if path.suffix.lower() != ".vcf":
        with rows_file(path, _not_written) as add_row:
            add_row(CLIENT_COLUMNS)
            yield lambda c: add_row(_client_line(c))
        return
    with whole_file(path, _not_written) as partial, partial.open("w", encoding="utf-8", newline="") as out:
        yield lambda c: out.write(
            vcard(
                c.name,
                company=c.kind == "company",
                phones=c.phones,
                emails=c.emails,
                address=c.address,
                notes=c.notes,
                tags=c.tags,
                organisation=c.company_name,
            )
        )


@holding_the_collector
def list_file(
    ctx: ServiceContext,
    path: Path,
    entity: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[object]],
    total: int,
    details: dict[str, object],
    *,
    progress: Progress | None = None,
) -> int:
    """A list as it is shown — its `headings` (in the reader's language) and `rows` of cells, read as
    they are written — into a .csv or .xlsx file; how many rows. `details` (the list's filters) go to
    the audit log with it."""
    require_export_right(ctx)
    progress = progress or Progress()
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise ValidationError(
            "path", "Lists are exported to .csv or .xlsx files; '{file}' is neither.", file=path.name
        )
    written = 0
    with rows_file(path, _not_written) as add:
        add(headings)
        for row in rows:
            add(row)
            written += 1
            if written % PAGE_SIZE == 0:
                progress.step(written, total, _rows_written(written, total))
    progress.report(written, written, _rows_written(written, written))
    record_export(ctx, entity, written, {**details, "file": path.name})
    return written


def tasks_ics(
    ctx: ServiceContext, path: Path, f: TaskFilter | None = None, *, progress: Progress | None = None
) -> int:
    """The tasks the filter finds that have a due time, as events of an iCalendar file (phones, Outlook,
    Google Calendar), each with its reminder; how many."""
    require_export_right(ctx)
    progress = progress or Progress()
    path = Path(path)
    found = [t for t in tasks.list_tasks(ctx, f or TaskFilter(), limit=None) if t.due_at is not None]
    progress.step(0, len(found), _rows_written(0, len(found)))
    events = [
        {
            "uid": f"task-{t.id}@crm-desktop",
            "title": t.title if not t.client_name else f"{t.title} — {t.client_name}",
            "start": t.due_at,
            "minutes": t.duration_minutes,
            "description": t.description,
            "remind": t.remind_at,
            "stamp": ctx.now(),
        }
        for t in found
    ]
    with whole_file(path, _not_written) as partial:
        partial.write_bytes(calendar(events, "CRM Desktop"))
    progress.report(len(found), len(found), _rows_written(len(found), len(found)))
    record_export(ctx, "tasks", len(found), {"format": "ics", "file": path.name})
    return len(found)


def _rows_written(done: int, total: int) -> Message:
    return Message.counted(
        "{done} of {n} row written", "{done} of {n} rows written", total, done=Decimal(done)
    )


def _not_written(path: str, reason: str) -> ValidationError:
    return ValidationError(
        "path",
        "The file {path} could not be written: {reason}. Choose a folder you can write to.",
        path=path,
        reason=reason,
    )


def _clients_written(done: int, total: int) -> Message:
    # done as a Decimal: a number read as the count is, grouped the reader's way (2,500 of 2,500)
    return Message.counted(
        "{done} of {n} client written", "{done} of {n} clients written", total, done=Decimal(done)
    )


def _client_line(c: ClientDetail) -> list[object]:
    return [
        c.id,
        c.name,
        c.kind,
        c.status,
        "; ".join(c.phones),
        "; ".join(c.emails),
        c.owner_name,
        c.source,
        c.company_name,
        c.address,
        "; ".join(c.tags),
        "yes" if c.private else "",
        c.created_at.date().isoformat(),
    ]


def pdf_file_name(number: str | None, document_id: int) -> str:
    """A document's PDF file name: its number (a draft has none yet), safe on every file system."""
    name = number or f"draft-{document_id}"
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name) + ".pdf"


def invoice_pdfs(
    ctx: ServiceContext,
    document_ids: Sequence[int],
    folder: Path,
    *,
    page: str = "A4",
    progress: Progress | None = None,
) -> list[Path]:
    """A PDF of each document into `folder`, named after its number; the files written, in order.

    Each file is written under a temporary name and renamed once whole, so no half-written PDF is ever
    left. Cancel (or a file that cannot be written) stops before the next document and keeps the PDFs
    already written, as stopping a file copy does: each is a finished, correct document the user asked
    for, and running the export again simply writes them anew. Cancelled.partial lists them.
    """
    require_export_right(ctx)
    progress = progress or Progress()
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(
            "folder", "The folder {folder} does not exist. Choose another one.", folder=str(folder)
        )
    total = len(document_ids)
    written: list[Path] = []
    names: set[str] = set()
    try:
        for n, document_id in enumerate(document_ids):
            doc = invoices.get(ctx, document_id)
            name = pdf_file_name(doc.number, doc.id)
            if name in names:  # two documents whose numbers differ only in characters a file name cannot hold
                name = f"{name[:-4]}-{doc.id}.pdf"
            names.add(name)
            progress.step(
                n, total, Message("Writing {name} ({n} of {total})", name=name, n=n + 1, total=total)
            )
            target = folder / name
            partial = target.with_name(target.name + ".part")
            try:
                # a message names the file the user will look for, not the temporary one
                documents.write_pdf(ctx, doc.id, partial, page=page, shown=target)
                os.replace(partial, target)
            except OSError as exc:  # the rename (write_pdf says so itself when writing fails)
                raise ValidationError(
                    "path",
                    "The PDF could not be written to {path}: {reason}. Choose a folder you can write to.",
                    path=str(target),
                    reason=exc.strerror or str(exc),
                ) from exc
            finally:
                with contextlib.suppress(OSError):  # the error that stopped it is the one to tell
                    partial.unlink(missing_ok=True)
            written.append(target)
        progress.report(
            total,
            total,
            Message.counted(
                "{done} of {n} PDF written", "{done} of {n} PDFs written", total, done=Decimal(total)
            ),
        )
    except Cancelled as stop:
        raise Cancelled(
            Message.counted(
                "Stopped: {done} of {n} PDF written to {folder}.",
                "Stopped: {done} of {n} PDFs written to {folder}.",
                total,
                done=Decimal(len(written)),
                folder=str(folder),
            ),
            partial=written,
        ) from stop
    except ValidationError as exc:
        if written:
            raise ValidationError(
                exc.field,
                Message.counted(
                    "{error}\n{n} PDF was written before this one.",
                    "{error}\n{n} PDFs were written before this one.",
                    len(written),
                    error=exc.said,
                ),
            ) from exc
        raise
    return written
