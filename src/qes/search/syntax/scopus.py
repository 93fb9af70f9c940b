"""Scopus (advanced search): `TITLE-ABS-KEY()`, `TITLE()`, `ABS()`, `KEY()`, `AUTHKEY()`, `W/n`, `PRE/n`.

    TITLE-ABS-KEY(recipr*) AND TITLE-ABS-KEY(psychiatr* OR mental* OR "mental health")

Precedence, tightest first (Scopus's documented order): OR, W/n and PRE/n, AND, AND NOT — so
`a AND b OR c` is `a AND (b OR c)`. `W/n` = at most n words between either order, `PRE/n` = the
first at most n words before the second; their operands must be words or phrases (an OR inside
is written out pair by pair). Words side by side are AND-ed; "loose phrase" and {exact phrase};
a phrase with a wildcard is written with PRE/0 (Scopus ignores wildcards inside quotes).
`*` any characters, `?` one character. `KEY` = author keywords and index terms; Scopus has no
thesaurus search: headings go to `INDEXTERMS()` as words. Scopus also matches plurals.
"""

from __future__ import annotations

import re

from qes.search.model import ALL, Heading, Limits, Message, Query, Term, Written
from qes.search.syntax._base import (
    ExprParser,
    Parsed,
    QuerySyntaxError,
    Token,
    merge_and_not,
    op_token,
    tokenize,
    with_fields,
)
from qes.search.syntax._writer import Writer

NAME = "scopus"
TITLE = "Scopus"

FIELDS: dict[str, frozenset[str]] = {  # widest first: a union of tags is written in this order
    "TITLE-ABS-KEY": frozenset({"title", "abstract", "keywords", "headings"}),
    "TITLE-ABS": frozenset({"title", "abstract"}),
    "KEY": frozenset({"keywords", "headings"}),
    "TITLE": frozenset({"title"}),
    "ABS": frozenset({"abstract"}),
    "AUTHKEY": frozenset({"keywords"}),
    "INDEXTERMS": frozenset({"headings"}),
    "ALL": ALL,
}
LIMIT_FUNCS = {"LANGUAGE": "languages", "DOCTYPE": "publication_types"}
FUNCS = "|".join(sorted([*FIELDS, *LIMIT_FUNCS], key=len, reverse=True))

TOKENS = [
    ("quoted", r'"[^"]*"'),
    ("braced", r"\{[^}]*\}"),
    ("func", rf"\b(?:{FUNCS})\s*\("),
    ("year", r"\bPUBYEAR\s*(?:>|<|=|AFT|BEF|IS)\s*\d{4}"),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("op", r"\b(?:w|pre)/\d+"),
    ("word", r"[^\s()\"{}]+"),
]
OPS = {"and": ("and", 0, False), "or": ("or", 0, False), "not": ("not", 0, False)}


class ScopusParser(ExprParser):
    levels = [{"not"}, {"and"}, {"near", "pre"}, {"or"}]
    implicit_and = True
    reading = "OR before AND"

    def __init__(self, text: str, messages: list[Message]):
        super().__init__([], text, messages)
        self.tokens = merge_and_not([self.classify(t) for t in tokenize(text, TOKENS)])

    def classify(self, tok: Token) -> Token:
        if tok.kind == "op":
            op, _, n = tok.value.lower().partition("/")
            return op_token(tok, ("pre" if op == "pre" else "near", int(n), op == "pre"))
        if tok.kind == "word" and tok.value.lower() in OPS:
            return op_token(tok, OPS[tok.value.lower()])
        return tok

    def starts_primary(self, tok: Token) -> bool:
        return tok.kind in ("word", "quoted", "braced", "lparen", "func", "year")

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind == "func":
            name = tok.value.rstrip("( ").upper()
            if name in LIMIT_FUNCS:
                values = []
                while (nxt := self.next()).kind != "rparen":
                    if nxt.kind != "op":
                        values.append(nxt.value.strip('"').lower())
                return Limits.of(LIMIT_FUNCS[name], tuple(values))
            inner = self.expression()
            if self.peek() is None or self.peek().kind != "rparen":  # type: ignore[union-attr]
                raise QuerySyntaxError(f"unbalanced brackets: {name}( is never closed", tok.pos, "Q006")
            self.next()
            return with_fields(inner, FIELDS[name])
        if tok.kind == "year":
            return self.year(tok)
        if tok.kind in ("word", "quoted", "braced"):
            text = " ".join(tok.value.strip('"{}').split())
            if not text:
                raise QuerySyntaxError("empty phrase", tok.pos, "Q005")
            return Term(text, tok.kind != "word" and " " in text, ALL)
        raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos, "Q007")

    def year(self, tok: Token) -> Limits:
        m = re.fullmatch(r"(?i)PUBYEAR\s*(>|<|=|AFT|BEF|IS)\s*(\d{4})", tok.value)
        assert m
        op, year = m.group(1).upper(), int(m.group(2))
        if op in (">", "AFT"):
            return Limits(years=(year + 1, None))
        if op in ("<", "BEF"):
            return Limits(years=(None, year - 1))
        return Limits(years=(year, year))


def parse_with_messages(text: str) -> Parsed:
    messages: list[Message] = []
    query = ScopusParser(text, messages).parse()
    return Parsed(_join_years(query), messages)


def _join_years(query: Query) -> Query:
    """`PUBYEAR > 1999 AND PUBYEAR < 2016` is one year range."""
    from qes.search.model import And

    if isinstance(query, And):
        children = [_join_years(c) for c in query.children]
        ranges = [c for c in children if isinstance(c, Limits) and c.years and not (c.languages or c.publication_types)]
        if len(ranges) == 2:
            a, b = ranges[0].years, ranges[1].years
            assert a and b
            joined = Limits(years=(a[0] if a[0] is not None else b[0], a[1] if a[1] is not None else b[1]))
            rest = [c for c in children if c is not ranges[1]]
            rest[rest.index(ranges[0])] = joined
            return rest[0] if len(rest) == 1 else And(tuple(rest))
        return And(tuple(children))
    return query


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class ScopusWriter(Writer):
    name = TITLE
    field_tags = FIELDS
    not_op = "AND NOT"
    wildcards = {"*": "*", "?": "?", "#": None}
    proximity_or_operands = False
    pattern_in_quotes = False
    phrase_near = "PRE/0"
    variants_note = "Scopus also matches plurals and spelling variants of words without wildcards"

    def near_op(self, distance: int, ordered: bool) -> str | None:
        return f"PRE/{distance}" if ordered else f"W/{distance}"

    def heading(self, h: Heading) -> str:
        self.say(
            "Q204",
            f"Scopus has no thesaurus search: heading {h.term!r} ({h.thesaurus}) written as index-term words"
            f"{' (explode lost: narrower)' if h.explode else ''}",
            "changed",
        )
        return f'INDEXTERMS("{h.term}")'

    def limits(self, limits: Limits) -> str:
        parts = []
        if limits.years:
            start, end = limits.years
            if start is not None:
                parts.append(f"PUBYEAR > {start - 1}")
            if end is not None:
                parts.append(f"PUBYEAR < {end + 1}")
        for func, values in (("LANGUAGE", limits.languages), ("DOCTYPE", limits.publication_types)):
            if values:
                parts.append(f"{func}({' OR '.join(values)})")
        if limits.age_groups:
            self.say("Q301", "Scopus has no age-group limit: not written (broader)", "broader")
        return " AND ".join(parts)


def write(query: Query) -> Written:
    return ScopusWriter().write(query)
