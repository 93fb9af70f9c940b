"""The builder's blocks → strategy → blocks again: property-based round trips, and its buttons."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.search import And, Heading, Limits, Not, Or, Term, normalise, parse
from qes.search.builder import FIELD_CHOICES, THESAURUS_CHOICES, BuilderBlock, BuilderItem, BuilderState, apply
from qes.search.model import TIAB

WORDS = st.sampled_from(["recipr", "mutual", "mental", "illness", "peer", "support", "giving", "trust", "care", "psychosis"])
TEXTS = st.lists(WORDS, min_size=1, max_size=3).map(" ".join)
TERMS = st.builds(
    BuilderItem, kind=st.just("term"), text=TEXTS, field=st.sampled_from(list(FIELD_CHOICES)), truncate=st.booleans()
)
HEADINGS = st.builds(
    BuilderItem,
    kind=st.just("heading"),
    text=st.sampled_from(["Mental Disorders", "Reciprocity", "Peer Group", "Social Support"]),
    thesaurus=st.sampled_from(list(THESAURUS_CHOICES)),
    explode=st.booleans(),
    major=st.booleans(),
)
BLOCKS = st.builds(
    BuilderBlock, name=st.just(""), items=st.lists(TERMS | HEADINGS, min_size=1, max_size=4), exclude=st.just(False)
)
YEARS = st.sampled_from(["", "1990", "2000", "2015"])


@st.composite
def states(draw: st.DrawFn) -> BuilderState:
    blocks = draw(st.lists(BLOCKS, min_size=1, max_size=4))
    excluded = draw(st.lists(BLOCKS, max_size=2))
    for block in excluded:
        block.exclude = True
    languages = draw(st.sampled_from(["", "english", "english, german"]))
    return BuilderState(blocks + excluded, draw(YEARS), draw(YEARS), languages)


@given(states())
def test_blocks_survive_the_trip_through_a_query(state: BuilderState) -> None:
    query = state.to_strategy().to_query()
    again = BuilderState.from_query(query)
    assert normalise(again.to_strategy().to_query()) == normalise(query)
    assert again.to_dict()["blocks"] == [
        {**b, "name": again.blocks[n].name} for n, b in enumerate(state.to_dict()["blocks"])
    ]  # the same items, in the same order (names are the builder's own, never in the query)


@given(states())
def test_the_dict_form_is_lossless(state: BuilderState) -> None:
    assert BuilderState.from_dict(state.to_dict()) == state


def test_a_two_block_strategy_means_what_it_says() -> None:
    state = BuilderState(
        [
            BuilderBlock("reciprocity", [BuilderItem(text="recipr", truncate=True), BuilderItem(text="mutual aid")]),
            BuilderBlock("illness", [BuilderItem(kind="heading", text="Mental Disorders", major=True)]),
            BuilderBlock("animals", [BuilderItem(kind="heading", text="Animals", explode=False)], exclude=True),
        ],
        year_from="1990",
        languages="English",
    )
    expected = Not(
        And(
            (
                Or((Term("recipr*", False, TIAB), Term("mutual aid", True, TIAB))),
                Heading("mesh", "Mental Disorders", True, True),
                Limits(years=(1990, None), languages=("english",)),
            )
        ),
        Heading("mesh", "Animals", False, False),
    )
    assert state.to_strategy().to_query() == expected


def test_empty_items_are_left_out_and_an_empty_builder_has_no_strategy() -> None:
    with pytest.raises(ValueError, match="at least one block"):
        BuilderState().to_strategy()
    state = BuilderState([BuilderBlock(items=[BuilderItem(text="  "), BuilderItem(text='"peer support"')])])
    assert state.to_strategy().to_query() == Term("peer support", True, TIAB)


def test_a_parsed_strategy_opens_as_blocks() -> None:
    state = BuilderState.from_query(parse('(recipr*[tiab] OR mutual*[tiab]) AND "Mental Disorders"[majr]', "pubmed"))
    assert [len(b.items) for b in state.blocks] == [2, 1]
    assert (state.blocks[0].items[0].text, state.blocks[0].items[0].truncate) == ("recipr", True)
    assert state.blocks[1].items[0].kind == "heading" and state.blocks[1].items[0].major


def test_buttons() -> None:
    state = BuilderState()
    apply(state, "add-block")
    apply(state, "add-heading:1")
    assert [[i.kind for i in b.items] for b in state.blocks] == [["term"], ["term", "heading"]]
    apply(state, "remove-item:1:0")
    assert [i.kind for i in state.blocks[1].items] == ["heading"]
    apply(state, "remove-item:1:0")  # a block is never left without a row to type in
    assert [i.kind for i in state.blocks[1].items] == ["term"]
    apply(state, "remove-block:0")
    apply(state, "remove-block:0")
    assert len(state.blocks) == 1  # nor the builder without a block
    apply(state, "remove-block:7")
    apply(state, "add-term:9")
    apply(state, "nonsense")
    assert len(state.blocks) == 1 and len(state.blocks[0].items) == 1
