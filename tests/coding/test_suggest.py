"""Code suggestions: the lexical baseline ranks by shared words (no stemming), says which words matched,
and uses segments already coded; word normalisation folds case, accents and possessives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.coding.spans import pieces
from qes.coding.suggest import CodeProfile, suggest, words

CODES = [
    CodeProfile(1, "Trust", "to feel trust in professionals, and mutual trust"),
    CodeProfile(2, "Sufficient time", "enough time for helpful processes", examples=("we had hours together",)),
    CodeProfile(3, "Company", "someone to be with", notes="doing social things"),
]


def test_words_fold_case_accents_and_possessives_but_do_not_stem() -> None:
    assert words("The Nurse's CAFÉ visits, naïve and trusted") == ["nurse", "cafe", "visits", "naive", "trusted"]
    assert words("a I of the") == []


@pytest.mark.parametrize("method", ["bm25", "tfidf"])
def test_ranking_and_why(method: str) -> None:  # type: ignore[no-untyped-def]
    ranked = suggest("I could trust my nurse, she gave me time", CODES, method=method)  # type: ignore[arg-type]
    assert [s.key for s in ranked][:2] == [1, 2]
    assert ranked[0].why == ("trust",) and ranked[1].why == ("time",)
    assert ranked[2].score == 0 and ranked[2].why == ()


def test_coded_segments_count_unless_left_out() -> None:
    assert suggest("hours together", CODES)[0].key == 2
    assert suggest("hours together", CODES, with_examples=False)[0].score == 0


def test_ties_keep_codebook_order_and_limit() -> None:
    ranked = suggest("nothing in common", CODES, limit=2)
    assert [s.key for s in ranked] == [1, 2]


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="bm25 or tfidf"):
        suggest("x", CODES, method="lsi")  # type: ignore[arg-type]


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6))
def test_pieces_cover_the_text_and_know_their_segments(text: str, raw) -> None:  # type: ignore[no-untyped-def]
    segments = [(sid, min(a, b), max(a, b)) for sid, (a, b) in enumerate(raw)]
    cut = pieces(text, segments)
    assert "".join(p.text for p in cut) == text
    for p in cut:
        assert p.end > p.start or text == ""
        for sid, start, end in segments:
            assert (sid in p.segments) == (start <= p.start and p.end <= end)
