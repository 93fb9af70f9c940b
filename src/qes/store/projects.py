"""Projects, sources (databases as searched) and imports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qes.store.schema import Import, Project, RecordRow, Source


def get_project_by_slug(session: Session, slug: str) -> Project | None:
    return session.scalar(select(Project).where(Project.slug == slug))


def create_project(session: Session, *, slug: str, name: str) -> Project:
    project = Project(slug=slug, name=name, question="", settings={})
    session.add(project)
    session.flush()
    return project


def list_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.id)))


def get_or_create_source(
    session: Session,
    project_id: int,
    name: str,
    *,
    searched_on: dt.date | None = None,
    database: str = "",
    interface: str = "",
) -> tuple[Source, bool]:
    """The named source of a project, created on first use. Returns (source, created)."""
    source = session.scalar(select(Source).where(Source.project_id == project_id, Source.name == name))
    if source is not None:
        if searched_on and not source.searched_on:
            source.searched_on = searched_on
        return source, False
    source = Source(
        project_id=project_id,
        name=name,
        database=database,
        interface=interface,
        searched_on=searched_on,
        strategy="",
        kind="database",
    )
    session.add(source)
    session.flush()
    return source, True


def find_import_by_hash(session: Session, project_id: int, sha256: str) -> Import | None:
    return session.scalar(
        select(Import).where(Import.project_id == project_id, Import.sha256 == sha256).order_by(Import.id).limit(1)
    )


def has_import_of_size(session: Session, project_id: int, size_bytes: int) -> bool:
    """True when an earlier import of the project had a file of exactly this size."""
    stmt = select(Import.id).where(Import.project_id == project_id, Import.size_bytes == size_bytes).limit(1)
    return session.scalar(stmt) is not None


def list_imports(session: Session, project_id: int) -> list[tuple[Import, Source]]:
    stmt = (
        select(Import, Source)
        .join(Source, Source.id == Import.source_id)
        .where(Import.project_id == project_id)
        .order_by(Import.id)
    )
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


@dataclass(frozen=True)
class SourceCount:
    source_id: int
    name: str
    searched_on: dt.date | None
    hits_reported: int | None
    files: int
    records: int


def records_per_source(session: Session, project_id: int) -> list[SourceCount]:
    stmt = (
        select(
            Source.id,
            Source.name,
            Source.searched_on,
            Source.hits_reported,
            func.count(func.distinct(Import.id)),
            func.count(RecordRow.id),
        )
        .select_from(Source)
        .join(Import, Import.source_id == Source.id, isouter=True)
        .join(RecordRow, RecordRow.import_id == Import.id, isouter=True)
        .where(Source.project_id == project_id)
        .group_by(Source.id, Source.name, Source.searched_on, Source.hits_reported)
        .order_by(Source.id)
    )
    return [SourceCount(*row) for row in session.execute(stmt)]


def records_per_status(session: Session, project_id: int) -> dict[str, int]:
    stmt = select(RecordRow.status, func.count()).where(RecordRow.project_id == project_id).group_by(RecordRow.status)
    return {status: n for status, n in session.execute(stmt)}
