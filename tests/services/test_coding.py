"""Coding services on SQLite and PostgreSQL: documents, the codebook, segments, the blind rule, agreement,
reconciliation, memos, suggestions and the REFI-QDA round trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from coding_setup import OWNER, TEXT_ONE, VIEW, A, B, coding_project
from pdf_maker import make_pdf
from qes.coding.frameworks import HELPFUL_RELATIONSHIPS, RECIPROCITY
from qes.coding.refi import read_project, validate
from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.services import codebook, coding, coding_review, documents, fulltext, refi
from qes.services.project import Project, init_project
from qes.services.studies import add_study
from qes.services.users import add_member
from qes.store.events import list_events
from qes.store.schema import RecordRow

ONE, TWO = 1, 2  # the two documents coding_project adds, in order


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = coding_project(tmp_path / "review", db_url)
    coding.set_coders_per_document(p, 2)
    codebook.add_code(p, "Trust", kind="theme", definition="to feel trust in professionals")
    codebook.add_code(p, "Time", kind="theme", definition="time and availability")
    codebook.add_code(p, "Listen", parent="Trust", kind="concept", definition="the professional listens")
    yield p
    p.close()


def _doc_ids(p: Project) -> list[int]:
    return [d.id for d in documents.list_documents(p)]


# --- documents -------------------------------------------------------------------------------------


def test_documents_keep_their_text_study_and_pages(project: Project, tmp_path: Path) -> None:
    docs = documents.list_documents(project)
    assert [d.study for d in docs] == ["Beeber and Caldwell (1996)", "Goodman et al. (2014)"]
    info, text = documents.get_document(project, docs[0].id)
    assert text == TEXT_ONE and info.length == len(TEXT_ONE) and info.kind == "section"

    transcript = tmp_path / "session 3.txt"
    transcript.write_bytes("\ufeffTherapist: How was the week?\r\nClient: Better.\r\n".encode())
    added = documents.add_document_file(project, None, transcript)
    assert added.kind == "transcript" and added.study is None and added.title == "session 3"
    assert documents.get_document(project, added.id)[1] == "Therapist: How was the week?\nClient: Better.\n"

    bad = tmp_path / "latin1.txt"
    bad.write_bytes("line one\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"latin1.txt:2: not UTF-8"):
        documents.add_document_file(project, None, bad)


def test_a_study_full_text_becomes_a_document_with_page_offsets(project: Project) -> None:
    with project.store.read() as session:
        record_id = session.query(RecordRow.id).filter(RecordRow.project_id == project.id).order_by(RecordRow.id).first()[0]
    add_study(project, "McCann and Clark (2004)", record_id=record_id)
    with pytest.raises(NotFound, match="no full text attached"):
        documents.add_document(project, "McCann and Clark (2004)", fulltext=True)
    fulltext.attach(project, record_id, make_pdf(["Page one words", "Reciprocity on page two"]), file_name="mc.pdf", actor=OWNER)
    doc = documents.add_document(project, "McCann and Clark (2004)", fulltext=True)
    _, text = documents.get_document(project, doc.id)
    assert doc.kind == "fulltext" and doc.origin.startswith("pdf:") and [p[1] for p in doc.pages] == [1, 2]
    second = text.index("Reciprocity")
    assert documents.page_at(doc.pages, second) == 2 and documents.page_at(doc.pages, 0) == 1
    seg = coding.code_segment(project, doc.id, ["Trust"], find="Reciprocity on page two", actor=A)
    assert seg.page == 2 and seg.text == "Reciprocity on page two"


def test_adding_a_document_needs_exactly_one_source(project: Project) -> None:
    with pytest.raises(UserError, match="either"):
        documents.add_document(project, "Goodman et al. (2014)", text="x", fulltext=True)
    with pytest.raises(UserError, match="no text"):
        documents.add_document(project, "Goodman et al. (2014)", text="  \n ")
    with pytest.raises(NotFound, match="no study"):
        documents.add_document(project, "Nobody (2020)", text="words")
    with pytest.raises(PermissionDenied):
        documents.add_document(project, None, text="words", actor=VIEW)


# --- codebook --------------------------------------------------------------------------------------


def test_codebook_hierarchy_rename_move_and_events(project: Project) -> None:
    codebook.add_code(project, "Company", parent="Time", kind="concept")
    assert [c.path for c in codebook.codebook(project)] == ["Trust", "Trust/Listen", "Time", "Time/Company"]
    with pytest.raises(Conflict):
        codebook.add_code(project, "Listen", parent="Trust")
    codebook.change_code(project, "Time", name="Time and availability", notes="from review 001")
    moved = codebook.move_code(project, "Trust/Listen", parent="Time and availability", position=0)
    assert moved.path == "Time and availability/Listen"
    assert [c.path for c in codebook.codebook(project)] == [
        "Trust", "Time and availability", "Time and availability/Listen", "Time and availability/Company",
    ]  # fmt: skip
    with pytest.raises(UserError, match="under itself"):
        codebook.move_code(project, "Time and availability", parent="Time and availability/Listen")
    codebook.move_code(project, "Time and availability", parent=None, position=0)
    assert codebook.codebook(project)[0].name == "Time and availability"
    with project.store.read() as session:
        actions = [e.action for e in list_events(session, project.id, action_prefix="code")]
    assert actions.count("code.add") == 4 and actions.count("code.move") == 2 and "code.change" in actions


@pytest.mark.parametrize("spec", [RECIPROCITY, HELPFUL_RELATIONSHIPS], ids=lambda s: s.name)
def test_built_in_frameworks_load_whole(tmp_path: Path, db_url: str, spec) -> None:  # type: ignore[no-untyped-def]
    p = coding_project(tmp_path / "fw", db_url)
    summary = codebook.load_framework(p, spec.name)
    rows = codebook.codebook(p)
    assert summary["codes"] == len(rows) == sum(1 for _ in spec.walk())
    assert [c.name for c in rows if c.depth == 0 and c.kind == "theme"] == [t.name for t in spec.themes]
    assert all(c.framework == spec.name for c in rows)
    with pytest.raises(Conflict, match="already"):
        codebook.load_framework(p, spec.name)
    with pytest.raises(UserError, match="no built-in framework"):
        codebook.load_framework(p, "grounded-theory")
    p.close()


# --- coding and the blind rule ---------------------------------------------------------------------


def test_code_a_segment_checks_offsets_and_text(project: Project) -> None:
    start = TEXT_ONE.index("She listened")
    end = start + len("She listened to me")
    seg = coding.code_segment(project, ONE, ["Trust/Listen"], start=start, end=end, text="She listened to me", actor=A)
    assert (seg.start, seg.end, seg.text, seg.order, seg.coder) == (start, end, "She listened to me", "first", A)
    assert [c["path"] for c in seg.codes] == ["Trust/Listen"]
    again = coding.code_segment(project, ONE, ["Time"], start=start, end=end, order="second", in_part=True, actor=A)
    assert again.id == seg.id and [(c["name"], c["in_part"]) for c in again.codes] == [("Listen", False), ("Time", True)]
    with pytest.raises(Conflict, match="already has"):
        coding.code_segment(project, ONE, ["Time"], start=start, end=end, actor=A)
    with pytest.raises(Conflict, match="reload"):
        coding.code_segment(project, ONE, ["Trust"], start=start, end=end, text="something else", actor=A)
    with pytest.raises(UserError, match="outside"):
        coding.code_segment(project, ONE, ["Trust"], start=5, end=10_000, actor=A)
    with pytest.raises(UserError, match=f"occurs {TEXT_ONE.count('her')} times"):
        coding.code_segment(project, ONE, ["Trust"], find="her", actor=A)
    found = coding.code_segment(project, ONE, ["Trust"], find="her", occurrence=2, actor=A)
    assert found.start == TEXT_ONE.index("her", TEXT_ONE.index("her") + 1)
    with pytest.raises(PermissionDenied):
        coding.code_segment(project, ONE, ["Trust"], find="nurse", actor=VIEW)


def test_a_coder_sees_only_their_own_coding_until_every_coder_is_done(project: Project) -> None:
    coding.code_segment(project, ONE, ["Trust"], find="I trusted her", actor=A)
    coding.code_segment(project, ONE, ["Trust"], find="She listened to me and I trusted her", actor=B)
    assert {s.coder for s in coding.list_segments(project, viewer=A)} == {A}
    assert {s.coder for s in coding.list_segments(project, viewer=B)} == {B}
    assert coding.list_segments(project, viewer=VIEW) == []
    b_segment = coding.list_segments(project, viewer=B)[0].id
    with pytest.raises(NotFound):
        coding.uncode(project, b_segment, actor=A)  # not even its existence shows to A
    assert coding.mark_done(project, ONE, actor=A)["all_done"] is False
    with pytest.raises(Conflict, match="reopen"):
        coding.code_segment(project, ONE, ["Time"], find="every week", actor=A)
    assert {s.coder for s in coding.list_segments(project, viewer=A)} == {A}
    coding.mark_done(project, ONE, done=False, actor=A)
    coding.mark_done(project, ONE, actor=A)
    assert coding.mark_done(project, ONE, actor=B)["all_done"] is True
    assert {s.coder for s in coding.list_segments(project, viewer=A)} == {A, B}
    assert {s.coder for s in coding.list_segments(project, viewer=VIEW)} == {A, B}
    with pytest.raises(Conflict, match="closed|done"):
        coding.code_segment(project, ONE, ["Time"], find="every week", actor=B)
    with pytest.raises(Conflict, match="stays closed"):
        coding.mark_done(project, ONE, done=False, actor=B)


def test_with_one_coder_per_document_done_shows_the_coding_and_closes_it(project: Project) -> None:
    coding.set_coders_per_document(project, 1)
    coding.code_segment(project, TWO, ["Time"], find="He was there for me", actor=A)
    assert coding.list_segments(project, viewer=B) == []
    coding.mark_done(project, TWO, actor=A)
    assert [s.coder for s in coding.list_segments(project, viewer=B)] == [A]
    with pytest.raises(Conflict, match="closed"):
        coding.code_segment(project, TWO, ["Trust"], find="not for his job", actor=B)
    with pytest.raises(PermissionDenied):
        coding.set_coders_per_document(project, 2, actor=A)


def test_uncode_removes_a_code_then_the_segment(project: Project) -> None:
    seg = coding.code_segment(project, TWO, ["Trust", "Time"], find="He was there for me", actor=A)
    assert coding.uncode(project, seg.id, code="Time", actor=A)["segment_removed"] is False
    assert [c["name"] for c in coding.list_segments(project, viewer=A)[0].codes] == ["Trust"]
    assert coding.uncode(project, seg.id, actor=A)["segment_removed"] is True
    assert coding.list_segments(project, viewer=A) == []
    with project.store.read() as session:
        assert [e.action for e in list_events(session, project.id, action_prefix="segment.")] == [
            "segment.code", "segment.uncode", "segment.uncode",
        ]  # fmt: skip


def test_final_coding_is_the_single_coder_or_the_reconciled_one(project: Project) -> None:
    coding.code_segment(project, TWO, ["Time"], find="He was there for me", actor=A)  # one coder: counts at once
    coding.code_segment(project, ONE, ["Trust"], find="I trusted her", actor=A)
    coding.code_segment(project, ONE, ["Trust"], find="trusted her", actor=B)
    assert [(s.document_id, s.coder) for s in coding.final_segments(project)] == [(TWO, A)]
    coding.mark_done(project, ONE, actor=A)
    coding.mark_done(project, ONE, actor=B)
    result = coding_review.reconcile(project, ONE, take="agreed", actor=OWNER)
    assert result["segments"] == 1
    final = [s for s in coding.final_segments(project) if s.document_id == ONE]
    assert [(s.text, s.status, [c["name"] for c in s.codes]) for s in final] == [("trusted her", "reconciled", ["Trust"])]
    coding_review.reconcile(project, ONE, take="union", actor=OWNER)  # replaces the earlier reconciliation
    final = [s for s in coding.final_segments(project) if s.document_id == ONE]
    assert [s.text for s in final] == ["I trusted her"]


def test_reconcile_waits_for_every_coder_and_can_take_one_coder_or_chosen_segments(project: Project) -> None:
    a = coding.code_segment(project, ONE, ["Trust"], find="I trusted her", actor=A)
    coding.code_segment(project, ONE, ["Time"], find="every week", in_part=True, actor=B)
    coding.mark_done(project, ONE, actor=A)
    with pytest.raises(Conflict, match="waiting for b@x.org"):
        coding_review.reconcile(project, ONE, actor=OWNER)
    coding.mark_done(project, ONE, actor=B)
    with pytest.raises(PermissionDenied):
        coding_review.reconcile(project, ONE, actor=VIEW)
    assert coding_review.reconcile(project, ONE, take=B, actor=A)["segments"] == 1
    final = [s for s in coding.final_segments(project) if s.document_id == ONE]
    assert [(s.text, s.codes[0]["in_part"]) for s in final] == [("every week", True)]
    coding_review.reconcile(project, ONE, segment_ids=[a.id], note="A's reading fits the memo", actor=OWNER)
    assert [s.text for s in coding.final_segments(project) if s.document_id == ONE] == ["I trusted her"]


def test_agreement_per_code_equals_a_per_character_kappa(project: Project) -> None:
    spans = {A: [("Trust", "She listened to me"), ("Time", "every week")], B: [("Trust", "listened to me and I trusted her")]}
    for coder, items in spans.items():
        for code, text in items:
            coding.code_segment(project, ONE, [code], find=text, actor=coder)
        coding.mark_done(project, ONE, actor=coder)
    assert coding_review.coding_agreement(project)["documents"] == 1
    result = coding_review.coding_agreement(project)
    by_code = {r["code"]: r for r in result["codes"]}
    assert list(by_code) == ["Trust", "Time"]
    for code in ("Trust", "Time"):
        marks = {c: [False] * len(TEXT_ONE) for c in (A, B)}
        for coder, items in spans.items():
            for name, text in items:
                if name == code:
                    s = TEXT_ONE.index(text)
                    for i in range(s, s + len(text)):
                        marks[coder][i] = True
        expected = cohen_kappa_score(marks[A], marks[B])
        assert by_code[code]["kappa"] == pytest.approx(expected, abs=1e-4)
        agreed = sum(x == y for x, y in zip(marks[A], marks[B], strict=True)) / len(TEXT_ONE)
        assert by_code[code]["percent_agreement"] == pytest.approx(agreed, abs=1e-4)
    assert result["first"] == A and result["second"] == B and by_code["Time"]["both"] == 0


def test_agreement_ignores_documents_a_coder_has_not_finished(project: Project) -> None:
    coding.code_segment(project, ONE, ["Trust"], find="I trusted her", actor=A)
    coding.code_segment(project, ONE, ["Trust"], find="I trusted her", actor=B)
    coding.mark_done(project, ONE, actor=A)
    assert coding_review.coding_agreement(project)["documents"] == 0


# --- memos and suggestions -------------------------------------------------------------------------


def test_memos_on_codes_segments_studies_documents_and_the_project(project: Project) -> None:
    seg = coding.code_segment(project, ONE, ["Trust"], find="I trusted her", actor=A)
    coding.add_memo(project, "code", "Trust", "Trust needs time to develop", actor=A)
    coding.add_memo(project, "segment", seg.id, "participant, not author", actor=A)
    coding.add_memo(project, "study", "Goodman et al. (2014)", "therapy sessions", actor=B)
    coding.add_memo(project, "document", ONE, "extract only", actor=A)
    coding.add_memo(project, "project", None, "first round done", actor=OWNER)
    assert [m["target"] for m in coding.list_memos(project)] == ["code", "segment", "study", "document", "project"]
    assert [m["text"] for m in coding.list_memos(project, "code", "Trust")] == ["Trust needs time to develop"]
    with pytest.raises(NotFound):
        coding.add_memo(project, "code", "Nope", "x", actor=A)
    with pytest.raises(UserError, match="empty"):
        coding.add_memo(project, "project", None, "  ", actor=A)


def test_suggestions_rank_codes_by_the_words_they_share_and_say_which(project: Project) -> None:
    coding.code_segment(project, TWO, ["Time"], find="Talking about the weather", actor=A)
    doc = documents.add_document(project, None, text="The professional listens. We talked about the weather today.")
    text = documents.get_document(project, doc.id)[1]
    first = coding_review.suggest_codes(project, doc.id, 0, len("The professional listens."), viewer=A)
    assert first["suggestions"][0]["path"] == "Trust/Listen"
    assert set(first["suggestions"][0]["why"]) == {"professional", "listens"}
    start = text.index("We talked")
    second = coding_review.suggest_codes(project, doc.id, start, len(text), viewer=A)
    assert [(s["path"], s["why"]) for s in second["suggestions"]] == [("Time", ["weather"])]  # "talked" != "talking"
    # B cannot see A's blind coding, so A's segment does not vouch for "Time" in B's suggestions
    assert coding_review.suggest_codes(project, doc.id, start, len(text), viewer=B)["suggestions"] == []
    # nothing was applied
    assert [s for s in coding.list_segments(project, viewer=A) if s.document_id == doc.id] == []


# --- REFI-QDA --------------------------------------------------------------------------------------


def test_qdpx_export_validates_and_imports_back_with_every_code_and_segment(
    project: Project, tmp_path: Path, db_url: str
) -> None:
    codebook.add_code(project, "Company", parent="Time", kind="concept", color="#12ab34", notes="from Table 2")
    s1 = coding.code_segment(project, ONE, ["Trust/Listen", "Time"], find="She listened to me", order="second",
                             in_part=["Time"], actor=A)  # fmt: skip
    coding.code_segment(project, ONE, ["Trust"], find="I trusted her", actor=B)
    coding.code_segment(project, TWO, ["Time/Company"], find="Talking about the weather", actor=A)
    coding.add_memo(project, "segment", s1.id, "the nurse as listener", actor=A)
    coding.add_memo(project, "study", "Goodman et al. (2014)", "therapy sessions", actor=A)
    coding.add_memo(project, "code", "Trust", "trust takes time", actor=A)
    out = tmp_path / "coding.qdpx"
    summary = refi.export_qdpx(project, out)
    assert summary == {"path": str(out), "codes": 4, "documents": 2, "segments": 3, "codings": 4, "memos": 3, "users": 4}
    import zipfile

    with zipfile.ZipFile(out) as archive:
        assert validate(archive.read("project.qde"), "Project") == []
    again = tmp_path / "again.qdpx"
    refi.export_qdpx(project, again)
    assert [s.guid for s in read_project(out).sources] == [s.guid for s in read_project(again).sources]

    # import into a fresh project: every code, segment, coding and memo comes back
    fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}" if db_url.startswith("sqlite") else db_url  # PG: a 2nd project
    fresh = init_project(tmp_path / "fresh", database=fresh_url, actor=OWNER)
    assert fresh.id != project.id or db_url.startswith("sqlite")
    add_member(fresh, OWNER, role="owner")
    for coder in (A, B):
        add_member(fresh, coder, role="reviewer")
    add_study(fresh, "Goodman et al. (2014)")
    result = refi.import_qdpx(fresh, out)
    assert (result["codes_added"], result["documents"], result["segments"], result["codings"], result["memos"]) == (4, 2, 3, 4, 3)
    assert [(c.path, c.kind, c.definition, c.notes, c.color) for c in codebook.codebook(fresh)] == [
        (c.path, c.kind, c.definition, c.notes, c.color) for c in codebook.codebook(project)
    ]

    def rows(p: Project) -> list[tuple]:
        seen = {s.id: s for s in coding.list_segments(p, viewer=A) + coding.list_segments(p, viewer=B)}
        return sorted((s.start, s.end, s.text, s.order, s.coder, sorted((c["path"], c["in_part"]) for c in s.codes))
                      for s in seen.values())  # fmt: skip

    assert rows(fresh) == rows(project) and len(rows(fresh)) == 3
    assert sorted(m["target"] for m in coding.list_memos(fresh)) == ["code", "segment", "study"]
    fresh.close()


def test_qdc_round_trip_and_bad_files(project: Project, tmp_path: Path) -> None:
    codebook.load_framework(project, "reciprocity")
    out = tmp_path / "codes.qdc"
    assert refi.export_qdc(project, out)["codes"] == len(codebook.codebook(project))
    assert validate(out.read_bytes(), "Codebook") == []
    codebook.add_code(project, "Extra")
    summary = refi.import_qdc(project, out)
    assert summary["added"] == 0 and summary["kept"] == summary["codes"]  # nothing duplicated
    broken = tmp_path / "broken.qdc"
    broken.write_text("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>")
    with pytest.raises(UserError, match="broken.qdc: not a valid REFI-QDA codebook"):
        refi.import_qdc(project, broken)
    notxml = tmp_path / "x.qdpx"
    notxml.write_text("hello")
    with pytest.raises(UserError, match="x.qdpx: not a zip"):
        refi.import_qdpx(project, notxml)
