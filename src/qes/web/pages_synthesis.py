"""The synthesis page: the themes × studies matrix with its frequency words, the translation grid
(each cell editable, with its reciprocal/refutational mark and its segments), lines of argument
and third-order constructs, and a GRADE-CERQual worksheet per finding.

Writes go through the services as the signed-in user; a refused write comes back to the page with
the service's one-line message (kept in the session for the next page).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from qes.errors import UserError
from qes.services import synthesis as service
from qes.services.codebook import codebook
from qes.services.studies import list_studies
from qes.synthesis.cerqual import COMPONENT_LABELS, COMPONENTS, CONCERN_LABELS, LEVEL_LABELS
from qes.synthesis.grid import MARKS
from qes.synthesis.matrix import NOT_THEMES
from qes.web.auth import check_csrf, require_writer
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)
FLASH = "synthesis_flash"
KIND_LABELS = {
    "line_of_argument": "Line of argument",
    "third_order": "Third-order construct",
    "overarching": "Overarching interpretation",
    "narrative": "Narrative synthesis",
}


def _back(request: Request, target: str, *, error: str = "", notice: str = "") -> Response:
    request.session[FLASH] = {"error": error} if error else {"notice": notice}
    return RedirectResponse(target, status_code=303)


@router.get("/synthesis")
def synthesis_page(request: Request, user: User) -> Response:
    table = service.matrix_table(user.project, viewer=user.email)
    view = service.grid_view(user.project, viewer=user.email)
    codes = [c for c in codebook(user.project) if c.kind not in NOT_THEMES or c.parent_id is not None]
    return render(
        request,
        "synthesis.html",
        user,
        flash=request.session.pop(FLASH, None),
        matrix=table,
        frequency=service.frequency_words(user.project, viewer=user.email),
        grid=view,
        marks=MARKS,
        syntheses=service.list_syntheses(user.project, viewer=user.email),
        findings=service.list_findings(user.project, viewer=user.email),
        codes=codes,
        studies=list_studies(user.project, viewer=user.email),
        kinds=KIND_LABELS,
        components=[(c, COMPONENT_LABELS[c]) for c in COMPONENTS],
        concerns=CONCERN_LABELS,
        levels=LEVEL_LABELS,
    )


@router.get("/synthesis/grid/{concept_id}/{study_id}")
def grid_cell_page(concept_id: int, study_id: int, request: Request, user: User) -> Response:
    detail = service.grid_cell_detail(user.project, f"#{concept_id}", f"#{study_id}", viewer=user.email)
    return render(request, "synthesis_cell.html", user, detail=detail, flash=request.session.pop(FLASH, None))


@router.post("/synthesis/grid/{concept_id}/{study_id}")
def grid_cell_save(
    concept_id: int,
    study_id: int,
    request: Request,
    user: User,
    csrf: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    relation: Annotated[str, Form()] = "",
    segment_ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    here = f"/synthesis/grid/{concept_id}/{study_id}"
    try:
        cell = service.set_grid_cell(
            user.project, f"#{concept_id}", f"#{study_id}", text=text, relation=relation, segment_ids=segment_ids or []
        )
    except UserError as exc:
        return _back(request, here, error=str(exc))
    return _back(request, f"/synthesis#cell-{concept_id}-{study_id}", notice=f"Saved {cell.concept} × {cell.study}.")


@router.post("/synthesis/texts")
def synthesis_text_save(
    request: Request,
    user: User,
    csrf: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    concepts: Annotated[list[int] | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    try:
        info = service.set_synthesis(user.project, kind, title, text=text, concepts=[f"#{c}" for c in concepts or []])
    except UserError as exc:
        return _back(request, "/synthesis#syntheses", error=str(exc))
    return _back(request, "/synthesis#syntheses", notice=f"Saved {KIND_LABELS[info.kind].lower()} {info.title!r}.")


@router.post("/synthesis/findings")
def finding_add(
    request: Request,
    user: User,
    csrf: Annotated[str, Form()] = "",
    statement: Annotated[str, Form()] = "",
    concept: Annotated[str, Form()] = "",
    studies: Annotated[list[int] | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    try:
        info = service.set_finding(
            user.project,
            statement=statement,
            concept=f"#{concept}" if concept else None,
            studies=[f"#{s}" for s in studies or []],
        )
    except UserError as exc:
        return _back(request, "/synthesis#findings", error=str(exc))
    return _back(request, f"/synthesis#finding-{info.number}", notice=f"Added finding {info.number}.")


@router.post("/synthesis/findings/{number}")
async def finding_assess(number: int, request: Request, user: User) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    require_writer(user)
    components: dict[str, tuple[str, str]] = {}
    for name in COMPONENTS:
        concern = str(form.get(f"{name}_concern") or "")
        if concern:
            components[name] = (concern, str(form.get(f"{name}_explanation") or ""))
    overall = str(form.get("overall") or "")
    try:
        info = service.set_finding(user.project, number, components=components, overall=overall, why=str(form.get("why") or ""))
    except UserError as exc:
        return _back(request, f"/synthesis#finding-{number}", error=str(exc))
    return _back(request, f"/synthesis#finding-{number}", notice=f"Finding {info.number}: {info.overall or 'not assessed'}.")
