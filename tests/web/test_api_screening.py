"""Screening, conflicts, agreement and full texts through the JSON API of the real app (real services, no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pdf_maker import make_pdf
from qes.web.app import create_app
from screening_setup import ADA, ANA, BEN, TA, screening_team
from support import OWNER, VIEWER

RECORDS_CSV = """title,authors,year,journal,abstract
Reciprocity among nurses on hospital wards,"Garcia, Maria",2020,Nursing Inquiry,A qualitative study of reciprocal help.
Gift exchange in rural cooperatives,"Owusu, Kwame",2018,World Development,Interviews with farmers.
A survey of online trust,"Smith, Anna",2019,Social Computing,A national survey.
Sharing food with neighbours,"Brown, Tom",2021,Appetite,Ethnography of sharing.
Mutual aid after floods,"Lee, Chen",2017,Disasters,Focus groups with residents.
Blood donation and altruism,"Khan, Sara",2016,Transfusion,A cohort study.
"""


def _login(client: TestClient, who: tuple[str, str]) -> None:
    r = client.post("/api/login", json={"email": who[0], "password": who[1]})
    assert r.status_code == 200, r.text


def _decide(client: TestClient, record: int, decision: str, reasons: tuple[str, ...] = (), stage: str = TA) -> dict:
    r = client.post(f"/api/screening/{stage}/records/{record}", json={"decision": decision, "reasons": list(reasons), "note": ""})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def project(web_project: Path, tmp_path: Path) -> Path:
    """Two blind reviewers, an adjudicator, two exclusion criteria, title-abstract then full text, six records."""
    screening_team(web_project, RECORDS_CSV, tmp_path, exclude_terms=("survey",))
    return web_project


@pytest.fixture
def clients(project: Path):  # type: ignore[no-untyped-def]
    """A signed-in client per person, all on one app."""
    app = create_app(project)
    with (
        TestClient(app) as ana,
        TestClient(app) as ben,
        TestClient(app) as ada,
        TestClient(app) as viewer,
        TestClient(app) as owner,
    ):
        for client, who in ((ana, ANA), (ben, BEN), (ada, ADA), (viewer, VIEWER), (owner, OWNER)):
            _login(client, who)
        yield {"ana": ana, "ben": ben, "ada": ada, "viewer": viewer, "owner": owner}


def test_screening_routes_need_a_session(project: Path) -> None:
    with TestClient(create_app(project)) as client:
        for method, url in [
            ("GET", "/api/protocol"),
            ("GET", "/api/screening"),
            ("GET", f"/api/screening/{TA}/next"),
            ("POST", f"/api/screening/{TA}/records/1"),
            ("GET", "/api/conflicts"),
            ("GET", f"/api/agreement/{TA}"),
            ("GET", "/api/fulltexts"),
            ("GET", "/api/fulltexts/1/pdf"),
        ]:
            assert client.request(method, url).status_code == 401, (method, url)


def test_protocol_and_progress(clients: dict[str, TestClient]) -> None:
    ana = clients["ana"]
    protocol = ana.get("/api/protocol").json()
    assert [c["code"] for c in protocol["criteria"]] == ["E1", "E2"]
    assert [s["name"] for s in protocol["stages"]] == [TA, "fulltext"]
    assert protocol["terms"] == {"include": ["recipr*"], "exclude": ["survey"]}
    first = ana.get("/api/screening").json()[0]
    assert first["stage"] == TA and first["records"] == 6 and first["mine"] == 0 and first["resolved"] == 0


def test_decide_then_next_with_highlights(clients: dict[str, TestClient]) -> None:
    ana = clients["ana"]
    item = ana.get(f"/api/screening/{TA}/next").json()
    assert item["stage"] == TA and item["title_text"] == "Reciprocity among nurses on hospital wards"
    assert ["Reciprocity", "include"] in item["title"] and ["reciprocal", "include"] in item["abstract"]
    assert item["mine"] is None and item["votes"] == [] and item["progress"]["records"] == 6
    result = _decide(ana, item["record_id"], "include")
    assert result == {"record": item["record_id"], "stage": TA, "decision": "include", "reasons": [], "state": "pending"}
    following = ana.get(f"/api/screening/{TA}/next").json()
    assert following["record_id"] != item["record_id"] and following["progress"]["mine"] == 1
    survey = next(r for r in range(1, 7) if "survey" in ana.get(f"/api/screening/{TA}/records/{r}").json()["title_text"])
    assert ["survey", "exclude"] in ana.get(f"/api/screening/{TA}/records/{survey}").json()["title"]
    mine = ana.get(f"/api/screening/{TA}/records/{item['record_id']}").json()["mine"]
    assert mine["decision"] == "include" and mine["reviewer"] == ANA[0]
    for record in range(1, 7):
        if record != item["record_id"]:
            _decide(ana, record, "exclude", ("E2",))
    assert ana.get(f"/api/screening/{TA}/next").json() == {"done": True}


def test_blind_until_all_votes_are_in_then_the_adjudicator_resolves(clients: dict[str, TestClient]) -> None:
    ana, ben, ada, viewer = clients["ana"], clients["ben"], clients["ada"], clients["viewer"]
    _decide(ana, 1, "include")
    seen = ben.get(f"/api/screening/{TA}/records/1").json()
    assert seen["votes"] == [] and seen["mine"] is None and seen["state"] == "pending"
    assert viewer.get(f"/api/screening/{TA}/records/1").json()["votes"] == []

    assert _decide(ben, 1, "exclude", ("E1",))["state"] == "conflict"
    for client in (ana, ben, ada):
        votes = client.get(f"/api/screening/{TA}/records/1").json()["votes"]
        assert sorted((v["reviewer"], v["decision"]) for v in votes) == [(ANA[0], "include"), (BEN[0], "exclude")]
    assert viewer.get(f"/api/screening/{TA}/records/1").json()["votes"] == []  # not a decider, not an adjudicator

    assert viewer.post(f"/api/screening/{TA}/records/2", json={"decision": "include"}).status_code == 403
    found = ada.get("/api/conflicts", params={"stage": TA}).json()
    assert [(c["record_id"], c["kind"]) for c in found] == [(1, "decision")] and len(found[0]["votes"]) == 2
    assert [c["record_id"] for c in ana.get("/api/conflicts").json()] == [1]  # her own conflict
    refused = ana.post(f"/api/conflicts/{TA}/1", json={"decision": "include"})
    assert refused.status_code == 403 and "resolve conflicts" in refused.json()["detail"]

    resolved = ada.post(f"/api/conflicts/{TA}/1", json={"decision": "include", "note": "qualitative after all"}).json()
    assert resolved == {"record": 1, "stage": TA, "decision": "include", "reasons": [], "state": "resolved"}
    assert ada.get("/api/conflicts").json() == []
    after = viewer.get(f"/api/screening/{TA}/records/1").json()
    assert after["state"] == "resolved" and len(after["votes"]) == 2 and after["outcome"]["method"] == "adjudication"
    assert ada.post(f"/api/conflicts/{TA}/1", json={"decision": "exclude"}).status_code == 409
    assert ana.post(f"/api/screening/{TA}/records/1", json={"decision": "exclude", "reasons": ["E1"]}).status_code == 409


def test_refused_decisions_say_why(clients: dict[str, TestClient]) -> None:
    ana = clients["ana"]
    r = ana.post(f"/api/screening/{TA}/records/1", json={"decision": "perhaps"})
    assert r.status_code == 400 and "include, exclude or maybe" in r.json()["detail"]
    r = ana.post(f"/api/screening/{TA}/records/1", json={"decision": "exclude", "reasons": ["E9"]})
    assert r.status_code == 400 and "unknown criterion" in r.json()["detail"]
    assert ana.post(f"/api/screening/{TA}/records/999", json={"decision": "include"}).status_code == 404
    assert ana.get("/api/screening/no-such-stage/next").status_code == 404
    assert ana.post(f"/api/screening/{TA}/records/1", json={}).status_code == 422


def test_agreement_per_pair(clients: dict[str, TestClient]) -> None:
    ana, ben = clients["ana"], clients["ben"]
    for record, (a, b) in enumerate(
        [("include", "include"), ("exclude", "exclude"), ("include", "exclude"), ("exclude", "exclude")], 1
    ):
        _decide(ana, record, a, ("E1",) if a == "exclude" else ())
        _decide(ben, record, b, ("E1",) if b == "exclude" else ())
    _decide(ana, 5, "include")  # pending: left out
    result = ana.get(f"/api/agreement/{TA}").json()
    assert result["records"] == 4 and result["percent_agreement"] == 0.75 and result["fleiss"] is None
    (pair,) = result["pairs"]
    assert pair["reviewers"] == [ANA[0], BEN[0]] and pair["n"] == 4 and pair["agreed"] == 3
    assert pair["kappa"] == 0.5 and pair["kappa_ci_low"] < 0.5 < pair["kappa_ci_high"]
    assert {"pabak", "prevalence_index", "bias_index"} <= pair.keys()
    pilot = ana.get(f"/api/agreement/{TA}", params={"pilot": True}).json()
    assert pilot["pilot"] is True and pilot["pilot_records"] == 0 and pilot["pairs"] == []


def test_pilot_sample_comes_first(clients: dict[str, TestClient]) -> None:
    owner, ana = clients["owner"], clients["ana"]
    made = owner.post(f"/api/screening/{TA}/pilot", json={"n": 2, "seed": 7}).json()
    assert made["n"] == 2 and made["seed"] == 7 and len(made["records"]) == 2
    item = ana.get(f"/api/screening/{TA}/next").json()
    assert item["pilot"] is True and item["record_id"] in made["records"]
    assert clients["viewer"].post(f"/api/screening/{TA}/pilot", json={"n": 2}).status_code == 403


def test_fulltext_upload_view_and_not_retrieved(clients: dict[str, TestClient]) -> None:
    ana, ben, viewer = clients["ana"], clients["ben"], clients["viewer"]
    for record in (1, 2):
        _decide(ana, record, "include")
        _decide(ben, record, "include")
    pdf = make_pdf(["Reciprocity on the ward\npage one", "Findings on page two"])
    r = ana.post("/api/fulltexts/1", files={"file": ("garcia 2020.pdf", pdf, "application/pdf")})
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["status"] == "retrieved" and info["pages"] == 2 and info["file_name"] == "garcia 2020.pdf"
    detail = ana.get("/api/fulltexts/1").json()
    assert [p["page"] for p in detail["pages"]] == [1, 2] and "Findings on page two" in detail["pages"][1]["text"]

    shown = viewer.get("/api/fulltexts/1/pdf")
    assert shown.status_code == 200 and shown.content == pdf
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"] == "inline" and shown.headers["x-content-type-options"] == "nosniff"
    assert ana.get("/api/fulltexts/2/pdf").status_code == 404

    bad = ana.post("/api/fulltexts/2", files={"file": ("notes.pdf", b"just some text", "application/pdf")})
    assert bad.status_code == 400 and bad.json()["detail"] == "notes.pdf: not a PDF (full texts are attached as PDF files)"
    assert viewer.post("/api/fulltexts/2", files={"file": ("x.pdf", pdf, "application/pdf")}).status_code == 403

    assert ana.post("/api/fulltexts/2/not-retrieved", json={"reason": " "}).status_code == 400
    gone = ana.post("/api/fulltexts/2/not-retrieved", json={"reason": "not held by the library"}).json()
    assert gone["status"] == "not_retrieved" and gone["reason"] == "not held by the library"
    assert ana.post("/api/fulltexts/1/not-retrieved", json={"reason": "lost"}).status_code == 400  # it was retrieved
    listed = {f["record_id"]: f["status"] for f in ana.get("/api/fulltexts").json()}
    assert listed == {1: "retrieved", 2: "not_retrieved"}
    assert ana.get("/api/fulltexts/3").json() == {"record_id": 3, "status": "missing", "pages": []}
    assert ana.get("/api/fulltexts/999").status_code == 404

    # The full-text stage needs a reason to exclude and offers no maybe.
    r = ana.post("/api/screening/fulltext/records/1", json={"decision": "exclude"})
    assert r.status_code == 400 and "reason" in r.json()["detail"]
    assert ana.post("/api/screening/fulltext/records/1", json={"decision": "maybe"}).status_code == 400
    assert _decide(ana, 1, "exclude", ("E1",), stage="fulltext")["state"] == "pending"
