"""Screening services on SQLite and a real PostgreSQL server: decisions, the blind rule, conflicts,
adjudication, pilot rounds, agreement, concurrent reviewers, full texts and the PRISMA counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select

from pdf_maker import make_pdf
from qes.errors import Conflict, PermissionDenied, UserError
from qes.services import fulltext, screening, screening_stages
from qes.services.agreement import agreement
from qes.services.dedupe_project import run_dedupe
from qes.services.importing import import_file
from qes.services.prisma import prisma_counts
from qes.services.project import Project, init_project
from qes.services.protocol import add_criterion, add_stage
from qes.services.users import add_member
from qes.store import Store
from qes.store.events import list_events
from qes.store.schema import RecordRow
from support import FIXTURES

TEN = FIXTURES / "screening" / "ten_records.ris"
A, B, C, ADJ, VIEW = "a@x.org", "b@x.org", "c@x.org", "adj@x.org", "viewer@x.org"


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = init_project(tmp_path / "review", database=db_url, actor="owner@x.org")
    import_file(p, TEN, source="PsycINFO (Ovid)")
    add_member(p, "owner@x.org", role="owner")
    for email, role in ((A, "reviewer"), (B, "reviewer"), (C, "reviewer"), (ADJ, "adjudicator"), (VIEW, "viewer")):
        add_member(p, email, role=role)
    add_criterion(p, "I1", "Professional and service user dyad", inclusion=True)
    add_criterion(p, "E1", "Not about reciprocity", inclusion=False)
    add_criterion(p, "E2", "Peer or caregiver relationship", inclusion=False)
    add_stage(p, "ta", kind="title-abstract", reviewers=2)
    add_stage(p, "ft", kind="fulltext", reviewers=2)
    yield p
    p.close()


def record_ids(p: Project) -> list[int]:
    with p.store.read() as session:
        return list(session.scalars(select(RecordRow.id).where(RecordRow.project_id == p.id).order_by(RecordRow.id)))


def test_two_agreeing_reviewers_resolve_and_the_record_moves_on(project: Project) -> None:
    rid = record_ids(project)[0]
    assert screening.decide(project, "ta", rid, A, "include")["state"] == "pending"
    assert screening.decide(project, "ta", rid, B, "include")["state"] == "resolved"
    item = screening.record_item(project, "ta", rid, VIEW)
    assert item.outcome and item.outcome["decision"] == "include" and item.outcome["method"] == "agreement"
    assert screening.next_item(project, "ft", A).record_id == rid  # type: ignore[union-attr]
    with project.store.read() as session:
        actions = [e.action for e in list_events(session, project.id, action_prefix="screen.")]
    assert actions == ["screen.decide", "screen.decide", "screen.resolve"]


def test_blind_no_read_path_shows_another_reviewers_unresolved_decision(project: Project) -> None:
    rid = record_ids(project)[0]
    screening.decide(project, "ta", rid, A, "exclude", ["E1"], note="A's secret note")
    for viewer in (B, C, ADJ, "owner@x.org", VIEW):
        assert screening.record_item(project, "ta", rid, viewer).votes == []
    item_b = screening.next_item(project, "ta", B)
    assert item_b is not None and item_b.record_id == rid and item_b.votes == [] and item_b.mine is None
    assert "A's secret note" not in str(item_b.to_json())
    for viewer in (A, B, ADJ, "owner@x.org"):
        assert screening.conflicts(project, viewer) == []
    assert agreement(project, "ta")["records"] == 0  # a lone vote never enters the statistics
    # A sees their own
    mine = screening.record_item(project, "ta", rid, A)
    assert [v.reviewer for v in mine.votes] == [A] and mine.mine is not None


def test_conflict_is_listed_shown_to_deciders_and_adjudicator_then_resolved(project: Project) -> None:
    rid = record_ids(project)[1]
    screening.decide(project, "ta", rid, A, "include")
    assert screening.decide(project, "ta", rid, B, "exclude", ["E2"])["state"] == "conflict"
    listed = screening.conflicts(project, ADJ)
    assert [(c.record_id, c.kind) for c in listed] == [(rid, "decision")]
    assert {v.reviewer for v in listed[0].votes} == {A, B}
    assert screening.conflicts(project, C) == []  # not a decider, not an adjudicator
    assert {v.reviewer for v in screening.record_item(project, "ta", rid, B).votes} == {A, B}
    assert screening.record_item(project, "ta", rid, C).votes == []  # still unresolved for others
    with pytest.raises(PermissionDenied):
        screening.resolve_conflict(project, "ta", rid, A, "include")
    result = screening.resolve_conflict(project, "ta", rid, ADJ, "exclude", ["E2"], note="peer support, not professional")
    assert result["state"] == "resolved"
    assert screening.conflicts(project, ADJ) == []
    item = screening.record_item(project, "ta", rid, C)
    assert item.outcome == {
        "decision": "exclude",
        "reasons": ["E2"],
        "method": "adjudication",
        "by": ADJ,
        "note": "peer support, not professional",
    }
    assert len(item.votes) == 2  # resolved: everyone may now see how it was decided
    with pytest.raises(Conflict):
        screening.resolve_conflict(project, "ta", rid, ADJ, "include")
    with project.store.read() as session:
        assert session.get(RecordRow, rid).status == "excluded"  # type: ignore[union-attr]


def test_maybe_against_a_decision_is_a_conflict_and_agreed_maybe_advances(project: Project) -> None:
    r1, r2 = record_ids(project)[:2]
    screening.decide(project, "ta", r1, A, "maybe")
    assert screening.decide(project, "ta", r1, B, "include")["state"] == "conflict"
    assert screening.conflicts(project, ADJ)[0].kind == "maybe"
    screening.decide(project, "ta", r2, A, "maybe")
    assert screening.decide(project, "ta", r2, B, "maybe")["state"] == "resolved"
    assert screening.next_item(project, "ft", A).record_id == r2  # type: ignore[union-attr]


def test_decisions_are_editable_by_their_author_until_resolved(project: Project) -> None:
    rid, other = record_ids(project)[2:4]
    screening.decide(project, "ta", rid, A, "exclude", ["E1"])
    assert screening.decide(project, "ta", rid, A, "include")["decision"] == "include"
    screening.decide(project, "ta", rid, B, "include")
    with pytest.raises(Conflict, match="final"):
        screening.decide(project, "ta", rid, A, "exclude", ["E1"])
    screening.decide(project, "ta", other, A, "include")
    screening.decide(project, "ta", other, B, "exclude")
    with pytest.raises(Conflict, match="already has"):
        screening.decide(project, "ta", other, C, "include")  # two votes is all the stage takes
    with project.store.read() as session:
        change = list(list_events(session, project.id, action_prefix="screen.change"))
    assert len(change) == 1 and change[0].data["before"] == {"decision": "exclude", "reasons": ["E1"]}


def test_roles_and_stage_rules_are_enforced(project: Project) -> None:
    rid = record_ids(project)[0]
    with pytest.raises(PermissionDenied):
        screening.decide(project, "ta", rid, VIEW, "include")
    with pytest.raises(PermissionDenied):
        screening.decide(project, "ta", rid, "stranger@x.org", "include")
    with pytest.raises(UserError, match="unknown criterion"):
        screening.decide(project, "ta", rid, A, "exclude", ["E9"])
    screening.decide(project, "ta", rid, A, "include")
    screening.decide(project, "ta", rid, B, "include")
    with pytest.raises(UserError, match="at least one reason"):
        screening.decide(project, "ft", rid, A, "exclude")
    with pytest.raises(UserError, match="maybe"):
        screening.decide(project, "ft", rid, A, "maybe")
    with pytest.raises(Conflict, match="not at stage"):
        screening.decide(project, "ft", record_ids(project)[5], A, "include")


def test_open_stage_shows_votes_at_once(project: Project) -> None:
    add_stage(project, "open-ft", kind="fulltext", reviewers=2, blind=False)
    rid = record_ids(project)[0]
    for stage in ("ta", "ft"):
        screening.decide(project, stage, rid, A, "include")
        screening.decide(project, stage, rid, B, "include")
    screening.decide(project, "open-ft", rid, A, "include")
    assert [v.reviewer for v in screening.record_item(project, "open-ft", rid, B).votes] == [A]


def test_pilot_records_come_first_and_have_their_own_agreement(project: Project) -> None:
    pilot = screening_stages.create_pilot(project, "ta", 4, seed=7, actor="owner@x.org")
    assert pilot["n"] == 4
    served = []
    for _ in range(4):
        item = screening.next_item(project, "ta", A)
        assert item is not None and item.pilot
        served.append(item.record_id)
        screening.decide(project, "ta", item.record_id, A, "include")
    assert sorted(served) == pilot["records"]
    assert not screening.next_item(project, "ta", A).pilot  # type: ignore[union-attr]
    for i, rid in enumerate(pilot["records"]):
        screening.decide(project, "ta", rid, B, "include" if i % 2 else "exclude")
    outside = next(r for r in record_ids(project) if r not in pilot["records"])
    screening.decide(project, "ta", outside, A, "exclude")
    screening.decide(project, "ta", outside, B, "exclude")
    assert agreement(project, "ta", pilot=True)["records"] == 4
    assert agreement(project, "ta")["records"] == 5


def test_agreement_equals_scikit_learn_on_the_stored_decisions(project: Project) -> None:
    ids = record_ids(project)
    first = ["include", "exclude", "exclude", "include", "maybe", "exclude", "exclude", "include", "exclude", "exclude"]
    second = ["include", "exclude", "include", "include", "exclude", "exclude", "maybe", "include", "exclude", "exclude"]
    for rid, a, b in zip(ids, first, second, strict=True):
        screening.decide(project, "ta", rid, A, a)
        screening.decide(project, "ta", rid, B, b)
    result = agreement(project, "ta")
    (pair,) = result["pairs"]
    assert pair["reviewers"] == [A, B] and pair["n"] == 10
    assert pair["kappa"] == pytest.approx(cohen_kappa_score(first, second), abs=1e-4)
    assert pair["percent_agreement"] == pytest.approx(0.7)
    assert pair["pabak"] == pytest.approx((3 * 0.7 - 1) / 2, abs=1e-4)


def test_two_reviewers_deciding_at_the_same_moment_lose_nothing(project: Project) -> None:
    ids = record_ids(project)
    barrier = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []

    def screen_all(reviewer: str) -> None:
        # Each reviewer has their own connection pool, as two processes or two web workers would.
        own = Project(project.config, Store(project.store.url), project.id, reviewer)
        try:
            barrier.wait()
            for rid in ids:
                screening.decide(own, "ta", rid, reviewer, "include" if rid % 3 else "exclude")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=screen_all, args=(who,)) for who in (A, B)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    progress = screening_stages.stage_progress(project, A)[0]
    assert progress["resolved"] == len(ids) and progress["mine"] == len(ids)
    assert agreement(project, "ta")["pairs"][0]["n"] == len(ids)


def test_duplicates_are_screened_once_through_their_group(tmp_path: Path, db_url: str) -> None:
    p = init_project(tmp_path / "d", database=db_url, actor="owner@x.org")
    try:
        import_file(p, FIXTURES / "dedupe" / "two_databases.ris", source="Medline")
        add_member(p, A, role="reviewer")
        add_stage(p, "ta", kind="title-abstract", reviewers=1)
        removed = run_dedupe(p).duplicates_removed
        assert removed > 0
        seen = []
        while (item := screening.next_item(p, "ta", A)) is not None:
            seen.append(item.record_id)
            screening.decide(p, "ta", item.record_id, A, "include")
        assert len(seen) == 7 - removed
        assert prisma_counts(p)["records_screened"] == 7 - removed and prisma_counts(p)["duplicates"] == removed
        with p.store.read() as session:
            duplicate = session.scalars(select(RecordRow.id).where(RecordRow.status == "duplicate")).first()
        assert duplicate is not None and duplicate not in seen
        with pytest.raises(Conflict, match="not at stage 'ta'"):  # its group's primary was screened instead
            screening.decide(p, "ta", duplicate, A, "include")
    finally:
        p.close()


def test_full_texts_attached_hashed_extracted_or_not_retrieved_feed_prisma(project: Project) -> None:
    r1, r2, r3 = record_ids(project)[:3]
    for rid in (r1, r2, r3):
        screening.decide(project, "ta", rid, A, "include")
        screening.decide(project, "ta", rid, B, "include")
    pdf = make_pdf(["Reciprocity was described by nurses.", "Page two: service users."])
    info = fulltext.attach(project, r1, pdf, file_name="smith2010.pdf", actor=A)
    assert info.pages == 2 and len(info.sha256) == 64
    assert fulltext.fulltext_path(project, r1).read_bytes() == pdf
    assert [p["page"] for p in fulltext.fulltext_pages(project, r1)] == [1, 2]
    assert "service users" in fulltext.fulltext_pages(project, r1)[1]["text"]
    with pytest.raises(UserError, match="not a PDF"):
        fulltext.attach(project, r2, b"hello", file_name="notes.txt", actor=A)
    with pytest.raises(UserError, match="say why"):
        fulltext.mark_not_retrieved(project, r2, reason=" ", actor=A)
    fulltext.mark_not_retrieved(project, r2, reason="not held by any library; author did not reply", actor=A)
    served = []
    while (item := screening.next_item(project, "ft", A)) is not None:
        served.append(item.record_id)
        # The item carries its full text's state (read with the record).
        assert item.fulltext == (
            {"status": "retrieved", "reason": "", "pages": 2, "file_name": "smith2010.pdf"} if item.record_id == r1 else None
        )
        screening.decide(
            project,
            "ft",
            item.record_id,
            A,
            "exclude" if item.record_id == r3 else "include",
            ["E1"] if item.record_id == r3 else [],
        )
    assert r2 not in served and set(served) == {r1, r3}
    for rid in served:
        screening.decide(project, "ft", rid, B, "exclude" if rid == r3 else "include", ["E1"] if rid == r3 else [])
    counts = prisma_counts(project)
    assert counts["dbr_sought_reports"] == 3 and counts["dbr_notretrieved_reports"] == 1 and counts["dbr_assessed"] == 2
    assert counts["dbr_excluded"] == [{"reason": "Not about reciprocity", "n": 1}]
    assert counts["new_studies"] == 1 and counts["records_screened"] == 10 and counts["records_excluded"] == 0


def test_three_reviewers_per_record_get_fleiss_kappa_equal_to_statsmodels(project: Project) -> None:
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    p = init_project(project.root.parent / "triple", database=project.store.url, actor="owner@x.org")
    try:
        import_file(p, TEN, source="PsycINFO (Ovid)")
        for email in (A, B, C):
            add_member(p, email, role="reviewer")
        add_stage(p, "ta", kind="title-abstract", reviewers=3)
        votes = [
            ("include", "include", "include"),
            ("exclude", "exclude", "include"),
            ("exclude", "exclude", "exclude"),
            ("maybe", "include", "include"),
            ("exclude", "maybe", "exclude"),
            ("include", "include", "exclude"),
        ]
        for rid, trio in zip(record_ids(p), votes, strict=False):
            for who, decision in zip((A, B, C), trio, strict=True):
                screening.decide(p, "ta", rid, who, decision)
        result = agreement(p, "ta")
        table, _ = aggregate_raters([list(t) for t in votes])
        assert result["fleiss"]["raters"] == 3 and result["fleiss"]["n"] == len(votes)
        assert result["fleiss"]["kappa"] == pytest.approx(fleiss_kappa(table), abs=1e-4)
        assert len(result["pairs"]) == 3  # and Cohen's kappa for each pair of the three
    finally:
        p.close()
