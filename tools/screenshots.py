"""Render each view of a demo office offscreen to PNG: `python tools/screenshots.py OUTDIR` (a developer
script: the app never imports it).

The README's pictures come from here, so they always show the app as it is.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402


def _spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--size", nargs=2, type=int, default=(1280, 800), metavar=("W", "H"))
    args = parser.parse_args(argv)

    from crm_desktop.app import application, build_main_window
    from crm_desktop.config import Paths
    from crm_desktop.db.connect import open_database
    from crm_desktop.services import demo
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.ui.errors import ErrorReporter

    with tempfile.TemporaryDirectory(prefix="crm-screenshots-") as tmp:
        paths = Paths.under(Path(tmp))
        opened = open_database(f"sqlite:///{paths.default_database_file}")
        demo.generate(opened.db, clients=args.clients)
        application()
        window = build_main_window(ServiceContext(opened.db), paths, ErrorReporter(paths), demo=True)
        window.resize(*args.size)
        window.show()
        window.start()
        args.outdir.mkdir(parents=True, exist_ok=True)
        for key in window.pages:
            window.show_page(key)
            for _ in range(500):
                _spin(10)
                if window.ready:
                    break
            _spin(100)
            target = args.outdir / f"{key}.png"
            window.grab().save(str(target))
            print(target)
        invoices_view = window.pages["invoices"]
        shots = (
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
                if dialog() is not None and dialog().isVisible() and not window.ops.busy:
                    break
            _spin(200)
            target = args.outdir / f"{name}.png"
            dialog().grab().save(str(target))
            dialog().close()
            print(target)
        window.close()
        opened.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
