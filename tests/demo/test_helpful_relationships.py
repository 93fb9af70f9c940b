"""`qes demo helpful-relationships`: review 001 rebuilt; a study supports a theme exactly when the
paper's Results section for that theme cites it.

The expected matrix is parsed here from the paper's own text (its Table 2 for the theme names,
its Results for the citations by number), not from the demo's data file, so the demo is checked
against the paper.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qes.services.prisma import prisma_counts
from qes.services.project import opened
from qes.services.synthesis import characteristics_table, grid_view, list_findings, list_syntheses, matrix_table
from support import run_qes, shared_path

STUDIES = range(21, 42)  # the paper's references 21–41 are its 21 included studies


def _fold(name: str) -> str:
    return " ".join(w for w in name.casefold().split() if w != "a")


def _numbers(citation: str) -> set[int]:
    out: set[int] = set()
    for part in citation.split(","):
        part = part.strip()
        if m := re.fullmatch(r"(\d+)[–-](\d+)", part):
            out |= set(range(int(m[1]), int(m[2]) + 1))
        elif part.isdigit():
            out.add(int(part))
    return out & set(STUDIES)


def paper_citations() -> tuple[list[str], dict[str, set[int]]]:
    """Table 2's themes in order, and the studies each theme's Results section cites."""
    text = next(shared_path("seeds").glob("001_*.txt")).read_text(encoding="utf-8")
    after = text[text.index("Table 2 Themes and concepts/metaphors") :].splitlines()[1:]
    rows = [line for line in after if line.strip()]
    header = rows.index("Theme\tConcepts/metaphors")
    table2 = rows[header + 1 : header + 1 + next(i for i, r in enumerate(rows[header + 1 :]) if "\t" not in r)]
    themes = [line.split("\t")[0] for line in table2]
    results = text[text.index("\nResults\n") : text.index("\nOverarching Interpretation")]
    cited: dict[str, set[int]] = {}
    current = None
    for line in results.splitlines():
        if _fold(line.strip()) in {_fold(t) for t in themes}:
            current = next(t for t in themes if _fold(t) == _fold(line.strip()))
            cited[current] = set()
        elif current is not None:
            for citation in re.findall(r"\[([^\]]*\d[^\]]*)\]", line):
                cited[current] |= _numbers(citation)
    return themes, cited


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("helpful") / "review"
    result = run_qes("demo", "helpful-relationships", "--project", str(root), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["studies"] == 21
    return root


def test_matrix_equals_the_results_citations(demo: Path) -> None:
    themes, cited = paper_citations()
    assert len(themes) == 10 and len(cited) == 10
    with opened(demo, actor="demo@qes.local") as project:
        table = matrix_table(project)
    assert list(table.columns) == ["study", *themes]
    numbers = [int(re.match(r"\[(\d+)\] ", row[0])[1]) for row in table.rows]  # type: ignore[index]
    assert numbers == list(STUDIES)
    for row, number in zip(table.rows, numbers, strict=True):
        for theme, cell in zip(themes, row[1:], strict=True):
            assert (cell == "✓") == (number in cited[theme]), (number, theme, cell)
            assert cell in ("✓", "")


def test_labels_cite_by_number(demo: Path) -> None:
    with opened(demo, actor="demo@qes.local") as project:
        table = matrix_table(project)
    assert table.rows[0][0] == "[21] Andreasson and Skärsäter (2012)"


def test_screening_counts(demo: Path) -> None:
    with opened(demo, actor="demo@qes.local") as project:
        counts = prisma_counts(project)
    assert counts["records_screened"] == 5587
    assert counts["dbr_assessed"] == 56
    assert counts["new_studies"] == 21


def test_grid_line_of_argument_and_no_findings(demo: Path) -> None:
    with opened(demo, actor="demo@qes.local") as project:
        view = grid_view(project)
        texts = list_syntheses(project)
        findings = list_findings(project)
    assert len(view.concepts) == 33  # the ten themes' concepts/metaphors (Table 2)
    assert view.cells and all(c.relation == "reciprocal" and c.segment_ids for c in view.cells)
    quote = next(c for c in view.cells if c.study.startswith("[23]") and c.concept == "Affective availability")
    assert "She was there for me" in quote.text
    kinds = [t.kind for t in texts]
    assert kinds.count("line_of_argument") == 1 and kinds.count("third_order") == 2
    assert len(texts[0].concepts) == 10
    assert findings == []  # the paper makes no GRADE-CERQual assessment


def test_report_matrix_csv(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "matrix.csv"
    result = run_qes("report", "matrix", "--format", "csv", "--out", str(out), "--project", str(demo))
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("study,To know and to trust,")
    assert len(lines) == 22


def test_countries_tabulated_as_the_paper_counts_them(demo: Path) -> None:
    # "Seven studies were conducted in the USA, five in Sweden, four in the UK, one in Norway, one in
    # South Africa, one in Australia, one in Canada and finally, a multinational study" (Method)
    with opened(demo, actor="demo@qes.local") as project:
        table = characteristics_table(project, "country")
    counts = {row[0]: int(row[1]) for row in table.rows}
    assert counts == {"USA": 7, "Sweden": 5, "UK": 4, "Australia": 1, "Canada": 1, "Norway": 1, "South Africa": 1,
                      "Multinational study; Italy, USA, Sweden and Norway": 1}  # fmt: skip
