"""Screening service: decide, the next record, conflicts and adjudication, pilot rounds.

The blind rule lives here and only here (`_visible_votes`): while a record is unresolved at a blind
stage, a person sees only their own decision on it. Once every reviewer the stage needs has voted,
the deciders and the adjudicators see all votes (a conflict must be shown to be resolved); once it
is resolved, every member does. Every page, API route and export asks this module, so none can leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from qes.errors import Conflict, NotFound, PermissionDenied
from qes.screening.highlight import highlight
from qes.screening.resolve import Resolution, Vote, advances, check_vote, resolve
from qes.services.project import Project
from qes.services.protocol import StageInfo, find_stage, highlight_terms, stage_info
from qes.store import priority as priority_store
from qes.store import screening as screen_store
from qes.store import users as user_store
from qes.store.events import log_event
from qes.store.records import get_record_row, get_shown_record
from qes.store.schema import RecordRow, ScreeningDecision, ScreeningOutcome, utcnow
from qes.store.schema import Stage as StageRow

SCREENING_ROLES = ("owner", "reviewer", "adjudicator")
ADJUDICATING_ROLES = ("owner", "adjudicator")


@dataclass(frozen=True)
class VoteInfo:
    reviewer: str
    decision: str
    reasons: list[str]
    note: str
    at: str


@dataclass
class ScreeningItem:
    """One record as a screener sees it at a stage."""

    stage: str
    record_id: int
    title: list[tuple[str, str]]  # highlighted segments
    abstract: list[tuple[str, str]] | None  # None at a titles-only stage
    authors: str
    year: int | None
    journal: str
    keywords: list[str]
    doi: str
    pilot: bool
    mine: VoteInfo | None
    votes: list[VoteInfo]  # what the viewer may see (see the module docstring)
    state: str  # pending | conflict | resolved
    outcome: dict[str, Any] | None
    fulltext: dict[str, Any] | None
    progress: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["title_text"] = "".join(t for t, _ in self.title)
        data["abstract_text"] = None if self.abstract is None else "".join(t for t, _ in self.abstract)
        data["mine"] = self.mine.__dict__ if self.mine else None
        data["votes"] = [v.__dict__ for v in self.votes]
        return data


def role_in(session: Session, project_id: int, email: str) -> str | None:
    return user_store.role_of(session, project_id, email)


def require_role(session: Session, project_id: int, email: str, roles: Sequence[str], doing: str) -> str:
    role = role_in(session, project_id, email)
    if role is None:
        raise PermissionDenied(f"{email} is not a member of this project (qes reviewer add {email} --role reviewer)")
    if role not in roles:
        raise PermissionDenied(f"{email} is {role} in this project and cannot {doing} (needs {' or '.join(roles)})")
    return role


def _vote_info(row: ScreeningDecision) -> VoteInfo:
    return VoteInfo(row.reviewer, row.decision, list(row.reasons or []), row.note, row.updated_at.isoformat(timespec="seconds"))


def _visible_votes(
    stage: StageInfo, votes: Sequence[ScreeningDecision], resolved: bool, viewer: str, role: str | None
) -> list[ScreeningDecision]:
    if role is None:
        return []
    if not stage.blind or resolved:
        return list(votes)
    complete = len(votes) >= stage.reviewers
    if complete and (role in ADJUDICATING_ROLES or any(v.reviewer == viewer for v in votes)):
        return list(votes)
    return [v for v in votes if v.reviewer == viewer]


def criteria_order(session: Session, project_id: int) -> list[str]:
    return [c.code for c in screen_store.list_criteria(session, project_id)]


def status_after(decision: str, stage: StageInfo, stages: Sequence[StageInfo]) -> str:
    if not advances(decision, stage.rules):
        return "excluded"
    return "included" if stage.position == stages[-1].position else "screening"


def as_votes(rows: Iterable[ScreeningDecision]) -> list[Vote]:
    return [Vote(r.reviewer, r.decision, tuple(r.reasons or ())) for r in rows]


def _write_outcome(
    session: Session,
    project: Project,
    stage: StageInfo,
    stages: Sequence[StageInfo],
    record_id: int,
    decision: str,
    reasons: Sequence[str],
    method: str,
    by: str,
    note: str = "",
) -> None:
    session.add(
        ScreeningOutcome(
            project_id=project.id,
            stage_id=stage.id,
            record_id=record_id,
            decision=decision,
            reasons=list(reasons),
            method=method,
            resolved_by=by,
            note=note,
            resolved_at=utcnow(),
        )
    )
    screen_store.set_status(session, [record_id], status_after(decision, stage, stages))
    log_event(
        session,
        project_id=project.id,
        actor=by,
        action=f"screen.{'adjudicate' if method == 'adjudication' else 'resolve'}",
        entity="record",
        entity_id=record_id,
        data={"stage": stage.name, "decision": decision, "reasons": list(reasons), "method": method},
        why=note,
    )


def locate(session: Session, project: Project, stage_name: str | None) -> tuple[list[StageInfo], StageInfo, StageInfo | None]:
    rows = screen_store.list_stages(session, project.id)
    # The session's identity map holds rows weakly: kept here, `stage_rows` finds them without a
    # second query (a round trip per request that a PostgreSQL server under load feels).
    session.info["qes_stage_rows"] = rows
    stages = [stage_info(s) for s in rows]
    stage, previous = find_stage(stages, stage_name)
    return stages, stage, previous


def decide(
    project: Project,
    stage_name: str | None,
    record_id: int,
    reviewer: str,
    decision: str,
    reasons: Sequence[str] = (),
    note: str = "",
) -> dict[str, Any]:
    """Record (or change) `reviewer`'s decision; resolve the record when the votes allow."""
    with project.store.transaction() as session:
        require_role(session, project.id, reviewer, SCREENING_ROLES, "screen")
        stages, stage, previous = locate(session, project, stage_name)
        record = screen_store.lock_record(session, project.id, record_id)
        if record is None:
            raise NotFound(f"no record {record_id}")
        stage_row, prev_row = stage_rows(session, stage, previous)
        if not screen_store.is_at_stage(session, project.id, stage_row, prev_row, record_id, status=record.status):
            raise Conflict(f"record {record_id} is not at stage {stage.name!r}")
        outcome = screen_store.outcome_of(session, stage.id, record_id)
        if outcome is not None:
            raise Conflict(f"record {record_id} was resolved at {stage.name!r} ({outcome.decision}); decisions there are final")
        order = criteria_order(session, project.id)
        ordered = check_vote(decision, reasons, stage.rules, order)
        votes = screen_store.votes_on(session, stage.id, [record_id])[record_id]
        mine = next((v for v in votes if v.reviewer == reviewer), None)
        if mine is not None:
            before = {"decision": mine.decision, "reasons": list(mine.reasons or [])}
            mine.decision, mine.reasons, mine.note, mine.updated_at = decision, list(ordered), note, utcnow()
            action, data = "screen.change", {"before": before}
        else:
            if len(votes) >= stage.reviewers:
                raise Conflict(f"record {record_id} already has the {stage.reviewers} decision(s) stage {stage.name!r} needs")
            mine = ScreeningDecision(
                project_id=project.id,
                stage_id=stage.id,
                record_id=record_id,
                reviewer=reviewer,
                decision=decision,
                reasons=list(ordered),
                note=note,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            session.add(mine)
            votes.append(mine)
            action, data = "screen.decide", {}
        if record.status == "imported":
            record.status = "screening"
        # One flush (log_event's) writes the vote, its event and the record's status together.
        log_event(
            session,
            project_id=project.id,
            actor=reviewer,
            action=action,
            entity="record",
            entity_id=record_id,
            data={"stage": stage.name, "decision": decision, "reasons": list(ordered), **data},
            why=note,
        )
        result = resolve(as_votes(votes), stage.rules, order)
        if result.state == "resolved":
            _write_outcome(session, project, stage, stages, record_id, result.decision, result.reasons, result.method, reviewer)
        return {"record": record_id, "stage": stage.name, "decision": decision, "reasons": list(ordered), "state": result.state}


def stage_rows(session: Session, stage: StageInfo, previous: StageInfo | None) -> tuple[StageRow, StageRow | None]:
    row = session.get(StageRow, stage.id)
    assert row is not None  # read in the same session a moment ago
    return row, session.get(StageRow, previous.id) if previous else None


def _pilot_ids(session: Session, stage: StageInfo) -> list[int]:
    pilot = screen_store.latest_pilot(session, stage.id)
    return [int(i) for i in pilot.record_ids] if pilot else []


def _item(
    session: Session,
    project: Project,
    stage: StageInfo,
    stages: Sequence[StageInfo],
    record_id: int,
    viewer: str,
    role: str | None,
    pilot: Sequence[int],
    *,
    unresolved: bool = False,
) -> ScreeningItem:
    """The record as `viewer` sees it at the stage; `unresolved`: the caller knows it has no outcome there."""
    shown = get_shown_record(session, project.id, record_id)
    if shown is None:
        raise NotFound(f"no record {record_id}")
    record, fulltext = shown
    votes = screen_store.votes_on(session, stage.id, [record_id])[record_id]
    outcome = None if unresolved else screen_store.outcome_of(session, stage.id, record_id)
    visible = _visible_votes(stage, votes, outcome is not None, viewer, role)
    mine = next((v for v in votes if v.reviewer == viewer), None)
    if outcome is not None:
        state = "resolved"
    else:
        # The criteria's order only ranks an exclusion's reasons once every vote is in.
        order = criteria_order(session, project.id) if len(votes) >= stage.rules.reviewers else []
        state = resolve(as_votes(votes), stage.rules, order).state if len(visible) == len(votes) else "pending"
    terms = highlight_terms(project, session)
    authors = "; ".join(a.get("family", "") + (", " + a["given"] if a.get("given") else "") for a in record.authors or [])
    return ScreeningItem(
        stage=stage.name,
        record_id=record_id,
        title=highlight(record.title, terms),
        abstract=None if stage.kind == "titles" else highlight(record.abstract, terms),
        authors=authors,
        year=record.year,
        journal=record.journal,
        keywords=list(record.keywords or []),
        doi=record.doi,
        pilot=record_id in pilot,
        mine=_vote_info(mine) if mine else None,
        votes=[_vote_info(v) for v in visible],
        state=state,
        outcome=None
        if outcome is None
        else {
            "decision": outcome.decision,
            "reasons": list(outcome.reasons or []),
            "method": outcome.method,
            "by": outcome.resolved_by,
            "note": outcome.note,
        },
        fulltext=None
        if fulltext is None
        else {"status": fulltext.status, "reason": fulltext.reason, "pages": fulltext.pages, "file_name": fulltext.file_name},
    )


def next_item(project: Project, stage_name: str | None, reviewer: str, *, skip: Iterable[int] = ()) -> ScreeningItem | None:
    """The next record `reviewer` should screen at the stage (pilot sample first), or None when done."""
    with project.store.read() as session:
        role = require_role(session, project.id, reviewer, SCREENING_ROLES, "screen")
        stages, stage, previous = locate(session, project, stage_name)
        stage_row, prev_row = stage_rows(session, stage, previous)
        pilot = _pilot_ids(session, stage)
        order = priority_store.serving_order(session, project.id, stage_row, prev_row, reviewer)
        record_id = screen_store.next_record_id(
            session, project.id, stage_row, prev_row, reviewer, first=pilot, skip=skip, order=order
        )
        if record_id is None:
            return None
        item = _item(session, project, stage, stages, record_id, reviewer, role, pilot, unresolved=True)  # it waits
        item.progress = screen_store.count_stage(session, project.id, stage_row, prev_row, reviewer)
        return item


def record_item(project: Project, stage_name: str | None, record_id: int, viewer: str) -> ScreeningItem:
    """A record at a stage as `viewer` may see it (any member; the blind rule applies)."""
    with project.store.read() as session:
        role = role_in(session, project.id, viewer)
        if role is None:
            raise PermissionDenied(f"{viewer} is not a member of this project")
        stages, stage, previous = locate(session, project, stage_name)
        stage_row, prev_row = stage_rows(session, stage, previous)
        if get_record_row(session, project.id, record_id, columns=()) is not None and not screen_store.is_at_stage(
            session, project.id, stage_row, prev_row, record_id
        ):
            raise Conflict(f"record {record_id} is not at stage {stage.name!r} (it did not go on from the stage before)")
        return _item(session, project, stage, stages, record_id, viewer, role, _pilot_ids(session, stage))


@dataclass(frozen=True)
class ConflictInfo:
    stage: str
    record_id: int
    title: str
    kind: str  # decision | maybe | reasons
    votes: list[VoteInfo]


def conflicts(project: Project, viewer: str, stage_name: str | None = None) -> list[ConflictInfo]:
    """Unresolved disagreements: all of them for adjudicators and owners, one's own for reviewers."""
    found: list[ConflictInfo] = []
    with project.store.read() as session:
        role = require_role(session, project.id, viewer, SCREENING_ROLES, "see conflicts")
        stages = list_stages_in(session, project)
        order = criteria_order(session, project.id)
        for stage in stages:
            if stage_name is not None and stage.name != stage_name:
                continue
            pending = screen_store.records_with_votes(session, stage.id)
            votes = screen_store.votes_on(session, stage.id, pending)
            for record_id in pending:
                rows = votes[record_id]
                result: Resolution = resolve(as_votes(rows), stage.rules, order)
                if result.state != "conflict":
                    continue
                if role not in ADJUDICATING_ROLES and not any(v.reviewer == viewer for v in rows):
                    continue
                record = get_record_row(session, project.id, record_id, columns=(RecordRow.title,))
                found.append(
                    ConflictInfo(
                        stage.name, record_id, record.title if record else "", result.conflict, [_vote_info(v) for v in rows]
                    )
                )
        if stage_name is not None and not any(s.name == stage_name for s in stages):
            find_stage(stages, stage_name)
    return found


def list_stages_in(session: Session, project: Project) -> list[StageInfo]:
    return [stage_info(s) for s in screen_store.list_stages(session, project.id)]


def resolve_conflict(
    project: Project,
    stage_name: str | None,
    record_id: int,
    adjudicator: str,
    decision: str,
    reasons: Sequence[str] = (),
    note: str = "",
) -> dict[str, Any]:
    """The adjudicator's final decision on a record in conflict at the stage."""
    with project.store.transaction() as session:
        require_role(session, project.id, adjudicator, ADJUDICATING_ROLES, "resolve conflicts")
        stages, stage, _ = locate(session, project, stage_name)
        if screen_store.lock_record(session, project.id, record_id) is None:
            raise NotFound(f"no record {record_id}")
        if screen_store.outcome_of(session, stage.id, record_id) is not None:
            raise Conflict(f"record {record_id} is already resolved at {stage.name!r}")
        order = criteria_order(session, project.id)
        votes = screen_store.votes_on(session, stage.id, [record_id])[record_id]
        if resolve(as_votes(votes), stage.rules, order).state != "conflict":
            raise Conflict(
                f"record {record_id} is not in conflict at {stage.name!r} (its reviewers have not all decided, or agree)"
            )
        rules = stage.rules
        if decision == "maybe" and not rules.maybe_advances:
            raise Conflict("the final decision here must be include or exclude")
        ordered = check_vote(decision, reasons, rules, order)
        _write_outcome(session, project, stage, stages, record_id, decision, ordered, "adjudication", adjudicator, note)
        return {"record": record_id, "stage": stage.name, "decision": decision, "reasons": list(ordered), "state": "resolved"}
