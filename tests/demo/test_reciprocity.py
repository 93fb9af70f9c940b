"""`qes demo reciprocity`: review 000 rebuilt, its coding giving the paper's Table 2 cell for cell."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qes.services.coding import list_memos
from qes.services.extraction import studies_table
from qes.services.prisma import prisma_counts
from qes.services.project import opened
from qes.services.studies import list_studies
from qes.services.synthesis import characteristics_table, frequency_words, matrix_table
from support import run_qes

# Review 000 (Sandhu et al. 2015), Table 2 "Thematic concepts of reciprocity in professional mental
# health care relationships", copied from the paper: one row per study, one column per concept.
T = "✓"
TABLE_2 = {
    "Beeber and Caldwell (1996)": (T, T, "", ""),
    "Berggren and Gunnarsson (2010)": (T, T, "", T),
    "Cohen (1998)": (T, "", "", ""),
    "D'Antonio (2004)": (T, "", "", ""),
    "Eriksen et al. (2013)": ("", T, T, T),
    "Eriksen et al. (2012)": ("", "", "", T),
    "Goodman et al. (2014)": (T, T, "✓ (in part)", ""),
    "Hem and Pettersen (2011)": (T, T, T, T),
    "McCann and Clark (2004)": (T, "", T, ""),
    "Pettersen and Hem (2011)": (T, T, T, ""),
    "Rugkasa et al. (2014)": (T, "", "", ""),
}
CONCEPTS = ("Dynamic equilibrium", "Shared affect", "Asymmetric alliance", "Recognition as a fellow human being")
# The paper's words for how many studies hold each concept (Results, first sentence of each theme).
WORDS = {"Dynamic equilibrium": "most", "Shared affect": "over half", "Asymmetric alliance": "under half",
         "Recognition as a fellow human being": "four studies"}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reciprocity") / "review"
    result = run_qes("demo", "reciprocity", "--project", str(root), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["studies"], info["documents"]) == (11, 11)
    return root


def test_matrix_equals_table_2_cell_for_cell(demo: Path) -> None:
    with opened(demo, actor="demo@qes.local") as project:
        table = matrix_table(project)
    assert table.columns == ("study", *CONCEPTS)
    assert {row[0]: row[1:] for row in table.rows} == TABLE_2
    assert [row[0] for row in table.rows] == list(TABLE_2)  # Table 2's order


def test_frequency_words_are_the_papers(demo: Path) -> None:
    with opened(demo, actor="demo@qes.local") as project:
        words = {w["theme"]: w["word"] for w in frequency_words(project)}
    assert words == WORDS


def test_report_matrix_csv(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "matrix.csv"
    result = run_qes("report", "matrix", "--format", "csv", "--out", str(out), "--project", str(demo))
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["study", *CONCEPTS]
    assert {r[0]: tuple(r[1:]) for r in rows[1:]} == TABLE_2


def test_screening_counts_and_table_1(demo: Path) -> None:
    with opened(demo, actor="demo@qes.local") as project:
        counts = prisma_counts(project)
        table = studies_table(project)
    assert counts["records_screened"] == 5188
    assert counts["dbr_assessed"] == 21
    assert counts["new_studies"] == 11
    assert len(table.rows) == 11
    cells = {cell for row in table.rows for cell in row}
    # Cells as printed in the paper's Table 1.
    assert "Secondary source – daily diaries from male lay superintendents of an Asylum from 1814–1840" in cells
    assert "48 community mental health professionals" in cells


def test_table_2_discrepancies_are_memos(demo: Path) -> None:
    with opened(demo, actor="demo@qes.local") as project:
        memos = list_memos(project)
        labels = {s.id: s.label for s in list_studies(project)}
    on_studies = {labels[m["target_id"]]: m["text"] for m in memos if m["target"] == "study"}
    assert "Table 2" in on_studies["Pettersen and Hem (2011)"]  # cited in the text, not ticked in Table 2
    assert "in part" in on_studies["Goodman et al. (2014)"]
    assert any(m["target"] == "segment" and "Hem and Pettersen (2011)" in m["text"] for m in memos)


def test_countries_tabulated_as_the_paper_counts_them(demo: Path) -> None:
    # "the majority of which were from Norway (4) and the USA (4), with the remaining three papers
    # comprising of one study each from Australia, England, and Sweden" (Results, study characteristics)
    with opened(demo, actor="demo@qes.local") as project:
        table = characteristics_table(project, "country")
    assert {row[0]: int(row[1]) for row in table.rows} == {"Norway": 4, "USA": 4, "Australia": 1, "England": 1, "Sweden": 1}


def test_if_missing_reuses_the_project_as_make_run_does(demo: Path) -> None:
    again = run_qes("demo", "reciprocity", "--project", str(demo), "--if-missing", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["created"] is False
    refused = run_qes("demo", "reciprocity", "--project", str(demo))
    assert refused.returncode == 2 and "already a qes project" in refused.stderr


def test_search_is_the_method_s_blocks_logged_for_the_five_databases(demo: Path) -> None:
    """The Method: recipr* AND (psychiatr* OR mental* ...), run in Medline (ProQuest), CINAHL (EBSCO) and
    PsycINFO, Embase and AMED (Ovid) in February 2015; each run holds the strategy in its interface's syntax."""
    from qes.search import translate
    from qes.services.search_log import search_log
    from qes.services.strategies import get_strategy

    with opened(demo, actor="demo@qes.local") as project:
        runs = search_log(project)
        saved = get_strategy(project, "main")
    assert [(r.database, r.interface, r.syntax) for r in runs] == [
        ("Medline", "ProQuest", "proquest"),
        ("CINAHL", "EBSCO", "ebsco"),
        ("PsycINFO", "Ovid", "ovid"),
        ("Embase", "Ovid", "ovid"),
        ("Allied and Complementary Medicine Database (AMED)", "Ovid", "ovid"),
    ]
    assert {r.date.isoformat() for r in runs} == {"2015-02-28"} and all(r.hits_reported is None for r in runs)
    assert "recipr*" in saved.text and "schizophren*" in saved.text
    for run in runs:  # each run holds exactly the saved strategy translated for its interface
        assert (run.strategy, run.version) == ("main", 1)
        assert run.strategy_text == translate(saved.text, saved.syntax, run.syntax).text
