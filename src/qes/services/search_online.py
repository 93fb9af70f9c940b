"""Run a search through a public API (PubMed, OpenAlex), import what it found and log it — or nothing.

    prepared = prepare_online_search(project, "main", "pubmed", email="me@example.org")
    prepared.hits                                   # what the API reports (asked before fetching)
    run, imported = run_online_search(project, prepared, max_records=None)

`prepare` resolves a saved strategy (NAME or NAME@VERSION, written in the API's syntax, with the
translation's coded messages) or takes the query as typed, and asks the API for the count.
`run` fetches every record into the project's `files/searches/` (the export, kept as the
evidence of what the API returned), then imports it and logs the search in one transaction.
A network error stops before anything is imported; the half-fetched file is removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qes.errors import NotFound, UserError
from qes.search.model import Message
from qes.search.online.openalex import OPENALEX, OpenAlexClient, OpenAlexSearch, openalex_params
from qes.search.online.pubmed import EUTILS, PubMedClient, PubMedSearch
from qes.services.importing import ImportResult
from qes.services.project import Project
from qes.services.search_log import RunInfo, log_search
from qes.services.strategies import get_strategy, parse_reference, require_search_writer, translation

APIS = {
    # api: (syntax written in, database, interface, default source name, file suffix)
    "pubmed": ("pubmed", "PubMed", "NCBI E-utilities API", "PubMed (E-utilities)", ".nbib"),
    "openalex": ("openalex", "OpenAlex", "OpenAlex API", "OpenAlex (API)", ".jsonl"),
}


@dataclass
class PreparedSearch:
    api: str
    text: str  # exactly as sent
    hits: int
    strategy: str | None  # NAME@VERSION when a saved strategy was run
    messages: list[dict[str, Any]] = field(default_factory=list)  # the translation's, and the API's warnings
    client: Any = None
    found: PubMedSearch | OpenAlexSearch | None = None

    def to_json(self) -> dict[str, Any]:
        return {"api": self.api, "text": self.text, "hits": self.hits, "strategy": self.strategy, "messages": self.messages}


def _query_text(project: Project, query: str, api: str) -> tuple[str, str | None, list[dict[str, Any]]]:
    """A saved strategy written in the API's syntax, or the query as typed."""
    name, version = parse_reference(query) if "@" in query and " " not in query else (query.strip(), None)
    try:
        saved = get_strategy(project, name, version)
    except NotFound:
        if version is not None:
            raise
        return query.strip(), None, []
    written = translation(saved.query, APIS[api][0])
    return written.text, f"{saved.name}@{saved.version}", written.messages


def prepare_online_search(
    project: Project,
    query: str,
    api: str,
    *,
    email: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
) -> PreparedSearch:
    if api not in APIS:
        raise UserError(f"unknown API {api!r}; choose one of {', '.join(APIS)}")
    if not query or not query.strip():
        raise UserError("give a saved strategy's NAME or the query to run")
    with project.store.read() as session:  # a viewer is refused before anything is fetched
        require_search_writer(session, project, "run searches")
    text, strategy, messages = _query_text(project, query, api)
    client: PubMedClient | OpenAlexClient
    found: PubMedSearch | OpenAlexSearch
    if api == "pubmed":
        client = PubMedClient(base_url=base_url or EUTILS, api_key=api_key, email=email)
        found = client.search(text)
        messages += [Message("PUBMED", "warning", w).to_dict() for w in found.warnings]
    else:
        client = OpenAlexClient(base_url=base_url or OPENALEX, email=email, api_key=api_key)
        found = client.search(openalex_params(text))
    return PreparedSearch(api, text, found.count, strategy, messages, client, found)


def _export_path(project: Project, api: str) -> Path:
    folder = project.files_dir / "searches"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{api}-{stamp}{APIS[api][4]}"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{api}-{stamp}-{n}{APIS[api][4]}"
    return path


def run_online_search(
    project: Project,
    prepared: PreparedSearch,
    *,
    max_records: int | None = None,
    source: str | None = None,
    again: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[RunInfo, ImportResult | None]:
    """Fetch, import and log: the run's hits are what the API reported, its file the records fetched."""
    if max_records is not None and max_records < 1:
        raise UserError(f"--max {max_records}: fetch at least one record")
    syntax, database, interface, default_source, _suffix = APIS[prepared.api]
    notes = [f"{m['code']} {m['text']}" for m in prepared.messages]
    limits = f"first {max_records:,} records fetched" if max_records is not None and max_records < prepared.hits else ""
    if isinstance(prepared.found, PubMedSearch) and prepared.found.query_translation:
        notes.append(f"PubMed searched: {prepared.found.query_translation}")
    common = {
        "database": database,
        "interface": interface,
        "run_on": dt.date.today(),
        "hits": prepared.hits,
        "strategy": prepared.strategy,
        "text": prepared.text,
        "syntax": syntax,
        "limits": limits,
        "method": "online",
        "action": "search.online",
    }
    if prepared.hits == 0:
        return log_search(project, **common, notes="\n".join([*notes, "No records found: nothing imported."]))  # type: ignore[arg-type]
    path = _export_path(project, prepared.api)
    try:
        with path.open("w", encoding="utf-8", newline="\n") as out:
            fetched = prepared.client.fetch(prepared.found, out, limit=max_records, on_progress=on_progress)
        if fetched < min(prepared.hits, max_records or prepared.hits):
            notes.append(f"The API returned {fetched:,} of the {prepared.hits:,} records it reported.")
        return log_search(
            project, **common, notes="\n".join(notes), file=path, source=source or default_source,  # type: ignore[arg-type]
            fmt="medline" if prepared.api == "pubmed" else "openalex", again=again,
        )  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
