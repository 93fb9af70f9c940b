"""The order metrics on small hand-made orderings (values worked out by hand in the comments)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qes.prioritise.metrics import measure, recall_at, records_to_find_all, records_to_recall, wss


def test_perfect_order_of_ten_with_two_included() -> None:
    labels = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    # recall 95% needs ceil(0.95 * 2) = 2 included: found after 2 records; (10 - 2) / 10 - 0.05 = 0.75
    assert wss(labels) == pytest.approx(0.75)
    assert records_to_find_all(labels) == 2
    assert recall_at(labels, 0.10) == pytest.approx(0.5)  # ceil(1.0) = 1 record read: 1 of 2 found


def test_worst_order_saves_nothing() -> None:
    labels = [0] * 8 + [1, 1]
    assert wss(labels) == pytest.approx(-0.05)  # all 10 read: 0 / 10 - 0.05
    assert recall_at(labels, 0.10) == 0.0
    assert records_to_find_all(labels) == 10


def test_wss95_with_twenty_included_needs_nineteen() -> None:
    # 20 included at positions 1..19 and 100 of 100: recall 95% = 19 found, after 19 records.
    labels = [1] * 19 + [0] * 80 + [1]
    assert records_to_recall(labels, 0.95) == 19
    assert wss(labels) == pytest.approx((100 - 19) / 100 - 0.05)
    assert records_to_find_all(labels) == 100
    m = measure(labels)
    assert (m.records, m.included, m.records_to_find_all) == (100, 20, 100)
    assert m.recall_at_10 == pytest.approx(10 / 20)


def test_no_included_record_is_an_error() -> None:
    with pytest.raises(ValueError):
        wss([0, 0, 0])


@given(st.lists(st.integers(0, 1), min_size=2, max_size=200).filter(lambda xs: sum(xs) > 0))
def test_wss_bounds_and_reading_order(labels: list[int]) -> None:
    """WSS@95 lies in [-0.05, 0.95); moving an included record earlier never lowers it."""
    value = wss(labels)
    assert -0.05 - 1e-12 <= value < 0.95
    last = max(i for i, v in enumerate(labels) if v)
    first_zero = next((i for i, v in enumerate(labels) if v == 0), None)
    if first_zero is not None and first_zero < last:
        better = list(labels)
        better[first_zero], better[last] = 1, 0
        assert wss(better) >= value - 1e-12
