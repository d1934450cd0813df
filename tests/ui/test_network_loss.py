"""The server connection breaks during a save: the form keeps what was typed, says the connection is
lost, tries again by itself, and the record is stored exactly once — whether the break came before
the row was written or after it was committed but before the answer arrived.

Spans the forms (ui/form_dialog.py and the client form and invoice editor built on it), ui/ops.py and
the services' request ids (services/context.py made_before)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crm_desktop.db.engine import Database
from crm_desktop.db.migrate import upgrade
from crm_desktop.services import clients, invoices, users
from crm_desktop.services.context import ServiceContext
from crm_desktop.ui.clients.form import ClientForm
from crm_desktop.ui.invoices.editor import InvoiceEditor
from crm_desktop.ui.ops import Ops


@pytest.fixture
def shared(qtbot, postgres_url, clock):
    db = Database.open(postgres_url)
    upgrade(db)
    ctx = ServiceContext(db, clock=clock)
    bugs: list[BaseException] = []
    ops = Ops(ctx, report_bug=bugs.append)
    yield ctx, ops
    ops.wait_idle()
    db.dispose()
    assert not bugs


def open_form(qtbot, ops, ctx) -> ClientForm:
    form = ClientForm(ops, users.list_users(ctx))
    qtbot.addWidget(form)
    form.show()
    form.name.setText("Nodira Yusupova")
    form.phones.setPlainText("+998 90 111 22 33")
    return form


def test_the_backend_is_killed_before_the_row_is_written(qtbot, shared, postgres_url):
    ctx, ops = shared
    killer = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    killed = []

    def cut(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO clients") and not killed:
            killed.append(cursor.connection.info.backend_pid)
            with killer.connect() as k:
                k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed[0]})

    event.listen(ctx.db.engine, "before_cursor_execute", cut)
    try:
        form = open_form(qtbot, ops, ctx)
        form.save()
        qtbot.waitUntil(lambda: "connection to the server is lost" in form.problem.text())
        assert form.isVisible() and form.name.text() == "Nodira Yusupova"  # nothing typed is lost
        with qtbot.waitSignal(form.saved, timeout=10_000):
            pass  # the form tries again by itself
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", cut)
        killer.dispose()
    assert killed and [c.name for c in clients.list_clients(ctx, limit=None)] == ["Nodira Yusupova"]


def test_the_answer_is_lost_after_the_commit(qtbot, shared):
    ctx, ops = shared
    lost = []

    def answer_lost(session, *_):
        if not lost and session.get_bind().dialect.name == "postgresql":
            lost.append(True)
            raise OperationalError(
                "COMMIT",
                {},
                Exception("server closed the connection unexpectedly"),
                connection_invalidated=True,
            )

    event.listen(Session, "after_commit", answer_lost)
    try:
        form = open_form(qtbot, ops, ctx)
        form.save()
        qtbot.waitUntil(lambda: "connection to the server is lost" in form.problem.text())
        with qtbot.waitSignal(form.saved, timeout=10_000):
            pass
    finally:
        event.remove(Session, "after_commit", answer_lost)
    assert [c.name for c in clients.list_clients(ctx, limit=None)] == ["Nodira Yusupova"]  # once, not twice
    assert form.result_record.id == clients.list_clients(ctx, limit=None)[0].id


def open_editor(qtbot, ops, ctx) -> InvoiceEditor:
    client = clients.create(ctx, name="Nodira Yusupova")
    editor = InvoiceEditor(ops, None, currency="UZS")
    qtbot.addWidget(editor)
    editor.show()
    editor.client_edit.choose(client.id, client.name)
    for column, typed in enumerate(("Website design", "2", "h", "1500000")):
        editor.model.setData(editor.model.index(0, column), typed)
    return editor


def typed_lines(editor: InvoiceEditor) -> list[list[str]]:
    model = editor.model
    return [[model.index(row, column).data() for column in range(4)] for row in range(model.rowCount())]


def test_an_invoice_saved_while_the_backend_is_killed_is_stored_once_it_is_back(qtbot, shared, postgres_url):
    ctx, ops = shared
    killer = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    killed = []

    def cut(conn, cursor, statement, *_):
        if statement.startswith("INSERT INTO documents") and not killed:
            killed.append(cursor.connection.info.backend_pid)
            with killer.connect() as k:
                k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed[0]})

    event.listen(ctx.db.engine, "before_cursor_execute", cut)
    try:
        editor = open_editor(qtbot, ops, ctx)
        editor.save()
        qtbot.waitUntil(lambda: "connection to the server is lost" in editor.problem.text())
        assert editor.isVisible() and typed_lines(editor) == [["Website design", "2", "h", "1500000"]]
        assert editor.total_value.text() == "3,000,000.00 UZS"
        with qtbot.waitSignal(editor.saved, timeout=10_000):
            pass  # the editor tries again by itself
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", cut)
        killer.dispose()
    stored = invoices.list_documents(ctx, limit=None)
    assert killed and len(stored) == 1 and stored[0].total == 3_000_000


def test_an_invoice_whose_answer_is_lost_after_the_commit_is_not_stored_twice(qtbot, shared):
    ctx, ops = shared
    editor = open_editor(qtbot, ops, ctx)
    lost = []

    def answer_lost(session, *_):
        if not lost and session.info.get("documents_written"):
            lost.append(True)
            raise OperationalError(
                "COMMIT",
                {},
                Exception("server closed the connection unexpectedly"),
                connection_invalidated=True,
            )

    def note_documents(session, flush_context, instances):
        if any(type(obj).__name__ == "Document" for obj in session.new):
            session.info["documents_written"] = True

    event.listen(Session, "before_flush", note_documents)
    event.listen(Session, "after_commit", answer_lost)
    try:
        editor.save()
        qtbot.waitUntil(lambda: "connection to the server is lost" in editor.problem.text())
        with qtbot.waitSignal(editor.saved, timeout=10_000):
            pass
    finally:
        event.remove(Session, "after_commit", answer_lost)
        event.remove(Session, "before_flush", note_documents)
    stored = invoices.list_documents(ctx, limit=None)
    assert lost and [d.id for d in stored] == [editor.result_record.id]  # once, not twice


def test_the_window_shows_a_banner_while_the_server_does_not_answer(qtbot, shared, tmp_path):
    from PySide6.QtCore import QSettings

    from crm_desktop.services.context import DatabaseUnavailable
    from crm_desktop.ui.main_window import MainWindow

    ctx, ops = shared
    window = MainWindow(ops, QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()

    def unreachable(_ctx):
        raise DatabaseUnavailable("The connection to the database server was lost.")

    ops.write(unreachable)
    qtbot.waitUntil(lambda: window.offline_banner.isVisible())
    assert ops._boxes == []  # no message box per call: the banner says it once
    ops.read(lambda _ctx: None)
    qtbot.waitUntil(lambda: not window.offline_banner.isVisible())
    assert "again" in window.statusBar().currentMessage()
    ops.wait_idle()
