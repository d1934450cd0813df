"""Files attached to a job (a signed brief, a photo of the repaired boiler): kept in the database, so
that every PC of an office sharing a server has them, up to MAX_BYTES each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from crm_desktop.db.models import Act, JobFile, User
from crm_desktop.i18n import N_, Message
from crm_desktop.services import jobs
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError

MAX_BYTES = 20 * 1024 * 1024  # as the server's check says (migration 0013)


@dataclass(frozen=True)
class FileRow:
    id: int
    name: str
    size: int
    added_by: str
    added_at: datetime


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def check_size(name: str, size: int) -> None:
    """Refuse a file past the limit, before anything reads it whole."""
    if size > MAX_BYTES:
        raise ValidationError(
            "content",
            "{name} is {size} MB; a job keeps files of up to {limit} MB. Make it smaller (a photo at a lower "
            "resolution, a compressed PDF) and attach it again.",
            name=name,
            size=megabytes(size),
            limit=MAX_BYTES // (1024 * 1024),
        )


def attach(ctx: ServiceContext, job_id: int, name: str, content: bytes) -> FileRow:
    name = v.text("name", PurePath(name).name, N_("File name"), required=True, max_length=255)
    check_size(name, len(content))
    with ctx.write() as s:
        job = jobs.load(s, job_id, ctx.actor)
        row = JobFile(
            job_id=job.id, name=name, size=len(content), content=content, added_by=ctx.actor.user_id,
            added_at=s.info["now"],
        )  # fmt: skip
        s.add(row)
        jobs.event(s, ctx, job, Message("File attached to {job}: {name}", job=job.title, name=name))
        s.flush()
        return _row(row, s.get(User, ctx.actor.user_id) if ctx.actor.user_id else None)


def attach_file(ctx: ServiceContext, job_id: int, path: Path) -> FileRow:
    """A file from this PC's disk attached (its size checked before it is read)."""
    try:
        check_size(path.name, path.stat().st_size)
        content = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            "content", "{name} could not be read ({reason}). Check that it exists and try again.",
            name=path.name, reason=exc.strerror or str(exc),
        ) from exc  # fmt: skip
    return attach(ctx, job_id, path.name, content)


def _row(f: JobFile, who: User | None) -> FileRow:
    return FileRow(f.id, f.name, f.size, who.display_name if who else "", f.added_at)


def list_files(ctx: ServiceContext, job_id: int) -> list[FileRow]:
    with ctx.read() as s:
        jobs.load(s, job_id, ctx.actor)
        rows = s.execute(
            select(JobFile.id, JobFile.name, JobFile.size, User.display_name, JobFile.added_at)
            .outerjoin(User, User.id == JobFile.added_by)
            .where(JobFile.job_id == job_id)
            .order_by(JobFile.added_at, JobFile.id)
        )
        return [FileRow(i, name, size, who or "", at) for i, name, size, who, at in rows]


def _load(s: Session, ctx: ServiceContext, file_id: int) -> JobFile:
    # (with its content: reading it, or logging what a removal took)
    row = s.get(JobFile, file_id, options=[undefer(JobFile.content)])
    if row is None:
        raise NotFound("That file is no longer attached to the job.")
    jobs.load(s, row.job_id, ctx.actor)
    return row


def content(ctx: ServiceContext, file_id: int) -> tuple[str, bytes]:
    with ctx.read() as s:
        row = _load(s, ctx, file_id)
        return row.name, row.content


def remove(ctx: ServiceContext, file_id: int) -> None:
    """By the one who attached it or an administrator."""
    with ctx.write() as s:
        row = _load(s, ctx, file_id)
        if not ctx.actor.is_admin and row.added_by != ctx.actor.user_id:
            raise PermissionDenied(
                "Only the person who attached {name}, or an administrator, removes it.", name=row.name
            )
        if s.scalar(select(Act.id).where(Act.file_id == row.id)) is not None:
            raise ValidationError(
                "file", "{name} is an act of work done as issued: it stays with the job.", name=row.name
            )
        job = jobs.load(s, row.job_id, ctx.actor)
        jobs.event(s, ctx, job, Message("File removed from {job}: {name}", job=job.title, name=row.name))
        s.delete(row)
