"""Records → text → a sparse feature matrix. Pure; fitted once per ranking on every record's text.

The TF-IDF vocabulary is learnt from all records (labelled or not), as every active-learning tool
does: the words of the unread records are known, only their labels are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:
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
    # Authors' surnames as a block of their own, this weight beside the text's 1 (rows renormalised):
    # the groups working on a review's question recur among its included studies.
    authors_weight: float = 0.0
    # The publication year as cumulative "year >= Y" indicators, a block of this weight: a review's
    # included studies cluster in time (a method or question has its decades), and near years look alike.
    year_weight: float = 0.0
    # Also "year <= Y" indicators beside the "year >= Y" ones: then every year's block has the same
    # norm and two records' likeness falls with the distance between their years alike on either
    # side, early or late in the stage's span (one-sided, early years weigh more per indicator).
    year_both_ways: bool = False
    # Several views of the same records (each a spec of its own): `matrix` returns a `Views`, and
    # each ensemble member of the model (ModelSpec.view) learns from one of them.
    views: tuple[FeatureSpec, ...] = ()


@dataclass(frozen=True)
class Views:
    """One feature matrix per view, rows in the same record order."""

    matrices: tuple[sp.csr_matrix, ...]

    @property
    def shape(self) -> tuple[int, int]:
        return (self.matrices[0].shape[0], sum(m.shape[1] for m in self.matrices))


FeatureMatrix = Union["sp.csr_matrix", Views]


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


_WORD = re.compile(r"[^\W\d_][\w'-]*")


def author_surnames(value: Any) -> list[str]:
    """Surnames, lower case, from a CSV's "Ann Lee; B. Kim" or "Lee, Ann" or the store's author objects."""
    if isinstance(value, str):
        names: list[Any] = value.split(";")
    elif isinstance(value, Iterable):
        names = list(value)
    else:
        return []
    surnames = []
    for name in names:
        if isinstance(name, Mapping):
            text = str(name.get("family") or name.get("literal") or "")
        else:  # "Lee, Ann": the part before the comma; "Ann Lee": the last word
            text = str(name)
            text = text.split(",")[0] if "," in text else (text.split() or [""])[-1]
        words = _WORD.findall(text)
        if words:
            surnames.append(" ".join(words).lower())
    return surnames


def matrix(records: Sequence[Mapping[str, Any]], spec: FeatureSpec) -> FeatureMatrix:
    """The feature matrix, one row per record (rows L2-normalised); a `Views` if the spec has views."""
    if not spec.views:
        return _with_blocks(records, _text(records, spec), spec)
    texts: dict[FeatureSpec, sp.csr_matrix] = {}  # views that differ only by the blocks share the text
    for view in spec.views:
        if _text_only(view) not in texts:
            texts[_text_only(view)] = _text(records, _text_only(view))
    return Views(tuple(_with_blocks(records, texts[_text_only(v)], v) for v in spec.views))


def _text_only(spec: FeatureSpec) -> FeatureSpec:
    return replace(spec, authors_weight=0.0, year_weight=0.0, year_both_ways=False)


def _with_blocks(records: Sequence[Mapping[str, Any]], text: sp.csr_matrix, spec: FeatureSpec) -> sp.csr_matrix:
    if not spec.authors_weight and not spec.year_weight:
        return text
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    blocks = [text]
    if spec.authors_weight:
        blocks.append(_authors(records) * spec.authors_weight)
    if spec.year_weight:
        blocks.append(_years(records, spec.year_both_ways) * spec.year_weight)
    return normalize(sp.hstack(blocks).tocsr())


def _year(value: Any) -> int | None:
    match = re.search(r"\d{4}", str(value or ""))
    return int(match.group()) if match else None


def _years(records: Sequence[Mapping[str, Any]], both_ways: bool = False) -> sp.csr_matrix:
    """Row i has a 1 for every year of the set up to its own (unit rows); no year, an empty row.

    Both ways, a second set of columns has a 1 for every year of the set from its own on.
    """
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    years = [_year(r.get("year")) for r in records]
    known = np.array(sorted({y for y in years if y is not None}), dtype=np.int64)
    rows: list[int] = []
    cols: list[int] = []
    for i, year in enumerate(years):
        if year is not None:
            upto = int(np.searchsorted(known, year, side="right"))
            rows.extend([i] * upto)
            cols.extend(range(upto))
            if both_ways:  # known[upto - 1] is this year: columns len(known) + upto - 1 onwards
                rows.extend([i] * (len(known) - upto + 1))
                cols.extend(range(len(known) + upto - 1, 2 * len(known)))
    shape = (len(records), max(1, len(known) * (2 if both_ways else 1)))
    return normalize(sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape, dtype=np.float64))


def _authors(records: Sequence[Mapping[str, Any]]) -> sp.csr_matrix:
    """TF-IDF over surnames; one seen once in the set is kept, as it still weighs the text down."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    surnames = [author_surnames(r.get("authors")) for r in records]
    if not any(surnames):
        return sp.csr_matrix((len(records), 1))
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float64).fit_transform(surnames).tocsr()


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _text(records: Sequence[Mapping[str, Any]], spec: FeatureSpec) -> sp.csr_matrix:
    # scikit-learn and scipy take most of a second to import: only commands that rank pay for them.
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

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
