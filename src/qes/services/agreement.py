"""Agreement between reviewers at a stage: per pair (Cohen's kappa with CI, PABAK, prevalence and
bias indexes) and, with three reviewers per record, Fleiss' kappa.

Only records whose votes are all in count (resolved or in conflict): a pending record's single vote
says nothing about agreement, and leaving them out means the statistics reveal no blind decision.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from qes.screening.agreement import cohen, fleiss
from qes.services.project import Project
from qes.services.protocol import find_stage
from qes.services.screening import list_stages_in
from qes.store import screening as screen_store

CATEGORIES = ("include", "exclude", "maybe")


def agreement(project: Project, stage_name: str | None, *, pilot: bool = False) -> dict[str, Any]:
    with project.store.read() as session:
        stages = list_stages_in(session, project)
        stage, _ = find_stage(stages, stage_name)
        votes: dict[int, dict[str, str]] = {}
        for row in screen_store.stage_votes(session, stage.id):
            votes.setdefault(row.record_id, {})[row.reviewer] = row.decision
        sample: set[int] | None = None
        if pilot:
            round_ = screen_store.latest_pilot(session, stage.id)
            sample = {int(i) for i in round_.record_ids} if round_ else set()
    complete = {r: v for r, v in votes.items() if len(v) >= stage.reviewers and (sample is None or r in sample)}
    reviewers = sorted({name for v in complete.values() for name in v})
    pairs = []
    for a, b in combinations(reviewers, 2):
        both = [v for v in complete.values() if a in v and b in v]
        if not both:
            continue
        result = cohen([v[a] for v in both], [v[b] for v in both], categories=CATEGORIES)
        pairs.append({"reviewers": [a, b], **result.to_json()})
    fleiss_result = None
    if stage.reviewers >= 3:
        rated = [list(v.values()) for v in complete.values() if len(v) == stage.reviewers]
        if rated:
            fleiss_result = fleiss(rated, categories=CATEGORIES).to_json()
    agreed = sum(len(set(v.values())) == 1 for v in complete.values())
    return {
        "stage": stage.name,
        "pilot": pilot,
        "pilot_records": None if sample is None else len(sample),
        "records": len(complete),
        "reviewers_per_record": stage.reviewers,
        "percent_agreement": round(agreed / len(complete), 4) if complete else None,
        "pairs": pairs,
        "fleiss": fleiss_result,
    }
