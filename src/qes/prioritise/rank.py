"""A ranking from a stage's records and the labels known so far: the pure core of live prioritising."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qes.prioritise.features import FeatureMatrix
from qes.prioritise.model import ModelSpec, scores

if TYPE_CHECKING:  # scipy.sparse takes a tenth of a second to import; only annotations here
    pass


@dataclass(frozen=True)
class RankResult:
    record_ids: list[int]  # every record of the stage, most likely relevant first
    scores: list[float]
    labelled: int
    included: int


def rank(record_ids: Sequence[int], X: FeatureMatrix, labels: Mapping[int, int], spec: ModelSpec) -> RankResult | None:
    """Order the unlabelled records by the model learnt from `labels`; None until both classes are known.

    Labelled records follow the unlabelled ones (they need no reading), so the order covers the stage.
    """
    position = {rid: i for i, rid in enumerate(record_ids)}
    known = [(position[r], lab) for r, lab in labels.items() if r in position]
    ys = [lab for _, lab in known]
    if not known or min(ys) == max(ys):
        return None
    s = scores(X, [i for i, _ in known], ys, spec)
    s = np.asarray(s, dtype=np.float64)
    labelled_rows = np.zeros(len(record_ids), dtype=bool)
    labelled_rows[[i for i, _ in known]] = True
    ordered = np.lexsort((-s, labelled_rows))  # unlabelled first, then by score, best first
    ids = np.asarray(record_ids, dtype=np.int64)[ordered]
    return RankResult([int(i) for i in ids], [float(v) for v in s[ordered]], len(known), int(sum(ys)))
