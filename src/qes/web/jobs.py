"""The web's view of background jobs: imports and ranking refreshes are queued in the database
(`qes.services.jobs`) and run by the `JobRunner`s of whichever server process claims them; pages and
the API poll an import's progress.

`state` is what the progress fragment shows (running until the job is done or failed, so a queued
job reads as started); `status` is the queue's own word (queued | running | done | failed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request, UploadFile
from fastapi.responses import JSONResponse

from qes.atomicfile import write_bytes_atomically
from qes.errors import UserError
from qes.fulltext.extract import looks_like_pdf
from qes.services import jobs
from qes.services.jobs import JobInfo, JobRunner
from qes.services.project import Project
from qes.web.uploads import save_import_upload

RANKING = ("rank",)


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    file: str
    source: str
    status: str
    records_read: int
    result: dict[str, Any] | None
    error: str
    attempts: int

    @property
    def state(self) -> str:
        return self.status if self.status in jobs.FINAL else "running"

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.id,
            "kind": self.kind,
            "file": self.file,
            "source": self.source,
            "state": self.state,
            "status": self.status,
            "records_read": self.records_read,
            "result": self.result,
            "error": self.error,
            "attempts": self.attempts,
        }


class WebJobs:
    """The server process's job runner and the views the pages show."""

    def __init__(self, project: Project, import_limit: int) -> None:
        self.runner = JobRunner(project, besides=RANKING)
        # Refreshes have a runner of their own: one after every decision, a few seconds each at most,
        # and never queued behind an import of a million records.
        self.ranker = JobRunner(project, kinds=RANKING, poll=1.0)
        self.import_limit = import_limit

    def start(self) -> None:
        self.runner.start()
        self.ranker.start()

    def stop(self) -> None:
        self.runner.stop()
        self.ranker.stop()

    def refresh_ranking(self, project: Project, stage: str, reviewer: str) -> JobInfo:
        """Queue (or join the queued) refresh of `reviewer`'s and the team's ranking at the stage."""
        info = jobs.enqueue(project, "rank", {"stage": stage, "reviewer": reviewer}, merge=True)
        self.ranker.wake()
        return info

    def view(self, info: JobInfo) -> JobView:
        progress = max(info.progress, self.runner.live_progress.get(info.id, 0))
        if info.status == "done" and info.result and "imported" in info.result:
            progress = int(info.result["imported"])
        args = info.args
        return JobView(
            info.id,
            info.kind,
            args.get("file_name", ""),
            args.get("source", ""),
            info.status,
            progress,
            info.result,
            info.error,
            info.attempts,
        )

    def start_import(self, project: Project, upload: UploadFile, *, source: str, searched: str, again: bool) -> JobView:
        """Save the upload (size and content checked), queue its import, wake this process's runner."""
        path, _ = save_import_upload(upload, jobs.uploads_dir(project), self.import_limit)
        args = {
            "upload": path.name,
            "file_name": Path(upload.filename or "upload").name,
            "source": source,
            "searched": searched,
            "again": again,
        }
        info = jobs.enqueue(project, "import", args)
        self.runner.wake()
        return self.view(info)

    def get(self, project: Project, job_id: int) -> JobView:
        return self.view(jobs.get_job(project, job_id))

    def run_briefly(self, project: Project, kind: str, args: dict[str, Any], wait: float) -> JobInfo:
        """Queue a job and wait up to `wait` seconds for it: small work answers at once, big work in the background.

        The job is in the database before any of the work starts, so a server killed mid-way leaves it
        to be queued again and finished by whichever worker is alive; the client polls /api/jobs/{id}.
        """
        info = jobs.enqueue(project, kind, args)
        self.runner.wake()
        try:
            return jobs.wait_for(project, info.id, timeout=wait)
        except TimeoutError:
            return jobs.get_job(project, info.id)

    def queue_fulltext(self, project: Project, record_id: int, data: bytes, file_name: str, wait: float) -> JobInfo:
        """Check the PDF (size checked by the caller), keep it with the job, extract its text in the job."""
        if not looks_like_pdf(data):
            raise UserError(f"{file_name}: not a PDF (full texts are attached as PDF files)")
        upload = jobs.uploads_dir(project) / f"{uuid.uuid4().hex}.pdf"
        write_bytes_atomically(upload, data)  # whole or absent: a worker never reads half a file
        args = {"upload": upload.name, "file_name": Path(file_name).name, "record_id": record_id}
        return self.run_briefly(project, "fulltext", args, wait)


def finished_result(info: JobInfo) -> dict[str, Any] | None:
    """A done job's result; None while it runs; a failed job's error raised as the user's (400) or ours (500)."""
    if info.status == "done":
        return info.result or {}
    if info.status == "failed":
        if info.error.startswith("internal error:"):
            raise RuntimeError(info.error)
        raise UserError(info.error)
    return None


def still_running(view: JobView) -> JSONResponse:
    """202: the work goes on in the background; poll the job."""
    return JSONResponse(view.to_json() | {"poll": f"/api/jobs/{view.id}"}, status_code=202)


def pending_job(request: Request, project: Project, key: str) -> JobView | None:
    """The background job this person started from a page (kept in the session under `key`): shown with
    its progress while it runs, once more when it has ended, then forgotten."""
    job_id = request.session.get(key)
    if job_id is None:
        return None
    view: JobView = request.app.state.jobs.get(project, int(job_id))
    if view.state != "running":
        request.session.pop(key, None)
    return view
