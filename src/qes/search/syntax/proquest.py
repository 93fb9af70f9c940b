"""ProQuest (MEDLINE, PsycINFO, ... on ProQuest): `ti()`, `ab()`, `ti,ab()`, `MESH.EXACT.EXPLODE()`.

    ti,ab(recipr*) AND (ti,ab(mental* OR "mental health") OR MESH.EXACT.EXPLODE("Mental Disorders"))

Precedence, tightest first (ProQuest's documented order): OR, PRE/n, NEAR/n, AND, AND NOT/NOT —
so `a AND b OR c` is `a AND (b OR c)`. `NEAR/n` (or `N/n`) = within n words either order,
`PRE/n` (`P/n`) = the first within n words before the second. Words side by side are AND-ed.
`*` truncation, `?` exactly one character. ProQuest also matches word variants (lemmatization)
of unquoted words; quoted words are exact.
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
    tags_fields,
    tokenize,
    with_fields,
)
from qes.search.syntax._writer import Writer

NAME = "proquest"
TITLE = "ProQuest"

FIELDS: dict[str, frozenset[str]] = {
    "ti": frozenset({"title"}),
    "ab": frozenset({"abstract"}),
    "if": frozenset({"keywords"}),
    "su": frozenset({"headings"}),
    "noft": ALL,
}
HEADINGS = {  # function → (thesaurus, major)
    "mesh": ("mesh", False),
    "mjmesh": ("mesh", True),
    "mainsubject": ("apa", False),
    "su": ("any", False),
}
LIMITS = {"la": "languages", "dtype": "publication_types", "rtype": "publication_types"}

TOKENS = [
    ("quoted", r'"[^"]*"'),
    ("heading", r"(?:mesh|mjmesh|mainsubject|su)\.exact(?:\.explode)?\s*\("),
    ("func", r"(?:ti|ab|if|su|noft|la|dtype|rtype|yr)(?:\s*,\s*(?:ti|ab|if|su|noft))*\s*\("),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("op", r"(?:near|n|pre|p|w)/\d+"),
    ("word", r"[^\s()\"]+"),
]
OPS = {"and": ("and", 0, False), "or": ("or", 0, False), "not": ("not", 0, False)}


class ProQuestParser(ExprParser):
    levels = [{"not"}, {"and"}, {"near"}, {"pre"}, {"or"}]
    implicit_and = True
    reading = "OR before AND"

    def __init__(self, text: str, messages: list[Message]):
        super().__init__([], text, messages)
        self.tokens = merge_and_not([self.classify(t) for t in tokenize(text, TOKENS)])

    def classify(self, tok: Token) -> Token:
        if tok.kind == "op":
            op, _, n = tok.value.lower().partition("/")
            return op_token(tok, ("pre" if op in ("pre", "p") else "near", int(n), op in ("pre", "p")))
        if tok.kind == "word" and tok.value.lower() in OPS:
            return op_token(tok, OPS[tok.value.lower()])
        return tok

    def starts_primary(self, tok: Token) -> bool:
        return tok.kind in ("word", "quoted", "lparen", "func", "heading")

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind == "heading":
            return self.heading(tok)
        if tok.kind == "func":
            name = tok.value.rstrip("( ").lower()
            if name in LIMITS or name == "yr":
                return self.limit(name, tok)
            inner = self.expression()
            self.close(tok)
            return with_fields(inner, tags_fields(name.split(","), FIELDS, tok.pos, self.messages))
        if tok.kind in ("word", "quoted"):
            text = " ".join(tok.value.strip('"').split())
            if not text:
                raise QuerySyntaxError("empty quotes", tok.pos, "Q005")
            return Term(text, tok.kind == "quoted" and " " in text, ALL)
        raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos, "Q007")

    def close(self, opener: Token) -> None:
        tok = self.peek()
        if tok is None or tok.kind != "rparen":
            raise QuerySyntaxError(f"unbalanced brackets: {opener.value.strip()!r} is never closed", opener.pos, "Q006")
        self.next()

    def heading(self, tok: Token) -> Heading:
        value = self.next()
        if value.kind not in ("quoted", "word"):
            raise QuerySyntaxError("a heading is expected in quotes", value.pos, "Q036")
        self.close(tok)
        func = tok.value.lower().split(".")[0]
        thesaurus, major = HEADINGS[func]
        return Heading(thesaurus, value.value.strip('"'), ".explode" in tok.value.lower(), major)

    def limit(self, name: str, tok: Token) -> Limits:
        values = []
        while (nxt := self.peek()) is not None and nxt.kind in ("word", "quoted", "op"):
            self.next()
            if nxt.kind != "op":
                values.append(nxt.value.strip('"'))
        self.close(tok)
        if name == "yr":
            m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", "".join(values))
            if not m:
                raise QuerySyntaxError("YR() needs a year or a range like 2000-2015", tok.pos, "Q033")
            return Limits(years=(int(m.group(1)), int(m.group(2) or m.group(1))))
        return Limits.of(LIMITS[name], tuple(v.lower() for v in values))


def parse_with_messages(text: str) -> Parsed:
    messages: list[Message] = []
    return Parsed(ProQuestParser(text, messages).parse(), messages)


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class ProQuestWriter(Writer):
    name = TITLE
    field_tags = FIELDS
    wildcards = {"*": "*", "?": "?", "#": None}
    joins_tags = ","
    pattern_in_quotes = False
    phrase_near = "PRE/0"
    variants_note = "ProQuest also matches word variants of unquoted words (lemmatization)"

    def near_op(self, distance: int, ordered: bool) -> str | None:
        return f"PRE/{distance}" if ordered else f"NEAR/{distance}"

    def heading(self, h: Heading) -> str:
        if h.thesaurus == "mesh":
            func = "MJMESH" if h.major else "MESH"
        elif h.thesaurus == "apa":
            func = "MAINSUBJECT"
        else:
            func = "SU"
            self.say("Q202", f"{h.thesaurus} heading {h.term!r} written as a subject heading (SU): check it exists", "changed")
        if h.major and h.thesaurus != "mesh":
            self.say(
                "Q203",
                f"ProQuest has no major-topic form for {h.thesaurus} headings: written as any heading (broader)",
                "broader",
            )
        return f'{func}.EXACT{".EXPLODE" if h.explode else ""}("{h.term}")'

    def limits(self, limits: Limits) -> str:
        parts = []
        if limits.years:
            start, end = limits.years
            parts.append(f"YR({start or 1800}-{end or 2100})")
        for code, values in (("LA", limits.languages), ("DTYPE", limits.publication_types)):
            if values:
                parts.append(f"{code}({' OR '.join(values)})")
        if limits.age_groups:
            self.say("Q301", "ProQuest sets age groups with its limits, not in the query: not written (broader)", "broader")
        return " AND ".join(parts)


def write(query: Query) -> Written:
    return ProQuestWriter().write(query)
