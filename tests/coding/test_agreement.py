"""Coder agreement against references: Krippendorff (2011)'s worked examples, the krippendorff package and
scikit-learn's Cohen's kappa on the same per-character data."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from qes.coding.agreement import CodedSpan, agreement_by_code, alpha_by_code, krippendorff_alpha, sentence_bounds

N = None
# Krippendorff K (2011), "Computing Krippendorff's alpha-reliability", sections A-C.
EXAMPLE_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]  # binary, two observers
EXAMPLE_B = [list("aabbdcccedda"), list("babbbccceddd")]  # nominal, two observers
EXAMPLE_C = [  # nominal, four observers, missing values
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(("data", "published"), [(EXAMPLE_A, 0.095), (EXAMPLE_B, 0.692), (EXAMPLE_C, 0.743)])
def test_krippendorff_2011_worked_examples(data, published: float) -> None:  # type: ignore[no-untyped-def]
    assert round(krippendorff_alpha(data), 3) == published  # type: ignore[arg-type]


def _package_alpha(data: list[list]) -> float:  # type: ignore[type-arg]
    values = sorted({v for row in data for v in row if v is not None}, key=str)
    index = {v: i for i, v in enumerate(values)}
    matrix = np.array([[np.nan if v is None else index[v] for v in row] for row in data], dtype=float)
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda coders: st.lists(
            st.lists(st.sampled_from([N, "a", "b", "c"]), min_size=coders, max_size=coders), min_size=2, max_size=25
        )
    )
)
def test_alpha_equals_the_krippendorff_package(units: list[list]) -> None:  # type: ignore[type-arg]
    data = [list(col) for col in zip(*units, strict=True)]  # coders x units
    ours = krippendorff_alpha(data)
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    if ours is None:
        # no pairable value, or a single value throughout: no variation to be reliable about
        assert len({v for u in pairable for v in u if v is not None}) <= 1
        return
    assert ours == pytest.approx(_package_alpha(data), abs=1e-9)


def test_unit_weights_equal_repeated_units() -> None:
    data = [["a", "b", "a"], ["a", "a", "b"]]
    repeated = [["a"] * 3 + ["b"] * 2 + ["a"], ["a"] * 3 + ["a"] * 2 + ["b"]]
    assert krippendorff_alpha(data, [3, 2, 1]) == pytest.approx(krippendorff_alpha(repeated))


def _chars(text: str, spans: list[CodedSpan], coder: str, code: str) -> list[bool]:
    marks = [False] * len(text)
    for s in spans:
        if s.coder == coder and s.code == code:
            for i in range(s.start, s.end):
                marks[i] = True
    return marks


span_lists = st.lists(
    st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["x", "y"]), st.integers(0, 59), st.integers(1, 20)), max_size=12
)


@settings(max_examples=150, deadline=None)
@given(span_lists)
def test_per_code_kappa_equals_sklearn_over_characters(raw) -> None:  # type: ignore[no-untyped-def]
    text = "0123456789" * 6
    spans = [CodedSpan("d", s, min(s + n, len(text)), code, coder) for coder, code, s, n in raw]
    results = {r.code: r for r in agreement_by_code({"d": text}, spans, "A", "B", ["x", "y"])}
    for code in ("x", "y"):
        a, b = _chars(text, spans, "A", code), _chars(text, spans, "B", code)
        r = results[code]
        assert r.units == len(text) and r.both == sum(x and y for x, y in zip(a, b, strict=True))
        assert r.percent_agreement == pytest.approx(sum(x == y for x, y in zip(a, b, strict=True)) / len(text))
        if len(set(a) | set(b)) < 2:
            assert r.kappa is None  # constant and equal ratings: kappa undefined
        else:
            assert r.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)
        ref = krippendorff_alpha([a, b])
        assert r.alpha == (None if ref is None else pytest.approx(ref))


def test_sentence_units_count_a_sentence_as_coded_when_any_segment_touches_it() -> None:
    text = "First sentence here. Second one! Third? Last line"
    assert [text[s:e].strip() for s, e in sentence_bounds(text)] == ["First sentence here.", "Second one!", "Third?", "Last line"]
    spans = [CodedSpan(1, 0, 5, "x", "A"), CodedSpan(1, 10, 25, "x", "B")]
    (r,) = agreement_by_code({1: text}, spans, "A", "B", unit="sentence")
    assert (r.units, r.both, r.first_only, r.second_only, r.neither) == (4, 1, 0, 1, 2)


def test_alpha_by_code_treats_a_coder_absent_from_a_document_as_missing() -> None:
    texts = {1: "aaaaaaaaaa", 2: "bbbbbbbbbb"}
    spans = [
        CodedSpan(1, 0, 5, "x", "A"),
        CodedSpan(1, 0, 5, "x", "B"),
        CodedSpan(2, 0, 4, "x", "A"),
        CodedSpan(2, 0, 4, "x", "C"),
    ]
    alphas = alpha_by_code(texts, spans, {1: ["A", "B"], 2: ["A", "C"]}, ["A", "B", "C"], ["x"])
    assert alphas["x"] == pytest.approx(1.0)
    # the same with C counted as "coded nothing" on document 1 would disagree: missing is not zero
    wrong = alpha_by_code(texts, spans, {1: ["A", "B", "C"], 2: ["A", "C"]}, ["A", "B", "C"], ["x"])
    assert wrong["x"] is not None and wrong["x"] < 1.0
