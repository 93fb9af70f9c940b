"""Documents for coding: a study's full text (from its attached PDF, pages kept), pasted text or a transcript.

A document's text never changes once added: segments are character offsets into it. A full text is the
PDF's pages joined by a blank line; ``pages`` records where each page starts, so every offset maps back
to the page it is on (``page_at``).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qes.errors import NotFound, UserError
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, require_role
from qes.services.studies import find_study
from qes.store import coding as store
from qes.store.events import log_event
from qes.store.schema import utcnow
from qes.store.schema_synthesis import Document, Study

DOCUMENT_KINDS = ("fulltext", "section", "transcript", "other")
MAX_CHARS = 5_000_000  # a long book is ~1.5 M characters; beyond this it is surely not one document
PAGE_BREAK = "\n\n"


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    study_id: int | None
    study: str | None  # the study's label
    title: str
    kind: str
    origin: str
    length: int
    pages: list[list[int]]  # [[start offset, page number], ...]
    done_by: list[str]
    segments: int
    created_by: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def page_at(pages: list[list[int]], offset: int) -> int | None:
    """The page number the character at ``offset`` is on (None for a document without pages)."""
    if not pages:
        return None
    starts = [start for start, _ in pages]
    index = bisect_right(starts, offset) - 1
    return pages[max(index, 0)][1]


def _info(row: Document, label: str | None, segments: int) -> DocumentInfo:
    return DocumentInfo(
        row.id,
        row.study_id,
        label,
        row.title,
        row.kind,
        row.origin,
        len(row.text),
        [list(p) for p in row.pages or []],
        list(row.done_by or []),
        segments,
        row.created_by,
        row.created_at.isoformat(timespec="seconds"),
    )


def normalise_text(text: str) -> str:
    """Newlines as ``\\n`` (CRLF and lone CR too) and no BOM: offsets then mean the same in every tool."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: not UTF-8 text (save the transcript as UTF-8 .txt)") from None


def add_document(
    project: Project,
    study: str | int | None,
    *,
    text: str | None = None,
    fulltext: bool = False,
    title: str = "",
    kind: str | None = None,
    origin: str | None = None,
    actor: str | None = None,
) -> DocumentInfo:
    """Add a document: the study's attached full text (``fulltext=True``) or ``text`` (pasted or read from a file).

    ``study`` is a study label, "[21]" or "#id"; ``None`` for material that belongs to no study (e.g. an interview
    transcript coded against a framework). ``kind`` defaults to fulltext / section.
    """
    who = actor or project.actor
    if fulltext == (text is not None):
        raise UserError("give either the study's full text or the text itself (--fulltext, --file or --text), not both")
    chosen = kind or ("fulltext" if fulltext else "section")
    if chosen not in DOCUMENT_KINDS:
        raise UserError(f"unknown document kind {chosen!r}: one of {', '.join(DOCUMENT_KINDS)}")
    with project.store.transaction() as session:
        require_role(session, project.id, who, SCREENING_ROLES, "add documents")
        study_row = find_study(session, project.id, study) if study is not None else None
        pages: list[list[int]] = []
        if fulltext:
            if study_row is None:
                raise UserError("a full text belongs to a study: name the study")
            found = store.study_fulltext(session, project.id, study_row)
            if found is None:
                raise NotFound(f"study {study_row.label!r} has no full text attached (qes fulltext attach RECORD FILE.pdf)")
            fulltext_row, page_rows = found
            parts: list[str] = []
            offset = 0
            for page in page_rows:
                pages.append([offset, page.page])
                parts.append(page.text)
                offset += len(page.text) + len(PAGE_BREAK)
            body = PAGE_BREAK.join(parts)
            source = f"pdf:{fulltext_row.sha256}"
            default_title = f"{study_row.label}: full text"
        else:
            body = normalise_text(text or "")
            source = origin or "pasted"
            default_title = f"{study_row.label}: {chosen}" if study_row is not None else chosen
        if not body.strip():
            raise UserError("the document has no text" + (" (the PDF has no extractable text: scanned?)" if fulltext else ""))
        if len(body) > MAX_CHARS:
            raise UserError(f"the document is {len(body):,} characters; at most {MAX_CHARS:,} (split it into sections)")
        row = Document(
            project_id=project.id,
            study_id=study_row.id if study_row is not None else None,
            title=(" ".join(title.split()) or default_title)[:500],
            kind=chosen,
            text=body,
            pages=pages,
            origin=source,
            done_by=[],
            created_by=who,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        log_event(
            session,
            project_id=project.id,
            actor=who,
            action="document.add",
            entity="document",
            entity_id=row.id,
            data={"study": study_row.label if study_row else None, "kind": chosen, "origin": source, "length": len(body)},
        )
        return _info(row, study_row.label if study_row else None, 0)


def add_document_file(project: Project, study: str | int | None, path: Path, **kwargs: Any) -> DocumentInfo:
    """Add a .txt file (an interview or session transcript, or a section saved as text)."""
    kwargs["kind"] = kwargs.get("kind") or "transcript"
    kwargs["title"] = kwargs.get("title") or path.stem
    return add_document(project, study, text=read_text_file(path), origin=f"file:{path.name}"[:100], **kwargs)


def list_documents(project: Project) -> list[DocumentInfo]:
    with project.store.read() as session:
        counts = store.segment_counts(session, project.id)
        return [_info(doc, label, counts.get(doc.id, 0)) for doc, label in store.list_documents(session, project.id)]


def get_document(project: Project, document_id: int) -> tuple[DocumentInfo, str]:
    """The document's facts and its text."""
    with project.store.read() as session:
        row = store.get_document(session, project.id, document_id)
        if row is None:
            raise NotFound(f"no document {document_id} (qes document list)")
        study = session.get(Study, row.study_id) if row.study_id is not None else None
        label = study.label if study is not None else None
        return _info(row, label, store.segment_counts(session, project.id).get(row.id, 0)), row.text
