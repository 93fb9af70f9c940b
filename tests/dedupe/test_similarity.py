"""The pure-Python Indel similarity gives rapidfuzz's number, and hands over to rapidfuzz on large runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from qes.dedupe import similarity
from qes.dedupe.similarity import indel_similarity, lcs_length, pure_indel_similarity

# Few letters, so that the strings share long subsequences and the bit arithmetic is exercised.
few_letters = st.text(alphabet="abcde 1ä", max_size=90)


@given(few_letters, few_letters)
def test_pure_python_equals_rapidfuzz(a: str, b: str) -> None:
    assert pure_indel_similarity(a, b) == Indel.normalized_similarity(a, b) * 100.0
    assert pure_indel_similarity(a, b) == pure_indel_similarity(b, a)


@pytest.mark.parametrize(
    ("a", "b", "length"),
    [("", "", 0), ("abc", "", 0), ("behaviour", "behavior", 8), ("invivo", "invitro", 5), ("abc", "abc", 3)],
)
def test_lcs_length(a: str, b: str, length: int) -> None:
    assert lcs_length(a, b) == length


def test_rapidfuzz_takes_over_after_the_first_comparisons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "_calls", 0)
    monkeypatch.setattr(similarity, "_rapidfuzz", None)
    for _ in range(similarity.PURE_PYTHON_CALLS):
        assert indel_similarity("moralhazards", "moralhazard") == Indel.normalized_similarity("moralhazards", "moralhazard") * 100
    assert similarity._rapidfuzz is None
    indel_similarity("a", "b")
    assert similarity._rapidfuzz is Indel.normalized_similarity
    assert indel_similarity("in vivo", "in vitro") == pure_indel_similarity("in vivo", "in vitro")
