"""De-duplication in a project, on SQLite and on a real PostgreSQL server: runs, updates, decisions, undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from qes.errors import Conflict, NotFound
from qes.services import dedupe_project as dedupe
from qes.services.importing import import_file
from qes.services.project import Project, init_project
from qes.services.status import project_status
from qes.store.events import list_events
from qes.store.schema import RecordRow
from support import FIXTURES

TWO_DATABASES = FIXTURES / "dedupe" / "two_databases.ris"
UPDATE = """TY  - JOUR
ID  - U1
TI  - Reciprocity in therapeutic relationships: a conceptual review
AU  - Sandhu, S.
AU  - Priebe, S.
PY  - 2015
JO  - Int J Ment Health Nurs
VL  - 24
SP  - 460
DO  - https://doi.org/10.1111/INM.12160
ER  -
"""


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = init_project(tmp_path / "review", database=db_url, actor="tester@example.org")
    import_file(p, TWO_DATABASES, source="Medline")
    yield p
    p.close()


def test_run_groups_duplicates_logs_each_merge_and_counts_per_source(project: Project) -> None:
    summary = dedupe.run_dedupe(project)
    assert summary.groups_created == 2 and summary.duplicates_removed == 2
    assert summary.per_source == {"Medline": 2}
    status = project_status(project).to_json()
    assert status["duplicates_removed"] == 2 and status["unique_records"] == 5
    with project.store.read() as session:
        actions = [e.action for e in list_events(session, project.id, action_prefix="dedupe.")]
    assert actions.count("dedupe.merge") == 2 and actions[-1] == "dedupe.run"
    # a second run changes nothing
    again = dedupe.run_dedupe(project)
    assert again.groups_created == 0 and again.duplicates_removed == 2 and again.maybe_added == 0


def test_group_detail_keeps_every_source_record_and_a_merged_view(project: Project) -> None:
    dedupe.run_dedupe(project)
    group = dedupe.list_groups(project)[-1]
    detail = dedupe.group_detail(project, group["group"])
    assert len(detail["members"]) == 2
    assert {m["source_record_id"] for m in detail["members"]} == {"M1", "E1"}
    assert detail["merged"]["doi"] == "10.1111/inm.12160"
    assert detail["merged"]["journal"] == "International Journal of Mental Health Nursing"


def test_undo_splits_the_group_and_a_later_run_does_not_merge_it_again(project: Project) -> None:
    dedupe.run_dedupe(project)
    group_id = dedupe.list_groups(project)[0]["group"]
    result = dedupe.undo_group(project, group_id, why="two different papers")
    assert result["status"] == "undone" and len(result["records"]) == 2
    assert project_status(project).to_json()["duplicates_removed"] == 1
    assert dedupe.run_dedupe(project).duplicates_removed == 1
    with pytest.raises(Conflict):
        dedupe.undo_group(project, group_id)
    with pytest.raises(NotFound):
        dedupe.undo_group(project, 12345)
    with project.store.read() as session:
        unmerge = [e for e in list_events(session, project.id, action_prefix="dedupe.unmerge")]
    assert unmerge[0].why == "two different papers" and unmerge[0].data["records"] == result["records"]


def test_review_queue_decisions(project: Project) -> None:
    dedupe.run_dedupe(project)
    queue = dedupe.review_queue(project)
    assert queue, "the near-duplicate without journal and with another year waits for a person"
    first = queue[0]
    assert len(first["records"]) == 2 and "year" in first["differs"]
    decided = dedupe.decide_pair(project, first["pair"], "same")
    assert decided["group"] is not None
    assert all(item["pair"] != first["pair"] for item in dedupe.review_queue(project))
    assert project_status(project).to_json()["duplicates_removed"] == 3
    with pytest.raises(NotFound):
        dedupe.decide_pair(project, 99999, "different")
    with pytest.raises(Conflict):
        dedupe.decide_pair(project, first["pair"], "different")  # decided already: a second call changes nothing


def test_a_search_update_is_deduplicated_against_screened_records(project: Project, tmp_path: Path) -> None:
    dedupe.run_dedupe(project)
    with project.store.transaction() as session:  # screening is a later stage: mark the record as screened
        session.execute(update(RecordRow).where(RecordRow.source_record_id == "M1").values(status="included"))
    update_file = tmp_path / "update.ris"
    update_file.write_text(UPDATE, encoding="utf-8")
    import_file(project, update_file, source="Medline update")
    summary = dedupe.run_dedupe(project)
    assert summary.groups_extended == 1 and summary.groups_created == 0
    assert len(summary.linked_to_screened) == 1
    link = summary.linked_to_screened[0]
    assert link["primary_status"] == "included"
    with project.store.read() as session:
        linked = session.get(RecordRow, link["record"])
        assert linked is not None and linked.status == "duplicate"
        events = list_events(session, project.id, action_prefix="dedupe.link-screened")
    assert len(events) == 1
