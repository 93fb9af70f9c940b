"""The themes × studies matrix and its frequency words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.synthesis.matrix import (
    FULL,
    PART,
    AppliedCode,
    CodeNode,
    StudyRef,
    build_matrix,
    frequency_word,
    frequency_words,
    ordered_tree,
    themes,
)

# A small codebook: two themes (listed out of order: position decides), one with a nested code,
# and a dimension (an interpretation, not a theme).
CODES = [
    CodeNode(2, None, "Shared affect", "theme", 1),
    CodeNode(1, None, "Dynamic equilibrium", "theme", 0),
    CodeNode(3, 1, "Behavioural components", "component", 0),
    CodeNode(4, 3, "Dialogue over monologue", "code", 0),
    CodeNode(5, None, "The professional dimension", "dimension", 2),
]
STUDIES = [StudyRef(20, "Second (2001)", 1), StudyRef(10, "First (2000)", 0), StudyRef(30, "Third (2002)", 2)]


def applied(study: int, code: int, in_part: bool = False, segment: int = 0) -> AppliedCode:
    return AppliedCode(study, study * 10, segment or study * 100 + code, code, in_part)


def test_columns_are_top_level_themes_in_codebook_order_and_rows_in_study_order() -> None:
    m = build_matrix(CODES, STUDIES, [])
    assert [t.name for t in m.themes] == ["Dynamic equilibrium", "Shared affect"]
    assert [s.label for s in m.studies] == ["First (2000)", "Second (2001)", "Third (2002)"]
    assert [c.name for c in ordered_tree(CODES)][:4] == [
        "Dynamic equilibrium", "Behavioural components", "Dialogue over monologue", "Shared affect"
    ]  # fmt: skip


def test_a_descendant_code_supports_its_top_level_theme() -> None:
    m = build_matrix(CODES, STUDIES, [applied(10, 4)])
    assert m.support(10, 1) == FULL
    assert m.cell_text(10, 1) == "✓"
    assert m.support(10, 2) == ""


def test_in_part_only_when_every_segment_code_is_in_part() -> None:
    partly = build_matrix(CODES, STUDIES, [applied(20, 2, True, 1), applied(20, 2, True, 2)])
    assert partly.support(20, 2) == PART
    assert partly.cell_text(20, 2) == "✓ (in part)"
    mixed = build_matrix(CODES, STUDIES, [applied(20, 2, True, 1), applied(20, 2, False, 2)])
    assert mixed.support(20, 2) == FULL


def test_dimensions_and_unknown_studies_are_not_counted() -> None:
    m = build_matrix(CODES, STUDIES, [applied(10, 5), applied(99, 1)])
    assert m.cells == {}


@pytest.mark.parametrize(
    ("k", "n", "word"),
    [
        (9, 11, "most"),  # review 000: dynamic equilibrium
        (6, 11, "over half"),  # shared affect
        (5, 11, "under half"),  # asymmetric alliance
        (4, 11, "four studies"),  # recognition as a fellow human being
        (11, 11, "all"),
        (0, 11, "no studies"),
        (1, 11, "one study"),
        (2, 11, "two studies"),
        (5, 10, "half"),
        (5, 30, "a few"),
        (8, 30, "under half"),
        (2, 3, "over half"),
        (21, 30, "most"),
        (20, 30, "over half"),
    ],
)
def test_frequency_words(k: int, n: int, word: str) -> None:
    assert frequency_word(k, n) == word


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_frequency_words_never_overstate(kn: tuple[int, int]) -> None:
    k, n = kn
    word = frequency_word(k, n)
    if word in ("most", "over half", "all"):
        assert 2 * k > n
    if word in ("under half", "a few") or word.endswith(("study", "studies")):
        assert 2 * k < n or k <= 4


def test_frequency_word_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        frequency_word(3, 2)


def test_frequency_words_per_theme() -> None:
    m = build_matrix(CODES, STUDIES, [applied(10, 1), applied(20, 1), applied(30, 2)])
    assert frequency_words(m) == [("Dynamic equilibrium", 2, 3, "over half"), ("Shared affect", 1, 3, "one study")]
    assert [t.name for t in themes(CODES)] == ["Dynamic equilibrium", "Shared affect"]
