"""Records in the database: Record ↔ row conversion, bulk insert, queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, func, insert, or_, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, load_only

from qes.records.model import LIST_FIELDS, SCALAR_FIELDS, Author, Origin, Record
from qes.records.storage import IMPORT_COLUMNS
from qes.store.schema import FullText, Import, RecordRow, Source

_TABLE = RecordRow.__table__


def record_to_row(record: Record, *, project_id: int, import_id: int) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(record, name) for name in SCALAR_FIELDS}
    for name in LIST_FIELDS:
        row[name] = list(getattr(record, name))
    row.update(
        project_id=project_id,
        import_id=import_id,
        position=record.origin.position,
        line=record.origin.line,
        source_record_id=record.source_id[:200],
        status="imported",
        authors=[a.to_json() for a in record.authors],
        database=record.database[:200],
        field_tags=record.field_tags,
        raw=record.raw,  # (tag, value) tuples serialise as JSON arrays
    )
    return row


def _insert_sql(dialect: Dialect) -> str:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return f"INSERT INTO records ({', '.join(IMPORT_COLUMNS)}) VALUES ({', '.join([mark] * len(IMPORT_COLUMNS))})"


def insert_values(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """Bulk insert of `record_values` tuples: one driver-level executemany in the caller's transaction.

    The ORM's bulk insert would turn each row into bound parameters one value at a time (JSON
    columns through the serializer); these rows are parameters already. JSON goes as text: SQLite
    stores JSON as text, and PostgreSQL casts the untyped text parameter psycopg sends to json.
    """
    if rows:
        conn = session.connection()
        conn.exec_driver_sql(_insert_sql(conn.dialect), list(rows))


def row_to_record(row: RecordRow, *, file_name: str = "", source: str = "", fmt: str = "") -> Record:
    rec = Record(
        authors=[Author.from_json(a) for a in row.authors or []],
        source_id=row.source_record_id,
        database=row.database,
        origin=Origin(file_name=file_name, source=source, format=fmt, line=row.line, position=row.position),
        field_tags={k: list(v) for k, v in (row.field_tags or {}).items()},
        raw=[(str(t), str(v)) for t, v in (row.raw or [])],
    )
    for name in SCALAR_FIELDS:
        setattr(rec, name, getattr(row, name))
    for name in LIST_FIELDS:
        setattr(rec, name, list(getattr(row, name) or []))
    return rec


def insert_records(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert (one executemany), inside the caller's transaction."""
    if rows:
        session.execute(insert(RecordRow), list(rows))


def count_records(session: Session, project_id: int) -> int:
    return session.scalar(select(func.count()).select_from(_TABLE).where(_TABLE.c.project_id == project_id)) or 0


@dataclass(frozen=True)
class RecordPage:
    total: int
    rows: list[RecordRow]


def search_records(
    session: Session,
    project_id: int,
    *,
    query: str = "",
    source_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RecordPage:
    """Records of a project, newest import last; `query` matches title, authors, DOI, id or year.

    Words of the query must all occur (case-insensitive substring match per word).
    """
    stmt = select(RecordRow).where(RecordRow.project_id == project_id)
    if source_id is not None:
        stmt = stmt.join(Import, Import.id == RecordRow.import_id).where(Import.source_id == source_id)
    for word in query.split():
        like = f"%{word.lower()}%"
        conds = [
            func.lower(RecordRow.title).like(like),
            func.lower(RecordRow.doi).like(like),
            RecordRow.source_record_id == word,
            func.lower(RecordRow.journal).like(like),
        ]
        if word.isdigit():
            conds += [RecordRow.id == int(word), RecordRow.year == int(word), RecordRow.pmid == word]
        # Authors are JSON; casting to text keeps this portable across SQLite and PostgreSQL.
        conds.append(func.lower(cast(RecordRow.authors, String)).like(like))
        stmt = stmt.where(or_(*conds))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(RecordRow.id).limit(limit).offset(offset)))
    return RecordPage(total=total, rows=rows)


# What a screener sees of a record. Most of a records row is its raw (tag, value) pairs and their
# provenance, which screening never shows: reading and decoding them doubled the row's cost.
SHOWN_COLUMNS = (
    RecordRow.status,
    RecordRow.title,
    RecordRow.abstract,
    RecordRow.authors,
    RecordRow.year,
    RecordRow.journal,
    RecordRow.keywords,
    RecordRow.doi,
)


def get_record_row(
    session: Session, project_id: int, record_id: int, *, columns: Sequence[Any] | None = None
) -> RecordRow | None:
    """The project's record; with `columns`, only those are read now (any other on first use)."""
    options = [load_only(RecordRow.project_id, *columns)] if columns is not None else []
    row = session.get(RecordRow, record_id, options=options)
    return row if row is not None and row.project_id == project_id else None


def get_shown_record(session: Session, project_id: int, record_id: int) -> tuple[RecordRow, FullText | None] | None:
    """The project's record as screening shows it (`SHOWN_COLUMNS`), with its full text's row if any: one query."""
    stmt = (
        select(RecordRow, FullText)
        .options(load_only(RecordRow.project_id, *SHOWN_COLUMNS))
        .outerjoin(FullText, and_(FullText.project_id == RecordRow.project_id, FullText.record_id == RecordRow.id))
        .where(RecordRow.id == record_id, RecordRow.project_id == project_id)
    )
    found = session.execute(stmt).one_or_none()
    return None if found is None else (found[0], found[1])


def find_by_source_record_id(session: Session, project_id: int, source_record_id: str) -> list[RecordRow]:
    stmt = select(RecordRow).where(RecordRow.project_id == project_id, RecordRow.source_record_id == source_record_id)
    return list(session.scalars(stmt))


def iter_records(
    session: Session, project_id: int, *, import_ids: Iterable[int] | None = None, batch: int = 2000
) -> Iterator[Record]:
    """Every record of the project as canonical `Record`s, streamed in id order."""
    sources = {
        imp.id: (imp.file_name, src.name, imp.format)
        for imp, src in session.execute(
            select(Import, Source).join(Source, Source.id == Import.source_id).where(Import.project_id == project_id)
        )
    }
    stmt = select(RecordRow).where(RecordRow.project_id == project_id).order_by(RecordRow.id)
    if import_ids is not None:
        stmt = stmt.where(RecordRow.import_id.in_(list(import_ids)))
    for row in session.scalars(stmt.execution_options(yield_per=batch)):
        file_name, source, fmt = sources.get(row.import_id, ("", "", ""))
        yield row_to_record(row, file_name=file_name, source=source, fmt=fmt)
