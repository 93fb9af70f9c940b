"""De-duplication through the JSON API of the real app: run, review queue, decisions, undo, roles."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qes.web.app import create_app
from support import OWNER, VIEWER

DOI = "10.1234/jsc.2019.001"  # the DOI the two exact duplicates of the duplicates_csv fixture share


def _login(client: TestClient, who: tuple[str, str]) -> None:
    r = client.post("/api/login", json={"email": who[0], "password": who[1]})
    assert r.status_code == 200, r.text


def _import(client: TestClient, path: Path) -> None:
    with path.open("rb") as fh:
        job = client.post("/api/imports", files={"file": (path.name, fh)}, data={"source": "Scopus"}).json()
    for _ in range(200):
        job = client.get(f"/api/jobs/{job['job']}").json()
        if job["state"] != "running":
            assert job["state"] == "done", job
            return
        time.sleep(0.05)
    raise AssertionError("import did not finish")


def _ids_with_doi(client: TestClient, doi: str) -> list[int]:
    return sorted(r["id"] for r in client.get("/api/records", params={"q": doi}).json()["records"])


def _group_of(client: TestClient, record_ids: list[int]) -> int | None:
    """The active group holding exactly these records, if any."""
    for group in client.get("/api/dedupe/groups").json():
        members = sorted(m["id"] for m in client.get(f"/api/dedupe/groups/{group['group']}").json()["members"])
        if members == record_ids:
            return int(group["group"])
    return None


@pytest.fixture
def owner(web_project: Path, duplicates_csv: Path):  # type: ignore[no-untyped-def]
    """The owner signed in, with the fixture's records imported (not yet de-duplicated)."""
    with TestClient(create_app(web_project)) as client:
        _login(client, OWNER)
        _import(client, duplicates_csv)
        yield client


def test_dedupe_routes_need_a_session(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        for method, url in [
            ("GET", "/api/dedupe"),
            ("POST", "/api/dedupe/run"),
            ("GET", "/api/dedupe/pairs"),
            ("POST", "/api/dedupe/pairs/1"),
            ("GET", "/api/dedupe/groups"),
            ("GET", "/api/dedupe/groups/1"),
            ("POST", "/api/dedupe/groups/1/undo"),
        ]:
            body = {"json": {"decision": "same"}} if url.endswith("pairs/1") else {}
            assert client.request(method, url, **body).status_code == 401, (method, url)


def test_run_groups_the_same_doi_and_queues_lookalikes(owner: TestClient) -> None:
    assert owner.get("/api/dedupe").json() == {
        "groups": 0,
        "duplicates_removed": 0,
        "pairs_to_review": 0,
        "per_source": {"Scopus": 0},
    }
    summary = owner.post("/api/dedupe/run").json()
    assert summary["records"] == 7 and summary["duplicates_removed"] >= 1
    assert summary["per_source"]["Scopus"] == summary["duplicates_removed"]
    same_doi = _ids_with_doi(owner, DOI)
    assert len(same_doi) == 2 and _group_of(owner, same_doi) is not None
    state = owner.get("/api/dedupe").json()
    assert state["duplicates_removed"] == summary["duplicates_removed"] and state["groups"] >= 1
    assert state["pairs_to_review"] == summary["open_pairs"] >= 1

    queue = owner.get("/api/dedupe/pairs").json()
    assert len(queue) == state["pairs_to_review"]
    first = queue[0]
    left, right = first["records"]
    assert left["id"] != right["id"] and "title" in first["differs"]
    assert left["title"] != right["title"] and {"title", "authors", "year", "journal", "doi"} <= left.keys()
    assert len(owner.get("/api/dedupe/pairs", params={"limit": 1}).json()) == 1
    # A second run finds nothing new: the group stays, the queued pairs are not queued twice.
    again = owner.post("/api/dedupe/run").json()
    assert again["groups_created"] == 0 and again["maybe_added"] == 0
    assert again["duplicates_removed"] == summary["duplicates_removed"]


def test_decided_pairs_leave_the_queue(owner: TestClient) -> None:
    owner.post("/api/dedupe/run")
    queue = owner.get("/api/dedupe/pairs").json()
    assert len(queue) >= 2, "the fixture has two look-alike pairs"
    removed = owner.get("/api/dedupe").json()["duplicates_removed"]

    different = queue[0]
    assert owner.post(f"/api/dedupe/pairs/{different['pair']}", json={"decision": "different"}).json() == {
        "pair": different["pair"],
        "decision": "different",
        "group": None,
    }
    left = [p["pair"] for p in owner.get("/api/dedupe/pairs").json()]
    assert different["pair"] not in left and len(left) == len(queue) - 1

    same = queue[1]
    result = owner.post(f"/api/dedupe/pairs/{same['pair']}", json={"decision": "same"}).json()
    assert result["decision"] == "same" and result["group"] is not None
    assert same["pair"] not in [p["pair"] for p in owner.get("/api/dedupe/pairs").json()]
    members = sorted(m["id"] for m in owner.get(f"/api/dedupe/groups/{result['group']}").json()["members"])
    assert members == sorted(r["id"] for r in same["records"])
    assert owner.get("/api/dedupe").json()["duplicates_removed"] == removed + 1
    # Nothing a later run does brings the pair called different back.
    owner.post("/api/dedupe/run")
    assert different["pair"] not in [p["pair"] for p in owner.get("/api/dedupe/pairs").json()]


def test_undo_makes_records_stand_alone_for_good(owner: TestClient) -> None:
    owner.post("/api/dedupe/run")
    same_doi = _ids_with_doi(owner, DOI)
    group = _group_of(owner, same_doi)
    assert group is not None
    before = owner.get("/api/dedupe").json()

    undone = owner.post(f"/api/dedupe/groups/{group}/undo", json={"why": "a reply to the paper, not the paper"}).json()
    assert undone == {"group": group, "records": same_doi, "status": "undone"}
    assert owner.get(f"/api/dedupe/groups/{group}").json()["status"] == "undone"
    assert group not in [g["group"] for g in owner.get("/api/dedupe/groups").json()]
    assert all(owner.get(f"/api/records/{r}").json()["status"] == "imported" for r in same_doi)
    assert owner.get("/api/dedupe").json()["duplicates_removed"] == before["duplicates_removed"] - 1

    rerun = owner.post("/api/dedupe/run").json()
    assert rerun["groups_created"] == 0 and _group_of(owner, same_doi) is None
    assert all(owner.get(f"/api/records/{r}").json()["status"] == "imported" for r in same_doi)
    assert owner.post(f"/api/dedupe/groups/{group}/undo").status_code == 409  # already undone


def test_wrong_decisions_and_unknown_ids(owner: TestClient) -> None:
    owner.post("/api/dedupe/run")
    pair = owner.get("/api/dedupe/pairs").json()[0]["pair"]
    r = owner.post(f"/api/dedupe/pairs/{pair}", json={"decision": "maybe"})
    assert r.status_code == 400 and "same" in r.json()["detail"]
    assert owner.post("/api/dedupe/pairs/9999", json={"decision": "same"}).status_code == 404
    assert owner.post(f"/api/dedupe/pairs/{pair}", json={}).status_code == 422
    assert owner.get("/api/dedupe/groups/9999").status_code == 404
    assert owner.post("/api/dedupe/groups/9999/undo").status_code == 404


def test_viewer_reads_but_cannot_change_duplicates(owner: TestClient, web_project: Path) -> None:
    owner.post("/api/dedupe/run")
    state = owner.get("/api/dedupe").json()
    pair = owner.get("/api/dedupe/pairs").json()[0]["pair"]
    group = owner.get("/api/dedupe/groups").json()[0]["group"]
    with TestClient(create_app(web_project)) as viewer:
        _login(viewer, VIEWER)
        assert viewer.get("/api/dedupe").json() == state
        assert viewer.get("/api/dedupe/pairs").status_code == 200
        assert viewer.get(f"/api/dedupe/groups/{group}").status_code == 200
        assert viewer.post("/api/dedupe/run").status_code == 403
        assert viewer.post(f"/api/dedupe/pairs/{pair}", json={"decision": "same"}).status_code == 403
        assert viewer.post(f"/api/dedupe/groups/{group}/undo", json={"why": ""}).status_code == 403
        assert viewer.get("/api/dedupe").json() == state
