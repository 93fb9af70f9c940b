"""Run a query tree over local records, with the databases' semantics, fast.

Documents are `{id: {"title", "abstract", "keywords", "headings", "year", "language", "pub_type"}}`
(keywords and headings: a list or one string). The rules:

- words are maximal runs of Unicode letters and digits, compared case-insensitively;
- `*` = any run of characters, `?` = one character, `#` = zero or one (`model` conventions);
- a phrase is its words in order, next to each other, inside one field (never across two fields,
  nor across two keywords or headings of one record); a hyphenated term is the phrase of its parts;
- proximity counts the words between the two operands' occurrences, inside one field;
- `all` = every text field (title, abstract, keywords, headings);
- headings compare the record's headings without a leading `*` (the major-topic mark, which
  `major` requires) or a `/subheading`. Without a thesaurus tree locally, **explode** = the heading
  itself plus every heading that starts with it;
- age-group limits look for the age headings MEDLINE indexes (`AGE_HEADINGS`).

One inverted index per field is built once per document set (`Index`); result sets are Python
integers used as bitsets, so AND/OR/NOT over thousands of records are single machine operations.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from qes.search.model import ALL, And, Heading, Limits, Near, Not, Or, Query, Term

TEXT_FIELDS = ("title", "abstract", "keywords", "headings")
WORD = re.compile(r"[^\W_]+")
PATTERN_WORD = re.compile(r"(?:[^\W_]|[*?#])+")
VALUE_GAP = 1000  # positions between two keywords (or headings) of one record: no phrase spans them
AGE_HEADINGS = {
    "adult": ("adult", "young adult", "middle aged", "aged", "aged, 80 and over"),
    "aged": ("aged", "aged, 80 and over"),
    "child": ("child", "child, preschool", "infant", "infant, newborn"),
    "infant": ("infant", "infant, newborn"),
    "adolescent": ("adolescent",),
}

Spans = dict[int, list[tuple[int, int]]]  # doc → [(first word, last word)] in one field


def words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(text)]


def pattern_words(text: str) -> list[str]:
    return [w.casefold() for w in PATTERN_WORD.findall(text)]


@lru_cache(maxsize=4096)
def pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = {"*": ".*", "?": ".", "#": ".?"}
    return re.compile("".join(parts.get(c, re.escape(c)) for c in pattern) + r"\Z")


def clean_heading(heading: str) -> tuple[str, bool]:
    """(heading as compared, major?): `*Mental Disorders/px` → ("mental disorders", True)."""
    text = heading.strip()
    major = text.startswith("*")
    text = text.lstrip("*").split("/")[0]
    return " ".join(text.casefold().split()), major


def as_values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if str(v).strip()]


class Index:
    """The documents' inverted index; `search(query)` returns matching ids in document order."""

    def __init__(self, documents: Mapping[Any, Mapping[str, Any]]):
        self.ids = list(documents)
        self.n = len(self.ids)
        self.everything = (1 << self.n) - 1
        self.postings: dict[str, dict[str, dict[int, list[int]]]] = {f: defaultdict(dict) for f in TEXT_FIELDS}
        self.headings: dict[str, int] = defaultdict(int)
        self.major_headings: dict[str, int] = defaultdict(int)
        self.years: list[int | None] = []
        self.languages: list[str] = []
        self.pub_types: list[str] = []
        for doc, record in enumerate(documents.values()):
            for field in TEXT_FIELDS:
                local: dict[str, list[int]] = {}
                position = 0
                for value in as_values(record.get(field)):
                    found = words(value)
                    for offset, w in enumerate(found, position):
                        local.setdefault(w, []).append(offset)
                    position += len(found) + VALUE_GAP
                postings = self.postings[field]
                for w, positions in local.items():
                    postings[w][doc] = positions
            for heading in as_values(record.get("headings")):
                name, major = clean_heading(heading)
                self.headings[name] |= 1 << doc
                if major:
                    self.major_headings[name] |= 1 << doc
            year = record.get("year")
            self.years.append(int(year) if isinstance(year, int | str) and str(year).isdigit() else None)
            self.languages.append(str(record.get("language") or "").casefold())
            self.pub_types.append(" ".join(as_values(record.get("pub_type"))).casefold())
        self._vocab = {f: sorted(self.postings[f]) for f in TEXT_FIELDS}  # sorted: a pattern's prefix is a range
        self._expanded: dict[tuple[str, str], dict[int, list[int]]] = {}
        self._term_bits: dict[tuple[str, bool, frozenset[str]], int] = {}

    # -- public
    def search(self, query: Query) -> list[Any]:
        bits = self.match(query)
        return [self.ids[i] for i in range(self.n) if bits >> i & 1]

    def count(self, query: Query) -> int:
        return self.match(query).bit_count()

    # -- evaluation
    def match(self, q: Query) -> int:
        if isinstance(q, Term):
            key = (q.text.casefold(), q.is_phrase, q.fields)
            if key not in self._term_bits:
                docs: set[int] = set()
                for field in _fields(q.fields):
                    parts = pattern_words(q.text)
                    found = self.word_positions(parts[0], field) if len(parts) == 1 else self.spans(q, field)
                    docs.update(found)
                self._term_bits[key] = _bits_of(docs)
            return self._term_bits[key]
        if isinstance(q, And):
            out = self.everything
            for child in q.children:
                out &= self.match(child)
                if not out:
                    break
            return out
        if isinstance(q, Or):
            out = 0
            for child in q.children:
                out |= self.match(child)
            return out
        if isinstance(q, Not):
            return self.match(q.left) & ~self.match(q.right) & self.everything
        if isinstance(q, Near):
            return self.near(q)
        if isinstance(q, Heading):
            return self.heading(q)
        if isinstance(q, Limits):
            return self.limits(q)
        raise TypeError(f"not a query node: {q!r}")

    def word_positions(self, pattern: str, field: str) -> dict[int, list[int]]:
        postings = self.postings[field]
        if not any(c in pattern for c in "*?#"):
            return postings.get(pattern, {})
        if (pattern, field) in self._expanded:
            return self._expanded[(pattern, field)]
        regex = pattern_regex(pattern)
        merged: dict[int, list[int]] = {}
        vocab = self._vocab[field]
        prefix = re.split(r"[*?#]", pattern, maxsplit=1)[0]
        start = bisect_left(vocab, prefix)
        end = bisect_left(vocab, prefix + "\U0010ffff") if prefix else len(vocab)
        for word in vocab[start:end]:
            if regex.match(word):
                for doc, positions in postings[word].items():
                    merged.setdefault(doc, []).extend(positions)
        for positions in merged.values():
            positions.sort()
        self._expanded[(pattern, field)] = merged
        return merged

    def spans(self, term: Term, field: str) -> Spans:
        parts = pattern_words(term.text)
        if not parts:
            return {}
        first = self.word_positions(parts[0], field)
        if len(parts) == 1:
            return {doc: [(p, p) for p in ps] for doc, ps in first.items()}
        candidates = {doc: set(ps) for doc, ps in first.items()}
        for offset, part in enumerate(parts[1:], start=1):
            nxt = self.word_positions(part, field)
            following = {doc: set(nxt[doc]) for doc in candidates if doc in nxt}
            candidates = {
                doc: {p for p in starts if p + offset in following[doc]} for doc, starts in candidates.items() if doc in following
            }
            candidates = {doc: s for doc, s in candidates.items() if s}
        end = len(parts) - 1
        return {doc: sorted((p, p + end) for p in starts) for doc, starts in candidates.items()}

    def operand_spans(self, q: Query, field: str) -> Spans:
        if isinstance(q, Term):
            return self.spans(q, field) if field in _fields(q.fields) else {}
        if isinstance(q, Or):
            out: Spans = {}
            for child in q.children:
                for doc, spans in self.operand_spans(child, field).items():
                    out.setdefault(doc, []).extend(spans)
            return out
        raise ValueError("a proximity operand must be a word, a phrase, or an OR of them")

    def near(self, q: Near) -> int:
        found: set[int] = set()
        for field in TEXT_FIELDS:
            left = self.operand_spans(q.left, field)
            if not left:
                continue
            right = self.operand_spans(q.right, field)
            for doc in left.keys() & right.keys():
                if doc not in found and _close(left[doc], right[doc], q.distance, q.ordered):
                    found.add(doc)
        return _bits_of(found)

    def heading(self, h: Heading) -> int:
        name = " ".join(h.term.casefold().split())
        table = self.major_headings if h.major else self.headings
        if not h.explode:
            return table.get(name, 0)
        out = 0
        for heading, bits in table.items():
            if heading.startswith(name):
                out |= bits
        return out

    def limits(self, limits: Limits) -> int:
        out = self.everything
        if limits.years:
            start, end = limits.years
            out &= _bits_where(
                self.years, lambda y: y is not None and (start is None or y >= start) and (end is None or y <= end)
            )
        if limits.languages:
            wanted = [lang.casefold() for lang in limits.languages]
            out &= _bits_where(self.languages, lambda lang: any(w in lang or lang in w for w in wanted if lang))
        if limits.age_groups:
            ages = 0
            for group in limits.age_groups:
                for heading in AGE_HEADINGS.get(group, (group,)):
                    ages |= self.headings.get(heading, 0)
            out &= ages
        if limits.publication_types:
            wanted = [pt.casefold() for pt in limits.publication_types]
            out &= _bits_where(self.pub_types, lambda pt: any(w in pt for w in wanted))
        return out


def _fields(fields: frozenset[str]) -> Iterable[str]:
    return TEXT_FIELDS if fields == ALL else [f for f in TEXT_FIELDS if f in fields]


def _bits_of(docs: Iterable[int]) -> int:
    """A set of document numbers as an integer bitset, built in one pass."""
    bitmap = bytearray()
    for doc in docs:
        byte = doc >> 3
        if byte >= len(bitmap):
            bitmap.extend(bytes(byte - len(bitmap) + 1))
        bitmap[byte] |= 1 << (doc & 7)
    return int.from_bytes(bitmap, "little")


def _bits_where(values: list[Any], keep: Any) -> int:
    return _bits_of(doc for doc, value in enumerate(values) if keep(value))


def _close(left: list[tuple[int, int]], right: list[tuple[int, int]], distance: int, ordered: bool) -> bool:
    """Some left and right occurrence with at most `distance` words between (left first if ordered)."""
    for a_start, a_end in left:
        for b_start, b_end in right:
            if b_start > a_end and b_start - a_end - 1 <= distance:
                return True
            if not ordered and a_start > b_end and a_start - b_end - 1 <= distance:
                return True
    return False


def search(query: Query, documents: Mapping[Any, Mapping[str, Any]]) -> list[Any]:
    """Ids of `documents` matching `query` (builds an index: reuse `Index` for many queries)."""
    return Index(documents).search(query)
