"""The study, form, extract and appraise commands as a user runs them (real `qes` processes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qes.services import extraction
from qes.services.importing import import_file
from qes.services.project import init_project
from qes.services.protocol import add_criterion, add_stage
from qes.services.screening import decide
from qes.services.users import add_member
from support import FIXTURES, run_qes

RIS = FIXTURES / "extraction" / "three_studies.ris"
A, B = "ea@x.org", "ss@x.org"


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Set up in-process (the commands under test run as processes): a team, a stage, three includes, two forms."""
    root = tmp_path_factory.mktemp("cli") / "review"
    owner = "cli-tester@example.org"
    project = init_project(root, actor=owner)
    try:
        import_file(project, RIS, source="PsycINFO (Ovid)")
        for email, role in ((owner, "owner"), (A, "reviewer"), (B, "reviewer")):
            add_member(project, email, role=role)
        add_criterion(project, "E1", "Not qualitative", inclusion=False)
        add_stage(project, "fulltext", kind="fulltext", reviewers=1)
        for record in (1, 2, 3):
            decide(project, "fulltext", record, A, "include")
        extraction.add_form(project, "table1", template="review000-table1", actor=owner)
        extraction.add_form(project, "casp", template="casp-qualitative", actor=owner)
    finally:
        project.close()
    return root


def test_studies_from_screening_then_listed(review: Path) -> None:
    added = run_qes("study", "from-screening", "--json", cwd=review)
    assert added.returncode == 0, added.stderr
    assert [s["label"] for s in json.loads(added.stdout)] == [
        "Beeber and Caldwell (1996)",
        "Goodman et al. (2014)",
        "Cohen (1998)",
    ]
    assert run_qes("study", "add", "Hem and Pettersen (2011)", "--number", "9", cwd=review).returncode == 0
    listed = json.loads(run_qes("study", "list", "--json", cwd=review).stdout)
    assert [(s["position"], s["number"]) for s in listed][-1] == (4, 9)
    again = run_qes("study", "add", "Hem and Pettersen (2011)", cwd=review)
    assert again.returncode == 2 and "already a study" in again.stderr and "Traceback" not in again.stderr


def test_two_extractors_compare_and_reconcile(review: Path, tmp_path: Path) -> None:
    study = "Cohen (1998)"
    base = ("--set", "authors=Cohen", "--set", "country=USA", "--submit")
    first = run_qes("extract", study, "--form", "table1", *base, "--set", "year=1998", "--as", A, cwd=review)
    assert first.returncode == 0, first.stderr
    early = run_qes("extract", "compare", study, "--form", "table1", "--as", B, cwd=review)
    assert early.returncode == 2 and "cannot compare" in early.stderr  # B is blind until B has submitted too
    entry = tmp_path / "entry.json"
    entry.write_text(json.dumps({"year": 1999, "methods": "Interviews and focus groups"}), encoding="utf-8")
    second = run_qes("extract", study, "--form", "table1", "--from-file", str(entry), *base, "--as", B, cwd=review)
    assert second.returncode == 0, second.stderr
    compared = json.loads(run_qes("extract", "compare", study, "--form", "table1", "--json", "--as", A, cwd=review).stdout)
    states = {c["key"]: c["state"] for c in compared}
    assert states["year"] == "differ" and states["methods"] == "only_one" and states["country"] == "equal"
    shown = run_qes("extract", "compare", study, "--form", "table1", "--as", A, cwd=review)
    assert "differ" in shown.stdout and "To decide: year, methods" in shown.stdout
    refused = run_qes("extract", "reconcile", study, "--form", "table1", "--take", "year=" + A, "--as", A, cwd=review)
    assert refused.returncode == 2 and "differ on methods" in refused.stderr
    done = run_qes(
        "extract", "reconcile", study, "--form", "table1", "--take", "year=" + A, "--take", "methods=" + B,
        "--note", "checked the paper", "--json", "--as", A, cwd=review,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["year"] == 1998 and json.loads(done.stdout)["country"] == "United States"
    out = tmp_path / "entries.csv"
    exported = run_qes("extract", "export", "--form", "table1", "--format", "csv", "--out", str(out), "--as", A, cwd=review)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["person"], r["year"]) for r in rows] == [(A, "1998"), (B, "1999"), ("final", "1998")]


def test_appraise_with_casp_and_bad_input(review: Path) -> None:
    answers = [arg for i in range(1, 10) for arg in ("--set", f"q{i}=yes")]
    result = run_qes("appraise", "Goodman et al. (2014)", *answers, "--submit", "--as", A, cwd=review)
    assert result.returncode == 0, result.stderr
    assert "submitted" in result.stdout
    bad = run_qes("appraise", "Goodman et al. (2014)", "--set", "q1=perhaps", "--as", B, cwd=review)
    assert bad.returncode == 2 and "q1: 'perhaps' is not one of Yes, No, Can't tell" in bad.stderr
    malformed = run_qes("extract", "Cohen (1998)", "--set", "year", "--as", B, cwd=review)
    assert malformed.returncode == 2 and "--set takes KEY=VALUE" in malformed.stderr
    shown = json.loads(run_qes("form", "show", "casp", "--json", cwd=review).stdout)
    assert shown["kind"] == "appraisal" and len(shown["fields"]) == 11
    forms = json.loads(run_qes("form", "list", "--json", cwd=review).stdout)
    assert [f["name"] for f in forms] == ["table1", "casp"]
