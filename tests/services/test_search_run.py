"""Running a strategy over the project's records: unique records only, both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from qes.search import QuerySyntaxError
from qes.services.dedupe_project import run_dedupe
from qes.services.importing import import_file
from qes.services.project import Project, init_project
from qes.services.search_run import run_query
from support import FIXTURES

RECORDS = FIXTURES / "search" / "records.ris"


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    p = init_project(tmp_path / "review", database=db_url, actor="tester@example.org")
    import_file(p, RECORDS, source="MEDLINE (ProQuest)", searched="2015-02-10")
    yield p
    p.close()


def test_a_duplicate_group_counts_once(project: Project) -> None:
    before = run_query(project, 'recipr*[tiab] AND "mental health"[tiab]', "pubmed")
    assert before.hits == 2  # the same paper imported twice, not yet deduplicated
    run_dedupe(project)
    after = run_query(project, 'recipr*[tiab] AND "mental health"[tiab]', "pubmed")
    assert after.hits == 1
    assert set(after.records[0]) >= {"id", "title", "year", "doi"}
    assert after.records[0]["year"] == 2015


def test_any_syntax_runs(project: Project) -> None:
    ovid = run_query(project, "1 depress*.ti,ab.\n2 (mutual adj3 relationships).ab.\n3 1 and 2", "ovid")
    assert [r["title"] for r in ovid.records] == ["Pattern integrations in young depressed women"]
    assert run_query(project, "TS=(help* NEAR/2 relationships)", "wos").hits == 1


def test_bad_query_is_a_user_error(project: Project) -> None:
    with pytest.raises(QuerySyntaxError, match="QUERY:col"):
        run_query(project, "recipr*[tiab] AND (", "pubmed")


def test_a_saved_strategy_runs_by_name(project: Project) -> None:
    from qes.services.strategies import save_strategy

    save_strategy(project, "main", "1 recipr*.ti,ab.\n2 mental health.ab.\n3 1 and 2", "ovid")
    result = run_query(project, "main", "pubmed")  # the saved syntax wins
    assert result.strategy == "main@1" and result.syntax == "ovid"
    assert result.hits == 2
