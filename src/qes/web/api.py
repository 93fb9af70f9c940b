"""The JSON API under /api/ (described at /openapi.json). Thin: each route calls one service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import BaseModel

from qes.services.jobs import recent_jobs
from qes.services.records import get_record, list_records
from qes.services.sessions import end_all_sessions
from qes.services.status import project_status
from qes.web.auth import SignedIn, check_api_origin, require_api_user, require_writer, sign_in, sign_out

router = APIRouter(prefix="/api", tags=["api"])
User = Annotated[SignedIn, Depends(require_api_user)]


class Login(BaseModel):
    email: str
    password: str


@router.post("/login")
def login(body: Login, request: Request) -> dict[str, Any]:
    """Start a session (cookie). Needs none. After 5 failures an account is locked for a while (429, Retry-After)."""
    check_api_origin(request)
    user, role = sign_in(request, body.email, body.password)
    return {"email": user.email, "name": user.name, "role": role}


@router.post("/logout")
def logout(request: Request, user: User) -> dict[str, bool]:
    """End this session on the server (the cookie stops working everywhere it was copied)."""
    sign_out(request)
    return {"signed_out": True}


@router.post("/logout-everywhere")
def logout_everywhere(request: Request, user: User) -> dict[str, int]:
    """End every session of the signed-in person, this one included."""
    ended = end_all_sessions(user.project.store, user.id)
    request.session.clear()
    return {"sessions_ended": ended}


@router.get("/me")
def me(user: User) -> dict[str, Any]:
    return {"email": user.email, "name": user.name, "role": user.role}


@router.get("/status")
def status(user: User) -> dict[str, Any]:
    """Records in the project, per source and per stage (as `qes status --json`)."""
    return project_status(user.project).to_json()


@router.get("/records")
def records(user: User, q: str = "", limit: int = 50, offset: int = 0) -> dict[str, Any]:
    page = list_records(user.project, query=q, limit=max(1, min(limit, 500)), offset=max(0, offset))
    return {"total": page.total, "records": [r.__dict__ for r in page.records]}


@router.get("/records/{record_id}")
def record(record_id: int, user: User) -> dict[str, Any]:
    """One record: canonical fields and provenance (file, source, format, line, tags, raw)."""
    return get_record(user.project, record_id).to_json()


@router.post("/imports")
def start_import(
    request: Request,
    user: User,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form()],
    searched: Annotated[str, Form()] = "",
    again: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Start importing an export file (at most 200 MB by default; 413 over it, 415 if no reader recognises it);
    poll GET /api/jobs/{job} for progress and the result."""
    require_writer(user)
    job = request.app.state.jobs.start_import(user.project, file, source=source, searched=searched, again=again)
    return job.to_json()


@router.get("/jobs")
def jobs(request: Request, user: User, limit: int = 20) -> list[dict[str, Any]]:
    """The project's latest background jobs (imports, ranking refreshes), newest first."""
    web_jobs = request.app.state.jobs
    return [web_jobs.view(info).to_json() for info in recent_jobs(user.project, max(1, min(limit, 200)))]


@router.get("/jobs/{job_id}")
def job(job_id: int, request: Request, user: User) -> dict[str, Any]:
    """A job's status (queued | running | done | failed), progress (records read), result or error."""
    return request.app.state.jobs.get(user.project, job_id).to_json()
