"""Build canonical records for de-duplication tests from plain dicts (the golden-case layout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qes.records.model import Record
from qes.records.normalise import normalise_doi, normalise_title, parse_authors, split_pages

GOLDEN = Path(__file__).parent / "dedupe" / "golden_cases.json"


def record(fields: dict[str, Any], source_id: str = "") -> Record:
    start, end = split_pages(fields.get("pages", ""))
    return Record(
        title=normalise_title(fields.get("title", "")),
        authors=parse_authors(fields.get("authors", [])),
        year=fields.get("year"),
        journal=fields.get("journal", ""),
        volume=fields.get("volume", ""),
        issue=fields.get("issue", ""),
        page_start=start,
        page_end=end,
        doi=normalise_doi(fields.get("doi", "")),
        pmid=fields.get("pmid", ""),
        pub_type=fields.get("pub_type", ""),
        abstract=fields.get("abstract", ""),
        source_id=source_id,
    )


def golden_cases() -> list[dict[str, Any]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]
