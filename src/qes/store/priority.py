"""Rankings, stage order settings and the labels a ranking learns from (the database side only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from qes.store.schema import Ranking, RecordRow, ScreeningDecision, ScreeningOutcome, Stage, StagePriority, utcnow
from qes.store.screening import stage_records

# Outcomes that are not a human judgement of the record: they teach a model nothing.
AUTOMATIC_METHODS = ("automation",)


def stage_texts(session: Session, project_id: int, stage: Stage, previous: Stage | None) -> list[dict[str, Any]]:
    """Every record at the stage with the fields a ranking reads, in id order."""
    ids = stage_records(project_id, stage, previous).subquery()
    rows = session.execute(
        select(
            RecordRow.id,
            RecordRow.title,
            RecordRow.abstract,
            RecordRow.keywords,
            RecordRow.headings,
            RecordRow.journal,
            RecordRow.authors,
        )
        .where(RecordRow.id.in_(select(ids.c[0])))
        .order_by(RecordRow.id)
    ).all()
    return [
        {
            "id": r.id,
            "title": r.title,
            "abstract": r.abstract,
            "keywords": r.keywords,
            "headings": r.headings,
            "journal": r.journal,
            "authors": r.authors,
        }
        for r in rows
    ]


def stage_record_ids(session: Session, project_id: int, stage: Stage, previous: Stage | None) -> list[int]:
    stmt = stage_records(project_id, stage, previous)
    return sorted(int(i) for i in session.scalars(stmt))


def training_labels(session: Session, stage_id: int, reviewer: str) -> dict[int, int]:
    """record id → 1 (include or maybe) / 0 (exclude): the stage's resolved outcomes, and `reviewer`'s
    own votes on records not yet resolved. Never another reviewer's unresolved vote (blind screening)."""
    labels: dict[int, int] = {}
    outcomes = session.execute(
        select(ScreeningOutcome.record_id, ScreeningOutcome.decision).where(
            ScreeningOutcome.stage_id == stage_id, ScreeningOutcome.method.not_in(AUTOMATIC_METHODS)
        )
    ).all()
    resolved = {int(r): d for r, d in outcomes}
    if reviewer:
        for record_id, decision in session.execute(
            select(ScreeningDecision.record_id, ScreeningDecision.decision).where(
                ScreeningDecision.stage_id == stage_id, ScreeningDecision.reviewer == reviewer
            )
        ):
            labels[int(record_id)] = 0 if decision == "exclude" else 1
    for record_id, decision in resolved.items():  # the team's outcome overrides a reviewer's own vote
        labels[record_id] = 0 if decision == "exclude" else 1
    return labels


def resolved_sequence(session: Session, stage_id: int) -> list[int]:
    """The stage's human outcomes as labels (1 include/maybe, 0 exclude) in the order resolved."""
    rows = session.execute(
        select(ScreeningOutcome.decision)
        .where(ScreeningOutcome.stage_id == stage_id, ScreeningOutcome.method.not_in(AUTOMATIC_METHODS))
        .order_by(ScreeningOutcome.resolved_at, ScreeningOutcome.id)
    ).all()
    return [0 if d == "exclude" else 1 for (d,) in rows]


def save_ranking(
    session: Session,
    project_id: int,
    stage_id: int,
    reviewer: str,
    *,
    preset: str,
    record_ids: Sequence[int],
    scores: Sequence[float],
    labelled: int,
    included: int,
    seconds: float,
) -> None:
    row = session.scalars(select(Ranking).where(Ranking.stage_id == stage_id, Ranking.reviewer == reviewer)).one_or_none()
    if row is None:
        row = Ranking(project_id=project_id, stage_id=stage_id, reviewer=reviewer)
        session.add(row)
    row.preset = preset
    row.record_ids = np.asarray(record_ids, dtype=np.int64).tobytes()
    row.scores = np.asarray(scores, dtype=np.float32).tobytes()
    row.labelled = labelled
    row.included = included
    row.seconds = seconds
    row.computed_at = utcnow()
    session.flush()


def load_ranking(session: Session, stage_id: int, reviewer: str) -> Ranking | None:
    return session.scalars(select(Ranking).where(Ranking.stage_id == stage_id, Ranking.reviewer == reviewer)).one_or_none()


def ranking_order(row: Ranking) -> np.ndarray:
    return np.frombuffer(row.record_ids, dtype=np.int64)


def ranking_scores(row: Ranking) -> np.ndarray:
    return np.frombuffer(row.scores, dtype=np.float32)


def get_priority(session: Session, stage_id: int) -> StagePriority | None:
    return session.scalars(select(StagePriority).where(StagePriority.stage_id == stage_id)).one_or_none()


def ensure_priority(session: Session, project_id: int, stage_id: int) -> StagePriority:
    row = get_priority(session, stage_id)
    if row is None:
        row = StagePriority(
            project_id=project_id,
            stage_id=stage_id,
            preset="qes",
            order="priority",
            rule="ranked",
            target=0.95,
            confidence=0.95,
            consecutive=100,
            stopped_by="",
            stop_verdict={},
            excluded=0,
            note="",
        )
        session.add(row)
        session.flush()
    return row


def stopped_stages(session: Session, project_id: int) -> list[tuple[str, StagePriority]]:
    """(stage name, its settings) for every stage stopped by its stopping rule, in stage order."""
    rows = session.execute(
        select(Stage.name, StagePriority)
        .join(Stage, Stage.id == StagePriority.stage_id)
        .where(StagePriority.project_id == project_id, StagePriority.stopped_at.is_not(None))
        .order_by(Stage.position)
    ).all()
    return [(name, row) for name, row in rows]


def serving_order(session: Session, project_id: int, stage: Stage, previous: Stage | None, reviewer: str) -> list[int]:
    """The order a stage is served in to `reviewer`: [] means record id order.

    priority: the reviewer's ranking (else the team's, else none yet); random: a fixed permutation of
    the stage's records (the random sample of the strict stopping test); file: record id order.
    """
    settings = get_priority(session, stage.id)
    mode = settings.order if settings else "priority"
    if mode == "file":
        return []
    if mode == "random":
        ids = np.asarray(stage_record_ids(session, project_id, stage, previous), dtype=np.int64)
        return [int(i) for i in np.random.default_rng(stage.id).permutation(ids)]
    row = load_ranking(session, stage.id, reviewer) or load_ranking(session, stage.id, "")
    return [int(i) for i in ranking_order(row)] if row is not None else []
