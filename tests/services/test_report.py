"""Reporting services on SQLite and PostgreSQL: PRISMA counts with recorded numbers, the search log,
excluded full texts, included studies, the methods text, checklists and the review report."""

from __future__ import annotations

import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from qes.errors import PermissionDenied, UserError
from qes.formats.registry import read_text
from qes.services.prisma import prisma_counts, record_prisma_numbers
from qes.services.project import Project
from qes.services.report import excluded_table, export_included, report_table, search_log_table, write_prisma
from qes.services.review import build_review, checklist_results, review_facts, write_review
from qes.services.studies import add_study, link_report
from qes.store.events import list_events
from reporting_setup import OWNER, STRATEGY, A, record_ids, screen_through, small_review


@pytest.fixture
def review(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = small_review(tmp_path / "review", db_url)
    screen_through(p)
    yield p
    p.close()


def test_search_log_lists_each_source_with_its_prisma_s_fields(review: Project) -> None:
    table = search_log_table(review)
    assert table.columns == ("database", "interface", "date searched", "strategy", "hits reported", "records imported")
    assert table.rows == (("PsycINFO", "Ovid", "2015-02-10", STRATEGY, "12", "10"),)
    assert report_table(review, "search-log") == table


def test_excluded_full_texts_carry_their_reasons(review: Project) -> None:
    table = excluded_table(review)
    assert [row[2] for row in table.rows] == [
        "Not about a dyadic professional–service-user relationship",
        "Peer or caregiver relationship",
    ]
    assert table.rows[0][0] == "Author3 (2003)" and "grounded theory" in table.rows[0][1]


def test_prisma_counts_take_recorded_numbers_marked_as_such(review: Project) -> None:
    derived = prisma_counts(review)
    assert derived["records_screened"] == 10 and derived["dbr_assessed"] == 4 and derived["new_studies"] == 2
    assert derived["recorded"] == {}
    record_prisma_numbers(
        review,
        {"database_results": "5,587", "previous_studies": 3, "previous_reports": 4},
        note="searched 2013; records not kept",
    )
    counts = prisma_counts(review)
    assert counts["database_results"] == 5587 and counts["records_screened"] == 10  # only what was recorded changes
    assert counts["total_studies"] == 5 and counts["total_reports"] == 6  # previous version added to the totals
    assert counts["recorded"] == {
        k: "searched 2013; records not kept" for k in ("database_results", "previous_studies", "previous_reports")
    }
    with review.store.read() as session:
        events = list_events(session, review.id, action_prefix="prisma.record")
    assert len(events) == 1 and events[0].why == "searched 2013; records not kept"
    record_prisma_numbers(review, {"database_results": None}, note="")
    assert prisma_counts(review)["database_results"] == 10 and "database_results" not in prisma_counts(review)["recorded"]
    with pytest.raises(UserError, match="needs a note"):
        record_prisma_numbers(review, {"records_screened": 5}, note=" ")
    with pytest.raises(UserError, match="not a PRISMA count"):
        record_prisma_numbers(review, {"screened": 5}, note="x")
    with pytest.raises(UserError, match="not a whole number"):
        record_prisma_numbers(review, {"records_screened": "many"}, note="x")
    record_prisma_numbers(review, {"dbr_excluded": [{"reason": "Wrong population", "n": 35}]}, note="paper, p. 3")
    assert prisma_counts(review)["dbr_excluded"] == [{"reason": "Wrong population", "n": 35}]


def test_prisma_outputs_json_and_diagram_agree(review: Project) -> None:
    out = io.StringIO()
    write_prisma(review, "json", out)
    assert json.loads(out.getvalue())["dbr_assessed"] == 4
    svg = io.StringIO()
    write_prisma(review, "svg", svg)
    root = ET.fromstring(svg.getvalue())
    text = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")).replace("\u00a0", " ")
    assert "Records screened (n = 10)" in text and "Reports assessed for eligibility (n = 4)" in text
    png = io.BytesIO()
    write_prisma(review, "png", png)
    assert png.getvalue().startswith(b"\x89PNG")
    with pytest.raises(UserError):
        write_prisma(review, "gif", io.BytesIO())


def test_included_studies_export_reads_back(review: Project) -> None:
    for fmt in ("ris", "bibtex", "csv"):
        out = io.StringIO()
        assert export_included(review, fmt, out) == 2
        records = read_text(out.getvalue(), fmt="csv" if fmt == "csv" else None)
        assert sorted(r.year for r in records) == [2001, 2002]


def test_methods_text_and_checklists_state_the_projects_facts(review: Project) -> None:
    facts = review_facts(review)
    report = build_review(review)
    methods = dict(report.methods)
    searches = methods["Searches"]
    assert "Sources searched: PsycINFO (Ovid) on 2015-02-10" in searches and "12 hits" in searches and "10 records" in searches
    screening_text = methods["Screening and selection"]
    assert "two reviewers, independently and blind" in screening_text and "Cohen's κ = 1.00" in screening_text
    assert "Of 4 full texts assessed, 2 were excluded" in screening_text and "2 studies were included" in screening_text
    results = checklist_results(facts)
    assert len(results["ENTREQ"]) == 21 and len(results["eMERGe"]) == 19
    entreq = {r["number"]: r for r in results["ENTREQ"]}
    assert entreq[4]["met"] and entreq[6]["met"] and entreq[7]["met"] and entreq[9]["met"]
    assert not entreq[17]["met"] and entreq[17]["where"].startswith("still missing")
    assert not entreq[8]["met"]  # no Table 1 yet


def test_review_report_html_and_docx(review: Project) -> None:
    html = io.StringIO()
    write_review(review, "html", html)
    text = html.getvalue()
    assert "<svg" in text and "Records screened (n\u00a0=\u00a010)" in text
    assert "Search log (PRISMA-S)" in text and "ENTREQ checklist" in text and "eMERGe checklist" in text
    out = io.BytesIO()
    write_review(review, "docx", out)
    document = docx.Document(io.BytesIO(out.getvalue()))
    assert len(document.inline_shapes) == 1  # the diagram, as PNG
    titles = [t.rows[0].cells[0].text for t in document.tables]
    assert titles.count("item") == 2 and "study" in titles and "database" in titles
    entreq = next(t for t in document.tables if len(t.rows) == 22)
    assert entreq.rows[1].cells[1].text == "Aim"


def test_studies_with_several_reports_count_once_as_studies(review: Project) -> None:
    first, second = record_ids(review)[:2]
    add_study(review, "Author1 (2001)", record_id=first, actor=OWNER)
    link_report(review, "Author1 (2001)", second, actor=OWNER)
    counts = prisma_counts(review)
    assert counts["new_studies"] == 1 and counts["new_reports"] == 2


def test_only_owners_and_adjudicators_record_prisma_numbers(review: Project) -> None:
    with pytest.raises(PermissionDenied, match="cannot record PRISMA numbers"):
        record_prisma_numbers(dataclasses.replace(review, actor=A), {"records_screened": 5}, note="x")
    assert prisma_counts(review)["records_screened"] == 10
