"""How good a screening order is, from the labels in the order they were screened.

Definitions (all over the whole order, the two prior records included, as `qes simulate` writes it):
- **records to find all**: the position (1-based) of the last included record;
- **recall@p**: included records found in the first ceil(p * N) records, over all included records;
- **WSS@r** (work saved over sampling, Cohen et al. 2006): with n the position at which recall first
  reaches r, WSS@r = (N - n) / N - (1 - r). Reading in random order needs r * N records on average to
  reach recall r, so WSS@r is the share of the N records a reviewer need not read, over random order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def records_to_recall(labels: Sequence[int], recall: float) -> int:
    """The number of records read (in this order) when recall first reaches `recall`."""
    total = sum(labels)
    if total == 0:
        raise ValueError("no included record: recall is undefined")
    needed = math.ceil(recall * total - 1e-9)
    found = 0
    for position, label in enumerate(labels, start=1):
        found += label
        if found >= needed:
            return position
    raise AssertionError("unreachable: every included record is in the order")


def wss(labels: Sequence[int], recall: float = 0.95) -> float:
    n = len(labels)
    return (n - records_to_recall(labels, recall)) / n - (1 - recall)


def recall_at(labels: Sequence[int], share: float) -> float:
    total = sum(labels)
    if total == 0:
        raise ValueError("no included record: recall is undefined")
    read = math.ceil(share * len(labels) - 1e-9)
    return sum(labels[:read]) / total


def records_to_find_all(labels: Sequence[int]) -> int:
    return records_to_recall(labels, 1.0)


@dataclass(frozen=True)
class OrderMetrics:
    records: int
    included: int
    wss95: float
    recall_at_10: float
    records_to_find_all: int

    def to_json(self) -> dict[str, float | int]:
        return {
            "records": self.records,
            "included": self.included,
            "wss@95": round(self.wss95, 4),
            "recall@10%": round(self.recall_at_10, 4),
            "records_to_find_all": self.records_to_find_all,
        }


def measure(labels: Sequence[int]) -> OrderMetrics:
    return OrderMetrics(
        records=len(labels),
        included=sum(labels),
        wss95=wss(labels, 0.95),
        recall_at_10=recall_at(labels, 0.10),
        records_to_find_all=records_to_find_all(labels),
    )
