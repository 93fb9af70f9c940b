"""Stage rules: when a record is pending, resolved or in conflict, checked against the module's stated rules.

The protocol order used here (E3, E1, E2) is deliberately not alphabetical, so "in protocol order" cannot pass by
accident of sorting.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qes.errors import UserError
from qes.screening.resolve import (
    DECISIONS,
    PENDING,
    STAGE_KINDS,
    Resolution,
    StageRules,
    Vote,
    advances,
    check_vote,
    default_rules,
    order_reasons,
    primary_reason,
    resolve,
)

ORDER = ("E3", "E1", "E2")
REVIEWERS = ("ana", "ben", "cleo")

EARLY = {n: StageRules(reviewers=n, allow_maybe=True, maybe_advances=True, reason_required=False) for n in (1, 2, 3)}
FULLTEXT = {n: StageRules(reviewers=n, allow_maybe=False, maybe_advances=False, reason_required=True) for n in (1, 2, 3)}
MAYBE_STAYS = {n: StageRules(reviewers=n, allow_maybe=True, maybe_advances=False, reason_required=False) for n in (1, 2, 3)}


def votes(*cast: str | tuple[str, tuple[str, ...]]) -> list[Vote]:
    """'include' or ('exclude', ('E1',)) per reviewer, in reviewer order."""
    out = []
    for reviewer, item in zip(REVIEWERS, cast, strict=False):
        decision, reasons = (item, ()) if isinstance(item, str) else item
        out.append(Vote(reviewer, decision, reasons))
    return out


def resolved(decision: str, method: str, reasons: tuple[str, ...] = ()) -> Resolution:
    return Resolution("resolved", decision, reasons, method)


def conflict(kind: str) -> Resolution:
    return Resolution("conflict", conflict=kind)


# --- resolve: one table per rule ---------------------------------------------------------------------------

CASES = [
    # one reviewer: a single vote decides, by "single"
    ("1: no vote", EARLY[1], votes(), PENDING),
    ("1: include", EARLY[1], votes("include"), resolved("include", "single")),
    ("1: exclude", EARLY[1], votes("exclude"), resolved("exclude", "single")),
    ("1: exclude with reasons", EARLY[1], votes(("exclude", ("E2", "E3"))), resolved("exclude", "single", ("E3", "E2"))),
    ("1: maybe advances", EARLY[1], votes("maybe"), resolved("maybe", "single")),
    ("1: maybe does not advance", MAYBE_STAYS[1], votes("maybe"), conflict("maybe")),
    ("1: fulltext exclude", FULLTEXT[1], votes(("exclude", ("E1",))), resolved("exclude", "single", ("E1",))),
    # two reviewers
    ("2: no vote", EARLY[2], votes(), PENDING),
    ("2: one include", EARLY[2], votes("include"), PENDING),
    ("2: one exclude", EARLY[2], votes("exclude"), PENDING),
    ("2: include+include", EARLY[2], votes("include", "include"), resolved("include", "agreement")),
    ("2: exclude+exclude", EARLY[2], votes("exclude", "exclude"), resolved("exclude", "agreement")),
    ("2: maybe+maybe", EARLY[2], votes("maybe", "maybe"), resolved("maybe", "agreement")),
    ("2: maybe+maybe, maybe stays", MAYBE_STAYS[2], votes("maybe", "maybe"), conflict("maybe")),
    ("2: include+exclude", EARLY[2], votes("include", "exclude"), conflict("decision")),
    ("2: exclude+include", EARLY[2], votes("exclude", "include"), conflict("decision")),
    ("2: include+maybe", EARLY[2], votes("include", "maybe"), conflict("maybe")),
    ("2: maybe+exclude", EARLY[2], votes("maybe", "exclude"), conflict("maybe")),
    ("2: include+include, maybe stays", MAYBE_STAYS[2], votes("include", "include"), resolved("include", "agreement")),
    # three reviewers
    ("3: two votes", EARLY[3], votes("include", "include"), PENDING),
    ("3: two conflicting votes", EARLY[3], votes("include", "exclude"), PENDING),
    ("3: all include", EARLY[3], votes("include", "include", "include"), resolved("include", "agreement")),
    ("3: all exclude", EARLY[3], votes("exclude", "exclude", "exclude"), resolved("exclude", "agreement")),
    ("3: all maybe", EARLY[3], votes("maybe", "maybe", "maybe"), resolved("maybe", "agreement")),
    ("3: all maybe, maybe stays", MAYBE_STAYS[3], votes("maybe", "maybe", "maybe"), conflict("maybe")),
    ("3: two include one exclude", EARLY[3], votes("include", "exclude", "include"), conflict("decision")),
    ("3: one maybe", EARLY[3], votes("exclude", "exclude", "maybe"), conflict("maybe")),
    ("3: all three decisions", EARLY[3], votes("include", "exclude", "maybe"), conflict("maybe")),
]


@pytest.mark.parametrize(("rules", "cast", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_resolve_states(rules: StageRules, cast: list[Vote], expected: Resolution) -> None:
    assert resolve(cast, rules, ORDER) == expected


REASON_CASES = [
    # reason required (full texts): excludes must share a reason; the shared ones, in protocol order
    ("ft: same reasons", FULLTEXT[2], [("E1", "E2"), ("E2", "E1")], resolved("exclude", "agreement", ("E1", "E2"))),
    ("ft: one shared", FULLTEXT[2], [("E1", "E2"), ("E2", "E3")], resolved("exclude", "agreement", ("E2",))),
    (
        "ft: two shared, protocol order",
        FULLTEXT[2],
        [("E2", "E3", "E1"), ("E2", "E3")],
        resolved("exclude", "agreement", ("E3", "E2")),
    ),
    ("ft: none shared", FULLTEXT[2], [("E1",), ("E2",)], conflict("reasons")),
    ("ft: none shared, overlapping lists", FULLTEXT[2], [("E1", "E3"), ("E2",)], conflict("reasons")),
    ("ft3: one shared by all", FULLTEXT[3], [("E1", "E2"), ("E2", "E3"), ("E2",)], resolved("exclude", "agreement", ("E2",))),
    ("ft3: pairwise only", FULLTEXT[3], [("E1", "E2"), ("E2", "E3"), ("E3", "E1")], conflict("reasons")),
    ("ft3: two of three share", FULLTEXT[3], [("E1",), ("E1",), ("E2",)], conflict("reasons")),
    # reason optional: shared reasons when there are any, otherwise every reason given; never a conflict on reasons
    ("ta: one shared", EARLY[2], [("E1", "E2"), ("E2", "E3")], resolved("exclude", "agreement", ("E2",))),
    ("ta: none shared", EARLY[2], [("E2",), ("E3",)], resolved("exclude", "agreement", ("E3", "E2"))),
    ("ta: one without reason", EARLY[2], [(), ("E2",)], resolved("exclude", "agreement", ("E2",))),
    ("ta: no reasons", EARLY[2], [(), ()], resolved("exclude", "agreement", ())),
]


@pytest.mark.parametrize(("rules", "reason_lists", "expected"), [c[1:] for c in REASON_CASES], ids=[c[0] for c in REASON_CASES])
def test_resolve_exclude_reasons(rules: StageRules, reason_lists: list[tuple[str, ...]], expected: Resolution) -> None:
    cast = votes(*[("exclude", r) for r in reason_lists])
    assert resolve(cast, rules, ORDER) == expected


def test_resolve_unknown_reasons_come_after_protocol_ones() -> None:
    cast = votes(("exclude", ("zz", "E2", "aa")), ("exclude", ("aa", "E2", "zz")))
    assert resolve(cast, FULLTEXT[2], ORDER).reasons == ("E2", "aa", "zz")


def test_conflict_carries_no_decision() -> None:
    result = resolve(votes("include", "exclude"), EARLY[2], ORDER)
    assert (result.decision, result.reasons, result.method) == ("", (), "")


# --- check_vote --------------------------------------------------------------------------------------------

ACCEPTED = [
    ("include", (), EARLY[2], ()),
    ("maybe", (), EARLY[2], ()),
    ("exclude", (), EARLY[2], ()),
    ("exclude", ("E2", "E3"), EARLY[2], ("E3", "E2")),
    ("exclude", ("E2", "E3", "E2"), FULLTEXT[2], ("E3", "E2")),
    ("include", (), FULLTEXT[2], ()),
    ("maybe", (), MAYBE_STAYS[2], ()),
]


@pytest.mark.parametrize(("decision", "reasons", "rules", "expected"), ACCEPTED)
def test_check_vote_accepts(decision: str, reasons: tuple[str, ...], rules: StageRules, expected: tuple[str, ...]) -> None:
    assert check_vote(decision, reasons, rules, ORDER) == expected


REFUSED = [
    ("unknown decision", "yes", (), EARLY[2], ORDER, "decision must be include, exclude or maybe, not 'yes'"),
    ("decision is case-sensitive", "Include", (), EARLY[2], ORDER, "not 'Include'"),
    ("empty decision", "", (), EARLY[2], ORDER, "not ''"),
    ("maybe not allowed", "maybe", (), FULLTEXT[2], ORDER, "does not allow 'maybe'"),
    ("exclude needs a reason", "exclude", (), FULLTEXT[2], ORDER, "needs at least one reason"),
    ("reason on include", "include", ("E1",), EARLY[2], ORDER, "reasons go with 'exclude' only"),
    ("reason on include, fulltext", "include", ("E1",), FULLTEXT[2], ORDER, "reasons go with 'exclude' only"),
    ("reason on maybe", "maybe", ("E1",), EARLY[2], ORDER, "reasons go with 'exclude' only"),
    ("unknown criterion", "exclude", ("E9",), FULLTEXT[2], ORDER, "unknown criterion 'E9'; the protocol has E3, E1, E2"),
    ("unknown among known", "exclude", ("E1", "X", "E2"), EARLY[2], ORDER, "unknown criterion 'X';"),
    ("two unknown", "exclude", ("X", "Y"), EARLY[2], ORDER, "unknown criterion 'X', 'Y';"),
    ("criteria are case-sensitive", "exclude", ("e1",), EARLY[2], ORDER, "unknown criterion 'e1'"),
    ("no protocol", "exclude", ("E1",), EARLY[2], (), "the protocol has none"),
    ("unknown reason on include", "include", ("E9",), EARLY[2], ORDER, "unknown criterion 'E9'"),
]


@pytest.mark.parametrize(
    ("decision", "reasons", "rules", "known", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_check_vote_refuses(
    decision: str, reasons: tuple[str, ...], rules: StageRules, known: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UserError) as caught:
        check_vote(decision, reasons, rules, known)
    assert message in str(caught.value)


# --- advances, order_reasons, primary_reason ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "rules", "expected"),
    [
        ("include", EARLY[2], True),
        ("include", FULLTEXT[2], True),
        ("include", MAYBE_STAYS[2], True),
        ("exclude", EARLY[2], False),
        ("exclude", FULLTEXT[2], False),
        ("maybe", EARLY[2], True),
        ("maybe", MAYBE_STAYS[2], False),
        ("maybe", FULLTEXT[2], False),
        ("", EARLY[2], False),
    ],
)
def test_advances(decision: str, rules: StageRules, expected: bool) -> None:
    assert advances(decision, rules) is expected


@pytest.mark.parametrize(
    ("reasons", "order", "expected"),
    [
        ((), ORDER, ()),
        (("E1", "E2", "E3"), ORDER, ("E3", "E1", "E2")),
        (("E2", "E2", "E3", "E2"), ORDER, ("E3", "E2")),
        (("", "E1", ""), ORDER, ("E1",)),
        (("zeta", "E2", "alpha", "E3"), ORDER, ("E3", "E2", "alpha", "zeta")),
        (("b", "a", "c"), (), ("a", "b", "c")),
        (("b", "a"), ("b",), ("b", "a")),
    ],
)
def test_order_reasons(reasons: tuple[str, ...], order: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert order_reasons(reasons, order) == expected


def test_order_reasons_takes_any_iterable() -> None:
    assert order_reasons((r for r in ["E2", "E3"]), list(ORDER)) == ("E3", "E2")
    assert order_reasons({"E1", "E2"}, ORDER) == ("E1", "E2")


@pytest.mark.parametrize(("reasons", "expected"), [(("E3", "E1"), "E3"), (("E1",), "E1"), ((), "no reason given")])
def test_primary_reason(reasons: tuple[str, ...], expected: str) -> None:
    assert primary_reason(reasons) == expected


# --- default_rules -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "allow_maybe", "maybe_advances", "reason_required"),
    [
        ("titles", True, True, False),
        ("abstracts", True, True, False),
        ("title-abstract", True, True, False),
        ("fulltext", False, False, True),
    ],
)
@pytest.mark.parametrize("reviewers", [1, 2, 3])
@pytest.mark.parametrize("blind", [True, False])
def test_default_rules_per_kind(
    kind: str, allow_maybe: bool, maybe_advances: bool, reason_required: bool, reviewers: int, blind: bool
) -> None:
    assert default_rules(kind, reviewers, blind) == StageRules(reviewers, blind, allow_maybe, maybe_advances, reason_required)


def test_default_rules_defaults() -> None:
    assert default_rules("titles") == StageRules(reviewers=2, blind=True)
    assert set(STAGE_KINDS) == {"titles", "abstracts", "title-abstract", "fulltext"}


@pytest.mark.parametrize("reviewers", [-1, 0, 4, 10])
def test_default_rules_reviewer_bound(reviewers: int) -> None:
    with pytest.raises(UserError, match=rf"reviewers per record must be 1, 2 or 3, not {reviewers}$"):
        default_rules("titles", reviewers)


@pytest.mark.parametrize("kind", ["full-text", "Fulltext", "", "title_abstract"])
def test_default_rules_unknown_kind(kind: str) -> None:
    with pytest.raises(UserError, match="unknown stage kind .*; choose one of titles, abstracts, title-abstract, fulltext"):
        default_rules(kind)


def test_default_rules_kind_checked_before_reviewers() -> None:
    with pytest.raises(UserError, match="unknown stage kind"):
        default_rules("nope", 9)


# --- properties --------------------------------------------------------------------------------------------

rules_strategy = st.builds(
    StageRules,
    reviewers=st.integers(1, 3),
    blind=st.booleans(),
    allow_maybe=st.booleans(),
    maybe_advances=st.booleans(),
    reason_required=st.booleans(),
)
reasons_strategy = st.lists(st.sampled_from(ORDER + ("X",)), max_size=4).map(tuple)
vote_strategy = st.builds(
    Vote, reviewer=st.sampled_from(REVIEWERS), decision=st.sampled_from(DECISIONS), reasons=reasons_strategy
)
votes_strategy = st.lists(vote_strategy, max_size=4)


@settings(max_examples=300, deadline=None)
@given(rules=rules_strategy, cast=votes_strategy, data=st.data())
def test_outcome_does_not_depend_on_vote_order(rules: StageRules, cast: list[Vote], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(cast))
    assert resolve(shuffled, rules, ORDER) == resolve(cast, rules, ORDER)
    assert resolve(list(reversed(cast)), rules, ORDER) == resolve(cast, rules, ORDER)


@settings(max_examples=300, deadline=None)
@given(rules=rules_strategy, cast=votes_strategy)
def test_resolved_decision_is_one_of_the_votes(rules: StageRules, cast: list[Vote]) -> None:
    result = resolve(cast, rules, ORDER)
    assert result.state in ("pending", "resolved", "conflict")
    assert (result.state == "pending") == (len(cast) < rules.reviewers)
    if result.state == "resolved":
        assert result.decision in {v.decision for v in cast}
        assert {v.decision for v in cast} == {result.decision}  # resolution only on agreement
        assert result.method == ("single" if rules.reviewers == 1 else "agreement")
        given_reasons = {r for v in cast for r in v.reasons}
        assert set(result.reasons) <= given_reasons
        assert result.reasons == order_reasons(result.reasons, ORDER)
        if result.decision != "exclude":
            assert result.reasons == ()
        if result.decision == "maybe":
            assert rules.maybe_advances
        if result.decision == "exclude" and rules.reason_required:
            assert result.reasons
            assert all(set(result.reasons) <= set(v.reasons) for v in cast)
    elif result.state == "conflict":
        assert result.conflict in ("decision", "maybe", "reasons")
        assert result.decision == ""
