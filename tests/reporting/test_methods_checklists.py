"""Methods paragraphs and checklists from a facts dict: what the project holds is said, nothing else."""

from __future__ import annotations

from typing import Any

from qes.reporting.checklists import CHECKLISTS, EMERGE, ENTREQ, assess
from qes.reporting.methods import count_words, listing, methods_paragraphs
from qes.reporting.review_report import checklist_table


def source(name: str, database: str, interface: str, searched: str, hits: int) -> dict[str, Any]:
    return {"name": name, "database": database, "interface": interface, "searched": searched, "strategy": "recipr*",
            "hits": hits, "records": hits, "kind": "database"}  # fmt: skip


def facts(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "question": "How is reciprocity conceptualised?",
        "software": "qes 0.1.0",
        "sources": [
            source("PsycINFO (Ovid)", "PsycINFO", "Ovid", "2015-02-10", 3000),
            source("CINAHL", "CINAHL", "EBSCO", "2015-02-12", 2188),
        ],
        "prisma": {"database_results": 5188, "records_screened": 5188, "duplicates": 0, "dbr_assessed": 21, "other_assessed": 0,
                   "dbr_excluded": [{"reason": "Not a dyadic relationship", "n": 10}], "other_excluded": [], "total_studies": 11,
                   "automation": [], "recorded": {}},
        "criteria": [{"code": "E1", "kind": "exclusion", "text": "Not a dyadic relationship"}],
        "stages": [{"name": "abstracts", "kind": "abstracts", "reviewers": 2, "blind": True,
                    "agreement": {"pairs": [{"kappa": 0.74, "kappa_ci_low": 0.6, "kappa_ci_high": 0.88, "n": 459}]}}],
        "members": [
            {"email": "sp@x.org", "name": "SP", "role": "adjudicator"},
            {"email": "ea@x.org", "name": "EA", "role": "reviewer"},
        ],
        "synthesis": {"forms": [], "codes": 0, "segments": 0},
        "tables": [],
        "report_text": {},
    }  # fmt: skip
    return base | changes


def test_methods_state_sources_dates_numbers_and_agreement() -> None:
    paragraphs = dict(methods_paragraphs(facts()))
    assert paragraphs["Searches"].startswith(
        "Sources searched: PsycINFO (Ovid) and CINAHL (EBSCO) between 2015-02-10 and 2015-02-12."
    )
    assert "5,188 hits (PsycINFO (Ovid) 3,000 and CINAHL (EBSCO) 2,188)" in paragraphs["Searches"]
    screening = paragraphs["Screening and selection"]
    assert "two reviewers, independently and blind" in screening and "resolved by SP" in screening
    assert "Cohen's κ = 0.74, 95% CI 0.60 to 0.88, over 459 records" in screening
    assert "Of 21 full texts assessed, 10 were excluded (10 not a dyadic relationship) and 11 studies were included." in screening
    assert "Coding and synthesis" not in paragraphs  # nothing coded: nothing said
    recorded = facts(prisma={**facts()["prisma"], "recorded": {"database_results": "not imported"}})
    assert "recorded; the records themselves were not imported" in dict(methods_paragraphs(recorded))["Searches"]


def test_checklists_have_their_published_item_counts_and_mark_what_is_missing() -> None:
    assert len(ENTREQ) == 21 and len(EMERGE) == 19 and set(CHECKLISTS) == {"ENTREQ", "eMERGe"}
    assert [i.number for i in ENTREQ] == list(range(1, 22)) and [i.number for i in EMERGE] == list(range(1, 20))
    results = {r.number: r for r in assess("ENTREQ", facts())}
    assert results[1].met and results[5].met and results[6].met and results[7].met
    assert not results[8].met and results[8].where == "still missing: extract study characteristics (Table 1)"
    assert not results[3].met  # only the authors can say whether the search was pre-planned
    written = {r.number: r for r in assess("ENTREQ", facts(report_text={"searching": "Pre-planned, comprehensive."}))}
    assert written[3].met
    no_strategy = facts(sources=[{**facts()["sources"][0], "strategy": ""}])
    assert not {r.number: r for r in assess("ENTREQ", no_strategy)}[6].met
    table = checklist_table("ENTREQ", assess("ENTREQ", facts()))
    assert len(table.rows) == 21 and table.title.startswith("ENTREQ checklist (")


def test_words_and_lists() -> None:
    assert count_words(2) == "two" and count_words(12) == "12"
    assert listing(["a"]) == "a" and listing(["a", "b"]) == "a and b" and listing(["a", "b", "c"]) == "a, b and c"
