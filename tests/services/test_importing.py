"""Importing into a project: one transaction per file, hash check, warnings, provenance, export."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from qes.errors import Conflict, InputFileError, UserError
from qes.services.import_rows import CHUNK_CHARS
from qes.services.importing import import_file, import_reports
from qes.services.project import Project, init_project, open_project
from qes.services.records import export_records, get_record, list_records
from qes.services.status import project_status
from qes.store.events import list_events
from qes.store.projects import list_imports
from support import FIXTURES

SMALL = FIXTURES / "import" / "small.ris"


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    p = init_project(tmp_path / "review", database=db_url, actor="tester@example.org")
    yield p
    p.close()


def test_import_counts_records_and_logs_the_event(project: Project) -> None:
    result = import_file(project, SMALL, source="PsycINFO (Ovid)", searched="2015-02-10")
    assert result.imported == 3 and result.format == "ris"
    status = project_status(project)
    assert status.records == 3
    assert status.sources == [
        {
            "source": "PsycINFO (Ovid)",
            "searched": "2015-02-10",
            "hits_reported": None,
            "files": 1,
            "records": 3,
            "duplicates_removed": 0,
        }
    ]
    with project.store.read() as session:
        actions = [e.action for e in list_events(session, project.id)]
    assert actions == ["project.create", "source.create", "import.file"]


def test_record_keeps_provenance_and_normalised_fields(project: Project) -> None:
    import_file(project, SMALL, source="PsycINFO (Ovid)")
    listed = list_records(project, query="reciprocity")
    assert listed.total == 1
    detail = get_record(project, listed.records[0].id)
    rec = detail.record
    assert rec.doi == "10.1111/inm.12160"  # URL prefix and case normalised
    assert [(a.family, a.given) for a in rec.authors][:2] == [("Sandhu", "Sima"), ("Arcidiacono", "Eleonora")]
    assert (rec.page_start, rec.page_end) == ("460", "470")
    assert detail.provenance.file == "small.ris" and detail.provenance.source == "PsycINFO (Ovid)"
    assert detail.provenance.source_record_id == "101"
    assert "DO" in detail.provenance.field_tags["doi"]
    assert ("DO", "https://doi.org/10.1111/INM.12160") in detail.provenance.raw


def test_abbreviated_page_range_expanded(project: Project) -> None:
    import_file(project, SMALL, source="X")
    rec = get_record(project, list_records(project, query="Beeber").records[0].id).record
    assert (rec.page_start, rec.page_end) == ("157", "164")


def test_same_file_twice_is_refused_unless_again(project: Project) -> None:
    import_file(project, SMALL, source="PsycINFO (Ovid)")
    with pytest.raises(Conflict, match="already imported"):
        import_file(project, SMALL, source="PsycINFO (Ovid)")
    assert project_status(project).records == 3
    again = import_file(project, SMALL, source="PsycINFO (Ovid)", again=True)
    assert again.imported == 3 and project_status(project).records == 6


def test_stored_hash_and_size_are_the_files_whether_hashed_first_or_while_reading(project: Project, tmp_path: Path) -> None:
    # The first file of its size is hashed while it is read; a file of a size seen before is
    # hashed before reading (it may be a repeat). Both keep the file's own sha256 and size.
    same_size = tmp_path / "same_size.ris"
    same_size.write_bytes(SMALL.read_bytes().replace(b"Beeber", b"Xeeber"))
    assert same_size.stat().st_size == SMALL.stat().st_size
    first = import_file(project, SMALL, source="PsycINFO (Ovid)")
    second = import_file(project, same_size, source="PsycINFO (Ovid)")  # same size, other contents: no refusal
    assert first.sha256 == hashlib.sha256(SMALL.read_bytes()).hexdigest()
    assert second.sha256 == hashlib.sha256(same_size.read_bytes()).hexdigest() != first.sha256
    reports = {r.import_id: r for r in import_reports(project)}
    assert set(reports) == {first.import_id, second.import_id}
    with project.store.read() as session:
        stored = {imp.id: (imp.sha256, imp.size_bytes) for imp, _ in list_imports(session, project.id)}
    assert stored == {
        first.import_id: (first.sha256, SMALL.stat().st_size),
        second.import_id: (second.sha256, same_size.stat().st_size),
    }
    with pytest.raises(Conflict, match="already imported"):
        import_file(project, same_size, source="PsycINFO (Ovid)")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.ris", r"truncated\.ris:\d+"),
        ("empty.ris", "empty"),
        ("binary.ris", "binary"),
        ("unknown_layout.csv", "unknown_layout.csv"),
    ],
)
def test_bad_file_imports_nothing(project: Project, name: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        import_file(project, FIXTURES / "import" / name, source="PsycINFO (Ovid)")
    status = project_status(project)
    assert status.records == 0 and status.sources == []
    assert import_reports(project) == []


def test_bad_arguments_are_user_errors(project: Project, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        import_file(project, tmp_path / "missing.ris", source="X")
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        import_file(project, SMALL, source="X", searched="10/02/2015")
    with pytest.raises(UserError, match="--source"):
        import_file(project, SMALL, source=" ")


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csv", "asreview"])
def test_export_reimports_to_the_same_count(project: Project, tmp_path: Path, fmt: str) -> None:
    import_file(project, SMALL, source="PsycINFO (Ovid)")
    out = tmp_path / f"export.{fmt}"
    with out.open("w", encoding="utf-8", newline="") as fh:
        assert export_records(project, fmt, fh) == 3
    other = init_project(tmp_path / "other", actor="t")
    try:
        assert import_file(other, out, source="re-import").imported == 3
        titles = sorted(r.title for r in list_records(other).records)
        assert titles == sorted(r.title for r in list_records(project).records)
    finally:
        other.close()


def test_open_project_finds_the_folder_upwards(project: Project) -> None:
    sub = project.root / "files" / "deeper"
    sub.mkdir(parents=True)
    again = open_project(sub)
    try:
        assert again.id == project.id and again.root == project.root
    finally:
        again.close()


def test_unknown_export_format(project: Project) -> None:
    with pytest.raises(UserError, match="unknown export format"):
        export_records(project, "docx", io.StringIO())


def _large_ris(path: Path, records: int, *, bad_at: int | None = None) -> Path:
    """The small fixture's records repeated into a file of over 2 MB (several worker chunks).

    Every 7th record lacks its ER line (a warning); `bad_at` puts a tagged line outside any record.
    """
    base = [r.replace("ER  - ", "").strip() for r in SMALL.read_text(encoding="utf-8").strip().split("\n\n")]
    parts = []
    for i in range(records):
        text = base[i % len(base)].replace("ID  - ", f"ID  - big{i}-") + f"\nN1  - {'padding ' * 250}"
        parts.append(("AU  - Orphan, A\n" if i == bad_at else "") + text + ("" if i % 7 == 3 else "\nER  - "))
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def _stored_rows(project: Project, import_id: int) -> list[dict[str, object]]:
    from sqlalchemy import select

    from qes.store.schema import RecordRow

    skip = {"id", "import_id"}
    columns = [c for c in RecordRow.__table__.columns if c.name not in skip]
    with project.store.read() as session:
        stmt = select(*columns).where(RecordRow.import_id == import_id).order_by(RecordRow.position)
        return [dict(row._mapping) for row in session.execute(stmt)]


def test_worker_processes_import_exactly_what_one_process_imports(project: Project, tmp_path: Path) -> None:
    big = _large_ris(tmp_path / "big.ris", 1200)
    assert big.stat().st_size > 2 * CHUNK_CHARS
    here = import_file(project, big, source="PsycINFO (Ovid)", workers=0)
    apart = import_file(project, big, source="PsycINFO (Ovid)", workers=2, again=True)
    assert here.imported == apart.imported == 1200
    assert here.warnings == apart.warnings and len(here.warnings) > 100  # the records without ER
    rows = _stored_rows(project, apart.import_id)
    assert rows == _stored_rows(project, here.import_id)
    assert [r["position"] for r in rows] == list(range(1, 1201))
    assert rows[-1]["source_record_id"].startswith("big1199-") and ["ID", rows[-1]["source_record_id"]] in rows[-1]["raw"]


def test_bad_record_read_by_a_worker_names_file_and_line_and_imports_nothing(project: Project, tmp_path: Path) -> None:
    big = _large_ris(tmp_path / "late-error.ris", 1200, bad_at=1100)
    with pytest.raises(InputFileError, match=r"^late-error\.ris:(\d+): record has no TY tag$") as failed:
        import_file(project, big, source="PsycINFO (Ovid)", workers=2)
    with big.open(encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    assert lines[failed.value.line - 1] == "AU  - Orphan, A"
    status = project_status(project)
    assert status.records == 0 and status.sources == [] and import_reports(project) == []
