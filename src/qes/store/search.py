"""Search strategies, their versions and the search log: query functions (the services decide)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qes.store.schema import Import, Source
from qes.store.schema_search import SearchRun, SearchStrategy, SearchStrategyVersion


def get_strategy(session: Session, project_id: int, name: str) -> SearchStrategy | None:
    return session.scalar(select(SearchStrategy).where(SearchStrategy.project_id == project_id, SearchStrategy.name == name))


def create_strategy(session: Session, project_id: int, name: str, created_by: str) -> SearchStrategy:
    row = SearchStrategy(project_id=project_id, name=name, created_by=created_by)
    session.add(row)
    session.flush()
    return row


def latest_version(session: Session, strategy_id: int) -> SearchStrategyVersion | None:
    return session.scalar(
        select(SearchStrategyVersion)
        .where(SearchStrategyVersion.strategy_id == strategy_id)
        .order_by(SearchStrategyVersion.version.desc())
        .limit(1)
    )


def get_version(session: Session, strategy_id: int, version: int) -> SearchStrategyVersion | None:
    return session.scalar(
        select(SearchStrategyVersion).where(
            SearchStrategyVersion.strategy_id == strategy_id, SearchStrategyVersion.version == version
        )
    )


def get_version_by_id(session: Session, version_id: int) -> SearchStrategyVersion | None:
    return session.get(SearchStrategyVersion, version_id)


def list_versions(session: Session, strategy_id: int) -> list[SearchStrategyVersion]:
    return list(
        session.scalars(
            select(SearchStrategyVersion)
            .where(SearchStrategyVersion.strategy_id == strategy_id)
            .order_by(SearchStrategyVersion.version)
        )
    )


def lock_strategy(session: Session, strategy_id: int) -> None:
    """Hold the strategy row until commit (FOR UPDATE on PostgreSQL; SQLite's write lock already
    serialises), so two people saving at once read each other's version: n+1 and n+2, never two n+1."""
    session.scalar(select(SearchStrategy.id).where(SearchStrategy.id == strategy_id).with_for_update())


def add_version(
    session: Session, strategy: SearchStrategy, *, syntax: str, text: str, tree: dict[str, Any], note: str, created_by: str
) -> SearchStrategyVersion:
    """Append the next version (the caller holds `lock_strategy`)."""
    last = session.scalar(select(func.max(SearchStrategyVersion.version)).where(SearchStrategyVersion.strategy_id == strategy.id))
    row = SearchStrategyVersion(
        strategy_id=strategy.id,
        version=(last or 0) + 1,
        syntax=syntax,
        text=text,
        tree=tree,
        note=note,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class StrategySummary:
    name: str
    versions: int
    latest: SearchStrategyVersion
    created_by: str
    created_at: dt.datetime
    runs: int


def list_strategies(session: Session, project_id: int) -> list[StrategySummary]:
    strategies = list(
        session.scalars(select(SearchStrategy).where(SearchStrategy.project_id == project_id).order_by(SearchStrategy.name))
    )
    runs = dict(
        session.execute(
            select(SearchRun.strategy_id, func.count())
            .where(SearchRun.project_id == project_id, SearchRun.strategy_id.is_not(None))
            .group_by(SearchRun.strategy_id)
        ).all()
    )
    out = []
    for s in strategies:
        versions = list_versions(session, s.id)
        if versions:
            out.append(StrategySummary(s.name, len(versions), versions[-1], s.created_by, s.created_at, int(runs.get(s.id, 0))))
    return out


def add_run(session: Session, **fields: Any) -> SearchRun:
    row = SearchRun(**fields)
    session.add(row)
    session.flush()
    return row


def get_run(session: Session, project_id: int, run_id: int) -> SearchRun | None:
    return session.scalar(select(SearchRun).where(SearchRun.project_id == project_id, SearchRun.id == run_id))


def get_import(session: Session, project_id: int, import_id: int) -> tuple[Import, Source] | None:
    row = session.execute(
        select(Import, Source)
        .join(Source, Source.id == Import.source_id)
        .where(Import.project_id == project_id, Import.id == import_id)
    ).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class RunRow:
    """A search-log row with what it links to: strategy name and version, source and import file."""

    run: SearchRun
    strategy: str | None
    version: int | None
    source: str | None
    file: str | None
    records_imported: int | None


def list_runs(session: Session, project_id: int, *, strategy_id: int | None = None) -> list[RunRow]:
    stmt = (
        select(SearchRun, SearchStrategy.name, SearchStrategyVersion.version, Source.name, Import.file_name, Import.record_count)
        .join(SearchStrategy, SearchStrategy.id == SearchRun.strategy_id, isouter=True)
        .join(SearchStrategyVersion, SearchStrategyVersion.id == SearchRun.strategy_version_id, isouter=True)
        .join(Source, Source.id == SearchRun.source_id, isouter=True)
        .join(Import, Import.id == SearchRun.import_id, isouter=True)
        .where(SearchRun.project_id == project_id)
        .order_by(SearchRun.run_on, SearchRun.id)
    )
    if strategy_id is not None:
        stmt = stmt.where(SearchRun.strategy_id == strategy_id)
    return [RunRow(*row) for row in session.execute(stmt)]


def runs_of_import(session: Session, import_id: int) -> list[SearchRun]:
    return list(session.scalars(select(SearchRun).where(SearchRun.import_id == import_id)))
