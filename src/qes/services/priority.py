"""Prioritised screening as a service: live rankings per reviewer, refreshed in the background.

A reviewer's ranking learns from the stage's resolved outcomes and that reviewer's own votes, never
another reviewer's unresolved vote (the blind rule holds for the model too). The team ranking
(reviewer '') learns from resolved outcomes only. Features are built once per stage record set and
kept in memory; a refresh is then one fit and one scoring pass (benchmarks/screening_bench.py).
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from qes.prioritise.features import FeatureMatrix, matrix
from qes.prioritise.presets import get_preset
from qes.prioritise.rank import rank
from qes.services.project import Project
from qes.services.screening import SCREENING_ROLES, locate, require_role, stage_rows
from qes.store import priority as priority_store
from qes.store import screening as screen_store
from qes.store.schema import Stage as StageRow

if TYPE_CHECKING:  # scipy.sparse takes a tenth of a second to import; only annotations here
    pass

_features_lock = threading.Lock()
_features: dict[tuple[str, int, str], tuple[str, list[int], FeatureMatrix]] = {}


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
) -> tuple[list[int], FeatureMatrix]:
    """The stage's feature matrix, rebuilt only when the stage's record set changes."""
    ids = priority_store.stage_record_ids(session, project.id, stage_row, prev_row)
    digest = hashlib.sha1(np.asarray(ids, dtype=np.int64).tobytes()).hexdigest()
    key = (project.store.url, stage_row.id, preset)
    with _features_lock:
        cached = _features.get(key)
        if cached and cached[0] == digest:
            return cached[1], cached[2]
    texts = priority_store.stage_texts(session, project.id, stage_row, prev_row)
    X = matrix(texts, get_preset(preset).features)
    with _features_lock:
        _features[key] = (digest, [t["id"] for t in texts], X)
    return [t["id"] for t in texts], X


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
        ids, X = _stage_features(session, project, stage_row, prev_row, preset)
        labels = priority_store.training_labels(session, stage.id, reviewer)
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
    return RankingInfo(stage.name, reviewer, preset, result.labelled, result.included, len(ids), seconds, _now())


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

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qes-ranking")
_pending_lock = threading.Lock()
_pending: dict[tuple[str, int, str, str], Future[Any]] = {}
_unfinished: set[Future[Any]] = set()  # queued or running: what wait_idle waits for


def schedule_refresh(project: Project, stage_name: str | None, reviewer: str) -> Future[Any]:
    """Refresh `reviewer`'s and the team's rankings in the background; requests already queued merge."""
    key = (project.store.url, project.id, stage_name or "", reviewer)
    with _pending_lock:
        queued = _pending.get(key)
        if queued is not None and not queued.running() and not queued.done():
            return queued

        def work() -> None:
            with _pending_lock:
                _pending.pop(key, None)
            refresh_ranking(project, stage_name, reviewer)
            refresh_ranking(project, stage_name, "")

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
