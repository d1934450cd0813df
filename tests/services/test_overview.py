from datetime import timedelta

from crm_desktop.db.models import Document
from crm_desktop.services import clients, deals, invoices, overview, tasks


def test_counts_follow_what_is_open(ctx, clock):
    c = clients.create(ctx, name="Counted")
    d = deals.create(ctx, client_id=c.id, title="Open")
    won = deals.create(ctx, client_id=c.id, title="Won")
    deals.mark_won(ctx, won.id, expected_version=won.version)
    tasks.create(ctx, title="Late", due_at=clock.current - timedelta(hours=1))
    tasks.create(ctx, title="Later", due_at=clock.current + timedelta(hours=1))
    draft = invoices.create_draft(ctx, client_id=c.id, deal_id=d.id)
    issued = invoices.create_draft(ctx, client_id=c.id)
    with ctx.write() as s:
        s.get(Document, issued.id).status = "issued"
    assert overview.counts(ctx) == overview.Counts(
        clients=1, open_deals=1, open_tasks=2, overdue_tasks=1, unpaid_invoices=1, open_jobs=0, late_jobs=0
    )
    assert draft.status == "draft"
