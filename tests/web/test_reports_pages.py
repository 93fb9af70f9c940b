"""Dashboard, reports, audit: pages and their JSON twins on the real app (real services, no mocks)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient

from qes.web.app import create_app
from screening_setup import ANA, BEN, TA, screening_team
from support import OWNER, VIEWER

RECORDS_CSV = """title,authors,year,journal,abstract
Reciprocity among nurses on hospital wards,"Garcia, Maria",2020,Nursing Inquiry,A qualitative study of reciprocal help.
Gift exchange in rural cooperatives & <markets>,"Owusu, Kwame",2018,World Development,Interviews with farmers.
A survey of online trust,"Smith, Anna",2019,Social Computing,A national survey.
"""


def _login(client: TestClient, who: tuple[str, str]) -> None:
    assert client.post("/api/login", json={"email": who[0], "password": who[1]}).status_code == 200


@pytest.fixture
def app_dir(web_project: Path, tmp_path: Path) -> Path:
    return screening_team(web_project, RECORDS_CSV, tmp_path)


def _decide(client: TestClient, record: int, decision: str) -> None:
    body = {"decision": decision, "reasons": ["E1"] if decision == "exclude" else [], "note": ""}
    assert client.post(f"/api/screening/{TA}/records/{record}", json=body).status_code == 200


def test_routes_need_a_session(app_dir: Path) -> None:
    with TestClient(create_app(app_dir)) as client:
        for url in ("/api/dashboard", "/api/prisma", "/api/reports", "/api/audit", "/api/reports/checklists"):
            assert client.get(url).status_code == 401, url
        for url in ("/dashboard", "/reports", "/audit", "/reports/prisma.svg"):
            response = client.get(url, follow_redirects=False)
            assert response.status_code == 303 and "/login" in response.headers["location"], url


def test_dashboard_shows_progress_agreement_and_the_live_diagram(app_dir: Path) -> None:
    app = create_app(app_dir)
    with TestClient(app) as ana, TestClient(app) as ben, TestClient(app) as owner:
        for client, who in ((ana, ANA), (ben, BEN), (owner, OWNER)):
            _login(client, who)
        for record in (1, 2, 3):
            _decide(ana, record, "include" if record < 3 else "exclude")
            _decide(ben, record, "include" if record != 2 else "exclude")  # 1 agreed, 2 and 3 in conflict
        data = owner.get("/api/dashboard").json()
        ta = next(s for s in data["stages"] if s["stage"] == TA)
        assert ta["records"] == 3 and ta["resolved"] == 1 and ta["conflicts"] == 2
        assert {r["reviewer"]: r["decisions"] for r in ta["reviewers"]} == {ANA[0]: 3, BEN[0]: 3}
        agreement = next(a for a in data["agreement"] if a["stage"] == TA)
        assert agreement["records"] == 3 and agreement["percent_agreement"] == pytest.approx(1 / 3, abs=1e-4)
        page = owner.get("/dashboard")
        assert page.status_code == 200 and 'hx-get="/dashboard/prisma"' in page.text and "<svg" in page.text
        fragment = owner.get("/dashboard/prisma").text
        root = ET.fromstring(fragment)
        assert "Records screened (n\u00a0=\u00a03)" in "".join(root.itertext())


def test_reports_page_lists_every_download_and_each_works(app_dir: Path) -> None:
    with TestClient(create_app(app_dir)) as viewer:
        _login(viewer, VIEWER)
        listed = viewer.get("/api/reports").json()["downloads"]
        urls = [d["url"] for d in listed]
        for expected in (
            "/reports/prisma.json",
            "/reports/prisma.svg",
            "/reports/prisma.png",
            "/reports/prisma.pdf",
            "/reports/tables/search-log.docx",
            "/reports/tables/excluded.latex",
            "/reports/review.html",
            "/reports/review.docx",
            "/reports/included.ris",
            "/reports/audit.csv",
            "/reports/audit.jsonl",
        ):
            assert expected in urls
        assert not any("refi" in u or "/tables/studies." in u for u in urls)  # no codebook, no Table 1 yet
        page = viewer.get("/reports").text
        assert "Not ready yet" in page
        assert all(f'href="{u}"' in page for u in urls)
        for url in urls:
            response = viewer.get(url)
            assert response.status_code == 200, (url, response.text[:200])
            assert response.headers["content-disposition"].startswith("attachment")
        document = docx.Document(io.BytesIO(viewer.get("/reports/tables/search-log.docx").content))
        assert document.tables[0].rows[1].cells[0].text == "Scopus"
        assert viewer.get("/api/reports/tables/search-log").json()["rows"][0]["records imported"] == "3"
        checklists = viewer.get("/api/reports/checklists").json()
        assert len(checklists["ENTREQ"]) == 21 and len(checklists["eMERGe"]) == 19
        assert viewer.get("/reports/tables/nothing.md").status_code == 400
        assert viewer.get("/reports/prisma.gif").status_code == 404


def test_audit_page_and_api_keep_blind_votes_hidden(app_dir: Path) -> None:
    app = create_app(app_dir)
    with TestClient(app) as ana, TestClient(app) as ben:
        _login(ana, ANA)
        _login(ben, BEN)
        _decide(ana, 1, "include")
        mine = ana.get("/api/audit", params={"action": "screen."}).json()
        assert mine["total"] == 1 and mine["events"][0]["actor"] == ANA[0]
        theirs = ben.get("/api/audit", params={"action": "screen."}).json()
        assert theirs["total"] == 0
        assert "screen.decide" not in ben.get("/reports/audit.csv").text
        assert "screen.decide" in ana.get("/reports/audit.jsonl").text
        page = ben.get("/audit", params={"action": "screen."})
        assert page.status_code == 200 and "0 events" in page.text
        assert "import.file" in ben.get("/audit").text
