"""Hypothesis strategies for query trees, with words from the SYNERGY records (tests only)."""

from __future__ import annotations

import csv
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from qes.search.model import TIABKW, And, Near, Not, Or, Query, Term

WORD = re.compile(r"[^\W_]+")
FALLBACK_WORDS = ["mental", "health", "reciprocity", "patient", "care", "nurse", "depression", "trial", "risk", "therapy"]


@lru_cache(maxsize=1)
def synergy_documents(root: Path) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(root.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                docs[f"{path.stem}:{row['record_id']}"] = {
                    "title": row.get("title") or "",
                    "abstract": row.get("abstract") or "",
                    "keywords": [],
                    "headings": [],
                    "year": int(row["year"]) if (row.get("year") or "").isdigit() else None,
                }
    return docs


def vocabulary(docs: dict[str, dict[str, Any]], n: int = 400, seed: int = 7) -> list[str]:
    """Frequent-enough words (4+ letters, no digits) so random queries hit something."""
    counts: dict[str, int] = {}
    for d in docs.values():
        for w in set(WORD.findall((d["title"] + " " + d["abstract"]).casefold())):
            if len(w) >= 4 and w.isalpha() and w.isascii():
                counts[w] = counts.get(w, 0) + 1
    common = sorted((w for w, c in counts.items() if c >= 5), key=lambda w: (-counts[w], w))[: n * 2]
    random.Random(seed).shuffle(common)
    return sorted(common[:n]) or FALLBACK_WORDS


FIELD_SETS = [frozenset({"title"}), TIABKW]


def pubmed_terms(words: list[str]) -> st.SearchStrategy[Query]:
    """Terms PubMed can say exactly: [ti] or [tiab], words (truncated or not) and phrases."""
    word = st.sampled_from(words)
    single = st.builds(
        lambda w, trunc, cut: w[: max(4, len(w) - cut)] + "*" if trunc else w, word, st.booleans(), st.integers(0, 3)
    )
    phrase = st.lists(word, min_size=2, max_size=2).map(" ".join)
    return st.one_of(
        st.builds(lambda t, f: Term(t, False, f), single, st.sampled_from(FIELD_SETS)),
        st.builds(lambda t, f: Term(t, True, f), phrase, st.sampled_from(FIELD_SETS)),
    )


def pubmed_near(words: list[str]) -> st.SearchStrategy[Query]:
    word = st.sampled_from(words)
    return st.builds(
        lambda a, b, d, f: Near(Term(a, False, f), Term(b, False, f), d),
        word,
        word,
        st.integers(0, 4),
        st.sampled_from(FIELD_SETS),
    )


def pubmed_trees(words: list[str], near: bool = True) -> st.SearchStrategy[Query]:
    leaf = st.one_of(pubmed_terms(words), pubmed_near(words)) if near else pubmed_terms(words)
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.lists(kids, min_size=2, max_size=4).map(lambda c: And(tuple(c))),
            st.lists(kids, min_size=2, max_size=4).map(lambda c: Or(tuple(c))),
            st.tuples(kids, kids).map(lambda p: Not(*p)),
        ),
        max_leaves=8,
    )
