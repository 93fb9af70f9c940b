"""OpenAlex API `filter=` form: `title_and_abstract.search.no_stem:(...)`, `publication_year:`, `language:`.

    title_and_abstract.search.no_stem:(recipr AND ("mental health" OR psychiatry)),publication_year:2000-2015

Filters are separated by commas and all apply (AND); inside a `.search` filter the value is a
boolean expression (AND, OR, NOT in capitals, brackets, "phrases"; words side by side are
AND-ed), as OpenAlex documents. `search=...` (title, abstract and full text) is read too.
OpenAlex has no truncation, no wildcards and no proximity, and searches whole words; without
`.no_stem` it stems words and drops stop words (broader), so the writer always adds `.no_stem`.
There is no author-keyword or subject-heading search: those are written as title/abstract words.
"""

from __future__ import annotations

import re

from qes.search.model import ALL, And, Heading, Limits, Message, Not, Or, Query, Term, Written, normalise
from qes.search.model import walk as _walk
from qes.search.syntax._base import (
    ExprParser,
    Parsed,
    QuerySyntaxError,
    cover,
    field_names,
    op_token,
    tokenize,
    uniform_fields,
    with_fields,
)
from qes.search.syntax._writer import Writer

NAME = "openalex"
TITLE = "OpenAlex"

FIELDS: dict[str, frozenset[str]] = {
    "title": frozenset({"title"}),
    "abstract": frozenset({"abstract"}),
    "title_and_abstract": frozenset({"title", "abstract"}),
    "default": ALL,
}
LANGUAGES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it", "portuguese": "pt",
             "dutch": "nl", "swedish": "sv", "danish": "da", "norwegian": "no", "chinese": "zh", "japanese": "ja"}  # fmt: skip
CODES = {code: name for name, code in LANGUAGES.items()}
TYPES = {"article": "article", "review": "review", "book": "book", "book-chapter": "book-chapter", "dissertation": "dissertation"}

TOKENS = [
    ("quoted", r'"[^"]*"'),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("word", r"[^\s()\"]+"),
]
OPS = {"AND": ("and", 0, False), "OR": ("or", 0, False), "NOT": ("not", 0, False)}


class ValueParser(ExprParser):
    levels = [{"or"}, {"and", "not"}]
    implicit_and = True

    def __init__(self, text: str, offset: int, messages: list[Message]):
        super().__init__([], text, messages)
        try:
            tokens = tokenize(text, TOKENS, flags=0)
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(exc.message.text, (exc.message.position or 0) + offset, exc.message.code) from None
        self.tokens = [op_token(t, OPS[t.value]) if t.kind == "word" and t.value in OPS else t for t in tokens]
        self.offset = offset

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind not in ("word", "quoted"):
            raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos + self.offset, "Q007")
        text = " ".join(tok.value.strip('"').split())
        if any(c in text for c in "*?#"):
            raise QuerySyntaxError(f"OpenAlex has no truncation or wildcards: {text!r}", tok.pos + self.offset, "Q034")
        if not text:
            raise QuerySyntaxError("empty quotes", tok.pos + self.offset, "Q005")
        return Term(text, tok.kind == "quoted" and " " in text, ALL)


def split_filters(text: str) -> list[tuple[str, int]]:
    """Comma-separated filters, commas inside quotes or brackets kept: [(filter, offset)]."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif not quoted and c == "(":
            depth += 1
        elif not quoted and c == ")":
            depth -= 1
        elif c == "," and not quoted and depth == 0:
            parts.append((text[start:i], start))
            start = i + 1
    parts.append((text[start:], start))
    return [(p, o) for p, o in parts if p.strip()]


def parse_with_messages(text: str) -> Parsed:
    messages: list[Message] = []
    body = text.strip()
    if body.startswith("filter="):
        body = body[len("filter=") :]
    if body.startswith("search="):
        body = "default.search:" + body[len("search=") :]
    if not body:
        raise QuerySyntaxError("empty query", 0, "Q005")
    parts: list[Query] = []
    for part, offset in split_filters(body):
        key, colon, value = part.partition(":")
        key = key.strip()
        if not colon or not value.strip():
            raise QuerySyntaxError(f"expected key:value, found {part.strip()!r}", offset, "Q037")
        m = re.fullmatch(r"(title|abstract|title_and_abstract|default|fulltext)\.search(\.no_stem)?", key)
        if m:
            if m.group(1) == "fulltext":
                raise QuerySyntaxError("fulltext.search is not a field qes can run locally", offset, "Q030")
            if not m.group(2) and m.group(1) != "default":
                messages.append(
                    Message("Q121", "info", f"{key} stems words and drops stop words (broader than exact words)", offset)
                )
            inner = ValueParser(value, offset + len(key) + 1, messages).parse()
            parts.append(with_fields(inner, FIELDS[m.group(1)]))
        elif key == "publication_year":
            y = re.fullmatch(r"\s*(\d{4})?\s*-\s*(\d{4})?\s*|\s*(\d{4})\s*", value)
            if not y:
                raise QuerySyntaxError(f"publication_year needs YYYY or YYYY-YYYY, found {value!r}", offset, "Q033")
            if y.group(3):
                parts.append(Limits(years=(int(y.group(3)), int(y.group(3)))))
            else:
                parts.append(Limits(years=(int(y.group(1)) if y.group(1) else None, int(y.group(2)) if y.group(2) else None)))
        elif key == "language":
            parts.append(Limits(languages=tuple(CODES.get(v.strip(), v.strip()) for v in value.split("|"))))
        elif key == "type":
            parts.append(Limits(publication_types=tuple(v.strip() for v in value.split("|"))))
        else:
            raise QuerySyntaxError(f"unknown filter {key!r}", offset, "Q030")
    return Parsed(parts[0] if len(parts) == 1 else And(tuple(parts)), messages)


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class OpenAlexWriter(Writer):
    name = TITLE
    field_tags = FIELDS
    wildcards = {"*": None, "?": None, "#": None}

    def top(self, query: Query) -> str:
        children = query.children if isinstance(query, And) else (query,)
        filters = [f for f in (self.filter(c) for c in children) if f]
        return ",".join(filters)

    def filter(self, q: Query) -> str:
        if isinstance(q, Limits):
            return self.limits(q)
        q = self.text_only(q)
        fields = uniform_fields(q)
        if fields is None:
            fields = frozenset().union(*(n.fields for n in _terms(q)))
            q = _refield(q, fields)
            has_not = any(isinstance(n, Not) for n in _walk(q))
            self.say(
                "Q111",
                f"OpenAlex cannot combine different fields inside one filter: written over {field_names(fields)}"
                + (" (meaning changed)" if has_not else " (broader)"),
                "changed" if has_not else "broader",
            )
        tags, got = cover(fields, self.field_tags)
        if got != fields:
            self.say(
                "Q110",
                f"OpenAlex cannot search {field_names(fields)} exactly: written as {field_names(got)} (broader)",
                "broader",
            )
        key = f"{tags[0]}.search" + ("" if tags[0] == "default" else ".no_stem")
        inner = self.bare(q)
        if tags[0] == "default":
            self.messages.append(Message("Q121", "info", "default.search stems words; it has no .no_stem form"))
        return f"{key}:({inner})" if " " in inner else f"{key}:{inner}"

    def text_only(self, q: Query) -> Query:
        """Headings as title/abstract words; limits nested in text are not expressible."""
        if isinstance(q, Heading):
            self.say(
                "Q201", f"heading {q.term!r} ({q.thesaurus}) has no equivalent in OpenAlex: written as a text word", "changed"
            )
            return Term(q.term, " " in q.term, FIELDS["title_and_abstract"])
        if isinstance(q, And | Or):
            kids = [self.text_only(c) for c in q.children if not isinstance(c, Limits)]
            if len(kids) < len(q.children):
                self.say("Q301", "OpenAlex limits apply to the whole query only: a nested limit was dropped (broader)", "broader")
            return kids[0] if len(kids) == 1 else type(q)(tuple(kids))
        if isinstance(q, Not):
            return Not(self.text_only(q.left), self.text_only(q.right))
        return q

    def near_op(self, distance: int, ordered: bool) -> str | None:
        return None

    def limits(self, limits: Limits) -> str:
        parts = []
        if limits.years:
            start, end = limits.years
            parts.append(f"publication_year:{start or ''}-{end or ''}")
        if limits.languages:
            parts.append("language:" + "|".join(LANGUAGES.get(v, v) for v in limits.languages))
        if limits.publication_types:
            parts.append("type:" + "|".join(TYPES.get(v, v) for v in limits.publication_types))
        if limits.age_groups:
            self.say("Q301", "OpenAlex has no age-group filter: not written (broader)", "broader")
        return ",".join(parts)


def _terms(q: Query) -> list[Term]:
    return [n for n in _walk(q) if isinstance(n, Term)]


def _refield(q: Query, fields: frozenset[str]) -> Query:
    if isinstance(q, Term):
        return Term(q.text, q.is_phrase, fields)
    if isinstance(q, And | Or):
        return type(q)(tuple(_refield(c, fields) for c in q.children))
    if isinstance(q, Not):
        return Not(_refield(q.left, fields), _refield(q.right, fields))
    return q


def write(query: Query) -> Written:
    return OpenAlexWriter().write(normalise(query))
