"""Replaying decisions made elsewhere (another tool, an earlier project) stage by stage. Pure.

Given the stages, what is already decided and the rows of a decisions file (already matched to
records and reviewers), `plan_replay` says which votes to add or change and which records resolve,
or lists every row that cannot be applied (file line + why). Stages are replayed in order, so a
record excluded on titles in the same file is known not to be at the abstract stage.

Within a stage, reviewers' votes come first; then adjudicators' rows: on a record in conflict such a
row is the final decision; on any other record it is an ordinary vote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qes.errors import UserError
from qes.screening.resolve import StageRules, Vote, advances, check_vote, resolve


@dataclass(frozen=True)
class Ballot:
    line: int
    stage: str
    record_id: int
    reviewer: str
    adjudicator: bool  # the reviewer's role may resolve conflicts
    decision: str
    reasons: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class StagePlan:
    name: str
    rules: StageRules


@dataclass
class Known:
    """What a stage already holds: votes per record per reviewer, and outcomes per record."""

    votes: dict[int, dict[str, Vote]] = field(default_factory=dict)
    outcomes: dict[int, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=True)
class NewVote:
    stage: str
    record_id: int
    reviewer: str
    decision: str
    reasons: tuple[str, ...]
    note: str
    changed: bool  # replaces the reviewer's earlier vote


@dataclass(frozen=True)
class NewOutcome:
    stage: str
    record_id: int
    decision: str
    reasons: tuple[str, ...]
    method: str  # single | agreement | adjudication
    by: str
    note: str = ""


@dataclass
class Replay:
    votes: list[NewVote] = field(default_factory=list)
    outcomes: list[NewOutcome] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def plan_replay(
    stages: Sequence[StagePlan],
    first_stage_records: set[int],
    known: dict[str, Known],
    ballots: Sequence[Ballot],
    order: Sequence[str],
) -> Replay:
    plan = Replay()
    at_stage = set(first_stage_records)
    for stage in stages:
        state = known.setdefault(stage.name, Known())
        mine = [b for b in ballots if b.stage == stage.name]
        touched: set[int] = set()
        for ballot in [b for b in mine if not b.adjudicator]:
            _vote(plan, stage, state, at_stage, ballot, order, touched)
        _resolve_touched(plan, stage, state, touched, order)
        touched = set()
        for ballot in [b for b in mine if b.adjudicator]:
            settled = state.outcomes.get(ballot.record_id)
            voted = ballot.reviewer in state.votes.get(ballot.record_id, {})
            if settled is not None and settled[0] == ballot.decision and not voted:
                plan.unchanged += 1  # an adjudication imported again
                continue
            votes = list(state.votes.get(ballot.record_id, {}).values())
            in_conflict = ballot.record_id not in state.outcomes and resolve(votes, stage.rules, order).state == "conflict"
            if in_conflict and ballot.reviewer not in state.votes.get(ballot.record_id, {}):
                _adjudicate(plan, stage, state, ballot, order)
            else:
                _vote(plan, stage, state, at_stage, ballot, order, touched)
        _resolve_touched(plan, stage, state, touched, order)
        at_stage = {r for r, (decision, _) in state.outcomes.items() if advances(decision, stage.rules)}
    return plan


def _checked(plan: Replay, stage: StagePlan, ballot: Ballot, order: Sequence[str]) -> tuple[str, ...] | None:
    try:
        return check_vote(ballot.decision, ballot.reasons, stage.rules, order)
    except UserError as exc:
        plan.errors.append((ballot.line, str(exc)))
        return None


def _vote(
    plan: Replay, stage: StagePlan, state: Known, at_stage: set[int], ballot: Ballot, order: Sequence[str], touched: set[int]
) -> None:
    record = ballot.record_id
    if record not in at_stage:
        plan.errors.append(
            (ballot.line, f"record {record} is not at stage {stage.name!r} (not resolved to go on at the stage before)")
        )
        return
    reasons = _checked(plan, stage, ballot, order)
    if reasons is None:
        return
    votes = state.votes.setdefault(record, {})
    earlier = votes.get(ballot.reviewer)
    if earlier is not None and earlier.decision == ballot.decision and set(earlier.reasons) == set(reasons):
        plan.unchanged += 1  # the same file imported again changes nothing
        return
    if record in state.outcomes:
        decided = state.outcomes[record][0]
        plan.errors.append(
            (ballot.line, f"record {record} is already resolved at {stage.name!r} ({decided}); it cannot take new votes")
        )
        return
    if earlier is None and len(votes) >= stage.rules.reviewers:
        plan.errors.append(
            (
                ballot.line,
                f"record {record} already has the {stage.rules.reviewers} vote(s) {stage.name!r} takes ({', '.join(votes)})",
            )
        )
        return
    votes[ballot.reviewer] = Vote(ballot.reviewer, ballot.decision, reasons)
    plan.votes.append(NewVote(stage.name, record, ballot.reviewer, ballot.decision, reasons, ballot.note, earlier is not None))
    touched.add(record)


def _resolve_touched(plan: Replay, stage: StagePlan, state: Known, touched: set[int], order: Sequence[str]) -> None:
    for record in sorted(touched):
        if record in state.outcomes:
            continue
        votes = list(state.votes[record].values())
        result = resolve(votes, stage.rules, order)
        if result.state == "resolved":
            state.outcomes[record] = (result.decision, result.reasons)
            by = votes[-1].reviewer
            plan.outcomes.append(NewOutcome(stage.name, record, result.decision, result.reasons, result.method, by))


def _adjudicate(plan: Replay, stage: StagePlan, state: Known, ballot: Ballot, order: Sequence[str]) -> None:
    if ballot.decision == "maybe" and not stage.rules.maybe_advances:
        plan.errors.append((ballot.line, f"the final decision at {stage.name!r} must be include or exclude"))
        return
    reasons = _checked(plan, stage, ballot, order)
    if reasons is None:
        return
    state.outcomes[ballot.record_id] = (ballot.decision, reasons)
    plan.outcomes.append(
        NewOutcome(stage.name, ballot.record_id, ballot.decision, reasons, "adjudication", ballot.reviewer, ballot.note)
    )
