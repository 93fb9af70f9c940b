"""Search strategies: one query tree, a parser and writer per database syntax, a local engine.

    from qes import search
    tree = search.parse('recipr*[tiab] AND "mental health"[tiab]', "pubmed")
    written = search.write(tree, "ovid")          # Written(text, messages)
    search.translate(text, "pubmed", "scopus")    # parse → generic tree → write
    search.lint(text, "pubmed")                   # coded messages: Q0xx syntax, Q1xx-Q3xx translation

Syntaxes: pubmed, ovid, ebsco, proquest, wos, scopus, cochrane, openalex (`SYNTAXES`).
"""

from __future__ import annotations

from qes.search.model import (
    And,
    Block,
    Heading,
    Limits,
    Message,
    Near,
    Not,
    Or,
    Query,
    Strategy,
    Term,
    Written,
    from_dict,
    normalise,
    to_dict,
)
from qes.search.syntax import SYNTAXES, QuerySyntaxError, syntax_module

__all__ = [
    "SYNTAXES",
    "And",
    "Block",
    "Heading",
    "Limits",
    "Message",
    "Near",
    "Not",
    "Or",
    "Query",
    "QuerySyntaxError",
    "Strategy",
    "Term",
    "Written",
    "from_dict",
    "lint",
    "normalise",
    "parse",
    "syntax_module",
    "to_dict",
    "translate",
    "write",
]


def parse(text: str, syntax: str) -> Query:
    """The query tree of `text` in `syntax`; raises QuerySyntaxError ("QUERY:col N: ...")."""
    return syntax_module(syntax).parse(text)


def write(query: Query, syntax: str) -> Written:
    """`query` in `syntax`, with a message for everything the syntax cannot say exactly."""
    return syntax_module(syntax).write(query)


def translate(text: str, source: str, target: str) -> Written:
    """Parse in `source`, write in `target`: the source's warnings, then the writer's messages."""
    parsed = syntax_module(source).parse_with_messages(text)
    written = write(parsed.query, target)
    return Written(written.text, tuple(m for m in parsed.messages if m.severity != "info") + written.messages)


def lint(text: str, syntax: str) -> list[Message]:
    """Coded messages about `text` in `syntax`: syntax errors (never raised) and the usual traps."""
    try:
        return list(syntax_module(syntax).parse_with_messages(text).messages)
    except QuerySyntaxError as exc:
        return [exc.message]
