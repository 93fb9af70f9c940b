"""Rankings, stage order settings and the labels a ranking learns from (the database side only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from qes.store.schema import Ranking, RecordRow, ScreeningDecision, ScreeningOutcome, Stage, StagePriority, utcnow
from qes.store.screening import first_stage_signature, stage_records

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
            RecordRow.year,
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
            "year": r.year,
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
    """Store (or replace) the ranking."""
    values = {
        "preset": preset,
        "record_ids": np.asarray(record_ids, dtype=np.int64).tobytes(),
        "scores": np.asarray(scores, dtype=np.float32).tobytes(),
        "labelled": labelled,
        "included": included,
        "seconds": seconds,
        "computed_at": utcnow(),
    }
    # By id, never loading the stored row: its two arrays are 600 kB at 50,000 records.
    ranking_id = session.scalar(select(Ranking.id).where(Ranking.stage_id == stage_id, Ranking.reviewer == reviewer))
    if ranking_id is None:
        session.execute(insert(Ranking).values(project_id=project_id, stage_id=stage_id, reviewer=reviewer, **values))
    else:
        session.execute(update(Ranking).where(Ranking.id == ranking_id).values(**values))


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


# Serving orders decoded once per process: a stage's order is read on every "next record", and decoding a
# 50,000-record ranking (or drawing the random permutation) costs more than the rest of the request.
# Keys hold what changes the order (the ranking row's time; the record set's count, max and sum of ids).
_ORDERS: dict[tuple[Any, ...], list[int]] = {}
_ORDERS_KEPT = 64


def _remember(key: tuple[Any, ...], make: Any) -> list[int]:
    order = _ORDERS.get(key)
    if order is None:
        order = make()
        if len(_ORDERS) >= _ORDERS_KEPT:
            _ORDERS.pop(next(iter(_ORDERS)))
        _ORDERS[key] = order
    return order


def ranking_versions(session: Session, stage_id: int, reviewers: tuple[str, ...]) -> dict[str, tuple[int, Any]]:
    """(id, computed_at) of the stage's stored rankings for `reviewers` ("" is the team's), in one query."""
    rows = session.execute(
        select(Ranking.reviewer, Ranking.id, Ranking.computed_at).where(
            Ranking.stage_id == stage_id, Ranking.reviewer.in_(reviewers)
        )
    ).all()
    return {str(who): (int(ranking_id), at) for who, ranking_id, at in rows}


def record_set_signature(session: Session, project_id: int, stage: Stage, previous: Stage | None) -> tuple[Any, ...]:
    """What changes whenever the stage's record set does, read without touching the records' rows:
    `first_stage_signature` for a first stage (summing its ids would read all 50,000 rows on
    PostgreSQL on every "next record"); for a later stage the previous stage's advancing outcomes,
    a small indexed set summed exactly."""
    if previous is not None:
        column = stage_records(project_id, stage, previous).subquery().c[0]
        return tuple(session.execute(select(func.count(), func.max(column), func.sum(column))).one())
    return first_stage_signature(session, project_id)


def serving_order(session: Session, project_id: int, stage: Stage, previous: Stage | None, reviewer: str) -> list[int]:
    """The order a stage is served in to `reviewer` (records not in it come after, in id order; [] = id order).

    priority: the reviewer's ranking (else the team's, else none yet); random: a fixed permutation of
    the stage's records (the random sample of the strict stopping test); file: record id order.
    """
    settings = get_priority(session, stage.id)
    mode = settings.order if settings else "priority"
    url = str(session.get_bind().engine.url)

    def record_set() -> tuple[Any, ...]:
        return (
            url,
            stage.id,
            previous.id if previous else None,
            record_set_signature(session, project_id, stage, previous),
        )

    def id_order() -> list[int]:
        # SQLite walks the id index for "ORDER BY id LIMIT 1" ([] says so). PostgreSQL's planner instead
        # filters and sorts the whole stage (120 ms at 50,000 records), so it gets the ids as an explicit
        # order, walked in chunks like a ranking (the record set's signature costs a few ms).
        if session.get_bind().dialect.name == "sqlite":
            return []
        return _remember(("file", *record_set()), lambda: stage_record_ids(session, project_id, stage, previous))

    if mode == "file":
        return id_order()
    if mode == "random":

        def permutation() -> list[int]:
            found = np.asarray(stage_record_ids(session, project_id, stage, previous), dtype=np.int64)
            return [int(i) for i in np.random.default_rng(stage.id).permutation(found)]

        return _remember(("random", *record_set()), permutation)
    versions = ranking_versions(session, stage.id, (reviewer, ""))
    for who in (reviewer, ""):
        version = versions.get(who)
        if version is not None:

            def decoded(who: str = who) -> list[int]:
                row = load_ranking(session, stage.id, who)
                return ranking_order(row).tolist() if row is not None else []  # ints, decoded in C

            return _remember((url, "ranking", stage.id, who, version), decoded)
    return id_order()
