"""`qes grid`, `qes synthesis`, `qes finding` as a user runs them (real `qes` processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qes.services.project import init_project
from qes.services.users import add_member
from support import OWNER, run_qes
from synthesis_setup import BEEBER, synthesis_project

CLI_USER = "cli-tester@example.org"  # run_qes acts as this person


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "review"
    project = init_project(root, actor=OWNER[0])
    try:
        add_member(project, OWNER[0], role="owner")
        add_member(project, CLI_USER, role="reviewer")
    finally:
        project.close()
    synthesis_project(root)
    return root


def qes(review: Path, *args: str) -> str:
    result = run_qes(*args, "--project", str(review))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_grid_set_and_show(review: Path) -> None:
    out = qes(review, "grid", "set", "Trust/Listen", BEEBER, "--text", "she listened", "--reciprocal", "--segment", "1")
    assert "Listen × Beeber and Caldwell (1996) (reciprocal): she listened" in out
    shown = json.loads(qes(review, "grid", "show", "--json"))
    assert [(c["concept"], c["relation"], c["segment_ids"]) for c in shown["cells"]] == [("Listen", "reciprocal", [1])]
    assert [c["name"] for c in shown["concepts"]] == ["Listen", "Being there"]


def test_grid_refusals_are_one_line_exit_2(review: Path) -> None:
    both = run_qes("grid", "set", "Listen", BEEBER, "--text", "x", "--reciprocal", "--refutational", "--project", str(review))
    assert both.returncode == 2 and "not both" in both.stderr and "Traceback" not in both.stderr
    wrong = run_qes("grid", "set", "Listen", BEEBER, "--text", "x", "--segment", "2", "--project", str(review))
    assert wrong.returncode == 2 and wrong.stderr.strip().count("\n") == 0 and "not from a document of" in wrong.stderr


def test_synthesis_set_and_show(review: Path) -> None:
    qes(review, "synthesis", "set", "line_of_argument", "Being known", "--text", "Known and trusted.", "--concept", "Trust")
    shown = json.loads(qes(review, "synthesis", "show", "--json"))
    assert shown["syntheses"][0]["concepts"] == ["Trust"]
    assert [f["word"] for f in shown["frequency"]] == ["half", "half"]
    assert "Trust: half (1 of 2 studies)" in qes(review, "synthesis", "show")


def test_finding_add_set_list(review: Path) -> None:
    added = json.loads(qes(review, "finding", "add", "--statement", "Listening helps", "--study", BEEBER, "--json"))
    assert added["number"] == 1 and added["studies"] == [BEEBER]
    refused = run_qes("finding", "set", "1", "--component", "coherence=minor", "--project", str(review))
    assert refused.returncode == 2 and "explanation" in refused.stderr
    components = ["methodological_limitations=no_or_very_minor", "coherence=minor:one study words it differently",
                  "adequacy=moderate:two passages", "relevance=no_or_very_minor"]  # fmt: skip
    args = [a for c in components for a in ("--component", c)]
    qes(review, "finding", "set", "1", *args, "--overall", "moderate", "--why", "thin data")
    listed = json.loads(qes(review, "finding", "list", "--json"))
    assert listed[0]["overall"] == "moderate" and listed[0]["components"]["adequacy"]["explanation"] == "two passages"
    assert "overall: moderate" in qes(review, "finding", "list")
