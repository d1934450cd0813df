"""Taking data out of the CRM: the client list as a CSV file that Excel and LibreOffice open.

Export is a right of its own (users.can_export): a manager who may see the client base may still not
take it home. Every export is written to the audit log with what was asked for and how many rows left.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from crm_desktop.services import clients
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.context import ServiceContext, record
from crm_desktop.services.errors import PermissionDenied, ValidationError

CLIENT_COLUMNS = ("id", "name", "kind", "status", "phones", "emails", "owner", "source", "company", "address",
                  "tags", "private", "created")


def require_export_right(ctx: ServiceContext) -> None:
    if not ctx.actor.can_export:
        raise PermissionDenied("You may not export data. Ask an administrator for the export right.")


def clients_csv(ctx: ServiceContext, path: Path, f: ClientFilter = ClientFilter()) -> int:
    """The clients the filter finds (as this user sees them) into `path`; how many were written.

    Written to a temporary file next to it and renamed at the end: an export that fails half way
    leaves no half-written file behind.
    """
    require_export_right(ctx)
    path = Path(path)
    ids = clients.list_ids(ctx, f, limit=None)
    partial = path.with_name(path.name + ".part")
    try:
        # utf-8-sig: Excel reads the BOM and shows Cyrillic, Uzbek and Arabic names right.
        with partial.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(CLIENT_COLUMNS)
            for c in (clients.get(ctx, i) for i in ids):
                writer.writerow([c.id, c.name, c.kind, c.status, "; ".join(c.phones), "; ".join(c.emails),
                                 c.owner_name, c.source, c.company_name, c.address, "; ".join(c.tags),
                                 "yes" if c.private else "", c.created_at.date().isoformat()])
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ValidationError("path", f"The file {path} could not be written: {exc.strerror or exc}. "
                                      "Choose a folder you can write to.") from exc
    with ctx.write() as s:
        record(s, entity="clients", entity_id=None, action="export",
               details={"rows": len(ids), "search": f.search, "status": f.status, "file": path.name})
    return len(ids)
