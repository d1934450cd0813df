"""Time spent: a timer's start is stored, so it is still running after the process that started it was
killed; one runs per person; entries typed by hand in the ways people write durations; a week sheet
and the hours planned against spent per stage; who enters and sees whose time, on SQLite and through a
staff login on a server."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.services import clients, company, jobs, tasks, time_tracking, workflows
from crm_desktop.services.context import FixedClock, ServiceContext
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.workflows import StageSpec

TASHKENT = ZoneInfo("Asia/Tashkent")


@pytest.fixture
def job(ctx, clock):
    clock.tz = TASHKENT
    clock.current = datetime(2026, 3, 2, 9, tzinfo=TASHKENT)
    company.update(ctx, expected_version=company.get(ctx).version, name="Office")
    template = workflows.create(
        ctx, "Fit-out", [StageSpec("Measure", work_hours=Decimal(3)), StageSpec("Install", work_days=2)]
    )
    client = clients.create(ctx, name="Kamola Rahimova")
    return jobs.start(ctx, client.id, template.id, starts=clock.current)


def test_a_timer_still_runs_after_the_process_that_started_it_was_killed(sqlite_db, sqlite_url):
    script = (
        "import sys, time\n"
        "from crm_desktop.db.engine import Database\n"
        "from crm_desktop.services import company, time_tracking\n"
        "from crm_desktop.services.context import ServiceContext\n"
        "ctx = ServiceContext(Database.open(sys.argv[1]))\n"
        "company.update(ctx, expected_version=company.get(ctx).version, name='Office')\n"
        "entry = time_tracking.start_timer(ctx, note='Boiler')\n"
        "print(entry.started_at.isoformat(), flush=True)\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, sqlite_url], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    started = datetime.fromisoformat(process.stdout.readline().strip())
    process.send_signal(signal.SIGKILL)  # no chance to save anything on its way out
    process.wait()
    process.stdout.close()

    later = ServiceContext(sqlite_db, clock=FixedClock(started + timedelta(minutes=42)))
    found = time_tracking.running(later)  # the next start finds it
    assert found is not None and found.running and found.started_at == started and found.note == "Boiler"
    stopped = time_tracking.stop_timer(later)
    assert stopped is not None and (stopped.minutes, stopped.running) == (42, False)
    assert time_tracking.running(later) is None


def test_one_timer_runs_per_person_starting_another_stops_the_first(ctx, clock, job):
    measure, install = job.stages
    time_tracking.start_timer(ctx, stage_id=measure.id)
    clock.current += timedelta(minutes=50)
    second = time_tracking.start_timer(ctx, stage_id=install.id)
    done = [e for e in time_tracking.entries(ctx, job_id=job.id) if not e.running]
    assert [(e.stage_name, e.minutes) for e in done] == [("Measure", 50)]
    running = time_tracking.running(ctx)
    assert running is not None and running.id == second.id and running.stage_name == "Install"


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("1:30", 90), ("1h30", 90), ("1.5", 90), ("1,5 h", 90), ("90m", 90), ("2", 120), ("0:45", 45)],
)
def test_durations_are_read_as_people_write_them(typed, minutes):
    assert time_tracking.parse_duration(typed) == minutes


@pytest.mark.parametrize("typed", ["", "soon", "0", "25:00", "-1"])
def test_a_duration_that_is_no_time_spent_is_refused_in_words(typed):
    with pytest.raises(ValidationError, match="1:30|between 1 minute and 24 hours"):
        time_tracking.parse_duration(typed)


def test_a_week_sheet_and_the_hours_planned_against_spent_per_stage(ctx, job):
    measure, install = job.stages
    monday = date(2026, 3, 2)
    time_tracking.add_entry(ctx, day=monday, minutes="2:00", stage_id=measure.id, note="On site")
    time_tracking.add_entry(ctx, day=monday + timedelta(days=1), minutes="1:30", stage_id=measure.id)
    time_tracking.add_entry(ctx, day=monday + timedelta(days=2), minutes="6", stage_id=install.id)
    call = tasks.create(ctx, title="Call the client", due_at=datetime(2026, 3, 4, 10, tzinfo=TASHKENT))
    time_tracking.add_entry(
        ctx, day=monday + timedelta(days=2), minutes="15m", task_id=call.id, billable=False
    )
    sheet = time_tracking.week(ctx, ctx.actor.user_id, monday + timedelta(days=3))
    assert sheet.monday == monday
    assert [(r.what, r.minutes[:3], r.total) for r in sheet.rows] == [
        ("Call the client", [0, 0, 15], 15),
        ("Fit-out · Install", [0, 0, 360], 360),
        ("Fit-out · Measure", [120, 90, 0], 210),
    ]
    assert sheet.totals[:3] == [120, 90, 375] and sheet.total == 585
    hours = time_tracking.job_hours(ctx, job.id)
    assert [(h.name, h.planned, h.actual) for h in hours] == [
        ("Measure", Decimal(3), Decimal("3.5")),
        ("Install", Decimal(18), Decimal(6)),
    ]


def test_staff_enter_and_see_their_own_time_and_managers_their_teams(ctx, staff, job):
    dilnoza, manager, rashad = staff["dilnoza"], staff["manager"], staff["rashad"]
    mine = time_tracking.add_entry(dilnoza, day=date(2026, 3, 2), minutes=60, note="Drawings")
    with pytest.raises(PermissionDenied):
        time_tracking.add_entry(rashad, day=date(2026, 3, 2), minutes=60, user_id=dilnoza.actor.user_id)
    time_tracking.add_entry(manager, day=date(2026, 3, 2), minutes=30, user_id=dilnoza.actor.user_id)
    assert [e.minutes for e in time_tracking.entries(manager, user_id=dilnoza.actor.user_id)] == [60, 30]
    assert time_tracking.entries(rashad) == []
    with pytest.raises(NotFound):  # (not his to see, let alone change)
        time_tracking.update_entry(rashad, mine.id, expected_version=mine.version, minutes=600)
    changed = time_tracking.update_entry(dilnoza, mine.id, expected_version=mine.version, minutes="1:15")
    assert changed.minutes == 75


# --- shared mode -------------------------------------------------------------------------------------------


def test_on_a_server_a_login_reads_and_changes_only_the_time_it_may(office):
    from sqlalchemy import text

    from tests.services.test_server_attacks import attack

    dilnoza, rashad, manager = office["dilnoza"], office["rashad"], office["manager"]
    his = time_tracking.add_entry(rashad, day=date(2026, 3, 2), minutes=90, note="Wiring")
    time_tracking.add_entry(dilnoza, day=date(2026, 3, 2), minutes=30, note="Her own")
    with dilnoza.db.engine.connect() as conn:  # her login: her time only
        assert conn.execute(text("SELECT note FROM time_entries")).scalars().all() == ["Her own"]
    refused = attack(
        dilnoza,
        [
            "UPDATE time_entries SET minutes = 1 WHERE id = :his",  # (matches nothing she may see)
            "INSERT INTO time_entries (user_id, day, minutes, running, note, billable, created_at, "
            "updated_at, version) "
            "VALUES (:rashad, '2026-03-03', 60, false, 'In his name', true, now(), now(), 1)",
            "UPDATE time_entries SET invoice_id = (SELECT min(id) FROM documents)",
        ],
        his=his.id,
        rashad=rashad.actor.user_id,
    )
    assert len(refused) == 2, refused  # the insert in his name, marking her own time invoiced
    assert [e.minutes for e in time_tracking.entries(office["owner"], user_id=rashad.actor.user_id)] == [90]
    assert [e.note for e in time_tracking.entries(manager, user_id=rashad.actor.user_id)] == ["Wiring"]
