"""EBSCOhost (CINAHL, and PsycINFO / MEDLINE on EBSCO): field codes before terms, S-numbered lines.

    S1 TI recipr* OR AB recipr*
    S2 (MH "Mental Disorders+")
    S3 TI ( mental N3 health ) OR AB "mental illness"
    S4 S2 OR S3
    S5 S1 AND S4

`TI`, `AB`, `KW`, `SU`, `MW`, `TX` field codes; `(MH "X+")` explodes a CINAHL heading, `(MH "X")`
is the heading alone, `MM` a major heading, `DE` an APA Thesaurus descriptor (PsycINFO).
`Nn` = within n words either order, `Wn` = within n words in order (n = words allowed between).
Words side by side are a phrase. AND binds before OR (EBSCO's precedence); NOT with AND.
Wildcards: `*` truncation, `?` exactly one character, `#` zero or one character.
"""

from __future__ import annotations

import re

from qes.search.model import ALL, Heading, Limits, Message, Query, Term, Written
from qes.search.syntax._base import (
    ExprParser,
    Parsed,
    QuerySyntaxError,
    Token,
    op_token,
    parse_lines,
    tokenize,
    with_fields,
)
from qes.search.syntax._writer import Writer

NAME = "ebsco"
TITLE = "EBSCOhost"

FIELDS: dict[str, frozenset[str]] = {
    "TI": frozenset({"title"}),
    "AB": frozenset({"abstract"}),
    "KW": frozenset({"keywords"}),
    "MW": frozenset({"headings"}),
    "SU": frozenset({"headings", "keywords"}),
    "TX": ALL,
}
WRITE_FIELDS = {tag: FIELDS[tag] for tag in ("TI", "AB", "KW", "MW", "TX")}
HEADING_CODES = {"MH": ("cinahl", False), "MM": ("cinahl", True), "DE": ("apa", False)}
LIMIT_CODES = ("LA", "PT", "DT")
CODES = "|".join([*FIELDS, *HEADING_CODES, *LIMIT_CODES])

LINE = re.compile(r"^\s*S(\d+)\s+(.*?)\s*$")
TOKENS = [
    ("quoted", r'"[^"]*"'),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("code", rf"\b(?:{CODES})\b(?=\s)"),
    ("ref", r"\bS\d+\b"),
    ("word", r"[^\s()\"]+"),
]
OPS = {"and": ("and", 0, False), "or": ("or", 0, False), "not": ("not", 0, False)}


class EbscoParser(ExprParser):
    levels = [{"or"}, {"and", "not"}, {"near"}]

    def __init__(self, text: str, refs: dict[str, Query], messages: list[Message]):
        super().__init__([], text, messages)
        self.refs = refs
        self.tokens = [self.classify(t) for t in tokenize(text, TOKENS, flags=0)]

    def classify(self, tok: Token) -> Token:
        if tok.kind != "word":
            return tok
        if tok.value.lower() in OPS:
            return op_token(tok, OPS[tok.value.lower()])
        m = re.fullmatch(r"([NW])(\d+)", tok.value)
        if m:
            return op_token(tok, ("near", int(m.group(2)), m.group(1) == "W"))
        return tok

    def starts_primary(self, tok: Token) -> bool:
        return tok.kind in ("word", "quoted", "lparen", "code", "ref")

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind == "ref":
            number = tok.value[1:]
            if number not in self.refs:
                raise QuerySyntaxError(f"{tok.value} is not an earlier line", tok.pos, "Q040")
            return self.refs[number]
        if tok.kind == "code":
            return self.coded(tok)
        return self.term(tok)

    def term(self, tok: Token) -> Term:
        if tok.kind not in ("word", "quoted"):
            raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos, "Q007")
        parts = [tok.value.strip('"')]
        while (nxt := self.peek()) is not None and nxt.kind in ("word", "quoted"):
            parts.append(self.next().value.strip('"'))
        text = " ".join(" ".join(parts).split())
        if not text:
            raise QuerySyntaxError("empty quotes", tok.pos, "Q005")
        return Term(text, " " in text, ALL)

    def coded(self, code: Token) -> Query:
        name = code.value
        if name in HEADING_CODES:
            value = self.next()
            if value.kind not in ("word", "quoted"):
                raise QuerySyntaxError(f"{name} needs a heading", value.pos, "Q036")
            text = value.value.strip('"')
            while value.kind == "word" and (nxt := self.peek()) is not None and nxt.kind == "word":
                text += " " + self.next().value
            explode = text.endswith("+")
            thesaurus, major = HEADING_CODES[name]
            return Heading(thesaurus, text.rstrip("+").strip(), explode, major)
        if name in LIMIT_CODES:
            value = self.next()
            text = value.value.strip('"')
            if name == "LA":
                return Limits(languages=(text.lower(),))
            if name == "PT":
                return Limits(publication_types=(text.lower(),))
            m = re.fullmatch(r"(\d{4})\d*(?:-(\d{4})\d*)?", text)
            if not m:
                raise QuerySyntaxError(f"DT needs years like 2000-2015, found {text!r}", value.pos, "Q033")
            return Limits(years=(int(m.group(1)), int(m.group(2) or m.group(1))))
        inner = self.primary_group()
        return with_fields(inner, FIELDS[name])


def parse_with_messages(text: str) -> Parsed:
    messages: list[Message] = []

    def line(body: str, offset: int, refs: dict[str, Query], msgs: list[Message]) -> Query:
        return EbscoParser(body, refs, msgs).parse()

    query = parse_lines(text, LINE, line, messages)
    if query is None:
        query = EbscoParser(text, {}, messages).parse()
    return Parsed(query, messages)


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class EbscoWriter(Writer):
    name = TITLE
    field_tags = WRITE_FIELDS
    wildcards = {"*": "*", "?": "?", "#": "#"}
    numbered = True

    def line_label(self, n: int) -> str:
        return f"S{n}"

    def ref(self, n: int) -> str:
        return f"S{n}"

    def wrap(self, tag: str, inner: str, q: Query) -> str:
        if isinstance(q, Term) or not self.needs_brackets(inner) and " " not in inner.replace('" "', ""):
            return f"{tag} {inner}"
        return f"{tag} ( {inner} )"

    def near_op(self, distance: int, ordered: bool) -> str | None:
        return f"{'W' if ordered else 'N'}{distance}"

    def heading(self, h: Heading) -> str:
        if h.thesaurus == "apa":
            code = "DE"
            if h.major:
                self.say("Q203", "EBSCO has no major APA descriptor: written as DE (broader)", "broader")
        else:
            code = "MM" if h.major else "MH"
            if h.thesaurus != "cinahl":
                self.say(
                    "Q202",
                    f"{h.thesaurus} heading {h.term!r} written as a CINAHL heading: check it exists in CINAHL Headings",
                    "changed",
                )
        return f'({code} "{h.term}{"+" if h.explode else ""}")'

    def limits(self, limits: Limits) -> str:
        parts = []
        if limits.years:
            start, end = limits.years
            parts.append(f"DT {start or 1800}-{end or 2100}")
        for code, values in (("LA", limits.languages), ("PT", limits.publication_types)):
            items = [f'{code} "{v}"' if " " in v else f"{code} {v}" for v in values]
            if items:
                parts.append(items[0] if len(items) == 1 else "( " + " OR ".join(items) + " )")
        if limits.age_groups:
            self.say("Q301", "EBSCO sets age groups with its limiters, not in the query: not written (broader)", "broader")
        return " AND ".join(parts)

    def limit_line(self, ref: int, limits: Limits) -> str | None:
        text = self.limits(limits)
        if not text:
            return None
        return f"S{ref} AND {text}" if " OR " not in text or text.startswith("(") else f"S{ref} AND ( {text} )"


def write(query: Query) -> Written:
    return EbscoWriter().write(query)
