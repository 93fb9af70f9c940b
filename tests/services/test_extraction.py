"""Studies, extraction and appraisal services on SQLite and a real PostgreSQL server: studies from
screening, the blind rule until both extractors submit, comparison, reconciliation, Table 1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qes.errors import Conflict, NotFound, PermissionDenied, UserError
from qes.services import extraction, studies
from qes.services.importing import import_file
from qes.services.project import Project, init_project
from qes.services.protocol import add_criterion, add_stage
from qes.services.screening import decide
from qes.services.users import add_member
from qes.store.events import list_events
from qes.store.schema import RecordRow
from qes.store.schema_synthesis import FormEntry, FormFinal
from support import FIXTURES

RIS = FIXTURES / "extraction" / "three_studies.ris"
A, B, ADJ, VIEW, OWNER = "a@x.org", "b@x.org", "adj@x.org", "viewer@x.org", "owner@x.org"


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = init_project(tmp_path / "review", database=db_url, actor=OWNER)
    import_file(p, RIS, source="PsycINFO (Ovid)")
    for email, role in ((OWNER, "owner"), (A, "reviewer"), (B, "reviewer"), (ADJ, "adjudicator"), (VIEW, "viewer")):
        add_member(p, email, role=role)
    yield p
    p.close()


def _record_ids(p: Project) -> list[int]:
    with p.store.read() as session:
        return list(session.scalars(select(RecordRow.id).where(RecordRow.project_id == p.id).order_by(RecordRow.id)))


def _table1_study(project: Project) -> None:
    studies.add_study(project, "Beeber and Caldwell (1996)", actor=A)
    extraction.add_form(project, "table1", template="review000-table1", actor=A)


def test_studies_from_screening_are_labelled_by_short_citation(project: Project) -> None:
    add_criterion(project, "E1", "Not qualitative research", inclusion=False)
    add_stage(project, "ft", kind="fulltext", reviewers=1)
    ids = _record_ids(project)
    for rid in ids[:3]:
        decide(project, "ft", rid, A, "include")
    decide(project, "ft", ids[3], A, "exclude", ["E1"])
    by_hand = studies.add_study(project, "Cohen (1998)", actor=A)  # entered before screening ended
    studies.add_study(project, "Goodman et al. (2014)", record_id=ids[3], actor=A)  # another paper, same citation
    added = studies.include_studies_from_screening(project, actor=A)
    assert [s.label for s in added] == ["Beeber and Caldwell (1996)", "Goodman et al. (2014b)", "Cohen (1998)"]
    assert [s.reports for s in added] == [[ids[0]], [ids[1]], [ids[2]]]
    assert added[2].id == by_hand.id and added[2].record_id == ids[2]
    assert studies.include_studies_from_screening(project, actor=A) == []  # already studies
    assert [s.position for s in studies.list_studies(project, viewer=VIEW)] == [1, 2, 3, 4]


def test_a_study_takes_more_reports_but_a_report_belongs_to_one_study(project: Project) -> None:
    ids = _record_ids(project)
    one = studies.add_study(project, "Pettersen and Hem (2011)", record_id=ids[0], number=4, actor=A)
    assert one.reports == [ids[0]]
    linked = studies.link_report(project, "[4]", ids[1], actor=A)
    assert linked.reports == [ids[0], ids[1]]
    studies.add_study(project, "Hem and Pettersen (2011)", actor=A)
    with pytest.raises(Conflict, match="already a report"):
        studies.link_report(project, "Hem and Pettersen (2011)", ids[1], actor=A)
    with pytest.raises(Conflict, match="already a study"):
        studies.add_study(project, "Pettersen  and Hem (2011)", actor=A)
    with pytest.raises(PermissionDenied):
        studies.add_study(project, "Cohen (1998)", actor=VIEW)
    with pytest.raises(NotFound):
        studies.link_report(project, "Nobody (2000)", ids[2], actor=A)


def test_extractors_are_blind_to_each_other_until_both_have_submitted(project: Project) -> None:
    _table1_study(project)
    study = "Beeber and Caldwell (1996)"
    extraction.save_entry(project, study, "table1", {"authors": "Beeber & Caldwell", "country": "USA"}, person=A)
    extraction.save_entry(project, study, "table1", {"year": "1996"}, person=A, submit=True)
    seen_by_b = extraction.study_form(project, study, "table1", B)
    assert seen_by_b.entries == [] and seen_by_b.hidden == 1 and seen_by_b.comparison is None
    assert extraction.study_form(project, study, "table1", ADJ).entries == []  # one submitted is not both
    extraction.save_entry(project, study, "table1", {"authors": "Beeber & Caldwell", "year": 1996, "country": "U.S."}, person=B)
    assert [e.person for e in extraction.study_form(project, study, "table1", A).entries] == [A]  # B's is a draft
    with pytest.raises(Conflict, match="cannot compare"):
        extraction.compare(project, study, "table1", A)
    extraction.save_entry(project, study, "table1", {"methods": "Taped sessions"}, person=B, submit=True)
    for viewer in (A, B, ADJ):
        assert {e.person for e in extraction.study_form(project, study, "table1", viewer).entries} == {A, B}
    viewer_sees = extraction.study_form(project, study, "table1", VIEW)
    assert viewer_sees.entries == [] and viewer_sees.hidden == 2  # viewers read the final record only
    states = {c.key: c.state for c in extraction.compare(project, study, "table1", A)}
    assert states["authors"] == "equal" and states["year"] == "equal" and states["country"] == "equal"  # USA = U.S.
    assert states["methods"] == "only_one" and states["conceptualisation"] == "empty"


def test_reconcile_decides_every_difference_and_makes_table_1(project: Project) -> None:
    _table1_study(project)
    study = "Beeber and Caldwell (1996)"
    common = {"authors": "Beeber & Caldwell", "year": 1996, "country": "USA"}
    extraction.save_entry(project, study, "table1", {**common, "methods": "Taped sessions"}, person=A, submit=True)
    extraction.save_entry(project, study, "table1", {**common, "methods": "Taped clinical sessions"}, person=B, submit=True)
    assert [c.key for c in extraction.compare(project, study, "table1", B) if c.state == "differ"] == ["methods"]
    with pytest.raises(UserError, match="differ on methods"):
        extraction.reconcile_study(project, study, "table1", actor=A)
    with pytest.raises(PermissionDenied):
        extraction.reconcile_study(project, study, "table1", actor=VIEW, take={"methods": B})
    final = extraction.reconcile_study(project, study, "table1", actor=ADJ, take={"methods": B}, note="B is fuller")
    assert final["methods"] == "Taped clinical sessions" and final["country"] == "United States"
    with pytest.raises(Conflict, match="reconciled"):
        extraction.save_entry(project, study, "table1", {"methods": "x"}, person=A)
    assert extraction.study_form(project, study, "table1", VIEW).state == "reconciled"
    table = extraction.studies_table(project, "table1", viewer=VIEW)
    assert table.key == "studies" and table.columns[:4] == ("Study", "Authors", "Year", "Country")
    assert table.rows == (
        ("Beeber and Caldwell (1996)", "Beeber & Caldwell", "1996", "United States", "", "Taped clinical sessions", "", "", ""),
    )
    with project.store.read() as session:
        actions = [e.action for e in list_events(session, project.id) if e.action.startswith(("form.", "study."))]
    assert actions == ["study.add", "form.add", "form.entry", "form.entry", "form.reconcile"]


def test_a_final_record_can_be_written_directly_and_required_fields_are_enforced(project: Project) -> None:
    _table1_study(project)
    with pytest.raises(UserError, match="required field"):
        extraction.reconcile_study(project, "Beeber and Caldwell (1996)", "table1", actor=A, set_values={"authors": "B & C"})
    values = {"authors": "Beeber & Caldwell", "year": "1996", "country": "USA"}
    final = extraction.reconcile_study(project, "Beeber and Caldwell (1996)", "table1", actor=A, set_values=values)
    assert final["year"] == 1996
    with project.store.read() as session:
        assert session.scalar(select(func.count()).select_from(FormFinal)) == 1


def test_bad_values_and_a_third_extractor_change_nothing(project: Project) -> None:
    _table1_study(project)
    study = "Beeber and Caldwell (1996)"
    with pytest.raises(UserError, match="year: 'nineteen' is not a number"):
        extraction.save_entry(project, study, "table1", {"authors": "X", "year": "nineteen"}, person=A)
    with pytest.raises(UserError, match="unknown field"):
        extraction.save_entry(project, study, "table1", {"colour": "red"}, person=A)
    with pytest.raises(UserError, match="required field"):
        extraction.save_entry(project, study, "table1", {"authors": "X"}, person=A, submit=True)
    with project.store.read() as session:
        assert session.scalar(select(func.count()).select_from(FormEntry)) == 0
        assert not [e for e in list_events(session, project.id) if e.action == "form.entry"]
    extraction.save_entry(project, study, "table1", {"authors": "X"}, person=A)
    extraction.save_entry(project, study, "table1", {"authors": "Y"}, person=B)
    with pytest.raises(Conflict, match="already has the 2 entries"):
        extraction.save_entry(project, study, "table1", {"authors": "Z"}, person=ADJ)
    with pytest.raises(PermissionDenied):
        extraction.save_entry(project, study, "table1", {"authors": "Z"}, person=VIEW)


def test_a_single_extractor_shows_in_table_1_two_unreconciled_do_not(project: Project) -> None:
    extraction.add_form(project, "t1", template="review001-table1", actor=A)
    studies.add_study(project, "[21] Andreasson and Skärsäter (2012)", number=21, actor=A)
    studies.add_study(project, "[22] Borg and Kristiansen (2004)", number=22, actor=A)
    extraction.save_entry(project, "[21]", "t1", {"country": "Sweden", "aim": "To describe care"}, person=A, submit=True)
    for person, aim in ((A, "To explore"), (B, "To explore helping relationships")):
        extraction.save_entry(project, "22", "t1", {"country": "Norway", "aim": aim}, person=person, submit=True)
    table = extraction.studies_table(project)
    assert [row[:3] for row in table.rows] == [
        ("[21] Andreasson and Skärsäter (2012)", "Sweden", "To describe care"),
        ("[22] Borg and Kristiansen (2004)", "", ""),
    ]
    assert any("not reconciled: [21]" in n for n in table.notes)


def test_appraisal_with_casp_and_a_custom_checklist(project: Project) -> None:
    studies.add_study(project, "Cohen (1998)", actor=A)
    casp = extraction.add_form(project, "casp", template="casp-qualitative", actor=A)
    assert casp.kind == "appraisal" and len([f for f in casp.fields if f.key.startswith("q")]) == 10
    answers = {f"q{i}": "Yes" for i in range(1, 10)} | {"q6": "Can't tell", "q7": "no"}
    for person in (A, B):
        extraction.save_entry(project, "Cohen (1998)", "casp", answers, person=person, submit=True)
    assert all(c.agreed for c in extraction.compare(project, "Cohen (1998)", "casp", A))
    extraction.reconcile_study(project, "Cohen (1998)", "casp", actor=A)
    table = extraction.appraisal_table(project, "casp")
    assert table.columns[:3] == ("Study", "Q1", "Q2") and table.columns[-1] == "Summary"
    assert table.rows[0][-1] == "Yes 7 · No 1 · Can't tell 1"
    custom = extraction.add_form(project, "mine", fields_file=FIXTURES / "extraction" / "custom_checklist.toml", actor=A)
    assert custom.kind == "appraisal" and [f.type for f in custom.fields] == ["yes_no_unclear", "yes_no_unclear", "choice"]
    assert [f.name for f in extraction.list_forms(project, "appraisal")] == ["casp", "mine"]
    with pytest.raises(UserError, match="'casp' is an appraisal form, not an extraction form"):
        extraction.studies_table(project, "casp")


def test_forms_from_a_fields_file_and_refusals(project: Project, tmp_path: Path) -> None:
    form = extraction.add_form(project, "custom", fields_file=FIXTURES / "extraction" / "custom_form.json", actor=A)
    assert [f.key for f in form.fields] == ["aim", "sample", "design"] and form.kind == "extraction"
    with pytest.raises(Conflict):
        extraction.add_form(project, "custom", template="qualitative", actor=A)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"key": "x", "type": "colour"}]', encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.json: field 1: field 'x' has unknown type 'colour'"):
        extraction.add_form(project, "bad", fields_file=bad, actor=A)
    broken = tmp_path / "broken.json"
    broken.write_text('[\n{"key": "x",\n}', encoding="utf-8")
    with pytest.raises(UserError, match=r"broken.json:3: not valid JSON"):
        extraction.add_form(project, "broken", fields_file=broken, actor=A)
    with pytest.raises(UserError, match="no built-in template"):
        extraction.add_form(project, "nope", template="nope", actor=A)
    plain = extraction.add_form(project, "plain", fields=[{"key": "aim", "type": "long_text"}], actor=A)
    assert plain.fields[0].label == "Aim" and plain.kind == "extraction"
    with pytest.raises(UserError, match="either --template"):
        extraction.add_form(project, "two", template="qualitative", fields=[{"key": "aim"}], actor=A)


def test_three_people_saving_at_once_leave_two_entries(project: Project) -> None:
    _table1_study(project)
    add_member(project, "c@x.org", role="reviewer")
    barrier = threading.Barrier(3, timeout=60)
    outcome: dict[str, str] = {}

    def save(who: str) -> None:
        barrier.wait()
        try:
            extraction.save_entry(project, "Beeber and Caldwell (1996)", "table1", {"authors": who}, person=who)
            outcome[who] = "saved"
        except Conflict:
            outcome[who] = "refused"

    threads = [threading.Thread(target=save, args=(who,)) for who in (A, B, "c@x.org")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcome.values()) == ["refused", "saved", "saved"]
    with project.store.read() as session:
        assert session.scalar(select(func.count()).select_from(FormEntry)) == 2
