"""Ovid (MEDLINE, Embase, PsycINFO, AMED): line-numbered strategies as searchers write them.

    1 recipr*.ti,ab,kw.
    2 exp Mental Disorders/
    3 (mental adj2 (health or illness)).ti,ab.
    4 or/2-3
    5 1 and 4
    6 limit 5 to (english language and yr="2000 - 2015")

`exp X/` explodes a heading, `*X/` is a major heading, `X/` the heading alone; words side by side
are a phrase; `adjN` = within N-1 words between, either order (`adj` alone = next to, in order).
Wildcards: `*` or `$` truncation, `#` exactly one character, `?` zero or one character.
Ovid does not say which thesaurus a heading is from (the database decides): headings parse as
`thesaurus` (default MeSH, i.e. Ovid MEDLINE).
"""

from __future__ import annotations

import re

from qes.search.model import ALL, And, Heading, Limits, Message, Query, Term, Written, walk
from qes.search.syntax._base import (
    ExprParser,
    Parsed,
    QuerySyntaxError,
    Token,
    convert_pattern,
    op_token,
    parse_lines,
    tags_fields,
    tokenize,
    with_fields,
)
from qes.search.syntax._writer import Writer

NAME = "ovid"
TITLE = "Ovid"

FIELDS: dict[str, frozenset[str]] = {
    "ti": frozenset({"title"}),
    "ab": frozenset({"abstract"}),
    "kw": frozenset({"keywords"}),
    "kf": frozenset({"keywords"}),
    "id": frozenset({"keywords"}),
    "sh": frozenset({"headings"}),
    "hw": frozenset({"headings"}),
    "tw": frozenset({"title", "abstract"}),
    "mp": ALL,
    "af": ALL,
}
WRITE_FIELDS = {tag: FIELDS[tag] for tag in ("ti", "ab", "kw", "sh", "mp")}
TO_CANONICAL = {"#": "?", "?": "#", "$": "*"}  # Ovid # = one character, ? = zero or one
FROM_CANONICAL = {"?": "#", "#": "?", "*": "*"}
AGE_LABELS = {  # limit labels (MEDLINE first, which the writer uses) → canonical age group
    '"all adult (19 plus years)"': "adult",
    "adulthood <18+ years>": "adult",
    "adult <18 to 64 years>": "adult",
    '"all child (0 to 18 years)"': "child",
    "childhood <birth to 12 years>": "child",
    '"all infant (birth to 23 months)"': "infant",
    '"aged (80 and over)"': "aged",
    "aged <65+ years>": "aged",
    '"adolescent (13 to 18 years)"': "adolescent",
    "adolescence <13 to 17 years>": "adolescent",
}
WRITE_AGES = {  # the database (known from its thesaurus) → its limit labels
    "mesh": {"adult": '"all adult (19 plus years)"', "child": '"all child (0 to 18 years)"',
             "infant": '"all infant (birth to 23 months)"', "aged": '"aged (80 and over)"',
             "adolescent": '"adolescent (13 to 18 years)"'},
    "apa": {"adult": "adulthood <18+ years>", "child": "childhood <birth to 12 years>",
            "adolescent": "adolescence <13 to 17 years>", "aged": "aged <65+ years>"},
    "emtree": {"adult": "adult <18 to 64 years>", "aged": "aged <65+ years>"},
    "amed": {},
}  # fmt: skip

LINE = re.compile(r"^\s*(\d+)\.?\s+(.*?)\s*$")
WORD = r"(?:[^\s()\"/.]|\.(?![a-z]{2}(?:,[a-z]{2})*\.))+"
TOKENS = [
    ("quoted", r'"[^"]*"'),
    ("lparen", r"\("),
    ("rparen", r"\)"),
    ("combine", r"(?:or|and)/\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*"),
    ("heading", r"(?:exp\s+)?\*?(?:(?!(?:and|or|not|adj\d*)\b)[^\s()/\"]+\s+)*?(?!(?:and|or|not|adj\d*)\b)[^\s()/\"]+/"),
    ("fieldtag", r"\.[a-z]{2}(?:,[a-z]{2})*\."),
    ("word", WORD),
]
OPS = {"and": ("and", 0, False), "or": ("or", 0, False), "not": ("not", 0, False)}


class OvidParser(ExprParser):
    levels = [{"or"}, {"and", "not"}, {"near"}]

    def __init__(self, text: str, refs: dict[str, Query], messages: list[Message], thesaurus: str):
        self.refs = refs
        self.thesaurus = thesaurus
        super().__init__([], text, messages)
        raw = tokenize(text, TOKENS)
        # line numbers only in a combination line ("3 and (1 or 2)"): elsewhere 19 is a word (covid 19.ti.)
        self.combining = bool(refs) and all(
            t.kind in ("lparen", "rparen") or t.value.isdigit() or t.value.lower() in OPS for t in raw
        )
        self.tokens = [self.classify(t) for t in raw]

    def classify(self, tok: Token) -> Token:
        if tok.kind != "word":
            return tok
        low = tok.value.lower()
        if low in OPS:
            return op_token(tok, OPS[low])
        m = re.fullmatch(r"adj(\d*)", low)
        if m:
            n = int(m.group(1)) if m.group(1) else 0
            if m.group(1) and n < 1:
                raise QuerySyntaxError("adj needs a distance of 1 or more", tok.pos, "Q023")
            return op_token(tok, ("near", 0, True) if not m.group(1) else ("near", n - 1, False))
        if re.fullmatch(r"\d+", tok.value) and self.combining:
            return Token("ref", tok.value, tok.pos)
        return tok

    def primary(self) -> Query:
        tok = self.next()
        if tok.kind == "ref":
            if tok.value not in self.refs:
                raise QuerySyntaxError(f"line {tok.value} is not an earlier line", tok.pos, "Q040")
            return self.refs[tok.value]
        if tok.kind == "combine":
            return self.combination(tok)
        if tok.kind == "heading":
            return self.heading(tok)
        if tok.kind == "fieldtag":
            raise QuerySyntaxError(f"field suffix {tok.value} without a term", tok.pos, "Q031")
        if tok.kind == "quoted":
            words = [tok.value[1:-1].strip()]
        elif tok.kind == "word":
            words = [tok.value]
        else:
            raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos, "Q007")
        while (nxt := self.peek()) is not None and nxt.kind in ("word", "quoted"):
            self.next()
            words.append(nxt.value.strip('"'))
        text = convert_pattern(" ".join(words), TO_CANONICAL)
        text = re.sub(r"\*\d+", "*", text)  # limited truncation ($2) read as unlimited
        if re.search(r"\$\d", " ".join(words)):
            self.note("Q016", "warning", "limited truncation ($N) is read as unlimited truncation", tok.pos)
        return self.after_group(Term(text, len(words) > 1 or " " in text, ALL))

    def after_group(self, inner: Query) -> Query:
        tag = self.peek()
        if tag is not None and tag.kind == "fieldtag":
            self.next()
            fields = tags_fields(tag.value.strip(".").split(","), FIELDS, tag.pos, self.messages)
            return with_fields(inner, fields)
        return inner

    def heading(self, tok: Token) -> Heading:
        m = re.fullmatch(r"(?is)(exp\s+)?(\*)?(.+?)/", tok.value)
        assert m
        return Heading(self.thesaurus, " ".join(m.group(3).split()), bool(m.group(1)), bool(m.group(2)))

    def combination(self, tok: Token) -> Query:
        op, _, spec = tok.value.partition("/")
        refs: list[Query] = []
        for part in spec.replace(" ", "").split(","):
            a, _, b = part.partition("-")
            for n in range(int(a), int(b or a) + 1):
                if str(n) not in self.refs:
                    raise QuerySyntaxError(f"line {n} is not an earlier line", tok.pos, "Q040")
                refs.append(self.refs[str(n)])
        if len(refs) == 1:
            return refs[0]
        return And(tuple(refs)) if op.lower() == "and" else _or(refs)


def _or(items: list[Query]) -> Query:
    from qes.search.model import Or

    return Or(tuple(items))


def parse_limit(body: str, offset: int, refs: dict[str, Query]) -> Query | None:
    m = re.fullmatch(r"(?is)limit\s+(\d+)\s+to\s+(.+)", body.strip())
    if not m:
        return None
    if m.group(1) not in refs:
        raise QuerySyntaxError(f"line {m.group(1)} is not an earlier line", offset, "Q040")
    spec = m.group(2).strip()
    if spec.startswith("(") and spec.endswith(")"):
        spec = spec[1:-1]
    years: tuple[int | None, int | None] | None = None
    languages: list[str] = []
    ages: list[str] = []
    for part in re.split(r"(?i)\s+and\s+", spec):
        part = part.strip()
        y = re.fullmatch(r'(?i)yr\s*=\s*"\s*(\d{4})\s*(?:-\s*(\d{4}|current)\s*)?"', part)
        lang = re.fullmatch(r"(?i)(\w+) language", part)
        if y:
            years = (int(y.group(1)), int(y.group(2)) if y.group(2) and y.group(2).isdigit() else None)
        elif lang:
            languages.append(lang.group(1).lower())
        elif part.lower() in AGE_LABELS:
            ages.append(AGE_LABELS[part.lower()])
        else:
            raise QuerySyntaxError(f"unknown limit {part!r}", offset, "Q035")
    return And((refs[m.group(1)], Limits(years, tuple(languages), tuple(ages))))


def parse_with_messages(text: str, thesaurus: str = "mesh") -> Parsed:
    messages: list[Message] = []
    text = re.sub(r"\[mp=[^\]]*\]", "", text)  # Ovid's note on what .mp. covered

    def line(body: str, offset: int, refs: dict[str, Query], msgs: list[Message]) -> Query:
        limited = parse_limit(body, offset, refs)
        if limited is not None:
            return limited
        return OvidParser(body, refs, msgs, thesaurus).parse()

    query = parse_lines(text, LINE, line, messages)
    if query is None:
        query = OvidParser(text, {}, messages, thesaurus).parse()
    return Parsed(query, messages)


def parse(text: str) -> Query:
    return parse_with_messages(text).query


class OvidWriter(Writer):
    name = TITLE
    and_op, or_op, not_op = "and", "or", "not"
    field_tags = WRITE_FIELDS
    wildcards = FROM_CANONICAL
    numbered = True
    joins_tags = ","

    def wrap(self, tag: str, inner: str, q: Query) -> str:
        if isinstance(q, Term) or (inner.startswith("(") and _balanced(inner)):
            return f"{inner}.{tag}."
        return f"({inner}).{tag}."

    def term_text(self, term: Term) -> str:
        text = self.pattern(term.text)
        words = text.split()
        if any(w.lower() in ("and", "or", "not") or re.fullmatch(r"(?i)adj\d*", w) for w in words):
            return f'"{text}"'
        return text

    def near_op(self, distance: int, ordered: bool) -> str | None:
        if ordered:
            return "adj" if distance == 0 else None
        return f"adj{distance + 1}"

    def heading(self, h: Heading) -> str:
        return f"{'exp ' if h.explode else ''}{'*' if h.major else ''}{h.term}/"

    def write(self, query: Query) -> Written:
        thesauri = {n.thesaurus for n in walk(query) if isinstance(n, Heading)}
        self.database = next(iter(thesauri)) if len(thesauri) == 1 and next(iter(thesauri)) in WRITE_AGES else "mesh"
        return super().write(query)

    def limit_line(self, ref: int, limits: Limits) -> str | None:
        ages = WRITE_AGES[getattr(self, "database", "mesh")]
        parts = []
        if limits.years:
            start, end = limits.years
            parts.append(f'yr="{start or 1900} - {end or "Current"}"')
        parts += [f"{lang} language" for lang in limits.languages]
        parts += [ages[a] for a in limits.age_groups if a in ages]
        for a in limits.age_groups:
            if a not in ages:
                self.say("Q302", f"this Ovid database has no age-group limit {a!r}: not written (broader)", "broader")
        if limits.age_groups and ages:
            label = {"mesh": "MEDLINE", "apa": "PsycINFO", "emtree": "Embase"}[self.database]
            self.say("Q303", f"age-group limit labels differ by Ovid database: written with {label}'s", None, "info")
        for pt in limits.publication_types:
            self.say("Q302", f"publication-type limit {pt!r} not written: set it with Ovid's limits (broader)", "broader")
        spec = " and ".join(parts)
        if not parts:
            return None
        return f"limit {ref} to ({spec})" if len(parts) > 1 else f"limit {ref} to {spec}"

    def limits(self, limits: Limits) -> str:
        self.say("Q301", "Ovid limits apply to a numbered line: limits not written in a one-line query (broader)", "broader")
        return ""


def _balanced(text: str) -> bool:
    depth = 0
    for i, c in enumerate(text):
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def write(query: Query) -> Written:
    return OvidWriter().write(query)
