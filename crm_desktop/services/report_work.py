"""The work reports: tasks done and overdue per person, jobs on time or late per template and per
person, and the hours planned for each job against the hours spent on it.

A task is counted for its assignee, a job for its manager (the person responsible for it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select

from crm_desktop.db.models import Client, Job, JobStage, Quantity, Task, TemplateVersion, TimeEntry
from crm_desktop.i18n import N_
from crm_desktop.services import work_calendar
from crm_desktop.services.aggregates import exact
from crm_desktop.services.jobs import LATE, OPEN
from crm_desktop.services.reports import Answer, Asked, Column, person_names, ratio, report
from crm_desktop.services.work_billing import hours_of_minutes


def _on_time_rate(columns_key: str, done: str) -> Column:
    return Column(columns_key, N_("On time, %"), "percent", ratio=(done, "due"))


def overdue_tasks(a: Asked) -> int:
    """Open tasks past their time now (the dashboard's)."""
    return (
        a.s.scalar(
            select(func.count()).where(
                Task.status == "open", Task.due_at < a.now, a.scope.of(Task.assignee_id)
            )
        )
        or 0
    )


def late_work(a: Asked) -> tuple[int, int]:
    """Open jobs, and stages not done, that are expected to end later than planned (the dashboard's)."""
    jobs = a.s.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.status.in_(OPEN), LATE, a.scope.of(Job.responsible_id))
    )
    stages = a.s.scalar(
        select(func.count())
        .select_from(JobStage)
        .join(Job, Job.id == JobStage.job_id)
        .where(
            Job.status.in_(OPEN),
            JobStage.status != "done",
            JobStage.forecast_due > JobStage.planned_due,
            a.scope.of(func.coalesce(JobStage.responsible_id, Job.responsible_id)),
        )
    )
    return jobs or 0, stages or 0


@report(
    "tasks_by_person",
    N_("Tasks by person"),
    N_(
        "The tasks due in the period per assignee: how many were done, how many on time, how many "
        "are overdue."
    ),
    {"tasks", "users"},
)
def tasks_by_person(a: Asked) -> Answer:
    done = Task.status == "done"
    q = (
        select(
            Task.assignee_id,
            func.count(),
            func.count().filter(done),
            func.count().filter(done, Task.completed_at <= Task.due_at),
            func.count().filter(Task.status == "open", Task.due_at < a.now),
        )
        .where(
            Task.due_at >= a.start,
            Task.due_at < a.end,
            Task.status != "cancelled",
            a.scope.of(Task.assignee_id),
        )
        .group_by(Task.assignee_id)
    )
    found = a.s.execute(q).all()
    names = person_names(a.s, {r[0] for r in found})
    rows: list[dict[str, Any]] = [
        {
            "person": names.get(who, ""),
            "due": due,
            "done": n_done,
            "on_time": in_time,
            "overdue": late,
            "on_time_rate": ratio(in_time, due),
        }
        for who, due, n_done, in_time, late in found
    ]
    rows.sort(key=lambda r: (-r["overdue"], r["person"]))
    columns = (
        Column("person", N_("Employee"), blank=N_("(nobody)")),
        Column("due", N_("Tasks due"), "count", total=True),
        Column("done", N_("Done"), "count", total=True),
        Column("on_time", N_("Done on time"), "count", total=True),
        Column("overdue", N_("Overdue"), "count", total=True),
        _on_time_rate("on_time_rate", "on_time"),
    )
    return columns, rows


def _jobs(a: Asked, key: Any) -> list[tuple[Any, int, int, int]]:
    """Per `key`: the jobs finished in the period, those finished by their planned day, and those still
    open that are expected late."""
    finished = and_(Job.status == "done", Job.finished_at >= a.start, Job.finished_at < a.end)
    q = (
        select(
            key,
            func.count().filter(finished),
            func.count().filter(finished, Job.finished_at <= Job.planned_due),
            func.count().filter(Job.status.in_(OPEN), LATE),
        )
        .select_from(Job)
        .outerjoin(TemplateVersion, TemplateVersion.id == Job.template_version_id)
        .where(or_(finished, Job.status.in_(OPEN)), a.scope.of(Job.responsible_id))
        .group_by(key)
    )
    return [tuple(r) for r in a.s.execute(q)]


def _job_rows(
    found: list[tuple[Any, int, int, int]], label: str, names: dict[Any, str]
) -> list[dict[str, Any]]:
    rows = [
        {
            label: names.get(key, key or ""),
            "due": done,
            "on_time": in_time,
            "late": done - in_time,
            "late_open": late_now,
            "on_time_rate": ratio(in_time, done),
        }
        for key, done, in_time, late_now in found
        if done or late_now
    ]
    return sorted(rows, key=lambda r: (-r["due"], r[label]))


JOB_COLUMNS = (
    Column("due", N_("Finished"), "count", total=True),
    Column("on_time", N_("On time"), "count", total=True),
    Column("late", N_("Finished late"), "count", total=True),
    _on_time_rate("on_time_rate", "on_time"),
    Column("late_open", N_("Open and late"), "count", total=True),
)


@report(
    "jobs_by_template",
    N_("Jobs on time by kind of work"),
    N_("The jobs finished in the period per workflow, on time or late; and the open jobs running late now."),
    {"jobs", "template_versions", "workflow_templates"},
)
def jobs_by_template(a: Asked) -> Answer:
    found = _jobs(a, TemplateVersion.name)
    return (Column("template", N_("Workflow"), blank=N_("(none)")), *JOB_COLUMNS), _job_rows(
        found, "template", {}
    )


@report(
    "jobs_by_person",
    N_("Jobs on time by person"),
    N_("The jobs finished in the period per job manager, on time or late; and the open jobs late now."),
    {"jobs", "users"},
)
def jobs_by_person(a: Asked) -> Answer:
    found = _jobs(a, Job.responsible_id)
    names = person_names(a.s, {r[0] for r in found})
    return (Column("person", N_("Employee"), blank=N_("(nobody)")), *JOB_COLUMNS), _job_rows(
        found, "person", names
    )


@report(
    "hours_by_job",
    N_("Planned and spent hours"),
    N_(
        "The jobs under way in the period: the hours their stages are planned to take against the hours "
        "spent on them so far."
    ),
    {"jobs", "job_stages", "time_entries", "clients", "users", "company_profile"},
)
def hours_by_job(a: Asked) -> Answer:
    a_day = int(work_calendar.of(a.ctx).hours_a_day * 10_000)  # raw Quantity: hours × 10⁴
    planned = (
        select(
            exact(
                func.coalesce(
                    func.sum(
                        func.coalesce(JobStage.effort_hours, JobStage.work_hours, JobStage.work_days * a_day)
                    ),
                    0,
                ),
                Quantity,
            )
        )
        .where(JobStage.job_id == Job.id)
        .scalar_subquery()
    )
    spent = (
        select(func.coalesce(func.sum(TimeEntry.minutes), 0))
        .where(TimeEntry.job_id == Job.id)
        .scalar_subquery()
    )
    under_way = and_(
        Job.status != "cancelled",
        or_(Job.started_at.is_(None), Job.started_at < a.end),
        or_(Job.finished_at.is_(None), Job.finished_at >= a.start),
        Job.planned_start < a.end,
    )
    q = (
        select(Job.title, Client.name, Job.responsible_id, planned, spent)
        .join(Client, Client.id == Job.client_id)
        .where(under_way, a.scope.of(Job.responsible_id), a.sees_client())
    )
    found = a.s.execute(q).all()
    names = person_names(a.s, {r[2] for r in found})
    rows = []
    for title, client, who, plan, minutes in found:
        hours = hours_of_minutes(minutes)
        rows.append(
            {
                "job": title,
                "client": client,
                "person": names.get(who, ""),
                "planned": plan,
                "spent": hours,
                "left": plan - hours,
                "share": ratio(hours, plan),
            }
        )
    rows.sort(key=lambda r: (-(r["share"] or Decimal(0)), r["job"]))
    columns = (
        Column("job", N_("Job")),
        Column("client", N_("Client")),
        Column("person", N_("Manager"), blank=N_("(nobody)")),
        Column("planned", N_("Planned, h"), "hours", total=True),
        Column("spent", N_("Spent, h"), "hours", total=True),
        Column("left", N_("Left, h"), "hours", total=True),
        Column("share", N_("Spent of plan, %"), "percent", ratio=("spent", "planned")),
    )
    return columns, rows
