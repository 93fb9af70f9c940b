"""Records → text → a sparse feature matrix. Pure; fitted once per ranking on every record's text.

The TF-IDF vocabulary is learnt from all records (labelled or not), as every active-learning tool
does: the words of the unread records are known, only their labels are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class FeatureSpec:
    """Which text a record contributes and how it becomes features."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = None  # character n-grams inside words catch word variants
    char_weight: float = 1.0
    title_repeat: int = 1  # a title says more per word than an abstract
    fields: tuple[str, ...] = ("title", "abstract", "keywords")
    sublinear_tf: bool = True
    min_df: int = 1
    max_df: float = 0.95


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return " ; ".join(str(v) for v in value if v)
    return str(value)


def document(record: Mapping[str, Any], spec: FeatureSpec) -> str:
    parts = []
    for name in spec.fields:
        text = _as_text(record.get(name))
        if text:
            parts.append(" ".join([text] * spec.title_repeat) if name == "title" else text)
    return " \n ".join(parts)


def matrix(records: Sequence[Mapping[str, Any]], spec: FeatureSpec) -> sp.csr_matrix:
    # Imported here, not at module level: scikit-learn takes seconds to load and most commands never rank.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    """The feature matrix, one row per record (rows L2-normalised)."""
    texts = [document(r, spec) for r in records]
    if not any(t.strip() for t in texts):
        return sp.csr_matrix((len(texts), 1))
    words = TfidfVectorizer(
        ngram_range=spec.word_ngrams,
        sublinear_tf=spec.sublinear_tf,
        min_df=spec.min_df,
        max_df=spec.max_df if len(texts) > 20 else 1.0,
        dtype=np.float64,
    ).fit_transform(texts)
    if spec.char_ngrams is None:
        return words.tocsr()
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=spec.char_ngrams,
        sublinear_tf=True,
        min_df=2 if len(texts) > 50 else 1,
        max_df=spec.max_df if len(texts) > 20 else 1.0,
        dtype=np.float64,
    ).fit_transform(texts)
    return normalize(sp.hstack([words, chars * spec.char_weight]).tocsr())
