"""How a deal's or a client's next planned activity reads in lists and on cards: "Today 09:00 · Call
Rashad", red once it is overdue; an open deal with nothing planned says so in amber, since nothing is
planned to move it on."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QLocale
from PySide6.QtGui import QColor

from crm_desktop.services.next_activity import NextActivity

OVERDUE = QColor("#b91c1c")
NOTHING_PLANNED = QColor("#b45309")


def tr(text: str, context: str | None = None) -> str:
    return QCoreApplication.translate("NextActivity", text, context)


def when(moment: datetime, today: date) -> str:
    local = moment.astimezone()
    day = local.date()
    named = {
        today: tr("Today"),
        today + timedelta(days=1): tr("Tomorrow"),
        today - timedelta(days=1): tr("Yesterday"),
    }
    if day in named:
        return f"{named[day]} {local:%H:%M}"
    shown = QLocale().toString(
        QDate(day.year, day.month, day.day), "d MMM" if day.year == today.year else "d MMM yyyy"
    )
    return f"{shown} {local:%H:%M}"


def text(planned: NextActivity | None, today: date, *, expected: bool) -> str:
    """The activity as one line; when none is planned, a mark where one is `expected` (an open deal)."""
    if planned is None:
        return tr("No next activity") if expected else ""
    if planned.due_at is None:
        return planned.title
    return f"{when(planned.due_at, today)} · {planned.title}"


def color(planned: NextActivity | None, now: datetime, *, expected: bool) -> QColor | None:
    if planned is None:
        return NOTHING_PLANNED if expected else None
    return OVERDUE if planned.overdue(now) else None
