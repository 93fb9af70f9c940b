"""The learning part of a ranking: balancing, classifier, query strategy. Small swappable pieces.

`scores(X, labelled, y, spec)` fits the spec's classifier on the labelled rows and scores every row;
a higher score means more likely relevant. Pure (given the seed); no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

from qes.prioritise.features import FeatureMatrix, Views

if TYPE_CHECKING:  # scipy and scikit-learn take most of a second to import: imported where used
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import LinearSVC

Estimator: TypeAlias = "LinearSVC | LogisticRegression | MultinomialNB"


@dataclass(frozen=True)
class ModelSpec:
    classifiers: tuple[str, ...] = ("svm",)  # more than one: their rank-averaged scores
    svm_c: float = 0.11
    logistic_c: float = 1.0
    nb_alpha: float = 3.8
    balance_ratio: float = 9.8  # an excluded record weighs n_included / (ratio * n_excluded)
    query: str = "max"  # max: most likely relevant first; random: a control that ignores the model
    # Unread records drawn at random and trained on as excluded (Cormack & Grossman's BMI): most
    # unread records are irrelevant, and early on they tell the model what "ordinary" looks like.
    presumed_excluded: int = 0
    presumed_weight: float = 1.0
    # Several specs whose rank-averaged scores make the ranking (each member fits on its own).
    ensemble: tuple[ModelSpec, ...] = ()
    view: int = 0  # which of the features' views this spec learns from (FeatureSpec.views)


def sample_weights(y: np.ndarray, ratio: float) -> np.ndarray:
    """Included records weigh 1; the many excluded together weigh 1/ratio of the included."""
    included = int(y.sum())
    excluded = len(y) - included
    weights = np.ones(len(y))
    if included and excluded:
        weights[y == 0] = included / (ratio * excluded)
    # Scaled to sum to the number of records, so the classifier's C means the same at any size.
    return weights * (len(y) / weights.sum())


def _svm(spec: ModelSpec) -> Estimator:
    from sklearn.svm import LinearSVC

    return LinearSVC(C=spec.svm_c, loss="squared_hinge", dual="auto", max_iter=5000, random_state=0)


def _logistic(spec: ModelSpec) -> Estimator:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=spec.logistic_c, max_iter=1000, solver="liblinear", random_state=0)


def _nb(spec: ModelSpec) -> Estimator:
    from sklearn.naive_bayes import MultinomialNB

    return MultinomialNB(alpha=spec.nb_alpha)


CLASSIFIERS: dict[str, Callable[[ModelSpec], Estimator]] = {"svm": _svm, "logistic": _logistic, "nb": _nb}


def _score(model: Estimator, X: sp.csr_matrix) -> np.ndarray:
    from sklearn.naive_bayes import MultinomialNB

    if isinstance(model, MultinomialNB):
        log_p = model.predict_log_proba(X)
        return np.asarray(log_p[:, 1] - log_p[:, 0])
    return np.asarray(model.decision_function(X))


def scores(X: FeatureMatrix, labelled: Sequence[int], y: Sequence[int] | np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Relevance scores for every row of X, learnt from the labelled rows (both classes needed)."""
    from scipy.stats import rankdata

    if spec.ensemble:
        members = [scores(X, labelled, y, member) for member in spec.ensemble]
        return np.asarray(np.mean([rankdata(m) / len(m) for m in members], axis=0))
    if isinstance(X, Views):
        X = X.matrices[spec.view]
    rows = np.asarray(labelled, dtype=np.int64)
    target = np.asarray(y, dtype=np.int64)
    if len(rows) == 0 or target.min() == target.max():
        raise ValueError("a ranking needs at least one included and one excluded record")
    weights = sample_weights(target, spec.balance_ratio)
    unread = np.setdiff1d(np.arange(X.shape[0]), rows) if spec.presumed_excluded else np.array([], dtype=np.int64)
    if len(unread):
        # Seeded by how much is labelled, so a simulation (and a refresh) is repeatable.
        extra = np.random.default_rng(len(rows)).choice(unread, size=min(spec.presumed_excluded, len(unread)), replace=False)
        rows = np.concatenate([rows, extra])
        target = np.concatenate([target, np.zeros(len(extra), dtype=np.int64)])
        weights = sample_weights(target, spec.balance_ratio)
        weights[-len(extra) :] *= spec.presumed_weight
    train = X[rows]
    parts = []
    for name in spec.classifiers:
        model = CLASSIFIERS[name](spec)
        model.fit(train, target, sample_weight=weights)
        parts.append(_score(model, X))
    if len(parts) == 1:
        return parts[0]
    # Rank-average: the classifiers' scores live on different scales.
    return np.asarray(np.mean([rankdata(p) / len(p) for p in parts], axis=0))


def query_order(s: np.ndarray, spec: ModelSpec, seed: int = 0) -> np.ndarray:
    """Row indices in the order to read them, from the scores, by the spec's query strategy."""
    if spec.query == "random":
        return np.random.default_rng(seed).permutation(len(s))
    if spec.query != "max":
        raise ValueError(f"unknown query strategy {spec.query!r} (max or random)")
    return np.argsort(-s, kind="stable")
