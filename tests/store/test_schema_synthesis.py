"""Migration 0006 on SQLite and PostgreSQL: it builds exactly the issue 7 tables of the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from qes.services.project import init_project, open_project
from qes.store import Store
from qes.store import projects as project_store
from qes.store.schema import Base
from qes.store.schema_synthesis import Form, FormEntry, FormFinal, Study, StudyReport

ISSUE7_TABLES = {
    "studies",
    "study_reports",
    "forms",
    "form_entries",
    "form_finals",
    "documents",
    "codes",
    "segments",
    "segment_codes",
    "memos",
    "grid_cells",
    "syntheses",
    "findings",
}


@pytest.fixture
def store(db_url: str) -> Store:
    s = Store(db_url)
    s.upgrade()
    yield s
    s.dispose()


def test_migrations_build_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= ISSUE7_TABLES
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_fresh_project_opens_with_the_synthesis_tables(db_url: str, tmp_path: Path) -> None:
    project = init_project(tmp_path / "review", database=db_url, actor="owner@example.org")
    project.close()
    again = open_project(tmp_path / "review")
    try:
        with again.store.transaction() as session:
            study = Study(project_id=again.id, label="Beeber and Caldwell (1996)", position=1)
            form = Form(project_id=again.id, name="table1", fields=[{"key": "country", "type": "country"}])
            session.add_all([study, form])
            session.flush()
            session.add(
                FormEntry(project_id=again.id, form_id=form.id, study_id=study.id, person="a@x.org", values={"country": "USA"})
            )
            session.add(FormFinal(project_id=again.id, form_id=form.id, study_id=study.id, values={"country": "United States"}))
        with again.store.read() as session:
            entry = session.scalar(select(FormEntry))
            assert entry is not None and entry.values == {"country": "USA"} and entry.status == "draft"
    finally:
        again.close()


def test_a_study_label_is_unique_within_a_project(store: Store) -> None:
    with store.transaction() as session:
        pid = project_store.create_project(session, slug="p", name="P").id
        session.add(Study(project_id=pid, label="Goodman et al. (2014)"))
    with pytest.raises(IntegrityError), store.transaction() as session:
        session.add(Study(project_id=pid, label="Goodman et al. (2014)"))
    with store.read() as session:
        assert len(session.scalars(select(Study)).all()) == 1
        assert session.scalars(select(StudyReport)).all() == []
