"""Figures of invoicing on SQLite, in an office whose documents carry a logo and the total in words:

    issue_invoice_ms                median of documents.issue on 50 ten-line drafts (number, status, audit,
                                    timeline entry: one unit of work)
    invoice_pdf_ms                  median of documents.write_pdf of one ten-line invoice, 20 times
    invoice_pdf_batch_1000_s        1,000 invoices exported as the GUI does it (ui/jobs.run_job of
                                    exports.invoice_pdfs: its thread, its progress dialog), wall time
                                    from start to the delivered result
    invoice_pdf_batch_max_stall_ms  meanwhile, the longest gap between two ticks of a 10 ms timer on the
                                    GUI thread: how long the window could not answer

Used by bench.py (`--only` with these names) on a database of its own.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from io import BytesIO
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

METRICS = ("issue_invoice_ms", "invoice_pdf_ms", "invoice_pdf_batch_1000_s", "invoice_pdf_batch_max_stall_ms")
BATCH = 1000


def _logo() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(picture).rectangle((0, 0, 200, 200), fill="#1d4ed8")
    out = BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def ten_lines() -> list:
    """The draft both invoice benchmarks use: ten lines with a mix of discounts and tax rates."""
    from crm_desktop.services.invoices import LineValues

    return [
        LineValues(
            f"Service item {i + 1}: cleaning, repair or consulting",
            i + 1,
            "h",
            f"{125 + i}.50",
            5 if i % 3 == 0 else 0,
            12 if i % 2 else 0,
        )
        for i in range(10)
    ]


def bench_invoices(wanted: set[str], say) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer

    from crm_desktop.app import application
    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade
    from crm_desktop.services import clients, company, documents, exports, invoices
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.services.invoices import DocumentFilter
    from crm_desktop.ui.jobs import run_job
    from crm_desktop.ui.ops import Ops

    lines = ten_lines()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="crm-bench-invoices-") as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        upgrade(db)
        ctx = ServiceContext(db)
        company.update(
            ctx,
            expected_version=company.get(ctx).version,
            name="Ipak Yoʻli Services",
            address="Toshkent, Amir Temur 108",
            tax_id="305123456",
            bank_details="Kapitalbank 2020 8000",
            logo=_logo(),
            amount_words_language="en",
        )
        client = clients.create(ctx, name="Zarina Rahimova", address="Toshkent", emails=["zarina@example.uz"])

        def issued_invoice() -> int:
            draft = invoices.create_draft(ctx, client_id=client.id, lines=lines, terms="Within 14 days.")
            return documents.issue(ctx, draft.id, expected_version=draft.version).id

        if "issue_invoice_ms" in wanted:
            samples = []
            for _ in range(50):
                draft = invoices.create_draft(ctx, client_id=client.id, lines=lines)
                start = time.perf_counter()
                documents.issue(ctx, draft.id, expected_version=draft.version)
                samples.append(time.perf_counter() - start)
            figures["issue_invoice_ms"] = round(statistics.median(samples) * 1000, 1)
            say(f"issuing a ten-line invoice: median {figures['issue_invoice_ms']} ms")

        if "invoice_pdf_ms" in wanted:
            doc_id = issued_invoice()
            documents.write_pdf(ctx, doc_id, Path(tmp) / "warm.pdf")  # fonts load once per process
            samples = []
            for i in range(20):
                start = time.perf_counter()
                documents.write_pdf(ctx, doc_id, Path(tmp) / f"one-{i}.pdf")
                samples.append(time.perf_counter() - start)
            figures["invoice_pdf_ms"] = round(statistics.median(samples) * 1000, 1)
            say(
                f"one ten-line invoice as a PDF (logo, total in words): median {figures['invoice_pdf_ms']} ms"
            )

        if wanted & {"invoice_pdf_batch_1000_s", "invoice_pdf_batch_max_stall_ms"}:
            have = invoices.count_documents(ctx, DocumentFilter(status="issued"))
            for _ in range(BATCH - have):
                issued_invoice()
            rows = invoices.list_documents(ctx, DocumentFilter(status="issued"), limit=BATCH)
            app = application()
            ops = Ops(ctx, report_bug=lambda exc: say(f"bug: {exc!r}"))
            folder = Path(tmp) / "export"
            folder.mkdir()
            done: list[bool] = []
            gaps, last = [0.0], [time.perf_counter()]

            def tick() -> None:
                now = time.perf_counter()
                gaps.append(now - last[0])
                last[0] = now

            ticker = QTimer(interval=10)
            ticker.timeout.connect(tick)
            ticker.start()
            start = time.perf_counter()
            job = run_job(
                None,
                ops,
                exports.invoice_pdfs,
                [row.id for row in rows],
                folder,
                title="Export PDFs",
                on_done=lambda written: done.append(False),
                on_cancelled=lambda _: done.append(True),
                on_error=lambda error: done.append(True),
            )
            while not done:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                time.sleep(0.001)
            elapsed = time.perf_counter() - start
            ticker.stop()
            assert done == [False] and len(list(folder.glob("*.pdf"))) == BATCH, "the export did not finish"
            figures["invoice_pdf_batch_1000_s"] = round(elapsed, 1)
            figures["invoice_pdf_batch_max_stall_ms"] = round(max(gaps) * 1000, 1)
            say(
                f"{BATCH:,} invoices exported from the GUI's worker: {elapsed:.1f} s; the window's longest "
                f"stall {figures['invoice_pdf_batch_max_stall_ms']} ms"
            )
            assert job.dialog is not None and not job.dialog.isVisible()
        db.dispose()
    return figures
