"""Simulation: screen labelled data in the model's order, the labels playing the reviewer.

The same learning cycle as live screening (`model.scores` after every label), so a preset's
simulated performance is the performance a reviewer gets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qes.prioritise.features import FeatureMatrix
from qes.prioritise.model import ModelSpec, query_order, scores

if TYPE_CHECKING:  # scipy.sparse takes a tenth of a second to import; only annotations here
    pass


def pick_priors(labels: Sequence[int], seed: int) -> tuple[int, int]:
    """One included and one excluded row, drawn by the seed (the reviewer's starting knowledge)."""
    y = np.asarray(labels)
    included = np.flatnonzero(y == 1)
    excluded = np.flatnonzero(y == 0)
    if len(included) == 0 or len(excluded) == 0:
        raise ValueError("simulation needs at least one included and one excluded record")
    rng = np.random.default_rng(seed)
    return int(rng.choice(included)), int(rng.choice(excluded))


@dataclass(frozen=True)
class Schedule:
    """When to retrain: after every label up to `every_until` labels, then every `step` share."""

    every_until: int = 2_000  # every SYNERGY-sized review is retrained after every label, as ASReview does
    step: float = 0.01

    def retrain(self, labelled: int, since: int) -> bool:
        return labelled <= self.every_until or since >= max(1, int(self.step * labelled))


def simulate(
    X: FeatureMatrix,
    labels: Sequence[int],
    priors: Sequence[int],
    spec: ModelSpec,
    *,
    schedule: Schedule = Schedule(),
    stop_when_all_found: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """The rows in the order screened: the priors, then each next best row by the model."""
    y = np.asarray(labels, dtype=np.int64)
    n = len(y)
    order = list(priors)
    seen = np.zeros(n, dtype=bool)
    seen[order] = True
    total = int(y.sum())
    found = int(y[order].sum())
    queue: list[int] = []
    since = 0
    while len(order) < n:
        if stop_when_all_found and found == total:
            break
        labelled = len(order)
        if not queue or schedule.retrain(labelled, since):
            if y[order].min() == y[order].max():
                # Only one class so far (cannot happen with two priors): fall back to file order.
                queue = [int(i) for i in np.flatnonzero(~seen)]
            else:
                s = scores(X, order, y[order], spec)
                queue = [int(i) for i in query_order(s, spec, seed=labelled) if not seen[i]]
            since = 0
        row = queue.pop(0)
        while seen[row]:
            row = queue.pop(0)
        seen[row] = True
        order.append(row)
        found += int(y[row])
        since += 1
        if progress:
            progress(len(order))
    if len(order) < n:
        rest = [int(i) for i in np.flatnonzero(~seen)]
        order.extend(rest)
    return order
