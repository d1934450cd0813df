"""One client saved from its form in the main window, the SQL it costs counted until the window is idle.

Shared by tests/ui/test_refresh.py (what a save must not read) and tests/perf/client_save_bench.py
(`client_save_reads`).
"""

from __future__ import annotations

from collections.abc import Callable

from statements import StatementLog

Wait = Callable[[Callable[[], bool]], None]


def new_phone(form) -> None:
    form.phones.setPlainText("+998 90 123 45 67")


def save_from_form(window, wait: Wait, edit: Callable[[object], None] = new_phone) -> StatementLog:
    """Edit the client whose card the Clients page shows, change it with `edit(form)`, press Save."""
    view = window.clients_view
    before = view.card.data.client
    view.edit_client()
    form = view.form
    assert form is not None and form.isVisible()
    edit(form)
    with StatementLog(window.ops.ctx.db.engine) as log:
        form.save()
        wait(lambda: not form.isVisible() and window.ready and view.card.data.client.version > before.version)
        # Idle: no call pending, also after the card delay that follows the row selection.
        wait(lambda: not view._card_timer.isActive() and window.ready)
    return log
