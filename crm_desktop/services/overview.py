"""The numbers the navigation shows next to each part of the office."""

from __future__ import annotations

from dataclasses import dataclass

from crm_desktop.services import clients, deals, invoices, jobs, tasks
from crm_desktop.services.context import ServiceContext


@dataclass(frozen=True)
class Counts:
    clients: int
    open_deals: int
    open_tasks: int
    overdue_tasks: int
    unpaid_invoices: int  # issued or partly paid: money still to come
    open_jobs: int
    late_jobs: int  # behind their plan


def counts(ctx: ServiceContext) -> Counts:
    return Counts(
        clients=clients.count(ctx),
        open_deals=deals.count_deals(ctx, deals.DealFilter(outcome="open")),
        open_tasks=tasks.count_tasks(ctx, tasks.TaskFilter(status="open")),
        overdue_tasks=tasks.count_tasks(ctx, tasks.TaskFilter(overdue_only=True)),
        open_jobs=jobs.count_jobs(ctx),
        late_jobs=jobs.count_jobs(ctx, jobs.JobFilter(late=True)),
        unpaid_invoices=sum(
            invoices.count_documents(ctx, invoices.DocumentFilter(status=status))
            for status in invoices.UNPAID
        ),
    )
