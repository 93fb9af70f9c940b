"""The job queue on SQLite and PostgreSQL: claimed once, results stored, orphans queued again."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from qes.errors import UserError
from qes.services import jobs
from qes.services.jobs import JobRunner
from qes.services.project import Project, init_project
from qes.store.schema import utcnow
from qes.store.schema_team import Job
from support import FIXTURES

RAN: list[int] = []
_ran_lock = threading.Lock()


@jobs.handler("test-count")
def _count(project: Project, args: dict[str, Any], progress: jobs.Progress) -> dict[str, Any]:
    with _ran_lock:
        RAN.append(int(args["n"]))
    progress(1)
    return {"n": args["n"]}


@jobs.handler("test-refuse")
def _refuse(project: Project, args: dict[str, Any], progress: jobs.Progress) -> dict[str, Any]:
    raise UserError("refused: the arguments say no")


@pytest.fixture
def project(db_url: str, tmp_path: Path) -> Project:
    p = init_project(tmp_path / "review", name="Jobs review", database=db_url, actor="owner@example.org")
    yield p
    p.close()


def test_an_import_job_imports_the_upload_and_removes_it(project: Project) -> None:
    upload = jobs.uploads_dir(project) / "u1.ris"
    shutil.copy(FIXTURES / "import" / "small.ris", upload)
    queued = jobs.enqueue(project, "import", {"upload": upload.name, "file_name": "small.ris", "source": "PsycINFO"})
    assert queued.status == "queued" and queued.created_by == "owner@example.org"
    done = JobRunner(project).run_one()
    assert done is not None and done.status == "done" and done.result is not None and done.result["imported"] == 3
    assert done.attempts == 1 and not upload.exists()
    assert JobRunner(project).run_one() is None  # nothing left


def test_two_runners_never_run_the_same_job(project: Project) -> None:
    RAN.clear()
    ids = [jobs.enqueue(project, "test-count", {"n": n}).id for n in range(20)]
    runners = [JobRunner(project), JobRunner(project)]

    def drain(runner: JobRunner) -> None:
        while runner.run_one() is not None:
            pass

    threads = [threading.Thread(target=drain, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(RAN) == list(range(20))  # each exactly once
    finished = [jobs.get_job(project, i) for i in ids]
    assert {(j.status, j.attempts) for j in finished} == {("done", 1)}
    assert [j.result for j in finished] == [{"n": n} for n in range(20)]


def test_a_refused_job_fails_with_its_message(project: Project) -> None:
    job = jobs.enqueue(project, "test-refuse", {})
    JobRunner(project).run_one()
    failed = jobs.get_job(project, job.id)
    assert failed.status == "failed" and failed.error == "refused: the arguments say no"


def test_merge_returns_the_queued_twin(project: Project) -> None:
    first = jobs.enqueue(project, "test-count", {"n": 1}, merge=True)
    assert jobs.enqueue(project, "test-count", {"n": 1}, merge=True).id == first.id
    assert jobs.enqueue(project, "test-count", {"n": 2}, merge=True).id != first.id


def test_merge_queues_a_finished_twin_again_as_a_fresh_request(project: Project) -> None:
    RAN.clear()
    first = jobs.enqueue(project, "test-count", {"n": 7}, merge=True)
    assert JobRunner(project).run_one() is not None
    again = jobs.enqueue(project, "test-count", {"n": 7}, merge=True)
    assert again.id == first.id and (again.status, again.attempts, again.result) == ("queued", 0, None)
    assert JobRunner(project).run_one() is not None and RAN == [7, 7]  # it ran twice, on one row
    assert jobs.enqueue(project, "test-count", {"n": 7}).id != first.id  # without merge: a new row


def test_a_runner_takes_only_its_kinds(project: Project) -> None:
    RAN.clear()
    refused = jobs.enqueue(project, "test-refuse", {})
    counted = jobs.enqueue(project, "test-count", {"n": 3})
    only_counts = JobRunner(project, kinds=("test-count",))
    assert (done := only_counts.run_one()) is not None and done.id == counted.id
    assert only_counts.run_one() is None  # the other kind waits for another runner
    assert JobRunner(project, besides=("test-refuse",)).run_one() is None
    assert jobs.get_job(project, refused.id).status == "queued"
    rest = JobRunner(project, besides=("test-count",)).run_one()
    assert rest is not None and rest.id == refused.id and rest.status == "failed"


def _claim_as(project: Project, worker: str, heartbeat: dt.datetime) -> int:
    job = jobs.enqueue(project, "test-count", {"n": 99})
    with project.store.transaction() as session:
        session.execute(update(Job).where(Job.id == job.id).values(status="running", worker=worker, heartbeat=heartbeat))
    return job.id


def _dead_pid() -> int:
    pid = os.getpid() + 1
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_orphaned_jobs_are_queued_again_and_live_ones_are_not(project: Project) -> None:
    host, now = socket.gethostname(), utcnow()
    dead_here = _claim_as(project, f"{host}:{_dead_pid()}:abc", now)  # fresh heartbeat, but the process is gone
    alive_here = _claim_as(project, f"{host}:{os.getpid()}:abc", now - dt.timedelta(hours=1))  # silent but alive
    stale_there = _claim_as(project, "elsewhere:123:abc", now - dt.timedelta(minutes=10))
    fresh_there = _claim_as(project, "elsewhere:124:abc", now)
    runner = JobRunner(project, stale_after=dt.timedelta(minutes=2))
    assert sorted(runner.sweep()) == sorted([dead_here, stale_there])
    assert jobs.get_job(project, alive_here).status == "running"
    assert jobs.get_job(project, fresh_there).status == "running"
    RAN.clear()
    while runner.run_one() is not None:
        pass
    again = jobs.get_job(project, dead_here)
    assert again.status == "done" and again.attempts == 1 and RAN == [99, 99]
