"""HTML pages (Jinja2 + HTMX). Each page calls the same services as the CLI and the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qes.services.records import get_record, list_records
from qes.services.sessions import end_all_sessions
from qes.services.status import project_status
from qes.web.auth import (
    LoginRefused,
    SignedIn,
    check_csrf,
    csrf_token,
    require_page_user,
    require_writer,
    safe_next,
    sign_in,
    sign_out,
    signed_in,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


User = Annotated[SignedIn, Depends(require_page_user)]


def render(request: Request, name: str, user: SignedIn | None, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    base = {"user": user, "csrf": csrf_token(request), "project": request.app.state.project.config}
    return templates.TemplateResponse(request, name, base | context)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if request.app.state.settings.single_user is not None:
        return RedirectResponse(safe_next(next), status_code=303)  # nobody signs in in single-user mode
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
    try:
        sign_in(request, email, password)
    except LoginRefused as refused:
        message = "Wrong e-mail or password, or not a member." if refused.status == 401 else refused.message.capitalize() + "."
        response = render(request, "login.html", None, next=safe_next(next), error=message)
        response.status_code = refused.status
        response.headers.update(refused.headers)
        return response
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
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/logout/everywhere")
def logout_everywhere(request: Request, user: User, csrf: Annotated[str, Form()] = "") -> Response:
    """End every session of this person (other browsers, a lost laptop), this one included."""
    check_csrf(request, csrf)
    end_all_sessions(user.project.store, user.id)
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
    job = request.app.state.jobs.start_import(user.project, file, source=source, searched=searched, again=again)
    return render(request, "_job.html", user, job=job)


@router.get("/import/jobs/{job_id}")
def import_progress(job_id: int, request: Request, user: User) -> Response:
    job = request.app.state.jobs.get(user.project, job_id)
    # Polled by the import page (a fragment); opened as a link, the whole import page with the job in it.
    return render(request, "_job.html" if request.headers.get("hx-request") else "import.html", user, job=job)


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
