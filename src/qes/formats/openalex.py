"""OpenAlex works as JSON: an API response (`{"meta":…, "results":[…]}`), a list of works, or
JSON Lines (one work per line, as in snapshots; streamed).

Abstracts arrive as an inverted index (word → positions) and are rebuilt into text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from qes.formats.base import ReadContext
from qes.formats.tagged import FieldMap, build_record
from qes.records.model import Record

NAME = "openalex"
LABEL = "OpenAlex JSON (API response, list of works, JSON Lines)"

FIELDS = FieldMap(
    title=("title", "display_name"),
    abstract=("abstract",),
    authors=("author",),
    year=("publication_year", "publication_date"),
    date=("publication_date",),
    journal=("source",),
    volume=("volume",),
    issue=("issue",),
    page_start=("first_page",),
    page_end=("last_page",),
    doi=("doi",),
    pmid=("pmid",),
    pmcid=("pmcid",),
    issn=("issn",),
    language=("language",),
    pub_type=("type",),
    publisher=("publisher",),
    keywords=("keyword",),
    headings=("mesh",),
    urls=("landing_page_url", "pdf_url"),
    accession_numbers=("id",),
    source_id=("id",),
)


def sniff(head: str) -> int:
    start = head.lstrip()[:1]
    if start not in ("{", "["):
        return 0
    if "openalex.org/W" in head or '"abstract_inverted_index"' in head:
        return 95
    return 0


def abstract_from_inverted_index(index: dict[str, list[int]] | None) -> str:
    if not index:
        return ""
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for pos in positions:
            slots[pos] = word
    return " ".join(slots[i] for i in sorted(slots))


def _short_id(value: str) -> str:
    return re.sub(
        r"^https?://(openalex\.org|pubmed\.ncbi\.nlm\.nih\.gov|www\.ncbi\.nlm\.nih\.gov/pmc/articles)/", "", value or ""
    ).strip("/")


def work_pairs(work: dict[str, Any]) -> list[tuple[str, str]]:
    """A work as (tag, value) pairs: the canonical inputs plus every other scalar, flattened."""
    pairs: list[tuple[str, str]] = []

    def add(tag: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            pairs.append((tag, str(value)))

    add("id", _short_id(work.get("id", "")))
    add("title", work.get("title"))
    add("display_name", work.get("display_name"))
    add("doi", work.get("doi"))
    add("publication_year", work.get("publication_year"))
    add("publication_date", work.get("publication_date"))
    add("language", work.get("language"))
    add("type", work.get("type"))
    for authorship in work.get("authorships") or []:
        author = authorship.get("author") or {}
        add("author", authorship.get("raw_author_name") or author.get("display_name"))
    location = work.get("primary_location") or {}
    source = location.get("source") or {}
    add("source", source.get("display_name"))
    for issn in source.get("issn") or ([source.get("issn_l")] if source.get("issn_l") else []):
        add("issn", issn)
    add("publisher", source.get("host_organization_name"))
    add("landing_page_url", location.get("landing_page_url"))
    add("pdf_url", location.get("pdf_url"))
    biblio = work.get("biblio") or {}
    for key in ("volume", "issue", "first_page", "last_page"):
        add(key, biblio.get(key))
    ids = work.get("ids") or {}
    add("pmid", _short_id(ids.get("pmid", "")))
    add("pmcid", _short_id(ids.get("pmcid", "")))
    add("abstract", abstract_from_inverted_index(work.get("abstract_inverted_index")))
    for kw in work.get("keywords") or []:
        add("keyword", kw.get("display_name") if isinstance(kw, dict) else kw)
    for mesh in work.get("mesh") or []:
        add("mesh", mesh.get("descriptor_name") if isinstance(mesh, dict) else mesh)
    for key in ("cited_by_count", "is_retracted", "is_paratext", "relevance_score"):
        add(key, work.get(key))
    return pairs


def read(stream: TextIO, ctx: ReadContext) -> Iterator[Record]:
    first = stream.readline()
    if _is_work_line(first):
        yield from _read_lines(first, stream, ctx)
        return
    text = first + stream.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ctx.fail(f"malformed JSON: {exc.msg}", line=exc.lineno) from None
    works = data.get("results") if isinstance(data, dict) else data
    if isinstance(data, dict) and works is None and "id" in data:
        works = [data]
    if not isinstance(works, list):
        raise ctx.fail("JSON has no list of works (expected an OpenAlex 'results' list)")
    for position, work in enumerate(works, 1):
        if not isinstance(work, dict):
            raise ctx.fail("a work is not a JSON object", record=position)
        yield build_record(work_pairs(work), FIELDS, ctx, 0, position)


def _is_work_line(line: str) -> bool:
    """True when the first line is one complete work (JSON Lines), not the start of a document."""
    text = line.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return False
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and "results" not in data and "meta" not in data


def _read_lines(first: str, stream: TextIO, ctx: ReadContext) -> Iterator[Record]:
    position = 0
    for lineno, line in enumerate([first], 1):
        position += 1
        yield _line_record(line, ctx, lineno, position)
    for lineno, line in enumerate(stream, 2):
        if line.strip():
            position += 1
            yield _line_record(line, ctx, lineno, position)


def _line_record(line: str, ctx: ReadContext, lineno: int, position: int) -> Record:
    try:
        work = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ctx.fail(f"malformed JSON line: {exc.msg}", line=lineno, record=position) from None
    return build_record(work_pairs(work), FIELDS, ctx, lineno, position)
