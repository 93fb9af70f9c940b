"""Where a project stands: records per source and per stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qes.services.project import Project
from qes.services.screening_stages import stage_progress
from qes.store import duplicates
from qes.store import projects as project_store
from qes.store.records import count_records


@dataclass(frozen=True)
class Status:
    project: str
    database: str
    records: int
    sources: list[dict[str, Any]]
    stages: dict[str, int]
    dedupe: dict[str, int]
    screening: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "database": self.database,
            "records": self.records,
            "sources": self.sources,
            "stages": self.stages,
            "duplicates_removed": self.dedupe["duplicates_removed"],
            "unique_records": self.dedupe["unique"],
            "pairs_to_review": self.dedupe["pairs_to_review"],
            "screening": self.screening,
        }


def project_status(project: Project) -> Status:
    with project.store.read() as session:
        total = count_records(session, project.id)
        removed = duplicates.duplicates_per_source(session, project.id)
        sources = [
            {
                "source": s.name,
                "searched": s.searched_on.isoformat() if s.searched_on else None,
                "hits_reported": s.hits_reported,
                "files": s.files,
                "records": s.records,
                "duplicates_removed": removed.get(s.name, 0),
            }
            for s in project_store.records_per_source(session, project.id)
        ]
        stages = project_store.records_per_status(session, project.id)
        pairs = duplicates.count_pairs(session, project.id)
    dedupe = {
        "duplicates_removed": sum(removed.values()),
        "unique": total - sum(removed.values()),
        "pairs_to_review": pairs.get("open", 0),
    }
    return Status(project.config.name, project.store.dialect, total, sources, stages, dedupe, stage_progress(project))
