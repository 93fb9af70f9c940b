"""De-duplication in the JSON API (/api/dedupe...): each route calls one function of `qes.services.dedupe_project`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from qes.services.dedupe_project import decide_pair, group_detail, list_groups, review_queue, undo_group
from qes.services.status import project_status
from qes.web.api import User
from qes.web.auth import require_writer
from qes.web.jobs import finished_result, still_running

router = APIRouter(prefix="/api/dedupe", tags=["dedupe"])


class Decision(BaseModel):
    decision: str  # "same" | "different"; the service says why anything else is refused


class Undo(BaseModel):
    why: str = ""


@router.get("")
def summary(user: User) -> dict[str, Any]:
    """Active groups, records removed as duplicates (in all and per source), pairs waiting for a person."""
    status = project_status(user.project).to_json()
    return {
        "groups": len(list_groups(user.project)),
        "duplicates_removed": status["duplicates_removed"],
        "pairs_to_review": status["pairs_to_review"],
        "per_source": {s["source"]: s["duplicates_removed"] for s in status["sources"]},
    }


@router.post("/run", response_model=None)
def run(request: Request, user: User) -> dict[str, Any] | JSONResponse:
    """Find duplicates among all records. Keeps groups in force and pairs called different.

    The run is a background job: the answer is its summary once done, or 202 with the job to poll
    (GET /api/jobs/{job}) for a project too big to finish while the server waits.
    """
    require_writer(user)
    web_jobs = request.app.state.jobs
    info = web_jobs.run_briefly(user.project, "dedupe", {}, request.app.state.settings.job_wait)
    result = finished_result(info)
    return still_running(web_jobs.view(info)) if result is None else result


@router.get("/pairs")
def pairs(user: User, limit: int = 50) -> list[dict[str, Any]]:
    """Open pairs, most alike first, both records side by side with the fields that differ."""
    return review_queue(user.project, max(1, min(limit, 500)))


@router.post("/pairs/{pair_id}")
def decide(pair_id: int, body: Decision, user: User) -> dict[str, Any]:
    """A person's call on a pair: "same" groups the two now, "different" keeps them apart for good."""
    require_writer(user)
    return decide_pair(user.project, pair_id, body.decision, actor=user.email)


@router.get("/groups")
def groups(user: User) -> list[dict[str, Any]]:
    """Active groups, newest first."""
    return list_groups(user.project)


@router.get("/groups/{group_id}")
def group(group_id: int, user: User) -> dict[str, Any]:
    """A group's members with their provenance, and the merged record."""
    return group_detail(user.project, group_id)


@router.post("/groups/{group_id}/undo")
def undo(group_id: int, user: User, body: Undo | None = None) -> dict[str, Any]:
    """Split a group back into its records; later runs will not group them again."""
    require_writer(user)
    return undo_group(user.project, group_id, actor=user.email, why=body.why if body else "")
