"""The team's workload against a hand-computed week: tasks on their due day, a job stage's work spread
over its days, a person's own hours, a day away, the work nobody is given; who sees whose row; who may
set hours, skills and absences; work moved to another person or day, refused onto a day away or to
someone without the skill, told when it overloads, and taken back. Spans services/capacity.py,
services/workload.py and services/rebalance.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.db.models import Task
from crm_desktop.services import capacity, clients, company, jobs, rebalance, tasks, workflows, workload
from crm_desktop.services.errors import ConflictError, PermissionDenied, ValidationError
from crm_desktop.services.workflows import StageSpec

TASHKENT = ZoneInfo("Asia/Tashkent")
MONDAY = date(2026, 3, 2)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=TASHKENT)


@pytest.fixture
def week(ctx, clock, staff):
    clock.tz = TASHKENT
    clock.current = _at(2, 8)
    company.update(ctx, expected_version=company.get(ctx).version, name="Office")  # Mon–Fri, 9:00–18:00
    dilnoza, rashad = staff["dilnoza"].actor.user_id, staff["rashad"].actor.user_id
    capacity.set_week(ctx, rashad, [8, 8, 8, 8, 8, 0, 0])
    capacity.add_absence(staff["dilnoza"], dilnoza, "vacation", date(2026, 3, 4), date(2026, 3, 4))
    client = clients.create(ctx, name="Kamola Rahimova")
    tasks.create(
        ctx,
        title="Measure",
        assignee_id=dilnoza,
        client_id=client.id,
        due_at=_at(2, 10),
        duration_minutes=120,
    )
    tasks.create(ctx, title="Call", assignee_id=rashad, due_at=_at(3, 11), duration_minutes=60)
    anyone = tasks.create(ctx, title="Someone", due_at=_at(2, 15), duration_minutes=30)
    with ctx.db.write() as s:  # (given to nobody: its assignee left, say)
        s.get(Task, anyone.id).assignee_id = None
    template = workflows.create(ctx, "Fit-out", [StageSpec("Install", work_days=2, responsible_id=rashad)])
    jobs.start(ctx, client.id, template.id, starts=_at(2, 9))
    return dilnoza, rashad


def _grid(row) -> list[tuple[str, str, str]]:
    return [(f"{c.capacity.normalize():f}", f"{c.planned.normalize():f}", c.state) for c in row.cells]


def test_the_load_of_each_day_matches_the_hand_computed_week(ctx, week):
    dilnoza, rashad = week
    seen = workload.load(ctx, MONDAY, days=5)
    assert seen.days == [date(2026, 3, d) for d in (2, 3, 4, 5, 6)]
    rows = {r.user_id: r for r in seen.people}
    assert _grid(rows[dilnoza]) == [
        ("9", "2", "free"), ("9", "0", "free"), ("0", "0", "away"), ("9", "0", "free"), ("9", "0", "free"),
    ]  # fmt: skip
    # two working days of 9 h spread over Monday and Tuesday, and Tuesday's call, on an 8-hour day
    assert _grid(rows[rashad]) == [
        ("8", "9", "over"), ("8", "10", "over"), ("8", "0", "free"), ("8", "0", "free"), ("8", "0", "free"),
    ]  # fmt: skip
    assert [c.planned for c in seen.unassigned.cells][:2] == [Decimal("0.5"), 0]
    assert rows[dilnoza].cells[2].absence == "vacation"
    assert (rows[rashad].planned, rows[rashad].capacity) == (Decimal(19), Decimal(40))


def test_staff_see_their_own_row_and_managers_their_teams(ctx, week, staff):
    dilnoza, rashad = week
    assert [r.user_id for r in workload.load(staff["dilnoza"], MONDAY, days=5).people] == [dilnoza]
    team = workload.load(staff["manager"], MONDAY, days=5).people
    assert {r.user_id for r in team} == {dilnoza, staff["manager"].actor.user_id}  # Rashad has no manager
    assert capacity.absences(staff["rashad"], MONDAY, date(2026, 3, 6)) == []  # not his absence


def test_hours_skills_and_absences_are_set_by_whom_they_belong_to(ctx, week, staff):
    dilnoza, rashad = week
    with pytest.raises(PermissionDenied):
        capacity.set_week(staff["rashad"], dilnoza, [1] * 7)
    assert capacity.set_week(staff["manager"], dilnoza, [4, 4, 4, 4, 4, 0, 0])[0] == 4  # her manager
    with pytest.raises(ValidationError, match="between 0 and 24"):
        capacity.set_week(ctx, dilnoza, [25, 0, 0, 0, 0, 0, 0])
    assert capacity.set_week(ctx, dilnoza, None)[0] == 9  # the office's again
    assert capacity.set_skills(ctx, rashad, ["Electrician", " electrician ", "Plumber"]) == [
        "Electrician",
        "Plumber",
    ]
    assert [r.user_id for r in workload.load(ctx, MONDAY, days=5, skill="Plumber").people] == [rashad]
    with pytest.raises(ValidationError, match="overlap"):
        capacity.add_absence(staff["dilnoza"], dilnoza, "sick", date(2026, 3, 3), date(2026, 3, 5))
    with pytest.raises(PermissionDenied):
        capacity.add_absence(staff["dilnoza"], rashad, "sick", date(2026, 3, 3), date(2026, 3, 3))


def test_a_stage_of_days_with_its_hours_of_work_spreads_those_hours_not_its_whole_days(ctx, week):
    dilnoza, rashad = week
    hearings = workflows.create(
        ctx, "Case", [StageSpec("Hearings", work_days=4, effort_hours=Decimal(6), responsible_id=dilnoza)]
    )
    client = clients.create(ctx, name="Nodira")
    jobs.start(ctx, client.id, hearings.id, starts=_at(2, 9))
    row = next(r for r in workload.load(ctx, MONDAY, days=5).people if r.user_id == dilnoza)
    # Measure's 2 h on Monday; 6 h over four days, one of them her vacation: work to move elsewhere
    assert [f"{c.planned.normalize():f}" for c in row.cells] == ["3.5", "1.5", "1.5", "1.5", "0"]
    assert row.cells[2].state == "away"
    with pytest.raises(ValidationError, match="between 0 and 24 hours a day"):
        workflows.create(ctx, "Too much", [StageSpec("Day", work_days=1, effort_hours=Decimal(30))])


def _item(ctx, user_id, day: date, title: str) -> workload.WorkItem:
    return next(i for i in workload.work_items(ctx, day, day) if i.user_id == user_id and i.title == title)


def _planned(ctx, user_id) -> list[str]:
    row = next(r for r in workload.load(ctx, MONDAY, days=5).people if r.user_id == user_id)
    return [f"{c.planned.normalize():f}" for c in row.cells]


def test_a_task_moved_to_a_free_colleague_moves_its_hours_and_its_reminder_and_comes_back(ctx, week):
    dilnoza, rashad = week
    call = tasks.list_tasks(ctx, tasks.TaskFilter(assignee_id=rashad))[0]
    tasks.update(ctx, call.id, expected_version=call.version, remind_at=_at(3, 10))
    item = _item(ctx, rashad, date(2026, 3, 3), "Call")
    moved = rebalance.move(ctx, item, dilnoza, date(2026, 3, 5))
    assert _planned(ctx, rashad) == ["9", "9", "0", "0", "0"]
    assert _planned(ctx, dilnoza) == ["2", "0", "0", "1", "0"]
    after = tasks.get(ctx, call.id)
    assert (after.assignee_id, after.due_at, after.remind_at) == (dilnoza, _at(5, 11), _at(5, 10))
    rebalance.undo(ctx, moved)
    back = tasks.get(ctx, call.id)
    assert (back.assignee_id, back.due_at, back.remind_at) == (rashad, _at(3, 11), _at(3, 10))
    assert _planned(ctx, rashad) == ["9", "10", "0", "0", "0"]


def test_a_move_is_refused_onto_a_day_away_or_without_the_skill_and_told_when_it_overloads(ctx, week):
    dilnoza, rashad = week
    call = _item(ctx, rashad, date(2026, 3, 3), "Call")
    with pytest.raises(ValidationError, match="away on"):
        rebalance.move(ctx, call, dilnoza, date(2026, 3, 4))  # her vacation
    measure = _item(ctx, dilnoza, date(2026, 3, 2), "Measure")
    with pytest.raises(rebalance.Overloaded) as told:
        rebalance.move(ctx, measure, rashad, date(2026, 3, 3))
    assert "would have 12 h planned on 03/03/2026, with 8 h" in told.value.message
    assert _planned(ctx, rashad)[1] == "10"  # nothing moved
    rebalance.move(ctx, measure, rashad, date(2026, 3, 3), overload=True)
    assert _planned(ctx, rashad)[1] == "12"
    capacity.set_skills(ctx, rashad, ["Electrician"])
    wiring = workflows.create(ctx, "Wiring", [StageSpec("Cables", work_hours=Decimal(4), role="Electrician")])
    client = clients.create(ctx, name="Bekzod")
    jobs.start(ctx, client.id, wiring.id, starts=_at(5, 9), responsible_id=rashad)
    cables = next(i for i in workload.work_items(ctx, MONDAY, date(2026, 3, 6)) if i.title == "Cables")
    with pytest.raises(ValidationError, match="needs the skill “Electrician”, which .* does not have"):
        rebalance.move(ctx, cables, dilnoza, cables.day)
    rebalance.move(ctx, cables, rashad, cables.day)
    assert _planned(ctx, rashad)[3] == "4"


def test_a_stage_moved_a_day_later_starts_then_and_undo_puts_its_plan_back(ctx, week):
    dilnoza, rashad = week
    install = _item(ctx, rashad, date(2026, 3, 3), "Install")  # its second day
    job = jobs.list_jobs(ctx, jobs.JobFilter())[0]
    before = jobs.get(ctx, job.id).stages[0]
    moved = rebalance.move(ctx, install, rashad, date(2026, 3, 5), overload=True)  # two days later
    assert _planned(ctx, rashad) == ["0", "1", "9", "9", "0"]
    later = jobs.get(ctx, job.id).stages[0]
    assert later.forecast_start == _at(4, 9)
    with pytest.raises(ValidationError, match="under way|at the soonest"):
        early = _item(ctx, rashad, date(2026, 3, 4), "Install")
        rebalance.move(ctx, early, rashad, date(2026, 2, 27), overload=True)  # before the job may start
    rebalance.undo(ctx, moved)
    again = jobs.get(ctx, job.id).stages[0]
    assert (again.planned_start, again.forecast_start, again.forecast_due) == (
        before.planned_start, before.forecast_start, before.forecast_due,
    )  # fmt: skip
    assert _planned(ctx, rashad) == ["9", "10", "0", "0", "0"]


def test_undo_is_refused_when_the_work_was_changed_since(ctx, week):
    dilnoza, rashad = week
    moved = rebalance.move(ctx, _item(ctx, rashad, date(2026, 3, 3), "Call"), dilnoza, date(2026, 3, 5))
    call = tasks.get(ctx, moved.id)
    tasks.update(ctx, call.id, expected_version=call.version, title="Call back")
    with pytest.raises(ConflictError):
        rebalance.undo(ctx, moved)
    assert tasks.get(ctx, call.id).assignee_id == dilnoza


# --- shared mode -------------------------------------------------------------------------------------------


def test_on_a_server_hours_skills_and_absences_are_changed_and_read_by_whom_they_belong_to(office):
    from sqlalchemy import text

    from tests.services.test_server_attacks import attack

    admin, dilnoza, manager = office["admin"], office["dilnoza"], office["manager"]
    rashad = office["rashad"].actor.user_id  # in Olga's team
    capacity.add_absence(admin, rashad, "sick", date(2026, 3, 3), date(2026, 3, 4), note="Flu")
    capacity.add_absence(dilnoza, dilnoza.actor.user_id, "vacation", date(2026, 3, 9), date(2026, 3, 13))
    refused = attack(
        dilnoza,
        [
            "INSERT INTO person_hours (user_id, hours, created_at, updated_at, version) "
            'VALUES (:r, \'["1","1","1","1","1","1","1"]\', now(), now(), 1)',
            "INSERT INTO user_skills (user_id, skill) VALUES ((SELECT crm_uid()), 'Director')",
            "INSERT INTO absences (user_id, kind, starts, ends, note, created_at, updated_at, version) "
            "VALUES (:r, 'vacation', '2026-04-01', '2026-04-02', '', now(), now(), 1)",
        ],
        r=rashad,
    )
    assert len(refused) == 3, refused
    with dilnoza.db.engine.connect() as conn:  # her own login: her absence only, not his sick leave
        assert conn.execute(text("SELECT kind FROM absences")).scalars().all() == ["vacation"]
    assert [a.kind for a in capacity.absences(manager, date(2026, 3, 1), date(2026, 3, 31))] == ["sick"]
    assert capacity.set_skills(manager, rashad, ["Electrician"]) == ["Electrician"]  # his manager may
    assert capacity.skills(dilnoza)[rashad] == ["Electrician"]  # and everyone reads them


def test_on_a_server_a_stage_is_planned_only_by_its_jobs_manager_or_an_office_manager(office):
    from crm_desktop.services.errors import PermissionDenied as Refused
    from tests.services.test_server_attacks import attack

    owner, dilnoza, manager = office["owner"], office["dilnoza"], office["manager"]
    her = dilnoza.actor.user_id
    client = office["clients"]["public"][0]
    template = workflows.create(owner, "Fit-out", [StageSpec("Install", work_days=2, responsible_id=her)])
    job = jobs.start(owner, client.id, template.id)
    refused = attack(
        dilnoza,  # she does the stage, and may read and run it
        [
            "UPDATE job_stages SET responsible_id = NULL",
            "UPDATE job_stages SET planned_start = planned_start + interval '1 day', "
            "planned_due = planned_due + interval '1 day'",
        ],
    )
    assert len(refused) == 2 and all("plans its stages" in r for r in refused), refused
    install = next(
        i for i in workload.work_items(dilnoza, date(2000, 1, 1), date(2100, 1, 1)) if i.title == "Install"
    )
    with pytest.raises(Refused):
        rebalance.move(dilnoza, install, None, install.day)
    moved = rebalance.move(manager, install, office["rashad"].actor.user_id, install.day, overload=True)
    assert jobs.get(owner, job.id).stages[0].responsible_id == office["rashad"].actor.user_id
    rebalance.undo(manager, moved)
    assert jobs.get(owner, job.id).stages[0].responsible_id == her
