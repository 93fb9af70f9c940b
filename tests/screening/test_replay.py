"""Replaying a decisions file stage by stage: votes, resolutions, adjudication, refusals (with the row's line), re-imports."""

from __future__ import annotations

import pytest

from qes.screening.replay import Ballot, Known, NewOutcome, NewVote, Replay, StagePlan, plan_replay
from qes.screening.resolve import StageRules, Vote, default_rules

ORDER = ("E1", "E2", "E3")
TA = StagePlan("ta", default_rules("title-abstract", 2))
FT = StagePlan("ft", default_rules("fulltext", 2))
STAGES = [TA, FT]
RECORDS = {1, 2, 3, 4, 5}


def b(
    line: int, stage: str, record: int, reviewer: str, decision: str, *reasons: str, adjudicator: bool = False, note: str = ""
) -> Ballot:
    return Ballot(line, stage, record, reviewer, adjudicator, decision, tuple(reasons), note)


def adj(line: int, stage: str, record: int, decision: str, *reasons: str, note: str = "") -> Ballot:
    return b(line, stage, record, "cleo", decision, *reasons, adjudicator=True, note=note)


def replay(ballots: list[Ballot], known: dict[str, Known] | None = None, stages: list[StagePlan] | None = None) -> Replay:
    return plan_replay(stages or STAGES, set(RECORDS), {} if known is None else known, ballots, ORDER)


def stored(*plans: Replay) -> dict[str, Known]:
    """What a database would hold after applying the plans: built afresh from their votes and outcomes."""
    known: dict[str, Known] = {}
    for plan in plans:
        for v in plan.votes:
            known.setdefault(v.stage, Known()).votes.setdefault(v.record_id, {})[v.reviewer] = Vote(
                v.reviewer, v.decision, v.reasons
            )
        for o in plan.outcomes:
            known.setdefault(o.stage, Known()).outcomes[o.record_id] = (o.decision, o.reasons)
    return known


def lines(plan: Replay) -> list[int]:
    return sorted(line for line, _ in plan.errors)


# --- votes and resolutions ---------------------------------------------------------------------------------


def test_two_agreeing_reviewers_resolve_by_agreement() -> None:
    plan = replay([b(2, "ta", 1, "ana", "include", note="fits"), b(3, "ta", 1, "ben", "include")])
    assert plan.errors == []
    assert plan.votes == [
        NewVote("ta", 1, "ana", "include", (), "fits", False),
        NewVote("ta", 1, "ben", "include", (), "", False),
    ]
    assert plan.outcomes == [NewOutcome("ta", 1, "include", (), "agreement", "ben")]
    assert plan.unchanged == 0


def test_one_vote_of_two_leaves_the_record_pending() -> None:
    plan = replay([b(2, "ta", 1, "ana", "include")])
    assert plan.errors == [] and len(plan.votes) == 1 and plan.outcomes == []


def test_single_reviewer_stage_resolves_by_single() -> None:
    single = StagePlan("ta", default_rules("title-abstract", 1))
    plan = replay([b(2, "ta", 1, "ana", "exclude", "E2")], stages=[single])
    assert plan.outcomes == [NewOutcome("ta", 1, "exclude", ("E2",), "single", "ana")]


def test_conflict_without_adjudicator_stays_unresolved() -> None:
    plan = replay([b(2, "ta", 1, "ana", "include"), b(3, "ta", 1, "ben", "exclude")])
    assert plan.errors == [] and len(plan.votes) == 2 and plan.outcomes == []


def test_reasons_are_kept_in_protocol_order() -> None:
    plan = replay([b(2, "ta", 1, "ana", "exclude", "E3", "E1"), b(3, "ta", 1, "ben", "exclude", "E1", "E3", "E2")])
    assert plan.votes[0].reasons == ("E1", "E3")
    assert plan.outcomes == [NewOutcome("ta", 1, "exclude", ("E1", "E3"), "agreement", "ben")]


def test_a_changed_vote_replaces_the_earlier_one() -> None:
    known = {"ta": Known(votes={1: {"ana": Vote("ana", "include")}})}
    plan = replay([b(2, "ta", 1, "ana", "exclude"), b(3, "ta", 1, "ben", "exclude")], known)
    assert plan.errors == []
    assert plan.votes == [NewVote("ta", 1, "ana", "exclude", (), "", True), NewVote("ta", 1, "ben", "exclude", (), "", False)]
    assert [(o.record_id, o.decision, o.method) for o in plan.outcomes] == [(1, "exclude", "agreement")]


# --- stage order -------------------------------------------------------------------------------------------


def test_record_excluded_at_stage_one_is_refused_at_stage_two_with_its_line() -> None:
    ballots = [
        # stage-2 rows come first in the file: stages are still replayed in order
        b(2, "ft", 1, "ana", "include"),
        b(3, "ft", 2, "ana", "include"),
        b(4, "ta", 1, "ana", "exclude"),
        b(5, "ta", 1, "ben", "exclude"),
        b(6, "ta", 2, "ana", "include"),
        b(7, "ta", 2, "ben", "include"),
        b(8, "ft", 2, "ben", "include"),
    ]
    plan = replay(ballots)
    assert len(plan.errors) == 1
    line, why = plan.errors[0]
    assert line == 2
    assert "record 1 is not at stage 'ft'" in why
    assert [(o.stage, o.record_id, o.decision) for o in plan.outcomes] == [
        ("ta", 1, "exclude"),
        ("ta", 2, "include"),
        ("ft", 2, "include"),
    ]


@pytest.mark.parametrize(
    ("stage_one", "at_stage_two"),
    [
        (["include", "include"], True),
        (["maybe", "maybe"], True),  # maybe goes on at the early stages
        (["exclude", "exclude"], False),
        (["include", "exclude"], False),  # conflict, not resolved
        (["include"], False),  # pending
        ([], False),  # never screened
    ],
)
def test_only_records_resolved_to_go_on_reach_stage_two(stage_one: list[str], at_stage_two: bool) -> None:
    ballots = [b(2 + i, "ta", 1, who, d) for i, (who, d) in enumerate(zip(["ana", "ben"], stage_one, strict=False))]
    ballots.append(b(9, "ft", 1, "ana", "include"))
    plan = replay(ballots)
    assert (9 not in lines(plan)) is at_stage_two
    assert any(v.stage == "ft" for v in plan.votes) is at_stage_two


def test_stage_one_outcomes_already_stored_admit_records_to_stage_two() -> None:
    known = {"ta": Known(votes={}, outcomes={3: ("include", ()), 4: ("exclude", ())})}
    plan = replay([b(2, "ft", 3, "ana", "include"), b(3, "ft", 4, "ana", "include")], known)
    assert plan.errors == [(3, plan.errors[0][1])]
    assert "record 4 is not at stage 'ft'" in plan.errors[0][1]
    assert [(v.stage, v.record_id) for v in plan.votes] == [("ft", 3)]


def test_record_outside_the_first_stage_is_refused() -> None:
    plan = replay([b(2, "ta", 99, "ana", "include")])
    assert lines(plan) == [2] and "record 99 is not at stage 'ta'" in plan.errors[0][1]
    assert plan.votes == []


# --- adjudicators ------------------------------------------------------------------------------------------


def test_adjudicator_row_on_a_conflict_is_the_final_decision() -> None:
    ballots = [b(2, "ta", 1, "ana", "include"), b(3, "ta", 1, "ben", "exclude"), adj(4, "ta", 1, "include", note="on balance")]
    plan = replay(ballots)
    assert plan.errors == []
    assert [v.reviewer for v in plan.votes] == ["ana", "ben"]  # the adjudication is not a vote
    assert plan.outcomes == [NewOutcome("ta", 1, "include", (), "adjudication", "cleo", "on balance")]


def test_adjudicator_row_first_in_file_still_follows_the_votes() -> None:
    ballots = [adj(2, "ta", 1, "exclude", "E2"), b(3, "ta", 1, "ana", "include"), b(4, "ta", 1, "ben", "exclude", "E1")]
    plan = replay(ballots)
    assert plan.errors == []
    assert plan.outcomes == [NewOutcome("ta", 1, "exclude", ("E2",), "adjudication", "cleo")]


def test_adjudicator_resolves_a_stored_conflict() -> None:
    known = {"ta": Known(votes={1: {"ana": Vote("ana", "include"), "ben": Vote("ben", "maybe")}})}
    plan = replay([adj(2, "ta", 1, "exclude")], known)
    assert plan.errors == [] and plan.votes == []
    assert plan.outcomes == [NewOutcome("ta", 1, "exclude", (), "adjudication", "cleo")]


def test_adjudicator_resolves_a_reasons_conflict_at_full_text() -> None:
    ballots = [
        b(2, "ta", 1, "ana", "include"),
        b(3, "ta", 1, "ben", "include"),
        b(4, "ft", 1, "ana", "exclude", "E1"),
        b(5, "ft", 1, "ben", "exclude", "E2"),
        adj(6, "ft", 1, "exclude", "E3", "E2"),
    ]
    plan = replay(ballots)
    assert plan.errors == []
    assert plan.outcomes[-1] == NewOutcome("ft", 1, "exclude", ("E2", "E3"), "adjudication", "cleo")


@pytest.mark.parametrize(
    ("decision", "reasons", "message"),
    [
        ("exclude", (), "needs at least one reason"),
        ("maybe", (), "must be include or exclude"),
        ("include", ("E1",), "reasons go with 'exclude' only"),
        ("exclude", ("E9",), "unknown criterion 'E9'"),
    ],
)
def test_adjudication_is_checked_like_a_vote(decision: str, reasons: tuple[str, ...], message: str) -> None:
    known = {
        "ta": Known(outcomes={1: ("include", ())}),
        "ft": Known(votes={1: {"ana": Vote("ana", "include"), "ben": Vote("ben", "exclude", ("E1",))}}),
    }
    plan = replay([adj(7, "ft", 1, decision, *reasons)], known)
    assert len(plan.errors) == 1 and plan.errors[0][0] == 7 and message in plan.errors[0][1]
    assert plan.outcomes == [] and plan.votes == []


def test_adjudicated_maybe_refused_where_maybe_does_not_advance() -> None:
    stage = StagePlan("ta", StageRules(reviewers=2, allow_maybe=True, maybe_advances=False))
    ballots = [b(2, "ta", 1, "ana", "maybe"), b(3, "ta", 1, "ben", "maybe"), adj(4, "ta", 1, "maybe")]
    plan = replay(ballots, stages=[stage])
    assert lines(plan) == [4] and "must be include or exclude" in plan.errors[0][1]
    plan = replay(ballots[:2] + [adj(4, "ta", 1, "include")], stages=[stage])
    assert plan.errors == [] and plan.outcomes == [NewOutcome("ta", 1, "include", (), "adjudication", "cleo")]


def test_adjudicator_row_on_a_pending_record_is_an_ordinary_vote() -> None:
    plan = replay([b(2, "ta", 1, "ana", "include"), adj(3, "ta", 1, "include", note="second screener")])
    assert plan.errors == []
    assert plan.votes[-1] == NewVote("ta", 1, "cleo", "include", (), "second screener", False)
    assert plan.outcomes == [NewOutcome("ta", 1, "include", (), "agreement", "cleo")]


def test_adjudicator_vote_on_a_pending_record_can_itself_make_a_conflict() -> None:
    plan = replay([b(2, "ta", 1, "ana", "include"), adj(3, "ta", 1, "exclude")])
    assert plan.errors == [] and [v.reviewer for v in plan.votes] == ["ana", "cleo"] and plan.outcomes == []


def test_adjudicator_row_on_an_unscreened_record_is_a_vote() -> None:
    plan = replay([adj(2, "ta", 1, "include")])
    assert plan.votes == [NewVote("ta", 1, "cleo", "include", (), "", False)] and plan.outcomes == []


def test_adjudicator_row_pending_in_a_three_reviewer_stage_is_the_third_vote() -> None:
    stage = StagePlan("ta", default_rules("title-abstract", 3))
    plan = replay([b(2, "ta", 1, "ana", "include"), b(3, "ta", 1, "ben", "exclude"), adj(4, "ta", 1, "include")], stages=[stage])
    assert [v.reviewer for v in plan.votes] == ["ana", "ben", "cleo"]
    assert plan.outcomes == []  # three votes that disagree: a conflict, not an adjudication


def test_adjudicator_row_against_an_agreed_record_is_refused() -> None:
    plan = replay([b(2, "ta", 1, "ana", "include"), b(3, "ta", 1, "ben", "include"), adj(4, "ta", 1, "exclude")])
    assert lines(plan) == [4] and "already resolved" in plan.errors[0][1]


def test_second_different_adjudication_is_refused() -> None:
    ballots = [
        b(2, "ta", 1, "ana", "include"),
        b(3, "ta", 1, "ben", "exclude"),
        adj(4, "ta", 1, "include"),
        adj(5, "ta", 1, "exclude"),
    ]
    plan = replay(ballots)
    assert lines(plan) == [5] and "already resolved" in plan.errors[0][1]
    assert [o.decision for o in plan.outcomes] == ["include"]


def test_adjudication_can_take_the_record_to_stage_two() -> None:
    ballots = [
        b(2, "ta", 1, "ana", "include"),
        b(3, "ta", 1, "ben", "exclude"),
        adj(4, "ta", 1, "include"),
        b(5, "ft", 1, "ana", "include"),
        b(6, "ta", 2, "ana", "include"),
        b(7, "ta", 2, "ben", "exclude"),
        adj(8, "ta", 2, "exclude"),
        b(9, "ft", 2, "ana", "include"),
    ]
    plan = replay(ballots)
    assert lines(plan) == [9]
    assert [(v.stage, v.record_id) for v in plan.votes if v.stage == "ft"] == [("ft", 1)]


# --- refusals ----------------------------------------------------------------------------------------------


def test_too_many_votes_refused() -> None:
    ballots = [b(2, "ta", 1, "ana", "include"), b(3, "ta", 1, "ben", "include"), b(4, "ta", 1, "dan", "include")]
    plan = replay(ballots)
    assert lines(plan) == [4]
    assert "record 1 already has the 2 vote(s) 'ta' takes (ana, ben)" in plan.errors[0][1]
    assert [v.reviewer for v in plan.votes] == ["ana", "ben"]


def test_too_many_votes_on_a_stored_conflict_refused() -> None:
    known = {"ta": Known(votes={1: {"ana": Vote("ana", "include"), "ben": Vote("ben", "exclude")}})}
    plan = replay([b(5, "ta", 1, "dan", "include")], known)
    assert lines(plan) == [5] and "already has the 2 vote(s)" in plan.errors[0][1]


def test_new_vote_on_a_resolved_record_refused() -> None:
    known = {
        "ta": Known(votes={1: {"ana": Vote("ana", "include"), "ben": Vote("ben", "include")}}, outcomes={1: ("include", ())})
    }
    plan = replay([b(2, "ta", 1, "ana", "exclude")], known)
    assert plan.errors == [(2, "record 1 is already resolved at 'ta' (include); it cannot take new votes")]


def test_every_bad_row_is_reported_not_just_the_first() -> None:
    ballots = [
        b(2, "ta", 1, "ana", "include"),
        b(3, "ta", 1, "ben", "include", "E1"),  # reason on include
        b(4, "ta", 2, "ana", "perhaps"),  # unknown decision
        b(5, "ta", 3, "ana", "exclude", "E7"),  # unknown criterion
        b(6, "ta", 99, "ana", "include"),  # not at the first stage
        b(7, "ta", 4, "ana", "include"),
        b(8, "ta", 4, "ben", "include"),
        b(9, "ta", 4, "dan", "include"),  # too many votes
        b(10, "ft", 4, "ana", "maybe"),  # no maybe at full text
        b(11, "ft", 4, "ben", "exclude"),  # exclude without a reason at full text
        b(12, "ft", 1, "ana", "include"),  # record 1 never resolved at ta
        b(13, "ta", 5, "ana", "exclude"),
        b(14, "ta", 5, "ben", "exclude"),
        adj(15, "ta", 5, "include"),  # already resolved
    ]
    plan = replay(ballots)
    assert lines(plan) == [3, 4, 5, 6, 9, 10, 11, 12, 15]
    messages = dict(plan.errors)
    assert "reasons go with 'exclude' only" in messages[3]
    assert "not 'perhaps'" in messages[4]
    assert "unknown criterion 'E7'" in messages[5]
    assert "record 99 is not at stage 'ta'" in messages[6]
    assert "already has the 2 vote(s)" in messages[9]
    assert "does not allow 'maybe'" in messages[10]
    assert "needs at least one reason" in messages[11]
    assert "record 1 is not at stage 'ft'" in messages[12]
    assert "already resolved" in messages[15]


# --- importing the same file again -------------------------------------------------------------------------

FILE = [
    b(2, "ta", 1, "ana", "include"),
    b(3, "ta", 1, "ben", "include"),
    b(4, "ta", 2, "ana", "include"),
    b(5, "ta", 2, "ben", "exclude", "E2"),
    adj(6, "ta", 2, "include", note="adjudicated"),
    b(7, "ta", 3, "ana", "exclude", "E1", "E2"),
    b(8, "ta", 3, "ben", "exclude", "E2"),
    adj(9, "ta", 4, "maybe"),  # an ordinary vote on a pending record
    b(10, "ta", 4, "ana", "maybe"),
    b(11, "ta", 5, "ana", "include"),  # stays pending
    b(12, "ft", 1, "ana", "exclude", "E1"),
    b(13, "ft", 1, "ben", "exclude", "E3"),
    adj(14, "ft", 1, "exclude", "E3", note="wrong population"),
    b(15, "ft", 2, "ana", "include"),
    b(16, "ft", 2, "ben", "include"),
    b(17, "ft", 4, "ana", "exclude", "E2"),
]


def test_first_import_of_the_file() -> None:
    plan = replay(FILE)
    assert plan.errors == [] and plan.unchanged == 0
    assert len(plan.votes) == len(FILE) - 2  # every row but the two adjudications
    assert {(o.stage, o.record_id, o.decision, o.reasons, o.method) for o in plan.outcomes} == {
        ("ta", 1, "include", (), "agreement"),
        ("ta", 3, "exclude", ("E2",), "agreement"),
        ("ta", 4, "maybe", (), "agreement"),
        ("ta", 2, "include", (), "adjudication"),
        ("ft", 2, "include", (), "agreement"),
        ("ft", 1, "exclude", ("E3",), "adjudication"),
    }
    # outcomes come in stage order: the caller lets the last stage a record reached decide its status
    assert [o.stage for o in plan.outcomes] == ["ta"] * 4 + ["ft"] * 2
    assert len(plan.outcomes) == 6


@pytest.mark.parametrize("source", ["rebuilt", "same object"])
def test_same_file_twice_changes_nothing(source: str) -> None:
    known: dict[str, Known] = {}
    first = replay(FILE, known)
    assert first.errors == []
    again = replay(FILE, stored(first) if source == "rebuilt" else known)
    assert again.errors == []
    assert again.votes == []
    assert again.outcomes == []
    assert again.unchanged == len(FILE)


def test_file_after_a_partial_import_adds_only_the_rest() -> None:
    first = replay(FILE[:4])
    again = replay(FILE, stored(first))
    assert again.errors == []
    assert again.unchanged == 4
    assert len(again.votes) == len(first.votes + again.votes) - 4
    assert {(v.stage, v.record_id, v.reviewer) for v in again.votes}.isdisjoint(
        {(v.stage, v.record_id, v.reviewer) for v in first.votes}
    )
    assert (2, "include", "adjudication") in {(o.record_id, o.decision, o.method) for o in again.outcomes}
