"""/synthesis through the real app: the matrix with its words, the grid cell editor, texts and
CERQual worksheets; CSRF, roles, escaping, and the JSON twins under /api/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qes.web.app import create_app
from support import OWNER, VIEWER
from synthesis_setup import BEEBER, GOODMAN, synthesis_project


def _token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def _client(root: Path, who: tuple[str, str]) -> tuple[TestClient, str]:
    client = TestClient(create_app(root))
    token = _token(client.get("/login").text)
    r = client.post("/login", data={"email": who[0], "password": who[1], "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client, _token(client.get("/synthesis").text)


@pytest.fixture
def ids(web_project: Path) -> dict[str, int]:
    return synthesis_project(web_project)


def test_page_shows_matrix_words_grid_and_escapes(web_project: Path, ids: dict[str, int]) -> None:
    client, _ = _client(web_project, VIEWER)
    html = client.get("/synthesis").text
    assert '<a href="/synthesis" aria-current="page">Synthesis</a>' in html  # the nav marks this page
    matrix = html[html.index('id="matrix"') : html.index("</table>", html.index('id="matrix"'))]
    assert BEEBER in matrix and "✓ (in part)" in matrix and "half" in matrix
    assert f'href="/synthesis/grid/{ids["listen"]}/{ids["beeber"]}"' in html
    assert 'id="synthesis-form"' not in html  # a viewer reads only
    cell = client.get(f"/synthesis/grid/{ids['listen']}/{ids['beeber']}").text
    assert "She listened to me" in cell and 'id="cell-form"' not in cell
    assert 'href="/coding/' in cell  # each segment links to its document on the coding page
    assert "<b>We</b>" not in client.get("/api/synthesis").text  # plain JSON text, never HTML


def test_owner_edits_a_cell_with_its_segment(web_project: Path, ids: dict[str, int]) -> None:
    client, token = _client(web_project, OWNER)
    url = f"/synthesis/grid/{ids['listen']}/{ids['beeber']}"
    form = {"csrf": token, "text": "she listened", "relation": "reciprocal", "segment_ids": [str(ids["segment"])]}
    r = client.post(url, data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/synthesis#cell-")
    page = client.get("/synthesis").text
    assert "(R) she listened" in page and "Saved Listen" in page
    assert "checked>" in client.get(url).text.replace('" checked>', " checked>")
    refused = client.post(url, data={"csrf": token, "text": "x", "relation": "sideways"}, follow_redirects=True)
    assert "relation" in refused.text and 'role="alert"' in refused.text
    assert client.post(url, data={"text": "no token"}).status_code == 403


def test_texts_and_findings_from_the_page(web_project: Path, ids: dict[str, int]) -> None:
    client, token = _client(web_project, OWNER)
    r = client.post(
        "/synthesis/texts",
        data={
            "csrf": token,
            "kind": "line_of_argument",
            "title": "Being known",
            "text": "Para one.\n\nPara two.",
            "concepts": [str(ids["trust"])],
        },
        follow_redirects=True,
    )
    assert "Para two." in r.text and "Synthesises: Trust" in r.text
    r = client.post(
        "/synthesis/findings",
        data={"csrf": token, "statement": "Listening matters", "studies": [str(ids["beeber"])]},
        follow_redirects=True,
    )
    assert 'id="finding-1"' in r.text and BEEBER in r.text
    assessment = {"csrf": token, "adequacy_concern": "serious", "adequacy_explanation": "one study", "overall": "low", "why": ""}
    for c in ("methodological_limitations", "coherence", "relevance"):
        assessment[f"{c}_concern"] = "no_or_very_minor"
    r = client.post("/synthesis/findings/1", data=assessment, follow_redirects=True)
    assert "say why" in r.text  # CERQual: below high needs a reason
    r = client.post("/synthesis/findings/1", data=assessment | {"why": "one study only"}, follow_redirects=True)
    assert "Low confidence" in r.text and "one study only" in r.text


def test_api_twins(web_project: Path, ids: dict[str, int]) -> None:
    anonymous = TestClient(create_app(web_project))
    assert anonymous.get("/api/synthesis").status_code == 401
    client = TestClient(create_app(web_project))
    assert client.post("/api/login", json={"email": OWNER[0], "password": OWNER[1]}).status_code == 200
    overview = client.get("/api/synthesis").json()
    assert overview["matrix"]["columns"] == ["study", "Trust", "Time"]
    assert overview["matrix"]["rows"][1] == {"study": GOODMAN, "Trust": "", "Time": "✓ (in part)"}
    assert [f["word"] for f in overview["matrix"]["frequency"]] == ["half", "half"]
    cell = client.put(
        "/api/synthesis/grid",
        json={
            "concept": "Listen",
            "study": BEEBER,
            "text": "listened",
            "relation": "refutational",
            "segment_ids": [ids["segment"]],
        },
    )
    assert cell.status_code == 200 and cell.json()["relation"] == "refutational"
    detail = client.get(f"/api/synthesis/grid/{ids['listen']}/{ids['beeber']}").json()
    assert detail["cell"]["text"] == "listened" and detail["segments"][0]["linked"] is True
    assert client.put("/api/synthesis/grid", json={"concept": "Nope", "study": BEEBER, "text": "x"}).status_code == 404
    text = client.put("/api/synthesis/texts", json={"kind": "third_order", "title": "T", "text": "x", "concepts": ["Trust"]})
    assert text.json()["concepts"] == ["Trust"]
    added = client.post("/api/findings", json={"statement": "Being there", "concept": "Time", "studies": [GOODMAN]})
    assert added.status_code == 200 and added.json()["number"] == 1
    bad = client.put("/api/findings/1", json={"components": {"coherence": {"concern": "minor"}}})
    assert bad.status_code == 400 and "explanation" in bad.json()["detail"]
    assert client.get("/api/findings").json()[0]["components"] == {}
    viewer = TestClient(create_app(web_project))
    viewer.post("/api/login", json={"email": VIEWER[0], "password": VIEWER[1]})
    assert viewer.put("/api/synthesis/texts", json={"kind": "narrative", "title": "x", "text": "y"}).status_code == 403
