"""Agreement statistics checked against independent references, never against our own earlier output.

References used: scikit-learn's ``cohen_kappa_score``; statsmodels' ``fleiss_kappa`` and ``cohens_kappa`` (whose
``var_kappa`` implements the Fleiss-Cohen-Everitt 1969 variance after the SAS manual); a SAS PROC FREQ printout;
published irr output for Fleiss' (1971) diagnoses data; and formulas re-derived here cell by cell with loops.
"""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

from qes.screening.agreement import FleissAgreement, PairAgreement, cohen, fleiss

CATS = ("include", "exclude", "maybe")


def sklearn_kappa(first: list[str], second: list[str]) -> float:
    with warnings.catch_warnings():
        # sklearn warns (and returns nan) when kappa is undefined; the test decides what to do with nan.
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(first, second, labels=list(CATS)))


def statsmodels_fleiss(ratings: list[list[str]]) -> float:
    codes = np.array([[CATS.index(r) for r in subject] for subject in ratings])
    table, _ = aggregate_raters(codes)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return float(fleiss_kappa(table, method="fleiss"))


def expand(table: list[list[int]], cats: tuple[str, ...] = CATS) -> tuple[list[str], list[str]]:
    """Turn a confusion table (rows = rater 1) into two parallel label lists."""
    first: list[str] = []
    second: list[str] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            first += [cats[i]] * count
            second += [cats[j]] * count
    return first, second


def loop_fce_se(table: list[list[int]]) -> float:
    """Fleiss, Cohen & Everitt (1969) variance, written as the paper's double sum over every (i, j) cell."""
    n = sum(map(sum, table))
    size = len(table)
    p = [[table[i][j] / n for j in range(size)] for i in range(size)]
    row = [sum(p[i][j] for j in range(size)) for i in range(size)]
    col = [sum(p[i][j] for i in range(size)) for j in range(size)]
    p_o = sum(p[i][i] for i in range(size))
    p_e = sum(row[i] * col[i] for i in range(size))
    k = (p_o - p_e) / (1 - p_e)
    total = 0.0
    for i in range(size):
        for j in range(size):
            if i == j:
                total += p[i][i] * (1 - (row[i] + col[i]) * (1 - k)) ** 2
            else:
                total += (1 - k) ** 2 * p[i][j] * (col[i] + row[j]) ** 2
    total -= (k - p_e * (1 - k)) ** 2
    return math.sqrt(total / (n * (1 - p_e) ** 2))


def loop_fnl_se(ratings: list[list[str]]) -> float:
    """Fleiss, Nee & Landis (1979) null SE, from per-category proportions accumulated rating by rating."""
    n, m = len(ratings), len(ratings[0])
    share = dict.fromkeys(CATS, 0.0)
    for subject in ratings:
        for r in subject:
            share[r] += 1 / (n * m)
    pq = sum(v * (1 - v) for v in share.values())
    skew = sum(v * (1 - v) * ((1 - v) - v) for v in share.values())
    return math.sqrt(2 * (pq * pq - skew) / (n * m * (m - 1) * pq * pq))


# --- Cohen's kappa versus scikit-learn ------------------------------------------------------------------

FIXED_PAIRS = [
    [[20, 5, 0], [10, 15, 0], [0, 0, 0]],
    [[40, 9, 0], [6, 45, 0], [0, 0, 0]],
    [[12, 3, 2], [1, 30, 4], [2, 1, 5]],
    [[0, 4, 1], [0, 8, 0], [0, 1, 5]],
    [[0, 7, 0], [9, 0, 0], [0, 0, 0]],  # perfect disagreement: kappa < 0
    [[5, 0, 0], [0, 7, 0], [0, 0, 3]],  # perfect agreement
    [[1, 0, 0], [0, 0, 0], [0, 0, 0]],
    [[3, 0, 0], [0, 0, 0], [0, 0, 0]],  # everyone says include: p_e == 1, kappa undefined
]


@pytest.mark.parametrize("table", FIXED_PAIRS)
def test_kappa_matches_sklearn_on_fixed_tables(table: list[list[int]]) -> None:
    first, second = expand(table)
    expected = sklearn_kappa(first, second)
    result = cohen(first, second)
    if math.isnan(expected):
        assert result.kappa is None and result.kappa_se is None and result.kappa_ci_low is None
    else:
        assert result.kappa == pytest.approx(expected, abs=1e-12)


labels = st.sampled_from(CATS)
pairs = st.integers(min_value=0, max_value=60).flatmap(
    lambda size: st.tuples(st.lists(labels, min_size=size, max_size=size), st.lists(labels, min_size=size, max_size=size))
)


@settings(max_examples=300, deadline=None)
@given(pairs)
def test_kappa_matches_sklearn_on_generated_pairs(pair: tuple[list[str], list[str]]) -> None:
    first, second = pair
    result = cohen(first, second)
    assert result.n == len(first)
    assert result.agreed == sum(a == b for a, b in zip(first, second, strict=True))
    if not first:
        assert result.kappa is None and result.percent_agreement is None and result.pabak is None
        return
    expected = sklearn_kappa(first, second)
    if math.isnan(expected):
        assert result.kappa is None and result.kappa_se is None
    else:
        assert result.kappa == pytest.approx(expected, abs=1e-12)
        # The SE must agree with statsmodels' independent implementation of the same 1969 variance.
        table = [[result.table[r][c] for c in CATS] for r in CATS]
        with np.errstate(all="ignore"):
            reference = cohens_kappa(np.array(table, dtype=float))
        assert result.kappa_se == pytest.approx(math.sqrt(max(reference.var_kappa, 0.0)), abs=1e-9)


# --- Cohen's kappa standard error ------------------------------------------------------------------------


def test_kappa_se_matches_sas_printout() -> None:
    # SAS PROC FREQ (AGREE) printout reproduced in statsmodels' test suite for table [[0,4,1],[0,8,0],[0,1,5]]:
    # Kappa 0.4842, ASE 0.1380, 95% CI 0.2137 .. 0.7547. SAS's ASE is the Fleiss-Cohen-Everitt (1969) formula.
    first, second = expand([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    result = cohen(first, second)
    assert result.kappa == pytest.approx(0.4842, abs=5e-5)
    assert result.kappa_se == pytest.approx(0.1380, abs=5e-5)
    assert result.kappa_ci_low == pytest.approx(0.2137, abs=5e-5)
    assert result.kappa_ci_high == pytest.approx(0.7547, abs=5e-5)


@pytest.mark.parametrize("table", [t for t in FIXED_PAIRS if t[0][0] != sum(map(sum, t))])
def test_kappa_se_matches_loop_implementation(table: list[list[int]]) -> None:
    first, second = expand(table)
    assert cohen(first, second).kappa_se == pytest.approx(loop_fce_se(table), abs=1e-9)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_kappa_ci_is_symmetric_and_contains_kappa(confidence: float) -> None:
    first, second = expand([[12, 3, 2], [1, 30, 4], [2, 1, 5]])
    result = cohen(first, second, confidence=confidence)
    assert result.kappa is not None and result.kappa_se is not None
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    assert result.kappa_ci_low < result.kappa < result.kappa_ci_high
    # Far from the bounds nothing is clipped, so the interval is exactly kappa -/+ z * se.
    assert result.kappa - result.kappa_ci_low == pytest.approx(z * result.kappa_se)
    assert result.kappa_ci_high - result.kappa == pytest.approx(z * result.kappa_se)


def test_small_sample_ci_is_clipped() -> None:
    result = cohen(["include", "exclude", "include"], ["include", "exclude", "exclude"])
    assert result.kappa is not None
    assert -1.0 <= result.kappa_ci_low <= result.kappa <= result.kappa_ci_high <= 1.0
    perfect = cohen(["include", "exclude"], ["include", "exclude"])
    assert perfect.kappa == 1.0 and perfect.kappa_se == 0.0 and perfect.kappa_ci_high == 1.0


# --- PABAK, prevalence and bias indices (Byrt, Bishop & Carlin 1993) -----------------------------------


def test_byrt_indices_worked_example() -> None:
    a, b, c, d = 40, 9, 6, 45  # a = both exclude, d = both include, b/c discordant
    first, second = expand([[d, c, 0], [b, a, 0], [0, 0, 0]])
    result = cohen(first, second, positive="exclude")
    n = a + b + c + d
    p_o = (a + d) / n
    assert result.percent_agreement == pytest.approx(0.85)
    assert result.pabak == pytest.approx(2 * p_o - 1) == pytest.approx(0.70)
    assert result.prevalence_index == pytest.approx(abs(a - d) / n) == pytest.approx(0.05)
    assert result.bias_index == pytest.approx(abs(b - c) / n) == pytest.approx(0.03)
    # Cohen's kappa from the same 2x2 cells by hand.
    p_e = ((a + b) * (a + c) + (c + d) * (b + d)) / n**2
    assert result.kappa == pytest.approx((p_o - p_e) / (1 - p_e))


def test_pabak_counts_observed_categories_and_collapses_to_two_by_two() -> None:
    table = [[12, 3, 2], [1, 30, 4], [2, 1, 5]]
    first, second = expand(table)
    result = cohen(first, second, positive="maybe")
    n = sum(map(sum, table))
    p_o = (12 + 30 + 5) / n
    assert result.pabak == pytest.approx((3 * p_o - 1) / 2)
    a = table[2][2]
    b = sum(table[2]) - a  # rater 1 maybe, rater 2 not
    c = sum(row[2] for row in table) - a
    d = n - a - b - c
    assert result.prevalence_index == pytest.approx(abs(a - d) / n)
    assert result.bias_index == pytest.approx(abs(b - c) / n)
    # A single observed category still uses k = 2.
    assert cohen(["include"] * 4, ["include"] * 4).pabak == pytest.approx(1.0)


def test_table_lists_every_category_and_json_rounds() -> None:
    result = cohen(["include", "exclude", "include"], ["include", "include", "include"])
    assert isinstance(result, PairAgreement)
    assert result.table == {
        "include": {"include": 2, "exclude": 0, "maybe": 0},
        "exclude": {"include": 1, "exclude": 0, "maybe": 0},
        "maybe": {"include": 0, "exclude": 0, "maybe": 0},
    }
    payload = result.to_json()
    assert set(payload) == set(PairAgreement.__dataclass_fields__)
    assert payload["percent_agreement"] == round(2 / 3, 4)
    assert payload["table"] == result.table


def test_empty_input() -> None:
    result = cohen([], [])
    assert (result.n, result.agreed, result.kappa, result.pabak, result.prevalence_index) == (0, 0, None, None, None)
    assert result.table["maybe"]["maybe"] == 0
    assert fleiss([]) == FleissAgreement(0, 0, None, None, None, None, None, None)


# --- Fleiss' kappa ------------------------------------------------------------------------------------------

# Fleiss (1971) psychiatric diagnoses (30 subjects, 5 categories), first three of six rater columns as in R's
# irr::diagnoses (column 1 tallies 13/10/2/1/4 over categories 1..5, as the irr documentation shows).
DIAGNOSES_FIRST_THREE = [
    [4, 4, 4], [2, 2, 2], [2, 3, 3], [5, 5, 5], [2, 2, 2], [1, 1, 3], [3, 3, 3], [1, 1, 3], [1, 1, 4], [5, 5, 5],
    [1, 4, 4], [1, 2, 4], [2, 2, 2], [1, 4, 4], [2, 2, 4], [3, 3, 3], [1, 1, 1], [1, 1, 1], [2, 2, 4], [1, 3, 3],
    [5, 5, 5], [2, 4, 4], [2, 2, 4], [1, 1, 4], [1, 4, 4], [2, 2, 2], [1, 1, 1], [2, 2, 4], [1, 3, 3], [5, 5, 5],
]  # fmt: skip


def test_fleiss_matches_published_irr_output() -> None:
    # irr::kappam.fleiss(diagnoses[, 1:3]) prints "Kappa = 0.534, z = 9.89" (z = kappa / null SE, FNL 1979),
    # as reported at https://blog.csdn.net/weixin_39974030/article/details/117938889.
    cats = ("1", "2", "3", "4", "5")
    ratings = [[str(r) for r in subject] for subject in DIAGNOSES_FIRST_THREE]
    result = fleiss(ratings, categories=cats)
    assert (result.n, result.raters) == (30, 3)
    assert result.kappa == pytest.approx(0.534, abs=5e-4)
    assert result.kappa / result.kappa_se == pytest.approx(9.89, abs=5e-3)
    codes = np.array(DIAGNOSES_FIRST_THREE)
    table, _ = aggregate_raters(codes)
    assert result.kappa == pytest.approx(float(fleiss_kappa(table)), abs=1e-12)


FIXED_SUBJECTS = [
    [["include", "include", "exclude"], ["exclude", "exclude", "exclude"], ["maybe", "include", "include"]],
    [["include", "exclude"], ["include", "exclude"], ["exclude", "exclude"], ["include", "include"]],
    [["include"] * 4, ["exclude"] * 4, ["maybe", "maybe", "include", "exclude"]],
    [["exclude", "include", "maybe"], ["maybe", "exclude", "include"]],
]


@pytest.mark.parametrize("ratings", FIXED_SUBJECTS)
def test_fleiss_matches_statsmodels_on_fixed_data(ratings: list[list[str]]) -> None:
    result = fleiss(ratings)
    assert result.kappa == pytest.approx(statsmodels_fleiss(ratings), abs=1e-12)
    assert result.kappa_se == pytest.approx(loop_fnl_se(ratings), abs=1e-12)


subjects = st.tuples(st.integers(min_value=1, max_value=25), st.integers(min_value=2, max_value=6)).flatmap(
    lambda shape: st.lists(st.lists(labels, min_size=shape[1], max_size=shape[1]), min_size=shape[0], max_size=shape[0])
)


@settings(max_examples=300, deadline=None)
@given(subjects)
def test_fleiss_matches_statsmodels_on_generated_data(ratings: list[list[str]]) -> None:
    result = fleiss(ratings)
    expected = statsmodels_fleiss(ratings)
    assert result.n == len(ratings) and result.raters == len(ratings[0])
    if math.isnan(expected):
        assert result.kappa is None and result.kappa_se is None and result.kappa_ci_low is None
        return
    assert result.kappa == pytest.approx(expected, abs=1e-9)
    assert result.kappa_se == pytest.approx(loop_fnl_se(ratings), abs=1e-9)
    assert -1.0 <= result.kappa_ci_low <= result.kappa <= result.kappa_ci_high <= 1.0


def test_fleiss_undefined_when_everyone_agrees_on_one_category() -> None:
    result = fleiss([["exclude", "exclude"]] * 5)
    assert result.percent_agreement == 1.0 and result.expected_agreement == 1.0
    assert result.kappa is None and result.kappa_se is None
    assert result.to_json()["kappa"] is None


# --- Errors -------------------------------------------------------------------------------------------------


def test_cohen_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        cohen(["include"], ["include", "exclude"])
    with pytest.raises(ValueError):
        cohen(["include", "excluded"], ["include", "exclude"])
    with pytest.raises(ValueError):
        cohen(["include"], ["include"], positive="yes")
    with pytest.raises(ValueError):
        cohen(["include"], ["include"], confidence=1.0)


def test_fleiss_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        fleiss([["include", "exclude"], ["include"]])
    with pytest.raises(ValueError):
        fleiss([["include", "unsure"]])
    with pytest.raises(ValueError):
        fleiss([["include"]])
