"""`qes search translate|lint|run` as real processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qes import search
from support import FIXTURES, run_qes

REVIEW000 = (
    'recipr*[tiab] AND (psychiatr*[tiab] OR mental*[tiab] OR "mental health"[tiab] OR "mental illness"[tiab] '
    'OR depress*[tiab] OR schizophren*[tiab] OR "Mental Disorders"[mh]) AND alladult[filter]'
)


@pytest.mark.parametrize("target", [s for s in search.SYNTAXES if s != "pubmed"])
def test_translate_prints_only_the_strategy_and_it_parses_back(target: str) -> None:
    out = run_qes("search", "translate", "--from", "pubmed", "--to", target, REVIEW000)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == search.translate(REVIEW000, "pubmed", target).text
    back = run_qes("search", "translate", "--from", target, "--to", "pubmed", out.stdout.strip())
    assert back.returncode == 0, back.stderr
    assert "recipr*[tiab]" in back.stdout or "recipr*[tw]" in back.stdout or "recipr[" in back.stdout


def test_translate_messages_go_to_stderr_and_json_has_both() -> None:
    out = run_qes("search", "translate", "--from", "pubmed", "--to", "scopus", REVIEW000)
    assert "Q204" in out.stderr and "Q204" not in out.stdout
    js = run_qes("search", "translate", "--from", "pubmed", "--to", "scopus", "--json", REVIEW000)
    data = json.loads(js.stdout)
    assert data["text"] == out.stdout.strip()
    assert {"Q204", "Q301"} <= {m["code"] for m in data["messages"]}


def test_unparseable_query_is_one_line_and_exit_2() -> None:
    out = run_qes("search", "translate", "--from", "pubmed", "--to", "ovid", "recipr*[tiab] AND (mental[tiab]")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip().splitlines() == ["error: QUERY:col 19: unbalanced brackets: '(' is never closed"]


def test_lint_exit_codes() -> None:
    ok = run_qes("search", "lint", "--syntax", "pubmed", "a[ti] OR b[ti] AND c[ti]")
    assert ok.returncode == 0 and "Q011" in ok.stdout
    strict = run_qes("search", "lint", "--syntax", "pubmed", "--strict", "a[xx]")
    assert strict.returncode == 2 and "Q030" in strict.stdout
    clean = run_qes("search", "lint", "--syntax", "pubmed", "--strict", "--json", "a[ti]")
    assert clean.returncode == 0 and json.loads(clean.stdout) == {"messages": []}


def test_run_over_the_project(tmp_path: Path) -> None:
    assert run_qes("init", str(tmp_path / "review")).returncode == 0
    project = str(tmp_path / "review")
    imported = run_qes("import", str(FIXTURES / "search" / "records.ris"), "--source", "MEDLINE", "--project", project)
    assert imported.returncode == 0, imported.stderr
    out = run_qes(
        "search", "run", 'depress*[tiab] OR "mental health"[tiab]', "--syntax", "pubmed", "--json", "--project", project
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["hits"] == 4 == len(data["records"])
    assert {"id", "title", "year", "doi"} <= set(data["records"][0])
    ovid = run_qes("search", "run", "help* adj2 relationships", "--syntax", "ovid", "--json", "--project", project)
    assert [r["title"] for r in json.loads(ovid.stdout)["records"]] == ["Helping relationships in community mental health teams"]
