"""Coding through the JSON API and the pages of the real app (TestClient): documents, codebook, segments,
the blind rule, done marks, agreement, reconciliation, memos and suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from coding_setup import CODER_A, CODER_B, TEXT_ONE, coding_team
from qes.web.app import create_app
from support import OWNER, VIEWER


def _login(client: TestClient, who: tuple[str, str]) -> None:
    assert client.post("/api/login", json={"email": who[0], "password": who[1]}).status_code == 200


@pytest.fixture
def team(web_project: Path):  # type: ignore[no-untyped-def]
    docs = coding_team(web_project)
    app = create_app(web_project)
    with TestClient(app) as a, TestClient(app) as b, TestClient(app) as owner, TestClient(app) as viewer:
        for client, who in ((a, CODER_A), (b, CODER_B), (owner, OWNER), (viewer, VIEWER)):
            _login(client, who)
        yield {"a": a, "b": b, "owner": owner, "viewer": viewer, "docs": docs}


def test_routes_need_a_session(web_project: Path) -> None:
    coding_team(web_project)
    with TestClient(create_app(web_project)) as client:
        for path in ("/api/coding", "/api/codebook", "/api/segments", "/api/memos", "/api/coding-agreement"):
            assert client.get(path).status_code == 401, path
        assert client.get("/coding", follow_redirects=False).status_code == 303
        assert client.get("/codebook", follow_redirects=False).status_code == 303


def test_two_coders_are_blind_until_both_are_done(team) -> None:  # type: ignore[no-untyped-def]
    a, b, owner, viewer, (one, _two) = team["a"], team["b"], team["owner"], team["viewer"], team["docs"]
    assert owner.post("/api/memos", json={"target": "project", "text": "two coders from now on"}).status_code == 200
    start = TEXT_ONE.index("She listened")
    r = a.post(f"/api/coding/{one}/segments", json={"codes": ["Listen"], "start": start, "end": start + 18,
                                                     "text": "She listened to me"})  # fmt: skip
    assert r.status_code == 200 and r.json()["codes"][0]["path"] == "Trust/Listen"
    seg_a = r.json()["id"]
    r = b.post(f"/api/coding/{one}/segments", json={"codes": ["Trust/Listen"], "find": "listened to me"})
    assert r.status_code == 200
    assert [s["coder"] for s in b.get(f"/api/coding/{one}").json()["segments"]] == [CODER_B[0]]
    assert b.delete(f"/api/segments/{seg_a}").status_code == 404  # A's blind segment does not exist for B
    assert viewer.post(f"/api/coding/{one}/segments", json={"codes": ["Trust"], "find": "nurse"}).status_code == 403
    wrong = a.post(f"/api/coding/{one}/segments", json={"codes": ["Trust"], "start": 0, "end": 3, "text": "xyz"})
    assert wrong.status_code == 409 and "reload" in wrong.json()["detail"]
    assert a.post(f"/api/coding/{one}/done").json()["all_done"] is False  # B has coded it too and is not done
    assert [s["coder"] for s in b.get(f"/api/coding/{one}").json()["segments"]] == [CODER_B[0]]
    assert b.post(f"/api/coding/{one}/done").json()["all_done"] is True
    assert {s["coder"] for s in viewer.get(f"/api/coding/{one}").json()["segments"]} == {CODER_A[0], CODER_B[0]}
    assert b.post(f"/api/coding/{one}/segments", json={"codes": ["Time"], "find": "every week"}).status_code == 409


def test_agreement_and_reconcile_with_two_coders_per_document(team, web_project: Path) -> None:  # type: ignore[no-untyped-def]
    from qes.services import coding
    from qes.services.project import opened

    with opened(web_project, actor=OWNER[0]) as p:
        coding.set_coders_per_document(p, 2)
    a, b, owner, (one, _two) = team["a"], team["b"], team["owner"], team["docs"]
    a.post(f"/api/coding/{one}/segments", json={"codes": ["Listen"], "find": "She listened to me"})
    b.post(f"/api/coding/{one}/segments", json={"codes": ["Listen"], "find": "She listened to me"})
    assert a.post(f"/api/coding/{one}/done").json()["all_done"] is False
    assert owner.get("/api/coding-agreement").json()["documents"] == 0
    assert owner.post(f"/api/coding/{one}/reconcile", json={}).status_code == 409
    assert b.post(f"/api/coding/{one}/done").json()["all_done"] is True
    stats = owner.get("/api/coding-agreement").json()
    assert stats["documents"] == 1 and stats["codes"][0]["code"] == "Trust/Listen" and stats["codes"][0]["kappa"] == 1.0
    assert len(a.get(f"/api/coding/{one}").json()["segments"]) == 2  # closed: both codings visible
    done = owner.post(f"/api/coding/{one}/reconcile", json={"take": "agreed", "note": "identical"})
    assert done.status_code == 200 and done.json()["segments"] == 1
    final = owner.get("/api/segments?final=true").json()
    assert [(s["text"], s["status"]) for s in final] == [("She listened to me", "reconciled")]


def test_codebook_memos_and_suggestions(team) -> None:  # type: ignore[no-untyped-def]
    a, viewer, (_one, two) = team["a"], team["viewer"], team["docs"]
    added = a.post("/api/codebook/codes", json={"name": "Company", "parent": "Time", "kind": "concept"})
    assert added.status_code == 200 and added.json()["path"] == "Time/Company"
    code_id = added.json()["id"]
    assert a.post(f"/api/codebook/codes/{code_id}", json={"definition": "someone to be with"}).json()["definition"]
    assert a.post(f"/api/codebook/codes/{code_id}/move", json={"parent": "Trust"}).json()["path"] == "Trust/Company"
    assert a.post("/api/codebook/codes", json={"name": "Company", "parent": "Trust"}).status_code == 409
    assert viewer.post("/api/codebook/codes", json={"name": "X"}).status_code == 403
    assert [c["path"] for c in viewer.get("/api/codebook").json()] == ["Trust", "Trust/Listen", "Trust/Company", "Time"]
    assert a.post("/api/codebook/frameworks/reciprocity").json()["themes"] == 4
    assert a.post("/api/codebook/frameworks/nope").status_code == 400
    text = a.get(f"/api/coding/{two}").json()["text"]
    start = text.index("Talking about the weather")
    got = a.get(f"/api/coding/{two}/suggest?start={start}&end={start + 25}").json()
    assert got["suggestions"][0]["path"] == "Time" and "weather" in got["suggestions"][0]["why"]
    assert a.get(f"/api/coding/{two}").json()["segments"] == []  # a suggestion is never applied
    memo = a.post("/api/memos", json={"target": "code", "ref": "Listen", "text": "central to trust"})
    assert memo.status_code == 200
    assert [m["text"] for m in viewer.get("/api/memos?target=code&ref=Listen").json()] == ["central to trust"]
    doc = a.post("/api/coding/documents", json={"study": "Goodman et al. (2014)", "text": "More notes."})
    assert doc.status_code == 200 and doc.json()["study"] == "Goodman et al. (2014)"
    assert a.post("/api/coding/documents", json={"study": "Nobody (1900)", "text": "x"}).status_code == 404


def test_pages_show_documents_codebook_and_the_coded_text(team) -> None:  # type: ignore[no-untyped-def]
    a, viewer, (one, _two) = team["a"], team["viewer"], team["docs"]
    a.post(f"/api/coding/{one}/segments", json={"codes": ["Listen"], "find": "She listened to me"})
    listing = viewer.get("/coding")
    assert listing.status_code == 200 and "Interview extract" in listing.text and 'href="/coding"' in listing.text
    assert "Add a document" not in listing.text  # a viewer cannot add
    page = a.get(f"/coding/{one}")
    assert page.status_code == 200 and 'class="coded"' in page.text and "She listened to me</span>" in page.text
    assert 'id="code-form"' in page.text and "/static/coding.js" in page.text
    assert 'class="coded"' not in viewer.get(f"/coding/{one}").text  # blind until done
    fragment = a.post(f"/coding/{one}/segments", data={"start": "0", "end": "9", "code": ["1"], "order": "second"},
                      headers={"X-CSRF-Token": "wrong"})  # fmt: skip
    assert fragment.status_code == 403
    assert "Trust" in viewer.get("/codebook").text and a.get("/coding/999").status_code == 404


def test_page_forms_add_a_document_a_memo_and_a_code(team) -> None:  # type: ignore[no-untyped-def]
    import re

    a, (one, _two) = team["a"], team["docs"]
    page = a.get("/coding").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    added = a.post("/coding/documents", data={"csrf": csrf, "study": "", "source": "text", "text": "Pasted words.",
                                             "title": "Pasted"}, follow_redirects=False)  # fmt: skip
    assert added.status_code == 303 and added.headers["location"].startswith("/coding/")
    empty = a.post("/coding/documents", data={"csrf": csrf, "source": "text", "text": " "})
    assert empty.status_code == 400 and "no text" in empty.text
    memo = a.post(f"/coding/{one}/memos", data={"csrf": csrf, "target": "study", "ref": "", "text": "interviews"},
                  follow_redirects=False)  # fmt: skip
    assert memo.status_code == 303
    assert [m["text"] for m in a.get("/api/memos?target=study&ref=Beeber and Caldwell (1996)").json()] == ["interviews"]
    code = a.post("/codebook/codes", data={"csrf": csrf, "name": "Warmth", "kind": "theme", "back": f"/coding/{one}"},
                  follow_redirects=False)  # fmt: skip
    assert code.status_code == 303 and code.headers["location"] == f"/coding/{one}"
    assert "Warmth" in a.get(f"/coding/{one}").text
    assert a.post("/codebook/codes", data={"csrf": "forged", "name": "X"}).status_code == 403
