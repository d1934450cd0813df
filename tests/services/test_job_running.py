"""Running a job: a stage started makes its tasks due in working time; a blocked stage says why and is
unblocked by the person named or a manager; an approval goes to its approver, who rejects with a comment
or approves (the stage done), and a late one reminds once; finishing asks why for open stages and offers
the invoice from the deal's quote; a job with no progress is flagged stuck; files have a size limit.
On a server, the staff given a stage read the client's name, address and phones and nothing else of it,
and only the approver answers (their own logins, raw SQL).
Spans services/job_stages.py, services/approvals.py, services/job_files.py, services/jobs.py,
services/documents.py (invoice_for_job), services/follow_ups.py and migrations/0013_running_jobs.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from crm_desktop.db.models import JobStage, Task
from crm_desktop.services import (
    activities,
    approvals,
    clients,
    deals,
    documents,
    follow_ups,
    invoices,
    job_files,
    job_stages,
    jobs,
    reminders,
    workflows,
)
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.invoices import LineValues
from crm_desktop.services.jobs import JobFilter
from crm_desktop.services.workflows import StageSpec, TaskSpec

TASHKENT = ZoneInfo("Asia/Tashkent")


def _local(y, m, d, h, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=TASHKENT)


@pytest.fixture
def repair(ctx, clock, staff):
    clock.tz = TASHKENT
    clock.current = _local(2026, 3, 19, 16)  # a Thursday, two working hours left
    client = clients.create(
        ctx, name="Kamola Rahimova", address="Tashkent, Chilonzor 12", phones=["+998 90 123 45 67"]
    )
    template = workflows.create(
        ctx,
        "Boiler repair",
        [
            StageSpec(
                "Diagnose",
                work_hours=Decimal(4),
                checklist=("Pressure checked",),
                tasks=(TaskSpec("Order the parts", after_hours=4, remind_minutes=30),),
            ),
            StageSpec(
                "Sign-off", work_days=1, needs_approval=True, approver_id=staff["manager"].actor.user_id
            ),
        ],
    )
    return client, template


def _timeline(ctx, client_id) -> list[str]:
    return [e.text() for e in reversed(activities.timeline(ctx, client_id)) if e.kind == "job"]


def test_a_stage_started_makes_its_tasks_due_in_working_time(ctx, repair, staff):
    client, template = repair
    job = jobs.start(ctx, client.id, template.id)
    with ctx.db.write() as s:
        s.get(JobStage, job.stages[0].id).responsible_id = staff["dilnoza"].actor.user_id
    started = job_stages.start_stage(staff["dilnoza"], job.stages[0].id)
    assert started.status == "in_progress" and started.stages[0].status == "in_progress"
    [task] = started.tasks
    # 16:00–18:00 on Thursday, then 9:00–11:00 on Friday
    assert (task.title, task.due_at, task.assignee_name) == (
        "Order the parts",
        _local(2026, 3, 20, 11),
        "Dilnoza",
    )
    with ctx.read() as s:
        assert s.get(Task, task.id).remind_at == _local(2026, 3, 20, 10, 30)


def test_a_blocked_stage_says_why_and_is_unblocked_by_the_person_named_or_a_manager(ctx, repair, staff):
    client, template = repair
    job = jobs.start(ctx, client.id, template.id, responsible_id=staff["manager"].actor.user_id)
    diagnose = job.stages[0].id
    with pytest.raises(ValidationError, match="Reason"):
        job_stages.block(ctx, diagnose, "  ")
    job_stages.block(
        ctx, diagnose, "The client is away until Monday", unblocker_id=staff["rashad"].actor.user_id
    )
    [row] = jobs.list_jobs(ctx, JobFilter(blocked=True))
    assert row.id == job.id and row.blocked
    with pytest.raises(PermissionDenied):
        job_stages.unblock(staff["dilnoza"], diagnose)
    unblocked = job_stages.unblock(staff["rashad"], diagnose)
    assert unblocked.stages[0].status == "waiting" and not jobs.list_jobs(ctx, JobFilter(blocked=True))
    assert _timeline(ctx, client.id)[1:] == [
        "Stage blocked: Diagnose of Boiler repair (The client is away until Monday)",
        "Stage unblocked: Diagnose of Boiler repair",
    ]


def test_an_approval_goes_to_its_approver_who_rejects_with_a_comment_or_approves(ctx, repair, staff, clock):
    client, template = repair
    job = jobs.start(ctx, client.id, template.id)
    diagnose, sign_off = job.stages[0].id, job.stages[1].id
    job_stages.tick(ctx, diagnose, 0, True)
    job_stages.complete_stage(ctx, diagnose)
    with pytest.raises(ValidationError, match="needs an approval"):
        job_stages.complete_stage(staff["dilnoza"], sign_off)
    sent = approvals.request(ctx, sign_off, note="Photos attached")
    assert sent.stages[1].status == "awaiting_approval"
    manager = staff["manager"]
    [asked] = approvals.pending(manager)
    assert approvals.pending(staff["dilnoza"]) == []
    with ctx.read() as s:  # the approver's reminder pops up at once
        task = s.query(Task).filter(Task.origin == f"approval:{asked.id}").one()
        assert (task.assignee_id, task.remind_at) == (manager.actor.user_id, clock.current)
    [reminder] = [
        r for r in reminders.take_due(manager, since=None) if r.approval_id
    ]  # answered from its pop-up
    assert (reminder.approval_id, reminder.job_id) == (asked.id, job.id)
    with pytest.raises(PermissionDenied):
        approvals.decide(staff["dilnoza"], asked.id, True)
    with pytest.raises(ValidationError, match="Comment"):
        approvals.decide(manager, asked.id, False)
    back = approvals.decide(manager, asked.id, False, comment="The valve is still leaking")
    assert back.stages[1].status == "in_progress"
    again = approvals.request(ctx, sign_off)
    [second] = approvals.pending(manager)
    done = approvals.decide(manager, second.id, True)
    assert done.stages[1].status == "done" and done.stages_done == 2
    assert [(a.decision, a.comment) for a in done.approvals] == [
        ("rejected", "The valve is still leaking"),
        ("approved", ""),
    ]
    with pytest.raises(ValidationError, match="answered already"):
        approvals.decide(manager, second.id, True)
    assert again.stages[1].status == "awaiting_approval"
    assert _timeline(ctx, client.id)[-4:] == [
        "Sent for approval: Sign-off of Boiler repair",
        "Rejected: Sign-off of Boiler repair (The valve is still leaking)",
        "Sent for approval: Sign-off of Boiler repair",
        "Approved: Sign-off of Boiler repair",
    ]
    assert [e.kind for e in jobs.history(ctx, job.id)][0] == "job"


def test_a_late_approval_reminds_its_approver_once_then_the_jobs_manager(ctx, repair, staff, clock):
    client, template = repair
    job = jobs.start(ctx, client.id, template.id, responsible_id=staff["rashad"].actor.user_id)
    approvals.request(ctx, job.stages[1].id, override_reason="Nothing to tick")
    [asked] = approvals.pending(staff["manager"])
    assert asked.due_at == _local(2026, 3, 20, 16)  # a working day later
    assert follow_ups.next_deadline(ctx) <= asked.due_at

    def made() -> list[tuple[str, int | None]]:
        with ctx.read() as s:
            return [
                (t.origin.split(":")[0], t.assignee_id)
                for t in s.query(Task).filter(Task.origin.like("approval-%")).order_by(Task.id)
            ]

    clock.current = _local(2026, 3, 20, 17)
    follow_ups.run(ctx)
    follow_ups.run(ServiceContext(ctx.db, clock=clock))  # another PC
    assert made() == [("approval-late", staff["manager"].actor.user_id)]
    clock.current = _local(2026, 3, 21, 17)  # the grace period (24 h) is over
    follow_ups.run(ctx)
    follow_ups.run(ctx)
    assert made()[1:] == [("approval-manager", staff["rashad"].actor.user_id)]


def test_finishing_a_job_asks_why_for_open_stages_and_offers_the_invoice_of_its_quote(ctx, repair):
    client, template = repair
    deal = deals.create(ctx, client_id=client.id, title="Boiler", amount="300", currency="USD")
    quote = invoices.create_draft(
        ctx,
        kind="quote",
        client_id=client.id,
        deal_id=deal.id,
        currency="USD",
        lines=[LineValues("Valve", 2, "pcs", "40"), LineValues("Labour", 3, "h", "25")],
    )
    documents.issue(ctx, quote.id, expected_version=quote.version)
    job = jobs.start(ctx, client.id, template.id, deal_id=deal.id)
    assert [(x.description, x.quantity) for x in job.scope] == [("Valve", 2), ("Labour", 3)]
    with pytest.raises(ValidationError, match="2 stages are not done"):
        jobs.set_status(ctx, job.id, "done")
    with pytest.raises(ValidationError, match="on hold"):
        jobs.set_status(ctx, job.id, "on_hold")
    held = jobs.set_status(ctx, job.id, "on_hold", reason="Parts on order")
    assert held.hold_reason == "Parts on order"
    done = jobs.set_status(ctx, job.id, "done", reason="Done in one visit")
    assert done.status == "done" and done.finished_at and done.stages_done == 2
    invoice = documents.invoice_for_job(ctx, job.id)
    assert [(x.description, x.unit_price) for x in invoice.lines] == [("Valve", 40), ("Labour", 25)]
    assert invoice.total == Decimal(155) and invoice.related_id == quote.id and invoice.deal_id == deal.id
    assert _timeline(ctx, client.id)[-1] == ("Job Boiler: On hold → Done (Done in one visit)")


def test_a_job_nobody_moved_for_the_offices_days_is_flagged_stuck(ctx, repair, clock):
    client, template = repair
    job = jobs.start(ctx, client.id, template.id)
    job_stages.start_stage(ctx, job.stages[0].id)
    clock.current += timedelta(days=4)
    assert not jobs.list_jobs(ctx)[0].stuck
    clock.current += timedelta(days=2)  # six days: over the office's five
    [row] = jobs.list_jobs(ctx, JobFilter(stuck=True))
    assert row.stuck
    job_stages.tick(ctx, job.stages[0].id, 0, True)
    assert jobs.list_jobs(ctx, JobFilter(stuck=True)) == []


def test_a_file_is_kept_with_its_job_up_to_the_limit(ctx, repair, staff):
    client, template = repair
    job = jobs.start(ctx, client.id, template.id)
    with pytest.raises(ValidationError, match=r"20\.0 MB; a job keeps files of up to 20 MB"):
        job_files.attach(ctx, job.id, "video.mp4", b"x" * (job_files.MAX_BYTES + 1))
    photo = job_files.attach(ctx, job.id, "/home/me/boiler.jpg", b"\xff\xd8photo")
    assert [(f.name, f.size) for f in job_files.list_files(ctx, job.id)] == [("boiler.jpg", 7)]
    assert job_files.content(ctx, photo.id) == ("boiler.jpg", b"\xff\xd8photo")
    with pytest.raises(PermissionDenied):
        job_files.remove(staff["dilnoza"], photo.id)
    job_files.remove(ctx, photo.id)
    assert job_files.list_files(ctx, job.id) == []


# --- shared mode -------------------------------------------------------------------------------------------


def test_on_a_server_the_staff_given_a_stage_read_the_clients_contact_only_and_only_the_approver_answers(
    office,
):
    from tests.services.test_server_attacks import attack

    owner, dilnoza, manager = office["owner"], office["dilnoza"], office["manager"]
    hidden = office["clients"]["rashad_private"][0]  # Dilnoza cannot see this client
    template = workflows.create(
        owner,
        "Visit",
        [
            StageSpec("Repair", work_days=1, responsible_id=dilnoza.actor.user_id),
            StageSpec("Sign-off", work_days=1, needs_approval=True, approver_id=manager.actor.user_id),
        ],
    )
    job = jobs.start(owner, hidden.id, template.id)
    seen = jobs.get(dilnoza, job.id)  # through the app: the job and its client's contact
    assert (seen.client_name, seen.client_address, seen.client_phones) == (
        hidden.name,
        hidden.address,
        hidden.phones,
    )
    assert [r.client_name for r in jobs.list_jobs(dilnoza)] == [hidden.name]
    job_stages.complete_stage(dilnoza, seen.stages[0].id)  # her stage: the entry goes on the timeline

    with dilnoza.db.engine.connect() as conn:  # her own login, as psql would
        one = lambda sql: conn.execute(text(sql), {"c": hidden.id, "j": job.id}).all()  # noqa: E731
        assert one("SELECT name, phones FROM crm_job_client(:j)") == [(hidden.name, hidden.phones)]
        assert one("SELECT id FROM clients WHERE id = :c") == []
        assert one("SELECT id FROM deals WHERE client_id = :c") == []
        assert one("SELECT id FROM documents WHERE client_id = :c") == []
        assert {k for (k,) in one("SELECT kind FROM activities WHERE client_id = :c")} == {"job"}
        assert one("SELECT id FROM jobs") == [(job.id,)]
    other = office["clients"]["admin_private"][0]
    assert attack(dilnoza, ["SELECT crm_job_client(0)"]) == []  # (a job she does not work on: no row)

    sign_off = seen.stages[1].id
    refused = attack(
        dilnoza,
        [
            "UPDATE job_stages SET status = 'done', done_at = now() WHERE id = :g",
            "UPDATE job_stages SET approver_id = (SELECT crm_uid()) WHERE id = :g",
            "INSERT INTO job_stages (job_id, position, name, role, may_overlap, needs_approval, checklist, "
            "tasks, status, block_reason, planned_start, planned_due, forecast_start, forecast_due, "
            "override_reason, created_at, updated_at, version) VALUES (:j, 9, 'x', '', false, false, '[]', "
            "'[]', 'done', '', now(), now(), now(), now(), '', now(), now(), 1)",
            "INSERT INTO activities (client_id, kind, body, occurred_at, created_at, updated_at, version) "
            "VALUES (:other, 'note', 'x', now(), now(), now(), 1)",
        ],
        g=sign_off,
        j=job.id,
        other=other.id,
    )
    assert len(refused) == 4, refused
    approvals.request(dilnoza, sign_off)
    [asked] = approvals.pending(manager)
    refused = attack(
        dilnoza,
        ["UPDATE stage_approvals SET decision = 'approved', decided_at = now() WHERE id = :a"],
        a=asked.id,
    )
    assert refused and "approver" in refused[0]
    with pytest.raises(PermissionDenied):
        approvals.decide(dilnoza, asked.id, True)
    assert approvals.decide(manager, asked.id, True).stages[1].status == "done"
