"""Imports started from the web run in a background thread; pages poll their progress.

A job holds only what the progress fragment and the API show. Jobs live in memory: they are
the web's view of work in progress; what was imported is in the store (and its event log).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qes.errors import QesError
from qes.services.importing import import_file
from qes.services.project import Project


@dataclass
class ImportJob:
    id: int
    file: str
    source: str
    user: str
    state: str = "running"  # running | done | failed
    records_read: int = 0
    result: dict[str, Any] | None = None
    error: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.id,
            "file": self.file,
            "source": self.source,
            "state": self.state,
            "records_read": self.records_read,
            "result": self.result,
            "error": self.error,
        }


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[int, ImportJob] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def get(self, job_id: int) -> ImportJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start_import(
        self, project: Project, upload: Path, *, file_name: str, source: str, searched: str | None, again: bool
    ) -> ImportJob:
        with self._lock:
            job = ImportJob(next(self._ids), file_name, source, project.actor)
            self._jobs[job.id] = job

        def progress(n: int) -> None:
            job.records_read += n

        def run() -> None:
            try:
                result = import_file(
                    project,
                    upload,
                    source=source,
                    searched=searched or None,
                    again=again,
                    display_name=file_name,
                    on_progress=progress,
                )
                job.result = result.to_json()
                job.records_read = result.imported
                job.state = "done"
            except QesError as exc:
                job.error, job.state = str(exc), "failed"
            except Exception as exc:  # shown to the user; the server keeps running
                job.error, job.state = f"internal error: {type(exc).__name__}: {exc}", "failed"
            finally:
                job.finished = time.time()
                upload.unlink(missing_ok=True)

        threading.Thread(target=run, name=f"qes-import-{job.id}", daemon=True).start()
        return job
