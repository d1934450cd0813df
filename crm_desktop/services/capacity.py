"""Who can work when: each person's working hours per weekday (the office calendar's unless set for
them), the days they are away (vacation, sick leave, training) and their skills ("electrician",
"designer"), which workflow templates name as roles and the workload view filters by.

Administrators and a person's manager set their hours and skills; absences are entered by them or by
the person. A person's absences are seen by the person, their manager and administrators (the server's
policies say the same, migration 0014).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import ColumnElement, delete, or_, select, true
from sqlalchemy.orm import Session

from crm_desktop.db.models import ABSENCE_KINDS, Absence, PersonHours, User, UserSkill
from crm_desktop.i18n import N_
from crm_desktop.services import validation as v
from crm_desktop.services.context import Actor, ServiceContext
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.work_calendar import WEEKDAYS, OfficeCalendar
from crm_desktop.services.work_calendar import of as office_calendar

MAX_SKILLS = 20


@dataclass(frozen=True)
class AbsenceRow:
    id: int
    user_id: int
    kind: str
    starts: date
    ends: date
    note: str
    version: int


def office_week(calendar: OfficeCalendar) -> list[Decimal]:
    """The hours of each weekday (Monday first) in the office calendar."""
    return [calendar.hours_a_day if flag == "1" else Decimal(0) for flag in calendar.work_days]


def _managed_by(actor: Actor) -> ColumnElement[bool]:
    """The people whose hours and skills this user may set: everyone for an administrator, a manager's
    team, nobody for the others."""
    if actor.is_admin:
        return true()
    return User.manager_id == actor.user_id if actor.role == "manager" else User.id.is_(None)


def _require_manages(s: Session, actor: Actor, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound("User #{user_id} does not exist.", user_id=user_id)
    if not s.scalar(select(User.id).where(User.id == user_id, _managed_by(actor))):
        raise PermissionDenied(
            "Only an administrator or {name}'s manager can change this.", name=user.display_name
        )
    return user


def plans_for(ctx: ServiceContext) -> set[int]:
    """The people whose hours and skills this user may set."""
    with ctx.read() as s:
        return set(s.scalars(select(User.id).where(User.active, _managed_by(ctx.actor))))


def weeks(ctx: ServiceContext) -> dict[int, list[Decimal]]:
    """Each active person's hours per weekday, Monday first."""
    default = office_week(office_calendar(ctx))
    with ctx.read() as s:
        own = dict(s.execute(select(PersonHours.user_id, PersonHours.hours)).all())
        people = s.scalars(select(User.id).where(User.active))
        return {u: [Decimal(h) for h in own[u]] if u in own else list(default) for u in people}


def _clean_week(hours: Sequence[object] | None) -> list[Decimal] | None:
    if hours is None:
        return None
    if len(hours) != WEEKDAYS:
        raise ValidationError("hours", "Give the hours of each of the seven weekdays, Monday first.")
    try:
        clean = [Decimal(str(h).strip().replace(",", ".") or "0") for h in hours]
    except InvalidOperation:
        raise ValidationError("hours", "Working hours are a number of hours, such as 8 or 4.5.") from None
    if any(not 0 <= h <= 24 for h in clean):
        raise ValidationError("hours", "A day has between 0 and 24 working hours.")
    return clean


def _write_week(s: Session, user_id: int, clean: list[Decimal] | None) -> None:
    row = s.scalar(select(PersonHours).where(PersonHours.user_id == user_id))
    if clean is None:
        if row is not None:
            s.delete(row)
    elif row is None:
        s.add(PersonHours(user_id=user_id, hours=[str(h.normalize()) for h in clean]))
    else:
        row.hours = [str(h.normalize()) for h in clean]


def set_week(ctx: ServiceContext, user_id: int, hours: Sequence[object] | None) -> list[Decimal]:
    """A person's hours per weekday (seven numbers, Monday first); None: the office calendar's again."""
    clean = _clean_week(hours)
    with ctx.write() as s:
        _require_manages(s, ctx.actor, user_id)
        _write_week(s, user_id, clean)
    return weeks(ctx)[user_id]


def has_own_week(ctx: ServiceContext, user_id: int) -> bool:
    """The person's hours are set for them (not the office calendar's)."""
    with ctx.read() as s:
        return s.scalar(select(PersonHours.id).where(PersonHours.user_id == user_id)) is not None


def set_person(
    ctx: ServiceContext, user_id: int, hours: Sequence[object] | None, skills: Sequence[str]
) -> None:
    """A person's hours (as set_week) and skills (as set_skills) saved together, or neither."""
    clean, wanted = _clean_week(hours), _clean_skills(skills)
    with ctx.write() as s:
        _require_manages(s, ctx.actor, user_id)
        _write_week(s, user_id, clean)
        _write_skills(s, user_id, wanted)


# --- absences ---------------------------------------------------------------------------------------------


def _seen_absences(actor: Actor) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    if actor.role != "manager":
        return Absence.user_id == actor.user_id
    return or_(
        Absence.user_id == actor.user_id,
        Absence.user_id.in_(select(User.id).where(User.manager_id == actor.user_id)),
    )


def absences(ctx: ServiceContext, first: date, last: date) -> list[AbsenceRow]:
    """The absences this user sees that touch the days from `first` to `last`."""
    with ctx.read() as s:
        rows = s.scalars(
            select(Absence)
            .where(Absence.starts <= last, Absence.ends >= first, _seen_absences(ctx.actor))
            .order_by(Absence.starts, Absence.id)
        )
        return [AbsenceRow(a.id, a.user_id, a.kind, a.starts, a.ends, a.note, a.version) for a in rows]


def add_absence(
    ctx: ServiceContext, user_id: int, kind: str, starts: date, ends: date, *, note: str = ""
) -> AbsenceRow:
    kind = v.choice("kind", kind, ABSENCE_KINDS, N_("Kind of absence"))
    if ends < starts:
        raise ValidationError("ends", "An absence ends on or after the day it starts.")
    with ctx.write() as s:
        if user_id != ctx.actor.user_id:
            _require_manages(s, ctx.actor, user_id)
        overlap = s.scalar(
            select(Absence.starts).where(
                Absence.user_id == user_id, Absence.starts <= ends, Absence.ends >= starts
            )
        )
        if overlap is not None:
            raise ValidationError(
                "starts",
                "These days overlap an absence already entered (from {day}).",
                day=overlap.isoformat(),
            )
        row = Absence(user_id=user_id, kind=kind, starts=starts, ends=ends, note=note.strip())
        s.add(row)
        s.flush()
        return AbsenceRow(row.id, user_id, kind, starts, ends, row.note, row.version)


def remove_absence(ctx: ServiceContext, absence_id: int) -> None:
    with ctx.write() as s:
        row = s.scalar(select(Absence).where(Absence.id == absence_id, _seen_absences(ctx.actor)))
        if row is None:
            raise NotFound("That absence no longer exists.")
        if row.user_id != ctx.actor.user_id:
            _require_manages(s, ctx.actor, row.user_id)
        s.delete(row)


# --- skills ---------------------------------------------------------------------------------------------


def skills(ctx: ServiceContext) -> dict[int, list[str]]:
    """Each person's skills, in the order of the names."""
    with ctx.read() as s:
        out: dict[int, list[str]] = {}
        for user_id, skill in s.execute(select(UserSkill.user_id, UserSkill.skill).order_by(UserSkill.skill)):
            out.setdefault(user_id, []).append(skill)
        return out


def _clean_skills(names: Sequence[str]) -> list[str]:
    wanted: dict[str, str] = {}
    for name in names:
        text = v.text("skills", name, N_("Skill"), max_length=100)
        if text:
            wanted.setdefault(text.casefold(), text)
    if len(wanted) > MAX_SKILLS:
        raise ValidationError("skills", "A person has at most {n} skills.", n=MAX_SKILLS)
    return sorted(wanted.values())


def _write_skills(s: Session, user_id: int, names: list[str]) -> None:
    s.execute(delete(UserSkill).where(UserSkill.user_id == user_id))
    s.add_all(UserSkill(user_id=user_id, skill=skill) for skill in names)


def set_skills(ctx: ServiceContext, user_id: int, names: Sequence[str]) -> list[str]:
    """A person's skills, as typed (each once, whatever its case)."""
    wanted = _clean_skills(names)
    with ctx.write() as s:
        _require_manages(s, ctx.actor, user_id)
        _write_skills(s, user_id, wanted)
    return wanted
