"""The web's view of background jobs: imports are queued in the database (`qes.services.jobs`) and run
by the `JobRunner` of whichever server process claims them; pages and the API poll their progress.

`state` is what the progress fragment shows (running until the job is done or failed, so a queued
job reads as started); `status` is the queue's own word (queued | running | done | failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from qes.services import jobs
from qes.services.jobs import JobInfo, JobRunner
from qes.services.project import Project
from qes.web.uploads import save_import_upload


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
        self.runner = JobRunner(project)
        self.import_limit = import_limit

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
