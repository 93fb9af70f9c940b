"""Synthesis services on SQLite and PostgreSQL: the matrix from the coding, the translation grid,
lines of argument, CERQual findings, tabulations; roles, events, one transaction per write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coding_setup import OWNER, VIEW, A, coding_project
from qes.errors import NotFound, PermissionDenied, UserError
from qes.services import codebook, coding, synthesis
from qes.services.extraction import add_form, reconcile_study
from qes.services.project import Project
from qes.services.studies import add_study
from qes.store.events import list_events

BEEBER, GOODMAN = "Beeber and Caldwell (1996)", "Goodman et al. (2014)"
ONE, TWO = 1, 2  # coding_project's two documents: Beeber's, then Goodman's


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = coding_project(tmp_path / "review", db_url)
    codebook.add_code(p, "Trust", kind="theme")
    codebook.add_code(p, "Time", kind="theme")
    codebook.add_code(p, "Listen", parent="Trust", kind="concept")
    codebook.add_code(p, "Sharing", parent="Time", kind="concept")
    yield p
    p.close()


def _events(p: Project, prefix: str) -> list[str]:
    with p.store.read() as session:
        return [e.action for e in list_events(session, p.id, action_prefix=prefix)]


def test_matrix_from_final_coding(project: Project) -> None:
    coding.code_segment(project, ONE, ["Trust/Listen"], find="She listened to me", order="first", actor=A)
    coding.code_segment(project, TWO, ["Time"], find="He was there for me", in_part=True, actor=A)
    add_study(project, "Cohen (1998)")  # a study nothing is coded for: an empty row
    table = synthesis.matrix_table(project, viewer=VIEW)
    assert table.columns == ("study", "Trust", "Time")
    assert table.rows == ((BEEBER, "✓", ""), (GOODMAN, "", "✓ (in part)"), ("Cohen (1998)", "", ""))
    assert table.key == "matrix"
    words = synthesis.frequency_words(project, viewer=VIEW)
    assert words == [{"theme": "Trust", "studies": 1, "of": 3, "word": "one study"},
                     {"theme": "Time", "studies": 1, "of": 3, "word": "one study"}]  # fmt: skip
    with pytest.raises(PermissionDenied):
        synthesis.matrix_table(project, viewer="stranger@x.org")


def test_grid_cells_link_segments_of_their_study(project: Project) -> None:
    seg = coding.code_segment(project, ONE, ["Trust/Listen"], find="She listened to me", actor=A)
    other = coding.code_segment(project, TWO, ["Time"], find="He was there for me", actor=A)
    cell = synthesis.set_grid_cell(
        project, "Listen", BEEBER, text="She listened", relation="reciprocal", segment_ids=[seg.id], actor=A
    )
    assert (cell.concept, cell.study, cell.relation, cell.segment_ids) == ("Listen", BEEBER, "reciprocal", [seg.id])
    again = synthesis.set_grid_cell(project, "Trust/Listen", BEEBER, text="listened to me", relation="refutational", actor=A)
    assert again.relation == "refutational" and again.segment_ids == []
    with pytest.raises(UserError, match="not from a document of"):
        synthesis.set_grid_cell(project, "Listen", BEEBER, text="x", segment_ids=[other.id], actor=A)
    with pytest.raises(NotFound):
        synthesis.set_grid_cell(project, "Listen", BEEBER, text="x", segment_ids=[9999], actor=A)
    with pytest.raises(UserError, match="relation"):
        synthesis.set_grid_cell(project, "Listen", BEEBER, text="x", relation="opposite", actor=A)
    with pytest.raises(PermissionDenied):
        synthesis.set_grid_cell(project, "Listen", BEEBER, text="x", actor=VIEW)
    view = synthesis.grid_view(project, viewer=VIEW)
    assert [c.name for c in view.concepts] == ["Listen", "Sharing"]
    assert [(c.concept, c.text) for c in view.cells] == [("Listen", "listened to me")]
    table = synthesis.grid_table(project, viewer=VIEW)
    assert table.columns == ("theme", "concept", BEEBER, GOODMAN)
    assert table.rows[0] == ("Trust", "Listen", "(X) listened to me", "")
    assert _events(project, "grid.") == ["grid.set", "grid.set"]


def test_syntheses_link_concepts_and_rewrite_by_title(project: Project) -> None:
    first = synthesis.set_synthesis(
        project, "line_of_argument", "Two dimensions", text="draft", concepts=["Trust", "Time"], actor=A
    )
    assert first.concepts == ["Trust", "Time"]
    second = synthesis.set_synthesis(project, "line-of-argument", "Two dimensions", text="final", concepts=["Listen"], actor=A)
    assert second.id == first.id and second.text == "final" and second.concepts == ["Listen"]
    synthesis.set_synthesis(project, "third_order", "Being known", text="...", actor=A)
    assert [s.title for s in synthesis.list_syntheses(project, viewer=VIEW)] == ["Two dimensions", "Being known"]
    with pytest.raises(UserError, match="kind"):
        synthesis.set_synthesis(project, "summary", "x", text="y", actor=A)
    with pytest.raises(NotFound):
        synthesis.set_synthesis(project, "narrative", "x", text="y", concepts=["Nothing"], actor=A)
    assert _events(project, "synthesis.") == ["synthesis.set"] * 3


def test_findings_follow_cerqual_rules_and_write_nothing_when_refused(project: Project) -> None:
    seg = coding.code_segment(project, TWO, ["Time"], find="He was there for me", actor=A)
    finding = synthesis.set_finding(project, statement="Being there matters", concept="Time", segment_ids=[seg.id], actor=A)
    assert finding.number == 1 and finding.studies == [GOODMAN] and finding.overall == ""
    clear = {c: ("no_or_very_minor", "") for c in ("methodological_limitations", "coherence", "relevance")}
    with pytest.raises(UserError, match="say why"):
        synthesis.set_finding(project, 1, components=clear | {"adequacy": ("serious", "one study")}, overall="low", actor=A)
    assert synthesis.list_findings(project, viewer=VIEW)[0].components == {}  # the refused write left nothing
    done = synthesis.set_finding(
        project, 1,
        components={"methodological_limitations": ("no_or_very_minor", ""), "coherence": ("no_or_very_minor", ""),
                    "adequacy": ("serious", "one study"), "relevance": ("minor", "one setting")},
        overall="low", why="serious concerns about adequacy", actor=A,
    )  # fmt: skip
    assert (done.overall, done.suggested) == ("low", "low")
    changed = synthesis.set_finding(project, 1, components={"adequacy": ("moderate", "two reports")}, overall="moderate", actor=A)
    assert changed.components["adequacy"] == {"concern": "moderate", "explanation": "two reports"}
    assert changed.components["relevance"]["concern"] == "minor"  # merged, not replaced
    assert changed.why == "serious concerns about adequacy"
    soqf = synthesis.soqf_table(project, viewer=VIEW)
    assert soqf.rows == (("1", "Being there matters", "Moderate confidence", "serious concerns about adequacy", GOODMAN),)
    profile = synthesis.evidence_profile_table(project, viewer=VIEW).as_dicts()[0]
    assert profile["Adequacy"] == "Moderate concerns: two reports"
    with pytest.raises(UserError, match="statement"):
        synthesis.set_finding(project, statement=" ", actor=A)
    with pytest.raises(NotFound):
        synthesis.set_finding(project, 7, overall="high", actor=A)
    assert len(synthesis.list_findings(project, viewer=VIEW)) == 1
    assert _events(project, "finding.") == ["finding.set"] * 3


def test_characteristics_table_counts_studies_by_final_values(project: Project) -> None:
    add_form(project, "Table 1", template="review001-table1", actor=OWNER)
    reconcile_study(project, BEEBER, "Table 1", actor=OWNER, set_values={"country": "USA", "aim": "a"})
    reconcile_study(project, GOODMAN, "Table 1", actor=OWNER, set_values={"country": "Italy, USA", "aim": "b"})
    table = synthesis.characteristics_table(project, "country", viewer=VIEW)
    assert table.rows[0] == ("United States", "2", f"{BEEBER}; {GOODMAN}")
    assert ("Italy", "1", GOODMAN) in table.rows
    with pytest.raises(NotFound):
        synthesis.characteristics_table(project, "colour", viewer=VIEW)
