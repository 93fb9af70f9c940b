"""Screening per stage as a whole: pilot rounds and progress (counts only: nothing here is blind)."""

from __future__ import annotations

import random
from typing import Any

from qes.errors import Conflict
from qes.screening.resolve import resolve
from qes.services.project import Project
from qes.services.screening import ADJUDICATING_ROLES, as_votes, criteria_order, list_stages_in, locate, require_role, stage_rows
from qes.store import screening as screen_store
from qes.store.events import log_event


def create_pilot(project: Project, stage_name: str | None, n: int, *, seed: int | None = None, actor: str = "") -> dict[str, Any]:
    """A random sample of `n` unscreened records, served first to every reviewer of the stage."""
    if n < 1:
        raise Conflict("a pilot needs at least one record")
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    with project.store.transaction() as session:
        require_role(session, project.id, actor or project.actor, ADJUDICATING_ROLES, "start a pilot round")
        _, stage, previous = locate(session, project, stage_name)
        stage_row, prev_row = stage_rows(session, stage, previous)
        pool = screen_store.unresolved_unvoted(session, project.id, stage_row, prev_row)
        if not pool:
            raise Conflict(f"no unscreened records at stage {stage.name!r} to sample")
        sample = sorted(random.Random(seed).sample(pool, min(n, len(pool))))
        screen_store.add_pilot(session, project.id, stage.id, sample, seed, actor or project.actor)
        log_event(
            session,
            project_id=project.id,
            actor=actor or project.actor,
            action="screen.pilot",
            entity="stage",
            entity_id=stage.id,
            data={"stage": stage.name, "n": len(sample), "seed": seed, "records": sample},
        )
        return {"stage": stage.name, "records": sample, "n": len(sample), "seed": seed}


def stage_progress(project: Project, viewer: str = "") -> list[dict[str, Any]]:
    """Per stage: records there, resolved per decision, conflicts, and the viewer's own count."""
    rows = []
    with project.store.read() as session:
        stages = list_stages_in(session, project)
        order = criteria_order(session, project.id)
        for i, stage in enumerate(stages):
            stage_row, prev_row = stage_rows(session, stage, stages[i - 1] if i else None)
            counts = screen_store.count_stage(session, project.id, stage_row, prev_row, viewer)
            pending = screen_store.records_with_votes(session, stage.id)
            votes = screen_store.votes_on(session, stage.id, pending)
            in_conflict = sum(resolve(as_votes(votes[r]), stage.rules, order).state == "conflict" for r in pending)
            rows.append(
                {
                    "stage": stage.name,
                    "kind": stage.kind,
                    **counts,
                    "conflicts": in_conflict,
                    "unresolved": counts["records"] - counts["resolved"],
                }
            )
    return rows
