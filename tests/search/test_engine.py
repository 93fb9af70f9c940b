"""The local engine: the databases' word, phrase, proximity and heading rules, and agreement with
a brute-force evaluator on random queries."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qes import search
from qes.search.engine import Index
from qes.search.model import ALL, TIAB, And, Heading, Limits, Near, Not, Or, Term
from search_reference import reference_search
from search_trees import pubmed_trees, synergy_documents, vocabulary
from support import shared_path

DOCS = {
    "a": {
        "title": "Reciprocity in mental-health nursing",
        "abstract": "Mutual care between nurse and patient.",
        "keywords": ["mental health", "nursing"],
        "headings": ["*Mental Disorders/nursing", "Adult"],
        "year": 2010,
        "language": "English",
    },
    "b": {
        "title": "Mental",
        "abstract": "Health services for women in 2001.",
        "keywords": ["health services", "womens health"],
        "headings": ["Mental Disorders, Severe", "Aged"],
        "year": 2001,
        "language": "French",
    },
    "c": {
        "title": "Schizophrenia and reciprocal relationships",
        "abstract": "Patients reported that the care they received was reciprocal.",
        "keywords": [],
        "headings": ["Schizophrenia"],
        "year": 2016,
        "language": "English",
    },
}


def hits(q: object) -> list[str]:
    return Index(DOCS).search(q)  # type: ignore[arg-type]


def test_words_truncation_and_wildcards_are_case_insensitive() -> None:
    assert hits(Term("RECIPR*")) == ["a", "c"]
    assert hits(Term("wom?n")) == ["b"]  # women; ? is exactly one character
    assert hits(Term("wom?")) == []
    assert hits(Term("wom?ns")) == ["b"]
    assert hits(Term("reciproc#l")) == ["c"]  # # = zero or one character


def test_a_hyphenated_term_is_the_phrase_of_its_parts() -> None:
    assert hits(Term("mental-health", fields=frozenset({"title"}))) == ["a"]
    assert hits(Term("mental health", True, frozenset({"title"}))) == ["a"]


def test_a_phrase_never_spans_two_fields_or_two_keywords() -> None:
    # b: title ends "Mental", abstract starts "Health"; keywords "health services", "womens health"
    assert hits(Term("mental health", True, ALL)) == ["a"]
    assert hits(Term("services womens", True, frozenset({"keywords"}))) == []


def test_proximity_counts_words_between_in_one_field() -> None:
    # a: "care between nurse and patient" (3 words between)
    assert hits(Near(Term("care", fields=TIAB), Term("patient", fields=TIAB), 3)) == ["a"]
    assert hits(Near(Term("care", fields=TIAB), Term("patient", fields=TIAB), 2)) == []
    assert hits(Near(Term("patient", fields=TIAB), Term("care", fields=TIAB), 3, ordered=True)) == []
    # c: "Patients reported that the care"
    assert hits(Near(Term("patient*", fields=TIAB), Term("care", fields=TIAB), 3, ordered=True)) == ["c"]


def test_headings_exact_explode_and_major() -> None:
    assert hits(Heading("mesh", "Mental Disorders", explode=False)) == ["a"]
    assert hits(Heading("mesh", "Mental Disorders", explode=True)) == ["a", "b"]
    assert hits(Heading("mesh", "Mental Disorders", explode=True, major=True)) == ["a"]


def test_limits() -> None:
    assert hits(Limits(years=(2000, 2015))) == ["a", "b"]
    assert hits(Limits(languages=("english",))) == ["a", "c"]
    assert hits(Limits(age_groups=("adult",))) == ["a", "b"]  # Aged is an adult age heading


def test_pubmed_reads_left_to_right() -> None:
    # without precedence: (reciprocity OR mental) AND schizophrenia
    q = search.parse("reciprocity[ti] OR mental[ti] AND schizophrenia[ti]", "pubmed")
    assert hits(q) == []
    q2 = search.parse("schizophrenia[ti] AND reciprocal[ti] OR mental[ti]", "pubmed")
    assert hits(q2) == ["a", "b", "c"]  # (schizophrenia AND reciprocal) OR mental


def test_boolean_operators() -> None:
    assert hits(Not(Term("reciproc*"), Term("schizophrenia"))) == ["a"]
    assert hits(And((Term("mental*"), Or((Term("women"), Term("nursing")))))) == ["a", "b"]


@pytest.mark.shared
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engine_agrees_with_brute_force_on_random_queries(data: st.DataObject) -> None:
    sample, words, index = _synergy_sample()
    q = data.draw(pubmed_trees(words))
    assert index.search(q) == reference_search(q, sample)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_engine_agrees_with_brute_force_on_headings_and_keywords(data: st.DataObject) -> None:
    words = ["mental", "health", "services", "nursing", "reciproc*", "wom?n", "care", "patient*"]
    leaf = st.one_of(
        st.builds(Term, st.sampled_from(words), st.just(False), st.sampled_from([ALL, frozenset({"keywords"}), TIAB])),
        st.builds(
            Heading, st.just("mesh"), st.sampled_from(["Mental Disorders", "Aged", "Schizophrenia"]), st.booleans(), st.booleans()
        ),
        st.builds(Limits, st.sampled_from([None, (2000, 2010), (2011, None)])),
    )
    tree = st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.lists(kids, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
            st.lists(kids, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
            st.tuples(kids, kids).map(lambda p: Not(*p)),
        ),
        max_leaves=6,
    )
    q = data.draw(tree)
    assert Index(DOCS).search(q) == reference_search(q, DOCS)


_SAMPLE: list[tuple[dict[str, dict[str, object]], list[str], Index]] = []


def _synergy_sample() -> tuple[dict[str, dict[str, object]], list[str], Index]:
    """~300 SYNERGY records (the reference scans every one for every node), built once."""
    if not _SAMPLE:
        docs = synergy_documents(shared_path("data", "synergy"))
        sample = dict(list(docs.items())[::9])
        _SAMPLE.append((sample, vocabulary(sample, 150), Index(sample)))
    return _SAMPLE[0]
