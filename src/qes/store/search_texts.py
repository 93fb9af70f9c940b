"""The searchable text of a project's unique records, for running a strategy locally.

Unique = not a duplicate: a duplicate group counts once, through its primary (the rule screening
uses, `store.screening.stage_records`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qes.store.schema import RecordRow


def search_texts(session: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """{record id: title, abstract, keywords, headings, year, language, pub_type, doi}, in id order."""
    rows = session.execute(
        select(
            RecordRow.id,
            RecordRow.title,
            RecordRow.abstract,
            RecordRow.keywords,
            RecordRow.headings,
            RecordRow.year,
            RecordRow.language,
            RecordRow.pub_type,
            RecordRow.doi,
        )
        .where(RecordRow.project_id == project_id, RecordRow.status != "duplicate")
        .order_by(RecordRow.id)
    )
    return {
        row.id: {
            "title": row.title or "",
            "abstract": row.abstract or "",
            "keywords": list(row.keywords or []),
            "headings": list(row.headings or []),
            "year": row.year,
            "language": row.language or "",
            "pub_type": row.pub_type or "",
            "doi": row.doi or "",
        }
        for row in rows
    }
