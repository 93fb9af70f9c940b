"""Duplicate groups and the review queue in the database (see `qes.services.dedupe_project`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from qes.records.model import Record
from qes.store.records import row_to_record
from qes.store.schema import DuplicateGroup, DuplicatePair, Import, RecordRow, Source, utcnow


@dataclass(frozen=True, slots=True)
class RecordState:
    """What de-duplication needs to know of a stored record besides its fields."""

    id: int
    status: str
    group_id: int | None
    source: str


def iter_records_with_state(session: Session, project_id: int, batch: int = 2000) -> Iterator[tuple[RecordState, Record]]:
    sources = {
        imp.id: (imp.file_name, src.name, imp.format)
        for imp, src in session.execute(
            select(Import, Source).join(Source, Source.id == Import.source_id).where(Import.project_id == project_id)
        )
    }
    stmt = select(RecordRow).where(RecordRow.project_id == project_id).order_by(RecordRow.id)
    for row in session.scalars(stmt.execution_options(yield_per=batch)):
        file_name, source, fmt = sources.get(row.import_id, ("", "", ""))
        state = RecordState(row.id, row.status, row.group_id, source)
        yield state, row_to_record(row, file_name=file_name, source=source, fmt=fmt)


def active_groups(session: Session, project_id: int) -> dict[int, list[int]]:
    """Group id → member record ids, for groups in force."""
    rows = session.execute(
        select(RecordRow.group_id, RecordRow.id)
        .join(DuplicateGroup, DuplicateGroup.id == RecordRow.group_id)
        .where(RecordRow.project_id == project_id, DuplicateGroup.status == "active")
        .order_by(RecordRow.id)
    )
    groups: dict[int, list[int]] = {}
    for group_id, record_id in rows:
        if group_id is not None:  # the join on active groups guarantees it; the check tells mypy
            groups.setdefault(group_id, []).append(record_id)
    return groups


def get_group(session: Session, project_id: int, group_id: int) -> DuplicateGroup | None:
    group = session.get(DuplicateGroup, group_id)
    return group if group is not None and group.project_id == project_id else None


def group_members(session: Session, group_id: int) -> list[RecordRow]:
    return list(session.scalars(select(RecordRow).where(RecordRow.group_id == group_id).order_by(RecordRow.id)))


def create_group(session: Session, project_id: int, members: Sequence[int], rule: str, actor: str) -> DuplicateGroup:
    """A new active group; the earliest record is the primary, the others become duplicates."""
    group = DuplicateGroup(
        project_id=project_id, primary_record_id=min(members), rule=rule, created_by=actor, created_at=utcnow()
    )
    session.add(group)
    session.flush()
    add_members(session, group, members)
    return group


def add_members(session: Session, group: DuplicateGroup, members: Iterable[int]) -> None:
    ids = list(members)
    session.execute(update(RecordRow).where(RecordRow.id.in_(ids)).values(group_id=group.id))
    session.execute(
        update(RecordRow)
        .where(RecordRow.id.in_(ids), RecordRow.id != group.primary_record_id, RecordRow.status == "imported")
        .values(status="duplicate")
    )


def absorb_group(session: Session, keep: DuplicateGroup, other: DuplicateGroup) -> None:
    members = [r.id for r in group_members(session, other.id)]
    other.status = "absorbed"
    other.absorbed_into = keep.id
    add_members(session, keep, members)


@dataclass(slots=True)
class Union:
    """What `unite` did: the group in force, whether it is new, groups it absorbed, records it added."""

    group: DuplicateGroup
    created: bool
    absorbed: list[int]
    added: list[int]


def unite(session: Session, project_id: int, members: Sequence[int], rule: str, actor: str) -> Union:
    """Make `members` one group: a new one, or the oldest active group any of them is in, which
    absorbs the others' groups and takes in the records that had none."""
    rows = list(session.scalars(select(RecordRow).where(RecordRow.project_id == project_id, RecordRow.id.in_(list(members)))))
    ungrouped = [r.id for r in rows if r.group_id is None]
    current = sorted({r.group_id for r in rows if r.group_id is not None})
    active = [g for g in (get_group(session, project_id, gid) for gid in current) if g is not None and g.status == "active"]
    if not active:
        return Union(create_group(session, project_id, members, rule, actor), True, [], list(members))
    keep = active[0]
    for other in active[1:]:
        absorb_group(session, keep, other)
    if ungrouped:
        add_members(session, keep, ungrouped)
    return Union(keep, False, [g.id for g in active[1:]], ungrouped)


def dissolve_group(session: Session, group: DuplicateGroup) -> list[int]:
    """Undo: members leave the group and count as records of their own again."""
    members = [r.id for r in group_members(session, group.id)]
    session.execute(update(RecordRow).where(RecordRow.id.in_(members), RecordRow.status == "duplicate").values(status="imported"))
    session.execute(update(RecordRow).where(RecordRow.group_id == group.id).values(group_id=None))
    group.status = "undone"
    return members


def list_groups(session: Session, project_id: int, status: str = "active") -> list[tuple[DuplicateGroup, int]]:
    """Groups with their member counts, newest first."""
    counts = (
        select(RecordRow.group_id, func.count().label("n"))
        .where(RecordRow.project_id == project_id, RecordRow.group_id.is_not(None))
        .group_by(RecordRow.group_id)
        .subquery()
    )
    rows = session.execute(
        select(DuplicateGroup, counts.c.n)
        .join(counts, counts.c.group_id == DuplicateGroup.id)
        .where(DuplicateGroup.project_id == project_id, DuplicateGroup.status == status)
        .order_by(DuplicateGroup.id.desc())
    )
    return [(g, n) for g, n in rows]


def known_pairs(session: Session, project_id: int) -> dict[tuple[int, int], str]:
    rows = session.execute(
        select(DuplicatePair.record_a, DuplicatePair.record_b, DuplicatePair.status).where(DuplicatePair.project_id == project_id)
    )
    return {(a, b): status for a, b, status in rows}


def add_pair(
    session: Session, project_id: int, a: int, b: int, reason: str, score: float, status: str = "open", actor: str = ""
) -> None:
    first, second = min(a, b), max(a, b)
    session.add(
        DuplicatePair(
            project_id=project_id,
            record_a=first,
            record_b=second,
            reason=reason[:200],
            score=score,
            status=status,
            decided_by=actor if status != "open" else "",
            decided_at=utcnow() if status != "open" else None,
        )
    )


def set_pair_status(session: Session, project_id: int, a: int, b: int, status: str, actor: str, reason: str) -> DuplicatePair:
    first, second = min(a, b), max(a, b)
    pair = session.scalars(
        select(DuplicatePair).where(
            DuplicatePair.project_id == project_id, DuplicatePair.record_a == first, DuplicatePair.record_b == second
        )
    ).first()
    if pair is None:
        add_pair(session, project_id, first, second, reason, 0.0, status, actor)
        session.flush()
        return set_pair_status(session, project_id, first, second, status, actor, reason)
    pair.status = status
    pair.decided_by = actor
    pair.decided_at = utcnow()
    return pair


def get_pair(session: Session, project_id: int, pair_id: int) -> DuplicatePair | None:
    pair = session.get(DuplicatePair, pair_id)
    return pair if pair is not None and pair.project_id == project_id else None


def open_pairs(session: Session, project_id: int, limit: int | None = None) -> list[DuplicatePair]:
    stmt = (
        select(DuplicatePair)
        .where(DuplicatePair.project_id == project_id, DuplicatePair.status == "open")
        .order_by(DuplicatePair.score.desc(), DuplicatePair.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_pairs(session: Session, project_id: int) -> dict[str, int]:
    rows = session.execute(
        select(DuplicatePair.status, func.count()).where(DuplicatePair.project_id == project_id).group_by(DuplicatePair.status)
    )
    return {status: n for status, n in rows}


def duplicates_per_source(session: Session, project_id: int) -> dict[str, int]:
    """Records removed as duplicates, by the source (database) they came from: the PRISMA count."""
    rows = session.execute(
        select(Source.name, func.count())
        .select_from(RecordRow)
        .join(Import, Import.id == RecordRow.import_id)
        .join(Source, Source.id == Import.source_id)
        .where(RecordRow.project_id == project_id, RecordRow.status == "duplicate")
        .group_by(Source.name)
        .order_by(Source.name)
    )
    return {name: n for name, n in rows}
