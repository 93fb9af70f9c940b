"""The command line as a user types it: real processes, exit codes, JSON output, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import FIXTURES
from support import run_qes as qes

SMALL = FIXTURES / "import" / "small.ris"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    result = qes("init", str(tmp_path / "review"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "review"


def test_walkthrough_init_import_status_export(review: Path, tmp_path: Path) -> None:
    imported = qes("import", str(SMALL), "--source", "PsycINFO (Ovid)", "--searched", "2015-02-10", "--json", cwd=review)
    assert imported.returncode == 0, imported.stderr
    data = json.loads(imported.stdout)
    assert data["imported"] == 3 and data["warnings"] == []

    status = json.loads(qes("status", "--json", "--project", str(review)).stdout)
    assert status["records"] == 3

    listed = json.loads(qes("records", "list", "--json", "-q", "Beeber", cwd=review).stdout)
    assert listed["total"] == 1
    shown = json.loads(qes("records", "show", str(listed["records"][0]["id"]), "--json", cwd=review).stdout)
    assert shown["title"].startswith("Pattern integrations") and shown["provenance"]["file"] == "small.ris"

    out = tmp_path / "all.ris"
    exported = qes("records", "export", "--format", "ris", "--out", str(out), cwd=review)
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8").count("TY  - ") == 3


def test_found_upwards_from_a_subfolder(review: Path) -> None:
    sub = review / "files"
    result = qes("status", "--json", cwd=sub)
    assert result.returncode == 0 and json.loads(result.stdout)["records"] == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["import", str(FIXTURES / "import" / "truncated.ris"), "--source", "X"], "truncated.ris:"),
        (["import", str(FIXTURES / "import" / "binary.ris"), "--source", "X"], "binary.ris"),
        (["import", "/nonexistent/file.ris", "--source", "X"], "no such file"),
        (["records", "show", "999"], "no record 999"),
        (["records", "export", "--format", "docx"], "unknown export format"),
    ],
)
def test_user_errors_exit_2_with_one_line_and_no_traceback(review: Path, args: list[str], expected: str) -> None:
    result = qes(*args, cwd=review)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert json.loads(qes("status", "--json", cwd=review).stdout)["records"] == 0


def test_reimport_refused_then_allowed_with_again(review: Path) -> None:
    assert qes("import", str(SMALL), "--source", "A", cwd=review).returncode == 0
    refused = qes("import", str(SMALL), "--source", "A", cwd=review)
    assert refused.returncode == 2 and "--again" in refused.stderr
    assert qes("import", str(SMALL), "--source", "A", "--again", cwd=review).returncode == 0
    assert json.loads(qes("status", "--json", cwd=review).stdout)["records"] == 6


def test_outside_a_project_is_a_user_error(tmp_path: Path) -> None:
    result = qes("status", cwd=tmp_path)
    assert result.returncode == 2 and "no qes project" in result.stderr


def test_users_and_reviewers(review: Path) -> None:
    added = qes(
        "user", "add", "ea@example.org", "--password-stdin", "--name", "EA", "--json", cwd=review, stdin="correct horse battery\n"
    )
    assert added.returncode == 0, added.stderr
    short = qes("user", "add", "ss@example.org", "--password-stdin", cwd=review, stdin="short\n")
    assert short.returncode == 2 and "too short" in short.stderr
    assert qes("reviewer", "add", "ea@example.org", "--name", "EA", "--role", "reviewer", cwd=review).returncode == 0
    assert qes("reviewer", "add", "sp@example.org", "--name", "SP", "--role", "adjudicator", cwd=review).returncode == 0
    bad = qes("reviewer", "add", "x@example.org", "--role", "boss", cwd=review)
    assert bad.returncode == 2 and "unknown role" in bad.stderr
    members = json.loads(qes("reviewer", "list", "--json", cwd=review).stdout)
    assert [(m["name"], m["role"]) for m in members] == [("EA", "reviewer"), ("SP", "adjudicator")]


def test_bad_option_is_exit_2(review: Path) -> None:
    assert qes("records", "list", "--limit", "0", cwd=review).returncode == 2


def test_help_lists_every_stage_though_a_command_loads_only_its_own_module(review: Path) -> None:
    listed = qes("--help").stdout
    for command in ("import", "records", "serve", "dedupe", "screen", "report", "synthesis"):
        assert command in listed
    # A command found in a later module than the first still runs (registration stops there).
    assert qes("reviewer", "list", "--json", cwd=review).returncode == 0
    assert "qes import [OPTIONS]" in qes("import", "--help").stdout
    unknown = qes("no-such-command", cwd=review)
    assert unknown.returncode == 2 and "No such command" in unknown.stderr
