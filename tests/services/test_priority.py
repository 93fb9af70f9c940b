"""Prioritised screening on SQLite and a real PostgreSQL server: the ranking serves likely includes
first, learns blind, refreshes in the background; stopping is refused until the rule allows it, and
a stop is recorded and counted in PRISMA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from qes.errors import Conflict, PermissionDenied
from qes.services import jobs, priority, screening, stopping
from qes.services.importing import import_file
from qes.services.jobs import JobRunner
from qes.services.prisma import prisma_counts
from qes.services.project import Project, init_project
from qes.services.protocol import add_criterion, add_stage
from qes.services.users import add_member
from qes.store import priority as priority_store
from qes.store.schema import RecordRow

OWNER, A, B = "owner@x.org", "a@x.org", "b@x.org"
TOPICS = {
    "recip": (
        "Reciprocity in the therapeutic relationship",
        "mutual help, giving and receiving between service users and mental health nurses",
    ),
    "bone": (
        "Fracture fixation outcomes in orthopaedic surgery",
        "plates, screws and tibial fracture healing after surgery in adults",
    ),
}


def write_ris(path: Path, n_per_topic: int) -> None:
    lines = []
    for topic, (title, abstract) in TOPICS.items():
        for i in range(n_per_topic):
            lines += [
                "TY  - JOUR",
                f"TI  - {title} {topic}{i}",
                f"AB  - {abstract} study {i}",
                f"PY  - {2000 + i}",
                "ER  - ",
                "",
            ]
    path.write_text("\n".join(lines), encoding="utf-8")


def make_project(tmp_path: Path, db_url: str, reviewers: int) -> Project:
    ris = tmp_path / "two_topics.ris"
    write_ris(ris, 15)
    p = init_project(tmp_path / "review", database=db_url, actor=OWNER)
    import_file(p, ris, source="MEDLINE (Ovid)")
    add_member(p, OWNER, role="owner")
    add_member(p, A, role="reviewer")
    add_member(p, B, role="reviewer")
    add_criterion(p, "E1", "Not about reciprocity", inclusion=False)
    add_stage(p, "ta" if reviewers == 2 else "solo", kind="title-abstract", reviewers=reviewers)
    return p


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = make_project(tmp_path, db_url, 2)
    yield p
    p.close()


@pytest.fixture
def solo(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = make_project(tmp_path, db_url, 1)
    yield p
    p.close()


def ids_by_topic(p: Project) -> dict[str, list[int]]:
    with p.store.read() as session:
        rows = session.execute(
            select(RecordRow.id, RecordRow.title).where(RecordRow.project_id == p.id).order_by(RecordRow.id)
        ).all()
    return {t: [rid for rid, title in rows if f" {t}" in title] for t in TOPICS}


def both(p: Project, stage: str, rid: int, decision: str) -> None:
    reasons = [] if decision == "include" else ["E1"]
    screening.decide(p, stage, rid, A, decision, reasons)
    screening.decide(p, stage, rid, B, decision, reasons)


def test_ranking_serves_records_like_the_included_ones_first(project: Project) -> None:
    topics = ids_by_topic(project)
    # Id order would serve the reciprocity records first; exclude them to show the ranking overrides it.
    both(project, "ta", topics["bone"][0], "include")
    both(project, "ta", topics["recip"][0], "exclude")
    assert screening.next_item(project, "ta", A).record_id == topics["recip"][1]  # type: ignore[union-attr]  # no ranking yet
    info = priority.refresh_ranking(project, "ta", A)
    assert info is not None and (info.labelled, info.included, info.records) == (2, 1, 30)
    served = []
    for _ in range(5):
        item = screening.next_item(project, "ta", A)
        assert item is not None
        served.append(item.record_id)
        screening.decide(project, "ta", item.record_id, A, "include")
    assert set(served) <= set(topics["bone"])
    top = priority.top_records(project, "ta", A, 3)
    assert all(r["record_id"] in topics["bone"] for r in top) and top[0]["score"] >= top[-1]["score"]


def test_a_reviewers_ranking_never_learns_from_another_reviewers_unresolved_vote(project: Project) -> None:
    topics = ids_by_topic(project)
    both(project, "ta", topics["recip"][0], "include")
    both(project, "ta", topics["bone"][0], "exclude")
    priority.refresh_ranking(project, "ta", A)
    with project.store.read() as session:
        before = priority_store.ranking_order(priority_store.load_ranking(session, 1, A) or _missing()).tolist()
    # B alone (unresolved) includes bone records: A's ranking must not move.
    for rid in topics["bone"][1:6]:
        screening.decide(project, "ta", rid, B, "include")
    priority.refresh_ranking(project, "ta", A)
    with project.store.read() as session:
        stage_id = _stage_id(project, "ta")
        labels = priority_store.training_labels(session, stage_id, A)
        after = priority_store.ranking_order(priority_store.load_ranking(session, stage_id, A) or _missing()).tolist()
        b_labels = priority_store.training_labels(session, stage_id, B)
    assert not set(labels) & set(topics["bone"][1:6])
    assert after == before
    assert set(topics["bone"][1:6]) <= set(b_labels)  # B's own ranking does learn from B's votes


def _missing() -> object:
    raise AssertionError("no ranking stored")


def _stage_id(p: Project, name: str) -> int:
    from qes.services.protocol import list_stages

    return next(s.id for s in list_stages(p) if s.name == name)


def test_a_refresh_with_nothing_new_to_learn_is_skipped_and_one_with_a_new_label_is_not(project: Project) -> None:
    topics = ids_by_topic(project)
    both(project, "ta", topics["recip"][0], "include")
    both(project, "ta", topics["bone"][0], "exclude")
    stage_id = _stage_id(project, "ta")

    def stored() -> tuple[object, list[int]]:
        with project.store.read() as session:
            row = priority_store.load_ranking(session, stage_id, "") or _missing()
            return row.computed_at, priority_store.ranking_order(row).tolist()  # type: ignore[attr-defined]

    first = priority.refresh_ranking(project, "ta", "")
    at, order = stored()
    # A's unresolved vote is not a team label: the team's ranking has nothing new and is not refitted.
    screening.decide(project, "ta", topics["bone"][1], A, "include")
    assert priority.refresh_ranking(project, "ta", "") == first
    assert stored() == (at, order)
    # B's vote resolves the record: a new label, so a new fit and a new stored ranking.
    screening.decide(project, "ta", topics["bone"][1], B, "include")
    again = priority.refresh_ranking(project, "ta", "")
    assert again is not None and first is not None and again.labelled == first.labelled + 1
    assert stored()[0] != at


def test_background_refresh_stores_the_ranking(solo: Project) -> None:
    topics = ids_by_topic(solo)
    screening.decide(solo, "solo", topics["recip"][0], A, "include")
    screening.decide(solo, "solo", topics["bone"][0], A, "exclude", ["E1"])
    priority.schedule_refresh(solo, "solo", A).result(timeout=60)
    assert priority.ranking_info(solo, "solo", A) is not None
    assert priority.ranking_info(solo, "solo", "") is not None  # the team ranking too


def test_a_rank_job_refreshes_the_reviewers_and_the_teams_ranking(solo: Project) -> None:
    """What the web queues after each decision: a durable job, run by whichever worker claims it."""
    topics = ids_by_topic(solo)
    screening.decide(solo, "solo", topics["recip"][0], A, "include")
    screening.decide(solo, "solo", topics["bone"][0], A, "exclude", ["E1"])
    queued = jobs.enqueue(solo, "rank", {"stage": "solo", "reviewer": A}, merge=True)
    done = JobRunner(solo, kinds=("rank",)).run_one()
    assert done is not None and done.id == queued.id and done.status == "done", done
    assert done.result is not None and done.result["reviewer"]["labelled"] == done.result["team"]["labelled"] == 2
    mine, team = priority.ranking_info(solo, "solo", A), priority.ranking_info(solo, "solo", "")
    assert mine is not None and team is not None and (mine.labelled, mine.included) == (2, 1)


def test_stopping_is_refused_until_the_rule_allows_it_then_recorded_and_counted(solo: Project) -> None:
    topics = ids_by_topic(solo)
    with pytest.raises(PermissionDenied):
        stopping.configure(solo, "solo", A, rule="consecutive", consecutive=4)
    settings = stopping.configure(solo, "solo", OWNER, rule="consecutive", consecutive=4)
    assert settings["rule"] == "consecutive" and settings["consecutive"] == 4
    screening.decide(solo, "solo", topics["recip"][0], A, "include")
    for rid in topics["bone"][:3]:
        screening.decide(solo, "solo", rid, A, "exclude", ["E1"])
    status = stopping.stopping_status(solo, "solo", A)
    assert not status["safe"] and status["screened"] == 4 and status["remaining"] == 26
    with pytest.raises(Conflict, match="does not allow stopping yet"):
        stopping.stop_stage(solo, "solo", OWNER)
    screening.decide(solo, "solo", topics["bone"][3], A, "exclude", ["E1"])
    assert stopping.stopping_status(solo, "solo", A)["safe"]
    with pytest.raises(PermissionDenied):
        stopping.stop_stage(solo, "solo", A)
    result = stopping.stop_stage(solo, "solo", OWNER, note="four excluded in a row")
    assert result["excluded"] == 25
    counts = prisma_counts(solo)
    assert counts["excluded_automatic"] == 25
    assert counts["records_screened"] == 5
    assert counts["automation"][0]["rule"] == "consecutive" and counts["automation"][0]["excluded"] == 25
    assert "4 consecutive excluded" in counts["automation"][0]["description"]
    assert screening.next_item(solo, "solo", A) is None
    with pytest.raises(Conflict, match="already stopped"):
        stopping.stop_stage(solo, "solo", OWNER)
    with pytest.raises(Conflict):
        stopping.configure(solo, "solo", OWNER, target=0.9)


def test_a_stop_waits_for_records_already_started(project: Project) -> None:
    topics = ids_by_topic(project)
    screening.decide(project, "ta", topics["recip"][0], A, "include")  # one vote of two: started, unresolved
    with pytest.raises(Conflict, match="have votes but no outcome"):
        stopping.stop_stage(project, "ta", OWNER, force=True)


def test_random_order_begins_the_sample_and_serves_a_fixed_permutation(solo: Project) -> None:
    topics = ids_by_topic(solo)
    screening.decide(solo, "solo", topics["recip"][0], A, "include")
    settings = stopping.configure(solo, "solo", OWNER, order="random", rule="sample")
    assert settings["order"] == "random" and settings["sample_from"] == 1
    first = screening.next_item(solo, "solo", A)
    again = screening.next_item(solo, "solo", B)
    assert first is not None and again is not None and first.record_id == again.record_id
    assert first.record_id != topics["recip"][1]  # not id order (a permutation of 30 keeps that with p = 1/30; seed fixed)
    status = stopping.stopping_status(solo, "solo", A)
    assert status["order"] == "random" and status["rule"]["rule"] == "sample"


def _served_after_one_include_and_one_exclude(tmp_path: Path, db_url: str, ris_text: str) -> tuple[list[int], int]:
    """Import the records, label the first included and the second excluded, refresh: (ids, record served next)."""
    ris = tmp_path / "records.ris"
    ris.write_text(ris_text, encoding="utf-8")
    p = init_project(tmp_path / "review", database=db_url, actor=OWNER)
    try:
        import_file(p, ris, source="MEDLINE (Ovid)")
        add_member(p, A, role="reviewer")
        add_criterion(p, "E1", "Not about reciprocity", inclusion=False)
        add_stage(p, "solo", kind="title-abstract", reviewers=1)
        with p.store.read() as session:
            ids = list(session.scalars(select(RecordRow.id).where(RecordRow.project_id == p.id).order_by(RecordRow.id)))
        screening.decide(p, "solo", ids[0], A, "include")
        screening.decide(p, "solo", ids[1], A, "exclude", ["E1"])
        assert priority.refresh_ranking(p, "solo", A) is not None
        item = screening.next_item(p, "solo", A)
        assert item is not None
        return ids, item.record_id
    finally:
        p.close()


def test_the_default_ranking_learns_from_the_authors_as_well(tmp_path: Path, db_url: str) -> None:
    # Five records with one title: only the authors, read from the store, set one above the rest.
    authors = ["Lee, Ann", "Kim, Bo", "Roe, Cy", "Fox, Ed", "Lee, Di"]
    text = "".join(f"TY  - JOUR\nAU  - {a}\nTI  - Reciprocity in care {i}\nER  - \n\n" for i, a in enumerate(authors))
    ids, served = _served_after_one_include_and_one_exclude(tmp_path, db_url, text)
    assert served == ids[4]  # Di Lee, not the next in id order


def test_the_default_ranking_learns_from_the_publication_year(tmp_path: Path, db_url: str) -> None:
    # One title and no shared author: only the years, read from the store, set one above the rest.
    years = [2001, 1980, 1981, 2000, 1990]
    text = "".join(f"TY  - JOUR\nAU  - Writer{i}, A.\nTI  - Reciprocity\nPY  - {y}\nER  - \n\n" for i, y in enumerate(years))
    ids, served = _served_after_one_include_and_one_exclude(tmp_path, db_url, text)
    assert served == ids[3]  # 2000, next to the included 2001
