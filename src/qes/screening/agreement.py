"""Inter-rater agreement for screening decisions: Cohen's kappa (two raters) and Fleiss' kappa (many raters).

Pure functions over lists of category labels; no I/O. Every index reports ``None`` where it is mathematically
undefined (no records, or chance agreement of exactly 1) instead of NaN, so results serialise cleanly to JSON.

References
----------
- Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
- Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted kappa.
  Psychol Bull 72:323-327.
- Fleiss JL (1971). Measuring nominal scale agreement among many raters. Psychol Bull 76:378-382.
- Fleiss JL, Nee JCM, Landis JR (1979). Large sample variance of kappa in the case of different sets of raters.
  Psychol Bull 86:974-977.
- Byrt T, Bishop J, Carlin JB (1993). Bias, prevalence and kappa. J Clin Epidemiol 46:423-429.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from statistics import NormalDist

import numpy as np

DEFAULT_CATEGORIES: tuple[str, ...] = ("include", "exclude", "maybe")


@dataclass(frozen=True)
class PairAgreement:
    """Agreement between two raters over the records both judged (see :func:`cohen`)."""

    n: int
    agreed: int
    percent_agreement: float | None
    expected_agreement: float | None
    kappa: float | None
    kappa_se: float | None
    kappa_ci_low: float | None
    kappa_ci_high: float | None
    pabak: float | None
    prevalence_index: float | None
    bias_index: float | None
    table: dict[str, dict[str, int]]

    def to_json(self) -> dict:
        """Every field as a JSON-ready dict; floats rounded to 4 decimals."""
        return _to_json(self)


@dataclass(frozen=True)
class FleissAgreement:
    """Agreement among a fixed number of raters per subject (see :func:`fleiss`)."""

    n: int
    raters: int
    percent_agreement: float | None
    expected_agreement: float | None
    kappa: float | None
    kappa_se: float | None
    kappa_ci_low: float | None
    kappa_ci_high: float | None

    def to_json(self) -> dict:
        """Every field as a JSON-ready dict; floats rounded to 4 decimals."""
        return _to_json(self)


def _to_json(result: PairAgreement | FleissAgreement) -> dict:
    out: dict = {}
    for field in fields(result):
        value = getattr(result, field.name)
        if isinstance(value, float):
            value = round(value, 4)
        elif isinstance(value, dict):
            # Copy the nested table so callers cannot mutate the frozen result through the JSON view.
            value = {row: dict(cols) for row, cols in value.items()}
        out[field.name] = value
    return out


def _check_categories(categories: Sequence[str]) -> list[str]:
    cats = list(categories)
    if len(set(cats)) != len(cats):
        raise ValueError(f"categories must be distinct, got {cats!r}")
    return cats


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    # Two-sided interval: the upper (1 - alpha/2) quantile of the standard normal.
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _interval(kappa: float, se: float, z: float) -> tuple[float, float]:
    # Wald interval; kappa cannot leave [-1, 1], so small-sample intervals are clipped rather than reported as impossible.
    return max(-1.0, kappa - z * se), min(1.0, kappa + z * se)


def cohen(
    first: Sequence[str],
    second: Sequence[str],
    *,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    positive: str = "exclude",
    confidence: float = 0.95,
) -> PairAgreement:
    """Cohen's kappa and companion indices for two raters.

    ``first[i]`` and ``second[i]`` are the two raters' categories for record ``i``.

    - percent agreement p_o = agreed / n.
    - expected agreement p_e = sum_i p_i. * p_.i, chance agreement from the two raters' marginals (Cohen 1960).
    - kappa = (p_o - p_e) / (1 - p_e) (Cohen 1960); ``None`` when n == 0 or p_e == 1.
    - kappa_se: the large-sample *non-null* standard error of Fleiss, Cohen & Everitt (1969), i.e.
      var = [sum_i p_ii (1 - (p_i. + p_.i)(1 - k))^2 + (1 - k)^2 sum_{i!=j} p_ij (p_.i + p_j.)^2 - (k - p_e(1 - k))^2]
      / (n (1 - p_e)^2); the CI is kappa -/+ z * se, clipped to [-1, 1].
    - PABAK = (k p_o - 1) / (k - 1) (Byrt, Bishop & Carlin 1993), where k is the number of categories observed in
      either rater's ratings, minimum 2. With include/exclude data this is the usual 2 p_o - 1; counting observed
      rather than declared categories keeps an unused "maybe" from inflating PABAK.
    - prevalence index |a - d| / n and bias index |b - c| / n (Byrt et al. 1993) on the 2x2 table of ``positive``
      versus every other category: a = both positive, d = both not positive, b / c = the two discordant cells.

    Raises ValueError if the sequences differ in length, a rating or ``positive`` is not in ``categories``,
    categories repeat, or ``confidence`` is not in (0, 1).
    """
    cats = _check_categories(categories)
    if len(first) != len(second):
        raise ValueError(f"raters judged different numbers of records: {len(first)} vs {len(second)}")
    if positive not in cats:
        raise ValueError(f"positive category {positive!r} is not one of {cats!r}")
    z = _z(confidence)
    index = {cat: i for i, cat in enumerate(cats)}
    counts = np.zeros((len(cats), len(cats)), dtype=np.int64)
    for a, b in zip(first, second, strict=True):
        if a not in index or b not in index:
            bad = a if a not in index else b
            raise ValueError(f"rating {bad!r} is not one of {cats!r}")
        counts[index[a], index[b]] += 1

    table = {row: {col: int(counts[i, j]) for j, col in enumerate(cats)} for i, row in enumerate(cats)}
    n = int(counts.sum())
    agreed = int(np.trace(counts))
    if n == 0:
        return PairAgreement(0, 0, None, None, None, None, None, None, None, None, None, table)

    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    p_o = agreed / n
    # Decide "p_e == 1" on integer counts: a float comparison could miss it or invent it through rounding.
    chance = int(rows @ cols)
    p_e = chance / (n * n)

    observed = int(np.count_nonzero(rows + cols))
    k_cats = max(observed, 2)
    pabak = (k_cats * p_o - 1.0) / (k_cats - 1)

    pos = index[positive]
    both_pos = int(counts[pos, pos])
    pos_neg = int(rows[pos]) - both_pos
    neg_pos = int(cols[pos]) - both_pos
    both_neg = n - both_pos - pos_neg - neg_pos
    prevalence_index = abs(both_pos - both_neg) / n
    bias_index = abs(pos_neg - neg_pos) / n

    kappa = se = low = high = None
    if chance != n * n:
        kappa = (n * agreed - chance) / (n * n - chance)
        se = _cohen_se(counts / n, kappa, p_e, n)
        low, high = _interval(kappa, se, z)
    return PairAgreement(n, agreed, p_o, p_e, kappa, se, low, high, pabak, prevalence_index, bias_index, table)


def _cohen_se(p: np.ndarray, kappa: float, p_e: float, n: int) -> float:
    """Fleiss, Cohen & Everitt (1969) non-null asymptotic standard error of unweighted kappa."""
    row = p.sum(axis=1)  # p_i.
    col = p.sum(axis=0)  # p_.i
    diag = np.diag(p)
    agree_term = float(np.sum(diag * (1.0 - (row + col) * (1.0 - kappa)) ** 2))
    # Off-diagonal cell (i, j) is weighted by (p_.i + p_j.)^2: column margin of its row index plus row margin of its
    # column index, as in the paper; masking the diagonal keeps the i != j restriction.
    weight = (col[:, None] + row[None, :]) ** 2
    off = ~np.eye(len(p), dtype=bool)
    disagree_term = (1.0 - kappa) ** 2 * float(np.sum(p[off] * weight[off]))
    centre = (kappa - p_e * (1.0 - kappa)) ** 2
    var = (agree_term + disagree_term - centre) / (n * (1.0 - p_e) ** 2)
    # The exact variance is non-negative; cancellation (e.g. at kappa == 1) can leave a tiny negative residue.
    return float(np.sqrt(max(var, 0.0)))


def fleiss(
    ratings: Sequence[Sequence[str]],
    *,
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    confidence: float = 0.95,
) -> FleissAgreement:
    """Fleiss' (1971) kappa for a constant number m of raters per subject.

    ``ratings[i]`` holds the m categories given to subject i (order irrelevant; raters need not be the same people
    across subjects). With n_ij the number of raters putting subject i in category j:

    - P_i = (sum_j n_ij^2 - m) / (m (m - 1)), the share of agreeing rater pairs; percent agreement = mean P_i.
    - p_j = sum_i n_ij / (n m); expected agreement P_e = sum_j p_j^2.
    - kappa = (mean P_i - P_e) / (1 - P_e) (Fleiss 1971); ``None`` when n == 0 or P_e == 1.
    - kappa_se: the standard error under H0: kappa = 0 of Fleiss, Nee & Landis (1979),
      var = 2 / (n m (m - 1)) * [(sum p_j q_j)^2 - sum p_j q_j (q_j - p_j)] / (sum p_j q_j)^2, q_j = 1 - p_j.
      Fleiss' 1971 variance was wrong and this is the published correction. The CI kappa -/+ z * se
      (clipped to [-1, 1]) is therefore only approximate away from kappa = 0.

    Raises ValueError if subjects have different numbers of ratings, fewer than two ratings, a rating is not in
    ``categories``, categories repeat, or ``confidence`` is not in (0, 1).
    """
    cats = _check_categories(categories)
    z = _z(confidence)
    index = {cat: i for i, cat in enumerate(cats)}
    n = len(ratings)
    if n == 0:
        return FleissAgreement(0, 0, None, None, None, None, None, None)
    m = len(ratings[0])
    if m < 2:
        raise ValueError(f"each subject needs at least two ratings, got {m}")
    counts = np.zeros((n, len(cats)), dtype=np.int64)
    for i, subject in enumerate(ratings):
        if len(subject) != m:
            raise ValueError(f"subject {i} has {len(subject)} ratings, expected {m} like subject 0")
        for rating in subject:
            if rating not in index:
                raise ValueError(f"rating {rating!r} is not one of {cats!r}")
            counts[i, index[rating]] += 1

    per_subject = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    p_bar = float(per_subject.mean())
    totals = counts.sum(axis=0)
    p = totals / (n * m)
    p_e = float(np.sum(p**2))
    # As for Cohen: P_e == 1 (every rating in one category) is detected on integer counts, not floats.
    if int(totals @ totals) == (n * m) ** 2:
        return FleissAgreement(n, m, p_bar, p_e, None, None, None, None)

    kappa = (p_bar - p_e) / (1.0 - p_e)
    q = 1.0 - p
    pq = float(np.sum(p * q))
    var = 2.0 / (n * m * (m - 1)) * (pq**2 - float(np.sum(p * q * (q - p)))) / pq**2
    se = float(np.sqrt(max(var, 0.0)))
    low, high = _interval(kappa, se, z)
    return FleissAgreement(n, m, p_bar, p_e, kappa, se, low, high)
