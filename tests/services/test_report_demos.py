"""The PRISMA JSON and diagram of both demo projects show the published reviews' numbers:
review 000 (5,188 screened; 4,729 + 438 excluded; 21 assessed; 10 excluded; 11 included) and
review 001 (5,587 identified and screened; 142 → 56 assessed; 35 excluded; 21 included)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import docx
import pytest

from qes.demo.helpful_relationships import build_helpful_relationships
from qes.demo.reciprocity import build_reciprocity
from qes.reporting.prisma_diagram import layout
from qes.reporting.prisma_draw import draw_bytes, to_svg
from qes.services.prisma import prisma_counts
from qes.services.project import Project, opened
from qes.services.review import write_review
from qes.services.users import list_members


def _svg_text(counts: dict) -> str:  # type: ignore[type-arg]
    root = ET.fromstring(to_svg(layout(counts)))
    return " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")).replace("\u00a0", " ")


def _as_owner(p: Project) -> Project:
    p.actor = next(m for m in list_members(p) if m.role == "owner").email
    return p


@pytest.fixture(scope="module")
def reciprocity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("demo") / "reciprocity"
    build_reciprocity(root)
    with opened(root) as p:
        yield _as_owner(p)


@pytest.fixture(scope="module")
def helpful(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("demo") / "helpful"
    build_helpful_relationships(root)
    with opened(root) as p:
        yield _as_owner(p)


def test_review_000_numbers(reciprocity: Project) -> None:
    c = prisma_counts(reciprocity)
    assert c["records_screened"] == 5188 and c["records_excluded"] == 4729 + 438
    assert c["stages"]["titles"]["exclude"] == 4729 and c["stages"]["abstracts"]["exclude"] == 438
    assert c["dbr_assessed"] == 21 and c["new_studies"] == 11
    assert [e["n"] for e in c["dbr_excluded"]] == [10]
    assert "dyadic professional–service-user relationship" in c["dbr_excluded"][0]["reason"]
    text = _svg_text(c)
    for shown in ("Records screened (n = 5,188)", "Records excluded (n = 5,167)", "on titles: 4,729 of 5,188",
                  "on abstracts: 438 of 459", "Reports assessed for eligibility (n = 21)", "Reports excluded (n = 10)",
                  "New studies included in review (n = 11)"):  # fmt: skip
        assert shown in text, shown


def test_review_001_numbers(helpful: Project) -> None:
    c = prisma_counts(helpful)
    assert c["database_results"] == 5587 and c["records_screened"] == 5587
    assert c["stages"]["abstracts"]["resolved"] == 142 and c["dbr_assessed"] == 56
    assert sum(e["n"] for e in c["dbr_excluded"]) == 35 and c["new_studies"] == 21
    text = _svg_text(c)
    for shown in ("Databases (n = 5,587)", "Records screened (n = 5,587)", "on abstracts: 86 of 142",
                  "Reports assessed for eligibility (n = 56)", "Reports excluded (n = 35)",
                  "New studies included in review (n = 21)"):  # fmt: skip
        assert shown in text, shown
    assert draw_bytes(layout(c), "png").startswith(b"\x89PNG")


def test_the_review_report_of_a_demo_has_table_1_with_one_row_per_study(helpful: Project) -> None:
    out = io.BytesIO()
    write_review(helpful, "docx", out)
    document = docx.Document(io.BytesIO(out.getvalue()))
    table_1 = document.tables[0]
    assert len(table_1.rows) == 1 + 21
    assert table_1.rows[1].cells[0].text.startswith("[21] Andreasson")
    html = io.StringIO()
    write_review(helpful, "html", html)
    assert "Themes × studies" in html.getvalue() or "themes" in html.getvalue().lower()
