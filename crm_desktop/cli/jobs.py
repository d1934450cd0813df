"""`crm-desktop jobs list|start` and `crm-desktop templates list`: the work after the sale from scripts."""

from __future__ import annotations

import argparse

from crm_desktop import i18n
from crm_desktop.cli.output import add_format_option, check_export, local_time, print_records, record_export

JOB_COLUMNS = ["id", "due", "title", "client", "status", "responsible", "late_days"]
TEMPLATE_COLUMNS = ["id", "name", "stages", "version"]


def add_parsers(sub) -> None:
    jobs = sub.add_parser("jobs", help=i18n.gettext("jobs: the work after the sale")).add_subparsers(
        dest="jobs_command", metavar="ACTION", required=True
    )
    ls = jobs.add_parser("list", help=i18n.gettext("list open jobs, the soonest expected first"))
    ls.add_argument("--late", action="store_true", help=i18n.gettext("only jobs behind their plan"))
    add_format_option(ls)
    start = jobs.add_parser("start", help=i18n.gettext("start a job for a client from a workflow template"))
    start.add_argument(
        "--client", required=True, type=int, metavar="ID", help=i18n.gettext("the client's ID")
    )
    start.add_argument("--template", required=True, metavar="NAME", help=i18n.gettext("the template's name"))
    start.add_argument("--title", help=i18n.gettext("the job's title (default: the template's name)"))
    templates = sub.add_parser("templates", help=i18n.gettext("workflow templates")).add_subparsers(
        dest="templates_command", metavar="ACTION", required=True
    )
    add_format_option(templates.add_parser("list", help=i18n.gettext("list the workflow templates")))


def run(db, args: argparse.Namespace) -> None:
    from crm_desktop.cli.server import context

    ctx = context(db)
    if args.command == "templates":
        _templates(ctx, args)
    elif args.jobs_command == "start":
        _start(ctx, args)
    else:
        _list(ctx, args)


def _start(ctx, args: argparse.Namespace) -> None:
    from crm_desktop.services import jobs, workflows

    template = workflows.by_name(ctx, args.template)
    job = jobs.start(ctx, args.client, template.id, title=args.title)
    said = i18n.gettext("job {id}: {title}, {n} stages, due {due}")
    print(said.format(id=job.id, title=job.title, n=len(job.stages), due=local_time(job.planned_due)))


def _list(ctx, args: argparse.Namespace) -> None:
    from crm_desktop.services import jobs

    check_export(ctx, args.format)
    records = [
        {
            "id": j.id,
            "due": local_time(j.forecast_due),
            "planned": local_time(j.planned_due),
            "title": j.title,
            "client": j.client_name,
            "client_id": j.client_id,
            "status": j.status,
            "responsible": j.responsible_name,
            "template": j.template_name,
            "late_days": j.days_late,
        }
        for j in jobs.list_jobs(ctx, jobs.JobFilter(late=args.late))
    ]
    print_records(records, format=args.format, columns=JOB_COLUMNS, empty=i18n.gettext("(no open jobs)"))
    record_export(ctx, args.format, "jobs", len(records), late=args.late)


def _templates(ctx, args: argparse.Namespace) -> None:
    from crm_desktop.services import workflows

    check_export(ctx, args.format)
    records = [
        {
            "id": t.id,
            "name": t.name,
            "stages": t.stage_count,
            "version": t.revision,
            "description": t.description,
        }
        for t in workflows.list_templates(ctx)
    ]
    print_records(records, format=args.format, columns=TEMPLATE_COLUMNS, empty=i18n.gettext("(no templates)"))
    record_export(ctx, args.format, "workflow_templates", len(records))
