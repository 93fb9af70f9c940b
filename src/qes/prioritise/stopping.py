"""When is it safe to stop screening? Recall estimates and stopping rules, as pure functions.

Rules a methodologist would accept:

- **ranked** (Callaghan & Müller-Hansen 2020, as the buscar package applies it to a prioritised
  order): H0 is "recall is still below the target τ". If `found` of the records read so far are
  relevant, H0 means at least K = floor(found / τ) + 1 relevant records in all. Treat the last n
  records read as a random sample from themselves and everything still unread; under H0 that pool
  holds at least K - (found - k_n) relevant, k_n being the relevant among the last n. The chance of
  seeing k_n or fewer is the hypergeometric CDF; the smallest over n is the p-value, and H0 is
  rejected (stopping is safe) when p < 1 - confidence. Conservative while the ranking puts relevant
  records earlier than chance: then the unread pool is poorer than any window of the last n read.
- **sample**: the strict form of the same test, on a random sample drawn from the unread records
  after prioritised screening (the reviewer switches to random order at a point of their choice).
- **consecutive** (a heuristic, stated as one): stop after N excluded records in a row.

The recall estimate reads the same hypergeometric model: the point estimate from the rate of
relevant records in the last `window` read, and a lower bound as the largest target recall the
ranked test rejects at the confidence asked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class StoppingRule:
    rule: str = "ranked"  # ranked | sample | consecutive
    target: float = 0.95
    confidence: float = 0.95
    consecutive: int = 100  # for rule "consecutive"

    def __post_init__(self) -> None:
        if self.rule not in ("ranked", "sample", "consecutive"):
            raise ValueError(f"unknown stopping rule {self.rule!r} (ranked, sample or consecutive)")
        if not 0 < self.target < 1 or not 0 < self.confidence < 1:
            raise ValueError("target recall and confidence must lie strictly between 0 and 1")
        if self.consecutive < 1:
            raise ValueError("the number of consecutive exclusions must be at least 1")

    def describe(self) -> str:
        if self.rule == "consecutive":
            return f"stop after {self.consecutive} consecutive excluded records (heuristic; no recall guarantee)"
        how = (
            "the last records read, treated as a random sample"
            if self.rule == "ranked"
            else "a random sample of the unread records"
        )
        return (
            f"hypergeometric stopping test (Callaghan & Müller-Hansen 2020) on {how}: "
            f"recall ≥ {self.target:.0%} with {self.confidence:.0%} confidence"
        )


@dataclass(frozen=True)
class Verdict:
    rule: StoppingRule
    safe: bool
    p_value: float | None  # None for the heuristic
    screened: int
    found: int
    remaining: int
    recall_estimate: float | None
    recall_lower: float | None  # one-sided lower bound at rule.confidence
    reason: str

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["rule"] = asdict(self.rule) | {"description": self.rule.describe()}
        return out


def _min_relevant(found: int, target: float) -> int:
    """The fewest relevant records in all under H0 (recall < target)."""
    return math.floor(found / target) + 1


def ranked_p_value(labels: Sequence[int], total: int, target: float) -> float:
    """The buscar-style p-value of H0 "recall < target" after reading `labels` (in order) of `total`."""
    y = np.asarray(labels, dtype=np.int64)
    read = len(y)
    if read == 0:
        return 1.0
    found = int(y.sum())
    k_needed = _min_relevant(found, target)
    last_k = np.cumsum(y[::-1])  # relevant among the last n read, n = 1..read
    n = np.arange(1, read + 1)
    pool = total - read + n
    relevant_in_pool = k_needed - (found - last_k)
    valid = relevant_in_pool <= pool
    if not valid.any():
        return 0.0  # H0 would need more relevant records than there are records: it is impossible
    from scipy.stats import hypergeom  # here: scipy.stats takes seconds to load

    p = hypergeom.cdf(last_k[valid], pool[valid], relevant_in_pool[valid], n[valid])
    return float(min(1.0, p.min()))


def sample_p_value(found_before: int, sample: Sequence[int], pool: int, target: float) -> float:
    """P-value of H0 "recall < target" from a random sample of `pool` unread records.

    `found_before`: relevant records found before sampling began; `sample`: the sample's labels.
    """
    k = int(sum(sample))
    n = len(sample)
    if n == 0:
        return 1.0
    relevant_in_pool = _min_relevant(found_before + k, target) - found_before
    if relevant_in_pool > pool:
        return 0.0
    from scipy.stats import hypergeom

    return float(hypergeom.cdf(k, pool, relevant_in_pool, n))


def recall_estimate(labels: Sequence[int], total: int, confidence: float, window: int = 0) -> tuple[float, float]:
    """(point estimate, lower bound) of the recall reached after reading `labels` of `total`.

    The point estimate extrapolates the rate of relevant records in the last `window` read (default:
    the last 10% read, at least 50) to the unread records; the lower bound is the largest target τ
    whose ranked test is rejected at `confidence` (0 when none is).
    """
    y = list(labels)
    found = sum(y)
    if found == 0:
        return 0.0, 0.0
    size = window or max(50, len(y) // 10)
    recent = y[-size:]
    rate = sum(recent) / len(recent)
    expected_left = rate * (total - len(y))
    point = found / (found + expected_left)
    alpha = 1 - confidence
    low, high = 0.0, 1.0
    for _ in range(30):  # bisection: the test's verdict is monotone in the target
        mid = (low + high) / 2
        if ranked_p_value(y, total, mid) < alpha:
            low = mid
        else:
            high = mid
    return point, low


def verdict(rule: StoppingRule, labels: Sequence[int], total: int, *, sample_from: int | None = None) -> Verdict:
    """Apply `rule` to the labels of the records read so far, in the order read, out of `total`.

    For rule "sample", `sample_from` is how many records had been read when random sampling began.
    """
    y = [int(v) for v in labels]
    found = sum(y)
    remaining = total - len(y)
    point, lower = recall_estimate(y, total, rule.confidence) if found else (None, None)
    common = {
        "rule": rule,
        "screened": len(y),
        "found": found,
        "remaining": remaining,
        "recall_estimate": point,
        "recall_lower": lower,
    }
    if remaining == 0:
        return Verdict(safe=True, p_value=0.0, reason="every record has been screened", **common)  # type: ignore[arg-type]
    if rule.rule == "consecutive":
        run = next((i for i, v in enumerate(reversed(y)) if v), len(y))
        safe = run >= rule.consecutive
        reason = f"{run} excluded in a row (rule: {rule.consecutive})"
        return Verdict(safe=safe, p_value=None, reason=reason, **common)  # type: ignore[arg-type]
    if found == 0:
        return Verdict(safe=False, p_value=1.0, reason="no relevant record found yet", **common)  # type: ignore[arg-type]
    alpha = 1 - rule.confidence
    if rule.rule == "sample":
        if sample_from is None:
            return Verdict(safe=False, p_value=1.0, reason="random sampling has not begun", **common)  # type: ignore[arg-type]
        p = sample_p_value(sum(y[:sample_from]), y[sample_from:], total - sample_from, rule.target)
    else:
        p = ranked_p_value(y, total, rule.target)
    safe = p < alpha
    outcome = "rejected" if safe else "not rejected"
    reason = f"p = {p:.4f} {'<' if safe else '≥'} {alpha:.2f}: H0 (recall < {rule.target:.0%}) {outcome}"
    return Verdict(safe=safe, p_value=p, reason=reason, **common)  # type: ignore[arg-type]
