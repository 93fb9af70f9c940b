"""Stopping rules: the hypergeometric test's p-values, the heuristic, and the recall guarantee by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom

from qes.prioritise.stopping import StoppingRule, ranked_p_value, recall_estimate, sample_p_value, verdict


def test_sample_p_value_is_the_hypergeometric_tail() -> None:
    # 40 found before sampling; 0 relevant in a sample of 300 from a pool of 1,000 unread records.
    # H0 (recall < 95%) needs floor(40 / 0.95) + 1 = 43 relevant in all, so 3 in the pool.
    p = sample_p_value(40, [0] * 300, 1000, 0.95)
    assert p == pytest.approx(hypergeom.cdf(0, 1000, 3, 300))
    assert p == pytest.approx((700 / 1000) * (699 / 999) * (698 / 998))


def test_ranked_p_value_matches_hand_computation_for_one_window() -> None:
    # 10 read of 12, found 2 (first two); H0 needs floor(2/0.5)+1 = 5 relevant, 3 unseen.
    labels = [1, 1] + [0] * 8
    p = ranked_p_value(labels, 12, 0.5)
    # window n = 8 (all zeros): pool 12 - 10 + 8 = 10 holding >= 3 relevant, 0 seen in 8: C(7,8)=0 → p = 0
    assert p == 0.0
    labels = [1, 0, 1, 0]
    p = ranked_p_value(labels, 100, 0.9)
    n = np.arange(1, 5)
    last_k = np.cumsum(labels[::-1])
    k_needed = int(2 / 0.9) + 1
    expected = min(hypergeom.cdf(last_k[i], 96 + n[i], k_needed - (2 - last_k[i]), n[i]) for i in range(4))
    assert p == pytest.approx(expected)


def test_consecutive_exclusions_heuristic() -> None:
    rule = StoppingRule("consecutive", consecutive=5)
    assert not verdict(rule, [1, 0, 0, 0, 0], 100).safe
    v = verdict(rule, [1, 0, 0, 0, 0, 0], 100)
    assert v.safe and v.p_value is None and "5 excluded in a row" in v.reason


def test_verdict_refuses_before_any_relevant_record_and_accepts_when_all_read() -> None:
    assert not verdict(StoppingRule(), [0] * 50, 1000).safe
    assert verdict(StoppingRule(), [1, 0, 0], 3).safe


def test_sample_rule_needs_a_sample() -> None:
    v = verdict(StoppingRule("sample"), [1] * 5 + [0] * 100, 1000)
    assert not v.safe and "sampling has not begun" in v.reason


def test_bad_rule_parameters_are_refused() -> None:
    for bad in ({"rule": "magic"}, {"target": 1.0}, {"confidence": 0}, {"rule": "consecutive", "consecutive": 0}):
        with pytest.raises(ValueError):
            StoppingRule(**bad)  # type: ignore[arg-type]


def test_recall_estimate_bounds_are_ordered() -> None:
    labels = [1] * 30 + [0] * 400
    point, lower = recall_estimate(labels, 2000, 0.95)
    assert 0 < lower <= point <= 1


def _stopped_recall(y: np.ndarray, rule: StoppingRule, start: int, step: int) -> float:
    """Screen y in order; from `start` on (rule sample: from there in random order) test every `step`."""
    total = len(y)
    relevant = int(y.sum())
    alpha = 1 - rule.confidence
    for n in range(start + step, total, step):
        if rule.rule == "sample":
            p = sample_p_value(int(y[:start].sum()), y[start:n], total - start, rule.target)
        else:
            p = ranked_p_value(y[:n], total, rule.target)
        if p < alpha:
            return float(y[:n].sum() / relevant)
    return 1.0


@pytest.mark.parametrize("target", [0.8, 0.95])
def test_random_sampling_rule_reaches_its_target_as_often_as_its_confidence_says(target: float) -> None:
    """The strict test: prioritised screening first, then a random sample of the unread records."""
    rng = np.random.default_rng(2026)
    rule = StoppingRule("sample", target=target, confidence=0.95)
    hits, trials = 0, 200
    for _ in range(trials):
        y = np.zeros(1500, dtype=np.int64)
        y[:60] = 1
        y = y[np.argsort(-(rng.random(1500) + 0.6 * y))]  # a ranking somewhat better than chance
        start = int(rng.integers(200, 700))
        rest = y[start:].copy()
        rng.shuffle(rest)  # from `start` on the reviewer reads a random sample of the unread records
        y = np.concatenate([y[:start], rest])
        hits += _stopped_recall(y, rule, start, 10) >= target
    assert hits / trials >= 0.95


def test_ranked_rule_reaches_its_target_under_its_premise() -> None:
    """The ranked test assumes the ranking reads relevant records no later than chance would."""
    rng = np.random.default_rng(7)
    rule = StoppingRule("ranked", target=0.95, confidence=0.95)
    hits, trials = 0, 100
    for _ in range(trials):
        y = np.zeros(800, dtype=np.int64)
        y[:40] = 1
        y = y[np.argsort(-(rng.random(800) + 1.0 * y))]
        recall = _stopped_recall(y, rule, 0, 20)
        hits += recall >= 0.95
    assert hits / trials >= 0.95
