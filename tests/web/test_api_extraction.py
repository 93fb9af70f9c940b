"""Studies, extraction and appraisal through the JSON API and the pages of the real app (TestClient)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from extraction_setup import ADA, ANA, BEN, STUDY, extraction_team
from qes.web.app import create_app
from support import VIEWER


def _login(client: TestClient, who: tuple[str, str]) -> None:
    assert client.post("/api/login", json={"email": who[0], "password": who[1]}).status_code == 200


@pytest.fixture
def team(web_project: Path):  # type: ignore[no-untyped-def]
    study_id = extraction_team(web_project)
    app = create_app(web_project)
    with TestClient(app) as ana, TestClient(app) as ben, TestClient(app) as ada, TestClient(app) as viewer:
        for client, who in ((ana, ANA), (ben, BEN), (ada, ADA), (viewer, VIEWER)):
            _login(client, who)
        yield {"ana": ana, "ben": ben, "ada": ada, "viewer": viewer, "study": study_id}


def test_routes_need_a_session(web_project: Path) -> None:
    extraction_team(web_project)
    with TestClient(create_app(web_project)) as client:
        assert client.get("/api/studies").status_code == 401
        assert client.get("/api/extraction").status_code == 401
        assert client.get("/extraction", follow_redirects=False).status_code == 303


def test_two_extractors_through_the_api(team) -> None:  # type: ignore[no-untyped-def]
    ana, ben, ada, viewer, sid = team["ana"], team["ben"], team["ada"], team["viewer"], team["study"]
    base = {"authors": "Beeber & Caldwell", "year": 1996, "country": "USA"}
    r = ana.post(f"/api/extraction/{sid}/entry", json={"form": "table1", "values": base | {"methods": "Taped"}, "submit": True})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    seen = ben.get(f"/api/extraction/{sid}?form=table1").json()
    assert seen["entries"] == [] and seen["hidden"] == 1 and seen["comparison"] is None
    values = base | {"methods": "Taped sessions"}
    assert ben.post(f"/api/extraction/{sid}/entry", json={"form": "table1", "values": values, "submit": True}).status_code == 200
    compared = ada.get(f"/api/extraction/{sid}").json()["comparison"]
    assert [c["key"] for c in compared if c["state"] == "differ"] == ["methods"]
    assert viewer.get(f"/api/extraction/{sid}").json()["entries"] == []
    assert viewer.post(f"/api/extraction/{sid}/entry", json={"values": {"authors": "x"}}).status_code == 403
    refused = ada.post(f"/api/extraction/{sid}/reconcile", json={"form": "table1"})
    assert refused.status_code == 400 and "differ on methods" in refused.json()["detail"]
    done = ada.post(f"/api/extraction/{sid}/reconcile", json={"take": {"methods": BEN[0]}, "note": "fuller"})
    assert done.status_code == 200 and done.json()["final"]["methods"] == "Taped sessions"
    table = viewer.get("/api/tables/studies?form=table1").json()
    assert table["rows"][0]["Study"] == STUDY and table["rows"][0]["Country"] == "United States"
    overview = viewer.get("/api/extraction").json()
    assert overview["form"]["name"] == "table1" and overview["studies"][0]["state"] == "reconciled"
    again = ana.post(f"/api/extraction/{sid}/entry", json={"values": {"methods": "x"}})
    assert again.status_code == 409


def test_studies_and_forms_through_the_api(team) -> None:  # type: ignore[no-untyped-def]
    ana, viewer = team["ana"], team["viewer"]
    added = ana.post("/api/studies", json={"label": "Cohen (1998)", "number": 3})
    assert added.status_code == 200 and added.json()["position"] == 2
    assert ana.post("/api/studies", json={"label": "Cohen (1998)"}).status_code == 409
    assert viewer.post("/api/studies", json={"label": "Hem (2011)"}).status_code == 403
    assert [s["label"] for s in viewer.get("/api/studies").json()] == [STUDY, "Cohen (1998)"]
    assert ana.post("/api/studies/from-screening").json() == []  # no screening stages yet
    form = ana.post("/api/forms", json={"name": "jbi", "template": "jbi-qualitative"})
    assert form.status_code == 200 and form.json()["kind"] == "appraisal"
    assert [f["name"] for f in viewer.get("/api/forms?kind=appraisal").json()] == ["casp", "mine", "jbi"]
    assert viewer.get("/api/forms/nope").status_code == 404


def test_appraisal_summary_through_the_api(team) -> None:  # type: ignore[no-untyped-def]
    ana, ben, viewer, sid = team["ana"], team["ben"], team["viewer"], team["study"]
    answers = {f"q{i}": "Yes" for i in range(1, 10)} | {"q5": "No"}
    for client in (ana, ben):
        r = client.post(f"/api/appraisal/{sid}/entry", json={"values": answers, "submit": True})
        assert r.status_code == 200, r.text
    assert ana.post(f"/api/appraisal/{sid}/reconcile", json={}).status_code == 200
    row = viewer.get("/api/appraisal").json()["studies"][0]
    assert row["summary"]["counts"] == {"Yes": 8, "No": 1, "Can't tell": 0}
    assert row["summary"]["answered_no"] == ["5. Was the data collected in a way that addressed the research issue?"]
    assert viewer.get("/api/tables/appraisal").json()["rows"][0]["Q5"] == "No"
    assert "Yes 8 · No 1 · Can&#39;t tell 0" in viewer.get("/appraisal").text
    study_page = viewer.get(f"/appraisal/{sid}").text
    assert 'id="appraisal-summary"' in study_page and "answered No: 5. Was the data collected" in study_page
    assert 'id="entry-form"' not in study_page  # viewers read


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_pages_render_every_field_type_and_keep_typed_values_on_error(team) -> None:  # type: ignore[no-untyped-def]
    ana, sid = team["ana"], team["study"]
    page = ana.get(f"/extraction/{sid}?form=table1")
    assert page.status_code == 200
    assert 'name="f_year" inputmode="decimal"' in page.text and 'list="countries"' in page.text
    assert "<textarea" in page.text and '<option value="United States">' in page.text
    casp = ana.get(f"/appraisal/{sid}?form=casp").text
    assert '<select id="f_field-q1" name="f_q1"' in casp and casp.count('<option value="Can&#39;t tell">') == 9
    mine = ana.get(f"/appraisal/{sid}?form=mine").text
    assert mine.count('type="radio" name="f_q1"') == 4  # Yes, No, Unclear, no answer
    qual = ana.get(f"/extraction/{sid}?form=qual").text
    assert qual.count('type="checkbox" name="f_data_collection"') == 6
    bad = ana.post(
        f"/extraction/{sid}/entry",
        data={"csrf": _csrf(page.text), "form": "table1", "f_authors": "Beeber", "f_year": "soon", "action": "draft"},
    )
    assert bad.status_code == 400 and "year: &#39;soon&#39; is not a number" in bad.text and 'value="Beeber"' in bad.text
    good = ana.post(
        f"/extraction/{sid}/entry",
        data={"csrf": _csrf(page.text), "form": "table1", "f_authors": "Beeber", "f_year": "1996", "action": "draft"},
    )
    assert good.status_code == 200 and "Draft saved." in good.text and 'value="1996"' in good.text
    no_csrf = ana.post(f"/extraction/{sid}/entry", data={"form": "table1", "f_authors": "x"})
    assert no_csrf.status_code == 403
    overview = ana.get("/extraction").text
    assert STUDY in overview and "draft" in overview
    assert "Extraction" in ana.get("/studies").text and 'href="/appraisal"' in overview


def test_reconcile_page_with_a_typed_value_and_a_refusal(team) -> None:  # type: ignore[no-untyped-def]
    ana, ben, ada, sid = team["ana"], team["ben"], team["ada"], team["study"]
    for client, country in ((ana, "USA"), (ben, "UK")):
        values = {"authors": "B & C", "year": 1996, "country": country}
        r = client.post(f"/api/extraction/{sid}/entry", json={"values": values, "submit": True})
        assert r.status_code == 200, r.text
    page = ada.get(f"/extraction/{sid}?form=table1")
    assert page.status_code == 200 and 'data-key="country" data-state="differ"' in page.text and "reconcile-form" in page.text
    token = _csrf(page.text)
    refused = ada.post(f"/extraction/{sid}/reconcile", data={"csrf": token, "form": "table1"})
    assert refused.status_code == 400 and "differ on country" in refused.text and 'id="reconcile-error"' in refused.text
    typed = {"csrf": token, "form": "table1", "pick_country": "__typed__", "set_country": "USA and UK", "note": "both"}
    done = ada.post(f"/extraction/{sid}/reconcile", data=typed)
    assert done.status_code == 200 and "Reconciled" in done.text
    assert "United States; United Kingdom" in done.text.split('id="final"')[1]
