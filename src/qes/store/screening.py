"""Protocol criteria, stages, screening decisions and outcomes in the database.

A stage's records: at the first stage every unique record (duplicates are screened once, through
their group's primary); at a later stage the records resolved at the stage before with a decision
that advances. Queries here return rows; the rules live in `qes.screening.resolve`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Integer, Select, and_, any_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, load_only

from qes.screening.resolve import DECISIONS
from qes.store.schema import (
    Criterion,
    DuplicateGroup,
    FullText,
    Import,
    PilotRound,
    RecordRow,
    ScreeningDecision,
    ScreeningOutcome,
    Stage,
    utcnow,
)

# --- protocol -------------------------------------------------------------------------------------


def list_criteria(session: Session, project_id: int) -> list[Criterion]:
    return list(session.scalars(select(Criterion).where(Criterion.project_id == project_id).order_by(Criterion.position)))


def get_criterion(session: Session, project_id: int, code: str) -> Criterion | None:
    return session.scalar(select(Criterion).where(Criterion.project_id == project_id, Criterion.code == code))


def add_criterion(session: Session, project_id: int, code: str, kind: str, text: str) -> Criterion:
    position = session.scalar(select(func.count()).where(Criterion.project_id == project_id)) or 0
    row = Criterion(project_id=project_id, code=code, kind=kind, text=text, position=position)
    session.add(row)
    session.flush()
    return row


def list_stages(session: Session, project_id: int) -> list[Stage]:
    return list(session.scalars(select(Stage).where(Stage.project_id == project_id).order_by(Stage.position)))


def add_stage(session: Session, project_id: int, **fields: Any) -> Stage:
    position = session.scalar(select(func.count()).where(Stage.project_id == project_id)) or 0
    row = Stage(project_id=project_id, position=position, created_at=utcnow(), **fields)
    session.add(row)
    session.flush()
    return row


# --- which records are at a stage -------------------------------------------------------------------


def stage_records(project_id: int, stage: Stage, previous: Stage | None) -> Select[Any]:
    """SELECT of the record ids at `stage` (resolved there or not)."""
    if previous is None:
        return select(RecordRow.id).where(RecordRow.project_id == project_id, RecordRow.status != "duplicate")
    advancing = ScreeningOutcome.decision == "include"
    if previous.maybe_advances:
        advancing = or_(advancing, ScreeningOutcome.decision == "maybe")
    return select(ScreeningOutcome.record_id).where(ScreeningOutcome.stage_id == previous.id, advancing)


def is_at_stage(
    session: Session, project_id: int, stage: Stage, previous: Stage | None, record_id: int, *, status: str | None = None
) -> bool:
    """Is the record at the stage? `status`: the record's, if the caller read it (a first stage needs no query)."""
    if previous is None and status is not None:
        return status != "duplicate"  # as stage_records says
    stmt = stage_records(project_id, stage, previous)
    column = stmt.selected_columns[0]
    return session.scalar(select(exists(stmt.where(column == record_id)))) or False


def _unresolved(stage: Stage, column: Any) -> Any:
    return ~exists().where(ScreeningOutcome.stage_id == stage.id, ScreeningOutcome.record_id == column)


def _waiting(
    session: Session, project_id: int, stage: Stage, previous: Stage | None, reviewer: str, skip: Iterable[int]
) -> tuple[Any, Any]:
    """(SELECT of record ids waiting for `reviewer` at the stage, its id column)."""
    ids = stage_records(project_id, stage, previous).subquery()
    column = ids.c[0]
    votes = select(func.count()).where(ScreeningDecision.stage_id == stage.id, ScreeningDecision.record_id == column)
    stmt = select(column).where(
        _unresolved(stage, column),
        ~exists().where(
            ScreeningDecision.stage_id == stage.id, ScreeningDecision.record_id == column, ScreeningDecision.reviewer == reviewer
        ),
        votes.scalar_subquery() < stage.reviewers,
    )
    if stage.kind == "fulltext":
        stmt = stmt.where(
            ~exists().where(FullText.record_id == column, FullText.project_id == project_id, FullText.status == "not_retrieved")
        )
    skipped = list(skip)
    if skipped:
        stmt = stmt.where(column.not_in(skipped))
    return stmt, column


def _among(session: Session, column: Any, ids: list[int]) -> Any:
    """`column IN ids`; on PostgreSQL as `= ANY(array)`: one parameter, so the statement's text is the same
    for any number of ids (psycopg converts a query of more than 50 parameters on every call, uncached, and
    the server can keep it prepared)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("among", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def next_record_id(
    session: Session,
    project_id: int,
    stage: Stage,
    previous: Stage | None,
    reviewer: str,
    *,
    first: Sequence[int] = (),
    skip: Iterable[int] = (),
    order: Sequence[int] = (),
) -> int | None:
    """The next record for `reviewer`: unresolved, not yet decided by them, still short of votes.

    `first` (a pilot sample) is served before the rest, then records in `order` (a priority order,
    best first), then any other in id order. Full texts marked not retrieved are skipped at a
    full-text stage (PRISMA counts them as not retrieved, not as assessed).
    """
    stmt, column = _waiting(session, project_id, stage, previous, reviewer, skip)
    if first:
        pilot = session.scalar(stmt.where(column.in_(list(first))).order_by(column).limit(1))
        if pilot is not None:
            return pilot
    # Walk the order in chunks: the best few dozen almost always hold the next record.
    start, chunk = 0, 64
    while start < len(order):
        candidates = list(order[start : start + chunk])
        waiting = set(session.scalars(stmt.where(_among(session, column, candidates))))
        if waiting:
            return next(i for i in candidates if i in waiting)
        start, chunk = start + chunk, min(chunk * 2, 4096)
    return session.scalar(stmt.order_by(column).limit(1))


def waiting_ids(session: Session, project_id: int, stage: Stage, previous: Stage | None, reviewer: str) -> list[int]:
    stmt, column = _waiting(session, project_id, stage, previous, reviewer, ())
    return list(session.scalars(stmt.order_by(column)))


def first_stage_signature(session: Session, project_id: int) -> tuple[int, ...]:
    """What moves whenever the first stage's record set does, without reading the records' rows (one query).

    Records only arrive by import (the imports' count and last id move; no record is ever deleted but
    with its project) and only leave or return by becoming or ceasing to be a duplicate (the count of
    duplicates, an index range, moves; so do the duplicate groups' last id or active count when a
    group is undone while another forms).
    """
    kept = _kept_signatures(session)
    if project_id not in kept:
        kept[project_id] = tuple(int(v or 0) for v in session.execute(select(*_signature_columns(project_id))).one())
    return kept[project_id]  # type: ignore[no-any-return]


def _kept_signatures(session: Session) -> dict[int, tuple[int, ...]]:
    # Read once per read-only session (one request): a session that writes may change it meanwhile.
    return session.info.setdefault("first_stage_signature", {}) if session.info.get("read_only") else {}  # type: ignore[no-any-return]


def _signature_columns(project_id: int) -> list[Any]:
    imports = Import.project_id == project_id
    groups = DuplicateGroup.project_id == project_id
    return [
        select(func.count(Import.id)).where(imports).scalar_subquery(),
        select(func.max(Import.id)).where(imports).scalar_subquery(),
        select(func.count()).where(RecordRow.project_id == project_id, RecordRow.status == "duplicate").scalar_subquery(),
        select(func.max(DuplicateGroup.id)).where(groups).scalar_subquery(),
        select(func.count()).where(groups, DuplicateGroup.status == "active").scalar_subquery(),
    ]


# The project's record count per (database, project, imports' count and last id): counting 50,000
# records costs PostgreSQL 3-5 ms once decisions have dirtied the rows' pages, on every "next record".
_RECORD_TOTALS: dict[tuple[Any, ...], int] = {}


def stage_size(
    session: Session, project_id: int, stage: Stage, previous: Stage | None, *, signature: tuple[int, ...] | None = None
) -> int:
    """How many records are at the stage (resolved there or not). A first stage: the project's records
    (counted once per set of imports) less its duplicates; `signature` if the caller read it."""
    if previous is not None:
        return session.scalar(select(func.count()).select_from(stage_records(project_id, stage, previous).subquery())) or 0
    signature = signature or first_stage_signature(session, project_id)
    key = (str(session.get_bind().engine.url), project_id, *signature[:2])
    total = _RECORD_TOTALS.get(key)
    if total is None:
        total = session.scalar(select(func.count()).where(RecordRow.project_id == project_id)) or 0
        if len(_RECORD_TOTALS) > 256:
            _RECORD_TOTALS.clear()
        _RECORD_TOTALS[key] = total
    return total - signature[2]


def count_stage(
    session: Session, project_id: int, stage: Stage, previous: Stage | None, reviewer: str = "", *, size: int | None = None
) -> dict[str, int]:
    """Records at the stage (`size`, if the caller counted them already), resolved per decision, and
    (if given) how many `reviewer` decided: one query (a first stage's signature read with them)."""

    def outcomes(decision: str) -> Any:
        chosen = ScreeningOutcome.stage_id == stage.id, ScreeningOutcome.decision == decision
        return select(func.count()).where(*chosen).scalar_subquery()

    # Votes exist only on records at their stage, so the reviewer's votes there are the count (index-only).
    mine = select(func.count()).where(ScreeningDecision.stage_id == stage.id, ScreeningDecision.reviewer == reviewer)
    columns = [outcomes(d) for d in DECISIONS] + [mine.scalar_subquery()]
    later_stage_count = size is None and previous is not None
    if later_stage_count:
        columns.append(select(func.count()).select_from(stage_records(project_id, stage, previous).subquery()).scalar_subquery())
    kept = _kept_signatures(session)
    signature = kept.get(project_id)
    read_signature = size is None and previous is None and signature is None
    if read_signature:
        columns += _signature_columns(project_id)
    found = [int(n or 0) for n in session.execute(select(*columns)).one()]
    if read_signature:
        signature = kept[project_id] = tuple(found[len(DECISIONS) + 1 :])
    if later_stage_count:
        size = found[len(DECISIONS) + 1]
    elif size is None:
        size = stage_size(session, project_id, stage, previous, signature=signature)
    counts = {"records": size, "resolved": sum(found[: len(DECISIONS)])}
    counts.update(dict(zip(DECISIONS, found, strict=False)))
    if reviewer:
        counts["mine"] = found[len(DECISIONS)]
    return counts


# --- decisions and outcomes -------------------------------------------------------------------------


def lock_record(session: Session, project_id: int, record_id: int) -> RecordRow | None:
    """The project's record (its status read), locked: serialises writers on one record (PostgreSQL row
    lock; SQLite already holds the write lock). None: no such record."""
    stmt = select(RecordRow).options(load_only(RecordRow.project_id, RecordRow.status))
    return session.scalar(stmt.where(RecordRow.id == record_id, RecordRow.project_id == project_id).with_for_update())


def votes_on(session: Session, stage_id: int, record_ids: Iterable[int]) -> dict[int, list[ScreeningDecision]]:
    ids = list(record_ids)
    found: dict[int, list[ScreeningDecision]] = {i: [] for i in ids}
    for chunk in range(0, len(ids), 900):
        part = ids[chunk : chunk + 900]
        stmt = select(ScreeningDecision).where(ScreeningDecision.stage_id == stage_id, ScreeningDecision.record_id.in_(part))
        for row in session.scalars(stmt.order_by(ScreeningDecision.id)):
            found[row.record_id].append(row)
    return found


def stage_votes(session: Session, stage_id: int) -> list[ScreeningDecision]:
    return list(
        session.scalars(select(ScreeningDecision).where(ScreeningDecision.stage_id == stage_id).order_by(ScreeningDecision.id))
    )


def outcome_of(session: Session, stage_id: int, record_id: int) -> ScreeningOutcome | None:
    return session.scalar(
        select(ScreeningOutcome).where(ScreeningOutcome.stage_id == stage_id, ScreeningOutcome.record_id == record_id)
    )


def stage_outcomes(session: Session, stage_id: int) -> dict[int, ScreeningOutcome]:
    rows = session.scalars(select(ScreeningOutcome).where(ScreeningOutcome.stage_id == stage_id))
    return {row.record_id: row for row in rows}


def insert_decisions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ScreeningDecision), list(rows))


def insert_outcomes(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ScreeningOutcome), list(rows))


def set_status(session: Session, record_ids: Iterable[int], status: str) -> None:
    ids = list(record_ids)
    for chunk in range(0, len(ids), 900):
        session.execute(update(RecordRow).where(RecordRow.id.in_(ids[chunk : chunk + 900])).values(status=status))


def records_with_votes(session: Session, stage_id: int) -> list[int]:
    """Records with at least one vote and no outcome at the stage (pending or in conflict)."""
    stmt = (
        select(ScreeningDecision.record_id)
        .where(
            ScreeningDecision.stage_id == stage_id,
            ~exists().where(
                and_(ScreeningOutcome.stage_id == stage_id, ScreeningOutcome.record_id == ScreeningDecision.record_id)
            ),
        )
        .group_by(ScreeningDecision.record_id)
        .order_by(ScreeningDecision.record_id)
    )
    return list(session.scalars(stmt))


# --- pilot rounds -----------------------------------------------------------------------------------


def latest_pilot(session: Session, stage_id: int) -> PilotRound | None:
    return session.scalar(select(PilotRound).where(PilotRound.stage_id == stage_id).order_by(PilotRound.id.desc()).limit(1))


def add_pilot(session: Session, project_id: int, stage_id: int, record_ids: Sequence[int], seed: int, actor: str) -> PilotRound:
    row = PilotRound(project_id=project_id, stage_id=stage_id, record_ids=list(record_ids), seed=seed, created_by=actor)
    session.add(row)
    session.flush()
    return row


def unresolved_unvoted(session: Session, project_id: int, stage: Stage, previous: Stage | None) -> list[int]:
    """Records at the stage no one has voted on yet (the pool a pilot sample is drawn from)."""
    ids = stage_records(project_id, stage, previous).subquery()
    column = ids.c[0]
    stmt = select(column).where(
        _unresolved(stage, column), ~exists().where(ScreeningDecision.stage_id == stage.id, ScreeningDecision.record_id == column)
    )
    return list(session.scalars(stmt.order_by(column)))


def delete_decision(session: Session, decision_id: int) -> None:
    session.execute(delete(ScreeningDecision).where(ScreeningDecision.id == decision_id))
