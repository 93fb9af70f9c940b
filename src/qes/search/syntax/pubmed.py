"""PubMed: `term[tiab]`, `"phrase"[ti]`, `"a b"[tiab:~3]`, `X[mh]`, `X[majr:noexp]`, `#1 AND #2`.

PubMed reads AND, OR and NOT strictly left to right (no precedence): `a OR b AND c` is
`(a OR b) AND c`. Untagged terms go through Automatic Term Mapping in PubMed; the local engine
searches them in every field. Proximity (`[ti:~N]`, `[tiab:~N]`, N = words allowed between) takes
plain words only. `[tiab]` also searches author keywords ([ot]) since 2020.
"""

from __future__ import annotations

import re

from qes.search.model import ALL, Heading, Limits, Message, Near, Query, Term, Written
from qes.search.syntax._base import ExprParser, Parsed, QuerySyntaxError, Token, op_token, tokenize
from qes.search.syntax._writer import Writer

NAME = "pubmed"
TITLE = "PubMed"

FIELDS: dict[str, frozenset[str]] = {
    "ti": frozenset({"title"}),
    "title": frozenset({"title"}),
    "tiab": frozenset({"title", "abstract", "keywords"}),
    "title/abstract": frozenset({"title", "abstract", "keywords"}),
    "ab": frozenset({"abstract"}),  # read when given; not written (librarians' guides differ on it)
    "ot": frozenset({"keywords"}),
    "other term": frozenset({"keywords"}),
    "tw": frozenset({"title", "abstract", "keywords", "headings"}),
    "text word": frozenset({"title", "abstract", "keywords", "headings"}),
    "all": ALL,
    "all fields": ALL,
}
WRITE_FIELDS = {tag: FIELDS[tag] for tag in ("ti", "tiab", "ot", "tw", "all")}
HEADING_TAGS = {  # tag → (explode, major)
    "mh": (True, False),
    "mesh terms": (True, False),
    "mesh": (True, False),
    "mh:noexp": (False, False),
    "mesh terms:noexp": (False, False),
    "majr": (True, True),
    "mesh major topic": (True, True),
    "majr:noexp": (False, True),
    "mesh major topic:noexp": (False, True),
}
AGE_FILTERS = {"adult": "alladult", "child": "allchild", "infant": "allinfant"}
LIMIT_TAGS = {"la": "languages", "language": "languages", "pt": "publication_types", "publication type": "publication_types"}
YEAR_TAGS = {"dp", "date - publication", "pdat", "publication date"}
NEAR_TAG = re.compile(r"(?i)^(ti|title|tiab|title/abstract):~(\d+)$")

TOKENS = [
    ("quoted", r'"[^"]*"'),
    ("tag", r"\[[^\]]*\]"),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("ref", r"#\d+\b"),
    ("word", r"[^\s()\"\[\]]+"),
]
OPS = {"and": ("and", 0, False), "or": ("or", 0, False), "not": ("not", 0, False)}


class PubMedParser(ExprParser):
    levels = [{"and", "or", "not"}]
    left_to_right_note = "PubMed reads AND/OR/NOT left to right, without precedence: add brackets to be sure"

    def __init__(self, tokens: list[Token], text: str, refs: dict[str, Query] | None = None):
        super().__init__([], text)
        self.tokens = [_as_op(t, self) for t in tokens]
        self.refs = refs or {}

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind == "ref":
            if tok.value[1:] not in self.refs:
                raise QuerySyntaxError(f"{tok.value} refers to no earlier search", tok.pos, "Q040")
            return self.refs[tok.value[1:]]
        if tok.kind == "tag":
            raise QuerySyntaxError(f"field tag {tok.value} without a term before it", tok.pos, "Q031")
        if tok.kind == "quoted":
            text, phrase = tok.value[1:-1].strip(), True
            if not text:
                raise QuerySyntaxError("empty quotes", tok.pos, "Q005")
        else:
            words = [tok.value]
            while (nxt := self.peek()) is not None and nxt.kind == "word":
                words.append(self.next().value)
            text, phrase = " ".join(words), len(words) > 1
            if phrase:
                self.note("Q013", "info", f"unquoted words {text!r} searched as a phrase: quote phrases in PubMed", tok.pos)
        tag = self.peek()
        if tag is None or tag.kind != "tag":
            self.note("Q014", "info", f"untagged {text!r}: PubMed applies Automatic Term Mapping", tok.pos)
            return self.checked(Term(text, phrase, ALL), tok.pos)
        self.next()
        return self.tagged(text, phrase, tag)

    def tagged(self, text: str, phrase: bool, tag: Token) -> Query:
        key = tag.value[1:-1].strip().lower()
        if key in HEADING_TAGS:
            explode, major = HEADING_TAGS[key]
            return Heading("mesh", text, explode, major)
        if key in ("filter", "sb"):
            for age, name in AGE_FILTERS.items():
                if text.lower() == name:
                    return Limits(age_groups=(age,))
            raise QuerySyntaxError(f"unknown filter {text!r}", tag.pos, "Q032")
        if key in LIMIT_TAGS:
            return Limits.of(LIMIT_TAGS[key], (text.lower(),))
        if key in YEAR_TAGS:
            return self.years(text, tag)
        near = NEAR_TAG.match(key)
        if near:
            words = text.split()
            if len(words) < 2 or any(set(w) & set("*?#") for w in words):
                raise QuerySyntaxError("a proximity search needs two or more words without truncation", tag.pos, "Q021")
            fields = FIELDS[near.group(1).lower()]
            query: Query = Term(words[0], False, fields)
            for w in words[1:]:
                query = Near(query, Term(w, False, fields), int(near.group(2)))
            if len(words) > 2:
                raise QuerySyntaxError("proximity over more than two words is not supported here", tag.pos, "Q022")
            return query
        if key not in FIELDS:
            raise QuerySyntaxError(f"unknown field tag {tag.value}", tag.pos, "Q030")
        return self.checked(Term(text, phrase, FIELDS[key]), tag.pos)

    def years(self, text: str, tag: Token) -> Limits:
        m = re.fullmatch(r"(\d{4})(?:[/\d]*)?(?::(\d{4})[/\d]*)?", text)
        start = int(m.group(1)) if m else None
        end = int(m.group(2)) if m and m.group(2) else start
        colon = self.peek()
        if m and colon is not None and colon.kind == "word" and colon.value == ":":
            self.next()
            second = self.next()
            close = self.next()
            m2 = re.fullmatch(r'"?(\d{4})[/\d]*"?', second.value)
            if not m2 or close.kind != "tag":
                raise QuerySyntaxError("expected a date range like 2000:2015[dp]", second.pos, "Q033")
            end = int(m2.group(1))
        if start is None:
            raise QuerySyntaxError(f"expected a year or range, found {text!r}", tag.pos, "Q033")
        return Limits(years=(start, None if end == 3000 else end))

    def checked(self, term: Term, pos: int) -> Term:
        if re.search(r"[?#]", term.text):
            raise QuerySyntaxError(f"PubMed has no wildcard '?' or '#': {term.text!r}", pos, "Q034")
        for word in term.text.split():
            if "*" in word.rstrip("*"):
                raise QuerySyntaxError(f"PubMed truncates only at the end of a word: {word!r}", pos, "Q034")
            if word.endswith("*") and len(word.rstrip("*")) < 4:
                self.note("Q015", "warning", f"PubMed needs at least four characters before '*': {word!r}", pos)
        return term


def _as_op(tok: Token, parser: ExprParser) -> Token:
    if tok.kind == "word" and tok.value.lower() in OPS:
        if tok.value != tok.value.upper():
            parser.note("Q012", "warning", f"lowercase operator {tok.value!r}: PubMed needs AND, OR, NOT in capitals", tok.pos)
        return op_token(tok, OPS[tok.value.lower()])
    return tok


def parse_with_messages(text: str) -> Parsed:
    lines = [line for line in text.splitlines() if line.strip()]
    refs: dict[str, Query] = {}
    messages: list[Message] = []
    if len(lines) > 1 and all(re.match(r"^\s*#?\d+\s", line) for line in lines):
        query: Query | None = None
        for line in lines:
            m = re.match(r"^\s*#?(\d+)\s+(.*)$", line)
            assert m
            parser = PubMedParser(tokenize(m.group(2), TOKENS), m.group(2), refs)
            query = parser.parse()
            messages.extend(parser.messages)
            refs[m.group(1)] = query
        assert query is not None
        return Parsed(query, messages)
    parser = PubMedParser(tokenize(text, TOKENS), text)
    return Parsed(parser.parse(), parser.messages)


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class PubMedWriter(Writer):
    name = TITLE
    field_tags = WRITE_FIELDS
    style = "term"
    wildcards = {"*": "*", "?": None, "#": None}
    internal_truncation = False
    proximity_or_operands = False

    def wrap(self, tag: str, inner: str, q: Query) -> str:
        return f"{inner}[{tag}]"

    def near(self, q: Near, bare: bool = False) -> str:
        left, right = q.left, q.right
        plain = all(isinstance(t, Term) and not t.is_phrase and not t.has_pattern and " " not in t.text for t in (left, right))
        if plain and isinstance(left, Term) and isinstance(right, Term) and left.fields == right.fields:
            tag = "ti" if left.fields == FIELDS["ti"] else "tiab" if left.fields <= FIELDS["tiab"] else None
            if tag == "tiab" and left.fields != FIELDS["tiab"]:
                self.say(
                    "Q110",
                    f"PubMed proximity searches [ti] or [tiab] only: {'/'.join(sorted(left.fields))} written as [tiab] (broader)",
                    "broader",
                )
            if tag:
                if q.ordered:
                    self.say("Q102", "PubMed has no ordered proximity: written in either order (broader)", "broader")
                return f'"{left.text} {right.text}"[{tag}:~{q.distance}]'
        return super().near(q, bare)

    def near_op(self, distance: int, ordered: bool) -> str | None:
        return None

    def heading(self, h: Heading) -> str:
        if h.thesaurus != "mesh":
            self.say("Q202", f"{h.thesaurus} heading {h.term!r} written as a MeSH heading: check it exists in MeSH", "changed")
        tag = ("majr" if h.major else "mh") + ("" if h.explode else ":noexp")
        return f'"{h.term}"[{tag}]'

    def limits(self, limits: Limits) -> str:
        parts = []
        if limits.years:
            start, end = limits.years
            parts.append(f"{start or 1000}:{end or 3000}[dp]")
        ages = [f"{AGE_FILTERS[age]}[filter]" if age in AGE_FILTERS else f'"{age}"[mh]' for age in limits.age_groups]
        for group in ([f"{lang}[la]" for lang in limits.languages], ages, [f'"{pt}"[pt]' for pt in limits.publication_types]):
            if group:
                parts.append(group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")")
        return " AND ".join(parts)

    def operand(self, child: Query, parent: Query, right: bool = False) -> str:
        text = super().operand(child, parent, right)
        # PubMed has no precedence: bracket every compound operand, and limits joined by AND
        if isinstance(child, Limits) and " AND " in text and not text.startswith("("):
            return f"({text})"
        return text


def write(query: Query) -> Written:
    return PubMedWriter().write(query)
