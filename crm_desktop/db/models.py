"""Schema v1: the whole client path from lead to payment.

Conventions: money columns are `ExactDecimal` (see types.py), times are `UTCDateTime`, every editable
table carries `Editable` (created/updated timestamps and a version used for optimistic locking), and
enumerations are short strings checked by the services (readable with psql, cheap to extend).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from crm_desktop.db.types import ExactDecimal, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = ExactDecimal(4)
Quantity = ExactDecimal(4)
Percent = ExactDecimal(4)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as the Table it is (for Core statements built once, see services)."""
    return cast(Table, model.__table__)


class Editable:
    """Created/updated timestamps (set by the unit of work from its clock) and a version counter.

    `version_id_col` makes every UPDATE carry `WHERE version = <the version we read>`: when another
    PC saved in between, no row matches and SQLAlchemy raises instead of overwriting their work.
    """

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class Retryable:
    """A record made by a form carries the id the form made for it, so a save retried after a lost
    connection (which may have committed after all) finds the record instead of adding it twice."""

    request_id: Mapped[str | None] = mapped_column(String(36), unique=True)


# --- people -------------------------------------------------------------------------------------

USER_ROLES = ("admin", "manager", "staff")


class User(Editable, Base):
    __tablename__ = "users"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20), default="staff")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Export rights are apart from view rights: seeing a client is not taking the client list home.
    can_export: Mapped[bool] = mapped_column(Boolean, default=False)
    # One PC (SQLite) only, and only if its user set one: the scrypt hash asked for at start. On a
    # server PostgreSQL checks each login's own password instead.
    password_hash: Mapped[str | None] = mapped_column(String(200))


# --- clients ------------------------------------------------------------------------------------

CLIENT_KINDS = ("person", "company")
CLIENT_STATUSES = ("lead", "prospect", "customer", "inactive")


class Client(Editable, Retryable, Base):
    __tablename__ = "clients"
    __audit__ = True
    __table_args__ = (
        Index("ix_clients_sort_name_id", "sort_name", "id"),
        Index("ix_clients_status_sort_name", "status", "sort_name"),
        Index("ix_clients_owner_sort_name", "owner_id", "sort_name"),
        Index("ix_clients_status_created", "status", "created_at"),  # leads nobody contacted yet
        Index("ix_clients_created_at", "created_at"),  # the leads of a period (reports)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="person")
    name: Mapped[str] = mapped_column(String(300))
    # Folded form of the name (see services/textnorm.py): sorting and 1-letter jumps use it.
    sort_name: Mapped[str] = mapped_column(String(300))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(100), default="", index=True)
    status: Mapped[str] = mapped_column(String(20), default="lead")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    # the language of the documents the client receives; "" the company's
    language: Mapped[str] = mapped_column(String(5), default="", server_default="")

    tags: Mapped[list[ClientTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ClientTag.tag"
    )


class ClientTag(Base):
    __tablename__ = "client_tags"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class ClientSearch(Base):
    """The text a client is found by: folded name words, email parts and phone digits.

    A trigram index sits on `terms` (SQLite: an FTS5 trigram table kept in step by triggers;
    PostgreSQL: a pg_trgm GIN index), both created in the migrations, so substring and
    word-beginning search never scans the table.
    """

    __tablename__ = "client_search"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    terms: Mapped[str] = mapped_column(Text)


ACTIVITY_KINDS = ("note", "call", "meeting", "email", "status_change", "document")


class Activity(Editable, Retryable, Base):
    __tablename__ = "activities"
    __audit__ = True
    __table_args__ = (
        Index("ix_activities_client_occurred", "client_id", "occurred_at"),
        Index("ix_activities_kind_occurred_at", "kind", "occurred_at"),  # the calls of a period (reports)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="note")
    body: Mapped[str] = mapped_column(Text, default="")
    # The app's own entries: what they say, as an English template and its fields (i18n.Message JSON),
    # read in the reader's language; `body` has the English words. None on what people write.
    said: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The job it is about (no foreign key, see migration 0013: a job goes only with its client).
    job_id: Mapped[int | None] = mapped_column(Integer, index=True)


# --- deals --------------------------------------------------------------------------------------


class Pipeline(Editable, Base):
    __tablename__ = "pipelines"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="pipeline", order_by="Stage.position", cascade="all, delete-orphan"
    )


class Stage(Editable, Base):
    __tablename__ = "stages"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_range"),
        CheckConstraint("NOT (is_won AND is_lost)", name="won_or_lost"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[int] = mapped_column(Integer, default=0)  # percent
    is_won: Mapped[bool] = mapped_column(Boolean, default=False)
    is_lost: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days an open deal may stay in the stage before its owner is told it is stuck; None: no limit.
    time_limit_days: Mapped[int | None] = mapped_column(Integer)

    pipeline: Mapped[Pipeline] = relationship(back_populates="stages")


class Deal(Editable, Retryable, Base):
    __tablename__ = "deals"
    __audit__ = True
    __table_args__ = (
        Index("ix_deals_pipeline_stage", "pipeline_id", "stage_id"),
        Index("ix_deals_created_at", "created_at"),  # the deals of a period (reports)
        Index("ix_deals_outcome_closed_at", "outcome", "closed_at"),  # won or lost in a period
        # the open deals' value per stage and currency, read from the index alone (the pipeline)
        Index("ix_deals_outcome_currency_stage", "outcome", "currency", "stage_id", "owner_id", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="RESTRICT"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    expected_close: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[str] = mapped_column(String(10), default="open")  # open | won | lost
    lost_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it entered the stage it is in (its last stage change), so "how long in this stage" is read from
    # the deal itself (services/stage_time.py); on a server only a move changes it.
    stage_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DealStageChange(Base):
    """History of a deal's moves; appended, never edited."""

    __tablename__ = "deal_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# --- tasks --------------------------------------------------------------------------------------

TASK_PRIORITIES = ("low", "normal", "high")
TASK_STATUSES = ("open", "done", "cancelled")


class Task(Editable, Retryable, Base):
    __tablename__ = "tasks"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("series_id", "series_day"),
        Index("ix_tasks_status_due", "status", "due_at"),
        Index("ix_tasks_remind_at", "remind_at"),
        Index("ix_tasks_assignee_due", "assignee_id", "due_at"),
        Index("ix_tasks_assignee_alert", "assignee_id", "alert_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"), index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(10), default="open")
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # RFC 5545 subset, e.g. "FREQ=WEEKLY;BYDAY=MO,TH" or "FREQ=DAILY;INTERVAL=3".
    recurrence: Mapped[str] = mapped_column(String(200), default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The reminder still to be handled: when it pops up (remind_at, or later when snoozed); None once
    # it was handled (done, snoozed on to a new alert_at, dismissed) or there is none.
    alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When that alert first popped up on some PC: set, it is not "missed while closed" any more.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the manager was told it is overdue
    # Tasks a follow-up rule created say which rule and record ("lead:42"): one per record, ever.
    origin: Mapped[str | None] = mapped_column(String(80), unique=True)
    # The job that made it (a stage's task, an approval, their reminders); as Activity.job_id.
    job_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # A visit of a series: the series, and the day of it the visit stands for (kept when it is moved).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("visit_series.id", ondelete="SET NULL"))
    series_day: Mapped[date | None] = mapped_column(Date)
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"text", "done"}]


# --- quotes, invoices, payments -----------------------------------------------------------------

DOCUMENT_KINDS = ("quote", "invoice", "credit_note")
DOCUMENT_STATUSES = (
    "draft",
    "issued",
    "partly_paid",
    "paid",
    "credited",
    "cancelled",
    "accepted",
    "rejected",
)


class Document(Editable, Retryable, Base):
    """A quote, an invoice or a credit note. The number is given when it is issued."""

    __tablename__ = "documents"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("kind", "number", name="uq_documents_kind_number"),
        Index("ix_documents_kind_status_issue", "kind", "status", "issue_date"),
        Index("ix_documents_client_issue", "client_id", "issue_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="invoice")
    number: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"), index=True)
    related_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")
    # Totals are derived from the lines by services/money.py and stored for fast lists and sums.
    subtotal: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    paid_total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    # On an invoice: the sum of the issued credit notes that refer to it (related_id).
    credited_total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[DocumentLine]] = relationship(
        order_by="DocumentLine.position", cascade="all, delete-orphan", passive_deletes=True
    )


class DocumentLine(Editable, Base):
    __tablename__ = "document_lines"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(1))
    unit: Mapped[str] = mapped_column(String(30), default="")
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    discount_percent: Mapped[Decimal] = mapped_column(Percent, default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Percent, default=Decimal(0))


class Payment(Editable, Retryable, Base):
    __tablename__ = "payments"
    __audit__ = True
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class NumberSeries(Base):
    """The next number of a document kind in a year. Issuing locks this row inside its transaction,
    so numbers are unique and gap-free on any number of PCs; a failed issue rolls the counter back."""

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("kind", "year", name="uq_number_series_kind_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    next_seq: Mapped[int] = mapped_column(Integer, default=1)


class CompanyProfile(Editable, Base):
    """The one row describing the office itself (id is always 1)."""

    __tablename__ = "company_profile"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    tax_id: Mapped[str] = mapped_column(String(100), default="")
    bank_details: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    default_currency: Mapped[str] = mapped_column(String(3), default="USD")
    language: Mapped[str] = mapped_column(String(10), default="")
    # Follow-up rules (0 switches a rule off): a lead nobody contacted for this many hours, an
    # invoice unpaid this many days after its due date, a task overdue this many hours (its
    # assignee's manager is told).
    # Document numbers: {year} and {seq} (zero-padded with {seq:05d}); each kind counts on its own.
    invoice_number_pattern: Mapped[str] = mapped_column(String(60), default="INV-{year}-{seq:05d}")
    quote_number_pattern: Mapped[str] = mapped_column(String(60), default="QUO-{year}-{seq:05d}")
    credit_note_number_pattern: Mapped[str] = mapped_column(String(60), default="CN-{year}-{seq:05d}")
    # The tax rates (percent) offered for invoice lines, e.g. "12; 0": a choice, any rate may still be typed.
    tax_presets: Mapped[str] = mapped_column(String(200), default="12; 0")
    # The total in words under the PDF's totals: "en", "ru", "uz", or "" for none.
    amount_words_language: Mapped[str] = mapped_column(String(5), default="")
    # PNG or JPEG for the top of documents; loaded only when asked for (it can be a few hundred KB).
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The office's mail server for sending documents; each PC keeps the password in its own keyring.
    smtp_host: Mapped[str] = mapped_column(String(255), default="")
    smtp_port: Mapped[int] = mapped_column(Integer, default=587)
    smtp_security: Mapped[str] = mapped_column(String(10), default="starttls")
    smtp_username: Mapped[str] = mapped_column(String(320), default="")
    smtp_sender: Mapped[str] = mapped_column(String(320), default="")
    lead_follow_up_hours: Mapped[int] = mapped_column(Integer, default=24)
    invoice_follow_up_days: Mapped[int] = mapped_column(Integer, default=7)
    escalation_hours: Mapped[int] = mapped_column(Integer, default=24)
    stuck_job_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")  # 0: off
    # The office calendar (services/work_calendar.py): the working weekdays, Monday first ("1111100":
    # Monday to Friday), the working hours in the office's zone, and whose public holidays it keeps.
    work_days: Mapped[str] = mapped_column(String(7), default="1111100", server_default="1111100")
    work_starts: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    work_ends: Mapped[str] = mapped_column(String(5), default="18:00", server_default="18:00")
    holiday_country: Mapped[str] = mapped_column(String(2), default="", server_default="")


class Holiday(Editable, Base):
    """A day off of a country's calendar (the office keeps those of its `holiday_country`)."""

    __tablename__ = "holidays"
    __audit__ = True
    __table_args__ = (UniqueConstraint("country", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200), default="")


# --- work after the sale: workflow templates and jobs ----------------------------------------------

JOB_STATUSES = ("planned", "in_progress", "on_hold", "done", "cancelled")
STAGE_STATUSES = ("waiting", "in_progress", "blocked", "awaiting_approval", "done")


class WorkflowTemplate(Editable, Base):
    """A kind of work the office does again and again, as its ordered stages (services/workflows.py).

    `stages` is the definition being edited; every saved definition is also a TemplateVersion, which
    the jobs started from it keep: editing a template never changes a job already running."""

    __tablename__ = "workflow_templates"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # the number of its latest version
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class TemplateVersion(Base):
    """A template's stages as they were saved once; never changed."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("workflow_templates.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Job(Editable, Retryable, Base):
    """The work done for a client after the sale, in the stages of the template it was started from."""

    __tablename__ = "jobs"
    __audit__ = True
    __table_args__ = (
        Index("ix_jobs_status_due", "status", "forecast_due"),
        Index("ix_jobs_responsible_status", "responsible_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"), index=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    template_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_versions.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="planned")
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    site_address: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    planned_start: Mapped[datetime] = mapped_column(UTCDateTime())
    planned_due: Mapped[datetime] = mapped_column(UTCDateTime())
    forecast_due: Mapped[datetime] = mapped_column(UTCDateTime())  # as the stages go, later if they are late
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What is to be done and billed: invoice lines as JSON (description, quantity, unit, unit_price,
    # discount_percent, tax_rate as strings), from the deal's quote or the deal; `currency` theirs.
    scope: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    currency: Mapped[str] = mapped_column(String(3), default="", server_default="")
    # The last time the work moved (a stage started or done, an item ticked): a job with none for the
    # office's number of days is stuck.
    progressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where its stages stand (services/jobs.py keeps them with every change; lists read them).
    stage_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stages_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    current_stage: Mapped[str] = mapped_column(String(200), default="", server_default="")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class JobStage(Editable, Base):
    """One stage of a job, copied from its template version when the job started."""

    __tablename__ = "job_stages"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("job_id", "position"),
        Index("ix_job_stages_status_forecast", "status", "forecast_due"),
        Index("ix_job_stages_responsible_status", "responsible_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(100), default="")
    # How long it is planned to take, in working days or in working hours (one of them).
    work_days: Mapped[int | None] = mapped_column(Integer)
    work_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    effort_hours: Mapped[Decimal | None] = mapped_column(
        Quantity
    )  # the work over its days, if not all of them
    may_overlap: Mapped[bool] = mapped_column(
        Boolean, default=False
    )  # may start before the one before is done
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # [{"text": ..., "done_at": ISO time or null, "done_by": user id or null}]
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"title", "after_hours", "assignee": "responsible" or a user id, "remind_minutes"}] made at its start
    tasks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    block_reason: Mapped[str] = mapped_column(Text, default="")
    unblocker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    planned_start: Mapped[datetime] = mapped_column(UTCDateTime())
    planned_due: Mapped[datetime] = mapped_column(UTCDateTime())
    forecast_start: Mapped[datetime] = mapped_column(UTCDateTime())
    forecast_due: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    override_reason: Mapped[str] = mapped_column(Text, default="")  # done with its checklist not all ticked
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its responsible person was told
    manager_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the job's manager too


class StageApproval(Base):
    """One request to approve a stage ("visa") and its answer; kept, so a job shows every round."""

    __tablename__ = "stage_approvals"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("job_stages.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # a working day later
    note: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(10))  # "approved", "rejected"; None: waiting
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the approver was reminded
    manager_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobFile(Base):
    """A document or photo attached to a job, kept in the database so that every PC of an office has it."""

    __tablename__ = "job_files"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobPerson(Base):
    """Who else works on a job (its team)."""

    __tablename__ = "job_people"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# --- the team's time: working hours, absences, skills (services/capacity.py, services/workload.py) ----

ABSENCE_KINDS = ("vacation", "sick", "training", "other")


class PersonHours(Editable, Base):
    """A person's working hours per weekday where they differ from the office calendar's."""

    __tablename__ = "person_hours"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    hours: Mapped[list[str]] = mapped_column(JSON)  # seven decimal numbers as text, Monday first


class Absence(Editable, Base):
    """Days a person is away (vacation, sick leave, training): no work is planned for them then."""

    __tablename__ = "absences"
    __audit__ = True
    __table_args__ = (Index("ix_absences_user_starts", "user_id", "starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="vacation")
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)  # the last day away
    note: Mapped[str] = mapped_column(Text, default="")


class UserSkill(Base):
    """What a person can do ("electrician", "designer"): the roles templates and filters name."""

    __tablename__ = "user_skills"
    __audit__ = True
    __table_args__ = (UniqueConstraint("user_id", "skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(100), index=True)


# --- plans (services/plans.py) -------------------------------------------------------------------------

PLAN_METRICS = ("revenue", "new_deals", "won_deals", "calls", "billable_hours")


class Plan(Editable, Base):
    """What a person (or, with no person, the whole office) is to reach in a month; a month closed keeps
    the figure it was measured against (`actual`) and is never changed."""

    __tablename__ = "plans"
    __audit__ = True
    __table_args__ = (  # one plan per month, person (or the office) and figure; NULL is unequal to NULL
        Index("uq_plans_month_user_metric", "month", "user_id", "metric", unique=True,
              sqlite_where=text("user_id IS NOT NULL"), postgresql_where=text("user_id IS NOT NULL")),
        Index("uq_plans_month_office_metric", "month", "metric", unique=True,
              sqlite_where=text("user_id IS NULL"), postgresql_where=text("user_id IS NULL")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # its first day
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(20))  # one of PLAN_METRICS
    target: Mapped[Decimal] = mapped_column(Quantity)
    currency: Mapped[str] = mapped_column(String(3), default="", server_default="")  # revenue's
    actual: Mapped[Decimal | None] = mapped_column(Quantity)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- audit --------------------------------------------------------------------------------------


class AuditEntry(Base):
    """Append-only: the migrations add triggers that refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # No ON DELETE action: audit rows are never rewritten, so users are disabled, not deleted.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    # The server login that made it (shared mode; the database fills it in); None on SQLite.
    login: Mapped[str | None] = mapped_column(String(63))
    # {"field": [old, new], ...} with values as JSON-friendly strings
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TimeEntry(Editable, Base):
    """Time a person spent: on a task, a job's stage or a visit, or on a job as a whole. A running timer is
    an entry whose start is stored (so a restart or a crash finds it running); one runs per person. An
    invoiced entry names the invoice (and its line) it was billed on, and stays as it was."""

    __tablename__ = "time_entries"
    __audit__ = True
    __table_args__ = (
        Index("ix_time_entries_user_day", "user_id", "day"),
        Index("uq_time_entries_running", "user_id", unique=True, sqlite_where=text("running"),
              postgresql_where=text("running")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("job_stages.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    day: Mapped[date] = mapped_column(Date)  # the local day it was spent on
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a timer's start
    running: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("document_lines.id", ondelete="SET NULL"))


class JobMaterial(Editable, Base):
    """A material or an expense on a job (parts, travel): billed at its price when billable."""

    __tablename__ = "job_materials"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(1))
    unit: Mapped[str] = mapped_column(String(20), default="")
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("document_lines.id", ondelete="SET NULL"))


RATE_KINDS = ("hourly", "fixed")


class Rate(Editable, Base):
    """What work is billed at: a person's, a skill's or a job's hourly rate, or a job's fixed price (billed
    once: the invoice it went on is noted)."""

    __tablename__ = "rates"
    __audit__ = True
    __table_args__ = (UniqueConstraint("user_id", "skill", "job_id", "currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(100), default="")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="hourly")
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("document_lines.id", ondelete="SET NULL"))


class VisitSeries(Editable, Base):
    """A client's recurring work (a service contract): its visits are tasks made ahead from the rule
    (services/recurrence.py), at a time of day, each with the series' assignee, duration and checklist."""

    __tablename__ = "visit_series"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    rule: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # its last day, if it has one
    count: Mapped[int | None] = mapped_column(Integer)  # or how many visits it has
    at_time: Mapped[str] = mapped_column(String(5), default="09:00")  # local wall time
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)
    made_until: Mapped[date | None] = mapped_column(Date)  # visits are made up to this day


class Act(Base):
    """An act of work done, as issued: its own gap-free number, the work of a period with its amounts, in
    the client's language; its PDF attached to the job. Never changed (but for pointing at its PDF)."""

    __tablename__ = "acts"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="RESTRICT"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    issued_on: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(5))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Money)
    # [{"description", "quantity", "unit", "unit_price", "amount"}], the amounts as exact strings
    lines: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("job_files.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
