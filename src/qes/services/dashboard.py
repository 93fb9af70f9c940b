"""Where the review stands, for the dashboard: progress per stage and per reviewer, agreement, PRISMA.

Per reviewer it counts decisions made, never which: a count reveals no blind vote. Agreement uses
only records whose votes are all in (`services.agreement`), for the same reason.
"""

from __future__ import annotations

from typing import Any

from qes.services.agreement import agreement
from qes.services.prisma import prisma_counts
from qes.services.project import Project
from qes.services.screening import list_stages_in
from qes.services.screening_stages import stage_progress
from qes.store import reporting as reporting_store


def dashboard(project: Project, viewer: str) -> dict[str, Any]:
    with project.store.read() as session:
        stages = list_stages_in(session, project)
        per_reviewer = reporting_store.votes_per_reviewer(session, project.id)
    names = {s.id: s.name for s in stages}
    progress = stage_progress(project, viewer)
    reviewers: dict[str, list[dict[str, Any]]] = {}
    for stage_id, reviewer, n in per_reviewer:
        reviewers.setdefault(names.get(stage_id, str(stage_id)), []).append({"reviewer": reviewer, "decisions": n})
    for row in progress:
        row["reviewers"] = reviewers.get(row["stage"], [])
        row["percent_resolved"] = round(100 * row["resolved"] / row["records"], 1) if row.get("records") else 0.0
    agreements = []
    for stage in stages:
        if stage.reviewers < 2:
            continue
        stats = agreement(project, stage.name)
        pair = stats["pairs"][0] if stats["pairs"] else {}
        agreements.append(
            {
                "stage": stage.name,
                "records": stats["records"],
                "percent_agreement": stats["percent_agreement"],
                "kappa": pair.get("kappa"),
                "kappa_ci_low": pair.get("kappa_ci_low"),
                "kappa_ci_high": pair.get("kappa_ci_high"),
                "pairs": stats["pairs"],
            }
        )
    return {"stages": progress, "agreement": agreements, "prisma": prisma_counts(project)}
