"""When is a record resolved at a stage? Pure rules over the stage's settings and the votes cast.

- Fewer votes than the stage's reviewers per record: pending.
- All votes the same (include, exclude, or maybe where maybe advances): resolved — by `single`
  when the stage has one reviewer, by `agreement` otherwise.
- Otherwise a conflict for the adjudicator: include vs exclude, maybe vs either, maybe agreed at a
  stage where maybe does not advance (someone must still decide), or — where a reason is required —
  excludes that share no reason (Covidence treats full-text reason disagreements the same way, since
  PRISMA reports each excluded report under one reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qes.errors import UserError

DECISIONS = ("include", "exclude", "maybe")
STAGE_KINDS = ("titles", "abstracts", "title-abstract", "fulltext")


@dataclass(frozen=True)
class StageRules:
    reviewers: int = 2
    blind: bool = True
    allow_maybe: bool = True
    maybe_advances: bool = True
    reason_required: bool = False


@dataclass(frozen=True)
class Vote:
    reviewer: str
    decision: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    state: str  # pending | resolved | conflict
    decision: str = ""
    reasons: tuple[str, ...] = ()
    method: str = ""  # single | agreement (adjudication is the adjudicator's, not a rule's)
    conflict: str = ""  # decision | maybe | reasons


PENDING = Resolution("pending")


def default_rules(kind: str, reviewers: int = 2, blind: bool = True) -> StageRules:
    """Full texts: no maybe, a reason to exclude (PRISMA lists reasons). Earlier stages: maybe goes on."""
    if kind not in STAGE_KINDS:
        raise UserError(f"unknown stage kind {kind!r}; choose one of {', '.join(STAGE_KINDS)}")
    if not 1 <= reviewers <= 3:
        raise UserError(f"reviewers per record must be 1, 2 or 3, not {reviewers}")
    if kind == "fulltext":
        return StageRules(reviewers, blind, allow_maybe=False, maybe_advances=False, reason_required=True)
    return StageRules(reviewers, blind, allow_maybe=True, maybe_advances=True, reason_required=False)


def order_reasons(reasons: Iterable[str], order: Sequence[str]) -> tuple[str, ...]:
    """Reasons in protocol order (the hierarchy reviewers apply), unknown ones last; no repeats."""
    rank = {code: i for i, code in enumerate(order)}
    unique = dict.fromkeys(r for r in reasons if r)
    return tuple(sorted(unique, key=lambda r: (rank.get(r, len(rank)), r)))


def check_vote(decision: str, reasons: Sequence[str], rules: StageRules, known: Sequence[str]) -> tuple[str, ...]:
    """Validate one decision against the stage's rules and the protocol; returns the reasons in order."""
    if decision not in DECISIONS:
        raise UserError(f"decision must be include, exclude or maybe, not {decision!r}")
    if decision == "maybe" and not rules.allow_maybe:
        raise UserError("this stage does not allow 'maybe': decide include or exclude")
    unknown = [r for r in reasons if r not in known]
    if unknown:
        raise UserError(f"unknown criterion {', '.join(map(repr, unknown))}; the protocol has {', '.join(known) or 'none'}")
    if decision == "exclude" and rules.reason_required and not reasons:
        raise UserError("this stage needs at least one reason to exclude (a criterion id)")
    if decision != "exclude" and reasons:
        # A reason on an include would be counted nowhere; refuse rather than keep it silently.
        raise UserError("reasons go with 'exclude' only")
    return order_reasons(reasons, known)


def resolve(votes: Sequence[Vote], rules: StageRules, order: Sequence[str] = ()) -> Resolution:
    """The state of one record at one stage given every vote cast on it there."""
    if len(votes) < rules.reviewers:
        return PENDING
    decisions = {v.decision for v in votes}
    method = "single" if rules.reviewers == 1 else "agreement"
    if len(decisions) > 1:
        return Resolution("conflict", conflict="maybe" if "maybe" in decisions else "decision")
    decision = decisions.pop()
    if decision == "maybe" and not rules.maybe_advances:
        return Resolution("conflict", conflict="maybe")
    if decision != "exclude":
        return Resolution("resolved", decision, (), method)
    sets = [set(v.reasons) for v in votes]
    common = set.intersection(*sets)
    if rules.reason_required and not common:
        return Resolution("conflict", conflict="reasons")
    reasons = common or set().union(*sets)
    return Resolution("resolved", "exclude", order_reasons(reasons, order), method)


def advances(decision: str, rules: StageRules) -> bool:
    """Does a record resolved with `decision` go on to the next stage?"""
    return decision == "include" or (decision == "maybe" and rules.maybe_advances)


def primary_reason(reasons: Sequence[str]) -> str:
    """The reason a report is counted under in PRISMA: the first in protocol order."""
    return reasons[0] if reasons else "no reason given"
