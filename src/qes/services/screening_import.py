"""`qes screen import-decisions`: earlier decisions (qes CSV, Covidence, Rayyan, ASReview) into a project.

Everything or nothing: every row is matched to a record, a reviewer and a stage, and checked against
the stage's rules, before anything is written; any row that cannot be applied stops the import with
its file and line (up to `MAX_ERRORS` listed at once).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from qes.errors import InputFileError, UserError
from qes.screening.decisions_csv import DecisionRow, read_decisions_with_skipped
from qes.screening.replay import Ballot, Known, Replay, StagePlan, plan_replay
from qes.screening.resolve import Vote
from qes.services.project import Project
from qes.services.protocol import StageInfo
from qes.services.screening import ADJUDICATING_ROLES, SCREENING_ROLES, list_stages_in, status_after
from qes.store import screening as screen_store
from qes.store import users as user_store
from qes.store.events import log_event
from qes.store.schema import DuplicateGroup, Event, RecordRow, ScreeningDecision, utcnow

MAX_ERRORS = 20


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


@dataclass
class RecordIndex:
    """Ways a decisions file names a record, each leading to the record screened (a group's primary)."""

    unit: dict[int, int]  # record id → the id screened for it
    by_file_id: dict[str, set[int]]
    by_doi: dict[str, set[int]]
    by_pmid: dict[str, set[int]]
    by_title: dict[str, set[int]]

    def find(self, row: DecisionRow) -> tuple[int | None, str]:
        ref = row.record_ref.strip()
        if ref.lower().startswith("qes:"):
            rid = ref[4:].strip()
            return (self.unit[int(rid)], "") if rid.isdigit() and int(rid) in self.unit else (None, f"no qes record {rid}")
        candidates = self.by_file_id.get(ref, set())
        if not candidates and ref.isdigit() and int(ref) in self.unit:
            candidates = {self.unit[int(ref)]}
        for key, table in (("doi", self.by_doi), ("pmid", self.by_pmid), ("title", self.by_title)):
            if candidates:
                break
            hint = row.hints.get(key, "")
            if hint:
                candidates = table.get(_fold(hint) if key == "title" else hint.lower(), set())
        if len(candidates) == 1:
            return next(iter(candidates)), ""
        if not candidates:
            return None, f"no record {ref!r} in this project (by qes id, id in its import file, DOI, PMID or title)"
        return None, f"record {ref!r} is ambiguous: it names records {', '.join(map(str, sorted(candidates)))}; write qes:ID"


def _record_index(session: Session, project_id: int) -> RecordIndex:
    primaries = dict(
        session.execute(
            select(DuplicateGroup.id, DuplicateGroup.primary_record_id).where(
                DuplicateGroup.project_id == project_id, DuplicateGroup.status == "active"
            )
        ).all()
    )
    index = RecordIndex({}, {}, {}, {}, {})
    rows = session.execute(
        select(
            RecordRow.id, RecordRow.group_id, RecordRow.source_record_id, RecordRow.doi, RecordRow.pmid, RecordRow.title
        ).where(RecordRow.project_id == project_id)
    )
    for rid, group_id, file_id, doi, pmid, title in rows:
        unit = primaries.get(group_id, rid) if group_id else rid
        index.unit[rid] = unit
        for table, key in (
            (index.by_file_id, file_id),
            (index.by_doi, doi.lower()),
            (index.by_pmid, pmid),
            (index.by_title, _fold(title)),
        ):
            if key:
                table.setdefault(key, set()).add(unit)
    return index


def _people(session: Session, project_id: int) -> dict[str, tuple[str, str]]:
    """E-mail and display name (case-folded) → (e-mail, role) for the project's members."""
    people: dict[str, tuple[str, str]] = {}
    for user, member in user_store.project_members(session, project_id):
        people[user.email.casefold()] = (user.email, member.role)
        if user.name:
            people.setdefault(user.name.casefold(), (user.email, member.role))
    return people


def _reasons(raw: tuple[str, ...], codes: dict[str, str]) -> tuple[str, ...]:
    """Reasons as criterion codes; other tools write the reason's text (Rayyan) — matched to it too."""
    return tuple(codes.get(r.casefold(), r) for r in raw)


def _ballots(
    rows: list[DecisionRow],
    stages: list[StageInfo],
    index: RecordIndex,
    people: dict[str, tuple[str, str]],
    codes: dict[str, str],
    default_stage: str | None,
    default_reviewer: str | None,
    errors: list[tuple[int, str]],
) -> list[Ballot]:
    names = {s.name for s in stages}
    ballots = []
    for row in rows:
        stage = row.stage or default_stage or ""
        reviewer = row.reviewer or default_reviewer or ""
        record, why = index.find(row)
        person = people.get(reviewer.strip().casefold())
        if stage not in names:
            errors.append((row.line, f"no stage {stage!r} (stages: {', '.join(sorted(names))}; or pass --stage)"))
        elif record is None:
            errors.append((row.line, why))
        elif person is None:
            errors.append(
                (
                    row.line,
                    f"reviewer {reviewer!r} is not in this project (qes reviewer add EMAIL --name NAME; or pass --reviewer)",
                )
            )
        elif person[1] not in SCREENING_ROLES:
            errors.append((row.line, f"{person[0]} is {person[1]} in this project and cannot screen"))
        else:
            ballots.append(
                Ballot(
                    row.line,
                    stage,
                    record,
                    person[0],
                    person[1] in ADJUDICATING_ROLES and person[1] != "owner",
                    row.decision,
                    _reasons(row.reasons, codes),
                    row.note,
                )
            )
    return ballots


def _known(session: Session, stages: list[StageInfo]) -> dict[str, Known]:
    known = {}
    for stage in stages:
        state = Known()
        for vote in screen_store.stage_votes(session, stage.id):
            state.votes.setdefault(vote.record_id, {})[vote.reviewer] = Vote(
                vote.reviewer, vote.decision, tuple(vote.reasons or ())
            )
        for record_id, outcome in screen_store.stage_outcomes(session, stage.id).items():
            state.outcomes[record_id] = (outcome.decision, tuple(outcome.reasons or ()))
        known[stage.name] = state
    return known


def _write(session: Session, project: Project, stages: list[StageInfo], plan: Replay, actor: str) -> dict[int, str]:
    by_name = {s.name: s for s in stages}
    now = utcnow()
    new = [v for v in plan.votes if not v.changed]
    screen_store.insert_decisions(
        session,
        [
            {
                "project_id": project.id,
                "stage_id": by_name[v.stage].id,
                "record_id": v.record_id,
                "reviewer": v.reviewer,
                "decision": v.decision,
                "reasons": list(v.reasons),
                "note": v.note,
                "created_at": now,
                "updated_at": now,
            }
            for v in new
        ],
    )
    for v in plan.votes:
        if v.changed:
            session.execute(
                update(ScreeningDecision)
                .where(
                    ScreeningDecision.stage_id == by_name[v.stage].id,
                    ScreeningDecision.record_id == v.record_id,
                    ScreeningDecision.reviewer == v.reviewer,
                )
                .values(decision=v.decision, reasons=list(v.reasons), note=v.note, updated_at=now)
            )
    screen_store.insert_outcomes(
        session,
        [
            {
                "project_id": project.id,
                "stage_id": by_name[o.stage].id,
                "record_id": o.record_id,
                "decision": o.decision,
                "reasons": list(o.reasons),
                "method": o.method,
                "resolved_by": o.by,
                "note": o.note,
                "resolved_at": now,
            }
            for o in plan.outcomes
        ],
    )
    status: dict[int, str] = {v.record_id: "screening" for v in plan.votes}
    for o in plan.outcomes:  # in stage order, so the last stage a record reached decides
        status[o.record_id] = status_after(o.decision, by_name[o.stage], stages)
    for value in ("screening", "excluded", "included"):
        screen_store.set_status(session, [r for r, s in status.items() if s == value], value)
    events = [
        {
            "project_id": project.id,
            "at": now,
            "actor": v.reviewer,
            "action": "screen.change" if v.changed else "screen.decide",
            "entity": "record",
            "entity_id": str(v.record_id),
            "data": {"stage": v.stage, "decision": v.decision, "reasons": list(v.reasons), "imported": True},
            "why": v.note,
        }
        for v in plan.votes
    ] + [
        {
            "project_id": project.id,
            "at": now,
            "actor": o.by,
            "action": "screen.adjudicate" if o.method == "adjudication" else "screen.resolve",
            "entity": "record",
            "entity_id": str(o.record_id),
            "data": {"stage": o.stage, "decision": o.decision, "reasons": list(o.reasons), "method": o.method, "imported": True},
            "why": o.note,
        }
        for o in plan.outcomes
    ]
    if events:
        session.execute(insert(Event), events)
    return status


def import_decisions(
    project: Project,
    path: Path,
    *,
    stage: str | None = None,
    reviewer: str | None = None,
    decision: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Apply a decisions file to the project in one transaction; returns what changed."""
    layout, rows, skipped = read_decisions_with_skipped(path, default_decision=decision)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with project.store.transaction() as session:
        stages = list_stages_in(session, project)
        if not stages:
            raise UserError("this project has no screening stages yet: add them first (qes stage add NAME --kind ...)")
        criteria = screen_store.list_criteria(session, project.id)
        order = [c.code for c in criteria]
        codes = {c.code.casefold(): c.code for c in criteria} | {c.text.casefold(): c.code for c in criteria}
        errors: list[tuple[int, str]] = []
        ballots = _ballots(
            rows, stages, _record_index(session, project.id), _people(session, project.id), codes, stage, reviewer, errors
        )
        if on_progress:
            on_progress(len(rows) // 2)
        first = set(
            session.scalars(select(RecordRow.id).where(RecordRow.project_id == project.id, RecordRow.status != "duplicate"))
        )
        plan = plan_replay([StagePlan(s.name, s.rules) for s in stages], first, _known(session, stages), ballots, order)
        errors += plan.errors
        if errors:
            errors.sort()
            shown = "\n".join(f"{path.name}:{line}: {why}" for line, why in errors[:MAX_ERRORS])
            more = f"\n... and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
            raise InputFileError(path.name, f"{len(errors)} row(s) cannot be applied; nothing was imported:\n{shown}{more}")
        _write(session, project, stages, plan, project.actor)
        per_stage = {
            s.name: {
                d: sum(1 for o in plan.outcomes if o.stage == s.name and o.decision == d) for d in ("include", "exclude", "maybe")
            }
            for s in stages
        }
        summary = {
            "file": path.name,
            "layout": layout,
            "rows": len(rows),
            "skipped_unlabelled": skipped,
            "votes_added": sum(not v.changed for v in plan.votes),
            "votes_changed": sum(v.changed for v in plan.votes),
            "unchanged": plan.unchanged,
            "resolved": per_stage,
            "adjudicated": sum(o.method == "adjudication" for o in plan.outcomes),
        }
        log_event(
            session,
            project_id=project.id,
            actor=project.actor,
            action="screen.import-decisions",
            entity="file",
            entity_id=digest[:16],
            data={**summary, "sha256": digest},
        )
        if on_progress:
            on_progress(len(rows) - len(rows) // 2)
        return summary
