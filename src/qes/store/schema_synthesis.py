"""Tables of issue 7: studies, extraction and appraisal forms, coding, synthesis (see SYNTH_SCHEMA).

A study is what the review counts and tabulates; records are its reports (PRISMA counts both).
Forms hold extraction and appraisal alike (`kind`): each person's entry stays their own until
reconciled into the one final record per study. Coding keeps character offsets into a document's
text, so a quote can always be shown in context. Migration 0006 creates these tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qes.store.schema import Base, utcnow

# --- studies, extraction, appraisal (owned by extraction) -------------------------------------


class Study(Base):
    """An included study: the unit of Table 1, of appraisal and of the themes × studies matrix."""

    __tablename__ = "studies"
    __table_args__ = (UniqueConstraint("project_id", "label", name="uq_studies_project_label"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    # The main report; NULL when a study is added by hand (e.g. a demo built from a reference list).
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="SET NULL"), nullable=True, index=True)
    label: Mapped[str] = mapped_column(String(300))  # short citation: "Beeber and Caldwell (1996)"
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a review citing by number: [21]
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in tables
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StudyReport(Base):
    """A record that reports a study (one study, several papers)."""

    __tablename__ = "study_reports"
    __table_args__ = (UniqueConstraint("study_id", "record_id", name="uq_study_reports_study_record"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)


class Form(Base):
    """An extraction form or an appraisal checklist: its fields as data (see qes.extraction.fields)."""

    __tablename__ = "forms"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_forms_project_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="extraction")  # extraction | appraisal
    template: Mapped[str] = mapped_column(String(100), default="")  # built-in template name, or ''
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{key, label, type, choices, help, required}]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FormEntry(Base):
    """One person's values for one study on one form (a draft until submitted)."""

    __tablename__ = "form_entries"
    __table_args__ = (UniqueConstraint("form_id", "study_id", "person", name="uq_form_entries_one"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    person: Mapped[str] = mapped_column(String(320))  # e-mail
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | submitted
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FormFinal(Base):
    """The reconciled record of a study on a form: what Table 1 (or the appraisal table) shows."""

    __tablename__ = "form_finals"
    __table_args__ = (UniqueConstraint("form_id", "study_id", name="uq_form_finals_one"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reconciled_by: Mapped[str] = mapped_column(String(320), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- documents, codebook, coding (owned by coding) --------------------------------------------


class Document(Base):
    """Text to code: a study's full text (pages kept as offsets) or a pasted section or transcript."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[int | None] = mapped_column(ForeignKey("studies.id", ondelete="SET NULL"), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(20), default="fulltext")  # fulltext | section | transcript | other
    text: Mapped[str] = mapped_column(Text, default="")
    pages: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[start_offset, page_number], ...]
    origin: Mapped[str] = mapped_column(String(100), default="pasted")  # 'pdf:<sha256>' | 'pasted'
    # Coders who marked their coding of this document done (e-mails): the blind rule shows a coder the others'
    # coding only once every coder of the document is in this list (owned by coding).
    done_by: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Code(Base):
    """A node of the codebook: theme → concept/metaphor → code."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("project_id", "parent_id", "name", name="uq_codes_project_parent_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="code")  # theme | concept | code | component | dimension
    definition: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among siblings
    framework: Mapped[str] = mapped_column(String(100), default="")  # '' or a built-in framework name
    color: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Segment(Base):
    """A stretch of a document's text, coded by one coder."""

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)  # character offsets into documents.text
    end: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")  # the snippet as coded
    order: Mapped[str] = mapped_column(String(10), default="first")  # first = participant quote | second = author's
    coder: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[str] = mapped_column(String(20), default="coded")  # coded | reconciled
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SegmentCode(Base):
    """A code applied to a segment; `in_part` is review 000's "✓ (in part)"."""

    __tablename__ = "segment_codes"
    __table_args__ = (UniqueConstraint("segment_id", "code_id", name="uq_segment_codes_segment_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    in_part: Mapped[bool] = mapped_column(default=False)
    coder: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Memo(Base):
    """A note on a code, segment, study, document or the project."""

    __tablename__ = "memos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(20))  # code | segment | study | document | project
    target_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # NULL for the project
    author: Mapped[str] = mapped_column(String(320), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- synthesis (owned by synthesis) -----------------------------------------------------------


class GridCell(Base):
    """A cell of the meta-ethnography translation grid: a study's own term for a concept."""

    __tablename__ = "grid_cells"
    __table_args__ = (UniqueConstraint("code_id", "study_id", name="uq_grid_cells_code_study"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    relation: Mapped[str] = mapped_column(String(20), default="")  # '' | reciprocal | refutational
    segment_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(320), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Synthesis(Base):
    """A line of argument, third-order construct, overarching interpretation or narrative text."""

    __tablename__ = "syntheses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # line_of_argument | third_order | overarching | narrative
    title: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    code_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the concepts it synthesises
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(320), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Finding(Base):
    """A review finding with its GRADE-CERQual assessment, linked to studies and segments."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text, default="")
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"), nullable=True, index=True)
    study_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    segment_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # {methodological_limitations|coherence|adequacy|relevance: {concern, explanation}}
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overall: Mapped[str] = mapped_column(String(20), default="")  # high | moderate | low | very_low | ''
    overall_why: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(320), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
