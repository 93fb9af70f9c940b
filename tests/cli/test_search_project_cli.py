"""`qes search add|show|list|versions|log|online` as a user runs them (real processes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from qes.search import parse, translate, write
from recorded_api import RecordedApi, recorded_api
from support import FIXTURES, run_qes

MAIN = 'recipr*[tiab] AND ("mental illness"[tiab] OR "Mental Disorders"[mh])'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    assert run_qes("init", str(tmp_path / "review")).returncode == 0
    return tmp_path / "review"


@pytest.fixture
def api() -> Iterator[RecordedApi]:
    with recorded_api() as server:
        yield server


def test_add_show_list_versions(project: Path, tmp_path: Path) -> None:
    added = run_qes("search", "add", "main", "--syntax", "pubmed", "--query", MAIN, "--note", "protocol", cwd=project)
    assert added.returncode == 0 and "Saved main version 1 (pubmed)." in added.stdout
    ovid_file = tmp_path / "ovid.txt"
    ovid_file.write_text(write(parse(MAIN, "pubmed"), "ovid").text + "\n", encoding="utf-8")
    second = run_qes("search", "add", "main", "--syntax", "ovid", "--file", str(ovid_file), "--json", cwd=project)
    assert second.returncode == 0 and json.loads(second.stdout)["version"] == 2

    shown = run_qes("search", "show", "main", "--version", "1", "--as", "scopus", cwd=project)
    expected = translate(MAIN, "pubmed", "scopus")
    assert shown.returncode == 0 and shown.stdout == expected.text + "\n"  # only the strategy on stdout
    assert all(m.code in shown.stderr for m in expected.messages)
    assert run_qes("search", "show", "main", cwd=project).stdout == ovid_file.read_text(encoding="utf-8") + "\n"

    listed = json.loads(run_qes("search", "list", "--json", cwd=project).stdout)
    assert [(s["name"], s["versions"], s["syntax"]) for s in listed] == [("main", 2, "ovid")]
    versions = json.loads(run_qes("search", "versions", "main", "--json", cwd=project).stdout)
    assert [(v["version"], v["note"]) for v in versions] == [(1, "protocol"), (2, "")]


def test_bad_input_is_one_line_and_exit_2(project: Path) -> None:
    unbalanced = run_qes("search", "add", "main", "--syntax", "pubmed", "--query", '("mental illness"[tiab]', cwd=project)
    assert unbalanced.returncode == 2 and unbalanced.stderr.startswith("error:") and "Traceback" not in unbalanced.stderr
    both = run_qes("search", "add", "main", "--syntax", "pubmed", "--query", MAIN, "--file", "x.txt", cwd=project)
    assert both.returncode == 2 and "one of them" in both.stderr
    missing = run_qes("search", "show", "nothing", cwd=project)
    assert missing.returncode == 2 and "no search strategy 'nothing'" in missing.stderr


def test_log_add_with_a_file_then_the_log_and_appendix(project: Path) -> None:
    assert run_qes("search", "add", "main", "--syntax", "pubmed", "--query", MAIN, cwd=project).returncode == 0
    logged = run_qes(
        "search", "log", "add", "--database", "PsycINFO", "--interface", "Ovid", "--date", "2015-02-10", "--hits", "1043",
        "--strategy", "main@1", "--syntax", "ovid", "--file", str(FIXTURES / "search" / "psycinfo_ovid.ris"),
        "--limits", "English", "--json", cwd=project,
    )  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    data = json.loads(logged.stdout)
    assert data["import"]["imported"] == 3 and data["search"]["import_id"] == data["import"]["import_id"]
    by_hand = run_qes(
        "search", "log", "add", "--database", "CINAHL", "--interface", "EBSCOhost", "--date", "2015-02-11", "--hits", "12",
        "--text", "TI recipr* AND MH mental disorders+", cwd=project,
    )  # fmt: skip
    assert by_hand.returncode == 0 and "Logged search 2" in by_hand.stdout
    runs = json.loads(run_qes("search", "log", "--json", cwd=project).stdout)
    assert [(r["database"], r["hits_reported"], r["records_imported"]) for r in runs] == [
        ("PsycINFO", 1043, 3),
        ("CINAHL", 12, None),
    ]
    table = run_qes("search", "log", cwd=project).stdout
    assert "PsycINFO" in table and "1,043" in table and "psycinfo_ovid.ris" in table
    appendix = run_qes("search", "log", "--appendix", cwd=project).stdout
    assert "## CINAHL" in appendix and "TI recipr* AND MH mental disorders+" in appendix
    assert write(parse(MAIN, "pubmed"), "ovid").text in appendix
    imported = run_qes(
        "import", str(FIXTURES / "search" / "psycinfo_ovid.ris"), "--source", "CINAHL (EBSCO)", "--again", cwd=project
    )
    assert imported.returncode == 0
    linked = run_qes("search", "log", "link", "2", "2", "--json", cwd=project)
    assert linked.returncode == 0 and json.loads(linked.stdout)["records_imported"] == 3


def test_online_pubmed_and_openalex(project: Path, api: RecordedApi) -> None:
    assert run_qes("search", "add", "main", "--syntax", "pubmed", "--query", MAIN, cwd=project).returncode == 0
    pubmed = run_qes(
        "search", "online", "main", "--api", "pubmed", "--email", "me@example.org", "--base-url", api.url + "/eutils", cwd=project
    )  # fmt: skip
    assert pubmed.returncode == 0, pubmed.stderr
    assert "PubMed reports 5 records; fetching 5." in pubmed.stderr
    assert "Logged search 1 (5 hits): imported 5 records" in pubmed.stdout
    assert api.sent("esearch.fcgi")[0]["term"] == write(parse(MAIN, "pubmed"), "pubmed").text

    openalex = run_qes(
        "search", "online", "title_and_abstract.search:reciprocity", "--api", "openalex", "--max", "2",
        "--base-url", api.url, "--json", cwd=project,
    )  # fmt: skip
    assert openalex.returncode == 0, openalex.stderr
    data = json.loads(openalex.stdout)
    assert data["search"]["hits_reported"] == 3 and data["import"]["imported"] == 2

    failed = run_qes("search", "online", "title_and_abstract.searchh:x", "--api", "openalex", "--base-url", api.url, cwd=project)
    assert failed.returncode == 2 and "HTTP 400" in failed.stderr and api.url in failed.stderr
    runs = json.loads(run_qes("search", "log", "--json", cwd=project).stdout)
    assert [r["method"] for r in runs] == ["online", "online"]
