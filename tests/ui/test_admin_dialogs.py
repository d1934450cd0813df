"""Settings → Users and Settings → Audit log, as an administrator uses them.

Spans ui/users_dialog.py and ui/audit_viewer.py."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from crm_desktop.services import audit, clients, tasks, users
from crm_desktop.services.audit import AuditFilter


def rows(model) -> list:
    return [model.row(r) for r in range(model.rowCount())]


def test_the_audit_log_lists_who_did_what_and_filters_it(qtbot, open_window, sqlite_ctx, clock):
    aziz = clients.create(sqlite_ctx, name="Aziz Karimov")
    clients.update(sqlite_ctx, aziz.id, expected_version=aziz.version, address="Toshkent")
    dilnoza = users.create(sqlite_ctx, username="dilnoza", display_name="Dilnoza")
    window = open_window()
    viewer = window.show_audit_log()
    qtbot.waitUntil(lambda: viewer.model.ready and viewer.user.count() > 2)
    everything = rows(viewer.model)
    assert everything[0].entity in ("users", "company_profile", "workflow_templates")  # newest first
    assert viewer.count.text() == f"{audit.count_entries(sqlite_ctx)} entries"
    details = [viewer.model.index(r, 4).data() for r in range(viewer.model.rowCount())]
    assert "Address:  → Toshkent" in details  # old → new, the field named as a person reads it
    said = {tuple(viewer.model.index(r, c).data() for c in (2, 3)) for r in range(viewer.model.rowCount())}
    assert ("Changed", "Client 'Aziz Karimov'") in said and ("Created", "User 'Dilnoza'") in said  # no "#12"
    assert viewer.entity.itemText(viewer.entity.findData("clients")) == "Client"
    viewer.entity.setCurrentIndex(viewer.entity.findData("clients"))
    viewer.action.setCurrentIndex(viewer.action.findData("update"))
    qtbot.waitUntil(lambda: viewer.model.ready and [r.entity_id for r in rows(viewer.model)] == [aziz.id])
    viewer.entity.setCurrentIndex(0)
    viewer.action.setCurrentIndex(0)
    viewer.user.setCurrentIndex(viewer.user.findData(dilnoza.id))  # Dilnoza did nothing yet
    qtbot.waitUntil(lambda: viewer.model.ready and viewer.model.rowCount() == 0)
    viewer.user.setCurrentIndex(0)
    tomorrow = sqlite_ctx.today() + timedelta(days=1)
    qtbot.keyClicks(viewer.since.edit, tomorrow.strftime("%d.%m.%Y"))
    qtbot.keyClick(viewer.since.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: viewer.model.ready and viewer.model.rowCount() == 0)
    assert audit.count_entries(sqlite_ctx, AuditFilter(since=sqlite_ctx.today())) == len(everything)


def test_only_administrators_read_the_audit_log(sqlite_ctx, staff):
    import pytest

    from crm_desktop.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        audit.list_entries(staff["dilnoza"])


def test_users_are_added_edited_disabled_and_their_clients_handed_over(qtbot, open_window, sqlite_ctx):
    window = open_window()
    dialog = window.manage_users()
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 1)
    assert not dialog.password_button.isVisible()  # one PC, no server logins
    form = dialog.add()
    assert form.password is None
    form.username.setText("dilnoza yusupova")
    form.display_name.setText("Dilnoza Yusupova")
    form.save()
    qtbot.waitUntil(lambda: form.errors["username"].isVisible())
    assert "without spaces" in form.errors["username"].text() and form.isVisible()
    form.username.setText("dilnoza")
    form.can_export.setChecked(True)
    with qtbot.waitSignal(form.saved):
        form.save()
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 2)
    dilnoza = next(u for u in users.list_users(sqlite_ctx) if u.username == "dilnoza")
    assert dilnoza.can_export and dilnoza.role == "staff"
    for i in range(clients.count(sqlite_ctx), 3):
        clients.create(sqlite_ctx, name=f"Client {i}", owner_id=dilnoza.id)

    item = next(
        dialog.list.topLevelItem(i) for i in range(2) if dialog.list.topLevelItem(i).text(1) == "dilnoza"
    )
    dialog.list.setCurrentItem(item)
    handover = dialog.reassign()
    with qtbot.waitSignal(handover.saved):
        handover.save()
    assert dialog.message.text() == "3 clients handed over."
    assert {c.owner_id for c in clients.list_clients(sqlite_ctx, limit=None)} == {1}
    dialog.active_button.click()
    qtbot.waitUntil(lambda: not users.get(sqlite_ctx, dilnoza.id).active)
    qtbot.waitUntil(lambda: dialog.active_button.text() == "Enable")


def test_on_a_server_a_new_user_gets_a_login_with_the_password_typed_twice(qtbot, pg_ctx, tmp_path):
    import uuid

    from sqlalchemy import text

    from crm_desktop.db.engine import Database
    from crm_desktop.ui.ops import Ops
    from crm_desktop.ui.users_dialog import UsersDialog

    bugs: list = []
    ops = Ops(pg_ctx, report_bug=bugs.append)
    dialog = UsersDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 1)
    assert dialog.password_button.isVisible()
    name = f"zarina_{uuid.uuid4().hex[:6]}"
    form = dialog.add()
    form.username.setText(name)
    form.display_name.setText("Zarina Rahimova")
    form.password.setText("Chilonzor-77")
    form.password_again.setText("Chilonzor-78")
    form.save()
    assert form.errors["password_again"].isVisible() and form.isVisible()
    form.password_again.setText("Chilonzor-77")
    try:
        with qtbot.waitSignal(form.saved):
            form.save()
        db = Database.open(pg_ctx.db.engine.url.set(username=name, password="Chilonzor-77"))
        try:
            assert users.identify(db).username == name  # she signs in with her own login
        finally:
            db.dispose()
    finally:
        ops.wait_idle()
        with pg_ctx.db.engine.begin() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    assert not bugs


def test_a_deleted_records_entries_keep_its_name(sqlite_ctx):
    task = tasks.create(sqlite_ctx, title="Call Rashad")
    tasks.delete(sqlite_ctx, task.id)
    names = {(r.action, r.record_name) for r in audit.list_entries(sqlite_ctx, AuditFilter(entity="tasks"))}
    assert names == {("create", "Call Rashad"), ("delete", "Call Rashad")}
