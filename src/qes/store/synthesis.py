"""Synthesis in the database: grid cells, syntheses, findings; and the read-only views of coding
and extraction that the matrix, grid and tabulations are computed from.

The coding and extraction tables belong to their own services; this module only reads them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qes.store.schema_synthesis import (
    Code,
    Document,
    Finding,
    Form,
    FormFinal,
    GridCell,
    Segment,
    SegmentCode,
    Study,
    Synthesis,
)
from qes.synthesis.matrix import AppliedCode, CodeNode, StudyRef

# --- read-only views of coding and studies ----------------------------------------------------------


def code_nodes(session: Session, project_id: int) -> list[CodeNode]:
    rows = session.execute(
        select(Code.id, Code.parent_id, Code.name, Code.kind, Code.position).where(Code.project_id == project_id)
    )
    return [CodeNode(*row) for row in rows]


def study_refs(session: Session, project_id: int) -> list[StudyRef]:
    rows = session.execute(
        select(Study.id, Study.label, Study.position).where(Study.project_id == project_id).order_by(Study.position, Study.id)
    )
    return [StudyRef(*row) for row in rows]


CHUNK = 5000  # ids per IN (...): PostgreSQL takes at most 65,535 parameters a statement


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def applied_codes(session: Session, project_id: int, segment_ids: list[int]) -> list[AppliedCode]:
    """The codes on these segments, with the study each segment's document belongs to."""
    out: list[AppliedCode] = []
    for chunk in _chunks(segment_ids):
        rows = session.execute(
            select(Document.study_id, Document.id, Segment.id, SegmentCode.code_id, SegmentCode.in_part)
            .join(Segment, Segment.id == SegmentCode.segment_id)
            .join(Document, Document.id == Segment.document_id)
            .where(SegmentCode.project_id == project_id, Segment.id.in_(chunk), Document.study_id.is_not(None))
        )
        out += [AppliedCode(study, doc, seg, code, bool(part)) for study, doc, seg, code, part in rows if study is not None]
    return out


def segment_studies(session: Session, project_id: int, ids: list[int]) -> dict[int, int | None]:
    """Segment id → the study its document belongs to."""
    out: dict[int, int | None] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Segment.id, Document.study_id)
            .join(Document, Document.id == Segment.document_id)
            .where(Segment.project_id == project_id, Segment.id.in_(chunk))
        )
        out.update({seg: study for seg, study in rows})
    return out


def extraction_finals(session: Session, project_id: int) -> list[tuple[int, str, dict[str, Any]]]:
    """(study id, form name, final values) of every extraction form."""
    rows = session.execute(
        select(FormFinal.study_id, Form.name, FormFinal.values)
        .join(Form, Form.id == FormFinal.form_id)
        .where(FormFinal.project_id == project_id, Form.kind == "extraction")
        .order_by(Form.id, FormFinal.study_id)
    )
    return [(study, name, dict(values or {})) for study, name, values in rows]


def form_fields(session: Session, project_id: int) -> list[tuple[str, list[Any]]]:
    rows = session.execute(
        select(Form.name, Form.fields).where(Form.project_id == project_id, Form.kind == "extraction").order_by(Form.id)
    )
    return [(name, list(fields or [])) for name, fields in rows]


# --- translation grid --------------------------------------------------------------------------------


def list_cells(session: Session, project_id: int) -> list[GridCell]:
    return list(session.scalars(select(GridCell).where(GridCell.project_id == project_id).order_by(GridCell.id)))


def get_cell(session: Session, project_id: int, code_id: int, study_id: int) -> GridCell | None:
    return session.scalar(
        select(GridCell).where(GridCell.project_id == project_id, GridCell.code_id == code_id, GridCell.study_id == study_id)
    )


# --- syntheses (line of argument, third-order constructs ...) -------------------------------------


def list_syntheses(session: Session, project_id: int) -> list[Synthesis]:
    stmt = select(Synthesis).where(Synthesis.project_id == project_id).order_by(Synthesis.position, Synthesis.id)
    return list(session.scalars(stmt))


def get_synthesis(session: Session, project_id: int, kind: str, title: str) -> Synthesis | None:
    return session.scalar(
        select(Synthesis).where(Synthesis.project_id == project_id, Synthesis.kind == kind, Synthesis.title == title)
    )


def next_synthesis_position(session: Session, project_id: int) -> int:
    return (session.scalar(select(func.max(Synthesis.position)).where(Synthesis.project_id == project_id)) or 0) + 1


# --- CERQual findings --------------------------------------------------------------------------------


def list_findings(session: Session, project_id: int) -> list[Finding]:
    stmt = select(Finding).where(Finding.project_id == project_id).order_by(Finding.position, Finding.id)
    return list(session.scalars(stmt))


def get_finding(session: Session, project_id: int, position: int) -> Finding | None:
    return session.scalar(select(Finding).where(Finding.project_id == project_id, Finding.position == position))


def next_finding_position(session: Session, project_id: int) -> int:
    return (session.scalar(select(func.max(Finding.position)).where(Finding.project_id == project_id)) or 0) + 1
