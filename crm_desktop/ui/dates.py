"""Days and moments as the reader's locale writes them (24.12.2026 in Russian, 24/12/2026 in British
English and in the Emirates' Arabic), always with the whole year; ISO where no locale is set (C)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from PySide6.QtCore import QDate, QLocale


def _day_format(locale: QLocale) -> str:
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")  # 24.12.26 is read wrong


def day_text(day: date | None) -> str:
    if day is None:
        return ""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return day.isoformat()
    return locale.toString(QDate(day.year, day.month, day.day), _day_format(locale))


def moment_text(moment: datetime | None, *, seconds: bool = False, zone: tzinfo | None = None) -> str:
    """A moment in local time (or in `zone`): its day and its time of day (24-hour)."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{day_text(local.date())} {clock}"


def moment_day_text(moment: datetime | None, *, zone: tzinfo | None = None) -> str:
    """The local day (or `zone`'s) of a moment."""
    return day_text(moment.astimezone(zone).date()) if moment is not None else ""
