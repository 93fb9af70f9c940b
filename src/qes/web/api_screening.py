"""Screening, conflicts, agreement and full texts in the JSON API. Each route calls one service function.

Who may see or do what (the blind rule, adjudication, roles) is decided by the services, always asked
as the signed-in user (`user.email`); the routes here only check the session and, for changes, that
the role can write at all.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from qes.errors import UserError
from qes.services import fulltext as fulltexts
from qes.services import stopping
from qes.services.agreement import agreement as stage_agreement
from qes.services.jobs import JobInfo
from qes.services.project import Project
from qes.services.protocol import protocol as project_protocol
from qes.services.records import get_record
from qes.services.screening import conflicts as list_conflicts
from qes.services.screening import decide, next_item, record_item, resolve_conflict
from qes.services.screening_stages import create_pilot, stage_progress
from qes.web.api import User
from qes.web.auth import require_writer
from qes.web.jobs import finished_result, still_running

router = APIRouter(prefix="/api", tags=["screening"])
log = logging.getLogger(__name__)

# A stored PDF is shown by the browser's own viewer, never sniffed as anything else.
PDF_HEADERS = {"Content-Disposition": "inline", "X-Content-Type-Options": "nosniff"}


class Decision(BaseModel):
    decision: str  # include | exclude | maybe; the stage's rules say which are allowed
    reasons: list[str] = Field(default_factory=list)  # criterion codes, with "exclude" only
    note: str = ""


class Pilot(BaseModel):
    n: int
    seed: int | None = None


class NotRetrieved(BaseModel):
    reason: str


def conflict_json(conflict: Any) -> dict[str, Any]:
    return {**conflict.__dict__, "votes": [v.__dict__ for v in conflict.votes]}


def refresh_later(request: Request, project: Project, stage: str, reviewer: str) -> JobInfo | None:
    """Queue a refresh of `reviewer`'s (and the team's) ranking after a decision; never waits, never raises.

    The request is a job in the database: a server killed mid-fit leaves it to be queued again and
    redone by whichever worker is alive. A refresh that cannot even be queued leaves the decision
    standing; the next decision queues one.
    """
    try:
        return request.app.state.jobs.refresh_ranking(project, stage, reviewer)  # type: ignore[no-any-return]
    except Exception as exc:
        log.warning("could not queue a ranking refresh: %s", exc)
        return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(body: dict[str, Any], key: str, kind: type[float] | type[int]) -> Any:
    """A number from a form (text) or JSON; None when left blank."""
    value = body.get(key)
    if value is None or _blank(value):
        return None
    what = "a whole number" if kind is int else "a number"
    if isinstance(value, bool) or (kind is int and isinstance(value, float) and not value.is_integer()):
        raise UserError(f"{key} must be {what}, not {value!r}")
    try:
        return kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise UserError(f"{key} must be {what}, not {value!r}") from None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def stopping_settings(body: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `stopping.configure` given in a form or JSON body (blank ones left out)."""
    settings: dict[str, Any] = {}
    for key in ("preset", "order", "rule"):
        if not _blank(body.get(key)):
            settings[key] = str(body[key]).strip()
    for key in ("target", "confidence"):
        settings[key] = _number(body, key, float)
    settings["consecutive"] = _number(body, "consecutive", int)
    return {k: v for k, v in settings.items() if v is not None}


async def _body(request: Request) -> dict[str, Any]:
    """A JSON object or a form, as a dict."""
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        try:
            data = await request.json()
        except ValueError:  # json.JSONDecodeError included
            raise UserError("the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise UserError("the body must be a JSON object")
        return data
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def read_upload(upload: UploadFile, limit: int = fulltexts.MAX_BYTES) -> bytes:
    """The upload's bytes: 413 over `limit` (the server's --max-pdf-mb; the service refuses more than its own)."""
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"{upload.filename or 'the upload'}: over the {limit // 2**20} MB limit for a full text")
    return data


@router.get("/protocol")
def protocol(user: User) -> dict[str, Any]:
    """The review question, highlight terms, criteria (the exclusion reasons) and screening stages."""
    return project_protocol(user.project)


@router.get("/screening")
def progress(user: User) -> list[dict[str, Any]]:
    """Per stage: records there, resolved per decision, conflicts, and how many you decided ("mine")."""
    return stage_progress(user.project, user.email)


@router.get("/screening/{stage}/next")
def next_record(stage: str, user: User) -> dict[str, Any]:
    """The next record for you to screen at the stage (pilot sample first), or {"done": true}."""
    item = next_item(user.project, stage, user.email)
    return {"done": True} if item is None else item.to_json()


@router.get("/screening/{stage}/records/{record_id}")
def screening_record(stage: str, record_id: int, user: User) -> dict[str, Any]:
    """A record at the stage as you may see it: at a blind stage others' votes only once all are in."""
    return record_item(user.project, stage, record_id, user.email).to_json()


@router.post("/screening/{stage}/records/{record_id}")
def screening_decide(stage: str, record_id: int, body: Decision, user: User, request: Request) -> dict[str, Any]:
    """Your decision on the record (or a change of it while the record is unresolved)."""
    require_writer(user)
    result = decide(user.project, stage, record_id, user.email, body.decision, body.reasons, body.note)
    refresh_later(request, user.project, stage, user.email)
    return result


@router.get("/screening/{stage}/stopping")
def stopping_status(stage: str, user: User) -> dict[str, Any]:
    """The stage's serving order, stopping rule, estimated recall and verdict (resolved records only), and the stop if any."""
    return stopping.stopping_status(user.project, stage, user.email)


@router.post("/screening/{stage}/stopping")
async def stopping_configure(stage: str, request: Request, user: User) -> dict[str, Any]:
    """Set any of preset, order (priority | random | file), rule (ranked | sample | consecutive), target, confidence
    (fractions, e.g. 0.95) and consecutive (N) from a JSON or form body. Owner or adjudicator."""
    require_writer(user)
    settings = stopping_settings(await _body(request))
    return await run_in_threadpool(lambda: stopping.configure(user.project, stage, user.email, **settings))


@router.post("/screening/{stage}/stop")
async def stop(stage: str, request: Request, user: User) -> dict[str, Any]:
    """Stop the stage: records nobody has voted on are excluded by automation. Refused (409) while the rule
    does not allow it, unless force is true (recorded). Body: note, force. Owner or adjudicator."""
    require_writer(user)
    body = await _body(request)
    note = "" if body.get("note") is None else str(body["note"])
    force = _flag(body.get("force"))
    return await run_in_threadpool(stopping.stop_stage, user.project, stage, user.email, note=note, force=force)


@router.post("/screening/{stage}/pilot")
def pilot(stage: str, body: Pilot, user: User) -> dict[str, Any]:
    """A random sample of n unscreened records that every reviewer of the stage gets first."""
    require_writer(user)
    return create_pilot(user.project, stage, body.n, seed=body.seed, actor=user.email)


@router.get("/conflicts")
def conflicts(user: User, stage: str | None = None) -> list[dict[str, Any]]:
    """Unresolved disagreements with every vote: all of them for adjudicators, your own for reviewers."""
    return [conflict_json(c) for c in list_conflicts(user.project, user.email, stage or None)]


@router.post("/conflicts/{stage}/{record_id}")
def resolve(stage: str, record_id: int, body: Decision, user: User) -> dict[str, Any]:
    """The adjudicator's final decision on a record in conflict."""
    require_writer(user)
    return resolve_conflict(user.project, stage, record_id, user.email, body.decision, body.reasons, body.note)


@router.get("/agreement/{stage}")
def agreement(stage: str, user: User, pilot: bool = False) -> dict[str, Any]:
    """Agreement between reviewers at the stage: Cohen's kappa [95% CI], PABAK, prevalence and bias indexes per pair."""
    return stage_agreement(user.project, stage, pilot=pilot)


@router.get("/fulltexts")
def fulltext_list(user: User) -> list[dict[str, Any]]:
    """Records with a full text attached or marked not retrieved."""
    return fulltexts.list_fulltexts(user.project)


@router.get("/fulltexts/{record_id}")
def fulltext(record_id: int, user: User) -> dict[str, Any]:
    """The record's full-text status, and the text of each page when a PDF is attached."""
    info = fulltexts.get_fulltext(user.project, record_id)
    if info is None:
        get_record(user.project, record_id)  # an unknown record is a 404, not "missing"
        return {"record_id": record_id, "status": "missing", "pages": []}
    pages = fulltexts.fulltext_pages(user.project, record_id) if info.status == "retrieved" else []
    return {**info.__dict__, "pages": pages}


@router.post("/fulltexts/{record_id}", response_model=None)
def attach(record_id: int, request: Request, user: User, file: Annotated[UploadFile, File()]) -> dict[str, Any] | JSONResponse:
    """Attach a PDF (multipart field "file", 100 MB at most by default) as the full text; its text is kept by page.

    The text is extracted by a background job: the answer is the full text once it is done, or 202 with
    the job to poll (GET /api/jobs/{job}) if it takes longer than the server waits.
    """
    require_writer(user)
    fulltexts.check_attach(user.project, record_id, user.email)
    data = read_upload(file, request.app.state.settings.limits.pdfs)
    web_jobs, wait = request.app.state.jobs, request.app.state.settings.job_wait
    info = web_jobs.queue_fulltext(user.project, record_id, data, file.filename or "upload.pdf", wait)
    result = finished_result(info)
    return still_running(web_jobs.view(info)) if result is None else result


@router.post("/fulltexts/{record_id}/not-retrieved")
def not_retrieved(record_id: int, body: NotRetrieved, user: User) -> dict[str, Any]:
    """The report was sought but could not be obtained, and why (PRISMA: reports not retrieved)."""
    require_writer(user)
    return fulltexts.mark_not_retrieved(user.project, record_id, reason=body.reason, actor=user.email).__dict__


@router.get("/fulltexts/{record_id}/pdf", response_class=FileResponse)
def pdf(record_id: int, user: User) -> FileResponse:
    """The attached PDF itself, for the browser's viewer."""
    path = fulltexts.fulltext_path(user.project, record_id)
    return FileResponse(path, media_type="application/pdf", headers=PDF_HEADERS)
