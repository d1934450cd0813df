"""Render each view of a demo office offscreen to PNG: `python tools/screenshots.py OUTDIR` (a developer
script: the app never imports it).

The README's pictures come from here, so they always show the app as it is. `--help-images` renders
instead the pictures of Help → Getting started into resources/help/images (or OUTDIR), each cropped to
what its step shows; run it again when the window changes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HELP_IMAGES = ROOT / "resources" / "help" / "images"


def _spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, nargs="?")
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--size", nargs=2, type=int, default=(1280, 800), metavar=("W", "H"))
    parser.add_argument("--language", default="en", help="the window in this language (en ru uz az ar)")
    parser.add_argument(
        "--help-images",
        action="store_true",
        help=f"the pictures of Help → Getting started, into OUTDIR or {HELP_IMAGES.relative_to(ROOT)}",
    )
    args = parser.parse_args(argv)
    if args.help_images:
        return help_images(args.outdir or HELP_IMAGES, clients=args.clients)
    if args.outdir is None:
        parser.error("OUTDIR is needed (or --help-images)")

    with _demo_window(args.clients, args.size, args.language) as window:
        window.reminder_window.hide()  # it pops up with the demo's due reminders, over the pages
        args.outdir.mkdir(parents=True, exist_ok=True)
        for key in window.pages:
            window.show_page(key)
            for _ in range(500):
                _spin(10)
                if window.ready and (key != "dashboard" or window.dashboard_view.charts_ready):
                    break
            _spin(100)
            target = args.outdir / f"{key}.png"
            window.grab().save(str(target))
            print(target)
        for name in ("revenue_by_month", "funnel"):  # two reports, as the dashboard's tiles open them
            window.show_page("reports")
            window.reports_view.show_report(name, window.dashboard_view.shown_query)
            for _ in range(500):
                _spin(10)
                if window.ready:
                    break
            _spin(100)
            target = args.outdir / f"report_{name}.png"
            window.grab().save(str(target))
            print(target)
        invoices_view = window.pages["invoices"]
        jobs_view = window.pages["jobs"]
        opened: dict[str, object] = {}

        def open_late_job() -> None:
            from crm_desktop.services import jobs

            late = [j for j in jobs.list_jobs(window.ops.ctx) if j.status == "in_progress" and j.days_late]
            opened["job"] = jobs_view.open_job_id(late[0].id)

        shots = (
            ("job", open_late_job, lambda: opened.get("job")),
            (
                "templates",
                lambda: opened.update(templates=jobs_view.edit_templates()),
                lambda: opened.get("templates"),
            ),
            ("company_details", window.edit_company, lambda: getattr(window, "company_dialog", None)),
            ("users", window.manage_users, lambda: getattr(window, "users_dialog", None)),
            ("audit_log", window.show_audit_log, lambda: getattr(window, "audit_viewer", None)),
            ("connection", window.choose_connection, lambda: getattr(window, "connection_dialog", None)),
            (
                "invoice",
                lambda: invoices_view.open_row(invoices_view.model.index(1, 0)),
                lambda: invoices_view.editor,
            ),
        )
        for name, open_dialog, dialog in shots:
            window.show_page("invoices")
            open_dialog()
            for _ in range(500):
                _spin(10)
                shown = dialog()
                if (
                    shown is not None
                    and shown.isVisible()
                    and not window.ops.busy
                    and getattr(shown, "ready", True)
                ):
                    break
            _spin(200)
            target = args.outdir / f"{name}.png"
            dialog().grab().save(str(target))
            dialog().close()
            print(target)
    return 0


@contextmanager
def _demo_window(clients: int, size: tuple[int, int], language: str = "en") -> Iterator:
    """The main window in `language`, shown and started on a demo office in a temp folder (gone
    afterwards)."""
    from crm_desktop.app import application, build_main_window
    from crm_desktop.config import Paths
    from crm_desktop.db.connect import open_database
    from crm_desktop.services import demo
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.ui import translator
    from crm_desktop.ui.errors import ErrorReporter

    with tempfile.TemporaryDirectory(prefix="crm-screenshots-") as tmp:
        paths = Paths.under(Path(tmp))
        opened = open_database(f"sqlite:///{paths.default_database_file}")
        demo.generate(opened.db, clients=clients, language=language)
        application()
        translator.install(language)
        window = build_main_window(ServiceContext(opened.db), paths, ErrorReporter(paths), demo=True)
        window.resize(*size)
        window.show()
        window.start()
        try:
            yield window
        finally:
            window.close()
            opened.db.dispose()


# --- Help → Getting started ----------------------------------------------------------------------------

HELP_WINDOW_SIZE = (1200, 760)  # the main window while its pictures are taken
HELP_IMAGE_WIDTH = 760  # at most: the help window shows them beside the text without scrolling sideways


def _wait(ready, ms: int = 10_000) -> None:
    for _ in range(ms // 10):
        _spin(10)
        if ready():
            break
    _spin(150)  # what arrived is painted


def _framed(pixmap):
    """A thin border around a picture, so it stands apart from the page (or the picture) it is on."""
    from PySide6.QtGui import QColor, QPainter

    painter = QPainter(pixmap)
    painter.setPen(QColor("#9ca3af"))
    painter.drawRect(0, 0, pixmap.width() - 1, pixmap.height() - 1)
    painter.end()
    return pixmap


def _save(pixmap, outdir: Path, name: str) -> None:
    target = outdir / f"{name}.png"
    pixmap = _framed(pixmap)
    if pixmap.width() > HELP_IMAGE_WIDTH:
        raise SystemExit(f"{target}: {pixmap.width()} px wide, more than {HELP_IMAGE_WIDTH}")
    pixmap.save(str(target), "PNG", 9)
    print(target, pixmap.width(), "×", pixmap.height(), target.stat().st_size // 1024, "KB")


def _crop(widget, inside, *, width: int | None = None, height: int | None = None, left: int = 0):
    """`widget` grabbed, cut to the rectangle of `inside` (a widget in it, or a QRect in its
    coordinates), at most `width` × `height` from its top left corner."""
    from PySide6.QtCore import QPoint, QRect

    rect = inside if isinstance(inside, QRect) else QRect(inside.mapTo(widget, QPoint(0, 0)), inside.size())
    rect.setLeft(rect.left() + left)
    if width is not None:
        rect.setWidth(min(rect.width(), width))
    if height is not None:
        rect.setHeight(min(rect.height(), height))
    return widget.grab(rect)


def help_images(outdir: Path, *, clients: int) -> int:
    """The pictures of resources/help/getting_started.*.html, named as the pages use them."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtWidgets import QApplication

    from crm_desktop.services import reminders, tasks
    from crm_desktop.services.invoices import DocumentFilter, list_documents
    from crm_desktop.services.tasks import TaskFilter

    outdir.mkdir(parents=True, exist_ok=True)
    with _demo_window(clients, HELP_WINDOW_SIZE) as window:
        ctx = window.ops.ctx
        window.reminder_window.hide()  # it pops up with the demo's due reminders; shown on its own below

        # 1. Clients → New client (Ctrl+N), filled in.
        window.show_page("clients")
        _wait(lambda: window.ready)
        view = window.clients_view
        window.new_item()
        _wait(lambda: view.form is not None and view.form.isVisible())
        form = view.form
        form.name.setText("Dilnoza Karimova")
        form.status.setCurrentIndex(form.status.findData("lead"))
        form.phones.setPlainText("+998 90 123 45 67")
        form.emails.setPlainText("dilnoza@example.uz")
        form.source.setCurrentText("Instagram")
        form.tags.setText("vip")
        form.resize(form.minimumSizeHint().width(), form.sizeHint().height())
        _spin(200)
        _save(form.grab(), outdir, "new_client")
        form.done(0)  # closed as typed: not saved, nothing asked
        _wait(lambda: not form.isVisible())

        # 2. The card of a client with a timeline: Log call (Ctrl+Shift+L) open above it.
        card = view.card
        view.splitter.setSizes([view.width() - 500, 500])
        for row in range(min(100, view.model.rowCount())):
            view.table.selectRow(row)
            _wait(lambda row=row: card.data is not None and card.data.client.id == view.model.row(row).id)
            if len(card.data.timeline) >= 3:
                break
        client = card.data.client
        card.open_entry("call")
        card.entry.setPlainText("Wants the office cleaned every Friday. Send the quote by Monday.")
        _spin(100)
        card.scroll.ensureWidgetVisible(card.timeline, 0, 0)
        _spin(200)
        top = card.entry_box.mapTo(card, QPoint(0, 0)).y() - 34
        _save(_crop(card, QRect(0, top, card.width(), 340)), outdir, "log_call")
        card.close_entry()

        # 3. Deals: the board, in a window narrow enough to show its bars whole.
        window.show_page("deals")
        deals_view = window.deals_view
        window.resize(window.width() - deals_view.width() + HELP_IMAGE_WIDTH, HELP_WINDOW_SIZE[1])
        _wait(lambda: window.ready)
        _save(_crop(deals_view, deals_view.rect(), height=428), outdir, "deals_board")
        window.resize(*HELP_WINDOW_SIZE)

        # 4. Tasks → New task, with a reminder.
        window.show_page("tasks")
        _wait(lambda: window.ready)
        calendar = window.calendar_view
        calendar.new_item()
        _wait(lambda: calendar.dialog is not None and calendar.dialog.isVisible())
        dialog = calendar.dialog
        dialog.title.setText(f"Send the quote to {client.name}")
        dialog.reminder.setCurrentIndex(dialog.reminder.findData(15))
        dialog.client.choose(client.id, client.name)
        _spin(200)
        _save(dialog.grab(), outdir, "new_task")
        dialog.done(0)  # closed as typed: not saved, nothing asked
        _wait(lambda: calendar.dialog is None)

        # 5. Invoices → New invoice: the client and a line typed in, before Save and issue.
        window.show_page("invoices")
        _wait(lambda: window.ready)
        invoices_view = window.invoices_view
        invoices_view.new_invoice()
        _wait(lambda: invoices_view.editor is not None and invoices_view.editor.isVisible())
        editor = invoices_view.editor
        editor.client_edit.choose(client.id, client.name)
        for column, value in enumerate(("Office cleaning", "4", "visit", "350000", "0", "12")):
            editor.model.setData(editor.model.index(0, column), value)
        editor.resize(HELP_IMAGE_WIDTH, 470)
        _spin(300)
        _save(editor.grab(), outdir, "new_invoice")
        editor.done(0)  # closed as typed: not saved, nothing asked
        _wait(lambda: invoices_view.editor is None)

        # 6. An issued invoice with a first payment: Record payment…. Partly paid (an unpaid one also offers
        # Cancel…, too wide for the picture), not overdue when there is one, so its summary stays short.
        partly_paid = list_documents(ctx, DocumentFilter(kind="invoice", status="partly_paid"), limit=None)
        issued = next((d for d in partly_paid if d.due_date and d.due_date >= ctx.today()), partly_paid[0])
        invoices_view.open_document(issued.id)
        _wait(lambda: invoices_view.editor is not None and invoices_view.editor.isVisible())
        editor = invoices_view.editor
        editor.resize(HELP_IMAGE_WIDTH, 640)
        _spin(300)
        panel = editor.payments
        at = panel.mapTo(editor, QPoint(0, 0))
        under = _crop(editor, QRect(0, at.y() - 8, editor.width(), panel.height() + 16))
        panel.pay_button.click()
        _wait(lambda: getattr(panel, "dialog", None) is not None and panel.dialog.isVisible())
        # The payment dialog as it opens over the invoice's payments (each a window of its own).
        over = _framed(panel.dialog.grab())
        picture = QPixmap(under.width(), max(under.height(), 70 + over.height() + 6))
        picture.fill(window.palette().window().color())
        painter = QPainter(picture)
        painter.drawPixmap(0, 0, under)
        painter.drawPixmap(under.width() - over.width() - 24, 70, over)
        painter.end()
        _save(picture, outdir, "record_payment")
        panel.dialog.done(0)  # closed as typed: not saved, nothing asked
        editor.done(0)  # closed as typed: not saved, nothing asked
        _wait(lambda: invoices_view.editor is None)

        # 7. The reminders window with two reminders.
        rows = tasks.list_tasks(ctx, TaskFilter(status="open"), limit=50)
        with_client = [t for t in rows if t.client_name and t.due_at][:2]
        shown = window.reminder_window
        for task_id in list(shown.due()):
            shown._remove(task_id)
        shown.add(
            [
                reminders.Reminder(
                    t.id,
                    t.title,
                    t.due_at,
                    ctx.now(),
                    t.client_id,
                    t.client_name,
                    t.deal_id,
                    t.deal_title,
                    t.version,
                    False,
                )
                for t in with_client
            ]
        )
        _spin(300)
        _save(shown.grab(), outdir, "reminders")
        shown.hide()

        # 8. The Settings menu, open under the menu bar.
        bar = window.menuBar()
        settings_action = next(a for a in bar.actions() if a.text() == "&Settings")
        menu = settings_action.menu()
        at = bar.actionGeometry(settings_action).bottomLeft()
        menu.popup(bar.mapToGlobal(at))
        _wait(lambda: menu.isVisible())
        strip = bar.grab(QRect(0, 0, max(at.x() + menu.width() + 60, 360), bar.height()))
        menu_shot = menu.grab()
        picture = QPixmap(strip.width(), strip.height() + menu_shot.height() + 8)
        picture.fill(window.palette().window().color())
        painter = QPainter(picture)
        painter.drawPixmap(0, 0, strip)
        painter.drawPixmap(at.x(), strip.height(), menu_shot)
        painter.end()
        _save(picture, outdir, "settings_menu")
        menu.hide()
        QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
