"""Background jobs kept in the database, so they survive the process that started them.

`enqueue` adds a job (kind + JSON arguments); a `JobRunner` thread in every server process claims
queued jobs one at a time (`store.team.claim_next_job`: SKIP LOCKED on PostgreSQL, a guarded
UPDATE on SQLite), beats the job's heart while it runs, and stores its result or one-line error.

A worker that dies (SIGKILL, a crash, the machine going down) leaves its job `running`. Any
runner's sweep queues it again: at once when the worker was a process on this machine that no
longer exists, otherwise once its heartbeat is older than `stale_after`. The handlers are written
to be re-run: an import is one transaction, so a killed import left nothing and simply runs again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qes.errors import NotFound, QesError
from qes.services.project import Project
from qes.store import team as team_store
from qes.store.schema import utcnow
from qes.store.schema_team import Job

log = logging.getLogger(__name__)

Progress = Callable[[int], None]  # add n to the job's progress
Handler = Callable[[Project, dict[str, Any], Progress], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
FINAL = ("done", "failed")


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind` (it must be safe to run again after a crash)."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    status: str  # queued | running | done | failed
    progress: int
    args: dict[str, Any]
    result: dict[str, Any] | None
    error: str
    attempts: int
    created_by: str

    @classmethod
    def of(cls, row: Job) -> JobInfo:
        return cls(
            row.id, row.kind, row.status, row.progress, dict(row.args), row.result, row.error, row.attempts, row.created_by
        )


def enqueue(project: Project, kind: str, args: dict[str, Any], *, merge: bool = False) -> JobInfo:
    """Queue a job as the project's actor.

    With `merge` (requests that may repeat, like "refresh this ranking"): an identical queued job is
    returned instead, else an identical finished one is queued again, so a review's thousands of
    decisions leave a row or two per ranking rather than one each.
    """
    if kind not in HANDLERS:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    if merge:
        # Most often its twin is still queued: found by a read, without taking SQLite's write lock.
        # A queued job reads the project when it runs, so it sees everything committed before now.
        with project.store.read() as session:
            queued = team_store.queued_job_like(session, project.id, kind, args)
            if queued is not None:
                return JobInfo.of(queued)
    with project.store.transaction() as session:
        row = team_store.queued_job_like(session, project.id, kind, args) if merge else None
        if row is None and merge and (finished := team_store.finished_job_like(session, project.id, kind, args)):
            row = team_store.queue_again(session, finished, project.actor)
        row = row or team_store.add_job(session, project_id=project.id, kind=kind, args=args, created_by=project.actor)
        return JobInfo.of(row)


def wait_for(project: Project, job_id: int, timeout: float = 60.0, poll: float = 0.05) -> JobInfo:
    """Wait until the job is done or failed (a CLI command, or a test, that needs its outcome)."""
    deadline = time.monotonic() + timeout
    while (info := get_job(project, job_id)).status not in FINAL:
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} is still {info.status} after {timeout:.0f} s")
        time.sleep(poll)
    return info


def get_job(project: Project, job_id: int) -> JobInfo:
    with project.store.read() as session:
        row = team_store.get_job(session, project.id, job_id)
        if row is None:
            raise NotFound(f"no job {job_id} in this project")
        return JobInfo.of(row)


def recent_jobs(project: Project, limit: int = 20) -> list[JobInfo]:
    with project.store.read() as session:
        return [JobInfo.of(r) for r in team_store.recent_jobs(session, project.id, limit)]


# --- the worker ----------------------------------------------------------------------------------


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _orphaned(row: Job, host: str, stale_before: dt.datetime) -> bool:
    """Is the worker that holds this running job gone? Worker ids are "host:pid:nonce"."""
    worker_host, _, rest = row.worker.partition(":")
    pid_text = rest.partition(":")[0]
    if worker_host == host and pid_text.isdigit():
        # A process on this machine: its existence is the truth (a long SQLite import cannot beat its heart
        # while it holds the write lock, yet it is alive).
        return not _process_alive(int(pid_text))
    return row.heartbeat is None or row.heartbeat < stale_before


class JobRunner:
    """The worker loop of one server process: claim, run, record; sweep orphaned jobs now and then."""

    def __init__(
        self,
        project: Project,
        *,
        kinds: tuple[str, ...] | None = None,
        besides: tuple[str, ...] = (),
        poll: float = 0.5,
        beat: float = 5.0,
        stale_after: dt.timedelta = dt.timedelta(minutes=2),
    ) -> None:
        self.project = project
        # A runner takes only jobs of `kinds` (all if None) and none of `besides`: the server runs one
        # runner for ranking refreshes and one for the rest, so a long import never holds up a refresh.
        self.kinds, self.besides = kinds, besides
        self.poll, self.beat, self.stale_after = poll, beat, stale_after
        self.host = socket.gethostname()
        self.worker = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.live_progress: dict[int, int] = {}  # jobs running here: progress not yet written (SQLite holds it back)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="qes-jobs", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def sweep(self) -> list[int]:
        """Queue again the running jobs whose worker is gone; returns their ids."""
        stale_before = utcnow() - self.stale_after
        requeued: list[int] = []
        with self.project.store.read() as session:
            if not any(row.worker != self.worker for row in team_store.running_jobs(session, self.project.id)):
                return requeued  # nothing another worker holds: no write transaction needed
        with self.project.store.transaction() as session:
            for row in team_store.running_jobs(session, self.project.id):
                mine = row.worker == self.worker
                if not mine and _orphaned(row, self.host, stale_before) and team_store.requeue(session, row.id, row.worker):
                    requeued.append(row.id)
        for job_id in requeued:
            log.warning("job %s: its worker is gone; queued again", job_id)
        return requeued

    def run_one(self) -> JobInfo | None:
        """Claim and run the oldest queued job, if any (what the loop does; tests call it directly)."""
        with self.project.store.read() as session:  # a read first: polling must not take SQLite's write lock
            if not team_store.has_queued_job(session, self.project.id, kinds=self.kinds, besides=self.besides):
                return None
        with self.project.store.transaction() as session:
            row = team_store.claim_next_job(
                session, self.project.id, self.worker, utcnow(), kinds=self.kinds, besides=self.besides
            )
            job = JobInfo.of(row) if row else None
        if job is None:
            return None
        self.live_progress[job.id] = 0
        done = threading.Event()
        beating = threading.Thread(target=self._beat, args=(job.id, done), name=f"qes-job-{job.id}-beat", daemon=True)
        beating.start()
        status, result, error = "failed", None, ""
        try:
            run = HANDLERS[job.kind]
            result = run(replace(self.project, actor=job.created_by), job.args, lambda n: self._advance(job.id, n))
            status = "done"
        except QesError as exc:
            error = str(exc)
        except Exception as exc:  # shown to the user; the worker keeps running
            log.exception("job %s (%s) failed", job.id, job.kind)
            error = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            done.set()
            beating.join()
        with self.project.store.transaction() as session:
            team_store.beat(session, job.id, self.worker, utcnow(), self.live_progress.pop(job.id, None))
            team_store.finish_job(session, job.id, self.worker, utcnow(), status=status, result=result, error=error)
        return get_job(self.project, job.id)

    def _advance(self, job_id: int, n: int) -> None:
        self.live_progress[job_id] = self.live_progress.get(job_id, 0) + n

    def _beat(self, job_id: int, done: threading.Event) -> None:
        while not done.wait(self.beat):
            try:
                with self.project.store.transaction() as session:
                    team_store.beat(session, job_id, self.worker, utcnow(), self.live_progress.get(job_id))
            except Exception as exc:  # e.g. SQLite busy behind the job's own transaction: try again next beat
                log.debug("job %s heartbeat skipped: %s", job_id, exc)

    def _loop(self) -> None:
        sweeps = 0.0
        while not self._stop.is_set():
            try:
                if sweeps <= 0:
                    self.sweep()
                    sweeps = 10 * self.poll
                if self.run_one() is not None:
                    continue  # more may be waiting
            except Exception as exc:  # the database is unreachable for a moment: keep the loop alive
                log.warning("job runner: %s", exc)
            self._wake.wait(self.poll)
            self._wake.clear()
            sweeps -= self.poll


# --- job kinds -----------------------------------------------------------------------------------


def uploads_dir(project: Project) -> Path:
    """Where uploads wait for their job: inside the project folder, so any worker (and a restarted one) finds them."""
    path = project.files_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _upload_of(project: Project, args: dict[str, Any], again: str) -> Iterator[Path]:
    """The job's upload; removed once the job is done or refused for good (a crash keeps it for the rerun)."""
    upload = uploads_dir(project) / Path(args["upload"]).name  # only a name from the queue, never a path
    if not upload.exists():
        raise NotFound(f"{args['file_name']}: the uploaded file is gone ({again} it again)")
    try:
        yield upload
    except QesError:
        upload.unlink(missing_ok=True)  # refused for good: the file will not be needed again
        raise
    upload.unlink(missing_ok=True)


@handler("import")
def _run_import(project: Project, args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from qes.services.importing import import_file

    with _upload_of(project, args, "upload") as upload:
        result = import_file(
            project,
            upload,
            source=args["source"],
            searched=args.get("searched") or None,
            again=bool(args.get("again")),
            display_name=args["file_name"],
            on_progress=progress,
        )
    return result.to_json()


@handler("rank")
def _run_rank(project: Project, args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from qes.services import priority

    # The reviewer's ranking and the team's, fitted in the server's child process when it has one
    # (the fit holds the GIL for seconds); a killed worker's refresh is queued again and redone.
    mine, team = priority.refresh_pair(project, args["stage"], args.get("reviewer", ""))
    progress(1)
    return {"reviewer": mine.to_json() if mine else None, "team": team.to_json() if team else None}


@handler("dedupe")
def _run_dedupe(project: Project, args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from qes.services.dedupe_project import run_dedupe

    # One transaction at the end: a killed run wrote nothing, and its job simply runs again.
    seen: dict[str, int] = {}

    def advance(step: str, done: int, total: int) -> None:
        progress(max(0, done - seen.get(step, 0)))
        seen[step] = done

    return run_dedupe(project, actor=project.actor, progress=advance).to_json()


@handler("fulltext")
def _run_fulltext(project: Project, args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from qes.services import fulltext

    with _upload_of(project, args, "attach") as upload:
        data = upload.read_bytes()
        info = fulltext.attach(project, int(args["record_id"]), data, file_name=args["file_name"], actor=project.actor)
    progress(info.pages)
    return dict(info.__dict__)
