"""A record as the `records` table stores it: one tuple in column order, JSON already encoded.

Pure (no database, no SQLAlchemy), so an import can build rows in worker processes that start in
a few milliseconds; `qes.store.records.insert_values` hands the tuples to the driver as they are.
"""

from __future__ import annotations

from typing import Any

from qes.jsontext import dumps
from qes.records.model import LIST_FIELDS, SCALAR_FIELDS, Record

# The columns an import writes, in the order of `record_values`.
IMPORT_COLUMNS: tuple[str, ...] = (
    "project_id",
    "import_id",
    "position",
    "line",
    "source_record_id",
    "status",
    "database",
    *SCALAR_FIELDS,
    "authors",
    *LIST_FIELDS,
    "field_tags",
    "raw",
)
_EMPTY_LIST = "[]"


def record_values(record: Record, *, project_id: int, import_id: int) -> tuple[Any, ...]:
    """One `records` row as a tuple in `IMPORT_COLUMNS` order, JSON columns already encoded.

    What `insert_values` sends to the driver as is: an import spends most of its database time
    on turning rows into parameters, so the row is built once, in its final form.
    """
    origin = record.origin
    r = record
    return (
        project_id,
        import_id,
        origin.position,
        origin.line,
        r.source_id[:200],
        "imported",
        r.database[:200],
        r.title,
        r.abstract,
        r.year,
        r.journal,
        r.volume,
        r.issue,
        r.page_start,
        r.page_end,
        r.doi,
        r.pmid,
        r.pmcid,
        r.issn,
        r.isbn,
        r.language,
        r.pub_type,
        r.publisher,
        r.date,
        dumps([a.to_json() for a in r.authors]) if r.authors else _EMPTY_LIST,
        dumps(r.keywords) if r.keywords else _EMPTY_LIST,
        dumps(r.headings) if r.headings else _EMPTY_LIST,
        dumps(r.urls) if r.urls else _EMPTY_LIST,
        dumps(r.accession_numbers) if r.accession_numbers else _EMPTY_LIST,
        dumps(r.field_tags),
        dumps(r.raw),  # (tag, value) tuples serialise as JSON arrays
    )
