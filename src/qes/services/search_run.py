"""Run a search strategy over the project's own records (to check known papers are found, and
to estimate precision before running it in the databases).

`run_query(project, "recipr*[tiab] AND ...", "pubmed")` or `run_query(project, "main", ...)` for a
saved strategy (its stored tree, read in the syntax it was saved in). Duplicates count once.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from qes import search
from qes.errors import NotFound
from qes.search.engine import Index
from qes.search.model import Message, Query
from qes.services.project import Project
from qes.store.search_texts import search_texts

NAME = re.compile(r"[\w.@:-]+")


@dataclass(frozen=True)
class SearchResult:
    hits: int
    records: list[dict[str, Any]]
    syntax: str
    strategy: str = ""  # the saved strategy's name@version, when one was run
    messages: list[Message] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "records": self.records,
            "syntax": self.syntax,
            "strategy": self.strategy,
            "messages": [m.to_dict() for m in self.messages],
        }


def saved_query(project: Project, name: str) -> tuple[Query, str, str] | None:
    """(tree, syntax, name@version) of a saved strategy called `name`, or None."""
    if not NAME.fullmatch(name):
        return None
    try:
        strategies = importlib.import_module("qes.services.strategies")
    except ModuleNotFoundError:
        return None
    try:
        saved = strategies.get_strategy(project, name)
    except NotFound:
        return None
    return saved.query, saved.syntax, f"{saved.name}@{saved.version}"


def run_query(project: Project, text_or_name: str, syntax: str = "pubmed") -> SearchResult:
    """Records matching a strategy (its name, or its text in `syntax`), in record-id order."""
    saved = saved_query(project, text_or_name.strip())
    messages: list[Message] = []
    if saved is not None:
        query, syntax, label = saved
    else:
        parsed = search.syntax_module(syntax).parse_with_messages(text_or_name)
        query, label, messages = parsed.query, "", [m for m in parsed.messages if m.severity != "info"]
    with project.store.read() as session:
        documents = search_texts(session, project.id)
    ids = Index(documents).search(query)
    records = [
        {"id": rid, "title": documents[rid]["title"], "year": documents[rid]["year"], "doi": documents[rid]["doi"]} for rid in ids
    ]
    return SearchResult(len(records), records, syntax, label, messages)
