"""Records of a project: list and search, show with provenance, export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from qes.errors import NotFound, UserError
from qes.formats import WRITER_NAMES, write_records
from qes.records.model import Record
from qes.services.project import Project, opened
from qes.store import projects as project_store
from qes.store import records as record_store
from qes.store.schema import Import, RecordRow, Source


@dataclass(frozen=True)
class RecordSummary:
    id: int
    title: str
    first_author: str
    year: int | None
    journal: str
    doi: str
    source: str
    status: str

    @classmethod
    def of(cls, row: RecordRow, source: str) -> RecordSummary:
        authors = row.authors or []
        first = authors[0].get("family", "") if authors else ""
        if len(authors) > 1:
            first += " et al."
        return cls(row.id, row.title, first, row.year, row.journal, row.doi, source, row.status)


@dataclass(frozen=True)
class RecordList:
    total: int
    records: list[RecordSummary]


def list_records(project: Project, *, query: str = "", limit: int = 50, offset: int = 0) -> RecordList:
    with project.store.read() as session:
        page = record_store.search_records(session, project.id, query=query, limit=limit, offset=offset)
        names = _source_names(session, project.id)
        return RecordList(page.total, [RecordSummary.of(r, names.get(r.import_id, "")) for r in page.rows])


def _source_names(session: Any, project_id: int) -> dict[int, str]:
    return {imp.id: src.name for imp, src in project_store.list_imports(session, project_id)}


@dataclass(frozen=True)
class Provenance:
    file: str
    source: str
    format: str
    import_id: int
    line: int
    position: int
    source_record_id: str
    field_tags: dict[str, list[str]]
    raw: list[tuple[str, str]]


@dataclass(frozen=True)
class RecordDetail:
    id: int
    status: str
    record: Record
    provenance: Provenance

    def to_json(self) -> dict[str, Any]:
        data = {"id": self.id, "status": self.status, **self.record.canonical()}
        data["source_id"] = self.record.source_id
        data["database"] = self.record.database
        p = self.provenance
        data["provenance"] = {
            "file": p.file,
            "source": p.source,
            "format": p.format,
            "import_id": p.import_id,
            "line": p.line,
            "position": p.position,
            "source_record_id": p.source_record_id,
            "field_tags": p.field_tags,
            "raw": [list(pair) for pair in p.raw],
        }
        return data


def parse_record_id(value: str | int) -> int:
    text = str(value).strip().lstrip("Rr#")
    if not text.isdigit():
        raise UserError(f"{value!r} is not a record id (a number, as shown by 'qes records list')")
    return int(text)


def get_record(project: Project, record_id: str | int) -> RecordDetail:
    rid = parse_record_id(record_id)
    with project.store.read() as session:
        row = record_store.get_record_row(session, project.id, rid)
        if row is None:
            raise NotFound(f"no record {rid} in this project")
        imp = session.get(Import, row.import_id)
        src = session.get(Source, imp.source_id) if imp else None
        file_name = imp.file_name if imp else ""
        source = src.name if src else ""
        fmt = imp.format if imp else ""
        record = record_store.row_to_record(row, file_name=file_name, source=source, fmt=fmt)
        prov = Provenance(
            file=file_name,
            source=source,
            format=fmt,
            import_id=row.import_id,
            line=row.line,
            position=row.position,
            source_record_id=row.source_record_id,
            field_tags=record.field_tags,
            raw=record.raw,
        )
        return RecordDetail(row.id, row.status, record, prov)


def iter_records(project: Project) -> Iterator[Record]:
    with project.store.snapshot() as session:
        yield from record_store.iter_records(session, project.id)


def iter_project_records(project_dir: Path | None = None, *, db: str | None = None) -> Iterator[Record]:
    """Every record of the project at (or above) `project_dir`, streamed."""
    with opened(project_dir, db=db) as project:
        yield from iter_records(project)


def export_records(project: Project, fmt: str, out: TextIO) -> int:
    """Write every record of the project to `out` in `fmt`; returns the count written."""
    if fmt not in WRITER_NAMES:
        raise UserError(f"unknown export format {fmt!r}; choose one of {', '.join(WRITER_NAMES)}")
    count = 0

    def counted() -> Iterator[Record]:
        nonlocal count
        for rec in iter_records(project):
            count += 1
            yield rec

    write_records(counted(), fmt, out)
    return count
