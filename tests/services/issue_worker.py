"""One PC issuing invoices, for test_numbering_concurrency.py (run as a separate process):

    python issue_worker.py DATABASE_URL FAIL_EVERY ID,ID,…  →  {"issued": [numbers], "failed": [ids]}

Every FAIL_EVERY-th issue fails at commit, after its transaction took a number (as if the PC lost
power there): the counter must roll back with it.
"""

from __future__ import annotations

import json
import sys

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm_desktop.db.engine import Database
from crm_desktop.db.models import Document
from crm_desktop.services import documents
from crm_desktop.services.context import ServiceContext


def main() -> None:
    url, fail_every = sys.argv[1], int(sys.argv[2])
    ids = [int(i) for i in sys.argv[3].split(",")]
    db = Database.open(url)
    ctx = ServiceContext(db)
    attempts = iter(range(1, len(ids) + 1))

    @event.listens_for(Session, "after_flush")
    def note_issue(session: Session, _context) -> None:
        if any(isinstance(o, Document) and o.status == "issued" for o in session.dirty):
            session.info["issuing"] = True

    @event.listens_for(Session, "before_commit")
    def crash_some(session: Session) -> None:
        # The last moment: number taken, document written, only the commit left.
        if session.info.pop("issuing", False) and next(attempts) % fail_every == 0:
            raise RuntimeError("the PC lost power in the middle of issuing")

    issued, failed = [], []
    for doc_id in ids:
        with db.read() as s:
            version = s.scalar(select(Document.version).where(Document.id == doc_id))
        try:
            issued.append(documents.issue(ctx, doc_id, expected_version=version).number)
        except RuntimeError:
            failed.append(doc_id)
    db.dispose()
    json.dump({"issued": issued, "failed": failed}, sys.stdout)


if __name__ == "__main__":
    main()
