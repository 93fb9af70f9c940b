"""The writer every syntax shares: operators, brackets, field groups, proximity, patterns, messages.

A syntax subclasses `Writer` with data (operator words, field tags, wildcard characters) and
small hooks (`term_text`, `heading`, `limits`, `near_op`). Whatever the target cannot say exactly
is written as the nearest broader (or, failing that, narrower) form with a coded message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from qes.search.model import ALL, And, Heading, Limits, Message, Near, Not, Or, Query, Term, Written, normalise
from qes.search.syntax._base import cover, distribute_near, field_names, is_simple_or, meaning, uniform_fields

T = TypeVar("T")
OPERATOR_WORDS = {"and", "or", "not", "near", "adj", "next", "same", "pre", "w", "n"}


class Writer:
    name = "?"
    and_op, or_op, not_op = "AND", "OR", "NOT"
    # canonical fields → tag, in the order a writer prefers them (exact matches win)
    field_tags: Mapping[str, frozenset[str]] = {}
    style = "group"  # group: TAG(inner) / inner.TAG. ; term: every term carries its tag (PubMed)
    # canonical wildcard → the target's character, or None when the target has none
    wildcards: Mapping[str, str | None] = {"*": "*", "?": "?", "#": None}
    internal_truncation = True  # `*` inside a word
    proximity_or_operands = True  # `(a OR b) NEAR/3 c` accepted
    pattern_in_quotes = True  # truncation inside a quoted phrase accepted
    phrase_near: str | None = None  # ordered-adjacent operator used for a phrase with a pattern (PRE/0, NEXT)

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._negated = 0

    # -- entry point
    def write(self, query: Query) -> Written:
        self.messages = []
        text = self.top(normalise(query))
        seen: set[tuple[str, str]] = set()
        unique = []
        for m in self.messages:
            if (m.code, m.text) not in seen:
                seen.add((m.code, m.text))
                unique.append(m)
        if self.variants_note:  # the interface widens words by itself: the searcher should know
            unique.append(Message("Q120", "info", self.variants_note))
        return Written(text, tuple(unique))

    variants_note: str | None = None  # what the interface matches beyond the words as written

    numbered = False  # write multi-line strategies (one line per concept, then combinations)
    joins_tags: str | None = None  # "," where one suffix/prefix names several fields (Ovid .ti,ab.)

    def top(self, query: Query) -> str:
        if self.numbered and _wants_lines(query):
            self._lines: list[str] = []
            self.emit(query)
            return "\n".join(f"{self.line_label(i + 1)} {line}" for i, line in enumerate(self._lines))
        return self.expr(query)

    # -- numbered strategies
    def line_label(self, n: int) -> str:
        return str(n)

    def ref(self, n: int) -> str:
        return str(n)

    def or_lines(self, refs: list[int]) -> str:
        return f" {self.or_op} ".join(self.ref(r) for r in refs)

    def limit_line(self, ref: int, limits: Limits) -> str | None:
        text = self.operand(limits, And((limits, limits)))
        return f"{self.ref(ref)} {self.and_op} {text}" if text else None

    def add_line(self, text: str) -> int:
        self._lines.append(text)
        return len(self._lines)

    def emit(self, q: Query) -> int:
        if isinstance(q, And):
            limits = [c for c in q.children if isinstance(c, Limits)]
            rest = [c for c in q.children if not isinstance(c, Limits)]
            refs = [self.emit(c) for c in rest]
            n = refs[0] if len(refs) == 1 else self.add_line(f" {self.and_op} ".join(self.ref(r) for r in refs))
            for lim in limits:
                line = self.limit_line(n, lim)
                if line:
                    n = self.add_line(line)
            return n
        if isinstance(q, Not):
            a = self.emit(q.left)
            b = self.negated(lambda: self.emit(q.right))
            return self.add_line(f"{self.ref(a)} {self.not_op} {self.ref(b)}")
        if isinstance(q, Or) and _wants_lines(q):
            refs = []
            run: list[Query] = []
            for child in (*q.children, None):
                if isinstance(child, Term) and (not run or run[0].fields == child.fields):  # type: ignore[union-attr]
                    run.append(child)
                    continue
                if run:
                    refs.append(self.add_line(self.expr(run[0] if len(run) == 1 else Or(tuple(run)))))
                    run = [child] if isinstance(child, Term) else []
                    if run:
                        continue
                if child is not None:
                    refs.append(self.emit(child))
            if run:
                refs.append(self.add_line(self.expr(run[0] if len(run) == 1 else Or(tuple(run)))))
            return refs[0] if len(refs) == 1 else self.add_line(self.or_lines(refs))
        return self.add_line(self.expr(q))

    def say(self, code: str, text: str, effect: str | None, severity: str = "warning") -> None:
        if effect and self._negated % 2:  # broader inside NOT's right side excludes more: narrower overall
            effect = {"broader": "narrower", "narrower": "broader"}.get(effect, effect)
            text = text.replace("(broader)", "(broader, inside NOT: narrower)").replace(
                "(narrower)", "(narrower, inside NOT: broader)"
            )
        self.messages.append(meaning(code, text, effect, severity) if effect else Message(code, severity, text))

    def negated(self, write: Callable[[], T]) -> T:
        """Write the right side of a NOT: what is broader there makes the query narrower."""
        self._negated += 1
        try:
            return write()
        finally:
            self._negated -= 1

    # -- expressions
    def expr(self, q: Query) -> str:
        if self.style == "group":
            grouped = self.field_group(q)
            if grouped is not None:
                return grouped
        if isinstance(q, Or) and self.style == "group" and len(q.children) > 2:
            runs = _field_runs(q.children)
            if len(runs) < len(q.children):
                regrouped = Or(tuple(r[0] if len(r) == 1 else Or(tuple(r)) for r in runs))
                parts = [self.operand(c, regrouped) for c in regrouped.children]
                return f" {self.or_op} ".join(self.drop_empty(parts))
        if isinstance(q, And | Or):
            op = self.and_op if isinstance(q, And) else self.or_op
            return f" {op} ".join(self.drop_empty([self.operand(c, q) for c in q.children]))
        if isinstance(q, Not):
            right = self.negated(lambda: self.operand(q.right, q, right=True))
            return f"{self.operand(q.left, q)} {self.not_op} {right}"
        if isinstance(q, Near):
            return self.near(q)
        if isinstance(q, Term):
            return self.fielded_term(q)
        if isinstance(q, Heading):
            return self.heading(q)
        if isinstance(q, Limits):
            return self.limits(q)
        raise TypeError(q)

    def operand(self, child: Query, parent: Query, right: bool = False) -> str:
        text = self.expr(child)
        if not text:
            return text
        if isinstance(child, Near) and _spaced(text) and not _wrapped(text):
            return f"({text})"  # OR binds tighter than proximity in Scopus and ProQuest: always bracket
        if isinstance(child, And | Or | Not) and (type(child) is not type(parent) or right):
            return f"({text})"
        if self.needs_brackets(text):
            return f"({text})"
        return text

    def needs_brackets(self, text: str) -> bool:
        """An operand written as several parts (a field split, a fallback) is bracketed."""
        depth = 0
        for i, c in enumerate(text):
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif c == " " and depth == 0 and not _in_quotes(text, i):
                rest = text[i + 1 :].split(" ", 1)[0].upper()
                if rest in {self.and_op.upper(), self.or_op.upper(), self.not_op.upper()}:
                    return True
        return False

    # -- fields
    def field_group(self, q: Query) -> str | None:
        """`TAG(inner)` when every term of `q` shares fields the target can name."""
        if isinstance(q, Heading | Limits):
            return None
        fields = uniform_fields(q)
        if fields is None:
            return None
        tags, got = cover(fields, self.field_tags)
        if len(tags) > 1 and self.joins_tags:
            tags = [self.joins_tags.join(tags)]
        if len(tags) > 1 and not is_simple_or(q):
            return None
        if got != fields:
            self.say(
                "Q110",
                f"{self.name} cannot search {field_names(fields)} exactly: written as {field_names(got)} (broader)",
                "broader",
            )
        inner = self.bare(q)
        parts = [self.wrap(tag, inner, q) for tag in tags]
        return parts[0] if len(parts) == 1 else f" {self.or_op} ".join(parts)

    def bare(self, q: Query) -> str:
        """`q` without field tags (inside a field group)."""
        if isinstance(q, And | Or):
            op = self.and_op if isinstance(q, And) else self.or_op
            return f" {op} ".join(self._bare_operand(c, q) for c in q.children)
        if isinstance(q, Not):
            right = self.negated(lambda: self._bare_operand(q.right, q, True))
            return f"{self._bare_operand(q.left, q)} {self.not_op} {right}"
        if isinstance(q, Near):
            return self.near(q, bare=True)
        if isinstance(q, Term):
            return self.term_text(q)
        raise TypeError(q)

    def _bare_operand(self, child: Query, parent: Query, right: bool = False) -> str:
        text = self.bare(child)
        if isinstance(child, And | Or | Not) and (type(child) is not type(parent) or right):
            return f"({text})"
        if isinstance(child, Near) and _spaced(text) and not _wrapped(text):
            return f"({text})"
        return text

    def wrap(self, tag: str, inner: str, q: Query) -> str:
        """A field group as a function call, TAG(inner) (ProQuest, Scopus); other syntaxes override."""
        return f"{tag}({inner})"

    def fielded_term(self, term: Term) -> str:
        """A term outside any group (style "term", or a group syntax's fallback)."""
        tags, got = cover(term.fields, self.field_tags)
        if len(tags) > 1 and self.joins_tags:
            tags = [self.joins_tags.join(tags)]
        if got != term.fields:
            self.say(
                "Q110",
                f"{self.name} cannot search {field_names(term.fields)} exactly: written as {field_names(got)} (broader)",
                "broader",
            )
        parts = [self.wrap(tag, self.term_text(term), term) for tag in tags]
        return parts[0] if len(parts) == 1 else "(" + f" {self.or_op} ".join(parts) + ")"

    # -- terms and patterns
    def term_text(self, term: Term) -> str:
        text = self.pattern(term.text)
        if term.is_phrase or " " in text:
            if _has_pattern(text) and not self.pattern_in_quotes and self.phrase_near:
                return f" {self.phrase_near} ".join(self.word(w) for w in text.split())
            return f'"{text}"'
        return self.word(text)

    def word(self, text: str) -> str:
        if text.lower() in OPERATOR_WORDS or re.fullmatch(r"(?i)(adj|n|w|near|pre)/?\d+", text):
            return f'"{text}"'
        return text

    def pattern(self, text: str) -> str:
        out = []
        for i, c in enumerate(text):
            if c not in "*?#":
                out.append(c)
                continue
            native = self.wildcards.get(c)
            at_end = i == len(text) - 1 or not text[i + 1].isalnum()
            if c == "*" and not at_end and not self.internal_truncation:
                native = None
            if native is None:
                stem = re.split(r"[*?#]", text, maxsplit=1)[0]
                if self.wildcards.get("*") and c != "*":
                    self.say(
                        "Q103",
                        f"{self.name} has no wildcard '{c}': {text!r} written as {stem}* (broader)",
                        "broader",
                    )
                    return stem + self.wildcards["*"]  # type: ignore[operator]
                if self.wildcards.get("*") and c == "*":
                    self.say(
                        "Q103", f"{self.name} has no truncation inside a word: {text!r} written as {stem}* (broader)", "broader"
                    )
                    return stem + self.wildcards["*"]  # type: ignore[operator]
                self.say(
                    "Q104", f"{self.name} has no truncation or wildcards: {text!r} written as {stem!r} (narrower)", "narrower"
                )
                return stem
            out.append(native)
        return "".join(out)

    # -- proximity
    def near_op(self, distance: int, ordered: bool) -> str | None:
        """The operator for `distance` words between; None when the target has no proximity."""
        return None

    def near(self, q: Near, bare: bool = False) -> str:
        if not self.proximity_or_operands and (isinstance(q.left, Or) or isinstance(q.right, Or)):
            spread = distribute_near(q)
            return self.bare(spread) if bare else self.expr(spread)
        op = self.near_op(q.distance, q.ordered)
        if op is None and q.ordered:
            op = self.near_op(q.distance, False)
            if op is not None:
                self.say("Q102", f"{self.name} has no ordered proximity: written in either order (broader)", "broader")
        if op is None:
            self.say("Q101", f"{self.name} has no proximity operator: proximity written as {self.and_op} (broader)", "broader")
            fallback = And((q.left, q.right))
            return self.bare(fallback) if bare else self.expr(fallback)
        side = self.bare if bare else self.expr
        left, right = side(q.left), side(q.right)
        if isinstance(q.left, Or) or self.needs_brackets(left):
            left = f"({left})"
        if isinstance(q.right, Or) or self.needs_brackets(right):
            right = f"({right})"
        return f"{left} {op} {right}"

    # -- headings and limits
    def heading(self, h: Heading) -> str:
        self.say(
            "Q201",
            f"heading {h.term!r} ({h.thesaurus}) has no equivalent in {self.name}: written as a text word",
            "changed",
        )
        return self.expr(Term(h.term, is_phrase=" " in h.term, fields=ALL))

    def limits(self, limits: Limits) -> str:
        self.say("Q301", f"{self.name} takes limits in its interface, not in the query: limits not written (broader)", "broader")
        return ""

    def drop_empty(self, parts: list[str]) -> list[str]:
        return [p for p in parts if p]


def _field_runs(children: tuple[Query, ...]) -> list[list[Query]]:
    """Consecutive terms (or proximities) with the same fields, so each run is one field group."""
    runs: list[list[Query]] = []
    for child in children:
        fields = uniform_fields(child) if is_simple_or(child) else None
        if fields is not None and runs and uniform_fields(runs[-1][0]) == fields and is_simple_or(runs[-1][0]):
            runs[-1].append(child)
        else:
            runs.append([child])
    return runs


def _wants_lines(q: Query) -> bool:
    """Headings, limits or several concepts: worth one line each, as searchers write them."""
    if isinstance(q, And | Not):
        return True
    if isinstance(q, Or):
        return any(isinstance(c, Heading | And | Not | Limits) for c in q.children) or (
            len({c.fields for c in q.children if isinstance(c, Term)}) > 1
        )
    return isinstance(q, Limits)


def _spaced(text: str) -> bool:
    """A space outside quotes and brackets: the text is more than one token."""
    depth = 0
    for i, c in enumerate(text):
        if _in_quotes(text, i):
            continue
        depth += c in "([{"
        depth -= c in ")]}"
        if c == " " and depth == 0:
            return True
    return False


def _wrapped(text: str) -> bool:
    """The whole text is one bracketed group (or one quoted token with its tag)."""
    if not text.startswith("("):
        return False
    depth = 0
    for i, c in enumerate(text):
        depth += c == "("
        depth -= c == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


def _has_pattern(text: str) -> bool:
    return any(c in text for c in "*?#$")


def _in_quotes(text: str, index: int) -> bool:
    return text[:index].count('"') % 2 == 1
