"""A brute-force evaluator of query trees: every node re-scans every document (tests only).

It shares no code with `qes.search.engine` beyond the definition of a word, so the two can be
compared on random queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from qes.search.model import ALL, And, Heading, Limits, Near, Not, Or, Query, Term

FIELDS = ("title", "abstract", "keywords", "headings")
WORD = re.compile(r"[^\W_]+")
AGES = {"adult": {"adult", "young adult", "middle aged", "aged", "aged, 80 and over"}}


def _values(v: Any) -> list[str]:
    if not v:
        return []
    return [v] if isinstance(v, str) else [str(x) for x in v]


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join({"*": ".*", "?": ".", "#": ".?"}.get(c, re.escape(c)) for c in pattern))


def _word_matches(pattern: str, word: str) -> bool:
    return _regex(pattern).fullmatch(word) is not None


@lru_cache(maxsize=200_000)
def _words(value: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in WORD.findall(value))


def _occurrences(term_words: list[str], value: str) -> list[tuple[int, int]]:
    words = _words(value)
    n = len(term_words)
    return [
        (i, i + n - 1) for i in range(len(words) - n + 1) if all(_word_matches(p, words[i + k]) for k, p in enumerate(term_words))
    ]


def _term_words(term: Term) -> list[str]:
    return [w.casefold() for w in re.findall(r"(?:[^\W_]|[*?#])+", term.text)]


def _fields(fields: frozenset[str]) -> tuple[str, ...]:
    return FIELDS if fields == ALL else tuple(f for f in FIELDS if f in fields)


def _operand_spans(q: Query, doc: Mapping[str, Any], field: str) -> list[list[tuple[int, int]]]:
    """Per value of `field` (keywords are separate values): the operand's occurrences."""
    values = _values(doc.get(field))
    if isinstance(q, Term):
        if field not in _fields(q.fields):
            return [[] for _ in values]
        return [_occurrences(_term_words(q), v) for v in values]
    if isinstance(q, Or):
        per_child = [_operand_spans(c, doc, field) for c in q.children]
        return [sum((child[i] for child in per_child), []) for i in range(len(values))]
    raise ValueError("bad proximity operand")


def matches(q: Query, doc: Mapping[str, Any]) -> bool:
    if isinstance(q, Term):
        words = _term_words(q)
        return bool(words) and any(_occurrences(words, v) for f in _fields(q.fields) for v in _values(doc.get(f)))
    if isinstance(q, And):
        return all(matches(c, doc) for c in q.children)
    if isinstance(q, Or):
        return any(matches(c, doc) for c in q.children)
    if isinstance(q, Not):
        return matches(q.left, doc) and not matches(q.right, doc)
    if isinstance(q, Near):
        for field in FIELDS:
            for lefts, rights in zip(_operand_spans(q.left, doc, field), _operand_spans(q.right, doc, field), strict=True):
                for a0, a1 in lefts:
                    for b0, b1 in rights:
                        if b0 > a1 and b0 - a1 - 1 <= q.distance:
                            return True
                        if not q.ordered and a0 > b1 and a0 - b1 - 1 <= q.distance:
                            return True
        return False
    if isinstance(q, Heading):
        wanted = " ".join(q.term.casefold().split())
        for h in _values(doc.get("headings")):
            major = h.strip().startswith("*")
            name = " ".join(h.strip().lstrip("*").split("/")[0].casefold().split())
            if (name == wanted or (q.explode and name.startswith(wanted))) and (major or not q.major):
                return True
        return False
    if isinstance(q, Limits):
        ok = True
        if q.years:
            y = doc.get("year")
            ok &= y is not None and (q.years[0] is None or y >= q.years[0]) and (q.years[1] is None or y <= q.years[1])
        if q.languages:
            lang = str(doc.get("language") or "").casefold()
            ok &= bool(lang) and any(w in lang or lang in w for w in q.languages)
        if q.age_groups:
            heads = {" ".join(h.lstrip("*").split("/")[0].casefold().split()) for h in _values(doc.get("headings"))}
            ok &= any(heads & AGES.get(a, {a}) for a in q.age_groups)
        return ok
    raise TypeError(q)


def reference_search(q: Query, docs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return [i for i, d in docs.items() if matches(q, d)]
