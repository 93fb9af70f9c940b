"""Prioritised screening as a service: live rankings per reviewer, refreshed in the background.

A reviewer's ranking learns from the stage's resolved outcomes and that reviewer's own votes, never
another reviewer's unresolved vote (the blind rule holds for the model too). The team ranking
(reviewer '') learns from resolved outcomes only. Features are built once per stage record set and
kept in memory; a refresh is then one fit and one scoring pass (benchmarks/screening_bench.py).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from qes.prioritise.features import FeatureMatrix, matrix
from qes.prioritise.presets import get_preset
from qes.prioritise.rank import rank
from qes.services.project import Project, ProjectConfig
from qes.services.screening import SCREENING_ROLES, locate, require_role, stage_rows
from qes.store import Store
from qes.store import priority as priority_store
from qes.store import screening as screen_store
from qes.store.schema import Stage as StageRow

if TYPE_CHECKING:  # scipy.sparse takes a tenth of a second to import; only annotations here
    pass

_features_lock = threading.Lock()
_features: dict[tuple[str, int, str], tuple[tuple[Any, ...], list[int], FeatureMatrix]] = {}


@dataclass(frozen=True)
class RankingInfo:
    stage: str
    reviewer: str
    preset: str
    labelled: int
    included: int
    records: int
    seconds: float
    computed_at: str

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _stage_features(
    session: Session, project: Project, stage_row: StageRow, prev_row: StageRow | None, preset: str
) -> tuple[tuple[Any, ...], list[int], FeatureMatrix]:
    """(the record set's signature, its ids, its feature matrix): rebuilt only when the stage's record
    set changes, which the signature tells without reading the 50,000 ids on every refresh."""
    signature = priority_store.record_set_signature(session, project.id, stage_row, prev_row)
    key = (project.store.url, stage_row.id, preset)
    with _features_lock:
        cached = _features.get(key)
        if cached and cached[0] == signature:
            return signature, cached[1], cached[2]
    texts = priority_store.stage_texts(session, project.id, stage_row, prev_row)
    X = matrix(texts, get_preset(preset).features)
    ids = [t["id"] for t in texts]
    with _features_lock:
        _features[key] = (signature, ids, X)
    return signature, ids, X


# What each ranking this process stored was fitted on, and the version it stored: a refresh whose
# features and labels are the same as the stored ranking's would refit the same model to the same
# ranking (a team ranking sees no new label until a record is resolved), so it is skipped.
_fitted: dict[tuple[str, int, str], tuple[Any, ...]] = {}


def _labels_digest(labels: dict[int, int]) -> str:
    pairs = np.asarray(sorted(labels.items()), dtype=np.int64)
    return hashlib.sha1(pairs.tobytes()).hexdigest()


def refresh_ranking(project: Project, stage_name: str | None, reviewer: str = "") -> RankingInfo | None:
    """Retrain and store `reviewer`'s ranking ('' = the team's); None while both classes are not yet known."""
    started = time.perf_counter()
    with project.store.read() as session:
        if reviewer:
            require_role(session, project.id, reviewer, SCREENING_ROLES, "screen")
        _stages, stage, previous = locate(session, project, stage_name)
        stage_row, prev_row = stage_rows(session, stage, previous)
        settings = priority_store.get_priority(session, stage.id)
        preset = settings.preset if settings else "qes"
        signature, ids, X = _stage_features(session, project, stage_row, prev_row, preset)
        labels = priority_store.training_labels(session, stage.id, reviewer)
        key = (project.store.url, stage.id, reviewer)
        fitted_on = (preset, signature, _labels_digest(labels))
        stored = priority_store.ranking_versions(session, stage.id, (reviewer,)).get(reviewer)
        last = _fitted.get(key)
        if last is not None and stored is not None and last[:2] == (fitted_on, stored):
            return last[2]
    result = rank(ids, X, labels, get_preset(preset).model)
    if result is None:
        return None
    seconds = time.perf_counter() - started
    with project.store.transaction() as session:
        priority_store.save_ranking(
            session,
            project.id,
            stage.id,
            reviewer,
            preset=preset,
            record_ids=result.record_ids,
            scores=result.scores,
            labelled=result.labelled,
            included=result.included,
            seconds=seconds,
        )
        stored = priority_store.ranking_versions(session, stage.id, (reviewer,)).get(reviewer)
    info = RankingInfo(stage.name, reviewer, preset, result.labelled, result.included, len(ids), seconds, _now())
    _fitted[key] = (fitted_on, stored, info)
    return info


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def ranking_info(project: Project, stage_name: str | None, reviewer: str = "") -> RankingInfo | None:
    with project.store.read() as session:
        _stages, stage, _previous = locate(session, project, stage_name)
        row = priority_store.load_ranking(session, stage.id, reviewer)
        if row is None:
            return None
        return RankingInfo(
            stage.name,
            reviewer,
            row.preset,
            row.labelled,
            row.included,
            len(priority_store.ranking_order(row)),
            row.seconds,
            row.computed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )


def top_records(project: Project, stage_name: str | None, reviewer: str, n: int = 20) -> list[dict[str, Any]]:
    """The `n` records `reviewer` would be served next, with their scores (what `qes rank` prints)."""
    with project.store.read() as session:
        require_role(session, project.id, reviewer, SCREENING_ROLES, "screen")
        _stages, stage, previous = locate(session, project, stage_name)
        stage_row, prev_row = stage_rows(session, stage, previous)
        row = priority_store.load_ranking(session, stage.id, reviewer)
        waiting = set(screen_store.waiting_ids(session, project.id, stage_row, prev_row, reviewer))
        if row is None:
            return [{"record_id": r, "score": None} for r in sorted(waiting)[:n]]
        order, scores = priority_store.ranking_order(row), priority_store.ranking_scores(row)
        out = []
        for rid, score in zip(order, scores, strict=True):
            if int(rid) in waiting:
                out.append({"record_id": int(rid), "score": round(float(score), 4)})
                if len(out) == n:
                    break
        return out


# --- background refresh ------------------------------------------------------------------------------

log = logging.getLogger(__name__)
# The web server queues refreshes as durable jobs (`qes.services.jobs`, kind "rank"), which fit in a
# child process: TF-IDF and the classifiers hold the GIL for seconds (27 s for a 50,000-record
# stage's first features), which would stall every request of the server. The CLI refreshes on a thread.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qes-ranking")
_child: ProcessPoolExecutor | None = None
_child_stores: dict[str, Store] = {}


def refresh_in_child_process() -> None:
    """From now on, fit this process's `refresh_pair` calls in one separate worker process (`qes serve` calls it)."""
    global _child
    if _child is None:
        # Niced: the fitting is background work and must leave the CPU to the requests on a small server.
        _child = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_child_setup)


def _child_setup() -> None:
    """In the child: lowest priority, and die with the server (Linux), so no fit outlives a killed server."""
    # SCHED_IDLE (Linux) runs the fits only on CPU time no request wants: a request's thread preempts
    # the fit at once, where a niced fit still takes its share of a busy 2-core server. Elsewhere: nice.
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(10)
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the server died before the line above ran
            os._exit(0)


def stop_child_process() -> None:
    """End the child at once (the server is stopping): a fit in progress is lost; its job is queued again."""
    global _child
    if _child is not None:
        for process in list(getattr(_child, "_processes", {}).values()):
            process.kill()  # the waiting thread's future then fails, so nothing waits at exit
        _child.shutdown(wait=False, cancel_futures=True)
        _child = None


def _refresh_there(
    config: ProjectConfig, url: str, project_id: int, actor: str, stage_name: str | None, reviewer: str
) -> tuple[RankingInfo | None, RankingInfo | None]:
    """In the child process: the two refreshes, on its own store (kept open, and its feature cache warm)."""
    store = _child_stores.get(url) or _child_stores.setdefault(url, Store(url))
    project = Project(config, store, project_id, actor)
    return refresh_ranking(project, stage_name, reviewer), refresh_ranking(project, stage_name, "")


def refresh_pair(project: Project, stage_name: str | None, reviewer: str) -> tuple[RankingInfo | None, RankingInfo | None]:
    """Refresh `reviewer`'s ranking and the team's now (in the child process if there is one); wait for both."""
    child = _child
    if child is not None:
        args = (project.config, project.store.url, project.id, project.actor, stage_name, reviewer)
        return child.submit(_refresh_there, *args).result()
    return refresh_ranking(project, stage_name, reviewer), refresh_ranking(project, stage_name, "")


_pending_lock = threading.Lock()
_pending: dict[tuple[str, int, str, str], Future[Any]] = {}
_unfinished: set[Future[Any]] = set()  # queued or running: what wait_idle waits for


def schedule_refresh(project: Project, stage_name: str | None, reviewer: str) -> Future[Any]:
    """Refresh `reviewer`'s and the team's rankings on a background thread; requests already queued merge."""
    key = (project.store.url, project.id, stage_name or "", reviewer)
    with _pending_lock:
        queued = _pending.get(key)
        if queued is not None and not queued.running() and not queued.done():
            return queued

        def work() -> tuple[RankingInfo | None, RankingInfo | None]:
            with _pending_lock:
                _pending.pop(key, None)
            return refresh_pair(project, stage_name, reviewer)

        future = _executor.submit(work)
        _pending[key] = future
        _unfinished.add(future)
    future.add_done_callback(_finished)
    return future


def _finished(future: Future[Any]) -> None:
    with _pending_lock:
        _unfinished.discard(future)


def wait_idle(timeout: float | None = 60.0) -> None:
    """Wait for queued refreshes (a CLI session ends only after its last ranking is stored)."""
    with _pending_lock:
        futures = list(_unfinished)
    for future in futures:
        future.result(timeout=timeout)
