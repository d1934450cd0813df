"""Time through the window: a timer left running (the app closed or killed) is in the status bar when the
window opens, counted from its stored start, and Stop keeps its time; a stage's Start timer; the week's
time sheet adds an entry typed as "1:30" and removes it; the job's Time and costs tab adds a material and
"Invoice work done" opens the draft with the time and the material. Spans ui/time_clock.py,
ui/time_sheet.py, ui/rates_dialog.py and ui/work/work_done_tab.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import shiboken6

from crm_desktop.services import clients, company, invoices, jobs, time_tracking, work_billing, workflows
from crm_desktop.services.workflows import StageSpec


def _job(ctx):
    template = workflows.create(ctx, "Visit", [StageSpec("Repair", work_hours=Decimal(2))])
    client = clients.create(ctx, name="Kamola Rahimova")
    return jobs.start(ctx, client.id, template.id, title="Boiler")


def test_a_timer_left_running_shows_in_the_status_bar_and_stop_keeps_its_time(
    open_window, qtbot, sqlite_ctx, clock
):
    job = _job(sqlite_ctx)
    time_tracking.start_timer(sqlite_ctx, stage_id=job.stages[0].id)  # (then the app was closed)
    clock.current += timedelta(minutes=75)
    window = open_window()
    shown = window.time_clock
    qtbot.waitUntil(lambda: shown.isVisible())
    assert shown.label.text() == "⏱ Boiler · Repair 1:15"
    shown.stop_button.click()
    qtbot.waitUntil(lambda: not shown.isVisible())
    assert [e.minutes for e in time_tracking.entries(sqlite_ctx)] == [75]


def test_a_stage_starts_its_timer_from_the_job_window(open_window, qtbot, sqlite_ctx):
    job = _job(sqlite_ctx)
    window = open_window()
    job_window = window.jobs_view.open_job_id(job.id)
    qtbot.waitUntil(lambda: job_window.detail is not None)
    job_window.timeline.choose(job.stages[0].id)
    qtbot.waitUntil(lambda: job_window.stage is not None)
    job_window.start_timer()
    qtbot.waitUntil(lambda: window.time_clock.isVisible())
    assert "Repair" in window.time_clock.label.text()
    job_window.close()


def test_the_week_sheet_adds_time_typed_as_people_write_it_and_removes_it(open_window, qtbot, sqlite_ctx):
    job = _job(sqlite_ctx)
    window = open_window()
    sheet = window.show_time_sheet()
    qtbot.waitUntil(lambda: sheet.ready)
    sheet.grid.setCurrentCell(0, sqlite_ctx.today().weekday())
    dialog = sheet.edit_entry(None)
    qtbot.waitUntil(lambda: dialog.what.count() > 1)  # (what one works on now: the job, its stage)
    dialog.spent.setText("soon")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.problem.isVisible())
    assert "1:30, 1.5 or 90m" in dialog.problem.text() and dialog.spent.text() == "soon"  # kept
    dialog.spent.setText("1:30")
    dialog.what.setCurrentIndex(
        next(n for n in range(dialog.what.count()) if "Repair" in dialog.what.itemText(n))
    )
    dialog.save()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))
    qtbot.waitUntil(lambda: sheet.ready and sheet.grid.rowCount() == 2)
    assert sheet.grid.verticalHeaderItem(0).text() == "Boiler · Repair"
    assert sheet.grid.item(1, 7).text() == "1:30"  # the week's total
    assert [e.stage_id for e in time_tracking.entries(sqlite_ctx)] == [job.stages[0].id]
    sheet.grid.setCurrentCell(0, sqlite_ctx.today().weekday())
    qtbot.waitUntil(lambda: sheet.entries.topLevelItemCount() == 1)
    sheet.remove_entry()
    qtbot.waitUntil(lambda: sheet.ready and sheet.grid.rowCount() == 1)
    assert time_tracking.entries(sqlite_ctx) == []


def test_invoice_work_done_opens_the_draft_of_the_jobs_time_and_materials(open_window, qtbot, sqlite_ctx):
    job = _job(sqlite_ctx)
    work_billing.set_rate(
        sqlite_ctx, job_id=job.id, amount="30", currency=company.get(sqlite_ctx).default_currency
    )
    time_tracking.add_entry(sqlite_ctx, day=sqlite_ctx.today(), minutes=120, stage_id=job.stages[0].id)
    window = open_window()
    job_window = window.jobs_view.open_job_id(job.id)
    tab = job_window.work_done
    qtbot.waitUntil(lambda: tab.entries.topLevelItemCount() == 1 and tab.rate.text() != "")
    assert tab.hours.topLevelItem(0).text(1) == "2" and tab.hours.topLevelItem(0).text(2) == "2"
    adding = tab.add_material()
    adding.description.setText("Valve")
    adding.quantity.setText("2")
    adding.price.setText("40")
    adding.save()
    qtbot.waitUntil(lambda: tab.materials.topLevelItemCount() == 1)
    tab.invoice()
    editor = window.invoices_view
    qtbot.waitUntil(lambda: getattr(editor, "editor", None) is not None and editor.editor.isVisible())
    lines = invoices.get(sqlite_ctx, editor.editor.document.id).lines
    assert [(x.description, x.quantity, x.unit_price) for x in lines] == [
        ("Repair — Owner", 2, 30),  # two hours of the owner's at the job's rate
        ("Valve", 2, 40),
    ]
    qtbot.waitUntil(lambda: tab.entries.topLevelItem(0).text(4) == "Invoiced")
    editor.editor.done(0)
    job_window.close()


def test_an_act_of_work_done_is_issued_for_a_period_and_its_pdf_kept_with_the_job(qtbot, ops, sqlite_ctx):
    from crm_desktop.services import job_files
    from crm_desktop.ui.work.work_done_tab import WorkDoneTab

    job = _job(sqlite_ctx)
    work_billing.set_rate(
        sqlite_ctx, job_id=job.id, amount="30", currency=company.get(sqlite_ctx).default_currency
    )
    time_tracking.add_entry(sqlite_ctx, day=sqlite_ctx.today(), minutes=90, stage_id=job.stages[0].id)
    tab = WorkDoneTab(ops, job.id)
    qtbot.addWidget(tab)
    tab.show_job(jobs.get(sqlite_ctx, job.id))
    dialog = tab.make_act()
    dialog.first.set_date(sqlite_ctx.today() - timedelta(days=30))
    with qtbot.waitSignal(tab.act_made) as made:
        dialog.save()
    name, pdf = job_files.content(sqlite_ctx, made.args[0])
    assert name.startswith("ACT-") and name.endswith("00001.pdf") and pdf.startswith(b"%PDF")


def test_a_task_starts_its_timer_from_its_form(open_window, qtbot, sqlite_ctx):
    from crm_desktop.services import tasks
    from crm_desktop.ui.calendar.dialog import TaskDialog

    call = tasks.create(sqlite_ctx, title="Call the bakery", due_at=sqlite_ctx.now() + timedelta(hours=1))
    window = open_window()
    dialog = TaskDialog(window.ops, task=tasks.get(sqlite_ctx, call.id), parent=window)
    dialog.start_timer()
    qtbot.waitUntil(lambda: window.time_clock.isVisible())
    assert "Call the bakery" in window.time_clock.label.text()
    dialog.done(0)
