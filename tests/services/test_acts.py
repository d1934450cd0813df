"""Acts of work done: numbered in their own series without gaps (a refused act takes no number), the work
of the period with its amounts, a PDF in the client's language with both parties' signature blocks,
attached to the job (and kept there) and on the timeline; on a server the database gives the number and
an act stays as it was issued, whatever a staff login tries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.services import (
    activities,
    acts,
    clients,
    company,
    job_files,
    jobs,
    time_tracking,
    work_billing,
    workflows,
)
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.workflows import StageSpec

TASHKENT = ZoneInfo("Asia/Tashkent")


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())


@pytest.fixture
def job(ctx, clock):
    clock.tz = TASHKENT
    clock.current = datetime(2026, 3, 31, 10, tzinfo=TASHKENT)
    profile = company.get(ctx)
    company.update(ctx, expected_version=profile.version, name="Ipak Yoʻli Services", default_currency="UZS")
    template = workflows.create(ctx, "Fit-out", [StageSpec("Wiring", work_days=2)])
    client = clients.create(ctx, name="Ольга Смирнова", language="ru", address="Ташкент, Чиланзар 12")
    started = jobs.start(ctx, client.id, template.id, starts=datetime(2026, 3, 2, 9, tzinfo=TASHKENT))
    work_billing.set_rate(ctx, job_id=started.id, amount="150000", currency="UZS")
    stage = started.stages[0].id
    time_tracking.add_entry(ctx, day=date(2026, 3, 3), minutes=180, stage_id=stage)
    time_tracking.add_entry(ctx, day=date(2026, 4, 2), minutes=60, stage_id=stage)  # (after the period)
    work_billing.add_material(ctx, started.id, description="Кабель", quantity=20, unit="м", unit_price="8000",
                              day=date(2026, 3, 4))  # fmt: skip
    return started


def test_an_act_bills_its_period_in_the_clients_language_numbered_without_gaps(ctx, job):
    with pytest.raises(ValidationError, match="no billable work"):
        acts.issue(ctx, job.id, date(2026, 1, 1), date(2026, 1, 31))  # refused: takes no number
    first = acts.issue(ctx, job.id, date(2026, 3, 1), date(2026, 3, 31))
    assert first.number == "ACT-2026-00001" and first.total == Decimal(3 * 150000 + 20 * 8000)
    files = job_files.list_files(ctx, job.id)
    assert [f.name for f in files] == ["ACT-2026-00001.pdf"]
    said = _text(job_files.content(ctx, files[0].id)[1])
    assert "Акт выполненных работ" in said and "ACT-2026-00001" in said and "Кабель" in said
    assert "Ольга Смирнова" in said and "Ipak Yoʻli Services" in said and "______" in said
    assert "610 000" in said.replace("\u202f", " ").replace("\xa0", " ")  # the total, as Russian writes it
    second = acts.issue(ctx, job.id, date(2026, 4, 1), date(2026, 4, 30))
    assert second.number == "ACT-2026-00002" and second.total == Decimal(150000)
    timeline = [e.text() for e in activities.timeline(ctx, job.client_id) if e.kind == "job"]
    assert any("ACT-2026-00001" in t for t in timeline)
    with pytest.raises(ValidationError, match="act of work done as issued"):
        job_files.remove(ctx, files[0].id)


# --- shared mode -------------------------------------------------------------------------------------------


def test_on_a_server_the_database_numbers_acts_and_keeps_them_as_issued(office):
    from tests.services.test_server_attacks import attack

    owner, rashad = office["owner"], office["rashad"]
    client = office["clients"]["public"][0]
    template = workflows.create(owner, "Visit", [StageSpec("Repair", work_hours=Decimal(2))])
    job = jobs.start(owner, client.id, template.id, responsible_id=rashad.actor.user_id)
    work_billing.set_rate(owner, job_id=job.id, amount="30", currency="USD")
    time_tracking.add_entry(rashad, day=date(2026, 3, 3), minutes=120, stage_id=job.stages[0].id)
    made = acts.issue(rashad, job.id, date(2026, 3, 1), date(2026, 3, 31))
    assert made.number.startswith("ACT-") and made.number.endswith("00001")
    refused = attack(
        rashad,
        [
            "UPDATE acts SET total = 1",
            "UPDATE acts SET number = 'ACT-FAKE'",
            "DELETE FROM acts",
            "INSERT INTO acts (number, job_id, client_id, issued_on, period_from, period_to, language, "
            "currency, total, lines, created_at) SELECT 'ACT-MINE', job_id, client_id, issued_on, "
            "period_from, period_to, language, currency, 1, lines, now() FROM acts",
        ],
    )
    assert len(refused) == 3, refused  # the changes and the delete; the copy is let in with the next number
    numbers = [a.number for a in acts.for_job(owner, job.id)]
    assert numbers[0] == made.number and numbers[1].endswith("00002") and "ACT-MINE" not in numbers
