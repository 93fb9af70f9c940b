"""The store on SQLite and on a real PostgreSQL server: migrations, transactions, the event log."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from qes.records.model import Author, Origin, Record
from qes.records.storage import record_values
from qes.store import Store
from qes.store import projects as project_store
from qes.store import users as user_store
from qes.store.db import SQLITE_PAGE_SIZE, alembic_config, migration_heads
from qes.store.events import list_events, log_event
from qes.store.records import (
    insert_records,
    insert_values,
    iter_records,
    record_to_row,
    row_to_record,
    search_records,
)
from qes.store.schema import Import, RecordRow


@pytest.fixture
def store(db_url: str) -> Store:
    s = Store(db_url)
    s.upgrade()
    yield s
    s.dispose()


def _project_with_import(store: Store) -> tuple[int, int]:
    with store.transaction() as session:
        project = project_store.create_project(session, slug="p", name="P")
        source, created = project_store.get_or_create_source(session, project.id, "PsycINFO (Ovid)")
        assert created
        imp = Import(project_id=project.id, source_id=source.id, file_name="a.ris", sha256="0" * 64, format="ris")
        session.add(imp)
        session.flush()
        return project.id, imp.id


def _record(i: int) -> Record:
    rec = Record(
        title=f"Reciprocity in therapeutic relationships {i}",
        abstract="Giving and taking — ünïcode ✓",
        authors=[Author("Sandhu", "S."), Author("Priebe", "S.")],
        year=2015,
        journal="International Journal of Mental Health Nursing",
        volume="24",
        issue="5",
        page_start="460",
        page_end="470",
        doi=f"10.1111/inm.{i}",
        keywords=["reciprocity", "mental health"],
        headings=["Professional-Patient Relations"],
        source_id=f"ID{i}",
        origin=Origin(file_name="a.ris", source="PsycINFO (Ovid)", format="ris", line=10 * i, position=i),
        raw=[("TY", "JOUR"), ("TI", f"Reciprocity in therapeutic relationships {i}")],
    )
    rec.note_tag("title", "TI")
    return rec


def test_migrations_are_idempotent_and_current(store: Store) -> None:
    store.upgrade()
    assert store.is_current()


def test_heads_read_from_the_migration_scripts_are_alembics() -> None:
    # `upgrade` skips Alembic when the database is at these heads: they must be Alembic's own.
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert migration_heads() == set(script.get_heads())


def test_a_new_sqlite_database_has_large_pages(tmp_path: Path) -> None:
    # A records row is several KB: 32 KB pages keep it out of overflow chains (import speed).
    store = Store(str(tmp_path / "new.sqlite3"))
    try:
        store.upgrade()
        with store.read() as session:
            assert session.execute(text("PRAGMA page_size")).scalar_one() == SQLITE_PAGE_SIZE == 32768
    finally:
        store.dispose()


def test_record_round_trips_through_a_row(store: Store) -> None:
    project_id, import_id = _project_with_import(store)
    original = _record(1)
    with store.transaction() as session:
        insert_records(session, [record_to_row(original, project_id=project_id, import_id=import_id)])
    with store.read() as session:
        row = session.scalar(select(RecordRow))
        back = row_to_record(row, file_name="a.ris", source="PsycINFO (Ovid)", fmt="ris")
    assert back.canonical() == original.canonical()
    assert back.raw == original.raw
    assert back.field_tags == {"title": ["TI"]}
    assert back.origin == original.origin


def test_import_rows_store_what_the_orm_row_stores(store: Store) -> None:
    """`record_values` + `insert_values` (the import's driver-level path) = `record_to_row` + the ORM."""
    project_id, import_id = _project_with_import(store)
    odd = _record(2)
    odd.authors = [Author("WHO Collaborating Group", corporate=True), Author("Tōkyō", "Ā.", literal="Tōkyō Ā.")]
    odd.year, odd.urls, odd.accession_numbers = None, ['https://x.org/a?b=1&c="2"'], ["AN 1"]
    odd.raw = [("TY", "JOUR"), ("N1", 'quote " backslash \\ tab\t newline\n \u2028 emoji \U0001f600')]
    with store.transaction() as session:
        insert_records(session, [record_to_row(r, project_id=project_id, import_id=import_id) for r in (_record(1), odd)])
        insert_values(session, [record_values(r, project_id=project_id, import_id=import_id) for r in (_record(1), odd)])
    columns = [c for c in RecordRow.__table__.columns if c.name != "id"]
    with store.read() as session:
        rows = [tuple(r) for r in session.execute(select(*columns).order_by(RecordRow.id))]
        back = [row_to_record(r) for r in session.scalars(select(RecordRow).order_by(RecordRow.id))]
    assert rows[2:] == rows[:2]
    assert back[3].canonical() == odd.canonical() and back[3].raw == odd.raw and back[3].origin.line == odd.origin.line


def test_failed_transaction_writes_nothing(store: Store) -> None:
    project_id, import_id = _project_with_import(store)
    with pytest.raises(RuntimeError), store.transaction() as session:
        insert_records(session, [record_to_row(_record(i), project_id=project_id, import_id=import_id) for i in range(10)])
        log_event(session, project_id=project_id, actor="t", action="import.file")
        raise RuntimeError("reader failed half-way")
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(RecordRow)) == 0
        assert list_events(session, project_id) == []


def test_event_log_is_append_only(store: Store) -> None:
    with store.transaction() as session:
        log_event(session, project_id=None, actor="alice@example.org", action="user.add", why="first user")
    for statement in ("UPDATE events SET actor = 'mallory'", "DELETE FROM events"):
        with pytest.raises((IntegrityError, DBAPIError)), store.transaction() as session:
            session.execute(text(statement))
    with store.read() as session:
        actors = session.scalars(text("SELECT actor FROM events")).all()
    assert actors == ["alice@example.org"]


def test_search_and_stream_records(store: Store) -> None:
    project_id, import_id = _project_with_import(store)
    with store.transaction() as session:
        insert_records(session, [record_to_row(_record(i), project_id=project_id, import_id=import_id) for i in range(1, 31)])
    with store.read() as session:
        page = search_records(session, project_id, query="therapeutic 17", limit=5)
        assert page.total == 1 and page.rows[0].source_record_id == "ID17"
        assert search_records(session, project_id, query="priebe", limit=5).total == 30
        assert search_records(session, project_id, query="nobody", limit=5).total == 0
        streamed = list(iter_records(session, project_id, batch=7))
    assert [r.source_id for r in streamed] == [f"ID{i}" for i in range(1, 31)]
    assert streamed[0].origin.source == "PsycINFO (Ovid)"


def test_users_and_roles(store: Store) -> None:
    with store.transaction() as session:
        project = project_store.create_project(session, slug="p", name="P")
        user = user_store.add_user(session, "Alice@Example.org", name="Alice")
        user_store.set_membership(session, project.id, user.id, "reviewer")
        user_store.set_membership(session, project.id, user.id, "adjudicator")
    with store.read() as session:
        members = user_store.project_members(session, project.id)
        assert [(u.email, m.role) for u, m in members] == [("alice@example.org", "adjudicator")]
    with pytest.raises(IntegrityError), store.transaction() as session:
        user_store.add_user(session, "alice@example.org")


def test_records_per_source_counts(store: Store) -> None:
    project_id, import_id = _project_with_import(store)
    with store.transaction() as session:
        insert_records(session, [record_to_row(_record(i), project_id=project_id, import_id=import_id) for i in range(4)])
        project_store.get_or_create_source(session, project_id, "CINAHL (EBSCO)")
    with store.read() as session:
        counts = {c.name: (c.files, c.records) for c in project_store.records_per_source(session, project_id)}
    assert counts == {"PsycINFO (Ovid)": (1, 4), "CINAHL (EBSCO)": (0, 0)}
