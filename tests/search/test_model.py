"""The query tree: JSON storage, strategies of concept blocks, normal form."""

from __future__ import annotations

import json

import pytest

from qes.search.model import (
    ALL,
    TIABKW,
    And,
    Block,
    Heading,
    Limits,
    Near,
    Not,
    Or,
    Strategy,
    Term,
    from_dict,
    normalise,
    to_dict,
)


def test_strategy_blocks_are_ored_and_combined_with_and_plus_limits() -> None:
    s = Strategy(
        blocks=(
            Block("reciprocity", (Term("recipr*", False, TIABKW),)),
            Block("mental illness", (Term("mental health", True, TIABKW), Heading("mesh", "Mental Disorders"))),
        ),
        limits=Limits(years=(2000, 2015), age_groups=("adult",)),
        exclude=(Heading("mesh", "Animals"),),
    )
    q = s.to_query()
    assert q == Not(
        And(
            (
                Term("recipr*", False, TIABKW),
                Or((Term("mental health", True, TIABKW), Heading("mesh", "Mental Disorders"))),
                Limits(years=(2000, 2015), age_groups=("adult",)),
            )
        ),
        Heading("mesh", "Animals"),
    )
    assert Strategy.from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_every_node_survives_json() -> None:
    q = Not(
        And(
            (Near(Term("a", fields=frozenset({"title"})), Or((Term("b"), Term("c d", True))), 3, True), Limits(languages=("en",)))
        ),
        Heading("emtree", "mental disease", explode=False, major=True),
    )
    assert from_dict(json.loads(json.dumps(to_dict(q)))) == q


def test_malformed_trees_are_refused() -> None:
    with pytest.raises(ValueError):
        from_dict({"type": "bogus"})
    with pytest.raises(ValueError):
        Term("x", fields=frozenset({"nowhere"}))
    with pytest.raises(ValueError):
        Strategy(blocks=()).to_query()


def test_normal_form_merges_fields_and_phrases() -> None:
    t, a = frozenset({"title"}), frozenset({"abstract"})
    assert normalise(Or((Term("x", False, t), Term("x", False, a)))) == Term("x", False, t | a)
    assert normalise(Near(Term("a", False, t), Term("b", False, t), 0, True)) == Term("a b", True, t)
    assert normalise(And((Term("x"), And((Term("y"), Term("z")))))) == And((Term("x"), Term("y"), Term("z")))
    assert Term("x", False, frozenset({"all", "title"})).fields == ALL
