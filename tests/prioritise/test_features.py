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
