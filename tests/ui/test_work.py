"""The work after the sale through the window: a won deal starts its job from a workflow, the job's
window runs its stages (checklist, send for approval), the approver answers in the reminder pop-up,
finishing offers the invoice from the deal's quote, and all of it is on the client's timeline; the
jobs board moves a job dropped on another status (asking why it is on hold); the template editor saves
a new version. Spans ui/work/view.py, board.py, cards.py, job_window.py, start_dialog.py, steps.py,
reason.py, template_editor.py and the approval buttons of ui/reminders/popup.py."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from crm_desktop.services import activities, clients, deals, documents, invoices, jobs, users, workflows
from crm_desktop.services.invoices import LineValues
from crm_desktop.services.workflows import StageSpec
from tests.ui.conftest import drop_card


def _office(ctx):
    olga = users.create(ctx, username="olga", display_name="Olga", role="manager")
    client = clients.create(ctx, name="Kamola Rahimova", phones=["+998 90 123 45 67"], address="Chilonzor 12")
    deal = deals.create(ctx, client_id=client.id, title="Boiler repair", amount="155", currency="USD")
    quote = invoices.create_draft(
        ctx, kind="quote", client_id=client.id, deal_id=deal.id, currency="USD",
        lines=[LineValues("Valve", 2, "pcs", "40"), LineValues("Labour", 3, "h", "25")],
    )  # fmt: skip
    documents.issue(ctx, quote.id, expected_version=quote.version)
    template = workflows.create(
        ctx,
        "Boiler visit",
        [
            StageSpec("Repair", work_days=1, checklist=("Valve replaced", "Pressure checked")),
            StageSpec("Sign-off", work_hours=2, needs_approval=True, approver_id=olga.id),
        ],
    )
    return client, deal, template


def _click(qtbot, parent, name: str) -> None:
    """Click the button of that name once it is shown (those of the stage shown before may still wait to
    be deleted; new ones are shown by the next turn of the event loop)."""

    def shown() -> list[QPushButton]:
        return [b for b in parent.findChildren(QPushButton, name) if b.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1)
    shown()[0].click()


def test_a_won_deal_becomes_a_job_run_to_its_approval_in_the_pop_up_and_its_invoice(
    open_window, qtbot, sqlite_ctx
):
    client, deal, template = _office(sqlite_ctx)
    window = open_window()
    window.show_page("deals")
    deals_view = window.deals_view
    qtbot.waitUntil(lambda: deals_view.ready)
    deals_view.win(deal.id, deal.version)
    qtbot.waitUntil(
        lambda: getattr(deals_view, "won_box", None) is not None and deals_view.won_box.isVisible()
    )
    start = next(b for b in deals_view.won_box.buttons() if b.text() == "Start the job…")
    start.click()
    dialog = window.start_job_dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.template.findData(template.id) >= 0)
    assert dialog.client.text() == "Kamola Rahimova" and dialog.title.placeholderText() == "Boiler repair"
    dialog.template.setCurrentIndex(dialog.template.findData(template.id))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    view = window.jobs_view
    qtbot.waitUntil(lambda: len(view.windows) == 1)
    job_window = next(iter(view.windows.values()))
    qtbot.waitUntil(lambda: job_window.ready and job_window.isVisible())
    assert "Kamola Rahimova" in job_window.client.text() and "Chilonzor 12" in job_window.client.text()
    assert [job_window.scope.topLevelItem(i).text(0) for i in range(2)] == ["Valve", "Labour"]

    for row in range(job_window.checklist.count()):  # the repair's checklist, ticked one by one
        job_window.checklist.item(row).setCheckState(Qt.CheckState.Checked)
        qtbot.waitUntil(lambda n=row: job_window.detail.stages[0].ticked > n)
    qtbot.waitUntil(lambda: job_window.detail.stages[0].ticked == 2)
    _click(qtbot, job_window, "stage_done")
    qtbot.waitUntil(lambda: job_window.detail.stages[0].status == "done")
    job_window.timeline.choose(job_window.detail.stages[1].id)
    _click(qtbot, job_window, "stage_send")
    qtbot.waitUntil(lambda: job_window.detail.stages[1].status == "awaiting_approval")

    window.reminder_scheduler.look()  # the approver's reminder (one PC, one database: it pops up here)
    popup = window.reminder_window
    qtbot.waitUntil(lambda: any(r.reminder.approval_id for r in popup.rows.values()) and popup.isVisible())
    row = next(r for r in popup.rows.values() if r.reminder.approval_id)
    assert row.done_button.text() == "Approve" and row.reject_button is not None
    row.done_button.click()
    qtbot.waitUntil(lambda: job_window.detail.stages[1].status == "done")

    _click(qtbot, job_window, "job_done")
    qtbot.waitUntil(lambda: getattr(job_window, "finished_dialog", None) is not None)
    offer = job_window.finished_dialog
    assert offer.invoice.isChecked() and offer.feedback.isChecked()
    offer.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    editor = window.invoices_view
    qtbot.waitUntil(lambda: getattr(editor, "editor", None) is not None and editor.editor.isVisible())
    lines = invoices.get(sqlite_ctx, editor.editor.document.id).lines
    assert [(x.description, x.quantity) for x in lines] == [("Valve", 2), ("Labour", 3)]
    said = [e.text() for e in reversed(activities.timeline(sqlite_ctx, client.id)) if e.kind == "job"]
    assert said == [
        "Job started: Boiler repair (Boiler visit)",
        "Stage done: Repair of Boiler repair",
        "Sent for approval: Sign-off of Boiler repair",
        "Approved: Sign-off of Boiler repair",
        "Job Boiler repair: In progress → Done",
    ]
    editor.editor.done(0)


def test_a_job_dropped_on_on_hold_asks_why_and_moves(open_window, qtbot, sqlite_ctx):
    client, _deal, template = _office(sqlite_ctx)
    job = jobs.start(sqlite_ctx, client.id, template.id, title="Boiler")
    jobs.set_status(sqlite_ctx, job.id, "in_progress")
    window = open_window()
    window.show_page("jobs")
    view = window.jobs_view
    view.status_button.setChecked(True)
    qtbot.waitUntil(lambda: view.ready and view.board.column("in_progress").model.rowCount() == 1)

    drop_card(view.board.column("in_progress"), 0, view.board.column("on_hold").view)

    ask = view.reason_dialog
    qtbot.waitUntil(ask.isVisible)
    ask.buttons.button(QDialogButtonBox.StandardButton.Save).click()  # no reason: refused, kept open
    qtbot.waitUntil(lambda: ask.errors["reason"].isVisible())
    ask.reason.setPlainText("Parts on order")
    ask.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    counts = lambda: [view.board.column(s).model.rowCount() for s in ("in_progress", "on_hold")]  # noqa: E731
    qtbot.waitUntil(lambda: counts() == [0, 1])  # (each column reloads on its own)
    assert jobs.get(sqlite_ctx, job.id).hold_reason == "Parts on order"


def test_the_template_editor_saves_a_new_version_and_the_running_job_keeps_its_own(
    open_window, qtbot, sqlite_ctx
):
    client, _deal, template = _office(sqlite_ctx)
    job = jobs.start(sqlite_ctx, client.id, template.id)
    window = open_window()
    window.show_page("jobs")
    editor = window.jobs_view.edit_templates()
    qtbot.waitUntil(lambda: editor.ready)
    editor.list.setCurrentRow(next(i for i, t in enumerate(editor.templates) if t.id == template.id))
    editor.stages.setCurrentCell(0, 0)
    editor.add_stage()
    editor.stages.item(1, 0).setText("Photos for the client")
    editor.checklist.setPlainText("Before\nAfter")
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: workflows.get(sqlite_ctx, template.id).revision == 2)
    saved = workflows.get(sqlite_ctx, template.id)
    assert [g.name for g in saved.stages] == ["Repair", "Photos for the client", "Sign-off"]
    assert saved.stages[1].checklist == ("Before", "After")
    assert [g.name for g in jobs.get(sqlite_ctx, job.id).stages] == ["Repair", "Sign-off"]
    editor.done(0)


def test_the_office_calendar_is_set_in_settings_with_its_public_holidays(open_window, qtbot, sqlite_ctx):
    from datetime import date

    from crm_desktop.services import work_calendar

    window = open_window()
    dialog = window.edit_office_calendar()
    qtbot.waitUntil(lambda: dialog.ready)
    dialog.days[5].setChecked(True)  # Saturdays too
    dialog.country.setCurrentIndex(dialog.country.findData("UZ"))
    qtbot.waitUntil(lambda: dialog.ready and dialog.add_public.isEnabled())
    dialog.year.setValue(2026)
    dialog.add_public.click()
    qtbot.waitUntil(lambda: dialog.holidays.topLevelItemCount() > 5)
    dialog.new_day.set_date(date(2026, 12, 30))
    dialog.new_name.setText("Office move")
    dialog.add_day()
    qtbot.waitUntil(lambda: any(dialog.holidays.topLevelItem(i).text(1) == "Office move"
                                for i in range(dialog.holidays.topLevelItemCount())))  # fmt: skip
    with qtbot.waitSignal(dialog.finished):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    calendar = work_calendar.of(sqlite_ctx)
    assert calendar.work_days == "1111110" and calendar.country == "UZ"
    assert date(2026, 12, 30) in calendar.holidays and date(2026, 3, 21) in calendar.holidays  # Navroʻz


def test_a_jobs_details_and_team_are_edited_in_its_window(open_window, qtbot, sqlite_ctx):
    client, _deal, template = _office(sqlite_ctx)
    rashad = users.create(sqlite_ctx, username="rashad", display_name="Rashad")
    job = jobs.start(sqlite_ctx, client.id, template.id)
    window = open_window()
    job_window = window.jobs_view.open_job_id(job.id)
    qtbot.waitUntil(lambda: job_window.ready)
    form = job_window.edit()
    qtbot.waitUntil(lambda: form.ready)
    form.title.setText("Boiler, second floor")
    form.priority.setCurrentIndex(form.priority.findData("high"))
    form.site_address.setText("Chilonzor 12, flat 4")
    member = next(form.team.item(n) for n in range(form.team.count()) if form.team.item(n).text() == "Rashad")
    member.setCheckState(Qt.CheckState.Checked)
    form.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: job_window.detail.title == "Boiler, second floor")
    assert (
        "High priority" in job_window.standing.text() and "Chilonzor 12, flat 4" in job_window.client.text()
    )
    assert jobs.team(sqlite_ctx, job.id) == [rashad.id]


def test_the_client_card_lists_its_jobs_and_a_file_is_attached_in_the_jobs_window(
    open_window, qtbot, sqlite_ctx, tmp_path
):
    client, _deal, template = _office(sqlite_ctx)
    job = jobs.start(sqlite_ctx, client.id, template.id, title="Boiler")
    window = open_window()
    window.show_page("clients")
    window.clients_view.open_client(client.id)
    card = window.clients_view.card
    qtbot.waitUntil(lambda: card.data is not None and card.data.client.id == client.id)
    assert "Boiler" in card.jobs.text() and "0% done" in card.jobs.text()
    card.jobs.linkActivated.emit(f"job:{job.id}")  # a click on the job opens its window
    qtbot.waitUntil(lambda: job.id in window.jobs_view.windows)
    job_window = window.jobs_view.windows[job.id]
    qtbot.waitUntil(lambda: job_window.ready)
    photo = tmp_path / "boiler.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    job_window.attach(photo)
    qtbot.waitUntil(lambda: job_window.files.topLevelItemCount() == 1)
    assert job_window.files.topLevelItem(0).text(0) == "boiler.jpg"
    assert window.current_key() == "jobs"  # the job opened where jobs live
    window.show_page("clients")  # back on the card: it shows what happened meanwhile
    qtbot.waitUntil(lambda: any("boiler.jpg" in t for t in card.timeline_texts()))


def test_a_stage_is_blocked_with_its_reason_and_who_unblocks_it(open_window, qtbot, sqlite_ctx):
    client, _deal, template = _office(sqlite_ctx)
    job = jobs.start(sqlite_ctx, client.id, template.id)
    window = open_window()
    job_window = window.jobs_view.open_job_id(job.id)
    qtbot.waitUntil(lambda: job_window.ready)
    _click(qtbot, job_window, "stage_block")
    ask = job_window.reason_dialog
    olga = ask.fields["unblocker_id"]
    qtbot.waitUntil(lambda: olga.findText("Olga") >= 0)
    olga.setCurrentIndex(olga.findText("Olga"))
    ask.reason.setPlainText("The client is away until Monday")
    ask.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: job_window.detail.stages[0].status == "blocked")
    olga_id = next(u.id for u in users.list_users(sqlite_ctx) if u.username == "olga")
    assert job_window.detail.stages[0].unblocker_id == olga_id
    assert "The client is away until Monday" in job_window.stage_facts.text()
