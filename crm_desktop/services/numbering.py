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

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_desktop.db.models import CompanyProfile, Document, NumberSeries
from crm_desktop.services.errors import ValidationError

_FIELD = re.compile(r"\{(year|seq)(?::0([1-9])d)?\}")
PATTERN_FIELDS = ("invoice_number_pattern", "quote_number_pattern", "credit_note_number_pattern")
EXAMPLE = "INV-{year}-{seq:05d}"


def check_pattern(field: str, pattern: object) -> str:
    text = str(pattern or "").strip()
    if not text or len(text) > 40:
        raise ValidationError(field, f"A number pattern is 1 to 40 characters, for example {EXAMPLE}.")
    if "{seq" not in text:
        raise ValidationError(field, f"The pattern needs {{seq}} (or {{seq:05d}} for 00001), where the running "
                                     f"number goes. Example: {EXAMPLE}")
    if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
        raise ValidationError(field, f"Only {{year}}, {{seq}} and {{seq:0Nd}} (N from 1 to 9) may stand in braces "
                                     f"(got '{text}'). Example: {EXAMPLE}")
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


def issue(s: Session, doc: Document) -> str:
    """Make the draft `doc` (its issue date set) issued with the next number of its kind and year."""
    if s.get_bind().dialect.name == "postgresql":
        try:
            with s.begin_nested():  # so that a refusal leaves the unit of work able to roll back
                doc.status = "issued"
                s.flush()  # the database gives the number
        except IntegrityError as exc:
            diag = getattr(exc.orig, "diag", None)  # psycopg's account of which constraint refused it
            if diag is not None and diag.constraint_name == "uq_documents_kind_number":
                raise NumberTaken(diag.message_detail or "") from exc
            raise
        s.refresh(doc, ["number"])
        return str(doc.number)
    assert doc.issue_date is not None  # documents.issue dates the draft before numbering it
    year = doc.issue_date.year
    number = format_number(getattr(s.get(CompanyProfile, 1), f"{doc.kind}_number_pattern"), year,
                           _take(s, doc.kind, year))
    if s.scalar(select(Document.id).where(Document.kind == doc.kind, Document.number == number)):
        raise NumberTaken(number)
    doc.number, doc.status = number, "issued"
    return number


def _take(s: Session, kind: str, year: int) -> int:
    """The next running number of `kind` in `year`; SQLite lets one writer in at a time."""
    s.execute(sqlite_insert(NumberSeries).values(kind=kind, year=year, next_seq=1)
              .on_conflict_do_nothing(index_elements=["kind", "year"]))
    series = s.execute(select(NumberSeries).where(NumberSeries.kind == kind, NumberSeries.year == year)).scalar_one()
    seq = series.next_seq
    series.next_seq = seq + 1
    return seq
