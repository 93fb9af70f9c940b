"""The JSON API under /api/ (described at /openapi.json). Thin: each route calls one service."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel

from qes.services.records import get_record, list_records
from qes.services.status import project_status
from qes.services.users import authenticate, role_of
from qes.web.auth import SignedIn, require_api_user, require_writer

router = APIRouter(prefix="/api", tags=["api"])
User = Annotated[SignedIn, Depends(require_api_user)]


class Login(BaseModel):
    email: str
    password: str


@router.post("/login")
def login(body: Login, request: Request) -> dict[str, Any]:
    """Start a session (cookie). The only route that needs none."""
    project = request.app.state.project
    user = authenticate(project.store, body.email.strip().lower(), body.password)
    role = role_of(project.store, project.id, user.id) if user else None
    if user is None or role is None:
        raise HTTPException(401, "wrong e-mail or password, or not a member of this project")
    request.session.clear()
    request.session["user_id"] = user.id
    return {"email": user.email, "name": user.name, "role": role}


@router.post("/logout")
def logout(request: Request, user: User) -> dict[str, bool]:
    request.session.clear()
    return {"signed_out": True}


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


def save_upload(upload: UploadFile) -> Path:
    """The upload in a temporary file (imports stream from disk, never from memory)."""
    suffix = Path(upload.filename or "upload").suffix[:10]
    with tempfile.NamedTemporaryFile(delete=False, prefix="qes-upload-", suffix=suffix) as out:
        while chunk := upload.file.read(1 << 20):
            out.write(chunk)
    return Path(out.name)


@router.post("/imports")
def start_import(
    request: Request,
    user: User,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form()],
    searched: Annotated[str, Form()] = "",
    again: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Start importing an export file; poll GET /api/jobs/{job} for progress and the result."""
    require_writer(user)
    path = save_upload(file)
    job = request.app.state.jobs.start_import(
        user.project, path, file_name=Path(file.filename or "upload").name, source=source, searched=searched, again=again
    )
    return job.to_json()


@router.get("/jobs/{job_id}")
def job(job_id: int, request: Request, user: User) -> dict[str, Any]:
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id}")
    return found.to_json()
