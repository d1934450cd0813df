"""Billing the work done: a job's billable time (per stage and person, at the job's, the person's or the
skill's rate) and materials become a draft invoice, each entry once — asking twice bills nothing twice;
an invoiced entry stays as billed; a draft deleted or an invoice credited in full gives the work back;
a fixed price is billed once; a missing rate is named. Through a staff login on a server an invoiced
entry cannot be changed either."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.services import (
    clients,
    company,
    documents,
    invoices,
    jobs,
    time_tracking,
    work_billing,
    workflows,
)
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.workflows import StageSpec

TASHKENT = ZoneInfo("Asia/Tashkent")
DAY = date(2026, 3, 2)


@pytest.fixture
def job(ctx, clock, staff):
    clock.tz = TASHKENT
    clock.current = datetime(2026, 3, 2, 9, tzinfo=TASHKENT)
    profile = company.get(ctx)
    company.update(ctx, expected_version=profile.version, name="Office", default_currency="USD")
    template = workflows.create(
        ctx,
        "Fit-out",
        [StageSpec("Measure", work_hours=Decimal(3)), StageSpec("Wiring", work_days=2, role="Electrician")],
    )
    client = clients.create(ctx, name="Kamola Rahimova")
    return jobs.start(ctx, client.id, template.id, starts=clock.current)


def _lines(doc) -> list[tuple[str, str, str, str]]:
    return [
        (x.description, f"{x.quantity.normalize():f}", x.unit, f"{x.unit_price.normalize():f}")
        for x in doc.lines
    ]


def test_work_done_is_invoiced_once_per_stage_and_person_with_its_materials(ctx, staff, job):
    measure, wiring = job.stages
    dilnoza, rashad = staff["dilnoza"].actor.user_id, staff["rashad"].actor.user_id
    work_billing.set_rate(ctx, user_id=dilnoza, amount="20", currency="USD")
    work_billing.set_rate(ctx, skill="Electrician", amount="35", currency="USD")
    for who, stage, minutes in ((dilnoza, measure, 90), (dilnoza, measure, 50), (rashad, wiring, 240)):
        time_tracking.add_entry(ctx, day=DAY, minutes=minutes, stage_id=stage.id, user_id=who)
    time_tracking.add_entry(ctx, day=DAY, minutes=30, stage_id=measure.id, user_id=dilnoza, billable=False)
    work_billing.add_material(
        ctx, job.id, description="Cable 3×2.5", quantity="25", unit="m", unit_price="1.20"
    )
    work_billing.add_material(ctx, job.id, description="Coffee", quantity=1, unit_price=3, billable=False)

    draft = work_billing.invoice_work_done(ctx, job.id)
    assert draft.status == "draft" and draft.currency == "USD"
    assert _lines(draft) == [
        ("Measure — Dilnoza", "2.33", "h", "20"),  # 140 minutes
        ("Wiring — Rashad", "4", "h", "35"),  # his skill's rate: the stage needs an electrician
        ("Cable 3×2.5", "25", "m", "1.2"),
    ]
    assert draft.total == Decimal("216.60")
    with pytest.raises(ValidationError, match="Nothing on .* is left to invoice"):
        work_billing.invoice_work_done(ctx, job.id)  # asked again: nothing is billed twice

    billed = [e for e in time_tracking.entries(ctx, job_id=job.id) if e.invoice_id == draft.id]
    assert len(billed) == 3
    with pytest.raises(ValidationError, match="invoiced: it stays as it was billed"):
        time_tracking.update_entry(ctx, billed[0].id, expected_version=billed[0].version, minutes=10)
    with pytest.raises(ValidationError, match="invoiced"):
        time_tracking.delete_entry(ctx, billed[0].id)

    time_tracking.add_entry(ctx, day=DAY, minutes=60, stage_id=wiring.id, user_id=rashad)
    second = work_billing.invoice_work_done(ctx, job.id)
    assert _lines(second) == [("Wiring — Rashad", "1", "h", "35")]


def test_a_deleted_draft_or_an_invoice_credited_in_full_gives_its_work_back(ctx, staff, job):
    measure, _wiring = job.stages
    dilnoza = staff["dilnoza"].actor.user_id
    work_billing.set_rate(ctx, job_id=job.id, amount="25", currency="USD")  # the job's own rate, for everyone
    time_tracking.add_entry(ctx, day=DAY, minutes=120, stage_id=measure.id, user_id=dilnoza)
    draft = work_billing.invoice_work_done(ctx, job.id)
    invoices.delete_draft(ctx, draft.id, expected_version=draft.version)
    again = work_billing.invoice_work_done(ctx, job.id)
    assert _lines(again) == [("Measure — Dilnoza", "2", "h", "25")]

    issued = documents.issue(ctx, again.id, expected_version=again.version)
    note = documents.credit_note_for(ctx, issued.id)
    documents.issue(ctx, note.id, expected_version=note.version)  # the whole invoice credited
    assert [e.invoice_id for e in time_tracking.entries(ctx, job_id=job.id)] == [None]
    assert work_billing.invoice_work_done(ctx, job.id).total == Decimal("50.00")


def test_a_fixed_price_is_billed_once_and_a_missing_rate_is_named(ctx, staff, job):
    measure, _wiring = job.stages
    rashad = staff["rashad"].actor.user_id
    time_tracking.add_entry(ctx, day=DAY, minutes=60, stage_id=measure.id, user_id=rashad)
    with pytest.raises(ValidationError, match="no hourly rate in USD for the time of Rashad"):
        work_billing.invoice_work_done(ctx, job.id)
    work_billing.set_rate(ctx, job_id=job.id, kind="fixed", amount="900", currency="USD")
    first = work_billing.invoice_work_done(ctx, job.id)
    assert _lines(first) == [(job.title, "1", "", "900")]
    with pytest.raises(ValidationError, match="Nothing on"):
        work_billing.invoice_work_done(ctx, job.id)
    with pytest.raises(ValidationError, match="fixed price is invoiced"):
        work_billing.set_rate(ctx, job_id=job.id, kind="fixed", amount="1000", currency="USD")
    with pytest.raises(ValidationError, match="Only a job has a fixed price"):
        work_billing.set_rate(ctx, user_id=rashad, kind="fixed", amount="1", currency="USD")


def test_a_month_of_a_contracts_visits_is_invoiced_once(ctx, staff, job):
    from crm_desktop.services import tasks, visits

    dilnoza = staff["dilnoza"].actor.user_id
    work_billing.set_rate(ctx, user_id=dilnoza, amount="20", currency="USD")
    client = clients.create(ctx, name="Bakery Weber")
    weekly = visits.SeriesValues("Cleaning", "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 2), assignee_id=dilnoza)
    visits.create(ctx, client.id, weekly)
    made = tasks.list_tasks(ctx, tasks.TaskFilter(client_id=client.id, status=None), limit=None)
    for visit, minutes in zip(sorted(made, key=lambda t: t.due_at)[:2], (90, 60), strict=True):
        day = visit.due_at.astimezone(TASHKENT).date()
        time_tracking.add_entry(ctx, day=day, minutes=minutes, task_id=visit.id, user_id=dilnoza)
    draft = work_billing.invoice_visits(ctx, client.id, date(2026, 3, 20))
    assert _lines(draft) == [("Cleaning, 2 visits, 01/03/2026 – 31/03/2026 — Dilnoza", "2.5", "h", "20")]
    with pytest.raises(ValidationError, match="No billable time on visits"):
        work_billing.invoice_visits(ctx, client.id, date(2026, 3, 1))


# --- shared mode -------------------------------------------------------------------------------------------


def test_on_a_server_invoiced_time_stays_as_billed_whoever_logs_in(office):
    from tests.services.test_server_attacks import attack

    owner, rashad = office["owner"], office["rashad"]
    client = office["clients"]["public"][0]
    template = workflows.create(owner, "Visit", [StageSpec("Repair", work_hours=Decimal(2))])
    job = jobs.start(owner, client.id, template.id, responsible_id=rashad.actor.user_id)
    work_billing.set_rate(owner, job_id=job.id, amount="30", currency="USD")
    entry = time_tracking.add_entry(rashad, day=DAY, minutes=90, stage_id=job.stages[0].id)
    draft = work_billing.invoice_work_done(rashad, job.id)  # he manages the job: he invoices it
    refused = attack(
        rashad,
        [
            "UPDATE time_entries SET minutes = 9 WHERE id = :entry",
            "UPDATE time_entries SET invoice_id = NULL, invoice_line_id = NULL WHERE id = :entry",
            "DELETE FROM time_entries WHERE id = :entry",
        ],
        entry=entry.id,
    )
    # the draft still bills it: his change and his release are refused; the delete matches nothing he may
    assert len(refused) == 2 and "stays as it was invoiced" in refused[0] and "given back" in refused[1], (
        refused
    )
    found = time_tracking.entries(owner, job_id=job.id)
    assert [(e.minutes, e.invoice_id) for e in found] == [(90, draft.id)]
    invoices.delete_draft(rashad, draft.id, expected_version=draft.version)  # the draft gone: the time free
    assert [e.invoice_id for e in time_tracking.entries(owner, job_id=job.id)] == [None]


def test_on_a_server_staff_set_no_rates_and_read_no_materials_of_a_job_they_do_not_see(office):
    from sqlalchemy import text

    from tests.services.test_server_attacks import attack

    owner, dilnoza = office["owner"], office["dilnoza"]
    private = office["clients"]["rashad_private"][0]  # Rashad's own client: not hers to see
    template = workflows.create(owner, "Visit", [StageSpec("Repair", work_hours=Decimal(2))])
    job = jobs.start(owner, private.id, template.id, responsible_id=office["rashad"].actor.user_id)
    work_billing.set_rate(owner, job_id=job.id, amount="30", currency="USD")
    work_billing.add_material(owner, job.id, description="Valve", quantity=1, unit_price="40")
    refused = attack(
        dilnoza,
        [
            "INSERT INTO rates (user_id, skill, kind, amount, currency, created_at, updated_at, version) "
            "VALUES ((SELECT crm_uid()), '', 'hourly', 9990000, 'USD', now(), now(), 1)",
            "UPDATE rates SET amount = 10000",
            "INSERT INTO job_materials (job_id, day, description, quantity, unit, unit_price, billable, "
            "created_at, updated_at, version) VALUES (:job, '2026-03-02', 'Mine', 10000, '', 10000, true, "
            "now(), now(), 1)",
        ],
        job=job.id,
    )
    assert len(refused) == 2, refused  # her own rate and a material on his job; the update matches no row
    with dilnoza.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM job_materials")).scalar() == 0
    assert [r.amount for r in work_billing.rates(owner, job_id=job.id)] == [Decimal(30)]
