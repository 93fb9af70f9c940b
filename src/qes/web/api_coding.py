"""Documents, the codebook, coding, memos, agreement, reconciliation and suggestions in the JSON API.

The JSON twins of the coding pages; each route calls one service function as the signed-in user, so the
blind rule and the roles are the services' (the routes check the session and that the role can write).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from qes.services import codebook as codebook_service
from qes.services import coding, coding_review, documents
from qes.web.api import User
from qes.web.auth import require_writer

router = APIRouter(prefix="/api", tags=["coding"])


class NewDocument(BaseModel):
    study: str | None = None  # label, "[21]" or "#id"; None for material of no study
    text: str | None = None
    fulltext: bool = False
    title: str = ""
    kind: str | None = None


class NewCode(BaseModel):
    name: str
    parent: str | None = None  # name, path or "#id"
    kind: str = "code"
    definition: str = ""
    notes: str = ""
    color: str = ""


class CodeChange(BaseModel):
    name: str | None = None
    kind: str | None = None
    definition: str | None = None
    notes: str | None = None
    color: str | None = None


class CodeMove(BaseModel):
    parent: str | None = None
    position: int | None = None


class NewSegment(BaseModel):
    codes: list[str]  # names, paths or "#id"
    start: int | None = None
    end: int | None = None
    find: str | None = None
    occurrence: int | None = None
    text: str | None = None  # when given, must equal the document's text at start..end
    order: Literal["first", "second"] = "first"
    in_part: bool | list[str] = False


class NewMemo(BaseModel):
    target: Literal["code", "segment", "study", "document", "project"]
    ref: str | None = None
    text: str


class Reconcile(BaseModel):
    take: str = "agreed"  # agreed | union | a coder's e-mail
    segment_ids: list[int] = Field(default_factory=list)
    note: str = ""


@router.get("/coding")
def documents_list(user: User) -> list[dict[str, Any]]:
    """Every document, by study, with its segment count and who marked it done."""
    return [d.to_json() for d in documents.list_documents(user.project)]


@router.post("/coding/documents")
def document_add(body: NewDocument, user: User) -> dict[str, Any]:
    """Add a document: a study's full text (fulltext: true) or text."""
    require_writer(user)
    info = documents.add_document(user.project, body.study, text=body.text, fulltext=body.fulltext, title=body.title,
                                  kind=body.kind, actor=user.email)  # fmt: skip
    return info.to_json()


@router.get("/coding/{doc_id}")
def document_show(doc_id: int, user: User) -> dict[str, Any]:
    """The document, its text and the segments you may see on it (the blind rule)."""
    info, text = documents.get_document(user.project, doc_id)
    segs = coding.list_segments(user.project, viewer=user.email, document_id=doc_id)
    return {**info.to_json(), "text": text, "segments": [s.to_json() for s in segs]}


@router.post("/coding/{doc_id}/segments")
def segment_code(doc_id: int, body: NewSegment, user: User) -> dict[str, Any]:
    """Code characters start..end (or the text `find` locates) with one or more codes."""
    require_writer(user)
    seg = coding.code_segment(user.project, doc_id, body.codes, start=body.start, end=body.end, find=body.find,
                              occurrence=body.occurrence, text=body.text, order=body.order, in_part=body.in_part,
                              actor=user.email)  # fmt: skip
    return seg.to_json()


@router.delete("/segments/{segment_id}")
def segment_uncode(segment_id: int, user: User, code: str | None = None) -> dict[str, Any]:
    """Take a code (or, without `code`, every code and the segment) off your segment."""
    require_writer(user)
    return coding.uncode(user.project, segment_id, code=code, actor=user.email)


@router.get("/segments")
def segments(user: User, code: str | None = None, document: int | None = None, final: bool = False) -> list[dict[str, Any]]:
    """Segments you may see; `final=true`: the final coding (reconciled, or single-coder)."""
    rows = coding.final_segments(user.project) if final else coding.list_segments(
        user.project, viewer=user.email, document_id=document, code=code)  # fmt: skip
    return [s.to_json() for s in rows]


@router.post("/coding/{doc_id}/done")
def document_done(doc_id: int, user: User, done: bool = True) -> dict[str, Any]:
    """Mark your coding of the document done (`done=false` reopens it while it is not closed)."""
    require_writer(user)
    return coding.mark_done(user.project, doc_id, done=done, actor=user.email)


@router.get("/coding/{doc_id}/suggest")
def suggest(doc_id: int, start: int, end: int, user: User, limit: int = 5,
            method: Literal["bm25", "tfidf"] = "tfidf") -> dict[str, Any]:  # fmt: skip
    """Codes ranked for the selection start..end with the words that matched; nothing is applied."""
    return coding_review.suggest_codes(user.project, doc_id, start, end, limit=limit, method=method, viewer=user.email)


@router.post("/coding/{doc_id}/reconcile")
def reconcile(doc_id: int, body: Reconcile, user: User) -> dict[str, Any]:
    """Write the document's final coding from its coders' coding."""
    require_writer(user)
    return coding_review.reconcile(user.project, doc_id, take=body.take, segment_ids=body.segment_ids, note=body.note,
                                   actor=user.email)  # fmt: skip


@router.get("/coding-agreement")
def agreement(user: User, first: str | None = None, second: str | None = None,
              unit: Literal["character", "sentence"] = "character") -> dict[str, Any]:  # fmt: skip
    """Per code: Cohen's kappa, % agreement and Krippendorff's alpha over the documents both coders finished."""
    return coding_review.coding_agreement(user.project, first=first, second=second, unit=unit)


@router.get("/codebook")
def codebook(user: User) -> list[dict[str, Any]]:
    """The codebook, depth first (each code with its path, depth, kind, definition and notes)."""
    return [c.to_json() for c in codebook_service.codebook(user.project)]


@router.post("/codebook/codes")
def code_add(body: NewCode, user: User) -> dict[str, Any]:
    require_writer(user)
    return codebook_service.add_code(user.project, body.name, parent=body.parent, kind=body.kind, definition=body.definition,
                                     notes=body.notes, color=body.color, actor=user.email).to_json()  # fmt: skip


@router.post("/codebook/codes/{code_id}")
def code_change(code_id: int, body: CodeChange, user: User) -> dict[str, Any]:
    require_writer(user)
    return codebook_service.change_code(user.project, f"#{code_id}", **body.model_dump(), actor=user.email).to_json()


@router.post("/codebook/codes/{code_id}/move")
def code_move(code_id: int, body: CodeMove, user: User) -> dict[str, Any]:
    require_writer(user)
    return codebook_service.move_code(user.project, f"#{code_id}", parent=body.parent, position=body.position,
                                      actor=user.email).to_json()  # fmt: skip


@router.post("/codebook/frameworks/{name}")
def framework_load(name: str, user: User) -> dict[str, Any]:
    """Load a built-in framework: reciprocity or helpful-relationships."""
    require_writer(user)
    return codebook_service.load_framework(user.project, name, actor=user.email)


@router.get("/memos")
def memos(user: User, target: str | None = None, ref: str | None = None) -> list[dict[str, Any]]:
    return coding.list_memos(user.project, target, ref)


@router.post("/memos")
def memo_add(body: NewMemo, user: User) -> dict[str, Any]:
    require_writer(user)
    return coding.add_memo(user.project, body.target, body.ref, body.text, actor=user.email)
