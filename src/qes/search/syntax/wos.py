"""Web of Science (advanced search): `TS=(...)`, `TI=`, `AB=`, `AK=`, `NEAR/n`, `PY=`, `LA=`, `DT=`.

    TS=(recipr*) AND TS=(psychiatr* OR mental* OR "mental health")

Precedence, tightest first: NEAR/x, SAME, NOT, AND, OR (Web of Science's documented order).
`NEAR/x` = at most x words between, either order (`NEAR` alone = 15). Words side by side are
AND-ed. `*` any characters, `?` exactly one, `$` zero or one. Web of Science has no subject
headings (MeSH) in its Core Collection: headings are written as topic words. It lemmatizes
unquoted words.
"""

from __future__ import annotations

import re

from qes.search.model import ALL, Heading, Limits, Message, Query, Term, Written
from qes.search.syntax._base import ExprParser, Parsed, QuerySyntaxError, Token, convert_pattern, op_token, tokenize, with_fields
from qes.search.syntax._writer import Writer

NAME = "wos"
TITLE = "Web of Science"

FIELDS: dict[str, frozenset[str]] = {
    "TI": frozenset({"title"}),
    "AB": frozenset({"abstract"}),
    "AK": frozenset({"keywords"}),
    "TS": frozenset({"title", "abstract", "keywords"}),
    "ALL": ALL,
}
LIMIT_CODES = {"LA": "languages", "DT": "publication_types", "PY": "years"}
TO_CANONICAL = {"$": "#"}
FROM_CANONICAL = {"*": "*", "?": "?", "#": "$"}

TOKENS = [
    ("quoted", r'"[^"]*"'),
    ("code", r"\b(?:TS|TI|AB|AK|ALL|LA|DT|PY)\s*="),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("op", r"\bnear(?:/\d+)?(?=[\s(\"])"),
    ("word", r"[^\s()\"]+"),
]
OPS = {"and": ("and", 0, False), "or": ("or", 0, False), "not": ("not", 0, False), "same": ("and", 0, False)}


class WosParser(ExprParser):
    levels = [{"or"}, {"and"}, {"not"}, {"near"}]
    implicit_and = True
    reading = "NOT, then AND, then OR"

    def __init__(self, text: str, messages: list[Message]):
        super().__init__([], text, messages)
        self.tokens = [self.classify(t) for t in tokenize(text, TOKENS)]

    def classify(self, tok: Token) -> Token:
        if tok.kind == "op":
            _, _, n = tok.value.partition("/")
            return op_token(tok, ("near", int(n) if n else 15, False))
        if tok.kind == "word" and tok.value.lower() in OPS:
            if tok.value.lower() == "same":
                self.note("Q017", "info", "SAME outside an address field is read as AND", tok.pos)
            return op_token(tok, OPS[tok.value.lower()])
        return tok

    def starts_primary(self, tok: Token) -> bool:
        return tok.kind in ("word", "quoted", "lparen", "code")

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind == "code":
            code = tok.value.rstrip("= ").upper()
            if code in LIMIT_CODES:
                return self.limit(code, tok)
            return with_fields(self.primary_group(), FIELDS[code])
        if tok.kind in ("word", "quoted"):
            text = convert_pattern(" ".join(tok.value.strip('"').split()), TO_CANONICAL)
            if not text:
                raise QuerySyntaxError("empty quotes", tok.pos, "Q005")
            return Term(text, tok.kind == "quoted" and " " in text, ALL)
        raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos, "Q007")

    def limit(self, code: str, tok: Token) -> Limits:
        group = self.peek()
        values: list[str] = []
        if group is not None and group.kind == "lparen":
            self.next()
            while (nxt := self.next()).kind != "rparen":
                if nxt.kind != "op":
                    values.append(nxt.value.strip('"'))
        else:
            values.append(self.next().value.strip('"'))
        if code == "PY":
            m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", "".join(values))
            if not m:
                raise QuerySyntaxError("PY= needs a year or a range like 2000-2015", tok.pos, "Q033")
            return Limits(years=(int(m.group(1)), int(m.group(2) or m.group(1))))
        return Limits.of(LIMIT_CODES[code], tuple(v.lower() for v in values))


def parse_with_messages(text: str) -> Parsed:
    messages: list[Message] = []
    return Parsed(WosParser(text, messages).parse(), messages)


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class WosWriter(Writer):
    name = TITLE
    field_tags = FIELDS
    wildcards = FROM_CANONICAL

    def write(self, query: Query) -> Written:
        written = super().write(query)
        note = Message("Q120", "info", "Web of Science also matches word variants of unquoted words (lemmatization)")
        return Written(written.text, (*written.messages, note))

    def wrap(self, tag: str, inner: str, q: Query) -> str:
        return f"{tag}=({inner})"

    def near_op(self, distance: int, ordered: bool) -> str | None:
        return None if ordered else f"NEAR/{distance}"

    def heading(self, h: Heading) -> str:
        self.say(
            "Q201",
            f"heading {h.term!r} ({h.thesaurus}) has no equivalent in {self.name}: written as a topic phrase (TS)",
            "changed",
        )
        return self.expr(Term(h.term, " " in h.term, FIELDS["TS"]))

    def limits(self, limits: Limits) -> str:
        parts = []
        if limits.years:
            start, end = limits.years
            parts.append(f"PY=({start or 1900}-{end or 2100})")
        for code, values in (("LA", limits.languages), ("DT", limits.publication_types)):
            if values:
                parts.append(f"{code}=({' OR '.join(v.title() for v in values)})")
        if limits.age_groups:
            self.say("Q301", "Web of Science has no age-group limit: not written (broader)", "broader")
        return " AND ".join(parts)


def write(query: Query) -> Written:
    return WosWriter().write(query)
