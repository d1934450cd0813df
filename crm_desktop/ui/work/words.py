"""The names of a job's and a stage's statuses, in the reader's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("JobWords", text)


def job_status_names() -> dict[str, str]:
    return {
        "planned": tr("Planned"),
        "in_progress": tr("In progress"),
        "on_hold": tr("On hold"),
        "done": tr("Done"),
        "cancelled": tr("Cancelled"),
    }


def stage_status_names() -> dict[str, str]:
    return {
        "waiting": tr("Waiting"),
        "in_progress": tr("In progress"),
        "blocked": tr("Blocked"),
        "awaiting_approval": tr("Awaiting approval"),
        "done": tr("Done"),
    }
