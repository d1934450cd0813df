"""One search over clients, deals, jobs and invoices, for the main window's search field (Ctrl+K).

Each kind is found the way its own list finds it (clients by name, phone digits or email; deals
and jobs by title or client; documents by number or client), so a hit here is always in that list too.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_desktop.services import clients, deals, invoices, jobs
from crm_desktop.services.clients import ClientFilter
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.deals import DealFilter
from crm_desktop.services.invoices import DocumentFilter
from crm_desktop.services.money import format_money

KINDS = ("client", "deal", "job", "invoice")


@dataclass(frozen=True)
class Hit:
    kind: str  # client | deal | job | invoice (quotes and credit notes are "invoice" hits too: documents)
    id: int
    title: str
    subtitle: str


def search(ctx: ServiceContext, text: str, limit: int = 8) -> list[Hit]:
    """Clients, then deals, jobs and documents matching `text`: at most `limit` of each kind."""
    query = text.strip()
    if not query:
        return []
    hits = [
        Hit("client", c.id, c.name, ", ".join([*c.phones[:1], *c.emails[:1]]))
        for c in clients.list_clients(ctx, ClientFilter(search=query), limit=limit)
    ]
    hits += [
        Hit("deal", d.id, d.title, f"{d.client_name} · {format_money(d.amount, d.currency)}")
        for d in deals.list_deals(ctx, DealFilter(search=query), limit=limit)
    ]
    hits += [
        Hit("job", j.id, j.title, f"{j.client_name} · {j.current_stage or j.template_name}")
        for j in jobs.list_jobs(ctx, jobs.JobFilter(statuses=jobs.STATUSES, search=query), limit=limit)
    ]
    hits += [
        Hit(
            "invoice",
            d.id,
            d.number or f"{invoices.KIND_NAMES.get(d.kind, 'Document')} draft #{d.id}",
            f"{d.client_name} · {format_money(d.total, d.currency)}",
        )
        for d in invoices.list_documents(ctx, DocumentFilter(kind=None, search=query), limit=limit)
    ]
    return hits
