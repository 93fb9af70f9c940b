"""Cochrane Library (Search Manager): `term:ti,ab,kw`, `NEAR/n`, `NEXT`, `[mh "X"]`, `#1 AND #2`.

    #1 recipr*:ti,ab,kw
    #2 [mh "Mental Disorders"]
    #3 (mental NEAR/3 health):ti,ab,kw
    #4 #2 OR #3
    #5 #1 AND #4

`[mh "X"]` explodes a MeSH heading, `[mh ^"X"]` is the heading alone (this term only); the
exported form `MeSH descriptor: [X] explode all trees` is read too. `NEAR/n` = at most n words
between either order (`NEAR` alone = 6), `NEXT` = next to, in order. Words side by side are
AND-ed; wildcards are not allowed inside quotes (a phrase with a wildcard is written with NEXT).
`kw` holds keywords and index terms (MeSH, Emtree), so it is wider than author keywords.
"""

from __future__ import annotations

import re

from qes.search.model import ALL, Heading, Message, Query, Term, Written
from qes.search.syntax._base import (
    ExprParser,
    Parsed,
    QuerySyntaxError,
    Token,
    op_token,
    parse_lines,
    tags_fields,
    tokenize,
    with_fields,
)
from qes.search.syntax._writer import Writer

NAME = "cochrane"
TITLE = "Cochrane Library"

FIELDS: dict[str, frozenset[str]] = {
    "ti": frozenset({"title"}),
    "ab": frozenset({"abstract"}),
    "kw": frozenset({"keywords", "headings"}),
}
LINE = re.compile(r"^\s*#(\d+)\s+(.*?)\s*$")
TOKENS = [
    ("mesh", r'\[mh\s*\^?\s*"[^"]*"\s*\]|\[mh\s*\^?\s*[^\]"]+\]'),
    (
        "descriptor",
        r"MeSH descriptor:\s*\[[^\]]+\](?:\s*explode all trees|\s*this term only)?(?:\s*and with qualifier\(s\):\s*\[[^\]]*\])?",
    ),
    ("quoted", r'"[^"]*"'),
    ("fieldtag", r":(?:ti|ab|kw)(?:,(?:ti|ab|kw))*\b"),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("ref", r"#\d+\b"),
    ("op", r"\bnear(?:/\d+)?(?=[\s(\"])|\bnext\b"),
    ("word", r"[^\s()\":\[\]]+"),
]
OPS = {"and": ("and", 0, False), "or": ("or", 0, False), "not": ("not", 0, False)}


class CochraneParser(ExprParser):
    levels = [{"or"}, {"and", "not"}, {"near"}]
    implicit_and = True

    def __init__(self, text: str, refs: dict[str, Query], messages: list[Message]):
        super().__init__([], text, messages)
        self.refs = refs
        self.tokens = [self.classify(t) for t in tokenize(text, TOKENS)]

    def classify(self, tok: Token) -> Token:
        if tok.kind == "op":
            low = tok.value.lower()
            if low == "next":
                return op_token(tok, ("near", 0, True))
            _, _, n = low.partition("/")
            return op_token(tok, ("near", int(n) if n else 6, False))
        if tok.kind == "word" and tok.value.lower() in OPS:
            return op_token(tok, OPS[tok.value.lower()])
        return tok

    def starts_primary(self, tok: Token) -> bool:
        return tok.kind in ("word", "quoted", "lparen", "mesh", "descriptor", "ref")

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind == "ref":
            number = tok.value[1:]
            if number not in self.refs:
                raise QuerySyntaxError(f"{tok.value} is not an earlier line", tok.pos, "Q040")
            return self.refs[number]
        if tok.kind == "mesh":
            m = re.fullmatch(r'(?is)\[mh\s*(\^)?\s*"?([^"\]]+?)"?\s*\]', tok.value)
            assert m
            return Heading("mesh", m.group(2).strip(), explode=not m.group(1))
        if tok.kind == "descriptor":
            m = re.match(r"(?is)MeSH descriptor:\s*\[([^\]]+)\]\s*(explode all trees)?", tok.value)
            assert m
            return Heading("mesh", m.group(1).strip(), explode=bool(m.group(2)))
        if tok.kind in ("word", "quoted"):
            text = " ".join(tok.value.strip('"').split())
            if not text:
                raise QuerySyntaxError("empty quotes", tok.pos, "Q005")
            if tok.kind == "quoted" and any(c in text for c in "*?"):
                self.note("Q018", "warning", "the Cochrane Library ignores wildcards inside quotes: use NEXT", tok.pos)
            return self.after_group(Term(text, tok.kind == "quoted" and " " in text, ALL))
        raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos, "Q007")

    def after_group(self, inner: Query) -> Query:
        tag = self.peek()
        if tag is not None and tag.kind == "fieldtag":
            self.next()
            return with_fields(inner, tags_fields(tag.value[1:].split(","), FIELDS, tag.pos, self.messages))
        return inner


def parse_with_messages(text: str) -> Parsed:
    messages: list[Message] = []

    def line(body: str, offset: int, refs: dict[str, Query], msgs: list[Message]) -> Query:
        return CochraneParser(body, refs, msgs).parse()

    query = parse_lines(text, LINE, line, messages)
    if query is None:
        query = CochraneParser(text, {}, messages).parse()
    return Parsed(query, messages)


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class CochraneWriter(Writer):
    name = TITLE
    field_tags = {**FIELDS, "": ALL}
    wildcards = {"*": "*", "?": "?", "#": None}
    numbered = True
    joins_tags = ","
    pattern_in_quotes = False
    phrase_near = "NEXT"

    def line_label(self, n: int) -> str:
        return f"#{n}"

    def ref(self, n: int) -> str:
        return f"#{n}"

    def wrap(self, tag: str, inner: str, q: Query) -> str:
        if not tag:
            return inner
        if isinstance(q, Term) and " " not in inner.replace('" "', ""):
            return f"{inner}:{tag}"
        if isinstance(q, Term) and inner.startswith('"') and inner.endswith('"') and inner.count('"') == 2:
            return f"{inner}:{tag}"
        return f"({inner}):{tag}"

    def near_op(self, distance: int, ordered: bool) -> str | None:
        if ordered:
            return "NEXT" if distance == 0 else None
        return f"NEAR/{distance}"

    def heading(self, h: Heading) -> str:
        if h.thesaurus != "mesh":
            self.say("Q202", f"{h.thesaurus} heading {h.term!r} written as a MeSH heading: check it exists in MeSH", "changed")
        if h.major:
            self.say(
                "Q203", "the Cochrane Library has no major-topic MeSH search: written as any MeSH heading (broader)", "broader"
            )
        return f'[mh {"" if h.explode else "^"}"{h.term}"]'


def write(query: Query) -> Written:
    return CochraneWriter().write(query)
