"""The store on SQLite and on a real PostgreSQL server: migrations, transactions, the event log."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from pgserver import PostgresServer
from qes.records.model import Author, Origin, Record
from qes.records.storage import record_values
from qes.store import Store
from qes.store import projects as project_store
from qes.store import users as user_store
from qes.store.db import SQLITE_PAGE_SIZE, alembic_config, migration_heads
from qes.store.duplicates import create_group, dissolve_group
from qes.store.events import list_events, log_event
from qes.store.records import (
    insert_records,
    insert_values,
    iter_records,
    record_to_row,
    row_to_record,
    search_records,
)
from qes.store.schema import Event, Import, RecordRow
from qes.store.screening import add_stage, count_stage, stage_size


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


@pytest.mark.postgres
def test_rankings_arrays_are_stored_uncompressed_on_postgresql(postgres_server: PostgresServer) -> None:
    """Migration 0008: the arrays rewritten after every few decisions skip PostgreSQL's compression
    (SQLite stores blobs as they are)."""
    store = Store(postgres_server.new_database())
    store.upgrade()
    with store.read() as session:
        storage = dict(
            session.execute(
                text(
                    "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'rankings'::regclass"
                    " AND attname IN ('record_ids', 'scores')"
                )
            ).all()
        )
    assert storage == {"record_ids": "e", "scores": "e"}


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
    with store.snapshot() as session:  # streamed in batches: one consistent view (PostgreSQL: a server cursor)
        streamed = list(iter_records(session, project_id, batch=7))
    assert [r.source_id for r in streamed] == [f"ID{i}" for i in range(1, 31)]
    assert streamed[0].origin.source == "PsycINFO (Ovid)"


def test_first_stage_size_follows_imports_and_duplicates(store: Store) -> None:
    """The first stage's size is counted once per set of imports, less the duplicates read each time."""
    project_id, import_id = _project_with_import(store)
    with store.transaction() as session:
        insert_records(session, [record_to_row(_record(i), project_id=project_id, import_id=import_id) for i in range(1, 11)])
        stage = add_stage(session, project_id, name="ta", kind="title-abstract", reviewers=1)

    def size() -> tuple[int, ...]:
        with store.read() as session:  # the progress counts read the signature with them
            counted = count_stage(session, project_id, stage, None)["records"]
        with store.transaction() as session:  # a session that writes reads it afresh
            counted_writing = count_stage(session, project_id, stage, None)["records"]
        with store.read() as session:
            exact = session.scalar(
                select(func.count()).where(RecordRow.project_id == project_id, RecordRow.status != "duplicate")
            )
            sized = stage_size(session, project_id, stage, None)
            return sized, counted, counted_writing, count_stage(session, project_id, stage, None)["records"], int(exact or 0)

    assert size() == (10,) * 5
    with store.read() as session:
        ids = list(session.scalars(select(RecordRow.id).where(RecordRow.project_id == project_id).order_by(RecordRow.id)))
    with store.transaction() as session:
        group = create_group(session, project_id, ids[:3], "same-doi", "a@example.org")  # two become duplicates
    assert size() == (8,) * 5
    with store.transaction() as session:
        source_id = session.scalar(select(Import.source_id).where(Import.id == import_id))
        second = Import(project_id=project_id, source_id=source_id, file_name="b.ris", sha256="1" * 64, format="ris")
        session.add(second)
        session.flush()
        insert_records(session, [record_to_row(_record(i), project_id=project_id, import_id=second.id) for i in range(11, 16)])
    assert size() == (13,) * 5
    with store.transaction() as session:
        dissolve_group(session, session.merge(group))
        create_group(session, project_id, ids[5:8], "same-doi", "a@example.org")  # undone while another forms
    assert size() == (13,) * 5


@pytest.mark.postgres
def test_a_pooled_connection_dropped_while_idle_is_replaced(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL restart (or a proxy's idle timeout) drops pooled connections: the first use after
    an idle spell pings, and a dead connection is replaced instead of failing the request."""
    import qes.store.db as db

    store = Store(postgres_server.new_database())
    store.upgrade()
    with store.read() as session:
        pid = session.scalar(text("SELECT pg_backend_pid()"))
    other = Store(store.url)  # its own pool: the kill comes from outside the pooled connection
    with other.read() as session:
        assert session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()
    monkeypatch.setattr(db, "_PING_AFTER_IDLE", 0.0)
    with store.read() as session:
        assert session.scalar(text("SELECT pg_backend_pid()")) != pid
    store.dispose()


def test_read_sessions_refuse_writes(store: Store) -> None:
    """A read session never writes (on PostgreSQL it runs in autocommit, where a write would stay)."""
    project_id, _import_id = _project_with_import(store)
    for opened in (store.read, store.snapshot):
        with pytest.raises(RuntimeError, match="read-only"), opened() as session:
            session.add(Event(project_id=project_id, actor="a@example.org", action="x", entity="project", entity_id=1))
            session.flush()
        with pytest.raises(RuntimeError, match="read-only"), opened() as session:
            session.execute(update(RecordRow).where(RecordRow.project_id == project_id).values(status="excluded"))
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.action == "x")) == 0
        assert session.scalar(select(func.count()).select_from(RecordRow).where(RecordRow.status == "excluded")) == 0


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
