"""HTML pages (Jinja2 + HTMX). Each page calls the same services as the CLI and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qes.services.records import get_record, list_records
from qes.services.status import project_status
from qes.services.users import authenticate, role_of
from qes.web.api import save_upload
from qes.web.auth import SignedIn, check_csrf, csrf_token, require_writer, safe_next, signed_in

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def page_user(request: Request) -> SignedIn:
    user = signed_in(request)
    if user is None:
        raise HTTPException(401, "sign in first")
    return user


User = Annotated[SignedIn, Depends(page_user)]


def render(request: Request, name: str, user: SignedIn | None, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    base = {"user": user, "csrf": csrf_token(request), "project": request.app.state.project.config}
    return templates.TemplateResponse(request, name, base | context)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", None, next=safe_next(next), error="")


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf)
    project = request.app.state.project
    user = authenticate(project.store, email.strip().lower(), password)
    role = role_of(project.store, project.id, user.id) if user else None
    if user is None or role is None:
        response = render(request, "login.html", None, next=safe_next(next), error="Wrong e-mail or password, or not a member.")
        response.status_code = 401
        return response
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/logout")
def logout_form(request: Request) -> Response:
    """Signing out changes state, so it is a form (POST with the CSRF token), never a bare link."""
    user = signed_in(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "logout.html", user)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def projects(request: Request, user: User) -> Response:
    return render(request, "projects.html", user, status=project_status(user.project))


@router.get("/import")
def import_form(request: Request, user: User) -> Response:
    return render(request, "import.html", user, job=None)


@router.post("/import")
def import_upload(
    request: Request,
    user: User,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form()],
    searched: Annotated[str, Form()] = "",
    again: Annotated[bool, Form()] = False,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    require_writer(user)
    path = save_upload(file)
    job = request.app.state.jobs.start_import(
        user.project, path, file_name=Path(file.filename or "upload").name, source=source, searched=searched, again=again
    )
    return render(request, "_job.html", user, job=job)


@router.get("/import/jobs/{job_id}")
def import_progress(job_id: int, request: Request, user: User) -> Response:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no import job {job_id}")
    return render(request, "_job.html", user, job=job)


@router.get("/records")
def records(request: Request, user: User, q: str = "", page: int = 1) -> Response:
    page = max(1, page)
    found = list_records(user.project, query=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    name = "_records_table.html" if request.headers.get("hx-request") else "records.html"
    return render(request, name, user, q=q, page=page, pages=pages, found=found)


@router.get("/records/{record_id}")
def record(record_id: int, request: Request, user: User) -> Response:
    detail = get_record(user.project, record_id)
    return render(request, "record.html", user, detail=detail, canonical=detail.record.canonical())
