"""Highlighting the protocol's terms in titles and abstracts, as screeners expect (Rayyan, Covidence).

Terms use the search syntax reviewers already write: `recipr*` (truncation), `behavio?r`
(one optional character), phrases with spaces. Matching is case-insensitive on word boundaries.
The output is a list of (text, kind) segments so the CLI (Rich) and the web (escaped HTML) each
render it their own way and nothing is ever injected as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

Segment = tuple[str, str]  # (text, "" | "include" | "exclude")


@dataclass(frozen=True)
class Terms:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def _term_pattern(term: str) -> str:
    parts = []
    for word in term.split():  # any run of spaces in a typed phrase stands for any whitespace
        chunk = []
        for ch in word:
            chunk.append(r"\w*" if ch == "*" else r"\w?" if ch == "?" else re.escape(ch))
        parts.append("".join(chunk))
    # Lookarounds, not \b: a term starting or ending in punctuation ("C++", "#metoo") must still match.
    return r"(?<!\w)" + r"\s+".join(parts) + ("" if term.strip().endswith("*") else r"(?!\w)")


@lru_cache(maxsize=64)
def _compiled(include: tuple[str, ...], exclude: tuple[str, ...]) -> re.Pattern[str] | None:
    groups = []
    for kind, terms in (("include", include), ("exclude", exclude)):
        alternatives = [_term_pattern(t) for t in sorted(terms, key=len, reverse=True) if t.strip()]
        if alternatives:
            groups.append(f"(?P<{kind}>{'|'.join(alternatives)})")
    return re.compile("|".join(groups), re.IGNORECASE) if groups else None


def parse_terms(text: str) -> tuple[str, ...]:
    """'recipr*, mental health; depress*' → the terms (comma, semicolon or newline separated)."""
    return tuple(t.strip() for t in re.split(r"[,;\n]", text) if t.strip())


def highlight(text: str, terms: Terms) -> list[Segment]:
    pattern = _compiled(tuple(terms.include), tuple(terms.exclude))
    if not text or pattern is None:
        return [(text, "")] if text else []
    segments: list[Segment] = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() == match.end():
            continue
        if match.start() > last:
            segments.append((text[last : match.start()], ""))
        segments.append((match.group(0), match.lastgroup or ""))
        last = match.end()
    if last < len(text):
        segments.append((text[last:], ""))
    return segments


def count_hits(segments: Sequence[Segment]) -> dict[str, int]:
    hits = {"include": 0, "exclude": 0}
    for _, kind in segments:
        if kind:
            hits[kind] += 1
    return hits
