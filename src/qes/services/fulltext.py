"""Full texts: reports sought, retrieved (PDF attached, hashed, text kept per page) or not retrieved.

Files live in the project folder under `files/fulltexts/<sha256>.pdf` (content-addressed: the same
PDF attached twice is stored once, and the hash in the database proves which file was assessed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from qes.atomicfile import write_bytes_atomically
from qes.errors import NotFound, UserError
from qes.fulltext.extract import looks_like_pdf, pdf_pages
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, require_role
from qes.store.events import log_event
from qes.store.records import get_record_row
from qes.store.schema import FullText, FullTextPage, RecordRow, utcnow

MAX_BYTES = 100 * 1024 * 1024  # a scanned book chapter is ~30 MB; refuse what is surely not a report


@dataclass(frozen=True)
class FullTextInfo:
    record_id: int
    status: str  # retrieved | not_retrieved
    reason: str
    file_name: str
    sha256: str
    size_bytes: int
    pages: int
    updated_by: str
    updated_at: str


def _info(row: FullText) -> FullTextInfo:
    return FullTextInfo(
        row.record_id,
        row.status,
        row.reason,
        row.file_name,
        row.sha256,
        row.size_bytes,
        row.pages,
        row.updated_by,
        row.updated_at.isoformat(timespec="seconds"),
    )


def _row(session: Session, project_id: int, record_id: int) -> FullText | None:
    return session.scalar(select(FullText).where(FullText.project_id == project_id, FullText.record_id == record_id))


def _store_file(project: Project, data: bytes, digest: str) -> str:
    folder = project.files_dir / "fulltexts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.pdf"
    if not target.exists():
        write_bytes_atomically(target, data)
    return str(target.relative_to(project.root))


def check_attach(project: Project, record_id: int, actor: str) -> None:
    """Refuse at once what `attach` would refuse for the person and the record (before a job is queued)."""
    with project.store.read() as session:
        require_role(session, project.id, actor, SCREENING_ROLES, "attach full texts")
        if get_record_row(session, project.id, record_id) is None:
            raise NotFound(f"no record {record_id}")


def attach(project: Project, record_id: int, data: bytes, *, file_name: str, actor: str) -> FullTextInfo:
    """Attach a PDF as the record's full text; its text is extracted page by page for coding."""
    if len(data) > MAX_BYTES:
        raise UserError(f"{file_name}: {len(data) // 2**20} MB is over the {MAX_BYTES // 2**20} MB limit for a full text")
    if not looks_like_pdf(data):
        raise UserError(f"{file_name}: not a PDF (full texts are attached as PDF files)")
    pages = pdf_pages(data, name=file_name)  # before any write: an unreadable PDF changes nothing
    digest = hashlib.sha256(data).hexdigest()
    with project.store.transaction() as session:
        require_role(session, project.id, actor, SCREENING_ROLES, "attach full texts")
        if get_record_row(session, project.id, record_id) is None:
            raise NotFound(f"no record {record_id}")
        stored = _store_file(project, data, digest)
        row = _row(session, project.id, record_id)
        before = None if row is None else {"status": row.status, "sha256": row.sha256}
        if row is None:
            row = FullText(project_id=project.id, record_id=record_id)
            session.add(row)
        row.status, row.reason, row.file_name, row.stored_as = "retrieved", "", Path(file_name).name, stored
        row.sha256, row.size_bytes, row.pages, row.updated_by, row.updated_at = digest, len(data), len(pages), actor, utcnow()
        session.flush()
        session.execute(delete(FullTextPage).where(FullTextPage.fulltext_id == row.id))
        if pages:
            session.execute(insert(FullTextPage), [{"fulltext_id": row.id, "page": p.page, "text": p.text} for p in pages])
        log_event(
            session,
            project_id=project.id,
            actor=actor,
            action="fulltext.attach",
            entity="record",
            entity_id=record_id,
            data={"file": row.file_name, "sha256": digest, "pages": len(pages), "before": before},
        )
        return _info(row)


def attach_file(project: Project, record_id: int, path: Path, *, actor: str) -> FullTextInfo:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    return attach(project, record_id, data, file_name=path.name, actor=actor)


def mark_not_retrieved(project: Project, record_id: int, *, reason: str, actor: str) -> FullTextInfo:
    """The report was sought but could not be obtained (PRISMA: reports not retrieved), and why."""
    if not reason.strip():
        raise UserError("say why the report could not be retrieved (e.g. 'not held by library; author did not reply')")
    with project.store.transaction() as session:
        require_role(session, project.id, actor, SCREENING_ROLES, "record full-text retrieval")
        if get_record_row(session, project.id, record_id) is None:
            raise NotFound(f"no record {record_id}")
        row = _row(session, project.id, record_id)
        if row is None:
            row = FullText(project_id=project.id, record_id=record_id)
            session.add(row)
        elif row.status == "retrieved":
            raise UserError(f"record {record_id} has a full text attached ({row.file_name}); it was retrieved")
        row.status, row.reason, row.updated_by, row.updated_at = "not_retrieved", reason.strip(), actor, utcnow()
        session.flush()
        log_event(
            session,
            project_id=project.id,
            actor=actor,
            action="fulltext.not-retrieved",
            entity="record",
            entity_id=record_id,
            why=reason.strip(),
        )
        return _info(row)


def get_fulltext(project: Project, record_id: int) -> FullTextInfo | None:
    with project.store.read() as session:
        row = _row(session, project.id, record_id)
        return None if row is None else _info(row)


def fulltext_pages(project: Project, record_id: int) -> list[dict[str, Any]]:
    with project.store.read() as session:
        row = _row(session, project.id, record_id)
        if row is None or row.status != "retrieved":
            raise NotFound(f"record {record_id} has no full text attached")
        pages = session.scalars(select(FullTextPage).where(FullTextPage.fulltext_id == row.id).order_by(FullTextPage.page))
        return [{"page": p.page, "text": p.text} for p in pages]


def fulltext_path(project: Project, record_id: int) -> Path:
    """The stored PDF of the record (for the browser's viewer)."""
    info = None
    with project.store.read() as session:
        row = _row(session, project.id, record_id)
        if row is not None and row.status == "retrieved":
            info = row.stored_as
    if not info:
        raise NotFound(f"record {record_id} has no full text attached")
    path = (project.root / info).resolve()
    if project.files_dir.resolve() not in path.parents or not path.is_file():
        raise NotFound(f"the file of record {record_id} is missing from {project.files_dir}")
    return path


def list_fulltexts(project: Project) -> list[dict[str, Any]]:
    with project.store.read() as session:
        rows = session.execute(
            select(FullText, RecordRow.title)
            .join(RecordRow, RecordRow.id == FullText.record_id)
            .where(FullText.project_id == project.id)
            .order_by(FullText.record_id)
        )
        return [{**_info(ft).__dict__, "title": title} for ft, title in rows]
