"""Jobs from workflow templates: stages planned in working time across a weekend and a holiday, a late
stage moving the forecast of the ones after it (planned stays), a template edited while a job runs
leaving the job as it started, a stage done only with its checklist ticked or a reason; on a server a
job is seen by whoever sees its client and by the people working on it, by nobody else (their own logins,
raw SQL); a late stage escalates once to its doer, then to the manager. Spans services/workflows.py,
services/work_calendar.py, services/follow_ups.py and migrations/0012_jobs.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from crm_desktop.services import clients, company, job_stages, jobs, work_calendar, workflows
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.workflows import StageSpec, TaskSpec

TASHKENT = ZoneInfo("Asia/Tashkent")
STAGES = [
    StageSpec("Brief", work_days=1, checklist=("Goals agreed", "Budget confirmed")),
    StageSpec("Concept", work_days=2),
    StageSpec("Check", work_hours=Decimal(4)),
    StageSpec("Photos", work_days=1, may_overlap=True),
]


def _local(y, m, d, h, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=TASHKENT)


@pytest.fixture
def agency(ctx, clock):
    clock.tz = TASHKENT
    work_calendar.add_holiday(ctx, "UZ", date(2026, 3, 23), "Navroʻz (observed)")
    work_calendar.update(ctx, expected_version=company.get(ctx).version, country="UZ")
    client = clients.create(ctx, name="Ipak Yoʻli Logistika", address="Tashkent, Navoi 5")
    template = workflows.create(ctx, "Agency order", STAGES)
    return client, template


def test_a_job_is_planned_in_working_time_across_a_weekend_and_a_holiday(ctx, agency):
    client, template = agency
    job = jobs.start(ctx, client.id, template.id, starts=_local(2026, 3, 19, 14))  # a Thursday afternoon
    planned = [(g.name, g.planned_start, g.planned_due) for g in job.stages]
    assert planned == [
        ("Brief", _local(2026, 3, 19, 14), _local(2026, 3, 19, 18)),  # the rest of Thursday
        ("Concept", _local(2026, 3, 19, 18), _local(2026, 3, 24, 18)),  # Fri; Sat, Sun, Mon off; Tue
        ("Check", _local(2026, 3, 24, 18), _local(2026, 3, 25, 13)),  # 4 working hours from Wednesday 9:00
        ("Photos", _local(2026, 3, 24, 18), _local(2026, 3, 25, 18)),  # with Check, a working day
    ]
    assert job.planned_due == job.forecast_due == _local(2026, 3, 25, 18)
    assert job.title == "Agency order" and job.status == "planned"


def test_a_late_stage_moves_the_forecast_and_planned_stays(ctx, agency, clock):
    client, template = agency
    clock.current = _local(2026, 3, 19, 14)
    job = jobs.start(ctx, client.id, template.id, starts=_local(2026, 3, 19, 14))
    brief = job.stages[0]
    job_stages.start_stage(ctx, brief.id)
    clock.current = _local(2026, 3, 20, 12)  # Friday noon, the brief still not done
    moved = jobs.refresh_forecast(ctx, job.id)
    assert moved.stages[0].forecast_due == _local(2026, 3, 20, 12) and moved.stages[0].late
    assert moved.stages[1].forecast_due == _local(2026, 3, 24, 18)  # starts Friday noon: Fri, Tue
    for g in moved.stages[2:]:
        assert g.forecast_due >= g.planned_due
    assert [g.planned_due for g in moved.stages] == [g.planned_due for g in job.stages]
    clock.current = _local(2026, 3, 25, 12)
    later = jobs.refresh_forecast(ctx, job.id)
    assert later.forecast_due > job.planned_due  # the job's expected finish follows reality


def test_editing_a_template_leaves_a_running_job_as_it_started(ctx, agency):
    client, template = agency
    job = jobs.start(ctx, client.id, template.id, starts=_local(2026, 3, 19, 14))
    edited = workflows.update(
        ctx, template.id, expected_version=template.version, stages=[StageSpec("Everything", work_days=10)]
    )
    assert edited.revision == 2
    assert [g.name for g in jobs.get(ctx, job.id).stages] == ["Brief", "Concept", "Check", "Photos"]
    newer = jobs.start(ctx, client.id, template.id, starts=_local(2026, 3, 19, 14))
    assert [g.name for g in newer.stages] == ["Everything"]
    assert newer.template_version_id != job.template_version_id


def test_a_stage_is_done_with_its_checklist_ticked_or_a_reason(ctx, agency):
    client, template = agency
    job = jobs.start(ctx, client.id, template.id, starts=_local(2026, 3, 19, 14))
    brief = job.stages[0]
    with pytest.raises(ValidationError, match="2 unticked checklist items"):
        job_stages.complete_stage(ctx, brief.id)
    job_stages.tick(ctx, brief.id, 0, True)
    done = job_stages.complete_stage(ctx, brief.id, override_reason="The client gave the budget by phone")
    assert done.stages[0].status == "done" and done.status == "in_progress"
    assert done.stages[0].checklist[0]["done_by"] == ctx.actor.user_id
    assert done.stages[0].checklist[1]["done_at"] is None


def test_a_workflow_is_checked_and_defined_by_managers(ctx, staff):
    with pytest.raises(ValidationError, match="working days or in working hours"):
        workflows.create(ctx, "Broken", [StageSpec("No length")])
    with pytest.raises(ValidationError, match="at least one stage"):
        workflows.create(ctx, "Empty", [])
    with pytest.raises(ValidationError, match=r"Stage 1 \(Visit\): give each of its tasks a title"):
        workflows.create(ctx, "Untitled task", [StageSpec("Visit", work_days=1, tasks=(TaskSpec("  "),))])
    with pytest.raises(PermissionDenied):
        workflows.create(staff["dilnoza"], "Mine", STAGES)
    assert workflows.create(staff["manager"], "Team's", STAGES).stage_count == 4
    with pytest.raises(ValidationError, match="named 'Team's' already"):
        workflows.create(ctx, "Team's", STAGES)


def test_the_starter_templates_come_in_the_offices_language(ctx):
    assert workflows.add_starters(ctx, "en") == 3
    names = [t.name for t in workflows.list_templates(ctx)]
    assert names == ["Agency order", "Legal case", "Repair or service visit"]
    assert workflows.add_starters(ctx, "en") == 0
    agency = workflows.by_name(ctx, "agency order")
    assert [g.name for g in agency.stages][:3] == ["Brief", "Concept", "Client approval"]
    assert agency.stages[2].needs_approval


# --- shared mode -------------------------------------------------------------------------------------------


def test_a_job_is_seen_by_its_clients_people_and_its_workers_only(office):
    owner, dilnoza, rashad = office["owner"], office["dilnoza"], office["rashad"]
    hidden = office["clients"]["rashad_private"][0]  # Dilnoza cannot see this client
    template = workflows.create(owner, "Repair", [StageSpec("Repair", work_days=1)])
    job = jobs.start(owner, hidden.id, template.id)

    def seen_by(login) -> list[tuple]:
        engine = create_engine(login.db.engine.url)
        try:
            with engine.connect() as conn:
                return [
                    tuple(r)
                    for r in conn.execute(
                        text(
                            "SELECT j.id, (SELECT count(*) FROM job_stages g WHERE g.job_id = j.id) "
                            "FROM jobs j"
                        )
                    )
                ]
        finally:
            engine.dispose()

    assert seen_by(rashad) == [(job.id, 1)]  # his client
    assert seen_by(dilnoza) == []  # not her client, not her work
    with owner.db.engine.begin() as conn:
        conn.execute(text("UPDATE job_stages SET responsible_id = :u"), {"u": dilnoza.actor.user_id})
    assert seen_by(dilnoza) == [(job.id, 1)]  # given a stage of it
    refused = []
    with dilnoza.db.engine.connect() as conn:
        try:
            conn.execute(
                text(
                    "INSERT INTO workflow_templates (name, description, stages, revision, archived, "
                    "created_at, updated_at, version) VALUES ('x', '', '[]', 1, false, now(), now(), 1)"
                )
            )
            conn.commit()
        except Exception as exc:  # noqa: BLE001 - the server's refusal, whatever its class
            refused.append(str(exc))
    assert refused and "row-level security" in refused[0]


def test_a_late_stage_escalates_once_to_its_doer_then_to_the_manager_across_a_restart(
    ctx, agency, clock, staff
):
    from crm_desktop.db.models import JobStage, Task
    from crm_desktop.services import follow_ups
    from crm_desktop.services.context import ServiceContext

    client, template = agency
    clock.current = _local(2026, 3, 19, 14)
    doer = staff["dilnoza"].actor.user_id
    job = jobs.start(ctx, client.id, template.id, responsible_id=staff["manager"].actor.user_id)
    with ctx.db.write() as s:  # the brief is Dilnoza's
        s.get(JobStage, job.stages[0].id).responsible_id = doer
    assert follow_ups.next_deadline(ctx) == _local(2026, 3, 19, 18)  # the timer wakes at the brief's due time

    def made() -> list[tuple[str, int | None, str]]:
        with ctx.read() as s:
            return [
                (t.origin.split(":")[0], t.assignee_id, t.title)
                for t in s.query(Task).filter(Task.origin.like("stage%")).order_by(Task.id)
            ]

    clock.current = _local(2026, 3, 19, 19)  # an hour late
    follow_ups.run(ctx)
    follow_ups.run(ServiceContext(ctx.db, clock=clock))  # another start, or another PC
    assert made() == [("stage", doer, "Late: Brief of Agency order")]
    clock.current = _local(2026, 3, 20, 19)  # the office's grace period (24 h) is over too
    follow_ups.run(ServiceContext(ctx.db, clock=clock))
    follow_ups.run(ctx)
    assert [m[:2] for m in made()] == [("stage", doer), ("stage-manager", staff["manager"].actor.user_id)]
