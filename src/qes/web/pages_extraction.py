"""Studies, extraction and appraisal pages. One set of handlers serves both kinds of form:
/extraction (Table 1 forms) and /appraisal (checklists), each with a page per study.

Every page asks the services as the signed-in user: the blind rule (what entries one may see),
who may reconcile and every check on a value live there. A refused entry is shown again with the
service's message and what the person typed kept.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from qes.errors import NotFound, PermissionDenied, UserError
from qes.extraction.fields import Field, country_names
from qes.extraction.summary import summarise
from qes.extraction.templates import TEMPLATES
from qes.services import extraction as service
from qes.services import studies as study_service
from qes.web.auth import SignedIn, check_csrf, require_writer
from qes.web.pages import User, render

router = APIRouter(include_in_schema=False)
SECTIONS = {"extraction": "Extraction", "appraisal": "Appraisal"}
PICK_TYPED = "__typed__"  # the reconcile form's "type the value" choice


def _base(kind: str) -> str:
    return "/extraction" if kind == "extraction" else "/appraisal"


def _study_url(kind: str, study_id: int, form: str) -> str:
    return f"{_base(kind)}/{study_id}?form={quote(form, safe='')}"


def _field_values(fields: tuple[Field, ...], data: FormData, prefix: str) -> dict[str, Any]:
    """What the entry form sent, one value per field (a list for multi-choice; '' clears)."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.type == "multi_choice":
            values[f.key] = [str(v) for v in data.getlist(prefix + f.key)]
        else:
            values[f.key] = str(data.get(prefix + f.key, ""))
    return values


@router.get("/studies")
def studies_page(request: Request, user: User) -> Response:
    flash = request.session.pop("studies_flash", None)
    return render(request, "studies.html", user, studies=study_service.list_studies(user.project, viewer=user.email), flash=flash)


@router.post("/studies")
def studies_add(
    request: Request,
    user: User,
    label: Annotated[str, Form()] = "",
    record: Annotated[str, Form()] = "",
    number: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    try:
        record_id = int(record) if record.strip() else None
        cited = int(number) if number.strip() else None
    except ValueError:
        request.session["studies_flash"] = {"error": "record and number are whole numbers"}
        return RedirectResponse("/studies", status_code=303)
    try:
        info = study_service.add_study(user.project, label, record_id=record_id, number=cited, actor=user.email)
        request.session["studies_flash"] = {"notice": f"Added {info.label}."}
    except UserError as exc:
        request.session["studies_flash"] = {"error": str(exc)}
    return RedirectResponse("/studies", status_code=303)


@router.post("/studies/from-screening")
def studies_from_screening(request: Request, user: User, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    added = study_service.include_studies_from_screening(user.project, actor=user.email)
    request.session["studies_flash"] = {"notice": f"{len(added)} stud{'y' if len(added) == 1 else 'ies'} added from screening."}
    return RedirectResponse("/studies", status_code=303)


def _section(request: Request, user: SignedIn, kind: str, form: str | None) -> Response:
    forms = service.list_forms(user.project, kind)
    flash = request.session.pop("forms_flash", None)
    context: dict[str, Any] = {
        "kind": kind,
        "section": SECTIONS[kind],
        "base": _base(kind),
        "forms": forms,
        "templates": [t for t in TEMPLATES.values() if t.kind == kind],
        "flash": flash,
        "current": None,
        "rows": [],
    }
    if forms:
        name = service.get_form(user.project, form, kind).name  # a form of this section only
        info, seen = service.form_overview(user.project, name, user.email)
        rows = []
        for s in seen:
            summary = summarise(info.fields, s.final) if kind == "appraisal" and s.final is not None else None
            rows.append({"s": s, "url": _study_url(kind, s.study_id, info.name), "summary": summary})
        context |= {"current": info, "rows": rows}
    return render(request, "extraction.html", user, **context)


@router.get("/extraction")
def extraction_page(request: Request, user: User, form: str | None = None) -> Response:
    return _section(request, user, "extraction", form)


@router.get("/appraisal")
def appraisal_page(request: Request, user: User, form: str | None = None) -> Response:
    return _section(request, user, "appraisal", form)


@router.post("/forms")
def forms_add(
    request: Request,
    user: User,
    name: Annotated[str, Form()] = "",
    template: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "extraction",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    target = _base("appraisal" if kind == "appraisal" else "extraction")
    try:
        info = service.add_form(user.project, name, template=template or None, actor=user.email)
        return RedirectResponse(f"{_base(info.kind)}?form={quote(info.name, safe='')}", status_code=303)
    except UserError as exc:
        request.session["forms_flash"] = {"error": str(exc)}
        return RedirectResponse(target, status_code=303)


def _study_page(
    request: Request,
    user: SignedIn,
    kind: str,
    study_id: int,
    form: str | None,
    *,
    typed: dict[str, Any] | None = None,
    error: str = "",
    reconcile_error: str = "",
    status: int = 200,
) -> Response:
    """A study on a form: the final record, the comparison and reconcile form, and the person's own entry."""
    info = service.get_form(user.project, form, kind)
    seen = service.study_form(user.project, f"#{study_id}", info.name, user.email)
    mine = typed if typed is not None else (seen.mine.values if seen.mine else {})
    flash = request.session.pop("entry_flash", None)
    summary = summarise(info.fields, seen.final) if kind == "appraisal" and seen.final is not None else None
    response = render(
        request,
        "extraction_study.html",
        user,
        kind=kind,
        section=SECTIONS[kind],
        base=_base(kind),
        form=info,
        seen=seen,
        mine=mine,
        error=error,
        reconcile_error=reconcile_error,
        flash=flash,
        summary=summary,
        action=f"{_base(kind)}/{study_id}",
        typed_pick=PICK_TYPED,
        countries=sorted(set(country_names().values())),
        editable=user.can_write and seen.final is None,
    )
    response.status_code = status
    return response


@router.get("/extraction/{study_id}")
def extraction_study(request: Request, user: User, study_id: int, form: str | None = None) -> Response:
    return _study_page(request, user, "extraction", study_id, form)


@router.get("/appraisal/{study_id}")
def appraisal_study(request: Request, user: User, study_id: int, form: str | None = None) -> Response:
    return _study_page(request, user, "appraisal", study_id, form)


async def _save(request: Request, user: SignedIn, kind: str, study_id: int) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    require_writer(user)
    info = await run_in_threadpool(service.get_form, user.project, str(data.get("form", "")) or None, kind)
    values = _field_values(info.fields, data, "f_")
    submit = data.get("action") == "submit"
    try:
        await run_in_threadpool(
            lambda: service.save_entry(user.project, f"#{study_id}", info.name, values, person=user.email, submit=submit)
        )
    except (NotFound, PermissionDenied):
        raise
    except UserError as exc:
        message = str(exc)
        return await run_in_threadpool(
            lambda: _study_page(request, user, kind, study_id, info.name, typed=values, error=message, status=400)
        )
    request.session["entry_flash"] = "Submitted." if submit else "Draft saved."
    return RedirectResponse(_study_url(kind, study_id, info.name), status_code=303)


async def _reconcile(request: Request, user: SignedIn, kind: str, study_id: int) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    require_writer(user)
    info = await run_in_threadpool(service.get_form, user.project, str(data.get("form", "")) or None, kind)
    take: dict[str, str] = {}
    typed: dict[str, Any] = {}
    for f in info.fields:
        pick = str(data.get("pick_" + f.key, ""))
        if pick == PICK_TYPED:
            typed[f.key] = data.getlist("set_" + f.key) if f.type == "multi_choice" else str(data.get("set_" + f.key, ""))
        elif pick:
            take[f.key] = pick
    note = str(data.get("note", ""))
    try:
        await run_in_threadpool(
            lambda: service.reconcile_study(
                user.project, f"#{study_id}", info.name, actor=user.email, take=take, set_values=typed, note=note
            )
        )
    except (NotFound, PermissionDenied):
        raise
    except UserError as exc:
        message = str(exc)
        return await run_in_threadpool(
            lambda: _study_page(request, user, kind, study_id, info.name, reconcile_error=message, status=400)
        )
    request.session["entry_flash"] = "Reconciled: this is now the study's final record."
    return RedirectResponse(_study_url(kind, study_id, info.name), status_code=303)


@router.post("/extraction/{study_id}/entry")
async def extraction_save(request: Request, user: User, study_id: int) -> Response:
    return await _save(request, user, "extraction", study_id)


@router.post("/appraisal/{study_id}/entry")
async def appraisal_save(request: Request, user: User, study_id: int) -> Response:
    return await _save(request, user, "appraisal", study_id)


@router.post("/extraction/{study_id}/reconcile")
async def extraction_reconcile(request: Request, user: User, study_id: int) -> Response:
    return await _reconcile(request, user, "extraction", study_id)


@router.post("/appraisal/{study_id}/reconcile")
async def appraisal_reconcile(request: Request, user: User, study_id: int) -> Response:
    return await _reconcile(request, user, "appraisal", study_id)
