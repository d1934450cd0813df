"""The Clients workspace on a real migrated SQLite database, driven through its widgets."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from crm_desktop.services import activities, clients, deals, invoices, tasks, users
from crm_desktop.services.invoices import LineValues
from crm_desktop.services.tasks import TaskFilter
from crm_desktop.ui.clients import ClientsView
from crm_desktop.ui.confirm import yes_button

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def open_view(qtbot, ops, tmp_path):
    def open_() -> ClientsView:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        view = ClientsView(ops, settings)
        qtbot.addWidget(view)
        view.resize(1300, 760)
        with qtbot.waitActive(view):
            view.show()
            view.activateWindow()
        view.start()
        qtbot.waitUntil(lambda: view.model.ready and not ops.busy)
        return view

    return open_


def names(view: ClientsView) -> list[str]:
    return [view.model.index(row, 0).data() for row in range(view.model.rowCount())]


def select(qtbot, view: ClientsView, name: str) -> None:
    row = names(view).index(name)
    rect = view.table.visualRect(view.model.index(row, 0))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: view.card.data is not None and view.card.data.client.name == name)
    view.table.setFocus()


def settle(qtbot, view: ClientsView) -> None:
    qtbot.waitUntil(lambda: not view.ops.busy)


def test_create_a_client_through_the_form_with_validation_next_to_the_fields(open_view, qtbot, sqlite_ctx):
    view = open_view()
    assert view.summary.text() == "No clients yet. Ctrl+N adds one."
    view.toolbar.widgetForAction(view.act_new).click()  # Ctrl+N is the main window's (test_main_window)
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    qtbot.waitUntil(lambda: form.name.hasFocus())
    qtbot.keyClicks(form.emails, "nodira-at-mail")
    qtbot.keyClicks(form.phones, "+998 90 111 22 33")
    qtbot.keyClicks(form.tags, "vip, wholesale")
    form.name.setFocus()
    qtbot.keyClick(form.name, Qt.Key.Key_Return)  # empty name
    qtbot.waitUntil(lambda: form.errors["name"].isVisible())
    assert "Name" in form.errors["name"].text()
    assert form.isVisible() and form.emails.toPlainText() == "nodira-at-mail"  # nothing typed is lost

    qtbot.keyClicks(form.name, "Nodira Yusupova")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.errors["emails"].isVisible())
    assert not form.errors["name"].isVisible()
    assert "nodira-at-mail" in form.errors["emails"].text() or "email" in form.errors["emails"].text().lower()
    assert form.isVisible() and form.name.text() == "Nodira Yusupova"
    assert clients.count(sqlite_ctx) == 0

    form.emails.selectAll()
    qtbot.keyClicks(form.emails, "nodira@mail.uz")
    form.name.setFocus()
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())
    qtbot.waitUntil(lambda: names(view) == ["Nodira Yusupova"])
    qtbot.waitUntil(lambda: view.card.data is not None and view.card.data.client.name == "Nodira Yusupova")
    saved = view.card.data.client
    assert saved.emails == ["nodira@mail.uz"] and saved.phones == ["+998 90 111 22 33"]
    assert saved.tags == ["vip", "wholesale"]
    assert view.card.details["tags"].text() == "vip, wholesale"
    assert view.table.currentIndex().row() == 0  # the new client is selected
    assert view.summary.text() == "1 in all"


def test_edit_with_f2_merges_another_pcs_change_of_other_fields(open_view, qtbot, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Aziz Karimov")
    view = open_view()
    select(qtbot, view, "Aziz Karimov")
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    assert form.name.text() == "Aziz Karimov"
    clients.update(
        sqlite_ctx, client.id, expected_version=client.version, address="Somewhere else"
    )  # another PC
    settle(qtbot, view)
    form.name.selectAll()
    qtbot.keyClicks(form.name, "Aziz Karimov Jr")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())  # different fields: merged without asking
    qtbot.waitUntil(lambda: names(view) == ["Aziz Karimov Jr"])
    assert clients.get(sqlite_ctx, client.id).address == "Somewhere else"


def test_the_same_field_saved_meanwhile_asks_which_value_to_keep(open_view, qtbot, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Aziz Karimov", address="Toshkent")
    view = open_view()
    select(qtbot, view, "Aziz Karimov")
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    clients.update(
        sqlite_ctx,
        client.id,
        expected_version=client.version,
        name="Aziz Karimov (Samarqand)",
        address="Samarqand, Registon 12",
    )  # another PC, in the same fields
    settle(qtbot, view)
    form.name.setText("Azizbek Karimov")
    form.address.setText("Toshkent, Chilonzor 7")
    form.notes.setPlainText("Met at the fair")
    form.save()
    qtbot.waitUntil(lambda: form.conflict is not None and form.conflict.isVisible())
    dialog = form.conflict
    assert set(dialog.mine_buttons) == {"name", "address"}  # the notes merged without asking
    assert (dialog.mine_buttons["name"].text(), dialog.stored_buttons["name"].text()) == (
        "Azizbek Karimov",
        "Aziz Karimov (Samarqand)",
    )
    assert form.isVisible() and form.name.text() == "Azizbek Karimov"  # nothing typed is lost
    dialog.stored_buttons["address"].setChecked(True)  # their address, my name
    with qtbot.waitSignal(form.saved):
        dialog.merge.click()
    stored = clients.get(sqlite_ctx, client.id)
    assert (stored.name, stored.address, stored.notes) == (
        "Azizbek Karimov",
        "Samarqand, Registon 12",
        "Met at the fair",
    )


def test_a_note_and_a_call_appear_on_the_timeline_at_once(open_view, qtbot, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Leyla Aliyeva", status="customer")  # no path to move on
    activities.add(
        sqlite_ctx,
        client.id,
        kind="meeting",
        body="First meeting",
        occurred_at=sqlite_ctx.now() - timedelta(days=2),
    )
    view = open_view()
    select(qtbot, view, "Leyla Aliyeva")
    assert view.card.timeline_texts()[0].startswith("Meeting · ")
    qtbot.keyClick(view.table, Qt.Key.Key_N, CTRL_SHIFT)
    assert view.card.entry_box.isVisible() and view.card.entry.hasFocus()
    qtbot.keyClicks(view.card.entry, "Promised a 5% discount")
    qtbot.keyClick(view.card.entry, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: view.card.timeline_texts()[0].endswith("Promised a 5% discount"))
    assert not view.card.entry_box.isVisible()
    assert view.table.hasFocus()  # back on the list, ready for the next shortcut
    local = sqlite_ctx.now().astimezone().strftime("%Y-%m-%d %H:%M")
    assert view.card.timeline_texts()[0] == f"Note · {local} · Owner\nPromised a 5% discount"
    assert [a.body for a in activities.timeline(sqlite_ctx, client.id)] == [
        "Promised a 5% discount",
        "First meeting",
    ]

    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_L, CTRL_SHIFT)
    qtbot.keyClicks(view.card.entry, "No answer")
    qtbot.keyClick(view.card.entry, Qt.Key.Key_Enter, CTRL)
    qtbot.waitUntil(lambda: "No answer" in view.card.timeline_texts()[0])
    assert view.card.timeline_texts()[0].startswith("Call · ")
    settle(qtbot, view)
    assert len(view.card.timeline_texts()) == 3  # the refresh that follows does not duplicate it


def test_an_empty_note_says_so_and_keeps_the_editor_open(open_view, qtbot, sqlite_ctx):
    clients.create(sqlite_ctx, name="Leyla Aliyeva")
    view = open_view()
    select(qtbot, view, "Leyla Aliyeva")
    qtbot.keyClick(view.table, Qt.Key.Key_N, CTRL_SHIFT)
    qtbot.keyClicks(view.card.entry, "   ")
    qtbot.keyClick(view.card.entry, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: view.card.entry_error.isVisible())
    assert "cannot be empty" in view.card.entry_error.text()
    assert view.card.entry_box.isVisible()
    qtbot.keyClick(view.card.entry, Qt.Key.Key_Escape)
    assert not view.card.entry_box.isVisible()


def test_call_back_creates_a_task_with_a_reminder_in_two_keystrokes(open_view, qtbot, sqlite_ctx):
    client = clients.create(sqlite_ctx, name="Zarina Rahimova")
    view = open_view()
    select(qtbot, view, "Zarina Rahimova")
    qtbot.keyClick(view.table, Qt.Key.Key_B, CTRL_SHIFT)
    qtbot.waitUntil(lambda: view.callback is not None and view.callback.isVisible())
    qtbot.keyClick(view.callback.when.day.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.callback.isVisible())
    [task] = tasks.list_tasks(sqlite_ctx, TaskFilter(client_id=client.id))
    tomorrow = (sqlite_ctx.now().astimezone() + timedelta(days=1)).date()
    expected = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0).astimezone()
    assert task.title == "Call back Zarina Rahimova"
    assert task.due_at == expected and task.remind_at == expected
    qtbot.waitUntil(lambda: "Call back Zarina Rahimova" in view.card.tasks.text())


def test_delete_asks_what_goes_with_the_client_and_removes_it(open_view, qtbot, sqlite_ctx):
    gone = clients.create(sqlite_ctx, name="Gone Client")
    clients.create(sqlite_ctx, name="Kept Client")
    activities.add(sqlite_ctx, gone.id, body="a note")
    deals.create(sqlite_ctx, client_id=gone.id, title="Small deal")
    tasks.create(sqlite_ctx, title="Call", client_id=gone.id)
    tasks.create(sqlite_ctx, title="Call again", client_id=gone.id)
    view = open_view()
    select(qtbot, view, "Gone Client")
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: view.confirm is not None and view.confirm.isVisible())
    text = view.confirm.text()
    # the note, and what the deal wrote: it was made, which made the lead a prospect
    assert "Delete Gone Client?" in text and "3 timeline entries, 1 deal, 2 tasks" in text
    assert view.confirm.defaultButton() is view.confirm.button(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(view.confirm, Qt.Key.Key_Return)  # Enter: the default, which keeps everything
    settle(qtbot, view)
    assert sorted(names(view)) == ["Gone Client", "Kept Client"]
    assert clients.deletion_impact(sqlite_ctx, gone.id).tasks == 2  # Cancel kept everything

    with qtbot.waitActive(view):  # the offscreen platform does not hand activation back when the box closes
        view.activateWindow()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: view.confirm.isVisible())
    qtbot.mouseClick(yes_button(view.confirm), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: names(view) == ["Kept Client"])
    qtbot.waitUntil(lambda: view.card.client_id != gone.id)
    assert clients.count(sqlite_ctx) == 1


def test_a_client_with_invoices_is_not_deleted_and_the_reason_is_shown(open_view, qtbot, sqlite_ctx, ops):
    client = clients.create(sqlite_ctx, name="Billed Client")
    invoices.create_draft(
        sqlite_ctx, client_id=client.id, lines=[LineValues("Work", quantity=1, unit_price="10")]
    )
    view = open_view()
    select(qtbot, view, "Billed Client")
    assert "Draft" in view.card.documents.text()
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: any(box.isVisible() for box in ops._boxes))
    assert "Mark the client inactive" in ops._boxes[-1].text()
    assert clients.count(sqlite_ctx) == 1 and names(view) == ["Billed Client"]


def test_search_and_filters_narrow_the_table(open_view, qtbot, sqlite_ctx, qtmodeltester):
    olga = users.create(sqlite_ctx, username="olga", display_name="Olga")
    clients.create(
        sqlite_ctx,
        name="Aziz Karimov",
        status="customer",
        tags=["vip"],
        source="web",
        phones=["+998 91 765 44 33"],
    )
    clients.create(sqlite_ctx, name="Bobur Aliev", status="lead", source="fair", owner_id=olga.id)
    clients.create(sqlite_ctx, name="Dilnoza Saidova", status="customer", tags=["wholesale"], source="web")
    view = open_view()
    qtbot.waitUntil(lambda: view.tag.count() == 3 and view.owner.count() == 3)
    assert names(view) == ["Aziz Karimov", "Bobur Aliev", "Dilnoza Saidova"]
    qtmodeltester.check(view.model)

    view.status.setCurrentIndex(view.status.findData("customer"))
    qtbot.waitUntil(lambda: names(view) == ["Aziz Karimov", "Dilnoza Saidova"])
    assert view.summary.text() == "2 found"
    view.tag.setCurrentIndex(view.tag.findText("wholesale"))
    qtbot.waitUntil(lambda: names(view) == ["Dilnoza Saidova"])
    view.tag.setCurrentIndex(0)
    view.status.setCurrentIndex(0)
    view.owner.setCurrentIndex(view.owner.findText("Olga"))
    qtbot.waitUntil(lambda: names(view) == ["Bobur Aliev"])
    view.owner.setCurrentIndex(0)
    view.source.setCurrentIndex(view.source.findText("web"))
    qtbot.waitUntil(lambda: names(view) == ["Aziz Karimov", "Dilnoza Saidova"])
    qtbot.keyClicks(view.search, "76544")  # phone digits
    qtbot.waitUntil(lambda: names(view) == ["Aziz Karimov"])
    view.search.clear()
    qtbot.keyClicks(view.search, "nobody")
    qtbot.waitUntil(lambda: names(view) == [])
    assert view.summary.text() == "No client matches."
    qtmodeltester.check(view.model)


def test_header_click_sorts_and_splitter_and_widths_are_remembered(open_view, qtbot, sqlite_ctx):
    for name, status in (("Aziz", "lead"), ("Bobur", "customer"), ("Dilnoza", "prospect")):
        clients.create(sqlite_ctx, name=name, status=status)
    view = open_view()
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(0) + header.sectionSize(0) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5))
    qtbot.waitUntil(lambda: names(view) == ["Dilnoza", "Bobur", "Aziz"])
    view.splitter.setSizes([700, 500])
    view.splitter.splitterMoved.emit(700, 1)
    view.table.setColumnWidth(0, 321)
    sizes = view.splitter.sizes()
    again = open_view()
    assert again.table.columnWidth(0) == 321
    assert again.splitter.sizes() == sizes


def test_open_client_shows_its_card_and_selects_its_row(open_view, qtbot, sqlite_ctx):
    clients.create(sqlite_ctx, name="Aziz")
    target = clients.create(sqlite_ctx, name="Bobur", phones=["+998 90 000 00 01"])
    deals.create(sqlite_ctx, client_id=target.id, title="Office cleaning", amount="1500")
    view = open_view()
    view.open_client(target.id)
    qtbot.waitUntil(lambda: view.card.data is not None and view.card.data.client.id == target.id)
    assert view.table.currentIndex().row() == 1
    assert "Office cleaning" in view.card.deals.text()
    assert "+998 90 000 00 01" in view.card.details["phones"].text()


def test_deleting_a_client_takes_its_timeline_deals_and_tasks_with_audit_rows(ctx, audit_rows):
    # Runs on both databases: the children must go first, each with its audit row.
    client = clients.create(ctx, name="Gone Client")
    note = activities.add(ctx, client.id, body="a note")
    deal = deals.create(ctx, client_id=client.id, title="Small deal")
    task = tasks.create(ctx, title="Call", client_id=client.id)
    clients.delete(ctx, client.id, expected_version=clients.get(ctx, client.id).version)
    assert clients.count(ctx) == 0
    for entity, entity_id in (
        ("clients", client.id),
        ("deals", deal.id),
        ("tasks", task.id),
        ("activities", note.id),
    ):
        assert [action for action, _ in audit_rows(entity, entity_id)][-1] == "delete", entity


def test_a_status_change_from_the_form_shows_on_the_timeline_in_words(open_view, qtbot, sqlite_ctx):
    clients.create(sqlite_ctx, name="Aziz Karimov")  # a lead
    view = open_view()
    select(qtbot, view, "Aziz Karimov")
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    form.status.setFocus()
    qtbot.keyClick(form.status, Qt.Key.Key_Down)  # the next status: prospect
    assert form.status.currentData() == "prospect"
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())
    qtbot.waitUntil(
        lambda: (
            view.card.timeline_texts()[:1] != []
            and view.card.timeline_texts()[0].startswith("Status change · ")
        )
    )
    assert view.card.timeline_texts()[0].endswith("\nLead → Prospect")
    assert "Prospect" in view.card.subtitle.text()


def test_arrow_keys_move_the_card_and_ctrl_enter_saves_the_form_from_the_notes(open_view, qtbot, sqlite_ctx):
    clients.create(sqlite_ctx, name="Aziz")
    clients.create(sqlite_ctx, name="Bobur")
    view = open_view()
    select(qtbot, view, "Aziz")
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: view.card.data is not None and view.card.data.client.name == "Bobur")
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    form.notes.setFocus()
    qtbot.keyClicks(form.notes, "Prefers calls after 5 pm")
    qtbot.keyClick(form.notes, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not form.isVisible())
    qtbot.waitUntil(lambda: view.card.details["notes"].text() == "Prefers calls after 5 pm")


def test_a_person_is_linked_to_their_company_by_picking_it(open_view, qtbot, sqlite_ctx):
    firm = clients.create(sqlite_ctx, name="Ipak Yoʻli Logistika", kind="company")
    view = open_view()
    view.toolbar.widgetForAction(view.act_new).click()  # Ctrl+N is the main window's (test_main_window)
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    qtbot.keyClicks(form.name, "Dilshod Karimov")
    qtbot.keyClicks(form.company, "ipak")  # typed, not picked: no company is guessed
    form.save()
    qtbot.waitUntil(lambda: form.errors["company_id"].isVisible())
    assert "Choose the company from the list" in form.errors["company_id"].text()
    form.company.search_now()
    qtbot.waitUntil(lambda: form.company.choices.rowCount() == 1)
    form.company.completer.activated[QModelIndex].emit(
        form.company.choices.index(0, 0)
    )  # picked from the list
    assert form.company.client_id == firm.id
    form.save()
    qtbot.waitUntil(lambda: not form.isVisible())
    person = next(c for c in clients.list_clients(sqlite_ctx) if c.name == "Dilshod Karimov")
    assert clients.get(sqlite_ctx, person.id).company_name == "Ipak Yoʻli Logistika"
    qtbot.waitUntil(lambda: view.card.data is not None and view.card.data.client.id == person.id)
    view.edit_client()
    qtbot.waitUntil(lambda: view.form is not None and view.form is not form and view.form.isVisible())
    assert view.form.company.text() == "Ipak Yoʻli Logistika"
    view.form.kind.setCurrentIndex(view.form.kind.findData("company"))
    assert not view.form.company.isVisible()  # a company has no company
    view.form.reject()


def test_a_company_not_there_yet_is_made_from_the_persons_form(open_view, qtbot, sqlite_ctx):
    view = open_view()
    view.toolbar.widgetForAction(view.act_new).click()
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    qtbot.keyClicks(form.name, "Dilshod Karimov")
    assert not form.new_company_button.isVisible()
    qtbot.keyClicks(form.company, "Chorsu Textile")
    assert form.new_company_button.isVisible()  # offered only for a name not picked from the list
    qtbot.mouseClick(form.new_company_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.company.client_id is not None)
    assert not form.new_company_button.isVisible()
    with qtbot.waitSignal(form.saved):
        form.save()
    person = next(c for c in clients.list_clients(sqlite_ctx) if c.name == "Dilshod Karimov")
    company = clients.get(sqlite_ctx, form.company.client_id)
    assert (company.kind, company.name) == ("company", "Chorsu Textile")
    assert clients.get(sqlite_ctx, person.id).company_name == "Chorsu Textile"


def test_the_company_row_shows_for_a_person_and_hides_for_a_company(qtbot, ops, sqlite_ctx):
    from crm_desktop.services import users
    from crm_desktop.ui.clients.form import ClientForm

    firm = clients.get(sqlite_ctx, clients.create(sqlite_ctx, name="Ipak Yoʻli Logistika", kind="company").id)
    person = clients.get(sqlite_ctx, clients.create(sqlite_ctx, name="Dilshod Karimov").id)

    def company_row(client) -> tuple[bool, bool]:
        form = ClientForm(ops, users.list_users(sqlite_ctx), client)
        qtbot.addWidget(form)
        form.show()
        label = form.form.labelForField(form.boxes["company_id"])
        assert label.text() == "Company"
        assert form.row_visible("company_id") == form.company.isVisible()
        return label.isVisible(), form.company.isVisible()

    assert company_row(firm) == (False, False)
    assert company_row(person) == (True, True)


def test_the_listed_clients_are_exported_to_a_csv_file(open_view, qtbot, sqlite_ctx, tmp_path):
    clients.create(sqlite_ctx, name="Ёлкин Дмитрий", phones=["+7 916 123 45 67"])
    clients.create(sqlite_ctx, name="Aziz Karimov")
    view = open_view()
    view.search.setText("Ёлкин")
    qtbot.waitUntil(lambda: names(view) == ["Ёлкин Дмитрий"])
    target = tmp_path / "clients.csv"
    view.export_to(target)
    qtbot.waitUntil(lambda: view.summary.text().startswith("1 client exported"))
    text = target.read_text(encoding="utf-8-sig")
    assert "Ёлкин Дмитрий" in text and "Aziz" not in text  # what the filters show, no more


def test_cancelling_the_export_writes_no_file_while_saves_go_on(
    open_view, qtbot, sqlite_ctx, tmp_path, monkeypatch
):
    import threading

    from crm_desktop.services import exports

    for i in range(5):
        clients.create(sqlite_ctx, name=f"Mijoz {i}")
    view = open_view()
    qtbot.waitUntil(lambda: len(names(view)) == 5)
    # Pages of two clients; the second page waits for the test, which meanwhile presses Cancel and saves.
    monkeypatch.setattr(exports, "PAGE_SIZE", 2)
    pages, opened = [], threading.Event()
    real_details = clients.details

    def held(ctx, ids):
        pages.append(list(ids))
        if len(pages) == 2:
            assert opened.wait(10)
        return real_details(ctx, ids)

    monkeypatch.setattr(clients, "details", held)
    target = tmp_path / "clients.csv"
    job = view.export_to(target)
    # the progress comes from the export's thread, queued: it may arrive after the second page is asked
    qtbot.waitUntil(lambda: len(pages) == 2 and job.dialog.isVisible())
    qtbot.waitUntil(lambda: job.dialog.label.text() == "2 of 5 clients written")
    saved = []
    view.ops.write(clients.create, name="Aziz Karimov", on_done=saved.append)
    qtbot.waitUntil(lambda: saved != [])  # a save does not wait for the export
    # and the list shows it before Cancel is pressed: its count would take the place of what Cancel says
    qtbot.waitUntil(lambda: view.summary.text() == "6 in all")
    qtbot.mouseClick(job.dialog.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(job.ended):
        opened.set()
    assert len(pages) == 2 and not target.exists() and list(tmp_path.glob("*.part")) == []
    assert view.summary.text() == "Export cancelled; no file was written."


def test_without_the_export_right_there_is_no_export(qtbot, tmp_path, sqlite_ctx):
    from PySide6.QtCore import QSettings

    from crm_desktop.services import users
    from crm_desktop.services.context import Actor, ServiceContext
    from crm_desktop.ui.clients.view import ClientsView
    from crm_desktop.ui.ops import Ops

    staff = users.create(sqlite_ctx, username="dilnoza", display_name="Dilnoza")
    ctx = ServiceContext(sqlite_ctx.db, actor=Actor(staff.id, staff.username, staff.role, can_export=False))
    view = ClientsView(
        Ops(ctx, report_bug=lambda exc: None), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(view)
    assert not hasattr(view, "act_export")
    assert "Export" not in " ".join(a.text() for a in view.toolbar.actions())
