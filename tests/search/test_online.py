"""The PubMed and OpenAlex clients against recorded API responses served on 127.0.0.1, and the
online search service end to end: fetch, import through the normal readers, log — or nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qes.errors import PermissionDenied, UserError
from qes.formats import read_text
from qes.search.online.http import HttpClient, OnlineSearchError, masked
from qes.search.online.openalex import OpenAlexClient, openalex_params
from qes.search.online.pubmed import MAX_RECORDS, PubMedClient, PubMedSearch
from qes.services.project import Project, init_project
from qes.services.search_log import search_log
from qes.services.search_online import prepare_online_search, run_online_search
from qes.services.users import add_member
from qes.store.events import list_events
from qes.store.schema import Import, RecordRow
from recorded_api import RecordedApi, recorded_api

FAST = HttpClient(per_second=1000, backoff=0.0)  # the recorded server needs no politeness


@pytest.fixture
def api() -> Iterator[RecordedApi]:
    with recorded_api() as server:
        yield server


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Iterator[Project]:
    p = init_project(tmp_path / "review", name="Online", database=db_url, actor="me@example.org")
    yield p
    p.close()


def _records(project: Project) -> int:
    with project.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(RecordRow).where(RecordRow.project_id == project.id)) or 0)


# --- PubMed E-utilities -------------------------------------------------------------------------


def test_pubmed_esearch_uses_the_history_server_and_efetch_pages_in_batches(api: RecordedApi) -> None:
    client = PubMedClient(base_url=api.url + "/eutils", email="me@example.org", batch=2, http=FAST)
    found = client.search('recipr*[tiab] AND "mental illness"[tiab]')
    assert (found.count, found.query_key) == (5, "1")
    assert found.query_translation.startswith("recipr*[Title/Abstract]")
    search = api.sent("esearch.fcgi")[0]
    assert search["usehistory"] == "y" and search["retmode"] == "json" and search["term"] == found.term
    assert search["email"] == "me@example.org" and search["tool"] == "qes" and "api_key" not in search

    out = io.StringIO()
    progress: list[int] = []
    assert client.fetch(found, out, on_progress=progress.append) == 5
    pages = [(p["retstart"], p["retmax"]) for p in api.sent("efetch.fcgi")]
    assert pages == [("0", "2"), ("2", "2"), ("4", "1")]
    assert all(p["rettype"] == "medline" and p["WebEnv"] == found.webenv for p in api.sent("efetch.fcgi"))
    assert progress == [2, 2, 1]
    records = read_text(out.getvalue(), fmt="medline")
    assert [r.pmid for r in records] == ["39001001", "39001002", "39001003", "39001004", "39001005"]
    assert records[0].title.startswith("Reciprocity in the therapeutic relationship")


def test_a_strategy_too_long_for_a_url_is_posted(api: RecordedApi) -> None:
    client = PubMedClient(base_url=api.url + "/eutils", http=FAST)
    term = "recipr*[tiab] AND (" + " OR ".join(f'"mental illness {n}"[tiab]' for n in range(120)) + ")"
    found = client.search(term)
    assert found.count == 5
    [sent] = api.sent("esearch.fcgi")
    assert sent["(method)"] == "POST" and sent["term"] == term and sent["usehistory"] == "y"


def test_pubmed_limit_fetches_only_the_first_records(api: RecordedApi) -> None:
    client = PubMedClient(base_url=api.url + "/eutils", http=FAST)
    found = client.search("recipr*[tiab]")
    out = io.StringIO()
    assert client.fetch(found, out, limit=3) == 3
    assert [(p["retstart"], p["retmax"]) for p in api.sent("efetch.fcgi")] == [("0", "3")]


def test_pubmed_refuses_more_than_its_ceiling_instead_of_cutting_it_short(api: RecordedApi) -> None:
    client = PubMedClient(base_url=api.url + "/eutils", http=FAST)
    big = PubMedSearch("mental*", MAX_RECORDS + 1, "MCID_x", "1", "")
    with pytest.raises(OnlineSearchError, match="only the first 10,000"):
        client.fetch(big, io.StringIO())
    assert api.sent("efetch.fcgi") == []


def test_pubmed_error_answers_become_one_line_with_the_url(api: RecordedApi) -> None:
    client = PubMedClient(base_url=api.url + "/eutils", api_key="SECRET-KEY", http=FAST)
    with pytest.raises(OnlineSearchError) as refused:
        client.search("((recipr*[tiab]")
    message = str(refused.value)
    assert "PubMed refused the search: Invalid query: unbalanced parentheses" in message
    assert f"{api.url}/eutils/esearch.fcgi?" in message
    assert "SECRET-KEY" not in message and "api_key=***" in message
    assert isinstance(refused.value, UserError)


def test_pubmed_rate_limit_is_retried_then_reported(api: RecordedApi) -> None:
    client = PubMedClient(base_url=api.url + "/eutils", http=HttpClient(per_second=1000, retries=2, backoff=0.0))
    api.fail_next(1, 429, "pubmed/rate_limit.json")
    assert client.search("recipr*[tiab]").count == 5  # one 429, then the answer
    api.fail_next(3, 429, "pubmed/rate_limit.json")
    with pytest.raises(OnlineSearchError, match=r"HTTP 429 .*API rate limit exceeded"):
        client.search("recipr*[tiab]")
    assert len(api.sent("esearch.fcgi")) == 5


def test_unreachable_server_names_the_url_and_the_reason() -> None:
    client = PubMedClient(base_url="http://127.0.0.1:9/eutils", http=FAST)  # port 9 (discard): nothing listens
    with pytest.raises(OnlineSearchError, match=r"http://127.0.0.1:9/eutils/esearch.fcgi\?.*cannot connect"):
        client.search("recipr*")


def test_pubmed_throttle_without_a_key_is_three_a_second() -> None:
    assert PubMedClient().http.throttle.interval == pytest.approx(1 / 3)
    assert PubMedClient(api_key="k").http.throttle.interval == pytest.approx(1 / 10)


def test_masked_hides_keys_only() -> None:
    assert masked("https://x/y?term=a&api_key=abc&email=e") == "https://x/y?term=a&api_key=***&email=e"


# --- OpenAlex -----------------------------------------------------------------------------------


def test_openalex_cursor_paging_to_the_count(api: RecordedApi) -> None:
    client = OpenAlexClient(base_url=api.url, email="me@example.org", http=FAST)
    found = client.search(openalex_params("title_and_abstract.search:reciprocity,publication_year:2010-2020"))
    assert found.count == 3
    out = io.StringIO()
    assert client.fetch(found, out) == 3
    sent = api.sent("/works")
    assert [p["cursor"] for p in sent] == ["*", "IlsxNi4wLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzQwMDAwMDAwMDInXSI="]
    assert all(p["per-page"] == "200" and p["mailto"] == "me@example.org" for p in sent)
    assert sent[0]["filter"] == "title_and_abstract.search:reciprocity,publication_year:2010-2020"
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["id"][-4:] for line in lines] == ["0001", "0002", "0003"]
    records = read_text(out.getvalue(), fmt="openalex")
    assert records[1].abstract == "Mutual aid groups show reciprocity among people with serious mental illness."


def test_openalex_limit_stops_before_the_next_page(api: RecordedApi) -> None:
    client = OpenAlexClient(base_url=api.url, http=FAST)
    found = client.search({"search": "reciprocity"})
    assert client.fetch(found, io.StringIO(), limit=2) == 2
    assert len(api.sent("/works")) == 1


def test_openalex_error_body_is_reported(api: RecordedApi) -> None:
    client = OpenAlexClient(base_url=api.url, http=FAST)
    with pytest.raises(OnlineSearchError, match=r"HTTP 400 .*Invalid query parameters error.*searchh is not a valid field"):
        client.search(openalex_params("title_and_abstract.searchh:reciprocity"))


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("title.search:recipr*", {"filter": "title.search:recipr*"}),
        ("filter=title.search:x&search=mental", {"filter": "title.search:x", "search": "mental"}),
        ("/works?search=mutual%20aid", {"search": "mutual aid"}),
    ],
)
def test_openalex_params_from_the_query_text(text: str, params: dict[str, str]) -> None:
    assert openalex_params(text) == params


def test_openalex_params_refuse_other_parameters() -> None:
    with pytest.raises(UserError, match="sort"):
        openalex_params("search=x&sort=cited_by_count:desc")


# --- the service: fetch, import, log in one go --------------------------------------------------


def test_online_pubmed_search_is_imported_and_logged(project: Project, api: RecordedApi) -> None:
    prepared = prepare_online_search(project, "recipr*[tiab] AND mental illness[tiab]", "pubmed", base_url=api.url + "/eutils")
    assert prepared.hits == 5 and prepared.strategy is None
    run, imported = run_online_search(project, prepared)
    assert imported is not None and imported.imported == 5 and imported.format == "medline"
    assert _records(project) == 5
    [logged] = search_log(project)
    assert (logged.database, logged.interface, logged.method) == ("PubMed", "NCBI E-utilities API", "online")
    assert logged.strategy_text == "recipr*[tiab] AND mental illness[tiab]"
    assert (logged.hits_reported, logged.records_imported, logged.import_id) == (5, 5, imported.import_id)
    assert "PubMed searched: recipr*[Title/Abstract]" in logged.notes
    assert Path(project.files_dir / "searches" / imported.file).is_file()  # the export is kept as evidence
    with project.store.read() as session:
        actions = [e.action for e in list_events(session, project.id)]
    assert "search.online" in actions and "import.file" in actions


def test_online_openalex_search_with_a_limit(project: Project, api: RecordedApi) -> None:
    prepared = prepare_online_search(project, "title_and_abstract.search:reciprocity", "openalex", base_url=api.url)
    run, imported = run_online_search(project, prepared, max_records=2, source="OpenAlex")
    assert imported is not None and imported.imported == 2 and imported.source == "OpenAlex"
    assert run.hits_reported == 3 and run.records_imported == 2 and run.limits == "first 2 records fetched"


def test_online_search_finding_nothing_is_logged_without_a_file(project: Project, api: RecordedApi) -> None:
    prepared = prepare_online_search(project, '"zzqxv reciprocity"[tiab]', "pubmed", base_url=api.url + "/eutils")
    assert prepared.hits == 0
    assert any("quotedphrasesnotfound" in m["text"] for m in prepared.messages)
    run, imported = run_online_search(project, prepared)
    assert imported is None and run.import_id is None and run.hits_reported == 0
    assert _records(project) == 0


def test_network_error_midway_imports_nothing_and_keeps_no_file(project: Project, api: RecordedApi) -> None:
    prepared = prepare_online_search(project, "recipr*[tiab]", "pubmed", base_url=api.url + "/eutils")
    prepared.client.batch = 2
    api.fail_request("efetch.fcgi", 2, 500, "openalex/error.json")  # the second page never arrives
    with pytest.raises(OnlineSearchError, match=r"efetch.fcgi\?.*HTTP 500"):
        run_online_search(project, prepared)
    assert _records(project) == 0 and search_log(project) == []
    with project.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Import)) == 0
    assert list((project.files_dir / "searches").iterdir()) == []


def test_unknown_api_is_refused(project: Project) -> None:
    with pytest.raises(UserError, match="unknown API 'scopus'"):
        prepare_online_search(project, "x", "scopus")


def test_viewers_cannot_run_online_searches(project: Project, api: RecordedApi) -> None:
    add_member(project, "viewer@example.org", role="viewer")
    viewer = Project(project.config, project.store, project.id, "viewer@example.org")
    with pytest.raises(PermissionDenied):
        prepare_online_search(viewer, "recipr*[tiab]", "pubmed", base_url=api.url + "/eutils")
    assert api.requests == []
