"""The search pages and their JSON twins through the real app: builder, translations, strategies, the log, roles."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qes.search import And, Heading, Or, Term, parse, write
from qes.search.model import TIAB
from qes.services.importing import import_file
from qes.services.project import opened
from qes.services.strategies import save_strategy
from qes.web.app import create_app
from support import FIXTURES, OWNER, VIEWER

HX = {"HX-Request": "true"}
MAIN = 'recipr*[tiab] AND ("mental illness"[tiab] OR "Mental Disorders"[mh])'
# What the two-block builder form below means, built by hand.
TWO_BLOCKS = And(
    (Term("recipr*", False, TIAB), Or((Term("mental illness", True, TIAB), Heading("mesh", "Mental Disorders", True, False))))
)


def _token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "page has no CSRF field"
    return found.group(1)


def _sign_in(client: TestClient, who: tuple[str, str]) -> str:
    token = _token(client.get("/login").text)
    r = client.post("/login", data={"email": who[0], "password": who[1], "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return _token(client.get("/search").text)


def _api_login(client: TestClient, who: tuple[str, str]) -> None:
    assert client.post("/api/login", json={"email": who[0], "password": who[1]}).status_code == 200


def _two_blocks(csrf: str, syntax: str = "pubmed") -> dict[str, str]:
    """The builder form with reciprocity (truncated, title/abstract) AND mental illness (phrase or MeSH)."""
    return {
        "csrf": csrf,
        "syntax": syntax,
        "blocks": "2",
        "b0.name": "reciprocity",
        "b0.items": "1",
        "b0.i0.kind": "term",
        "b0.i0.text": "recipr",
        "b0.i0.field": "tiab",
        "b0.i0.truncate": "on",
        "b1.name": "mental illness",
        "b1.items": "2",
        "b1.i0.kind": "term",
        "b1.i0.text": "mental illness",
        "b1.i0.field": "tiab",
        "b1.i1.kind": "heading",
        "b1.i1.text": "Mental Disorders",
        "b1.i1.thesaurus": "mesh",
        "b1.i1.explode": "on",
    }


def _pre(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</pre>', page, re.DOTALL)
    assert found, f"no #{element_id}"
    return html.unescape(found.group(1))


def test_search_pages_need_a_session(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        for path in ("/search", "/search-log", "/search/main"):
            r = client.get(path, follow_redirects=False)
            assert r.status_code == 303 and "/login" in r.headers["location"], path
        assert client.get("/api/search").status_code == 401
        assert client.get("/api/search-log").status_code == 401


def test_builder_buttons_add_blocks_terms_and_headings(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        csrf = _sign_in(client, OWNER)
        page = client.get("/search").text
        assert 'href="/search" aria-current="page">Search</a>' in page
        assert page.index(">Project<") < page.index(">Search<") < page.index(">Import<")
        assert page.count('<fieldset class="block') == 1 and "Add a term or heading" in page
        form = _two_blocks(csrf)
        more = client.post("/search/builder", data=form | {"op": "add-block"}, headers=HX)
        assert more.status_code == 200 and more.text.count('<fieldset class="block') == 3
        heading = client.post("/search/builder", data=form | {"op": "add-heading:0"}, headers=HX).text
        assert 'name="b0.i1.kind" value="heading"' in heading and 'name="b0.i1.thesaurus"' in heading
        removed = client.post("/search/builder", data=form | {"op": "remove-block:1"}, headers=HX).text
        assert removed.count('<fieldset class="block') == 1 and 'value="reciprocity"' in removed
        assert client.post("/search/builder", data=form | {"csrf": "forged"}, headers=HX).status_code == 403


def test_translations_follow_the_builder_in_every_syntax(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        csrf = _sign_in(client, OWNER)
        panel = client.post("/search/translations", data=_two_blocks(csrf, "ovid"), headers=HX).text
        assert _pre(panel, "chosen-strategy") == write(TWO_BLOCKS, "ovid").text
        assert re.findall(r'id="translation-(\w+)"', panel) == [
            "pubmed",
            "ovid",
            "ebsco",
            "proquest",
            "wos",
            "scopus",
            "cochrane",
            "openalex",
        ]
        openalex = write(TWO_BLOCKS, "openalex")
        assert openalex.messages and all(m.code in panel for m in openalex.messages)  # the coded warnings are shown
        empty = client.post("/search/translations", data={"csrf": csrf, "blocks": "1", "b0.items": "1"}, headers=HX).text
        assert "Add a term or heading" in empty


def test_save_from_the_builder_then_the_strategy_page(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        csrf = _sign_in(client, OWNER)
        form = _two_blocks(csrf) | {"name": "main", "note": "two concepts"}
        r = client.post("/search", data=form, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/search/main"
        page = client.get("/search/main").text
        assert "Saved main version 1." in page
        assert _pre(page, "as-written") == write(TWO_BLOCKS, "pubmed").text
        assert "translation-scopus" in page and "Not run yet" in page
        again = client.post("/search", data=form, follow_redirects=True).text
        assert "already has this text" in again
        edit = client.get("/search?edit=main").text  # opened in the builder again
        assert 'name="b1.i1.text" value="Mental Disorders"' in edit and 'value="recipr"' in edit
        listing = client.get("/search").text
        assert 'href="/search/main"' in listing


def test_a_pasted_strategy_that_does_not_parse_is_refused(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        csrf = _sign_in(client, OWNER)
        r = client.post("/search", data={"csrf": csrf, "name": "main", "syntax": "ovid", "text": "1 (recipr*.ti,ab."})
        assert r.status_code == 400 and "col" in r.text
        assert client.get("/api/search").json() == {"strategies": []}


def test_viewers_read_but_cannot_save_or_log(web_project: Path) -> None:
    with opened(web_project, actor=OWNER[0]) as p:
        save_strategy(p, "main", MAIN, "pubmed")
    with TestClient(create_app(web_project)) as client:
        csrf = _sign_in(client, VIEWER)
        assert "Save strategy" not in client.get("/search").text
        assert client.post("/search", data=_two_blocks(csrf) | {"name": "other"}).status_code == 403
        assert "cannot add to it" not in client.get("/search/main").text
        log_page = client.get("/search-log").text
        assert "can read the search log but not add to it" in log_page
        form = {"csrf": csrf, "database": "PubMed", "interface": "PubMed", "date": "2015-02-10", "hits": "5", "text": "x"}
        assert client.post("/search-log", data=form).status_code == 403
        _api_login(client, VIEWER)
        assert client.post("/api/search", json={"name": "v", "syntax": "pubmed", "text": MAIN}).status_code == 403
        assert client.get("/api/search/main").json()["text"] == MAIN


def test_search_log_page_form_and_appendix(web_project: Path) -> None:
    with opened(web_project, actor=OWNER[0]) as p:
        save_strategy(p, "main", MAIN, "pubmed")
        imported = import_file(p, FIXTURES / "search" / "psycinfo_ovid.ris", source="PsycINFO (Ovid)")
    with TestClient(create_app(web_project)) as client:
        csrf = _sign_in(client, OWNER)
        page = client.get("/search-log").text
        assert "No searches logged yet" in page and f'value="{imported.import_id}"' in page and 'value="main@1"' in page
        form = {
            "csrf": csrf, "database": "PsycINFO", "interface": "Ovid", "date": "2015-02-10", "hits": "1043",
            "strategy": "main@1", "syntax": "ovid", "limits": "English", "import_id": str(imported.import_id),
        }  # fmt: skip
        r = client.post("/search-log", data=form, follow_redirects=True)
        assert r.status_code == 200 and "Logged search 1: PsycINFO via Ovid on 2015-02-10." in r.text
        assert "psycinfo_ovid.ris" in r.text and "1,043" in r.text
        assert f'<option value="{imported.import_id}">' not in r.text  # a linked import is not offered again
        by_hand = form | {"database": "CINAHL", "interface": "EBSCOhost", "strategy": "", "text": "TI recipr*", "import_id": ""}
        assert client.post("/search-log", data=by_hand, follow_redirects=False).status_code == 303
        later = import_file_as_owner(web_project)
        page = client.get("/search-log").text
        assert 'action="/search-log/2/link"' in page and 'action="/search-log/1/link"' not in page
        linked = client.post("/search-log/2/link", data={"csrf": csrf, "import_id": str(later)}, follow_redirects=True)
        assert "Search 2 now has its file psycinfo_ovid.ris." in linked.text
        bad = client.post("/search-log", data=form | {"hits": "many"})
        assert bad.status_code == 400 and "hits reported" in bad.text
        md = client.get("/search-log/appendix.md")
        assert md.headers["content-type"].startswith("text/markdown") and "## PsycINFO" in md.text
        assert write(parse(MAIN, "pubmed"), "ovid").text in md.text
        strategy_page = client.get("/search/main").text
        assert "Not run yet" not in strategy_page and "1,043" not in strategy_page and ">1043<" in strategy_page


def import_file_as_owner(root: Path) -> int:
    with opened(root, actor=OWNER[0]) as p:
        return import_file(p, FIXTURES / "search" / "psycinfo_ovid.ris", source="CINAHL (EBSCO)", again=True).import_id


def test_api_twins(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        _api_login(client, OWNER)
        saved = client.post("/api/search", json={"name": "main", "syntax": "pubmed", "text": MAIN, "note": "v1"}).json()
        assert (saved["version"], saved["changed"]) == (1, True)
        assert client.post("/api/search", json={"name": "main", "syntax": "pubmed", "text": MAIN}).json()["changed"] is False
        listed = client.get("/api/search").json()["strategies"]
        assert [(s["name"], s["versions"]) for s in listed] == [("main", 1)]
        one = client.get("/api/search/main").json()
        assert one["text"] == MAIN and len(one["translations"]) == 8 and one["runs"] == []
        scopus = next(t for t in one["translations"] if t["syntax"] == "scopus")
        assert scopus["text"] == write(parse(MAIN, "pubmed"), "scopus").text
        assert client.get("/api/search/main/versions").json()["versions"][0]["note"] == "v1"
        assert client.get("/api/search/other").status_code == 404
        assert client.post("/api/search", json={"name": "bad", "syntax": "ovid", "text": "1 (x.ti."}).status_code == 400

        builder = {"blocks": [{"name": "r", "items": [{"text": "recipr", "truncate": True}]}]}
        by_blocks = client.post("/api/search/translate", json={"builder": builder}).json()["translations"]
        assert next(t for t in by_blocks if t["syntax"] == "pubmed")["text"] == "recipr*[tiab]"
        by_text = client.post("/api/search/translate", json={"text": MAIN, "syntax": "pubmed"}).json()["translations"]
        assert [t["syntax"] for t in by_text][-1] == "openalex"
        assert client.post("/api/search/translate", json={}).status_code == 400

        run = {"database": "PubMed", "interface": "PubMed", "date": "2015-02-10", "hits": 87, "strategy": "main"}
        logged = client.post("/api/search-log", json=run).json()
        assert (logged["strategy"], logged["version"], logged["strategy_text"]) == ("main", 1, MAIN)
        log = client.get("/api/search-log").json()
        assert log["table"]["rows"][0]["Hits reported"] == "87" and log["runs"][0]["id"] == logged["id"]
        assert client.post(f"/api/search-log/{logged['id']}/link", json={"import_id": 42}).status_code == 404
        appendix = client.get("/api/search-log/appendix").json()
        assert appendix["per_database"] == [{"database": "PubMed", "n": 87}] and "## PubMed" in appendix["markdown"]


@pytest.mark.parametrize("path", ["/search/nothing-here", "/api/search/nothing-here"])
def test_unknown_strategy_is_404(web_project: Path, path: str) -> None:
    with TestClient(create_app(web_project)) as client:
        _sign_in(client, OWNER)
        _api_login(client, OWNER)
        assert client.get(path).status_code == 404
