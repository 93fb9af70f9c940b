"""The JSON API through the real app: sessions, roles, import jobs, records, provenance."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from qes.web.app import create_app
from qes.web.policy import POLICY, PUBLIC
from support import FIXTURES, OWNER, VIEWER

SMALL = FIXTURES / "import" / "small.ris"


def _client(root: Path) -> TestClient:
    return TestClient(create_app(root))


def _login(client: TestClient, who: tuple[str, str]) -> None:
    r = client.post("/api/login", json={"email": who[0], "password": who[1]})
    assert r.status_code == 200, r.text


def _import(client: TestClient, path: Path, source: str = "PsycINFO (Ovid)") -> dict:
    with path.open("rb") as fh:
        r = client.post("/api/imports", files={"file": (path.name, fh)}, data={"source": source, "searched": "2015-02-10"})
    assert r.status_code == 200, r.text
    job = r.json()
    for _ in range(200):
        job = client.get(f"/api/jobs/{job['job']}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError("import did not finish")


def test_every_api_route_but_login_needs_a_session(web_project: Path) -> None:
    with _client(web_project) as client:
        spec = client.get("/openapi.json").json()
        routes = [(path, method) for path, item in spec["paths"].items() for method in item if path.startswith("/api/")]
        assert ("/api/login", "post") in routes and ("/api/records/{record_id}", "get") in routes
        for path, method in routes:
            url = path.replace("{record_id}", "1").replace("{job_id}", "1")
            r = client.request(method.upper(), url)
            if path == "/api/login":
                assert r.status_code == 422  # no body; never 401
            elif POLICY.get(f"{method.upper()} {path}") == PUBLIC:  # invitations: the token is the key
                assert r.status_code != 401, (path, method, r.status_code)
            else:
                assert r.status_code == 401, (path, method, r.status_code)


def test_wrong_password_and_non_member(web_project: Path) -> None:
    with _client(web_project) as client:
        assert client.post("/api/login", json={"email": OWNER[0], "password": "nope-nope"}).status_code == 401
        assert client.get("/api/status").status_code == 401


def test_import_then_list_search_and_record_provenance(web_project: Path) -> None:
    with _client(web_project) as client:
        _login(client, OWNER)
        job = _import(client, SMALL)
        assert job["state"] == "done" and job["result"]["imported"] == 3 and job["result"]["format"] == "ris"
        assert client.get("/api/status").json()["records"] == 3
        listing = client.get("/api/records").json()
        assert listing["total"] == 3
        some = listing["records"][0]
        word = some["title"].split()[0]
        found = client.get("/api/records", params={"q": word}).json()
        assert some["id"] in [r["id"] for r in found["records"]]
        detail = client.get(f"/api/records/{some['id']}").json()
        prov = detail["provenance"]
        assert prov["file"] == "small.ris" and prov["source"] == "PsycINFO (Ovid)" and prov["line"] >= 1
        assert any(tag == "TY" for tag, _ in prov["raw"])
        again = _import(client, SMALL)
        assert again["state"] == "failed" and "already imported" in again["error"]


def test_bad_file_imports_nothing(web_project: Path, tmp_path: Path) -> None:
    bad = FIXTURES / "import" / "truncated.ris"
    with _client(web_project) as client:
        _login(client, OWNER)
        job = _import(client, bad)
        assert job["state"] == "failed" and job["error"].startswith("truncated.ris:")
        assert client.get("/api/status").json()["records"] == 0


def test_viewer_cannot_import(web_project: Path) -> None:
    with _client(web_project) as client:
        _login(client, VIEWER)
        with SMALL.open("rb") as fh:
            r = client.post("/api/imports", files={"file": ("small.ris", fh)}, data={"source": "X"})
        assert r.status_code == 403
        assert client.get("/api/status").status_code == 200


def test_import_job_reports_records_read_while_running(web_project: Path, many_records_ris: Path) -> None:
    expected = many_records_ris.read_text(encoding="utf-8").count("TY  - ")
    with _client(web_project) as client:
        _login(client, OWNER)
        with many_records_ris.open("rb") as fh:
            started = client.post("/api/imports", files={"file": (many_records_ris.name, fh)}, data={"source": "Scopus"}).json()
        read_while_running: list[int] = []
        job = started
        deadline = time.time() + 60
        while job["state"] == "running" and time.time() < deadline:
            read_while_running.append(job["records_read"])
            time.sleep(0.02)
            job = client.get(f"/api/jobs/{started['job']}").json()
        assert job["state"] == "done", job
        assert job["result"]["imported"] == job["records_read"] == expected
        partial = [n for n in read_while_running if 0 < n < expected]
        assert partial, f"no progress seen between start and end: {read_while_running[:5]}...{read_while_running[-5:]}"
        assert partial == sorted(partial)  # counts only grow
        assert client.get("/api/status").json()["records"] == expected
