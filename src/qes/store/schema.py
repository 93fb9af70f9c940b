"""The database schema (SQLAlchemy 2 declarative). Alembic migrations in `migrations/` create it.

One database holds one or more projects (a project folder's SQLite file holds one; a team's
PostgreSQL server holds many). Users are per database; membership gives a role per project.
Every change any stage makes is also an `Event` row: the log is append-only (database triggers
refuse UPDATE and DELETE on it, see the initial migration).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("owner", "reviewer", "adjudicator", "viewer")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("project_id", "user_id", name="uq_members_project_user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Source(Base):
    """A database as searched: name, interface, date, strategy, hits reported (PRISMA-S)."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_sources_project_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # as the reviewer names it: "PsycINFO (Ovid)"
    database: Mapped[str] = mapped_column(String(200), default="")  # "PsycINFO"
    interface: Mapped[str] = mapped_column(String(200), default="")  # "Ovid"
    searched_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    strategy: Mapped[str] = mapped_column(Text, default="")
    hits_reported: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(20), default="database")  # database | register | other
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Import(Base):
    """One file imported into a project: the unit of a transaction and of de-duplication by hash."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    format: Mapped[str] = mapped_column(String(30))
    encoding: Mapped[str] = mapped_column(String(30), default="")
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    searched_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    imported_by: Mapped[str] = mapped_column(String(320), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RecordRow(Base):
    """A canonical record as imported (one row per record per file: the source record).

    `raw` holds every (tag, value) pair as read; `field_tags` the tag each canonical field came
    from; together with the import (file, source) that is the field-level provenance.
    """

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_project_doi", "project_id", "doi"),
        Index("ix_records_project_pmid", "project_id", "pmid"),
        Index("ix_records_project_source_record", "project_id", "source_record_id"),
        Index("ix_records_project_status", "project_id", "status"),  # screening counts (migration 0003)
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based place in the file
    line: Mapped[int] = mapped_column(Integer, default=0)
    source_record_id: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(30), default="imported")
    title: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    journal: Mapped[str] = mapped_column(Text, default="")
    volume: Mapped[str] = mapped_column(String(100), default="")
    issue: Mapped[str] = mapped_column(String(100), default="")
    page_start: Mapped[str] = mapped_column(String(100), default="")
    page_end: Mapped[str] = mapped_column(String(100), default="")
    doi: Mapped[str] = mapped_column(String(300), default="")
    pmid: Mapped[str] = mapped_column(String(20), default="")
    pmcid: Mapped[str] = mapped_column(String(20), default="")
    issn: Mapped[str] = mapped_column(String(200), default="")
    isbn: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(100), default="")
    pub_type: Mapped[str] = mapped_column(String(200), default="")
    publisher: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[str] = mapped_column(String(100), default="")
    database: Mapped[str] = mapped_column(String(200), default="")
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    headings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    urls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    accession_numbers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    field_tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The duplicate group the record belongs to (NULL: no known duplicate). Not a database foreign
    # key: SQLite cannot add one to an existing table without rebuilding it.
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class DuplicateGroup(Base):
    """Records that are one paper. Members keep their own rows (provenance); one is the primary.

    status: active | undone | absorbed (united into `absorbed_into` by a later run or decision).
    """

    __tablename__ = "duplicate_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    primary_record_id: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(100))  # what joined it: "same-doi", "reviewer" ...
    status: Mapped[str] = mapped_column(String(20), default="active")
    absorbed_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DuplicatePair(Base):
    """A pair for a person to decide (status open), or decided (same | different).

    `different` pairs are never grouped again, by any later run.
    """

    __tablename__ = "duplicate_pairs"
    __table_args__ = (UniqueConstraint("project_id", "record_a", "record_b", name="uq_duplicate_pairs_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    record_a: Mapped[int] = mapped_column(Integer)  # records.id, record_a < record_b
    record_b: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_by: Mapped[str] = mapped_column(String(320), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Criterion(Base):
    """A protocol criterion: the checklist while screening, and the exclusion reasons."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("project_id", "code", name="uq_criteria_project_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))  # the id reviewers use: "E1", "population"
    kind: Mapped[str] = mapped_column(String(20))  # inclusion | exclusion
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)  # protocol order = hierarchy of reasons


class Stage(Base):
    """A screening stage. Stages run in `position` order; a record enters stage k+1 when resolved
    include (or maybe, if `maybe_advances`) at stage k."""

    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_stages_project_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # titles | abstracts | title-abstract | fulltext
    position: Mapped[int] = mapped_column(Integer)
    reviewers: Mapped[int] = mapped_column(Integer, default=2)
    blind: Mapped[bool] = mapped_column(default=True)
    allow_maybe: Mapped[bool] = mapped_column(default=True)
    maybe_advances: Mapped[bool] = mapped_column(default=True)
    reason_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ScreeningDecision(Base):
    """One reviewer's decision on one record at one stage (editable until the record is resolved)."""

    __tablename__ = "screening_decisions"
    __table_args__ = (
        UniqueConstraint("stage_id", "record_id", "reviewer", name="uq_screening_decisions_one"),
        Index("ix_screening_decisions_stage_reviewer", "stage_id", "reviewer"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(320))  # e-mail
    decision: Mapped[str] = mapped_column(String(10))  # include | exclude | maybe
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)  # criterion codes
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ScreeningOutcome(Base):
    """A record resolved at a stage: by agreement, by a single reviewer, or by an adjudicator."""

    __tablename__ = "screening_outcomes"
    __table_args__ = (UniqueConstraint("stage_id", "record_id", name="uq_screening_outcomes_one"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    method: Mapped[str] = mapped_column(String(20))  # agreement | single | adjudication
    resolved_by: Mapped[str] = mapped_column(String(320), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PilotRound(Base):
    """A random sample of a stage's records screened first, to check agreement before the rest."""

    __tablename__ = "pilot_rounds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    record_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FullText(Base):
    """The report of a record as sought: retrieved (file attached, hashed) or not retrieved (why)."""

    __tablename__ = "fulltexts"
    __table_args__ = (UniqueConstraint("project_id", "record_id", name="uq_fulltexts_project_record"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # retrieved | not_retrieved
    reason: Mapped[str] = mapped_column(Text, default="")  # why not retrieved
    file_name: Mapped[str] = mapped_column(String(500), default="")  # as attached
    stored_as: Mapped[str] = mapped_column(String(500), default="")  # path under the project's files/
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(320), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FullTextPage(Base):
    """Text extracted from one page of a full text (kept for coding, with its page number)."""

    __tablename__ = "fulltext_pages"
    __table_args__ = (UniqueConstraint("fulltext_id", "page", name="uq_fulltext_pages_page"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fulltext_id: Mapped[int] = mapped_column(ForeignKey("fulltexts.id", ondelete="CASCADE"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")


class Ranking(Base):
    """The latest priority order of a stage's records for one reviewer ('' = the team's, resolved only).

    Arrays, not rows: 50,000 scores are one 400 kB write, so a refresh after every decision stays cheap.
    """

    __tablename__ = "rankings"
    __table_args__ = (UniqueConstraint("stage_id", "reviewer", name="uq_rankings_stage_reviewer"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(320), default="")
    preset: Mapped[str] = mapped_column(String(50))
    labelled: Mapped[int] = mapped_column(Integer)  # decisions it learnt from
    included: Mapped[int] = mapped_column(Integer)  # of which include (or maybe)
    record_ids: Mapped[bytes] = mapped_column(LargeBinary)  # int64, best first
    scores: Mapped[bytes] = mapped_column(LargeBinary)  # float32, same order
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StagePriority(Base):
    """How a stage is ordered and when it may stop: the preset, the order, the stopping rule, the stop."""

    __tablename__ = "stage_priorities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), unique=True)
    preset: Mapped[str] = mapped_column(String(50), default="qes")
    order: Mapped[str] = mapped_column(String(20), default="priority")  # priority | random | file
    sample_from: Mapped[int | None] = mapped_column(Integer, nullable=True)  # resolved when random order began
    rule: Mapped[str] = mapped_column(String(20), default="ranked")  # ranked | sample | consecutive
    target: Mapped[float] = mapped_column(Float, default=0.95)
    confidence: Mapped[float] = mapped_column(Float, default=0.95)
    consecutive: Mapped[int] = mapped_column(Integer, default=100)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    stopped_by: Mapped[str] = mapped_column(String(320), default="")
    stop_verdict: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    excluded: Mapped[int] = mapped_column(Integer, default=0)  # records excluded by the stop
    note: Mapped[str] = mapped_column(Text, default="")


class Event(Base):
    """The append-only audit log: who, when, what, why. Every stage writes here."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_project_entity", "project_id", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=True, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(100))  # e.g. "import.file", "user.add", "record.merge"
    entity: Mapped[str] = mapped_column(String(50), default="")  # table/kind of the thing acted on
    entity_id: Mapped[str] = mapped_column(String(100), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    why: Mapped[str] = mapped_column(Text, default="")
