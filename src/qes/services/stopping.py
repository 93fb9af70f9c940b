"""When may a stage stop? The stage's order and stopping rule, the verdict, and the recorded stop.

Stopping is a team decision (owner or adjudicator), recorded with the rule, its parameters and the
evidence at that moment; the records left unread are resolved as excluded with method "automation",
which PRISMA reports as "records excluded by automation tools".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qes.errors import Conflict, PermissionDenied, UserError
from qes.prioritise.presets import get_preset
from qes.prioritise.stopping import StoppingRule, Verdict, verdict
from qes.services.project import Project
from qes.services.protocol import StageInfo
from qes.services.screening import ADJUDICATING_ROLES, locate, require_role, role_in, stage_rows
from qes.store import priority as priority_store
from qes.store import screening as screen_store
from qes.store.events import log_event
from qes.store.schema import StagePriority, utcnow

ORDERS = ("priority", "random", "file")


def _rule(row: StagePriority | None) -> StoppingRule:
    if row is None:
        return StoppingRule()
    return StoppingRule(row.rule, row.target, row.confidence, row.consecutive)


def _verdict(
    session: Session, project: Project, stage: StageInfo, previous: StageInfo | None, row: StagePriority | None
) -> tuple[Verdict, list[int], int]:
    """The rule's verdict on the stage's human outcomes in the order resolved, with those labels and the stage size."""
    stage_row, prev_row = stage_rows(session, stage, previous)
    labels = priority_store.resolved_sequence(session, stage.id)
    total = len(priority_store.stage_record_ids(session, project.id, stage_row, prev_row))
    return verdict(_rule(row), labels, total, sample_from=row.sample_from if row else None), labels, total


def stopping_status(project: Project, stage_name: str | None, viewer: str) -> dict[str, Any]:
    """The stage's order, stopping rule and verdict now (counts of resolved records only: not blind)."""
    with project.store.read() as session:
        if role_in(session, project.id, viewer) is None:
            raise PermissionDenied(f"{viewer} is not a member of this project")
        _stages, stage, previous = locate(session, project, stage_name)
        settings = priority_store.get_priority(session, stage.id)
        now, labels, total = _verdict(session, project, stage, previous, settings)
    sample_from = settings.sample_from if settings else None
    result = now.to_json()
    heuristic = verdict(StoppingRule("consecutive", consecutive=now.rule.consecutive), labels, total)
    result.update(
        stage=stage.name,
        order=settings.order if settings else "priority",
        preset=settings.preset if settings else "qes",
        sample_from=sample_from,
        consecutive_excluded=heuristic.reason,
        stopped=None
        if settings is None or settings.stopped_at is None
        else {
            "at": settings.stopped_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "by": settings.stopped_by,
            "excluded": settings.excluded,
            "note": settings.note,
        },
    )
    return result


def configure(
    project: Project,
    stage_name: str | None,
    actor: str,
    *,
    preset: str | None = None,
    order: str | None = None,
    rule: str | None = None,
    target: float | None = None,
    confidence: float | None = None,
    consecutive: int | None = None,
) -> dict[str, Any]:
    """Set a stage's model preset, serving order and stopping rule (owner or adjudicator)."""
    if preset is not None:
        get_preset(preset)
    if order is not None and order not in ORDERS:
        raise UserError(f"unknown order {order!r}; choose one of: {', '.join(ORDERS)}")
    with project.store.transaction() as session:
        require_role(session, project.id, actor, ADJUDICATING_ROLES, "configure prioritised screening")
        _stages, stage, _previous = locate(session, project, stage_name)
        row = priority_store.ensure_priority(session, project.id, stage.id)
        if row.stopped_at is not None:
            raise Conflict(f"stage {stage.name!r} was stopped on {row.stopped_at:%Y-%m-%d}; its settings are part of the record")
        try:
            candidate = StoppingRule(
                rule or row.rule,
                target if target is not None else row.target,
                confidence if confidence is not None else row.confidence,
                consecutive if consecutive is not None else row.consecutive,
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
        row.rule, row.target, row.confidence, row.consecutive = (
            candidate.rule,
            candidate.target,
            candidate.confidence,
            candidate.consecutive,
        )
        if preset is not None:
            row.preset = preset
        if order is not None and order != row.order:
            row.order = order
            # Random order begins the strict test's sample: what was resolved before it is not the sample.
            row.sample_from = len(priority_store.resolved_sequence(session, stage.id)) if order == "random" else None
        settings = {
            "stage": stage.name,
            "preset": row.preset,
            "order": row.order,
            "sample_from": row.sample_from,
            "rule": row.rule,
            "target": row.target,
            "confidence": row.confidence,
            "consecutive": row.consecutive,
        }
        log_event(
            session,
            project_id=project.id,
            actor=actor,
            action="screen.configure",
            entity="stage",
            entity_id=stage.id,
            data=settings,
        )
        return settings


def stop_stage(project: Project, stage_name: str | None, actor: str, *, note: str = "", force: bool = False) -> dict[str, Any]:
    """Stop the stage by its rule: every record nobody has voted on is excluded by automation.

    Refused while the rule says stopping is not yet safe (unless `force`, which is recorded), and while
    any record has votes but no outcome (finish or resolve those first).
    """
    with project.store.transaction() as session:
        require_role(session, project.id, actor, ADJUDICATING_ROLES, "stop screening a stage")
        _stages, stage, previous = locate(session, project, stage_name)
        stage_row, prev_row = stage_rows(session, stage, previous)
        row = priority_store.ensure_priority(session, project.id, stage.id)
        if row.stopped_at is not None:
            raise Conflict(f"stage {stage.name!r} was already stopped on {row.stopped_at:%Y-%m-%d} by {row.stopped_by}")
        started = set(screen_store.records_with_votes(session, stage.id)) - set(screen_store.stage_outcomes(session, stage.id))
        if started:
            raise Conflict(
                f"{len(started)} record(s) at stage {stage.name!r} have votes but no outcome (e.g. record {min(started)}): "
                "finish or resolve them before stopping"
            )
        result, _labels, _total = _verdict(session, project, stage, previous, row)
        if not result.safe and not force:
            raise Conflict(f"the stopping rule does not allow stopping yet: {result.reason} ({result.rule.describe()})")
        unread = screen_store.unresolved_unvoted(session, project.id, stage_row, prev_row)
        why = f"stopped by rule: {result.rule.describe()}; {result.reason}" + (" (forced)" if not result.safe else "")
        now = utcnow()
        screen_store.insert_outcomes(
            session,
            [
                {
                    "project_id": project.id,
                    "stage_id": stage.id,
                    "record_id": rid,
                    "decision": "exclude",
                    "reasons": [],
                    "method": "automation",
                    "resolved_by": actor,
                    "note": why,
                    "resolved_at": now,
                }
                for rid in unread
            ],
        )
        screen_store.set_status(session, unread, "excluded")
        evidence = result.to_json() | {"forced": not result.safe}
        row.stopped_at, row.stopped_by, row.stop_verdict, row.excluded, row.note = now, actor, evidence, len(unread), note
        log_event(
            session,
            project_id=project.id,
            actor=actor,
            action="screen.stop",
            entity="stage",
            entity_id=stage.id,
            data={"stage": stage.name, "excluded": len(unread), "verdict": evidence},
            why=note,
        )
        return {"stage": stage.name, "excluded": len(unread), "verdict": evidence}
