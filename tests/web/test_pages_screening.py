"""The screening, conflicts and full-text pages through the real app: HTML, escaping, CSRF, HTMX, roles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pdf_maker import make_pdf
from qes.services.project import opened
from qes.services.screening import decide, record_item
from qes.web.app import create_app
from screening_setup import ADA, ANA, BEN, TA, screening_team
from support import VIEWER

HX = {"HX-Request": "true"}
RECORDS_CSV = """title,authors,year,journal,abstract
<script>alert('title')</script> Reciprocity on wards,"Garcia, Maria",2020,Nursing Inquiry,Nurses <b>trade</b> reciprocal shifts.
Gift exchange in rural cooperatives,"Owusu, Kwame",2018,World Development,Interviews with farmers.
A survey of online trust,"Smith, Anna",2019,Social Computing,A national survey.
"""


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def _sign_in(client: TestClient, who: tuple[str, str]) -> str:
    token = _token(client.get("/login").text)
    r = client.post("/login", data={"email": who[0], "password": who[1], "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return _token(client.get(f"/screening/{TA}").text)


@pytest.fixture
def project(web_project: Path, tmp_path: Path) -> Path:
    """Two blind reviewers and an adjudicator; excluding needs a reason at both stages."""
    screening_team(web_project, RECORDS_CSV, tmp_path, e2="Not about <exchange>", reason_required=True)
    return web_project


def _vote(root: Path, who: tuple[str, str], record: int, decision: str, reasons: tuple[str, ...] = (), stage: str = TA) -> None:
    with opened(root) as p:
        decide(p, stage, record, who[0], decision, reasons)


def test_screening_page_shows_one_record_escaped_and_highlighted(project: Path) -> None:
    with TestClient(create_app(project)) as client:
        _sign_in(client, ANA)
        r = client.get("/screening", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/screening/{TA}"
        page = client.get(f"/screening/{TA}").text
        for link in ("/screening", "/conflicts", "/fulltexts"):
            assert f'<a href="{link}">' in page or f'<a href="{link}" aria-current="page">' in page
        assert 'aria-current="page"' in page and "Agreement at title-abstract" in page
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
        assert "<b>trade</b>" not in page and "&lt;b&gt;trade&lt;/b&gt;" in page
        assert '<mark class="hl-include">Reciprocity</mark>' in page and '<mark class="hl-include">reciprocal</mark>' in page
        assert "Not about &lt;exchange&gt;" in page and 'value="E1" data-key="1"' in page
        assert "(at least one needed to exclude)" in page
        for key, label in (("i", "Include"), ("e", "Exclude"), ("m", "Maybe")):
            assert f'data-key="{key}" aria-keyshortcuts="{key}">{label}' in page
        assert 'hx-post="/screening/title-abstract/1"' in page


def test_decisions_need_csrf_and_htmx_gets_the_next_record(project: Path) -> None:
    with TestClient(create_app(project)) as client:
        token = _sign_in(client, ANA)
        assert client.post(f"/screening/{TA}/1", data={"decision": "include"}, headers=HX).status_code == 403
        r = client.post(
            f"/screening/{TA}/1", data={"decision": "include", "note": "on topic"}, headers=HX | {"X-CSRF-Token": token}
        )
        assert r.status_code == 200 and "<html" not in r.text
        assert "Saved: record #1 <strong>include</strong>" in r.text and 'hx-post="/screening/title-abstract/2"' in r.text
        assert '<span id="tab-mine-0" hx-swap-oob="true">1</span>' in r.text

        # Excluding without a reason: the service's message, next to the same record, with the note kept.
        r = client.post(
            f"/screening/{TA}/2", data={"decision": "exclude", "note": "farmers only"}, headers=HX | {"X-CSRF-Token": token}
        )
        assert r.status_code == 400 and "needs at least one reason to exclude" in r.text
        assert 'hx-post="/screening/title-abstract/2"' in r.text and ">farmers only</textarea>" in r.text
        r = client.post(
            f"/screening/{TA}/2", data={"decision": "exclude", "reasons": ["E1", "E2"], "csrf": token}, follow_redirects=False
        )
        assert r.status_code == 303 and r.headers["location"] == f"/screening/{TA}"
        page = client.get(f"/screening/{TA}").text
        assert "Saved: record #2 <strong>exclude</strong> (E1, E2)" in page and 'action="/screening/title-abstract/3"' in page

        # A plain form refused: back to the same record with the message and what was typed.
        r = client.post(
            f"/screening/{TA}/3", data={"decision": "exclude", "note": "a survey", "csrf": token}, follow_redirects=False
        )
        assert r.status_code == 303 and r.headers["location"] == f"/screening/{TA}?record=3"
        page = client.get(r.headers["location"]).text
        assert "needs at least one reason to exclude" in page and ">a survey</textarea>" in page
        # The earlier decision is shown on the record's page and can be changed.
        page = client.get(f"/screening/{TA}?record=1").text
        assert 'id="my-decision"' in page and "on topic" in page and "Deciding again replaces your decision." in page
    with opened(project) as p:
        assert record_item(p, TA, 2, ANA[0]).mine.reasons == ["E1", "E2"]  # type: ignore[union-attr]


def test_done_message_and_viewer_reads_only(project: Path) -> None:
    for record in (1, 2, 3):
        _vote(project, ANA, record, "include")
    with TestClient(create_app(project)) as client:
        _sign_in(client, ANA)
        assert "Nothing left for you at title-abstract." in client.get(f"/screening/{TA}").text
    with TestClient(create_app(project)) as client:
        token = _sign_in(client, VIEWER)
        page = client.get(f"/screening/{TA}").text
        assert "Your role (viewer) can follow the screening but not screen." in page and "Include" not in page
        r = client.post(f"/screening/{TA}/1", data={"decision": "include", "csrf": token}, headers=HX)
        assert r.status_code == 403
        assert "cannot see conflicts" in client.get("/conflicts").text


def test_adjudicator_resolves_a_conflict_on_the_conflicts_page(project: Path) -> None:
    _vote(project, ANA, 1, "include")
    _vote(project, BEN, 1, "exclude", ("E1",))
    _vote(project, ANA, 2, "include")
    _vote(project, BEN, 2, "exclude", ("E2",))
    with TestClient(create_app(project)) as client:
        token = _sign_in(client, ANA)
        page = client.get("/conflicts").text
        assert "2</strong> conflicts" in page and "&lt;script&gt;" in page and "<script>alert" not in page
        assert "Resolve #1" not in page  # a reviewer sees her conflicts, not the adjudicator's form
    with TestClient(create_app(project)) as client:
        token = _sign_in(client, ADA)
        page = client.get("/conflicts").text
        assert 'action="/conflicts/title-abstract/1"' in page and "Resolve #1" in page
        assert page.count('<td class="vote-exclude">exclude</td>') == 2 and "ben@example.org" in page
        assert client.post(f"/conflicts/{TA}/1", data={"decision": "include"}, headers=HX).status_code == 403  # no token

        r = client.post(f"/conflicts/{TA}/1", data={"decision": "exclude"}, headers=HX | {"X-CSRF-Token": token})
        assert r.status_code == 400 and "reason" in r.text and '<article id="conflict-' in r.text
        assert 'value="exclude" required checked' in r.text
        r = client.post(f"/conflicts/{TA}/1", data={"decision": "include", "note": "fits"}, headers=HX | {"X-CSRF-Token": token})
        assert r.status_code == 200 and 'class="resolved"' in r.text and "<strong>include</strong>" in r.text
        r = client.post(
            f"/conflicts/{TA}/2", data={"decision": "exclude", "reasons": ["E2"], "csrf": token}, follow_redirects=False
        )
        assert r.status_code == 303
        page = client.get("/conflicts").text
        assert "Record #2 resolved at title-abstract: exclude." in page and "No conflicts to resolve." in page


def test_fulltext_pages_attach_show_and_screen(project: Path) -> None:
    for who in (ANA, BEN):
        _vote(project, who, 1, "include")
        _vote(project, who, 2, "include")
    with TestClient(create_app(project)) as client:
        token = _sign_in(client, ANA)
        listing = client.get("/fulltexts").text
        assert "Waiting for your decision at fulltext" in listing and 'href="/fulltexts/1?stage=fulltext"' in listing
        assert "&lt;script&gt;" in listing and "<script>alert" not in listing
        page = client.get("/fulltexts/1?stage=fulltext").text
        assert 'accept="application/pdf,.pdf"' in page and "No PDF attached yet." in page and "Mark not retrieved" in page

        pdf = make_pdf(["Reciprocity on the ward", "Findings: nurses swap <shifts>"])
        files = {"file": ("garcia.pdf", pdf, "application/pdf")}
        assert client.post("/fulltexts/1/attach", files=files, data={"stage": "fulltext"}).status_code == 403  # no token
        r = client.post("/fulltexts/1/attach", files=files, data={"csrf": token, "stage": "fulltext"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/fulltexts/1?stage=fulltext"
        page = client.get(r.headers["location"]).text
        assert "Attached garcia.pdf (2 pages)." in page and '<iframe src="/api/fulltexts/1/pdf#' in page
        assert "Findings: nurses swap &lt;shifts&gt;" in page and '<details class="pages"' in page
        assert 'name="back" value="/fulltexts/1?stage=fulltext"' in page and "Maybe" not in page  # no maybe at full text

        r = client.post("/fulltexts/2/attach", files={"file": ("x.pdf", b"hello", "application/pdf")}, data={"csrf": token})
        assert r.status_code == 200 and "x.pdf: not a PDF" in r.text
        r = client.post("/fulltexts/2/not-retrieved", data={"csrf": token, "reason": "author did not reply"})
        assert "Marked as not retrieved" in r.text and "author did not reply" in r.text

        # The decision form on the full-text page goes back to it; a refusal is shown there too.
        data = {"decision": "exclude", "csrf": token, "back": "/fulltexts/1?stage=fulltext"}
        r = client.post("/screening/fulltext/1", data=data)
        assert "needs at least one reason to exclude" in r.text and 'src="/api/fulltexts/1/pdf#' in r.text
        r = client.post("/screening/fulltext/1", data=data | {"reasons": "E1"})
        assert "Saved: record #1 <strong>exclude</strong> (E1)" in r.text and 'id="my-decision"' in r.text
        r = client.post(
            "/screening/fulltext/1", data=data | {"reasons": "E1", "back": "https://evil.example/"}, follow_redirects=False
        )
        assert r.headers["location"] == "/"
