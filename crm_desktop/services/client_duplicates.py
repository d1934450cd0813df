"""The clients already in the database that are one person or company written more than once, found by the
rules an import uses (services/duplicates.py): the same email or phone (not one that several clients share,
an office's info@), the same name where nothing tells the two apart, or a name a letter or two apart with
no phone or email to tell them apart.

Each client is matched against the ones before it and joined to the group of the one it matches, so a
chain (A and B share a phone, B and C an email) is one group. 100,000 clients take a few seconds: every
lookup is a dictionary's, and similar names are only compared within their name block.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crm_desktop.i18n import Message
from crm_desktop.services import clients, duplicates
from crm_desktop.services.bulk_work import holding_the_collector
from crm_desktop.services.clients import ClientRow
from crm_desktop.services.context import ServiceContext, company_profile
from crm_desktop.services.progress import Progress

STEP = 5000


@dataclass(frozen=True)
class Group:
    clients: list[ClientRow]  # in the order they were added
    reasons: dict[int, str]  # client id → why it is in the group (duplicates.SAME_EMAIL…), the first has none


@holding_the_collector
def find(ctx: ServiceContext, *, progress: Progress | None = None) -> list[Group]:
    """Every group of two or more clients (as this user sees them) that are one, the largest first."""
    from crm_desktop.db.models import Client

    progress = progress or Progress()
    with ctx.read() as s:
        language = company_profile(s).language or "en"
        found = s.execute(
            select(Client.id, Client.name, Client.phones, Client.emails)
            .where(clients.visible_to(ctx.actor))
            .order_by(Client.id)
        ).all()
    index = duplicates.Index(duplicates.office_region(language))
    for _, _, phones, emails in found:  # a shared mailbox is known as such from its first client on
        index.count(phones, emails)
    parent: dict[int, int] = {}
    reasons: dict[int, str] = {}

    def root(client_id: int) -> int:
        while parent.get(client_id, client_id) != client_id:
            client_id = parent[client_id]
        return client_id

    for n, (client_id, name, phones, emails) in enumerate(found):
        match = index.find(name, phones, emails)
        told_apart = bool(phones or emails)
        if match is not None and (match.sure or not told_apart):
            parent[client_id] = root(int(str(match.ref)))
            reasons[client_id] = match.reason
        index.add(client_id, name, phones, emails, counted=True)
        if n % STEP == 0:
            progress.step(
                n, len(found), Message.counted("Comparing {n} client", "Comparing {n} clients", len(found))
            )
    members: dict[int, list[int]] = {}
    for client_id in reasons:
        members.setdefault(root(client_id), []).append(client_id)
    groups = [[first, *others] for first, others in members.items()]
    groups.sort(key=lambda ids: (-len(ids), ids[0]))
    rows = {r.id: r for r in clients.rows(ctx, [i for ids in groups for i in ids])}
    return [
        Group([rows[i] for i in ids if i in rows], {i: reasons[i] for i in ids if i in reasons})
        for ids in groups
        if sum(1 for i in ids if i in rows) > 1
    ]
