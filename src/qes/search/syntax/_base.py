"""What every syntax module shares: tokens, the syntax error, a precedence-climbing parser, fields.

A syntax module supplies data (its operators' precedence, field tags → canonical fields, wildcard
characters) and two small pieces of code: how a primary (a term, a field group, a heading) is
read, and how a term or heading is written. Operators, brackets, precedence traps and line
references are handled here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from qes.errors import UserError
from qes.search.model import ALL, And, Heading, Limits, Message, Near, Not, Or, Query, Term, walk

BOOLEAN = ("and", "or", "not")


class QuerySyntaxError(UserError):
    """Unparseable query text: `QUERY:col N: message` (one line, exit 2 in the CLI)."""

    def __init__(self, text: str, position: int | None = None, code: str = "Q001"):
        self.message = Message(code, "error", text, position)
        where = f"QUERY:col {position + 1}" if position is not None else "QUERY"
        super().__init__(f"{where}: {text}")


@dataclass(frozen=True)
class Token:
    kind: str  # word | quoted | lparen | rparen | op | tag | ref | heading | other (syntax-specific)
    value: str
    pos: int
    op: tuple[str, int, bool] | None = None  # (and|or|not|near, distance, ordered) for kind "op"


@dataclass
class Parsed:
    query: Query
    messages: list[Message] = field(default_factory=list)


def tokenize(text: str, spec: Iterable[tuple[str, str]], flags: int = re.IGNORECASE) -> list[Token]:
    """Tokens by a master regex of (kind, pattern) pairs; whitespace skipped; `op:` kinds are operators."""
    pairs = list(spec)
    master = re.compile("|".join(f"(?P<{kind.replace(':', '__')}>{pattern})" for kind, pattern in pairs), flags)
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = master.match(text, pos)
        if not m or m.end() == pos:
            raise QuerySyntaxError(f"unexpected character {text[pos]!r}", pos, "Q002")
        kind = (m.lastgroup or "").replace("__", ":")
        tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    return tokens


def op_token(token: Token, op: tuple[str, int, bool]) -> Token:
    return Token("op", token.value, token.pos, op)


def merge_and_not(tokens: list[Token]) -> list[Token]:
    """`AND NOT` (Scopus, ProQuest) as one NOT operator."""
    out: list[Token] = []
    for tok in tokens:
        if (
            tok.kind == "op"
            and tok.op
            and tok.op[0] == "not"
            and out
            and out[-1].kind == "op"
            and out[-1].op == ("and", 0, False)
        ):
            out[-1] = Token("op", "AND NOT", out[-1].pos, ("not", 0, False))
            continue
        out.append(tok)
    return out


class ExprParser:
    """Boolean and proximity operators by precedence levels (loosest first); primaries by subclass.

    `levels` is a list of sets of operator names; an operator in a later set binds tighter.
    One level holding every operator gives PubMed's strict left-to-right reading.
    `implicit_and`: two primaries side by side mean AND (WoS, Scopus, ProQuest, Cochrane, OpenAlex).
    """

    levels: list[set[str]] = [{"or"}, {"and", "not"}, {"near"}]
    implicit_and = False
    left_to_right_note = ""  # PubMed: a message when AND and OR meet without brackets
    reading = "AND before OR"  # how this database reads AND and OR without brackets (Q010)

    def __init__(self, tokens: list[Token], text: str, messages: list[Message] | None = None):
        self.tokens = tokens
        self.text = text
        self.i = 0
        self.messages: list[Message] = messages if messages is not None else []

    # -- token helpers
    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("unexpected end of query", len(self.text), "Q003")
        self.i += 1
        return tok

    def expect(self, kind: str) -> Token:
        tok = self.peek()
        if tok is None or tok.kind != kind:
            where = tok.pos if tok else len(self.text)
            what = "end of query" if tok is None else repr(tok.value)
            raise QuerySyntaxError(f"expected {'a closing bracket' if kind == 'rparen' else kind}, found {what}", where, "Q004")
        return self.next()

    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    def note(self, code: str, severity: str, text: str, position: int | None = None) -> None:
        self.messages.append(Message(code, severity, text, position))

    # -- the grammar
    def parse(self) -> Query:
        if not self.tokens:
            raise QuerySyntaxError("empty query", 0, "Q005")
        query = self.expression()
        tok = self.peek()
        if tok is not None:
            if tok.kind == "rparen":
                raise QuerySyntaxError("unbalanced brackets: ')' without '('", tok.pos, "Q006")
            raise QuerySyntaxError(f"unexpected {tok.value!r}", tok.pos, "Q007")
        return query

    def expression(self, level: int = 0) -> Query:
        return self._level(level)[0]

    def _level(self, level: int) -> tuple[Query, str | None]:
        """(query, the operator that built it without brackets, or None)."""
        if level >= len(self.levels):
            return self.primary_group(), None
        ops = self.levels[level]
        left, left_op = self._level(level + 1)
        while True:
            tok = self.peek()
            if tok is not None and tok.kind == "op" and tok.op and tok.op[0] in ops:
                self.next()
                name, distance, ordered = tok.op
            elif self.implicit_and and "and" in ops and tok is not None and self.starts_primary(tok):
                name, distance, ordered = "and", 0, False
            else:
                return left, left_op
            right, right_op = self._level(level + 1)
            if name in BOOLEAN:
                self._check_mix(name, left_op, right_op, tok)
            left = combine(name, left, right, distance, ordered, tok.pos, self)
            left_op = name if name in BOOLEAN else None

    def _check_mix(self, name: str, left_op: str | None, right_op: str | None, tok: Token) -> None:
        for other in (left_op, right_op):
            if other and other != name and "or" in (other, name):
                if self.left_to_right_note:
                    self.note("Q011", "warning", self.left_to_right_note, tok.pos)
                else:
                    self.note(
                        "Q010",
                        "warning",
                        f"{other.upper()} and {name.upper()} mixed without brackets: this database reads {self.reading}; "
                        "add brackets",
                        tok.pos,
                    )
                return

    def primary_group(self) -> Query:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("unexpected end of query: a term is missing", len(self.text), "Q003")
        if tok.kind == "lparen":
            self.next()
            if self.peek() is not None and self.peek().kind == "rparen":  # type: ignore[union-attr]
                raise QuerySyntaxError("empty brackets", tok.pos, "Q008")
            inner = self.expression()
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QuerySyntaxError("unbalanced brackets: '(' is never closed", tok.pos, "Q006")
            self.next()
            return self.after_group(inner)
        if tok.kind == "op":
            raise QuerySyntaxError(f"operator {tok.value!r} where a term was expected", tok.pos, "Q009")
        if tok.kind == "rparen":
            raise QuerySyntaxError("unbalanced brackets: ')' without '('", tok.pos, "Q006")
        return self.primary()

    def after_group(self, inner: Query) -> Query:
        """Hook: a suffix field tag after a closing bracket (Ovid `.ti,ab.`, Cochrane `:ti`)."""
        return inner

    def starts_primary(self, tok: Token) -> bool:
        return tok.kind in ("word", "quoted", "lparen", "tag", "heading", "ref")

    def primary(self) -> Query:  # pragma: no cover - every syntax overrides
        raise NotImplementedError


def combine(name: str, left: Query, right: Query, distance: int, ordered: bool, pos: int, parser: ExprParser) -> Query:
    if name == "and":
        return And((*(left.children if isinstance(left, And) else (left,)), right))
    if name == "or":
        return Or((*(left.children if isinstance(left, Or) else (left,)), right))
    if name == "not":
        return Not(left, right)
    if name == "pre":
        ordered = True
    for side in (left, right):
        for node in walk(side):
            if not isinstance(node, Term | Or):
                raise QuerySyntaxError("a proximity operand must be a word, a phrase, or an OR of them", pos, "Q020")
    if ordered and distance == 0 and isinstance(left, Term) and isinstance(right, Term) and left.fields == right.fields:
        return Term(f"{left.text} {right.text}", True, left.fields)  # ordered and adjacent: a phrase
    return Near(left, right, distance, ordered)


# -- fields ----------------------------------------------------------------------------------


def with_fields(query: Query, fields: frozenset[str]) -> Query:
    """Set `fields` on every term of `query` that has no field of its own (the default `all`)."""
    if isinstance(query, Term):
        return Term(query.text, query.is_phrase, fields) if query.fields == ALL else query
    if isinstance(query, And | Or):
        return type(query)(tuple(with_fields(c, fields) for c in query.children))
    if isinstance(query, Not):
        return Not(with_fields(query.left, fields), with_fields(query.right, fields))
    if isinstance(query, Near):
        return Near(with_fields(query.left, fields), with_fields(query.right, fields), query.distance, query.ordered)
    return query


def tags_fields(tags: Iterable[str], table: Mapping[str, frozenset[str]], pos: int, messages: list[Message]) -> frozenset[str]:
    """The union of the canonical fields of `tags`; an unknown tag is an error (Q030)."""
    out: set[str] = set()
    for tag in tags:
        key = tag.strip().lower()
        if key not in table:
            raise QuerySyntaxError(f"unknown field tag {tag.strip()!r}", pos, "Q030")
        out |= table[key]
    return frozenset(out) if "all" not in out else ALL


def cover(fields: frozenset[str], table: Mapping[str, frozenset[str]]) -> tuple[list[str], frozenset[str]]:
    """Tags whose fields together are exactly `fields` (fewest first), else the smallest superset.

    Returns (tags, fields they cover). The caller says "broader" when the cover is bigger.
    """
    for tag, tag_fields in table.items():
        if tag_fields == fields:
            return [tag], fields
    if fields != ALL:
        # a union of tags inside `fields`, largest tags first
        remaining = set(fields)
        chosen: list[str] = []
        for tag, tag_fields in sorted(table.items(), key=lambda kv: -len(kv[1])):
            if tag_fields != ALL and tag_fields <= fields and tag_fields & remaining:
                chosen.append(tag)
                remaining -= tag_fields
        if not remaining:
            order = list(table)
            return sorted(chosen, key=order.index), fields
    options: list[tuple[list[str], frozenset[str]]] = [([t], f) for t, f in table.items() if f == ALL or fields <= f]
    touching = [(t, f) for t, f in table.items() if f != ALL and f & fields]
    union = frozenset().union(*(f for _, f in touching)) if touching else frozenset()
    if fields <= union:
        options.append(([t for t, _ in touching], union))
    return min(options, key=lambda o: (o[1] == ALL, len(o[1]), len(o[0])))


def field_names(fields: frozenset[str]) -> str:
    return "all fields" if fields == ALL else "/".join(sorted(fields))


# -- patterns --------------------------------------------------------------------------------


def convert_pattern(text: str, mapping: Mapping[str, str]) -> str:
    """Swap wildcard characters one for one (e.g. Ovid `#` → canonical `?`)."""
    return "".join(mapping.get(c, c) for c in text)


# -- line-numbered strategies ----------------------------------------------------------------


def split_lines(text: str, line_re: re.Pattern[str]) -> list[tuple[str, str, int]] | None:
    """[(number, body, offset)] when every non-empty line is numbered, else None (a one-line query)."""
    lines = [(m, offset) for m, offset in _lines_with_offsets(text) if m.strip()]
    if len(lines) < 1:
        return None
    out: list[tuple[str, str, int]] = []
    for line, offset in lines:
        m = line_re.match(line)
        if not m:
            return None
        out.append((m.group(1), m.group(2), offset + m.start(2)))
    return out


def _lines_with_offsets(text: str) -> list[tuple[str, int]]:
    out = []
    offset = 0
    for line in text.splitlines(keepends=True):
        out.append((line.rstrip("\r\n"), offset))
        offset += len(line)
    return out


def parse_lines(
    text: str,
    line_re: re.Pattern[str],
    parse_line: Callable[[str, int, dict[str, Query], list[Message]], Query],
    messages: list[Message],
) -> Query | None:
    """Parse a numbered strategy; each line may refer to earlier ones. The last line is the query."""
    lines = split_lines(text, line_re)
    if lines is None:
        return None
    refs: dict[str, Query] = {}
    last: Query | None = None
    for number, body, offset in lines:
        try:
            last = parse_line(body, offset, refs, messages)
        except QuerySyntaxError as exc:
            pos = exc.message.position
            where = None if pos is None else pos + offset
            raise QuerySyntaxError(f"line {number}: {exc.message.text}", where, exc.message.code) from None
        refs[number] = last
    return last


def resolve_ref(refs: Mapping[str, Query], number: str, pos: int) -> Query:
    if number not in refs:
        raise QuerySyntaxError(f"reference to line {number}, which is not an earlier line", pos, "Q040")
    return refs[number]


# -- writer helpers --------------------------------------------------------------------------


def meaning(code: str, text: str, effect: str, severity: str = "warning") -> Message:
    return Message(code, severity, text, None, effect)


def is_simple_or(query: Query) -> bool:
    """An OR (or single leaf) of terms: field groups may be split over tags for these."""
    if isinstance(query, Term):
        return True
    if isinstance(query, Or):
        return all(is_simple_or(c) for c in query.children)
    return bool(isinstance(query, Near))


def uniform_fields(query: Query) -> frozenset[str] | None:
    """The one field set every term of `query` uses, or None when they differ or there is none."""
    found: set[frozenset[str]] = {n.fields for n in walk(query) if isinstance(n, Term)}
    others = [n for n in walk(query) if isinstance(n, Heading | Limits)]
    if len(found) == 1 and not others:
        return next(iter(found))
    return None


def distribute_near(query: Near) -> Query:
    """`(a OR b) NEAR c` as `(a NEAR c) OR (b NEAR c)`: the same records, for targets that need words."""
    lefts = query.left.children if isinstance(query.left, Or) else (query.left,)
    rights = query.right.children if isinstance(query.right, Or) else (query.right,)
    pairs: list[Query] = []
    for a in lefts:
        for b in rights:
            if isinstance(a, Or) or isinstance(b, Or):
                pairs.append(distribute_near(Near(a, b, query.distance, query.ordered)))
            else:
                pairs.append(Near(a, b, query.distance, query.ordered))
    return pairs[0] if len(pairs) == 1 else Or(tuple(pairs))
