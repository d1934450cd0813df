"""What one client save costs the window: SQL statements from pressing Save until the window is idle.

    python tests/perf/client_save_bench.py

    client_save_reads    statements outside the save's own write transaction (BEGIN of a read counted),
                         run by every view that refreshes after it: the list, the card, the counts...
    client_save_writes   the save's own statements (BEGIN IMMEDIATE … the audit row), for context

On the demo office (500 clients), main window offscreen, Clients page shown with a client's card open,
its phone changed in the form. The last line is one JSON object. Not collected by pytest.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "support")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from client_save import save_from_form  # noqa: E402


def main() -> None:
    from PySide6.QtCore import QEventLoop

    from crm_desktop.app import application, build_main_window
    from crm_desktop.config import Paths
    from crm_desktop.db.engine import Database
    from crm_desktop.db.migrate import upgrade
    from crm_desktop.services import demo
    from crm_desktop.services.context import ServiceContext
    from crm_desktop.ui.errors import ErrorReporter

    app = application()

    def wait(condition, timeout_s: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the window did not become idle")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    with tempfile.TemporaryDirectory(prefix="crm-bench-save-") as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'crm.sqlite3'}")
        upgrade(db)
        demo.generate(db, clients=500)
        paths = Paths.under(Path(tmp))
        window = build_main_window(ServiceContext(db), paths, ErrorReporter(paths), demo=True)
        window.show()
        window.start()
        wait(lambda: window.ready)
        window.show_page("clients")
        view = window.clients_view
        view.open_client(view.model.row(0).id)
        wait(lambda: view.card.data is not None and window.ready)
        log = save_from_form(window, wait)
        for sql in log.reads:
            print("read:", " ".join(sql.split())[:150])
        figures = {"client_save_reads": len(log.reads), "client_save_writes": len(log.writes)}
        window.ops.wait_idle()
        window.close()
        db.dispose()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
