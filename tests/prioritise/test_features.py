"""Feature views: authors' surnames as a block of their own, and several views of one record set."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from qes.prioritise.features import FeatureSpec, Views, author_surnames, matrix
from qes.prioritise.model import ModelSpec, scores


def test_surnames_from_csv_text_comma_form_and_store_objects() -> None:
    assert author_surnames("Ann Lee; B. K. Kim;  ; D.K. Jenkins") == ["lee", "kim", "jenkins"]
    assert author_surnames("van der Valk, Eline; Lee, A.") == ["van der valk", "lee"]
    assert author_surnames([{"family": "O'Brien", "given": "M"}, {"family": "", "literal": "WHO Group"}]) == [
        "o'brien",
        "who group",
    ]
    assert author_surnames(None) == []


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30), max_size=6))
def test_surnames_are_lower_case_and_never_empty(names: list[str]) -> None:
    for surname in author_surnames("; ".join(names)):
        assert surname and surname == surname.lower()


RECORDS = [
    {"title": "sleep and memory in rats", "abstract": "", "authors": "Ann Lee; Bo Kim"},
    {"title": "hip fracture surgery outcomes", "abstract": "", "authors": "Cy Lee"},
    {"title": "tibial plates with screws", "abstract": "", "authors": "Di Roe"},
    {"title": "growth of tomato plants", "abstract": "", "authors": ""},
]


def similarity(X: object, i: int, j: int) -> float:
    return float((X[i] @ X[j].T).toarray()[0, 0])  # type: ignore[index]


def test_a_shared_author_makes_records_alike_only_when_authors_are_weighted() -> None:
    text = matrix(RECORDS, FeatureSpec(fields=("title",)))
    with_authors = matrix(RECORDS, FeatureSpec(fields=("title",), authors_weight=0.6))
    assert similarity(text, 0, 1) == 0.0
    assert similarity(with_authors, 0, 1) > 0.0
    assert similarity(with_authors, 0, 2) == 0.0
    norms = np.sqrt(with_authors.multiply(with_authors).sum(axis=1)).A1
    assert np.allclose(norms, 1.0)


def test_views_give_one_matrix_per_spec_over_the_same_rows() -> None:
    spec = FeatureSpec(views=(FeatureSpec(fields=("title",)), FeatureSpec(fields=("title",), authors_weight=0.6)))
    X = matrix(RECORDS, spec)
    assert isinstance(X, Views) and len(X.matrices) == 2
    assert [m.shape[0] for m in X.matrices] == [4, 4]
    assert X.shape == (4, X.matrices[0].shape[1] + X.matrices[1].shape[1])


def test_each_member_learns_from_its_own_view() -> None:
    # The same title everywhere: only the authors can tell an unread record by the included
    # record's author from the others.
    records = [{"title": "a study", "authors": a} for a in ("Ann Lee", "Bo Kim", "Cy Roe", "Di Lee", "Ed Fox")]
    spec = FeatureSpec(views=(FeatureSpec(fields=("title",)), FeatureSpec(fields=("title",), authors_weight=0.6)))
    X = matrix(records, spec)
    labelled, y = [0, 1], [1, 0]
    text_only = scores(X, labelled, y, ModelSpec(view=0))
    authors = scores(X, labelled, y, ModelSpec(view=1))
    assert np.ptp(text_only[2:]) == 0.0
    assert int(np.argmax(authors[2:])) == 1  # "Di Lee"
    both = scores(X, labelled, y, ModelSpec(ensemble=(ModelSpec(view=0), ModelSpec(view=1))))
    assert int(np.argmax(both[2:])) == 1


def year_block(years: list[object], both_ways: bool = False) -> object:
    records = [{"title": "same words", "year": y} for y in years]
    text = matrix(records, FeatureSpec(fields=("title",)))
    return matrix(records, FeatureSpec(fields=("title",), year_weight=0.5, year_both_ways=both_ways)), text


def test_near_years_are_more_alike_than_far_ones_and_a_missing_year_adds_nothing() -> None:
    X, text = year_block([2001, 2000, 1990, 1980, None, "2000-05"])
    assert similarity(X, 0, 1) > similarity(X, 0, 2) > similarity(X, 0, 3)
    assert np.isclose(similarity(X, 1, 5), 1.0)  # "2000-05" is the year 2000
    words = text.shape[1]  # type: ignore[attr-defined]
    assert X[4, words:].nnz == 0 and np.allclose(X[4, :words].toarray(), text[4].toarray())  # type: ignore[index]
    assert np.allclose(np.sqrt(X.multiply(X).sum(axis=1)).A1, 1.0)  # type: ignore[attr-defined]


@given(st.lists(st.integers(min_value=1900, max_value=2030), min_size=3, max_size=8))
def test_year_similarity_falls_with_the_distance_between_years(years: list[int]) -> None:
    X, _text = year_block(years)
    first = years[0]
    for i in range(1, len(years)):
        for j in range(1, len(years)):
            if abs(years[i] - first) < abs(years[j] - first) and (years[i] - first) * (years[j] - first) >= 0:
                assert similarity(X, 0, i) > similarity(X, 0, j)


def test_both_ways_a_year_is_as_like_one_before_it_as_one_as_far_after_it() -> None:
    one_way, _ = year_block([2000, 1990, 2010, 1980, 2020])
    both, text = year_block([2000, 1990, 2010, 1980, 2020, None], both_ways=True)
    assert similarity(one_way, 0, 1) < similarity(one_way, 0, 2)  # one way, early years stand apart more
    assert np.isclose(similarity(both, 0, 1), similarity(both, 0, 2))
    assert np.isclose(similarity(both, 0, 3), similarity(both, 0, 4))
    assert similarity(both, 0, 1) > similarity(both, 0, 3)
    words = text.shape[1]  # type: ignore[attr-defined]
    assert both[5, words:].nnz == 0  # type: ignore[index]
    assert np.allclose(np.sqrt(both.multiply(both).sum(axis=1)).A1, 1.0)  # type: ignore[attr-defined]


@given(st.lists(st.integers(min_value=1900, max_value=2030), min_size=3, max_size=8))
def test_both_ways_year_similarity_is_set_by_how_many_of_the_stage_years_lie_between(years: list[int]) -> None:
    X, _text = year_block(years, both_ways=True)
    known = sorted(set(years))
    apart = [abs(known.index(y) - known.index(years[0])) for y in years]
    for i in range(1, len(years)):
        for j in range(1, len(years)):
            if apart[i] < apart[j]:
                assert similarity(X, 0, i) > similarity(X, 0, j)
            elif apart[i] == apart[j]:
                assert np.isclose(similarity(X, 0, i), similarity(X, 0, j))
