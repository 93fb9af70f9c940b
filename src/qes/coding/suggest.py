"""Code suggestions for a selected segment: the codebook's codes ranked by lexical fit, with the words that matched.

A baseline the coder can read: each code is one bag of words — its name (counted twice: a name is the
code's shortest definition), definition, notes and the text of the segments already coded with it — and
the selection is scored against every bag by TF-IDF cosine (default) or Okapi BM25 (TF-IDF ranked review
001's paragraphs better: BENCHMARKS.md, "Code suggestions"). Words are
normalised without stemming: Unicode-folded, lower-cased, accents dropped, possessive "'s" cut, English
stop words and one-letter tokens left out. A suggestion names the matching words, best first, so the
coder sees why; nothing is ever applied without the coder choosing it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

Method = Literal["bm25", "tfidf"]
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_BM25_K1 = 1.2
_BM25_B = 0.75


@dataclass(frozen=True)
class CodeProfile:
    """What is known of a code: its words and the segments already coded with it."""

    key: Any
    name: str
    definition: str = ""
    notes: str = ""
    examples: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Suggestion:
    key: Any
    name: str
    score: float
    why: tuple[str, ...]  # the selection's words found in the code's words, strongest first

    def to_json(self) -> dict:
        return {"code": self.key, "name": self.name, "score": round(self.score, 4), "why": list(self.why)}


@cache
def _stop_words() -> frozenset[str]:
    # scikit-learn's English list, loaded on first use: importing scikit-learn takes about a second,
    # and every `qes` command imports this module through the coding services.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def words(text: str) -> list[str]:
    """The normalised words of ``text`` (no stemming)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    out = []
    stop = _stop_words()
    for token in _WORD.findall(folded):
        token = re.sub(r"['’]s$", "", token).replace("’", "'")
        if len(token) > 1 and token not in stop:
            out.append(token)
    return out


def _bag(profile: CodeProfile, with_examples: bool) -> Counter[str]:
    bag = Counter(words(profile.name)) + Counter(words(profile.name))
    bag.update(words(profile.definition))
    bag.update(words(profile.notes))
    if with_examples:
        for example in profile.examples:
            bag.update(words(example))
    return bag


def suggest(
    selection: str,
    profiles: Sequence[CodeProfile],
    *,
    method: Method = "tfidf",
    limit: int | None = None,
    with_examples: bool = True,
) -> list[Suggestion]:
    """The codes ranked by fit to ``selection``, best first; codes sharing no word with it come last, score 0.

    Ties keep codebook order. ``with_examples=False`` ranks on names, definitions and notes alone.
    """
    bags = [_bag(p, with_examples) for p in profiles]
    query = Counter(words(selection))
    n = len(bags)
    document_frequency: Counter[str] = Counter()
    for bag in bags:
        document_frequency.update(bag.keys())
    # BM25's idf, kept positive (a word in every code still counts a little): log(1 + (N - df + 0.5) / (df + 0.5)).
    idf = {w: math.log(1.0 + (n - df + 0.5) / (df + 0.5)) for w, df in document_frequency.items()}
    scored = []
    if method == "bm25":
        average = sum(sum(b.values()) for b in bags) / n if n else 0.0
        for profile, bag in zip(profiles, bags, strict=True):
            length = sum(bag.values())
            contributions = {}
            for word, count in query.items():
                tf = bag.get(word, 0)
                if tf:
                    norm = tf * (_BM25_K1 + 1) / (tf + _BM25_K1 * (1 - _BM25_B + _BM25_B * length / average))
                    contributions[word] = idf[word] * norm * count
            scored.append((profile, contributions))
    elif method == "tfidf":
        query_vector = {w: c * idf[w] for w, c in query.items() if w in idf}
        query_norm = math.sqrt(sum(v * v for v in query_vector.values())) or 1.0
        for profile, bag in zip(profiles, bags, strict=True):
            vector = {w: (1 + math.log(c)) * idf[w] for w, c in bag.items()}
            bag_norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            contributions = {w: q * vector[w] / (query_norm * bag_norm) for w, q in query_vector.items() if w in vector}
            scored.append((profile, contributions))
    else:
        raise ValueError(f"unknown method {method!r}: bm25 or tfidf")
    results = [Suggestion(p.key, p.name, sum(c.values()), tuple(sorted(c, key=lambda w: (-c[w], w)))) for p, c in scored]
    order = sorted(range(len(results)), key=lambda i: (-results[i].score, i))
    ranked = [results[i] for i in order]
    return ranked[:limit] if limit is not None else ranked
