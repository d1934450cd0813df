"""The team's workload against a hand-computed week: tasks on their due day, a job stage's work spread
over its days, a person's own hours, a day away, the work nobody is given; who sees whose row; who may
set hours, skills and absences. Spans services/capacity.py and services/workload.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.db.models import Task
from crm_desktop.services import capacity, clients, company, jobs, tasks, workflows, workload
from crm_desktop.services.errors import PermissionDenied, ValidationError
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
