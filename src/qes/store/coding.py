"""Documents, the codebook, segments and memos in the database (issue 7, coding).

Queries return rows; the rules (who may see whose coding, what a reconciled coding is) live in
`qes.services.coding`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qes.store.schema import FullText, FullTextPage
from qes.store.schema import Project as ProjectRow
from qes.store.schema_synthesis import Code, Document, Memo, Segment, SegmentCode, Study, StudyReport

# --- documents ------------------------------------------------------------------------------------


def get_document(session: Session, project_id: int, document_id: int, *, lock: bool = False) -> Document | None:
    stmt = select(Document).where(Document.project_id == project_id, Document.id == document_id)
    if lock:
        stmt = stmt.with_for_update()  # marking done: two coders at once must both land
    return session.scalar(stmt)


def list_documents(session: Session, project_id: int) -> list[tuple[Document, str | None]]:
    """Every document with its study's label, by study order then id."""
    rows = session.execute(
        select(Document, Study.label)
        .outerjoin(Study, Study.id == Document.study_id)
        .where(Document.project_id == project_id)
        .order_by(func.coalesce(Study.position, 1_000_000_000), Document.id)
    )
    return [(doc, label) for doc, label in rows]


def segment_counts(session: Session, project_id: int) -> dict[int, int]:
    rows = session.execute(
        select(Segment.document_id, func.count()).where(Segment.project_id == project_id).group_by(Segment.document_id)
    )
    return {doc: n for doc, n in rows}


def study_fulltext(session: Session, project_id: int, study: Study) -> tuple[FullText, list[FullTextPage]] | None:
    """The first retrieved full text among the study's reports (main report first), with its pages."""
    record_ids = [study.record_id] if study.record_id is not None else []
    record_ids += [
        r for r in session.scalars(select(StudyReport.record_id).where(StudyReport.study_id == study.id).order_by(StudyReport.id))
        if r not in record_ids
    ]  # fmt: skip
    for record_id in record_ids:
        row = session.scalar(
            select(FullText).where(
                FullText.project_id == project_id, FullText.record_id == record_id, FullText.status == "retrieved"
            )
        )
        if row is not None:
            stmt = select(FullTextPage).where(FullTextPage.fulltext_id == row.id).order_by(FullTextPage.page)
            return row, list(session.scalars(stmt))
    return None


# --- codebook -------------------------------------------------------------------------------------


def list_codes(session: Session, project_id: int) -> list[Code]:
    return list(session.scalars(select(Code).where(Code.project_id == project_id).order_by(Code.position, Code.id)))


def get_code(session: Session, project_id: int, code_id: int) -> Code | None:
    return session.scalar(select(Code).where(Code.project_id == project_id, Code.id == code_id))


def child_named(session: Session, project_id: int, parent_id: int | None, name: str) -> Code | None:
    parent = Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id
    return session.scalar(select(Code).where(Code.project_id == project_id, parent, Code.name == name))


def codes_named(session: Session, project_id: int, name: str) -> list[Code]:
    return list(session.scalars(select(Code).where(Code.project_id == project_id, Code.name == name).order_by(Code.id)))


def next_code_position(session: Session, project_id: int, parent_id: int | None) -> int:
    parent = Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id
    last = session.scalar(select(func.max(Code.position)).where(Code.project_id == project_id, parent))
    return 0 if last is None else last + 1


# --- segments -------------------------------------------------------------------------------------


def list_segments(
    session: Session,
    project_id: int,
    *,
    document_ids: Iterable[int] | None = None,
    code_id: int | None = None,
) -> list[Segment]:
    stmt = select(Segment).where(Segment.project_id == project_id)
    if document_ids is not None:
        stmt = stmt.where(Segment.document_id.in_(list(document_ids)))
    if code_id is not None:
        stmt = stmt.where(Segment.id.in_(select(SegmentCode.segment_id).where(SegmentCode.code_id == code_id)))
    return list(session.scalars(stmt.order_by(Segment.document_id, Segment.start, Segment.end, Segment.id)))


def codes_of_segments(session: Session, segment_ids: Sequence[int]) -> dict[int, list[SegmentCode]]:
    out: defaultdict[int, list[SegmentCode]] = defaultdict(list)
    if segment_ids:
        for row in session.scalars(
            select(SegmentCode).where(SegmentCode.segment_id.in_(list(segment_ids))).order_by(SegmentCode.id)
        ):
            out[row.segment_id].append(row)
    return out


def get_segment(session: Session, project_id: int, segment_id: int) -> Segment | None:
    return session.scalar(select(Segment).where(Segment.project_id == project_id, Segment.id == segment_id))


def find_segment(session: Session, document_id: int, start: int, end: int, coder: str, status: str) -> Segment | None:
    return session.scalar(
        select(Segment).where(
            Segment.document_id == document_id,
            Segment.start == start,
            Segment.end == end,
            Segment.coder == coder,
            Segment.status == status,
        )
    )


def coders_of(session: Session, document_id: int) -> set[str]:
    """Everyone with coded (not reconciled) segments on the document."""
    return set(
        session.scalars(select(Segment.coder).where(Segment.document_id == document_id, Segment.status == "coded").distinct())
    )


def delete_reconciled(session: Session, document_id: int) -> int:
    ids = list(session.scalars(select(Segment.id).where(Segment.document_id == document_id, Segment.status == "reconciled")))
    if ids:
        session.execute(delete(Segment).where(Segment.id.in_(ids)))
    return len(ids)


def coders_required(session: Session, project_id: int) -> int:
    """How many coders code each document independently (projects.settings ``coders_per_document``, default 1)."""
    row = session.get(ProjectRow, project_id)
    return int(((row.settings if row else None) or {}).get("coders_per_document", 1))


def set_coders_required(session: Session, project_id: int, coders: int) -> None:
    row = session.get(ProjectRow, project_id)
    if row is not None:
        row.settings = {**(row.settings or {}), "coders_per_document": coders}


# --- memos ----------------------------------------------------------------------------------------


def list_memos(session: Session, project_id: int, target: str | None = None, target_id: int | None = None) -> list[Memo]:
    stmt = select(Memo).where(Memo.project_id == project_id)
    if target is not None:
        stmt = stmt.where(Memo.target == target)
    if target_id is not None:
        stmt = stmt.where(Memo.target_id == target_id)
    return list(session.scalars(stmt.order_by(Memo.at, Memo.id)))
