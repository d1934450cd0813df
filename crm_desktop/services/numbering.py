"""Document numbers: a pattern per kind (e.g. INV-{year}-{seq:05d}) and a counter per kind and year.

The number is taken inside the transaction that issues the document, from a counter row that
transaction holds (SQLite lets one writer in at a time; PostgreSQL locks the row). So two PCs
issuing at once get consecutive numbers, and an issue that fails after taking a number rolls the
counter back with it: numbers are unique and have no gaps. (Not MAX()+1, which two PCs read alike,
nor a database sequence, which never gives a number back.)

On PostgreSQL the database itself takes the number when a draft becomes issued (a trigger, see
migration 0006): CRM logins cannot write the counters, so no number is taken by hand or skipped.
The same pattern rule is written there in SQL (crm_format_number; a test holds the two together).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import ScalarSelect, case, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_desktop.db.models import DOCUMENT_KINDS, CompanyProfile, Document, NumberSeries, table_of
from crm_desktop.services.context import company_profile
from crm_desktop.services.errors import ValidationError

_FIELD = re.compile(r"\{(year|seq)(?::0([1-9])d)?\}")
PATTERN_FIELDS = ("invoice_number_pattern", "quote_number_pattern", "credit_note_number_pattern")
EXAMPLE = "INV-{year}-{seq:05d}"


def check_pattern(field: str, pattern: object) -> str:
    text = str(pattern or "").strip()
    if not text or len(text) > 40:
        raise ValidationError(
            field, "A number pattern is 1 to 40 characters, for example {example}.", example=EXAMPLE
        )
    # In these templates {{ and }} are braces the user types (the templates are filled in with fields).
    if "{seq" not in text:
        raise ValidationError(
            field,
            "The pattern needs {{seq}} (or {{seq:05d}} for 00001), where the running number goes. "
            "Example: {example}",
            example=EXAMPLE,
        )
    if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
        raise ValidationError(
            field,
            "Only {{year}}, {{seq}} and {{seq:0Nd}} (N from 1 to 9) may stand in braces "
            "(got '{text}'). Example: {example}",
            text=text,
            example=EXAMPLE,
        )
    return text


def format_number(pattern: str, year: int, seq: int) -> str:
    def field(m: re.Match) -> str:
        value = year if m.group(1) == "year" else seq
        return str(value).zfill(int(m.group(2))) if m.group(2) else str(value)

    return _FIELD.sub(field, pattern)


class NumberTaken(Exception):
    """The pattern gives a number another document of the kind already has (e.g. no {year} in it)."""

    def __init__(self, number: str):
        super().__init__(number)
        self.number = number


@cache  # built once: a statement's construction costs more than SQLite's work on it
def pattern_of_kind() -> ScalarSelect[str]:
    """The company's number pattern for the kind of the Document in the enclosing query: read in the
    statement that loads the draft, so an issue never uses a pattern older than its own transaction."""
    patterns = {kind: getattr(CompanyProfile, f"{kind}_number_pattern") for kind in DOCUMENT_KINDS}
    return select(case(patterns, value=Document.kind)).where(CompanyProfile.id == 1).scalar_subquery()


def issue(s: Session, doc: Document, pattern: str | None = None) -> str:
    """Make the draft `doc` (its issue date set) issued with the next number of its kind and year.

    `pattern` is the company's for the kind (see pattern_of_kind), read if not given. On SQLite the
    change is written by the caller's flush, inside `checked`: the UNIQUE constraint on (kind, number)
    is what refuses a number another document has (no SELECT ahead of it)."""
    if s.get_bind().dialect.name == "postgresql":
        try:
            with s.begin_nested():  # so that a refusal leaves the unit of work able to roll back
                doc.status = "issued"
                s.flush()  # the database gives the number
        except IntegrityError as exc:
            if _number_clash(exc):
                diag = getattr(exc.orig, "diag", None)  # psycopg's account of which constraint refused it
                raise NumberTaken(getattr(diag, "message_detail", None) or "") from exc
            raise
        s.refresh(doc, ["number"])
        return str(doc.number)
    assert doc.issue_date is not None  # documents.issue dates the draft before numbering it
    if pattern is None:
        pattern = getattr(company_profile(s), f"{doc.kind}_number_pattern")
    year = doc.issue_date.year
    doc.number, doc.status = format_number(pattern, year, take(s, doc.kind, year)), "issued"
    return doc.number


@contextmanager
def checked(number: str) -> Iterator[None]:
    """A flush inside the block that writes the `number` just given raises NumberTaken if another
    document of its kind has it (the unit of work then rolls back, the counter with it: no gap)."""
    try:
        yield
    except IntegrityError as exc:
        if _number_clash(exc):
            raise NumberTaken(number) from exc
        raise


def _number_clash(exc: IntegrityError) -> bool:
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)  # PostgreSQL
    return constraint == "uq_documents_kind_number" or "documents.kind, documents.number" in str(exc.orig)


_SERIES = table_of(NumberSeries)
# The counter row made or moved on, in one statement built once; on the session's connection, so
# it does not flush the unit of work first (nothing it reads is pending there).
_NEXT = (
    sqlite_insert(_SERIES)
    .values(next_seq=2)
    .on_conflict_do_update(index_elements=["kind", "year"], set_={"next_seq": _SERIES.c.next_seq + 1})
    .returning(_SERIES.c.next_seq)
)


def take(s: Session, kind: str, year: int) -> int:
    """The next running number of `kind` in `year` (a document's or an act's), in the caller's unit of
    work: rolled back with it, so no number is lost. SQLite lets one writer in at a time."""
    return s.connection().execute(_NEXT, {"kind": kind, "year": year}).scalar_one() - 1
