"""Importing earlier decisions (qes CSV, ASReview, Rayyan) on SQLite and PostgreSQL, and review 000's
screening replayed in numbers through the same path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qes.demo.review000 import build_review000
from qes.errors import InputFileError
from qes.services import screening
from qes.services.agreement import agreement
from qes.services.importing import import_file
from qes.services.prisma import prisma_counts
from qes.services.project import Project, init_project, opened
from qes.services.protocol import add_criterion, add_stage
from qes.services.screening_import import import_decisions
from qes.services.screening_stages import stage_progress
from qes.services.users import add_member
from support import FIXTURES

TEN = FIXTURES / "screening" / "ten_records.ris"


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = init_project(tmp_path / "review", database=db_url, actor="owner@x.org")
    import_file(p, TEN, source="PsycINFO (Ovid)")
    add_member(p, "alice@x.org", role="reviewer", name="Alice")
    add_member(p, "bob@x.org", role="reviewer", name="Bob")
    add_member(p, "sam@x.org", role="adjudicator", name="Sam")
    add_criterion(p, "E1", "Not about reciprocity", inclusion=False)
    add_criterion(p, "E2", "Wrong population", inclusion=False)
    add_stage(p, "ta", kind="title-abstract", reviewers=2)
    add_stage(p, "ft", kind="fulltext", reviewers=2)
    yield p
    p.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PLAIN = """record_id,stage,reviewer,decision,reasons,note
S01,ta,Alice,include,,
S01,ta,bob@x.org,include,,
S02,ta,Alice,exclude,E1,
S02,ta,Bob,exclude,wrong population;E1,peer support
S03,ta,Alice,include,,
S03,ta,Bob,exclude,E2,
S03,ta,Sam,include,,kept after discussion
S01,ft,Alice,exclude,E2,
S01,ft,Bob,exclude,E2,
S03,ft,Alice,include,,
S03,ft,Bob,include,,
"""


def test_plain_decisions_resolve_stage_by_stage_with_adjudication(project: Project, tmp_path: Path) -> None:
    summary = import_decisions(project, write(tmp_path, "d.csv", PLAIN))
    assert summary["layout"] == "plain" and summary["votes_added"] == 10 and summary["adjudicated"] == 1
    assert summary["resolved"]["ta"] == {"include": 2, "exclude": 1, "maybe": 0}
    assert summary["resolved"]["ft"] == {"include": 1, "exclude": 1, "maybe": 0}
    counts = prisma_counts(project)
    assert counts["records_excluded"] == 1 and counts["dbr_sought_reports"] == 2
    assert counts["dbr_excluded"] == [{"reason": "Wrong population", "n": 1}] and counts["new_studies"] == 1
    # the same file again changes nothing
    again = import_decisions(project, write(tmp_path, "d.csv", PLAIN))
    assert again["votes_added"] == 0 and again["unchanged"] == 11


def test_any_bad_row_stops_the_import_and_nothing_is_written(project: Project, tmp_path: Path) -> None:
    bad = PLAIN + "S99,ta,Alice,include,,\nS04,ta,Zed,include,,\nS05,ta,Alice,exclude,E7,\nS01,nope,Alice,include,,\n"
    with pytest.raises(InputFileError) as caught:
        import_decisions(project, write(tmp_path, "bad.csv", bad))
    message = str(caught.value)
    for line, why in ((13, "no record 'S99'"), (14, "reviewer 'Zed'"), (15, "unknown criterion"), (16, "no stage 'nope'")):
        assert f"bad.csv:{line}: " in message and why in message
    assert "nothing was imported" in message
    assert all(s["resolved"] == 0 for s in stage_progress(project)) and agreement(project, "ta")["records"] == 0


def test_a_record_excluded_earlier_in_the_file_is_refused_at_the_next_stage(project: Project, tmp_path: Path) -> None:
    text = "record_id,stage,reviewer,decision,reasons,note\nS02,ta,Alice,exclude,E1,\nS02,ta,Bob,exclude,E1,\n"
    text += "S02,ft,Alice,include,,\n"
    with pytest.raises(InputFileError, match=r"d\.csv:4: record \d+ is not at stage 'ft'"):
        import_decisions(project, write(tmp_path, "d.csv", text))


def test_asreview_export_needs_stage_and_reviewer_and_skips_unlabelled(project: Project, tmp_path: Path) -> None:
    text = "record_id,title,included\nS01,x,1\nS02,y,0\nS03,z,\n"
    summary = import_decisions(project, write(tmp_path, "asreview.csv", text), stage="ta", reviewer="alice@x.org")
    assert summary["layout"] == "asreview" and summary["votes_added"] == 2 and summary["skipped_unlabelled"] == 1
    item = screening.record_item(project, "ta", 2, "alice@x.org")
    assert item.mine is not None and item.mine.decision == "exclude"
    assert screening.record_item(project, "ta", 2, "bob@x.org").votes == []  # imported votes are blind too


def test_rayyan_export_gives_one_vote_per_reviewer_with_reasons_by_text(project: Project, tmp_path: Path) -> None:
    text = (
        "key,title,authors,url,notes\n"
        'S01,"Reciprocity in nurse-patient relationships",,,'
        '"RAYYAN-INCLUSION: {""Alice""=>""Included"", ""Bob""=>""Excluded""} | '
        'RAYYAN-EXCLUSION-REASONS: wrong population"\n'
    )
    summary = import_decisions(project, write(tmp_path, "articles.csv", text), stage="ta")
    assert summary["layout"] == "rayyan" and summary["votes_added"] == 2
    (conflict,) = screening.conflicts(project, "sam@x.org")
    assert {(v.reviewer, v.decision, tuple(v.reasons)) for v in conflict.votes} == {
        ("alice@x.org", "include", ()),
        ("bob@x.org", "exclude", ("E2",)),
    }


def test_review_000_screening_replayed_through_import_decisions_gives_its_prisma_counts(tmp_path: Path) -> None:
    demo = build_review000(tmp_path / "r000")
    with opened(demo.root) as p:
        counts = prisma_counts(p)
        stages = {s["stage"]: s for s in stage_progress(p)}
        fulltext_agreement = agreement(p, "fulltext")
    assert counts["records_screened"] == 5188 and counts["duplicates"] == 0
    assert counts["stages"]["titles"]["exclude"] == 4729 and counts["stages"]["abstracts"]["exclude"] == 438
    assert counts["records_excluded"] == 4729 + 438
    assert counts["dbr_sought_reports"] == 21 and counts["dbr_notretrieved_reports"] == 0 and counts["dbr_assessed"] == 21
    assert counts["dbr_excluded"] == [
        {"reason": "Not about reciprocity in a dyadic professional–service-user relationship", "n": 10}
    ]
    assert counts["new_studies"] == 11 and counts["new_reports"] == 11
    assert all(s["conflicts"] == 0 and s["unresolved"] == 0 for s in stages.values())
    assert fulltext_agreement["records"] == 21 and fulltext_agreement["pairs"][0]["agreed"] == 19  # 2 settled by SP
