"""Coding pages: documents by study, a document to code with the mouse, the codebook.

`/coding/{doc}` shows the text cut into pieces at segment boundaries (`qes.coding.spans`); selecting text
with the mouse fills the coding form's offsets (static/coding.js), and the form, the uncode buttons and the
suggestions panel are HTMX requests answered with fragments. Who sees whose coding is the services' rule.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from qes.coding.frameworks import FRAMEWORKS
from qes.coding.spans import pieces
from qes.errors import NotFound, UserError
from qes.services import codebook as codebook_service
from qes.services import coding, coding_review, documents, refi
from qes.services.studies import list_studies
from qes.web.auth import SignedIn, check_csrf, require_writer
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 10 * 1024 * 1024  # a .txt transcript or .qdc codebook; far more is not one


def _doc_context(user: SignedIn, doc_id: int, **extra: Any) -> dict[str, Any]:
    info, text = documents.get_document(user.project, doc_id)
    segs = coding.list_segments(user.project, viewer=user.email, document_id=doc_id)
    by_id = {s.id: s for s in segs}
    return {
        "doc": info,
        "pieces": pieces(text, [(s.id, s.start, s.end) for s in segs]),
        "segments": segs,
        "by_id": by_id,
        "codes": codebook_service.codebook(user.project),
        "memos": coding.list_memos(user.project, "document", doc_id),
        "mine_done": user.email in info.done_by,
        "error": "",
        **extra,
    }


@router.get("/coding")
def coding_home(request: Request, user: User) -> Response:
    docs = documents.list_documents(user.project)
    agreement: dict[str, Any] | None
    try:
        agreement = coding_review.coding_agreement(user.project)
    except UserError as exc:  # more than two coders: the CLI and API take --first/--second
        agreement = {"note": str(exc), "documents": 0, "codes": []}
    context = {"documents": docs, "studies": list_studies(user.project), "agreement": agreement,
               "coders": coding.coders_per_document(user.project), "error": ""}  # fmt: skip
    return render(request, "coding.html", user, **context)


@router.post("/coding/documents")
async def coding_add_document(
    request: Request,
    user: User,
    csrf: Annotated[str, Form()] = "",
    study: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "text",
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    ref = study or None
    try:
        if source == "fulltext":
            info = documents.add_document(user.project, ref, fulltext=True, title=title)
        elif source == "file" and file is not None and file.filename:
            data = file.file.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                raise UserError(f"{file.filename}: over {MAX_UPLOAD // 2**20} MB; a transcript is far smaller")
            try:
                body = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise UserError(f"{file.filename}: not UTF-8 text (save the transcript as UTF-8 .txt)") from None
            info = documents.add_document(user.project, ref, text=body, title=title or file.filename.rsplit(".", 1)[0],
                                          kind="transcript", origin=f"file:{file.filename}"[:100])  # fmt: skip
        else:
            info = documents.add_document(user.project, ref, text=text, title=title)
    except UserError as exc:
        context = {"documents": documents.list_documents(user.project), "studies": list_studies(user.project),
                   "agreement": None, "coders": coding.coders_per_document(user.project), "error": str(exc)}  # fmt: skip
        response = render(request, "coding.html", user, **context)
        response.status_code = 400
        return response
    return RedirectResponse(f"/coding/{info.id}", status_code=303)


@router.get("/coding/{doc_id}")
def coding_document(doc_id: int, request: Request, user: User) -> Response:
    return render(request, "coding_doc.html", user, **_doc_context(user, doc_id))


def _fragment(request: Request, user: SignedIn, doc_id: int, error: str = "", status: int = 200) -> Response:
    response = render(request, "_coding_doc.html", user, **_doc_context(user, doc_id, error=error))
    response.status_code = status
    return response


@router.post("/coding/{doc_id}/segments")
async def coding_code(doc_id: int, request: Request, user: User) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or "") or None)  # the form's token, or HTMX's X-CSRF-Token header
    require_writer(user)
    codes = [str(c) for c in form.getlist("code") if str(c).strip()]
    try:
        start, end = int(str(form.get("start", ""))), int(str(form.get("end", "")))
    except ValueError:
        return _fragment(request, user, doc_id, "select text in the document first", 400)
    try:
        coding.code_segment(
            user.project, doc_id, [f"#{c}" for c in codes], start=start, end=end, text=str(form.get("text") or "") or None,
            order="second" if form.get("order") == "second" else "first", in_part=bool(form.get("in_part")),
            actor=user.email,
        )  # fmt: skip
    except UserError as exc:
        return _fragment(request, user, doc_id, str(exc), 409 if "already" in str(exc) else 400)
    return _fragment(request, user, doc_id)


@router.post("/coding/{doc_id}/segments/{segment_id}/uncode")
def coding_uncode(doc_id: int, segment_id: int, request: Request, user: User, code: Annotated[str, Form()] = "",
                  csrf: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    check_csrf(request, csrf or None)  # the form's token, or HTMX's X-CSRF-Token header
    require_writer(user)
    try:
        coding.uncode(user.project, segment_id, code=f"#{code}" if code else None, actor=user.email)
    except UserError as exc:
        return _fragment(request, user, doc_id, str(exc), 400)
    return _fragment(request, user, doc_id)


@router.get("/coding/{doc_id}/suggest")
def coding_suggest(doc_id: int, start: int, end: int, request: Request, user: User) -> Response:
    try:
        data = coding_review.suggest_codes(user.project, doc_id, start, end, viewer=user.email)
    except NotFound:
        raise  # no such document in this project: 404, not an empty panel
    except UserError as exc:
        return render(request, "_suggestions.html", user, suggestions=[], error=str(exc))
    return render(request, "_suggestions.html", user, suggestions=data["suggestions"], error="")


@router.post("/coding/{doc_id}/done")
def coding_done(doc_id: int, request: Request, user: User, csrf: Annotated[str, Form()] = "",
                reopen: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    check_csrf(request, csrf)
    require_writer(user)
    coding.mark_done(user.project, doc_id, done=not reopen, actor=user.email)
    return RedirectResponse(f"/coding/{doc_id}", status_code=303)


@router.post("/coding/{doc_id}/reconcile")
def coding_reconcile(doc_id: int, request: Request, user: User, csrf: Annotated[str, Form()] = "",
                     take: Annotated[str, Form()] = "agreed") -> Response:  # fmt: skip
    check_csrf(request, csrf)
    require_writer(user)
    coding_review.reconcile(user.project, doc_id, take=take, actor=user.email)
    return RedirectResponse(f"/coding/{doc_id}", status_code=303)


@router.post("/coding/{doc_id}/memos")
def coding_memo(doc_id: int, request: Request, user: User, csrf: Annotated[str, Form()] = "",
                text: Annotated[str, Form()] = "", target: Annotated[str, Form()] = "document",
                ref: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    check_csrf(request, csrf)
    require_writer(user)
    if not ref.strip() and target in ("document", "study"):  # blank: this document, or its study
        info, _ = documents.get_document(user.project, doc_id)
        if target == "study" and info.study_id is None:
            raise UserError("this document belongs to no study")
        ref = str(doc_id) if target == "document" else f"#{info.study_id}"
    coding.add_memo(user.project, target, ref.strip() or None, text, actor=user.email)
    return RedirectResponse(f"/coding/{doc_id}#memos", status_code=303)


@router.get("/codebook")
def codebook_page(request: Request, user: User) -> Response:
    codes = codebook_service.codebook(user.project)
    return render(request, "codebook.html", user, codes=codes, frameworks=FRAMEWORKS, error="")


@router.post("/codebook/codes")
def codebook_add(
    request: Request,
    user: User,
    csrf: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    parent: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "code",
    definition: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    codebook_service.add_code(user.project, name, parent=f"#{parent}" if parent else None, kind=kind, definition=definition,
                              actor=user.email)  # fmt: skip
    target = back if back.startswith("/coding/") and back[8:].isdigit() else "/codebook"
    return RedirectResponse(target, status_code=303)


@router.post("/codebook/load")
def codebook_load(request: Request, user: User, csrf: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    codebook_service.load_framework(user.project, name, actor=user.email)
    return RedirectResponse("/codebook", status_code=303)


@router.post("/codebook/import")
def codebook_import(request: Request, user: User, csrf: Annotated[str, Form()] = "",
                    file: Annotated[UploadFile | None, File()] = None) -> Response:  # fmt: skip
    check_csrf(request, csrf)
    require_writer(user)
    if file is None or not file.filename:
        raise UserError("choose a .qdc file to import")
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise UserError(f"{file.filename}: over {MAX_UPLOAD // 2**20} MB; a codebook is far smaller")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(file.filename).name
        path.write_bytes(data)
        refi.import_qdc(user.project, path, actor=user.email)
    return RedirectResponse("/codebook", status_code=303)
